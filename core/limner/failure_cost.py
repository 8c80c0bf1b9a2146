"""The cost of a failure: an error whose calls answered without an image (a refusal, a text-only
answer) carries the ``usage`` the provider reported for them, which the provider may bill."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .call_prices import billed_or_notice, cost_said, price_or_notice
from .capabilities import Operation
from .errors import LimnerError
from .plugins import Registry
from .responses import Usage
from .sending import Plan

__all__ = ["price_bills", "price_failure"]


def price_failure(
    registry: Registry, plan: Plan[Any], operation: Operation, error: LimnerError
) -> None:
    """Price the ``usage`` ``error`` carries into its ``cost`` (unless it has one), and say in
    its message and ``billing_note`` that it may be billed; a usage without a price is said too.
    Only for a model billed by tokens: a model priced per image bills the images made."""
    sheet = plan.model.pricing
    if error.usage is None or error.cost is not None or sheet is None or not sheet.bills_tokens:
        return  # (a model priced per image bills the images made, which usage does not tell)
    sent = plan.translations[0]  # (every call of a request is sent at one size and quality)
    error.cost, notice = price_or_notice(
        registry,
        plan.model,
        operation,
        0,
        sent.quality,
        sent.size,
        error.usage,
        sent.edit_mode,
        call=plan.calls[0],
    )
    said, why = cost_said(error.cost, [notice] if notice is not None else [])
    said += f"; {why}" if why else ""
    note = f"the usage {plan.provider.name} reported for its calls may be billed ({said})"
    error.add_billing_note(note)


def price_bills(
    registry: Registry,
    plan: Plan[Any],
    answers: Sequence[tuple[Decimal | None, Usage | None]],
    failed: Usage | None,
    step: str,
    error: LimnerError,
) -> None:
    """Into ``error``'s ``cost`` (unless it has one), when any of the ``answers`` it throws
    away reported its bill (``billed_usd``, read by ``step``): those bills, the other answers'
    usage and the usage the ``failed`` calls reported, priced. Without a bill, the usage is
    priced as :func:`price_failure` does."""
    if error.cost is not None or all(bill is None for bill, _ in answers):
        return
    sent = plan.translations[0]
    usages = [usage for bill, usage in answers if bill is None and usage is not None]
    usages += [failed] if failed is not None else []
    prices = [billed_or_notice(plan.model, bill, step) for bill, _ in answers if bill is not None]
    prices += [
        price_or_notice(
            registry, plan.model, "chat", 0, sent.quality, sent.size, usage, call=plan.calls[0]
        )
        for usage in usages
    ]
    costs = [cost for cost, _ in prices]
    error.cost = None if None in costs else sum((c for c in costs if c is not None), Decimal(0))
    said, why = cost_said(error.cost, [notice for _, notice in prices if notice is not None])
    error.add_billing_note(f"the answers cost {said}" + (f" ({why})" if why else ""))
