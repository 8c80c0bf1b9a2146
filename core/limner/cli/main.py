"""``limner``: list models, generate and edit images from the command line.

Exit status: 0 on success, 2 for bad input (invalid parameters or arguments, unknown model,
missing credentials), 1 when a provider or the network failed or not every image asked for was
saved where asked, 130 or 143 when stopped by Ctrl-C or SIGTERM. Errors are one line on stderr:
text, or with ``--json`` the OpenAI error body ``{"error": {"message", "type", "param",
"code"}}`` (argparse's refusals too); a call that made images and exits 1 also puts that error
in its JSON summary on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any, TextIO

from ..capabilities import model_object
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
from ..interrupted import keep_made_images
from ..responses import ImagesResponse
from ..status_errors import shown_url
from ..unknown_model import LIST_MODELS_HINT, NO_PLUGINS_HINT
from . import asks_for_json
from .options import request_fields
from .output import (
    check_output,
    check_writable_here,
    format_from_output,
)
from .parser import UsageError, build_parser
from .progress import Spinner
from .render import (
    dry_run_text,
    model_details,
    models_table,
    options_text,
    terminal_safe,
)
from .report import report
from .stdout import StdoutError, drop_unwritten, emit
from .stopping import Stop, not_interrupted, stopped_by_sigterm

__all__ = ["main"]

_FLAGS = {"timeout": "--timeout", "max_retries": "--max-retries", "poll_timeout": "--poll-timeout"}
"""Client settings the commands take as flags: their errors name the flag."""
_SERVE_FLAGS = {
    **_FLAGS,
    "max_concurrency": "--max-concurrency",
    "public_url": "--public-url",
    "default_model": "--default-model",
}
"""The gateway's settings ``limner serve`` takes as flags."""
BAD_INPUT = (InvalidRequestError, NotFoundError, PayloadTooLargeError, MissingCredentialsError)


def _print_models(client: AsyncClient, args: argparse.Namespace) -> None:
    if args.model is None:
        models = client.models.list()
        if args.json:
            emit(json.dumps([model_object(m) for m in models], indent=2))
        else:
            emit(models_table(models))
        if client.registry.no_plugins_installed:  # limner-core alone: an empty table
            print(f"limner: {NO_PLUGINS_HINT}", file=sys.stderr)
        return
    model = client.models.retrieve(args.model)
    schemas = client.models.schemas(model.id)
    if args.json:
        document = model_object(model)  # as the gateway's GET /v1/models/{model} gives it
        document["request_schemas"] = schemas
        emit(json.dumps(document, indent=2))
        return
    emit(model_details(model))
    options = options_text(next(iter(schemas.values()))) if schemas else None
    if options is not None:
        emit(options)
    for operation, schema in schemas.items():
        emit(f"\n{operation} request schema:")
        emit(json.dumps(schema, indent=2))


def _provider_names(client: AsyncClient) -> dict[str, frozenset[str]]:
    """Every name a provider answers to in ``--option PROVIDER.OPTION=VALUE``, with the names of
    its options that hold text (``--option PROVIDER.OPTION=7`` is then the text ``"7"``)."""
    names: dict[str, frozenset[str]] = {}
    for provider in client.registry.providers.values():
        model = provider.options_model
        fields = model.model_fields.items() if model is not None else ()
        text = frozenset(name for name, field in fields if field.annotation in (str, str | None))
        names.update(dict.fromkeys((provider.name, *provider.aliases), text))
    return names


