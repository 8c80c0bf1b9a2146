"""``limner``: list models, generate and edit images from the command line.

Exit status: 0 on success, 2 for bad input (invalid parameters, unknown model, missing
credentials), 1 when a provider or the network failed. Errors are one line on stderr: text, or
with ``--json`` the OpenAI error body ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

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
from ..plugins import LIST_MODELS_HINT
from ..responses import ImagesResponse
from ..serve_defaults import SERVE_POLL_TIMEOUT, SERVE_TIMEOUT
from .options import request_fields
from .output import (
    check_output,
    check_writable_here,
    format_from_output,
    save,
)
from .progress import Spinner
from .render import (
    dollars,
    dry_run_text,
    model_details,
    models_table,
    notes,
    options_text,
    terminal_safe,
)

__all__ = ["main"]

BAD_INPUT = (InvalidRequestError, NotFoundError, PayloadTooLargeError, MissingCredentialsError)


class _Versions(argparse.Action):
    """``--version``: one line per distribution (the core, then each plugin's), then exit. Read
    only when asked, so other commands do not pay for the metadata lookups."""

    def __init__(
        self,
        option_strings: Sequence[str],
        dest: str,
        help: str | None = None,  # noqa: A002
    ) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from ..versions import installed_versions

        for name, version in installed_versions():
            print(f"{name} {version}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="limner",
        description="One OpenAI-compatible image API over many image providers.",
        epilog="Credentials come from each provider's usual environment variables; a call "
        "without one names the variable to set. Exit status: 0 done, 1 the provider refused "
        "or failed, the network failed, or an image was not saved; 2 bad input (nothing was "
        "sent).",
    )
    parser.add_argument(
        "--version", action=_Versions, help="print the versions of limner and its plugins"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    models = commands.add_parser("models", help="list models, or show one model's details")
    models.add_argument("model", nargs="?", help="a model id, provider/model (see: limner models)")
    models.add_argument("--json", action="store_true", help="print JSON, for machines")

    prompts = {
        "generate": "what to draw",
        "edit": "what to change ('' for the modes that need none: erase, remove-background...)",
    }
    for name, help_text in (("generate", "make images from a prompt"), ("edit", "edit images")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("prompt", help=prompts[name])
        command.add_argument(
            "-m", "--model", required=True, help="provider/model (see: limner models)"
        )
        if name == "edit":
            command.add_argument(
                "--image",
                action="append",
                required=True,
                metavar="PATH",
                help="a path, or an https or data: URL; repeatable",
            )
            command.add_argument(
                "--mask", metavar="PATH", help="PNG (a path or URL); transparent = edit here"
            )
            command.add_argument(
                "--edit-mode", help="inpaint, outpaint, remove-background... (see limner models)"
            )
        command.add_argument("--size", help="WIDTHxHEIGHT or auto")
        command.add_argument(
            "--quality",
            help="low, medium, high, auto, or standard, hd (mapped onto the model's own)",
        )
        command.add_argument("-n", type=int, default=None, help="number of images (1-10)")
        command.add_argument("--aspect-ratio", help="e.g. 16:9")
        command.add_argument("--image-size", help="e.g. 1K, 2K, 4K")
        command.add_argument("--seed", type=int, help="for repeatable results, where supported")
        command.add_argument("--negative-prompt")
        command.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="any other field (style=vivid) or provider option (PROVIDER.OPTION=VALUE); "
            "values are JSON when they parse as JSON, except in text fields (user=123 is text)",
        )
        command.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="file or directory; never overwritten (default: ./limner-<created>.EXT)",
        )
        command.add_argument(
            "--dry-run", action="store_true", help="show what would be sent and cost; send nothing"
        )
        command.add_argument(
            "--json", action="store_true", help="print JSON (errors too, on stderr), for machines"
        )

    serve = commands.add_parser("serve", help="run the OpenAI-compatible HTTP gateway")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1; others need a key)")
    serve.add_argument("--port", type=_port, default=8080, help="default 8080")
    serve.add_argument(
        "--api-key",
        action="append",
        default=[],
        help="a key clients must send (repeatable); also LIMNER_API_KEYS=key1,key2",
    )
    serve.add_argument(
        "--files-dir",
        type=Path,
        help="where uploaded and generated files live "
        "(default $XDG_CACHE_HOME/limner/gateway-files, or ~/.cache/limner/gateway-files)",
    )
    serve.add_argument("--public-url", help="the gateway's origin in image URLs it returns")
    serve.add_argument(
        "--max-retries",
        type=int,
        default=0,
        metavar="N",
        help="retries of a failed upstream call (default 0: clients retry themselves)",
    )
    serve.add_argument(
        "--max-concurrency",
        type=int,
        default=8,
        metavar="N",
        help="client requests served upstream at once (default 8; a provider's job keeps its "
        "slot until it is done); others wait up to 30 s, then get 429",
    )
    serve.add_argument(
        "--timeout",
        type=float,
        default=SERVE_TIMEOUT,
        metavar="SECONDS",
        help=f"how long one upstream request may take (default {SERVE_TIMEOUT:g}: under the "
        "OpenAI SDKs' 600 s timeout, so a client hears the 504 instead of sending it again)",
    )
    serve.add_argument(
        "--poll-timeout",
        type=float,
        default=SERVE_POLL_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for a provider's job (default {SERVE_POLL_TIMEOUT:g}: under the "
        "OpenAI SDKs' 600 s timeout, so a client hears the 504 instead of sending it again)",
    )
    serve.add_argument(
        "--default-model",
        metavar="MODEL",
        help="the model for image requests that name none (provider/model)",
    )
    return parser


def _port(text: str) -> int:
    """A TCP port number (argparse turns the ValueError into a usage error, exit 2)."""
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


def _print_models(client: AsyncClient, args: argparse.Namespace) -> None:
    if args.model is None:
        models = client.models.list()
        if args.json:
            print(json.dumps([m.model_dump(mode="json") for m in models], indent=2))
        else:
            print(models_table(models))
        return
    model = client.models.retrieve(args.model)
    schemas = client.models.schemas(model.id)
    if args.json:
        document = model.model_dump(mode="json")
        document["request_schemas"] = schemas
        print(json.dumps(document, indent=2))
        return
    print(model_details(model))
    options = options_text(next(iter(schemas.values()))) if schemas else None
    if options is not None:
        print(options)
    for operation, schema in schemas.items():
        print(f"\n{operation} request schema:")
        print(json.dumps(schema, indent=2))


def _provider_names(client: AsyncClient) -> set[str]:
    """Every name a provider answers to in ``--option PROVIDER.OPTION=VALUE``."""
    return {
        name
        for provider in client.registry.providers.values()
        for name in (provider.name, *provider.aliases)
    }


async def _run_images(client: AsyncClient, args: argparse.Namespace) -> int:
    fields = request_fields(args, _provider_names(client))
    # the CLI saves files: image bytes, even from a model that answers with links by default
    fields.setdefault("response_format", "b64_json")
    if args.output is not None:  # a dry run refuses what the real run would
        said = format_from_output(client, args, fields)
        check_output(client, args, fields)
        if said is not None:
            print(said, file=sys.stderr)
    elif not args.dry_run:
        check_writable_here()
    label = "generating" if args.command == "generate" else "editing"
    with Spinner(enabled=not args.dry_run and not args.json and sys.stderr.isatty(), label=label):
        if args.command == "generate":
            result = await client.images.generate(
                model=args.model, prompt=args.prompt, dry_run=args.dry_run, **fields
            )
        else:
            result = await client.images.edit(
                model=args.model,
                prompt=args.prompt,
                image=list(args.image),  # paths or URLs, as ImageRef reads text
                dry_run=args.dry_run,
                **fields,
            )
    if isinstance(result, DryRun):
        print(result.model_dump_json(indent=2) if args.json else dry_run_text(result))
        return 0
    asked = fields.get("n") or 1
    return _report(result, args, asked=asked, links_asked=fields["response_format"] == "url")


def _report(
    result: ImagesResponse, args: argparse.Namespace, *, asked: int, links_asked: bool
) -> int:
    named = result.file_format() or "png"
    ext = {"jpeg": "jpg"}.get(named, named)
    target = args.output or f"limner-{result.created}.{ext}"
    # response_format=url answers carry links, not bytes: those are printed, not saved
    urls = [item.url for item in result.data if item.b64_json is None and item.url is not None]
    with_bytes = [item for item in result.data if item.b64_json is not None]
    paths: list[Path] = []
    elsewhere = False
    if with_bytes:
        paths, warnings, elsewhere = save(result.model_copy(update={"data": with_bytes}), target)
        for line in warnings:
            print(terminal_safe(line), file=sys.stderr)
    if args.json:
        summary = result.model_dump(mode="json", exclude={"data"})
        summary["files"] = [str(path) for path in paths]
        if urls:
            summary["urls"] = urls
        print(json.dumps(summary, indent=2))
    else:
        for line in [*map(str, paths), *urls]:
            print(terminal_safe(line))
        cost = "unknown" if result.cost is None else dollars(result.cost)
        print(f"cost: {cost} ({result.model})")
        for line in notes(result.adjustments, result.warnings):
            print(terminal_safe(line), file=sys.stderr)
    unsaved = bool(urls) and not links_asked
    if unsaved:  # asked for bytes, got links limner could not download (the notes say why)
        print(
            f"limner: {len(urls)} image(s) not saved: download them from the link(s) printed "
            "before they expire",
            file=sys.stderr,
        )
    fewer = len(result.data) < asked  # a failed call, or images a filter withheld
    if fewer:  # what was made is saved; the notes say why the rest is missing
        print(
            f"limner: {len(result.data)} of the {asked} image(s) asked for were made; the "
            "warnings say why",
            file=sys.stderr,
        )
    # saved, but not where asked, or not at all, or not all of them: a script should notice
    return 1 if elsewhere or unsaved or fewer else 0


async def _serve(args: argparse.Namespace) -> int:
    from ..gateway import GatewayConfig, keys_from
    from ..gateway.server import serve

    config = GatewayConfig(
        api_keys=keys_from(args.api_key),
        public_url=args.public_url,
        default_model=args.default_model,
        max_concurrency=args.max_concurrency,
    )
    if args.max_retries < 0:
        raise InvalidRequestError("--max-retries must be 0 or more", param="max_retries")
    await serve(
        config,
        host=args.host,
        port=args.port,
        files_dir=args.files_dir,
        max_retries=args.max_retries,
        timeout=args.timeout,
        poll_timeout=args.poll_timeout,
    )
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
        if exc.status_code is None:  # found before anything was sent
            exc.message = exc.message.replace(LIST_MODELS_HINT, "limner models lists the models.")
            _report_error(args, exc, f"limner: error: {exc.message}")
            return 2
        _report_error(args, exc, _provider_said(exc))
        return 1
    except (LimnerError, AuthenticationError) as exc:
        _report_error(args, exc, _provider_said(exc))
        return 1
    except BrokenPipeError:  # the reader left (``limner models --json | head -1``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return 141  # as a shell reports a program that SIGPIPE ended
    except (FileExistsError, OSError) as exc:
        _report_error(args, InvalidRequestError(str(exc)), f"limner: error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130


def _provider_said(error: LimnerError) -> str:
    """The line for an error the provider answered with, or a failure to reach it."""
    where = f" [{error.provider} HTTP {error.status_code}]" if error.status_code else ""
    wait = getattr(error, "retry_after", None)  # a RateLimitError's: over what limner waits
    after = f" (the provider asks to wait {wait:g} s before retrying)" if wait else ""
    return f"limner: {type(error).__name__}{where}: {error.message}{after}"


def _report_error(args: argparse.Namespace, error: LimnerError, text: str) -> None:
    """One line on stderr: ``text``, or the error's OpenAI body when ``--json`` was asked for."""
    line = json.dumps(error.to_openai()) if getattr(args, "json", False) else terminal_safe(text)
    print(line, file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
