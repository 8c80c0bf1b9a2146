"""``limner``: list models, generate and edit images from the command line.

Exit status: 0 on success, 2 for bad input (invalid parameters, unknown model, missing
credentials), 1 when a provider or the network failed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..client import AsyncClient
from ..dryrun import DryRun
from ..errors import (
    AuthenticationError,
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    NotFoundError,
    PayloadTooLargeError,
)
from ..responses import ImagesResponse, save_paths
from ..schema import request_schema
from .progress import Spinner
from .render import dry_run_text, model_details, models_table, notes

__all__ = ["main"]

BAD_INPUT = (InvalidRequestError, NotFoundError, PayloadTooLargeError, MissingCredentialsError)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="limner", description="One OpenAI-compatible image API over many image providers."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = commands.add_parser("models", help="list models, or show one model's details")
    models.add_argument("model", nargs="?", help="a model id, provider/model (see: limner models)")
    models.add_argument("--json", action="store_true", help="print JSON")

    for name, help_text in (("generate", "make images from a prompt"), ("edit", "edit images")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("prompt")
        command.add_argument("-m", "--model", required=True)
        if name == "edit":
            command.add_argument(
                "--image", action="append", required=True, metavar="PATH", help="repeatable"
            )
            command.add_argument("--mask", metavar="PATH", help="PNG; transparent = edit here")
            command.add_argument(
                "--edit-mode", help="inpaint, outpaint, remove-background... (see limner models)"
            )
        command.add_argument("--size", help="WIDTHxHEIGHT or auto")
        command.add_argument("--quality")
        command.add_argument("-n", type=int, default=None, help="number of images (1-10)")
        command.add_argument("--aspect-ratio", help="e.g. 16:9")
        command.add_argument("--image-size", help="e.g. 1K, 2K, 4K")
        command.add_argument("--seed", type=int)
        command.add_argument("--negative-prompt")
        command.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="any other field (style=vivid) or provider option (openai.input_fidelity=high); "
            "values are JSON when they parse as JSON",
        )
        command.add_argument("-o", "--output", metavar="PATH", help="file or directory")
        command.add_argument("--dry-run", action="store_true", help="show what would be sent")
        command.add_argument("--json", action="store_true", help="print JSON")

    serve = commands.add_parser("serve", help="run the OpenAI-compatible HTTP gateway")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; others need a key)")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--api-key",
        action="append",
        default=[],
        help="a key clients must send (repeatable); also LIMNER_API_KEYS=key1,key2",
    )
    serve.add_argument("--files-dir", type=Path, help="where uploaded and generated files live")
    serve.add_argument("--public-url", help="the gateway's origin in image URLs it returns")
    serve.add_argument(
        "--default-model",
        metavar="MODEL",
        help="the model for image requests that name none (provider/model)",
    )
    return parser


def _value(text: str, key: str) -> Any:
    """``text`` as JSON when it parses, else the string; a JSON object naming one key twice with
    different values is refused (``json.loads`` would keep the last silently)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, item in pairs:
            if name in out and not _same(out[name], item):
                raise InvalidRequestError(
                    f"--option {key}: {name!r} appears twice in the JSON value "
                    f"({out[name]!r} and {item!r}); give it once",
                    param="option",
                )
            out[name] = item
        return out

    try:
        return json.loads(text, object_pairs_hook=unique)
    except ValueError:
        return text


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


Origins = dict[tuple[str, ...], str]


