"""Sending the request fields limner does not know (``request.forwarded``: the OpenAI SDK's
``extra_body``, or any unknown keyword) the way every plugin must: unchanged, and never in place
of a field the translation built, since the call's report of what it sent would then be wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from .errors import InvalidRequestError

__all__ = ["forward_fields"]


def forward_fields(
    built: MutableMapping[str, Any],
    forwarded: Mapping[str, Any],
    *,
    instead: str = "the request's own fields",
    encode: Callable[[Any], Any] | None = None,
) -> None:
    """Add each of ``forwarded`` to ``built`` (the body's or the form's top-level fields, as the
    translation made them): a field not built is added as given; one built with the same value
    is already sent. One that would replace a value the translation built (from the request's
    settings, or as its default) is refused with an :class:`~limner.errors.InvalidRequestError`
    naming it, which says to set it through ``instead`` (``"provider_options.acme"``).
    ``encode`` turns a value into the form ``built`` holds (a multipart form's text) before it
    is compared and added."""
    for name, value in forwarded.items():
        sent = value if encode is None else encode(value)
        if name not in built:
            built[name] = sent
        elif built[name] != sent:
            raise InvalidRequestError(
                f"the extra field {name!r} ({_short(value)}) would replace the "
                f"{_short(built[name])} limner sends as {name}; set it through {instead} instead",
                param=name,
            )


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut short (a data URL would fill the message)."""
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}..."