async def _run_images(client: AsyncClient, args: argparse.Namespace, stop: Stop) -> int:
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
    dumb = os.environ.get("TERM") == "dumb"  # (no cursor movement: the line would pile up)
    spinning = not args.dry_run and not args.json and sys.stderr.isatty() and not dumb
    asked = fields.get("n") or 1
    links = fields["response_format"] == "url"
    with keep_made_images() as made:
        try:
            with Spinner(enabled=spinning, label=label):
                result = await _call(client, args, fields)
            await stop.settle()  # paid: saved and said whatever signal comes now
        except asyncio.CancelledError:  # Ctrl-C, or SIGTERM: the images made are billed
            with not_interrupted():
                for response in made:
                    report(response, args, asked=asked, links_asked=links, stopped=True)
            raise
    if isinstance(result, DryRun):
        # (JSON as ASCII, as the command's other JSON: any code page can carry it)
        emit(
            json.dumps(result.model_dump(mode="json"), indent=2)
            if args.json
            else dry_run_text(result)
        )
        return 0
    return report(result, args, asked=asked, links_asked=links)  # (stops ignored: settled)


async def _call(
    client: AsyncClient, args: argparse.Namespace, fields: dict[str, Any]
) -> ImagesResponse | DryRun:
    result: ImagesResponse | DryRun
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
    return result


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
    with stopped_by_sigterm() as stop:  # as by Ctrl-C: what was made is saved
        if args.command == "serve":
            return await _serve(args)
        settings = {
            name: value
            for name in ("timeout", "max_retries", "poll_timeout")
            if (value := getattr(args, name, None)) is not None
        }
        async with AsyncClient(**settings) as client:
            if args.command == "models":
                _print_models(client, args)
                return 0
            return await _run_images(client, args, stop)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``limner`` command; returns the exit status (arguments argparse
    refuses, and ``--help``, raise :class:`SystemExit`, as argparse does)."""
    if sys.stderr is None:  # started with it closed (2>&-): nothing can be said there, and
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  # print(file=None) would say it on stdout
    for stream in (sys.stdout, sys.stderr):  # a code page (Windows' redirected output: cp1252)
        reconfigure = getattr(stream, "reconfigure", None)  # that lacks a prompt's characters:
        if reconfigure is not None:  # escaped, not a UnicodeEncodeError after paid images
            reconfigure(errors="backslashreplace")
    args = _parse(sys.argv[1:] if argv is None else list(argv))
    with warnings.catch_warnings():  # one line each, as the command's own messages
        warnings.showwarning = _one_line_warning
        return _run(args)


def _parse(argv: list[str]) -> argparse.Namespace:
    """The command's arguments. Refused ones exit 2, said in one line, as every error of the
    command is (argparse's error, and where the arguments are shown; its usage block is
    ``--help``'s), or with ``--json`` among them as the OpenAI error body. No arguments at all:
    the help, on stderr, and exit status 2."""
    if not argv:
        build_parser().print_help(sys.stderr)
        raise SystemExit(2)
    try:
        return build_parser().parse_args(argv)
    except UsageError as refused:
        hint = f"{refused.parser.prog} --help shows the arguments"
        if not asks_for_json(argv):
            said = f"{refused.parser.prog}: error: {refused.message} ({hint})"
            print(terminal_safe(said), file=sys.stderr)
            raise SystemExit(2) from None
        error = InvalidRequestError(f"{refused.message}; {hint}", param=refused.param)
        print(json.dumps(error.to_openai()), file=sys.stderr)
        raise SystemExit(2) from None


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A Python warning (a plugin name that no plugin has, say) as one line on stderr, without
    the source line Python shows; another library's says its category and where it was raised,
    as its own, not limner's."""
    if _raised_by_limner(filename):
        said = f"limner: warning: {message}"
    else:
        said = f"warning: {category.__name__}: {message} ({filename}:{lineno})"
    print(terminal_safe(said), file=sys.stderr)


def _raised_by_limner(filename: str) -> bool:
    """Whether ``filename`` is a module of limner or of a plugin (``limner_*``)."""
    return any(
        name.partition(".")[0].startswith("limner")
        and getattr(module, "__file__", None) == filename
        for name, module in list(sys.modules.items())
    )


def _name_the_flag(args: argparse.Namespace, error: LimnerError) -> None:
    """``error``'s message with the flag that gave its parameter in the parameter's place
    (``--image b.png: ...`` for ``images[1]: ...``), where a flag gave it."""
    param = error.param or ""
    flag = _flag(args, param) if param and error.message.startswith(param) else None
    if flag is not None and error.message[len(param) :][:1] in (" ", ":"):
        error.message = flag + error.message[len(param) :]


def _run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_main(args))
    except BAD_INPUT as exc:
        _name_the_flag(args, exc)
        if exc.status_code is None:  # found before anything was sent
            exc.message = exc.message.replace(LIST_MODELS_HINT, "limner models lists the models.")
            _report_error(args, exc, f"limner: error: {exc.message}")
            return 2
        _report_error(args, exc, _provider_said(exc))
        return 1
    except (LimnerError, AuthenticationError) as exc:
        _name_the_flag(args, exc)  # (an input image that could not be downloaded: --image URL)
        limit = exc.limit
        flag = _FLAGS.get(limit.name) if limit is not None else None
        if limit and flag and args.command in ("generate", "edit"):  # the command's own limit
            exc.message = exc.with_advice(f"{limit.purpose}, give a larger {flag}")
        _report_error(args, exc, _provider_said(exc))
        return 1
    except StdoutError as exc:  # after the work: no bad input, and nothing to send again
        done = f"; {exc.made}" if exc.made else ""  # (a dry run, or models: nothing made)
        failed = LimnerError(
            f"standard output could not be written ({exc.reason}){done}", code="output_failed"
        )
        _report_error(args, failed, f"limner: error: {failed.message}")
        drop_unwritten()
        return 1
    except BrokenPipeError:  # the reader left (``limner models --json | head -1``): not an error
        drop_unwritten()
        return 141  # as a shell reports a program that SIGPIPE ended
    except (FileExistsError, OSError) as exc:
        _report_error(args, InvalidRequestError(str(exc)), f"limner: error: {exc}")
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:  # Ctrl-C; SIGTERM
        if args.command == "serve":  # the way to stop it: in-flight requests were finished
            print("limner gateway: stopped", file=sys.stderr)
            return 0
        sent = args.command in ("generate", "edit") and not args.dry_run
        billed = "; a request already sent may still be billed" if sent else ""
        stop = LimnerError(f"interrupted{billed}", code="interrupted")
        _report_error(args, stop, f"limner: {stop.message}")
        return 130 if isinstance(exc, KeyboardInterrupt) else 143


