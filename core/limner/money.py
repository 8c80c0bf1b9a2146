"""The money type: exact ``Decimal`` inside, a plain float in JSON."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Annotated

from pydantic import PlainSerializer

__all__ = ["MONEY", "Usd", "exact_money", "to_usd"]

Usd = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""US dollars: a ``Decimal`` in Python, a number in JSON."""


def to_usd(value: Decimal | int | str | float) -> Decimal:
    """Exact Decimal for a price; floats go through ``str`` so 0.04 stays 0.04."""
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


MONEY = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=MIN_EMIN,
    Emax=MAX_EMAX,
    capitals=1,
    clamp=0,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
"""The decimal context limner prices in: Python's default one, spelt out, since
``decimal.getcontext()`` is the caller's to set (at a precision of 3, 0.16658 would be priced
0.166, each product rounded before the sum)."""


def exact_money() -> AbstractContextManager[Context]:
    """Within it, ``Decimal`` arithmetic (core's and a plugin's pricing hook's) uses
    :data:`MONEY`, whatever context the caller set; the caller's comes back after."""
    return localcontext(MONEY)
