"""A call's price, best effort: pricing never fails a call, so an unknown price or a plugin's
pricing bug is a notice beside a ``None`` cost, saying why."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from .capabilities import ModelInfo, Operation
from .errors import PluginError
from .plugins import Registry
from .pricing import assumed_tokens, hook_cost, sheet_basis, unpriced_tokens
from .redaction import raised_at
from .responses import Notice, Usage

if TYPE_CHECKING:
    from .chat.contract import ChatCall
    from .provider import ProviderCall

__all__ = [
    "COST_ESTIMATED",
    "PRICE_PARTIAL",
    "billed_or_notice",
    "cost_said",
    "estimated_notice",
    "price_or_notice",
]

COST_ESTIMATED = "cost_estimated"
"""``Notice.code`` of a token-billed call's cost estimated without the tokens it was billed."""
PRICE_PARTIAL = "price_partial"
"""``Notice.code`` of a cost that leaves out tokens the price sheet has no rate for."""


def price_or_notice(
    registry: Registry,
    model: ModelInfo,
    operation: Operation,
    images: int,
    quality: str | None,
    size: str | None,
    usage: Usage | None,
    edit_mode: str | None = None,
    *,
    call: ProviderCall | ChatCall | None = None,
    estimating: bool = False,
) -> tuple[Decimal | None, Notice | None]:
    """Best effort: pricing never fails a call. An unknown price or a plugin's pricing bug is a
    notice and a ``None`` cost (``call``: the call priced; ``estimating``: a dry run's, before
    any answer)."""
    try:
        cost = registry.price(model, operation, images, quality, size, usage, edit_mode, call=call)
    except Exception as exc:  # a plugin's pricing bug must not lose the user's images
        # a plugin's exception by where it was raised, not its words: a hook sees no settings
        # to scrub them of, and may quote a key (``rate service refused key sk-...``) that the
        # response would carry. Core's own (a price no bill can have) is said in full.
        said = f": {exc}" if type(exc) is PluginError else raised_at(exc, None)
        return None, Notice(
            code="price_failed",
            message=f"pricing {model.id} failed in a plugin ({type(exc).__name__}{said}); "
            "the cost is unknown",
        )
    if cost is None:
        unrated = unpriced_tokens()  # (the tokens counted, none of which the sheet has a rate for)
        return None, Notice(
            code="price_unknown",
            message=_no_rate(model, unrated, "or")
            if unrated
            else _unpriced(model, operation, quality, size, usage, estimating),
        )
    by_tokens = sheet_basis() == "tokens"
    unpriced = unpriced_tokens() if by_tokens else ()
    assumed = assumed_tokens() if by_tokens else ()
    guessed = (
        f"the usage's breakdown leaves out tokens its totals count: priced {' and '.join(assumed)}"
        if assumed
        else ""
    )
    if unpriced:
        said = _no_rate(model, unpriced, "and")
        return cost, Notice(
            code=PRICE_PARTIAL,
            message=f"{said}: the cost covers the other tokens only"
            + (f"; {guessed}" if guessed else ""),
        )
    if guessed:
        return cost, Notice(code=COST_ESTIMATED, message=f"{model.id}: {guessed}")
    return cost, None


def _no_rate(model: ModelInfo, tokens: Sequence[str], joined: str) -> str:
    return f"{model.id}'s price sheet has no rate for {f' {joined} '.join(tokens)} tokens"


def cost_said(cost: Decimal | None, notices: Sequence[Notice]) -> tuple[str, str | None]:
    """A cost for a billing note, and the notice's words to say beside it: why it is unknown,
    or what a partial one leaves out (``None`` when there is nothing to say)."""
    if cost is None:
        return "an unknown amount", notices[0].message if notices else None
    partial = next((n.message for n in notices if n.code == PRICE_PARTIAL), None)
    return f"${cost.normalize():f}", partial


def billed_or_notice(
    model: ModelInfo, billed: object, step: str
) -> tuple[Decimal | None, Notice | None]:
    """The bill a provider's answer reported (``ProviderResult.billed_usd``, read by ``step``)
    as the call's cost; one that is no amount a bill can have is a notice and a ``None``
    cost."""
    try:
        return hook_cost(billed, f"{step} reported a bill of"), None
    except PluginError as exc:
        return None, Notice(
            code="price_failed",
            message=f"pricing {model.id} failed in a plugin ({exc.message}); the cost is unknown",
        )


def _unpriced(
    model: ModelInfo,
    operation: Operation,
    quality: str | None,
    size: str | None,
    usage: Usage | None,
    estimating: bool,
) -> str:
    """Why a call has no price: a model billed by tokens without them to go by (and no
    per-image estimate), or no row of its sheet for these settings."""
    if usage is None and model.pricing is not None and model.pricing.bills_tokens:
        said = "each answer reports" if estimating else "its answer reports, and it reported none"
        # a sheet with estimate rows for other settings (sizes beyond those measured) names these
        which = f" for quality={quality}, size={size}" if model.pricing.per_image else ""
        when = ": the cost is known after the call, not before" if estimating else ""
        return (
            f"{model.id} is priced by the tokens {said}, and its sheet has no per-image "
            f"estimate{which}{when}"
        )
    return f"no price for {model.id} {operation} (quality={quality}, size={size})"


def estimated_notice(registry: Registry, model: ModelInfo, usage: Usage | None) -> Notice | None:
    """Right after a call was priced: the ``cost_estimated`` notice when the model is billed by
    tokens but the answer reported none, so that the sheet's per-image estimate (output only)
    priced it, or a plugin's ``price_call`` hook that scaled it; ``None`` otherwise (a hook's
    own price is the price)."""
    sheet = model.pricing
    if usage is not None or sheet is None or not sheet.bills_tokens:
        return None
    if sheet_basis() != "per_image":
        return None
    hooks = registry.pricers()
    how = "the per-image estimate" + (
        f" (or a price_call hook of {', '.join(hooks)})" if hooks else ""
    )
    return Notice(
        code=COST_ESTIMATED,
        message=f"{model.id} is billed by tokens but its answer reported no usage limner can "
        f"price (none, or counts without its image tokens): the cost comes from {how} (output "
        "only), not from the tokens billed",
    )