def _flag(args: argparse.Namespace, param: str) -> str | None:
    """The command's flag that gave ``param`` (``--image b.png`` for ``images[1]``)."""
    if args.command == "serve":
        return _SERVE_FLAGS.get(param)
    if args.command not in ("generate", "edit"):
        return None
    given = list(getattr(args, "image", None) or [])
    if param == "images" and given:
        return "--image"
    index = param.removeprefix("images[").removesuffix("]")
    if index.isdigit() and int(index) < len(given):  # a URL without its query or password
        return f"--image {shown_url(given[int(index)])}"
    if param == "mask" and getattr(args, "mask", None):
        return "--mask"
    return _FLAGS.get(param)


def _provider_said(error: LimnerError) -> str:
    """The line for an error the provider answered with, or a failure to reach it."""
    where = f" [{error.provider} HTTP {error.status_code}]" if error.status_code else ""
    wait = error.retry_after if error.retryable else None  # over what limner waits
    after = f" (the provider asks to wait {wait:g} s before retrying)" if wait else ""
    return f"limner: {type(error).__name__}{where}: {error.message}{after}"


def _report_error(args: argparse.Namespace, error: LimnerError, text: str) -> None:
    """One line on stderr: ``text``, or the error's OpenAI body when ``--json`` was asked for."""
    line = json.dumps(error.to_openai()) if getattr(args, "json", False) else terminal_safe(text)
    print(line, file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
