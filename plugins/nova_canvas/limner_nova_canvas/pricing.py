"""Per-image prices by size band: a Nova price row's ``size`` is the band's ceiling ("up to
1024x1024", "up to 2048x2048"), not an exact size [nova-canvas.md §5]."""

from __future__ import annotations

from decimal import Decimal

from limner import ModelInfo, PriceSheet
from limner.requests import parse_size

from .models import DEFAULT_SIZE, PROVIDER

__all__ = ["band_price", "price_images"]


def band_price(
    sheet: PriceSheet, operation: str, quality: str | None, size: str | None
) -> Decimal | None:
    """The price of one image: the cheapest row for ``quality`` whose band holds ``size``."""
    wanted = parse_size(size or DEFAULT_SIZE) or parse_size(DEFAULT_SIZE)
    assert wanted is not None
    pixels = wanted[0] * wanted[1]
    best: tuple[int, Decimal] | None = None
    for row in sheet.per_image:
        if row.operation not in (None, operation) or row.quality not in (
            None,
            quality or "standard",
        ):
            continue
        ceiling = parse_size(row.size) if row.size is not None else None
        band = ceiling[0] * ceiling[1] if ceiling is not None else 0
        if ceiling is not None and band < pixels:
            continue
        if best is None or (band or 2**62) < (best[0] or 2**62):
            best = (band, row.usd)
    return None if best is None else best[1]


def price_images(
    model: ModelInfo, operation: str, images: int, quality: str | None, size: str | None
) -> Decimal | None:
    """Cost of ``images`` returned images, or ``None`` for another provider's model."""
    if model.provider != PROVIDER or model.pricing is None:
        return None
    each = band_price(model.pricing, operation, quality, size)
    return None if each is None else each * images
