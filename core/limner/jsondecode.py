"""Reading providers' JSON answers, which are mostly base64 image text.

The standard library's decoder reads a string one character at a time and needs the body as
text first; orjson reads the UTF-8 bytes themselves, several times faster (16 KB of base64:
about 3x; 22 MB: about 2x). limner-core depends on orjson on CPython, where wheels exist; without
it, :func:`loads` is :func:`json.loads`.

Bodies orjson refuses (``NaN``, ``Infinity``, a byte order mark, a lone surrogate escape, text
that is not JSON) are read again by :func:`json.loads`, so they parse, or fail, as the standard
library reads them. One difference is left: orjson reads an integer beyond 64 bits as a float.
No image provider sends one, and a request body from a client is read by :func:`json.loads`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["loads"]


def _fast_decoder() -> Callable[[bytes | bytearray], Any] | None:
    try:
        import orjson
    except ImportError:  # not installed (no wheel for this interpreter): the standard library
        return None
    return orjson.loads


_fast_loads = _fast_decoder()


def loads(data: bytes | bytearray) -> Any:
    """The JSON value in the UTF-8 ``data``; raises ``ValueError`` (``JSONDecodeError`` or
    ``UnicodeDecodeError``) when it is not JSON."""
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except ValueError:  # read again by the reference decoder, which may still accept it
            pass
    return json.loads(data)
