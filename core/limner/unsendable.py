"""Text no request can carry: a lone surrogate (``"\\ud800"``), which Python strings may hold
(a file name's undecodable bytes, a half of an emoji cut in two) but UTF-8 cannot encode; and a
field name with a control character, which no multipart header can carry. Looked for only when
a translation's body failed to encode, so the caller's field is named instead of the plugin
being blamed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .errors import InvalidRequestError
from .kinds import LIST_LIKE
from .safe_text import is_lone_surrogate

__all__ = ["HEADER_CONTROLS", "refuse_unsendable"]

HEADER_CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
"""The control characters no HTTP header may hold (RFC 9110 5.5), a multipart part's name
included (tab is allowed)."""


def refuse_unsendable(request: BaseModel | Mapping[str, Any]) -> None:
    """Raise :class:`InvalidRequestError` naming the field of ``request`` whose text cannot be
    sent, if one has such text."""
    found = _unsendable(request, "")
    if found is None:
        return
    param, name = found
    if name:
        said = (
            "is a field name with a control character: no provider has such a field, and no "
            "multipart body can carry it; leave it out, or name the field without it"
        )
    else:
        said = (
            "holds a lone surrogate (a character cut in half, or a file name's undecodable "
            "bytes), which no request can carry: give it as valid Unicode text"
        )
    raise InvalidRequestError(f"{param!r} {said}", param=param, code="invalid_text")


def _unsendable(value: Any, path: str) -> tuple[str, bool] | None:
    """The parameter under ``path`` (``user``, ``messages[0].content``) of the first text in
    ``value`` that no request can carry, and whether it is a field's name; ``None`` if none."""
    if isinstance(value, str):
        return (path, False) if _has_surrogate(value) else None
    if isinstance(value, BaseModel):
        fields = {**{name: getattr(value, name) for name in type(value).model_fields}}
        fields.update(value.model_extra or {})
        value = fields
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _has_surrogate(key):
                return where, False
            if isinstance(key, str) and HEADER_CONTROLS.search(key):
                return where, True
            found = _unsendable(item, where)
            if found is not None:
                return found
    elif isinstance(value, LIST_LIKE):
        for index, item in enumerate(value):
            found = _unsendable(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and any(map(is_lone_surrogate, text))
