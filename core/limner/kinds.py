"""Type tuples for ``isinstance`` on the request's path: ``isinstance(x, A | B)`` builds the
union ``A | B`` anew on every call, several times slower than a tuple made once."""

from __future__ import annotations

__all__ = ["BYTES_LIKE", "LIST_LIKE", "NUMBER", "SCALAR"]

BYTES_LIKE = (bytes, bytearray, memoryview)
"""Raw bytes, as a caller may pass an image."""

LIST_LIKE = (list, tuple)
"""A list, or a tuple standing for one."""

NUMBER = (int, float)
"""A number (``bool`` is an ``int`` too: test it apart where it matters)."""

SCALAR = (str, bool, int)
"""A value that is its own text in a message."""
