"""The money type: exact ``Decimal`` inside, a plain float in JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

__all__ = ["Usd", "to_usd"]

Usd = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""US dollars: a ``Decimal`` in Python, a number in JSON."""


def to_usd(value: Decimal | int | str | float) -> Decimal:
    """Exact Decimal for a price; floats go through ``str`` so 0.04 stays 0.04."""
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)
