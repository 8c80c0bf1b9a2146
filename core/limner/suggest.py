"""The name someone likely meant, for messages: ``; did you mean 'size'?``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(name: str, choices: Iterable[str], *, quoted: bool = True) -> str:
    """``"; did you mean 'X'?"`` for the choice closest to ``name`` (``X`` bare when not
    ``quoted``), or ``""`` when none is close."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {close[0]!r}?" if quoted else f"; did you mean {close[0]}?"
