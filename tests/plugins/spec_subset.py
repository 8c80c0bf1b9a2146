"""Cut an OpenAPI document down to some of its paths and every component they reference.

The spec tests read these subsets from the repository, so they run wherever the tests do; the
full documents stay in ``../shared/provider-specs``. Regenerate a subset with, for example::

    python tests/plugins/spec_subset.py \\
        ../shared/provider-specs/stability/stability-v2beta.openapi.json \\
        tests/plugins/stability/data/stability-v2beta.subset.openapi.json \\
        --prefix /v2beta/stable-image/generate/ --prefix /v2beta/stable-image/edit/

Nothing in a kept path or component is changed; ``info`` and ``openapi`` are kept, ``servers``
and the other top-level keys are dropped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

REF_PREFIX = "#/components/"


def refs(node: Any) -> set[str]:
    """Every ``#/components/...`` reference inside ``node``."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref)
        for value in node.values():
            found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def subset(spec: dict[str, Any], prefixes: list[str], extra: list[str]) -> dict[str, Any]:
    """The paths starting with one of ``prefixes``, plus the ``extra`` component references,
    plus every component those reach."""
    paths = {p: item for p, item in spec["paths"].items() if p.startswith(tuple(prefixes))}
    if not paths:
        raise SystemExit(f"no path starts with any of {prefixes}")
    pending = refs(paths) | set(extra)
    kept: dict[str, dict[str, Any]] = {}
    while pending:
        ref = pending.pop()
        section, name = ref.removeprefix(REF_PREFIX).split("/", 1)
        if name in kept.setdefault(section, {}):
            continue
        node = spec["components"][section][name]
        kept[section][name] = node
        pending |= refs(node)
    components = {section: dict(sorted(items.items())) for section, items in sorted(kept.items())}
    return {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": paths,
        "components": components,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--prefix", action="append", required=True, help="keep paths like this")
    parser.add_argument(
        "--component", action="append", default=[], help="also keep #/components/... references"
    )
    args = parser.parse_args()
    spec = json.loads(args.source.read_text())
    out = subset(spec, args.prefix, args.component)
    args.dest.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
    print(f"{args.dest}: {len(out['paths'])} paths, {args.dest.stat().st_size} bytes")


if __name__ == "__main__":
    main()
