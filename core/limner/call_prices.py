"""A call's price, best effort: pricing never fails a call, so an unknown price or a plugin's
pricing bug is a notice beside a ``None`` cost, saying why."""

from __future__ import annotations

from decimal import Decimal

from .capabilities import ModelInfo, Operation
from .plugins import Registry
from .responses import Notice, Usage

__all__ = ["price_or_notice"]


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
    estimating: bool = False,
) -> tuple[Decimal | None, Notice | None]:
    """Best effort: pricing never fails a call. An unknown price or a plugin's pricing bug is a
    notice and a ``None`` cost (``estimating``: a dry run's, before any answer)."""
    try:
        cost = registry.price(model, operation, images, quality, size, usage, edit_mode)
    except Exception as exc:  # a plugin's pricing bug must not lose the user's images
        return None, Notice(
            code="price_failed",
            message=f"pricing {model.id} failed in a plugin ({type(exc).__name__}: {exc}); "
            "the cost is unknown",
        )
    if cost is None:
        return None, Notice(
            code="price_unknown",
            message=_unpriced(model, operation, quality, size, usage, estimating),
        )
    return cost, None


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
