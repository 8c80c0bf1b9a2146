"""Per-image prices by size band: a Nova price row's ``size`` is the band's ceiling ("up to
1024x1024", "up to 2048x2048"), not an exact size [nova-canvas.md §5]. Core's own sheet pricing
matches sizes exactly (``ImagePrice.size``), so the bands are priced here, through the
``price_call`` hook; every other key (operation, edit mode, quality) matches as core matches it.
"""

from __future__ import annotations

from decimal import Decimal

from limner import ImagePrice, ModelInfo, PriceSheet
from limner.requests import parse_size

from .models import DEFAULT_SIZE, PROVIDER

__all__ = ["band_price", "price_images"]


def _keys_match(
    row: ImagePrice, operation: str, quality: str | None, edit_mode: str | None
) -> bool:
    """Core's matching (``None`` in a row matches anything) for every key but the size."""
    return (
        row.operation in (None, operation)
        and row.edit_mode in (None, edit_mode)
        and row.quality in (None, quality or "standard")
    )


def band_price(
    sheet: PriceSheet,
    operation: str,
    quality: str | None,
    size: str | None,
    edit_mode: str | None = None,
) -> Decimal | None:
    """The price of one image: of the rows matching ``operation``, ``edit_mode`` and
    ``quality`` whose band holds ``size`` (a row without a size holds any), the most specific:
    a row naming the edit mode, then one naming the operation, then the smallest band; rows
    without a size come after every band."""
    wanted = parse_size(size or DEFAULT_SIZE) or parse_size(DEFAULT_SIZE)
    assert wanted is not None
    pixels = wanted[0] * wanted[1]
    best: tuple[tuple[bool, bool, int], Decimal] | None = None
    for row in sheet.per_image:
        if not _keys_match(row, operation, quality, edit_mode):
            continue
        ceiling = parse_size(row.size) if row.size is not None else None
        band = ceiling[0] * ceiling[1] if ceiling is not None else 2**62
        if band < pixels:
            continue
        rank = (row.edit_mode is None, row.operation is None, band)
        if best is None or rank < best[0]:
            best = (rank, row.usd)
    return None if best is None else best[1]


def price_images(
    model: ModelInfo,
    operation: str,
    images: int,
    quality: str | None,
    size: str | None,
    edit_mode: str | None = None,
) -> Decimal | None:
    """Cost of ``images`` returned images, or ``None`` for another provider's model."""
    if model.provider != PROVIDER or model.pricing is None:
        return None
    each = band_price(model.pricing, operation, quality, size, edit_mode)
    return None if each is None else each * images
