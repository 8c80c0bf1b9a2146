"""Pydantic's complaints about user input, as an :class:`InvalidRequestError` naming the
parameter (``images[0]``, ``provider_options.openai.quality``, ``messages[0].content[1].text``).

Parameters are spelled one way across limner: fields joined by dots, list positions in brackets
(:func:`param_path`), as the checks that load images and messages spell them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .errors import InvalidRequestError

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

__all__ = ["SCHEMA_BOUNDS", "invalid_input", "out_of_range", "param_path", "shown_value"]


class _Index(str):
    """A list position in a location (pydantic gives it as an ``int``; a dict key is a ``str``
    even when it is made of digits)."""

    __slots__ = ()


def param_path(parts: Iterable[str | int]) -> str:
    """A location as a parameter name: ``("messages", 0, "content")`` → ``messages[0].content``.
    Positions (``int``) go in brackets; every other part joins with a dot."""
    text = ""
    for part in parts:
        if isinstance(part, int | _Index):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def invalid_input(
    exc: ValidationError,
    *,
    prefix: str = "",
    locate: Callable[[list[str]], list[str]] | None = None,
    fields: Iterable[str] = (),
) -> InvalidRequestError:
    """The first problem pydantic found in user input, naming the parameter: ``prefix`` plus its
    location (``locate`` may reshape the location first). For a field that takes one of several
    types, pydantic reports each type's complaint, under the type's name; those names are no
    parameter and are left out, and a complaint from inside the value (a bad part of a list)
    wins over one about the whole ("should be a valid string"). ``fields`` are the names the
    top level takes, listed when an unknown one is given."""
    errors = exc.errors()
    locs = [
        tuple(_Index(part) if isinstance(part, int) else str(part) for part in error["loc"])
        for error in errors
    ]
    paths = [_field_path(loc, locs) for loc in locs]
    base = paths[0]
    inside = [
        i for i, path in enumerate(paths) if len(path) > len(base) and path[: len(base)] == base
    ]
    chosen = inside[0] if inside else 0
    loc = paths[chosen]
    if locate is not None:
        loc = locate(loc)
    param = prefix + param_path(loc) if loc else prefix.rstrip(".") or "request"
    message = _wording(errors[chosen], loc, tuple(fields))
    return InvalidRequestError(f"{param}: {message}", param=param, code="invalid_value")


_FORMS = {
    "size": "WIDTHxHEIGHT in pixels, such as 1024x1024, or auto",
    "aspect_ratio": "WIDTH:HEIGHT, such as 16:9",
}
"""The form a pattern-checked field of core's requests takes, in words."""


_RATIO_LIKE = re.compile(r"\s*\d+(\.\d+)?\s*:\s*\d+(\.\d+)?\s*")

_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "less_than_equal": ("at most", "le"),
    "greater_than": ("more than", "gt"),
    "less_than": ("less than", "lt"),
}
"""pydantic's range errors: the words for each, and the key of its limit in the error's ``ctx``."""

SCHEMA_BOUNDS = {
    "minimum": "greater_than_equal",
    "maximum": "less_than_equal",
    "exclusiveMinimum": "greater_than",
    "exclusiveMaximum": "less_than",
}
"""JSON Schema's range keywords, as the pydantic error each stands for."""


def out_of_range(kind: str, limit: object, given: object) -> str:
    """A range error (``kind``: pydantic's error type) in words: ``must be at most 10 (got
    11)``."""
    return f"must be {_BOUNDS[kind][0]} {limit} (got {shown_value(given)})"


def _wording(error: ErrorDetails, loc: list[str], fields: tuple[str, ...]) -> str:
    """Pydantic's message, in the words of the JSON a request is written in, saying what to send
    where pydantic names a regular expression or a Python type."""
    kind = error["type"]
    name = loc[-1] if loc else ""
    if kind == "string_pattern_mismatch" and name in _FORMS:
        said = f"{shown_value(error['input'])} is not {_FORMS[name]}"
        if name == "size" and _RATIO_LIKE.fullmatch(str(error["input"])):
            said += "; an aspect ratio goes in image_config.aspect_ratio"
        return said
    if kind == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        return "must not be empty"
    if kind == "extra_forbidden" and len(loc) == 1 and fields:
        return f"not a setting here; the settings are {', '.join(sorted(fields))}"
    if kind == "union_tag_invalid":  # a discriminated union: {"role": "tool"}
        ctx = error.get("ctx", {})
        field = str(ctx.get("discriminator", "the tag")).strip("'")
        return f"{field} {ctx.get('tag')!r} is not one limner takes: {ctx.get('expected_tags')}"
    if kind in _BOUNDS:  # "n: must be at most 10 (got 11)", not pydantic's "Input should be..."
        return out_of_range(kind, error.get("ctx", {}).get(_BOUNDS[kind][1]), error["input"])
    if kind in ("tuple_type", "list_type", "set_type"):
        return "should be a list (a JSON array)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "should be an object (a JSON object)"
    return error["msg"].removeprefix("Value error, ")


def shown_value(value: object) -> str:
    """``value`` as a message quotes it: its repr, cut to 40 characters (a long prompt, a data
    URL are not quoted back whole)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field_path(loc: tuple[str, ...], every: list[tuple[str, ...]]) -> list[str]:
    """``loc`` without the names pydantic gives a union's members (``str``, ``list[TextPart]``,
    ``function-after[...]``): a part is one when another error, at the same place, names a
    different member (a dict key that looks like a type name is kept)."""
    return [
        part
        for index, part in enumerate(loc)
        if not (
            _UNION_MEMBER.fullmatch(part)
            and any(
                len(other) > index
                and other[:index] == loc[:index]
                and other[index] != part
                and _UNION_MEMBER.fullmatch(other[index])
                for other in every
            )
        )
    ]


_UNION_MEMBER = re.compile(r"str|int|float|bool|bytes|none|[\w-]+\[.*\]")
