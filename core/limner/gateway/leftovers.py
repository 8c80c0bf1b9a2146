"""What a crash leaves in the file store's directory: a ``.part`` a write had not renamed yet, or
a file's content whose metadata was never written. Neither is listed, counted or served, so
nothing but a sweep ever removes them. Only names the store makes are looked at: the directory
may hold other files."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .files import FILE_ID, FILE_ID_PATTERN

__all__ = ["LEFT_AFTER", "remove_leftovers"]

_PART = re.compile(rf"^\.{FILE_ID_PATTERN}\.(?:bin|json)\..+\.part$")
"""A temporary file of the store's atomic writes (``.file-<id>.bin.<random>.part``); the
directory may hold files of its owner's, which are never touched."""

LEFT_AFTER = 3600.0
"""Seconds after which a ``.part`` or a content file without metadata is taken for a crash's:
a write in progress (this instance's or another's sharing the directory) takes far less."""


def remove_leftovers(directory: Path, now: float) -> int:
    """Remove the leftovers in ``directory`` last modified more than :data:`LEFT_AFTER` seconds
    before ``now``; how many went (one removed meanwhile by another instance is not counted)."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return 0
    names = {entry.name for entry in entries}
    removed = 0
    for entry in entries:
        name = entry.name
        part = _PART.match(name) is not None
        orphan = name.endswith(".bin") and FILE_ID.match(name[:-4]) is not None
        if not (part or (orphan and f"{name[:-4]}.json" not in names)):
            continue
        try:
            if now - entry.stat().st_mtime > LEFT_AFTER:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:  # written or removed meanwhile
            continue
    return removed
