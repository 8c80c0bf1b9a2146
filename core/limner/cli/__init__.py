"""The ``limner`` command."""

from __future__ import annotations

import json
import sys

__all__ = ["run"]

INTERRUPTED = {
    "error": {"message": "interrupted", "type": "api_error", "param": None, "code": "interrupted"}
}
"""What ``LimnerError("interrupted", code="interrupted").to_openai()`` gives, written out: the
error classes are not loaded yet when Ctrl-C comes this early."""


def run() -> int:
    """The console script: :func:`limner.cli.main.main`, with a Ctrl-C that comes before it
    handles one (while its modules load, about a quarter of a second, or while it reads its
    arguments) ending as one that comes later does: one line on stderr, exit status 130, no
    traceback. Nothing was sent yet."""
    try:
        from .main import main

        return main()
    except KeyboardInterrupt:
        argv = sys.argv[1:]
        options = argv[: argv.index("--")] if "--" in argv else argv
        line = json.dumps(INTERRUPTED) if "--json" in options else "limner: interrupted"
        print(line, file=sys.stderr)
        return 130
