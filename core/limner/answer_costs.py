"""What the calls that answered cost: each call's bill (the one its answer reported, else its
price from the hooks and the price sheet), their sum for a response, and the cost of answers an
error throws away (strict mode's, or a request whose calls made no image)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .call_prices import billed_or_notice, cost_said, estimated_notice, price_or_notice
from .calls import ProviderResult, Translation
from .capabilities import Operation
from .delivery import answered_shape
from .errors import LimnerError
from .plugins import Registry
from .responses import Notice, reported_usage
from .sending import Plan, unique

__all__ = ["call_cost", "price_made", "total_cost"]


def total_cost(
    registry: Registry,
    operation: Operation,
    plan: Plan[Any],
    answered: Sequence[tuple[ProviderResult, Translation]],
    shown: str | None = None,
) -> tuple[Decimal | None, list[Notice]]:
    """The calls' costs summed (``None`` when one is unknown), and the notices saying why.
    ``shown`` is the size the response shows (see :func:`~limner.delivery.answered_shape`),
    priced for a call whose translation and answer name none and whose own image cannot be
    read (a link: the response may show it downloaded)."""
    total: Decimal | None = Decimal(0)
    notices: list[Notice] = []
    for result, sent in answered:
        cost, notice = call_cost(registry, operation, plan, result, sent, shown)
        if notice is not None:
            notices.append(notice)
        total = None if cost is None or total is None else total + cost
    return total, unique(notices) if len(notices) > 1 else notices


def call_cost(
    registry: Registry,
    operation: Operation,
    plan: Plan[Any],
    result: ProviderResult,
    sent: Translation,
    shown: str | None = None,
) -> tuple[Decimal | None, Notice | None]:
    """One call's cost: the bill its answer reported, else priced (hooks, price sheet). A size
    neither sent nor answered is read from the call's first image, else is ``shown``."""
    if result.billed_usd is not None:
        step = f"{plan.provider.name}.parse_response"
        return billed_or_notice(plan.model, result.billed_usd, step)
    quality = result.quality if result.quality not in (None, "auto") else sent.quality
    # the size sent is priced (it may name a class: 2K); what came back, when unsent
    size = sent.size if sent.size not in (None, "auto") else result.size
    if size is None and result.images:  # nor said: the pixels made, as the response shows them
        size = answered_shape(result, sent, result.images, None)[0] or shown
    cost, notice = price_or_notice(
        registry,
        plan.model,
        operation,
        len(result.images),
        quality,
        size,
        result.usage,
        sent.edit_mode,
        call=plan.call_for(sent),
    )
    if notice is None and result.usage is None:  # (with a usage, none is estimated)
        notice = estimated_notice(registry, plan.model, result.usage)
    return cost, notice


def price_made(
    registry: Registry,
    operation: Operation,
    plan: Plan[Any],
    ended: Mapping[int, ProviderResult | LimnerError],
    error: LimnerError,
) -> None:
    """Into ``error``'s ``cost``: what the calls that answered cost, when ``error`` throws
    their answers away (strict mode's, or no image in any). When any reported its bill
    (``billed_usd``): those bills, the other answers priced as answers are, and for a model
    billed by tokens the usage the failed calls reported. Otherwise, for a model priced per
    image, the images made; a model billed by tokens is priced from the usage the error
    carries (:func:`~limner.failure_cost.price_failure`)."""
    answered = [
        (result, plan.translations[index])
        for index, result in sorted(ended.items())
        if isinstance(result, ProviderResult)
    ]
    billed = any(result.billed_usd is not None for result, _ in answered)
    tokens = plan.model.pricing is not None and plan.model.pricing.bills_tokens
    if error.cost is not None or (tokens and not billed):
        return
    if not billed:
        answered = [(result, sent) for result, sent in answered if result.images]
    if not answered:
        return
    cost, notices = total_cost(registry, operation, plan, answered)
    failed = reported_usage(o for o in ended.values() if isinstance(o, LimnerError))
    if billed and tokens and failed is not None and cost is not None:
        sent = plan.translations[0]
        more, notice = price_or_notice(
            registry,
            plan.model,
            operation,
            0,
            sent.quality,
            sent.size,
            failed,
            call=plan.calls[0],
        )
        cost = None if more is None else cost + more
        notices += [notice] if notice is not None else []
    error.cost = cost
    said, why = cost_said(cost, notices)
    error.add_billing_note(f"the calls that answered cost {said}" + (f" ({why})" if why else ""))