def _put(
    fields: dict[str, Any], path: tuple[str, ...], value: Any, source: str, origins: Origins
) -> None:
    """Set ``fields[path[0]][path[1]]...`` to ``value``, merging objects key by key. A key given
    twice with different values is refused, naming both settings: no setting is dropped."""
    node = fields
    for depth, key in enumerate(path[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            _conflict(path[: depth + 1], child, value, source, origins)
        node = child
    key = path[-1]
    if isinstance(value, dict):
        current = node.setdefault(key, {})
        if not isinstance(current, dict):
            _conflict(path, current, value, source, origins)
        for name, item in value.items():
            _put(fields, (*path, name), item, source, origins)
        return
    if key in node:
        if _same(node[key], value):
            return
        _conflict(path, node[key], value, source, origins)
    node[key] = value
    origins[path] = source


def _conflict(
    path: tuple[str, ...], current: Any, value: Any, source: str, origins: Origins
) -> NoReturn:
    earlier = next(
        (
            origin
            for where, origin in origins.items()
            if where[: len(path)] == path or path[: len(where)] == where
        ),
        "an earlier setting",
    )
    name = ".".join(path)
    raise InvalidRequestError(
        f"{name} is set twice with different values: {current!r} by {earlier} and {value!r} by "
        f"{source}; give {name} once",
        param="option",
    )


def _option_path(key: str, providers: set[str]) -> tuple[str, ...]:
    """Where ``--option KEY=...`` goes: ``FIELD``, or ``PROVIDER[.OPTION...]`` (also spelled
    ``provider_options.PROVIDER...``) under ``provider_options``."""
    parts = key.split(".")
    explicit = parts[0] == "provider_options" and len(parts) > 1
    if explicit:
        parts = parts[1:]
    if all(parts):
        if parts[0] in providers:
            return ("provider_options", *parts)
        if len(parts) == 1 and not explicit:
            return (parts[0],)
    raise InvalidRequestError(
        f"--option {key!r}: use FIELD=VALUE or PROVIDER.OPTION=VALUE "
        f"(providers: {', '.join(sorted(providers))})",
        param="option",
    )


def _request_fields(args: argparse.Namespace, providers: set[str]) -> dict[str, Any]:
    """The request's fields from the flags, then every ``--option`` in order, merged key by key
    (``image_config``, ``provider_options``...); one key set to two values is refused."""
    reserved = {"model": "-m/--model", "prompt": "the PROMPT argument", "dry_run": "--dry-run"}
    flags: list[tuple[tuple[str, ...], Any, str]] = [
        (("size",), args.size, "--size"),
        (("quality",), args.quality, "--quality"),
        (("seed",), args.seed, "--seed"),
        (("n",), args.n, "-n"),
        (("negative_prompt",), args.negative_prompt, "--negative-prompt"),
        (("image_config", "aspect_ratio"), args.aspect_ratio, "--aspect-ratio"),
        (("image_config", "image_size"), args.image_size, "--image-size"),
    ]
    if args.command == "edit":
        reserved |= {"image": "--image", "images": "--image"}
        flags += [
            (("mask",), Path(args.mask) if args.mask else None, "--mask"),
            (("edit_mode",), args.edit_mode, "--edit-mode"),
        ]
    fields: dict[str, Any] = {}
    origins: Origins = {}
    for path, value, source in flags:
        if value is not None:
            _put(fields, path, value, source, origins)
    for option in args.option:
        key, sep, raw = option.partition("=")
        if not sep or not key:
            raise InvalidRequestError(f"--option {option!r}: expected KEY=VALUE", param="option")
        path = _option_path(key, providers)
        if path[0] in reserved:
            raise InvalidRequestError(
                f"--option {key}: give {path[0]} with {reserved[path[0]]}, not --option",
                param="option",
            )
        _put(fields, path, _value(raw, key), f"--option {key}", origins)
    return fields


def _print_models(client: AsyncClient, args: argparse.Namespace) -> None:
    if args.model is None:
        models = client.models.list()
        if args.json:
            print(json.dumps([m.model_dump(mode="json") for m in models], indent=2))
        else:
            print(models_table(models))
        return
    model = client.models.retrieve(args.model)
    if args.json:
        document = model.model_dump(mode="json")
        document["request_schemas"] = {
            op: request_schema(model, op) for op in model.capabilities.operations if op != "chat"
        }
        print(json.dumps(document, indent=2))
    else:
        print(model_details(model))
        for op in model.capabilities.operations:
            if op != "chat":
                print(f"\n{op} request schema:")
                print(json.dumps(request_schema(model, op), indent=2))


def _provider_names(client: AsyncClient) -> set[str]:
    """Every name a provider answers to in ``--option PROVIDER.OPTION=VALUE``."""
    return {
        name
        for provider in client.registry.providers.values()
        for name in (provider.name, *provider.aliases)
    }


def _check_output(client: AsyncClient, args: argparse.Namespace, fields: dict[str, Any]) -> None:
    """Refuse, before the provider is called (and paid), a ``-o`` whose files exist or cannot be
    written. Without a requested ``output_format`` every format the model makes is checked."""
    model = client.models.retrieve(args.model)
    if fields.get("response_format") == "url" and "url" in model.capabilities.response_formats:
        raise InvalidRequestError(
            f"-o saves image bytes, but with response_format=url {model.id} answers with links "
            "(printed, not saved): leave out -o, or response_format to get the bytes",
            param="output",
        )
    n = fields.get("n", 1)
    count = min(n, model.capabilities.max_n) if isinstance(n, int) and n > 0 else 1
    requested = fields.get("output_format")
    if isinstance(requested, str):
        formats = [requested]
    else:
        formats = list(dict.fromkeys(["png", *model.capabilities.output_formats]))
    names = {path for fmt in formats for path in save_paths(args.output, count, fmt)}
    existing = sorted(str(path) for path in names if path.exists())
    if existing:
        unsure = ""
        if len(names) > count:  # the file names depend on the format the provider answers
            unsure = f"; the model may answer {', '.join(formats)}: --option output_format=..."
        raise InvalidRequestError(
            f"refusing to overwrite {', '.join(existing)}: choose another -o/--output, or move "
            f"the file away (nothing was sent to the provider){unsure}",
            param="output",
        )
    for path in names:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise InvalidRequestError(
                f"cannot write {path}: {folder} is not a writable directory; choose another "
                "-o/--output (nothing was sent to the provider)",
                param="output",
            )


async def _run_images(client: AsyncClient, args: argparse.Namespace) -> int:
    fields = _request_fields(args, _provider_names(client))
    if args.output is not None and not args.dry_run:
        _check_output(client, args, fields)
    with Spinner(enabled=not args.dry_run and not args.json and sys.stderr.isatty()):
        if args.command == "generate":
            result = await client.images.generate(
                model=args.model, prompt=args.prompt, dry_run=args.dry_run, **fields
            )
        else:
            result = await client.images.edit(
                model=args.model,
                prompt=args.prompt,
                image=[Path(p) for p in args.image],
                dry_run=args.dry_run,
                **fields,
            )
    if isinstance(result, DryRun):
        print(result.model_dump_json(indent=2) if args.json else dry_run_text(result))
        return 0
    return _report(result, args)


def _report(result: ImagesResponse, args: argparse.Namespace) -> int:
    ext = {"jpeg": "jpg"}.get(result.output_format or "png", result.output_format or "png")
    target = args.output or f"limner-{result.created}.{ext}"
    # response_format=url answers carry links, not bytes: those are printed, not saved
    urls = [item.url for item in result.data if item.b64_json is None and item.url is not None]
    with_bytes = [item for item in result.data if item.b64_json is not None]
    paths: list[Path] = []
    if with_bytes:
        paths, renamed = _save(result.model_copy(update={"data": with_bytes}), target)
        for line in renamed:
            print(line, file=sys.stderr)
    if args.json:
        summary = result.model_dump(mode="json", exclude={"data"})
        summary["files"] = [str(path) for path in paths]
        if urls:
            summary["urls"] = urls
        print(json.dumps(summary, indent=2))
        return 0
    for line in [*map(str, paths), *urls]:
        print(line)
    cost = "unknown" if result.cost is None else f"${result.cost:.4f}"
    print(f"cost: {cost} ({result.model})")
    for line in notes(result.adjustments, result.warnings):
        print(line, file=sys.stderr)
    return 0


def _save(result: ImagesResponse, target: str) -> tuple[list[Path], list[str]]:
    """Save the images; a file that appeared since the check (or a name the check could not
    foresee: fewer images, another format) is kept, and that image saved under a fresh name
    beside it, so paid images are never thrown away. Returns the paths and what was renamed."""
    try:
        return result.save(target), []
    except FileExistsError:
        pass
    names = save_paths(target, len(result.data), result.output_format)
    taken = set(names)
    paths: list[Path] = []
    renamed: list[str] = []
    for item, name in zip(result.data, names, strict=True):
        path = name
        if name.exists():
            path = _fresh_name(name, result.created, taken)
            taken.add(path)
            renamed.append(f"warning: {name} exists and was kept; saved this image as {path}")
        paths.extend(result.model_copy(update={"data": [item]}).save(path))
    return paths, renamed


def _fresh_name(name: Path, created: int, taken: set[Path]) -> Path:
    """``moon.png`` -> ``moon.<created>.png`` (then ``moon.<created>-2.png``...), a name neither
    on disk nor already chosen."""
    for attempt in itertools.count(1):
        tag = f"{created}" if attempt == 1 else f"{created}-{attempt}"
        candidate = name.with_name(f"{name.stem}.{tag}{name.suffix}")
        if candidate not in taken and not candidate.exists():
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


async def _serve(args: argparse.Namespace) -> int:
    from ..gateway import GatewayConfig, keys_from
    from ..gateway.server import serve

    config = GatewayConfig(
        api_keys=keys_from(args.api_key),
        public_url=args.public_url,
        default_model=args.default_model,
    )
    await serve(config, host=args.host, port=args.port, files_dir=args.files_dir)
    return 0


async def _main(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return await _serve(args)
    async with AsyncClient() as client:
        if args.command == "models":
            _print_models(client, args)
            return 0
        return await _run_images(client, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``limner`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except BAD_INPUT as exc:
        print(f"limner: error: {exc.message}", file=sys.stderr)
        return 2
    except (LimnerError, AuthenticationError) as exc:
        where = f" [{exc.provider} HTTP {exc.status_code}]" if exc.status_code else ""
        print(f"limner: {type(exc).__name__}{where}: {exc.message}", file=sys.stderr)
        return 1
    except (FileExistsError, OSError) as exc:
        print(f"limner: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
