"""The command's standard output: what it prints there is flushed at once, so that a failure to
write it (a full disk, a closed terminal) is said as that, not taken for bad input."""

from __future__ import annotations

import errno
import sys

__all__ = ["StdoutError", "emit"]


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
