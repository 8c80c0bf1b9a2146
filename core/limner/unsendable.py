"""Text no request can carry: a lone surrogate (``"\\ud800"``), which Python strings may hold
(a file name's undecodable bytes, a half of an emoji cut in two) but UTF-8 cannot encode. Looked
for only when a translation's body failed to encode, so the caller's field is named instead of
the plugin being blamed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .errors import InvalidRequestError
from .safe_text import is_lone_surrogate

__all__ = ["refuse_unsendable", "unsendable_text"]


def unsendable_text(value: Any, path: str) -> str | None:
    """The parameter under ``path`` (``user``, ``messages[0].content``) of the first text in
    ``value`` that holds a lone surrogate, or ``None``."""
    if isinstance(value, str):
        return path if _has_surrogate(value) else None
    if isinstance(value, BaseModel):
        fields = {**{name: getattr(value, name) for name in type(value).model_fields}}
        fields.update(value.model_extra or {})
        value = fields
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _has_surrogate(key):
                return where
            found = unsendable_text(item, where)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unsendable_text(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def refuse_unsendable(request: BaseModel | Mapping[str, Any]) -> None:
    """Raise :class:`InvalidRequestError` naming the field of ``request`` whose text cannot be
    sent, if one has such text."""
    param = unsendable_text(request, "")
    if param is not None:
        raise InvalidRequestError(
            f"{param} holds a lone surrogate (a character cut in half, or a file name's "
            "undecodable bytes), which no request can carry: give it as valid Unicode text",
            param=param,
            code="invalid_text",
        )


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and any(map(is_lone_surrogate, text))
