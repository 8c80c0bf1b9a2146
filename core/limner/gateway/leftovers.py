"""What a crash leaves in the file store's directory: a ``.part`` a write had not renamed yet, or
a file's content whose metadata was never written. Neither is listed, counted or served, so
nothing but a sweep ever removes them."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LEFT_AFTER", "remove_leftovers"]

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
        part = name.startswith(".") and name.endswith(".part")
        orphan = name.startswith("file-") and name.endswith(".bin")
        if not (part or (orphan and f"{name[:-4]}.json" not in names)):
            continue
        try:
            if now - entry.stat().st_mtime > LEFT_AFTER:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:  # written or removed meanwhile
            continue
    return removed
