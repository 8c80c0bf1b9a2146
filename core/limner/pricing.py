"""Core's default pricing: from a model's price sheet, by tokens or per image."""

from __future__ import annotations

from contextvars import ContextVar
from decimal import Decimal
from typing import Literal

from .capabilities import ModelInfo, Operation
from .errors import PluginError
from .money import to_usd
from .responses import Usage

__all__ = [
    "SheetBasis",
    "assumed_tokens",
    "hook_cost",
    "price_from_sheet",
    "sheet_basis",
    "unpriced_tokens",
]

_MAX_COST_DIGITS = 12
"""A hook's cost has at most this many digits before the point (under 10^13 USD): a larger one
is a plugin's bug, and would overflow the sums of a request's costs."""

_MILLION = Decimal(1_000_000)
_ZERO = Decimal(0)
_AMOUNT = (Decimal, int, float, str)
"""What a hook's cost may be given as (``bool`` aside): a tuple, which ``isinstance`` reads at
once, where the union ``Decimal | int | float | str`` was built again on every call."""

SheetBasis = Literal["tokens", "per_image"]
_PRICED_BY: ContextVar[SheetBasis | None] = ContextVar("limner_priced_by", default=None)
_UNPRICED: ContextVar[tuple[str, ...]] = ContextVar("limner_unpriced_tokens", default=())
_ASSUMED: ContextVar[tuple[str, ...]] = ContextVar("limner_assumed_tokens", default=())


def sheet_basis() -> SheetBasis | None:
    """How the price sheet priced the last call :meth:`~limner.plugins.Registry.price` priced
    (in this context): by the ``"tokens"`` reported, or from the ``"per_image"`` table (for a
    model billed by tokens, an estimate of the output only); ``None`` when the sheet gave no
    price, so that a plugin's ``price_call`` hook priced the call without it."""
    return _PRICED_BY.get()


def unpriced_tokens() -> tuple[str, ...]:
    """The tokens the sheet had no rate for when it priced the last call by its tokens
    (``"40 text output"``): its price covers the others only."""
    return _UNPRICED.get()


def assumed_tokens() -> tuple[str, ...]:
    """The tokens of the last call priced by its tokens that its usage's breakdown left out,
    priced as the kind a usage without a breakdown counts them (``"840 output tokens as image
    output"``)."""
    return _ASSUMED.get()


def forget_sheet_basis() -> None:
    """Before a call is priced: no price from the sheet yet."""
    _PRICED_BY.set(None)
    if _UNPRICED.get():
        _UNPRICED.set(())
    if _ASSUMED.get():
        _ASSUMED.set(())


def price_from_sheet(
    model: ModelInfo,
    operation: Operation,
    images: int,
    quality: str | None,
    size: str | None,
    usage: Usage | None,
    edit_mode: str | None = None,
) -> Decimal | None:
    """Tokens × rates when usage is known and the sheet has token prices; otherwise the per-image
    price × images; ``None`` when the sheet cannot price it."""
    sheet = model.pricing
    if sheet is None:
        return None
    rates = sheet.per_million_tokens
    if usage is not None and rates is not None:
        cost = _price_tokens(
            usage, rates.text_input, rates.image_input, rates.text_output, rates.image_output
        )
        if cost is not None:
            _PRICED_BY.set("tokens")
        return cost
    each = sheet.image_price(operation, quality, size, edit_mode)
    if each is None:
        return None
    _PRICED_BY.set("per_image")  # (a hook that scales this price is still an estimate)
    return each * images


def _price_tokens(
    usage: Usage,
    text_in: Decimal | None,
    image_in: Decimal | None,
    text_out: Decimal | None,
    image_out: Decimal | None,
) -> Decimal | None:
    details = usage.input_tokens_details
    text_input, image_input = details.text_tokens, details.image_tokens
    out = usage.output_tokens_details
    text_output, image_output = (out.text_tokens, out.image_tokens) if out else (0, 0)
    # the totals are what is billed: tokens the breakdown leaves out (none given, or one that
    # does not add up) count as text input and image output, as with no breakdown
    assumed = []
    left_in = usage.input_tokens - text_input - image_input
    if left_in > 0:
        if text_input or image_input:
            assumed.append(f"{left_in} input tokens as text input")
        text_input += left_in
    left_out = usage.output_tokens - text_output - image_output
    if left_out > 0:
        if text_output or image_output:
            assumed.append(f"{left_out} output tokens as image output")
        image_output += left_out
    if assumed or _ASSUMED.get():
        _ASSUMED.set(tuple(assumed))
    total, priced, unpriced = _ZERO, False, []
    for count, rate, kind in (
        (text_input, text_in, "text input"),
        (image_input, image_in, "image input"),
        (text_output, text_out, "text output"),
        (image_output, image_out, "image output"),
    ):
        if count:
            if rate is None:
                unpriced.append(f"{count} {kind}")
            else:
                total, priced = total + rate * count, True
    if unpriced or _UNPRICED.get():  # the rest is priced: said, not lost (price_partial)
        _UNPRICED.set(tuple(unpriced))
    if unpriced and not priced:  # no rate for any of the tokens counted (none counted: free)
        return None
    return total / _MILLION


def hook_cost(result: object, said_by: str = "price_call returned") -> Decimal:
    """A ``price_call`` hook's answer (or what ``said_by`` names) as a cost in USD; anything
    that is no amount a bill can have (negative, not a number, absurdly large) is a
    :class:`PluginError`."""
    if isinstance(result, _AMOUNT) and not isinstance(result, bool):
        try:  # (a Decimal is exact already: to_usd would copy it)
            cost = result if type(result) is Decimal else to_usd(result)
        except ArithmeticError:  # decimal.InvalidOperation: not a number
            cost = Decimal("NaN")
        if cost.is_finite() and cost >= 0 and cost.adjusted() <= _MAX_COST_DIGITS:
            return cost.copy_abs() if cost.is_zero() else cost  # -0 is 0
    raise PluginError(
        f"{said_by} {result!r}: a cost is an amount in USD, >= 0 and under "
        f"10^{_MAX_COST_DIGITS + 1}"
    )
