"""The ``limner`` command."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

__all__ = ["asks_for_json", "run"]

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
        line = json.dumps(INTERRUPTED) if asks_for_json(sys.argv[1:]) else "limner: interrupted"
        print(line, file=sys.stderr)
        return 130


def asks_for_json(argv: Sequence[str]) -> bool:
    """Whether ``--json`` is among the options: before any ``--``, after which every argument
    is a positional one. (Options are not taken abbreviated: ``--js`` is not it.)"""
    for arg in argv:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False
