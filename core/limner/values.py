"""The value types request fields share, beyond pydantic's own: what each takes and refuses.

- :data:`Integer` and :data:`Number`: optional numbers that refuse ``true``/``false`` (pydantic
  reads them as 1 and 0), and, for :data:`Number`, NaN and infinity (JSON has no spelling for
  them). Plugins use them for numeric options too.
- :data:`Count`: OpenAI's ``n``, where ``null`` means 1.
- :data:`ProviderOptions`: settings by provider name, a provider's entry set to ``null`` unset.
- :func:`read_flag`: a boolean a request carries outside a typed field (``stream`` on images).
- :func:`not_json`: where a forwarded value holds something JSON cannot carry.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, TypeAdapter, ValidationError

from .input_errors import invalid_input, shown_value
from .kinds import LIST_LIKE, SCALAR

__all__ = ["Count", "Integer", "Number", "ProviderOptions", "not_json", "read_flag"]


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):  # pydantic reads true as 1: most likely a slip
        raise ValueError(f"should be a number, not {str(value).lower()}")
    return value


def _a_finite_number(value: Any) -> Any:
    """``value``, unless it is a boolean or would read as NaN or infinity (which JSON cannot
    spell, so no provider could be sent them): a float, text ("nan", "1e400"), a Decimal or
    anything else with a ``__float__``. Checked before pydantic's bounds, whose message would
    say a NaN is too large."""
    _not_a_boolean(value)
    if isinstance(value, int) or not (isinstance(value, str) or hasattr(value, "__float__")):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return value  # pydantic words it
    if not math.isfinite(number):
        raise ValueError(f"should be a finite number, not {shown_value(value)}")
    return value


# The validator wraps the whole optional type: inside a union, pydantic's JSON Schema would
# spell a Field's bounds "ge"/"le" instead of "minimum"/"maximum".
Integer = Annotated[int | None, BeforeValidator(_not_a_boolean)]
"""An optional integer field: ``true`` and ``false`` are refused, not read as 1 and 0."""
Number = Annotated[float | None, BeforeValidator(_a_finite_number)]
"""An optional number field: ``true`` and ``false`` are refused, not read as 1.0 and 0.0, and
so are NaN and infinity in any spelling."""


MAX_DEPTH = 100
"""How deep a value sent as JSON may nest: no provider's request goes near it, and a deeper one
would exhaust Python's recursion limit on the way."""


def not_json(value: Any, path: str, depth: int = 0, top: str = "") -> tuple[str, str] | None:
    """The first place in ``value`` that JSON cannot carry, as ``(parameter under path, what is
    wrong)``: a NaN or infinite float, a value of a type JSON has no spelling for (a Decimal,
    bytes, an object), or nesting past :data:`MAX_DEPTH`. ``None`` when the whole of it can be
    sent."""
    if value is None or isinstance(value, SCALAR):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, "NaN and infinity cannot be sent as JSON")
    if depth >= MAX_DEPTH:  # named by the field given, not a hundred indexes into it
        return top or path, f"nests deeper than {MAX_DEPTH} levels, which no provider takes"
    if isinstance(value, Mapping):
        items: Any = ((f".{key}", item) for key, item in value.items())
    elif isinstance(value, LIST_LIKE):
        items = ((f"[{index}]", item) for index, item in enumerate(value))
    else:
        return path, f"a {type(value).__name__} cannot be sent as JSON"
    for where, item in items:
        found = not_json(item, path + where, depth + 1, top or path)
        if found is not None:
            return found
    return None


def _without_nulls(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: item for key, item in value.items() if item is not None}
    return value


ProviderOptions = Annotated[dict[str, dict[str, Any]] | None, BeforeValidator(_without_nulls)]
"""``provider_options``: settings by provider name; a provider's entry set to ``null`` is unset."""


def _null_is_one(value: Any) -> Any:
    return 1 if value is None else _not_a_boolean(value)


Count = Annotated[int, BeforeValidator(_null_is_one)]
"""OpenAI's ``n``: nullable, and ``null`` means the default, 1 (the SDKs send it when told
``n=None``); ``true`` is refused."""


_FLAG = TypeAdapter(bool)


def read_flag(value: Any, param: str) -> bool:
    """``value`` read as a boolean field of a request reads it (``ChatRequest.stream``, say):
    ``true``/``false``, ``"yes"``/``"no"``, ``"on"``/``"off"``, ``1``/``0`` and their text, in
    any case. Anything else is an error naming ``param``, worded as that field's would be."""
    try:
        return _FLAG.validate_python(value)
    except ValidationError as exc:
        raise invalid_input(exc, prefix=param) from None
