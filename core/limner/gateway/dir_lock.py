"""A directory's writers one at a time, across processes too: an advisory lock (``flock``) on
its ``.lock`` file, where the platform and the file system have one."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["LOCKS", "exclusive"]

if sys.platform == "win32":
    LOCKS = False

    def _flock(handle: BinaryIO, *, locked: bool) -> None:
        raise NotImplementedError

else:
    import fcntl

    LOCKS = True
    """Whether the platform has ``flock`` (Windows has none)."""

    def _flock(handle: BinaryIO, *, locked: bool) -> None:
        fcntl.flock(handle, fcntl.LOCK_EX if locked else fcntl.LOCK_UN)


@contextlib.contextmanager
def exclusive(directory: Path) -> Iterator[bool]:
    """Hold ``directory``'s lock for the block; yields whether other processes are kept out:
    ``False`` without ``flock``, or on a file system that takes none (NFS without its lock
    manager). A directory not made yet has nothing to keep apart (``True``)."""
    if not LOCKS:
        yield False
        return
    try:
        handle = open(directory / ".lock", "ab")  # noqa: SIM115  # (closed below)
    except FileNotFoundError:
        yield True
        return
    with handle:
        try:
            _flock(handle, locked=True)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            _flock(handle, locked=False)
