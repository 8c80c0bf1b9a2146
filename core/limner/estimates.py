"""A dry run's cost estimate, call by call: the settings priced, the price, and the price sheet
row it comes from, so that a tool can tell an estimate from a price list's exact figure."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from .call_prices import price_or_notice
from .capabilities import ImagePrice, ModelInfo, Operation
from .dryrun import Estimate
from .plugins import Registry
from .pricing import sheet_basis
from .provider import ProviderCall, Translation
from .responses import Notice

if TYPE_CHECKING:
    from .chat.contract import ChatCall

__all__ = ["estimate_calls"]


def estimate_calls(
    registry: Registry,
    model: ModelInfo,
    operation: Operation,
    calls: Sequence[tuple[ProviderCall | ChatCall, int, Translation]],
) -> tuple[list[Estimate], list[Notice]]:
    """Each call's :class:`Estimate` (``calls``: the call, the images it asks for, and its
    translation)
    and the notices of the prices that are unknown."""
    estimates: list[Estimate] = []
    notices: list[Notice] = []
    tokens = model.pricing is not None and model.pricing.bills_tokens
    hooks = registry.pricers()
    for call, images, sent in calls:
        usd, notice = price_or_notice(
            registry,
            model,
            operation,
            images,
            sent.quality,
            sent.size,
            None,
            sent.edit_mode,
            call=call,
            estimating=True,
        )
        by_sheet = sheet_basis() == "per_image"  # (else a hook priced it without the sheet)
        if notice is not None:
            notices.append(notice)
        row = _row(model, operation, sent) if by_sheet else None
        priced_by_row = usd is not None and row is not None and usd == row.usd * images
        estimates.append(
            Estimate(
                operation=operation,
                images=images,
                quality=sent.quality,
                size=sent.size,
                edit_mode=sent.edit_mode,
                usd=usd,
                basis=_basis(usd, row if priced_by_row else None, hooks),
                row=row if priced_by_row else None,
                output_only=usd is not None and tokens and by_sheet,
            )
        )
    return estimates, notices


def _basis(usd: Decimal | None, row: ImagePrice | None, hooks: list[str]) -> str | None:
    """What gives the price: the sheet's ``row`` (``None`` when the sheet did not price it),
    or else a plugin's ``price_call`` hook."""
    if usd is None:
        return None
    if row is not None:
        return _said(row)
    if hooks:
        return f"a price_call hook of {', '.join(hooks)} (not the price sheet)"
    return None


def _row(model: ModelInfo, operation: Operation, sent: Translation) -> ImagePrice | None:
    sheet = model.pricing
    if sheet is None:
        return None
    return sheet.image_row(operation, sent.quality, sent.size, sent.edit_mode)


def _said(row: ImagePrice) -> str:
    keys = ", ".join(
        f"{name}={value}"
        for name, value in (
            ("operation", row.operation),
            ("edit_mode", row.edit_mode),
            ("quality", row.quality),
            ("size", row.size),
            ("max_size", row.max_size),
        )
        if value is not None
    )
    said = f"per_image row ({keys or 'any settings'}): ${row.usd} per image"
    return f"{said}; {row.note}" if row.note else said
