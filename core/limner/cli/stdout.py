"""The command's standard output: what it prints there is flushed at once, so that a failure to
write it (a full disk, a closed terminal) is said as that, not taken for bad input."""

from __future__ import annotations

import errno
import os
import sys

__all__ = ["StdoutError", "drop_unwritten", "emit"]


class StdoutError(Exception):
    """Standard output could not be written (a reader that left is a ``BrokenPipeError``)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.reason = error.strerror or type(error).__name__
        self.made = ""
        """Where the images a command made are (files, links), for the error to say."""


def emit(text: str) -> None:
    """Print ``text`` on standard output, flushed now."""
    if sys.stdout is None:  # started with it closed (>&-): print would say nothing
        raise StdoutError(OSError(errno.EBADF, "standard output is closed"))
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise StdoutError(exc) from None


def drop_unwritten() -> None:
    """Point standard output at the null device, once writing it failed (a reader that left, a
    full disk): what is still in its buffer goes nowhere at exit, where flushing it again would
    fail again, said in Python's words and with exit status 120."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # closed, or none at all
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
