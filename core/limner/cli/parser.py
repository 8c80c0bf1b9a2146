"""The ``limner`` command's arguments (see :mod:`limner.cli.main` for what each command does)."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..client_defaults import DEFAULT_MAX_RETRIES, DEFAULT_POLL_TIMEOUT, DEFAULT_TIMEOUT
from ..serve_defaults import SERVE_POLL_TIMEOUT, SERVE_TIMEOUT

__all__ = ["UsageError", "build_parser"]

_EXAMPLES = {
    "generate": """examples (MODEL is a provider/model id; limner models lists them):
  limner generate "a lighthouse at dusk" -m MODEL --size 1536x1024
  limner generate "a fox" -m MODEL --aspect-ratio 16:9 -n 2 -o foxes/
  limner generate "a fox" -m MODEL -o fox.jpg --dry-run

-o names a file (fox.png; with -n 2: fox-1.png, fox-2.png) or, ending in / or naming a
directory, a folder (image-1.png, ...); nothing is ever overwritten.""",
    "edit": """examples (MODEL is a provider/model id; limner models lists them):
  limner edit "add a red hat" -m MODEL --image fox.png --mask mask.png
  limner edit "" -m MODEL --image fox.png --edit-mode remove-background

The mask is a PNG the size of the image: its transparent pixels mark what to change; a model
lists its edit modes in limner models MODEL.""",
}


class UsageError(Exception):
    """Arguments argparse refused (a bad value, a missing ``-m``): raised instead of printing,
    so the command can say it as text, as argparse does, or as JSON with ``--json``. ``param``
    is the refused argument's field (``n``, ``seed``) when argparse named one argument."""

    def __init__(self, message: str, parser: argparse.ArgumentParser, param: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.parser = parser
        self.param = param


_REQUIRED = "the following arguments are required: "
"""How argparse begins the error for missing required arguments, which it names only there."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` where argparse prints and exits; the
    subcommands' parsers are of this class too (``add_subparsers`` makes them of the parent's).
    Options are not taken abbreviated: ``--n 2`` was ``--negative-prompt 2``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_args(  # type: ignore[override]  # (the namespace overloads: one form used)
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        """argparse's, but arguments a command does not take are refused by that command, with
        its usage and the option meant (``--sise``: did you mean ``--size``?)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = self._command(parsed)
            hint = _meant(extras[0], command)
            command.error(f"unrecognized arguments: {' '.join(extras)}{hint}")
        return parsed

    def _command(self, parsed: argparse.Namespace) -> _Parser:
        """The parser of the command ``parsed`` holds (this one, without one)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                chosen = action.choices.get(getattr(parsed, action.dest, None) or "")
                if isinstance(chosen, _Parser):
                    return chosen
        return self

    def error(self, message: str) -> NoReturn:
        refused = sys.exc_info()[1]  # argparse calls this while handling its ArgumentError
        name = refused.argument_name if isinstance(refused, argparse.ArgumentError) else None
        missing = message.removeprefix(_REQUIRED)  # no ArgumentError: the names in the words
        if name is None and missing != message and ", " not in missing:
            name = missing
        raise UsageError(message, self, self._field(name))

    def _field(self, name: str | None) -> str | None:
        """The ``dest`` of the argument argparse calls ``name`` (``-n``, ``-m/--model``)."""
        if name is None:
            return None
        for action in self._actions:
            if name in ("/".join(action.option_strings), action.metavar, action.dest):
                return action.dest
        return None


def _meant(given: str, parser: argparse.ArgumentParser) -> str:
    """``" (did you mean --size?)"`` for an option ``given`` like one of ``parser``'s."""
    if not given.startswith("-"):
        return ""
    name = given.split("=", 1)[0]
    options = [option for action in parser._actions for option in action.option_strings]
    if name in options:  # (limner --json models: given before the command, by the main parser)
        return f" (give {name} after the command's name)"
    if name.startswith("--") and name[1:] in options:  # --n for -n
        return f" (did you mean {name[1:]}?)"
    longer = [option for option in options if option.startswith(name)]  # --neg, as argparse took
    close = longer if len(longer) == 1 else difflib.get_close_matches(name, options, 1, 0.6)
    return f" (did you mean {close[0]}?)" if close else ""


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
        from .stdout import StdoutError, drop_unwritten, emit

        try:
            emit("\n".join(f"{name} {version}" for name, version in installed_versions()))
        except BrokenPipeError:  # the reader left: quietly, as other commands do
            drop_unwritten()
            parser.exit(141)
        except StdoutError as exc:
            drop_unwritten()
            parser.exit(1, f"limner: error: standard output could not be written ({exc.reason})\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The ``limner`` command's arguments: ``models``, ``generate``, ``edit`` and ``serve``."""
    parser = _Parser(
        prog="limner",
        description="One OpenAI-compatible image API over many image providers.",
        epilog="Credentials come from each provider's usual environment variables; a call "
        "without one names the variable to set. Exit status: 0 done; 1 the provider refused "
        "or failed, the network failed, an image was not saved, standard output could not be "
        "written, or fewer images than -n were made (those made are saved); 2 bad input "
        "(nothing was sent); 130 or 143 stopped by Ctrl-C or SIGTERM. With --json an error is "
        "one JSON line on stderr: the OpenAI error body.",
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
        command = commands.add_parser(
            name,
            help=help_text,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
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
                "--mask",
                metavar="PATH",
                help="PNG whose transparent pixels mark what to edit: a path, or an https or "
                "data: URL",
            )
            command.add_argument(
                "--markup",
                metavar="PATH",
                help="PNG drawn over the first image to guide the edit, transparent elsewhere: a "
                "path, or an https or data: URL (models whose capabilities take a markup; not "
                "with --mask)",
            )
            command.add_argument(
                "--edit-mode", help="inpaint, outpaint, remove-background... (see limner models)"
            )
        command.add_argument("--size", help="WIDTHxHEIGHT or auto")
        command.add_argument(
            "--quality",
            help="one of the model's qualities, which differ by model (limner models MODEL "
            "lists them); the portable auto, low, medium, high, standard and hd are mapped onto "
            "the model's own",
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
            "values are JSON when they parse as JSON, except in text fields (user=123 is text); "
            "in a provider option that is not text, @FILE is the file "
            "(amazon.condition_image=@layout.png)",
        )
        command.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="file or directory; never overwritten (default: ./limner-<created>.EXT)",
        )
        command.add_argument(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help=f"how long one request to the provider may take (default {DEFAULT_TIMEOUT:g})",
        )
        command.add_argument(
            "--max-retries",
            type=int,
            metavar="N",
            help="retries of a failed call: 408, 409, 429, 5xx, lost connection "
            f"(default {DEFAULT_MAX_RETRIES})",
        )
        command.add_argument(
            "--poll-timeout",
            type=float,
            metavar="SECONDS",
            help="how long to wait in all for a provider that works in jobs "
            f"(default {DEFAULT_POLL_TIMEOUT:g})",
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
    """A TCP port number (argparse turns the error into a usage error, exit 2)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a whole number from 0 to 65535, not {text!r}")
    return port
