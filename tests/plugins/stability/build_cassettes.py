"""Build the Stability cassettes from the v2beta spec and quoted live bodies (no key needed).

    .venv/bin/python -m tests.plugins.stability.build_cassettes [PATH_TO_SHARED]

(a 1x1 PNG stands in for every image)

No recording of a real Stability call exists in the stored material
(``shared/real-cassettes/stability/SOURCE.txt``). Each cassette therefore pairs the request limner
itself sends (encoded exactly as it goes on the wire) with a response built from Stability's
OpenAPI document (the 200 shapes) or a body quoted from a live call in public sources (the 401
and 403). Every cassette says so in its ``provenance`` block. They are never re-recorded (a
recording run skips them): the tests assert these sources' values. ``test_stability_live.py``
holds the calls a maintainer with a key records live (see ``cassettes/README.md``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import yaml

import limner

from ..cassettes import TINY_PNG, built_body, shared_folder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUT = ROOT / "cassettes" / "stability" / "test_stability_cassettes"
INPUTS = HERE / "data"

SPEC = (
    "Stability v2beta OpenAPI (shared/provider-specs/stability/stability-v2beta.openapi.json, "
    "kousen/ai_samples @ c02de0abecf0d2b327c99d5629abc16e700c2bef), 200 response schema"
)
QUOTED = "shared/real-cassettes/stability/quoted-live-error-bodies.json"


async def wire(client: limner.AsyncClient, operation: str, params: dict[str, Any]) -> Any:
    """The request limner sends for this call, as a vcrpy request entry."""
    engine = client._engine
    kinds: dict[str, type[limner.GenerateRequest] | type[limner.EditRequest]] = {
        "generate": limner.GenerateRequest,
        "edit": limner.EditRequest,
    }
    request = limner.arguments.build_request(kinds[operation], params)
    plan = await engine._plan(operation, request, sending=False)  # type: ignore[arg-type]
    sent = plan.provider.authorize(plan.translations[0].request, plan.settings, dry_run=True)
    body, content_type = await built_body(sent)
    headers = {name: [value] for name, value in sent.redacted_headers().items()}
    headers["content-type"] = [str(content_type)]
    return {"method": sent.method, "uri": sent.url, "body": body, "headers": headers}


def cassette(
    request: dict[str, Any],
    status: int,
    body: Any,
    headers: dict[str, list[str]],
    provenance: dict[str, Any],
) -> str:
    reasons = {200: "OK", 401: "Unauthorized", 403: "Forbidden"}
    document = {
        "provenance": provenance,
        "interactions": [
            {
                "request": request,
                "response": {
                    "status": {"code": status, "message": reasons.get(status, "Error")},
                    "headers": headers,
                    "body": {"string": json.dumps(body, indent=2)},
                },
            }
        ],
        "version": 1,
    }
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))


def provenance(response: str, note: str) -> dict[str, Any]:
    return {
        "kind": "built, not recorded: no live recording of a Stability call exists",
        "request": "made by limner itself (tests/plugins/stability/build_cassettes.py)",
        "response": response,
        "note": note,
    }


def quoted(shared: Path, status: int) -> dict[str, Any]:
    items = json.loads(
        (shared / "real-cassettes" / "stability" / "quoted-live-error-bodies.json").read_text()
    )
    item: dict[str, Any] = next(i for i in items["items"] if i["status"] == status)
    return item


def cases(
    shared: Path,
) -> list[tuple[str, str, dict[str, Any], int, Any, dict[str, list[str]], dict[str, Any]]]:
    ok_headers = {"content-type": ["application/json; type=image/png"], "x-request-id": ["built-1"]}
    generate = {
        "model": "stabilityai/sd3.5-large",
        "prompt": "a lighthouse at dusk",
        "size": "1536x1024",
        "seed": 7,
        "negative_prompt": "blurry",
    }
    success = {"image": TINY_PNG, "finish_reason": "SUCCESS", "seed": 343940597}
    spec_note = (
        "body shaped by the spec's 200 schema; seed is the spec's example; image a 1x1 PNG; "
        "x-request-id built-1 a placeholder"
    )
    forbidden = quoted(shared, 403)
    unauthorized = quoted(shared, 401)
    rid = unauthorized["headers"]["x-request-id"]
    return [
        ("generate_sd35_large", "generate", generate, 200, success, ok_headers,
         provenance(SPEC, spec_note)),
        ("changed_request_does_not_match_the_cassette", "generate", generate, 200, success,
         ok_headers, provenance(SPEC, spec_note)),
        ("content_filtered", "generate", {**generate, "model": "stabilityai/stable-image-core"},
         200, {**success, "finish_reason": "CONTENT_FILTERED"}, ok_headers,
         provenance(SPEC, "finish_reason CONTENT_FILTERED per the spec; image a 1x1 PNG; "
                    "x-request-id built-1 a placeholder")),
        ("inpaint", "edit", {
            "model": "stabilityai/sd3.5-large", "prompt": "a moon in the sky",
            "images": INPUTS / "inpaint_image.png", "mask": INPUTS / "inpaint_mask.png",
        }, 200, success, ok_headers, provenance(SPEC, spec_note + "; input PNGs made by limner")),
        ("content_moderation_403", "generate", {**generate, "model": "stabilityai/sd3.5-medium"},
         403, forbidden["body"], {"content-type": ["application/json"]},
         provenance(f"{QUOTED} ({forbidden['source']})", "body verbatim: note it has no id")),
        ("unauthorized_401", "generate", {**generate, "model": "stabilityai/stable-image-ultra"},
         401, unauthorized["body"], {"content-type": ["application/json"], "x-request-id": [rid]},
         provenance(f"{QUOTED} ({unauthorized['source']})",
                    "body verbatim as the source quotes it; x-request-id as the source's mock "
                    "sets it (the body's id), not a header it quotes; a weak source: its "
                    "repository is not identified")),
    ]  # fmt: skip


def inputs() -> None:
    """A 64x64 photo stand-in and a mask whose top-left quarter is transparent."""
    from PIL import Image

    INPUTS.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), (30, 60, 120)).save(INPUTS / "inpaint_image.png")
    mask = Image.new("RGBA", (64, 64), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, 32, 32))
    mask.save(INPUTS / "inpaint_mask.png")


async def build(shared: Path) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    inputs()
    written = []
    providers = {"stabilityai": {"api_key": "sk-cassette-builder"}}
    async with limner.AsyncClient(providers=providers, environ={}) as client:
        for name, operation, params, status, body, headers, source in cases(shared):
            request = await wire(client, operation, dict(params))
            path = OUT / f"test_{name}.yaml"
            path.write_text(cassette(request, status, body, headers, source))
            written.append(path)
    return written


def main() -> None:
    shared = shared_folder(sys.argv)
    for path in asyncio.run(build(shared)):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
