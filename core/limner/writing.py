"""Writing a response's files all or nothing, for :meth:`ImagesResponse.save`: every file is
written and flushed to disk under a temporary name beside its own before any is put in place,
so a failure while writing (a full disk) leaves each existing file as it was."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path

__all__ = ["write_all"]


def write_all(paths: Sequence[Path], payloads: Sequence[bytes], *, overwrite: bool) -> None:
    """Write each payload to its path. Every one goes to a temporary file, flushed to disk
    (a crash then leaves no empty file under its name), and only then are they put in place;
    when writing any fails the temporary files are removed and no path is touched. Without
    ``overwrite`` each is linked in place, which fails if its path exists by then (another
    writer got there between the check and the write): the files this call placed are then
    removed. With ``overwrite`` each replaces its path, one after the other."""
    staged: list[str] = []
    try:
        for path, payload in zip(paths, payloads, strict=True):
            staged.append(_staged(path, payload))
        _place_all(staged, paths, overwrite=overwrite)
    finally:
        for tmp in staged:  # (once linked or moved in place, nothing is left to remove)
            Path(tmp).unlink(missing_ok=True)


def _staged(path: Path, payload: bytes) -> str:
    """``payload`` in a new temporary file beside ``path``, flushed to disk; its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # open(..., "xb"), not mkstemp: the file gets the user's usual permissions (umask), not 0600
    tmp = str(path.parent / f".limner-{secrets.token_hex(6)}.part")  # short: any name fits
    try:
        with open(tmp, "xb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _place_all(staged: Sequence[str], paths: Sequence[Path], *, overwrite: bool) -> None:
    placed: list[Path] = []
    try:
        for tmp, path in zip(staged, paths, strict=True):
            if overwrite:
                os.replace(tmp, path)
            else:
                _place_new(tmp, path)
            placed.append(path)
    except BaseException:
        if not overwrite:  # a file that appeared meanwhile: take back this call's others
            for path in placed:
                path.unlink(missing_ok=True)
        raise


def _place_new(tmp: str, path: Path) -> None:
    try:
        os.link(tmp, path)  # atomic, and refuses an existing path
    except FileExistsError:
        raise FileExistsError(f"refusing to overwrite {path}") from None
    except OSError:  # a file system without hard links: check, then move
        if os.path.lexists(path):
            raise FileExistsError(f"refusing to overwrite {path}") from None
        os.replace(tmp, path)
