"""Per-image price rows as data: exact sizes, size bands, and the first matching row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pydantic
import pytest

from limner import ImagePrice, PriceSheet
from limner.plugins import Registry
from limner.pricing import sheet_basis

BANDS = PriceSheet(
    source="test",
    as_of=dt.date(2026, 1, 1),
    per_image=(
        ImagePrice(usd=Decimal("0.01"), edit_mode="erase"),
        ImagePrice(usd=Decimal("0.04"), quality="standard", max_size="1024x1024"),
        ImagePrice(usd=Decimal("0.06"), quality="standard", max_size="2048x2048"),
        ImagePrice(usd=Decimal("0.09"), quality="standard", size="4096x4096"),
    ),
)


@pytest.mark.parametrize(
    ("size", "edit_mode", "usd"),
    [
        ("1024x1024", None, "0.04"),  # the band's own size is inside it
        ("512x2048", None, "0.04"),  # 1,048,576 pixels: the same count, another shape
        ("1024x1040", None, "0.06"),  # one row of pixels over the first band
        ("2048x2048", None, "0.06"),
        ("4096x4096", None, "0.09"),  # past every band: only the exact row
        ("4000x4000", None, None),  # past every band and no exact row
        ("auto", None, None),  # no pixel count: bands cannot hold it
        (None, None, None),
        ("4000x4000", "erase", "0.01"),  # an earlier row wins
    ],
)
def test_first_matching_row(size: str | None, edit_mode: str | None, usd: str | None) -> None:
    price = BANDS.image_price("edit", "standard", size, edit_mode)
    assert price == (None if usd is None else Decimal(usd))


def test_band_rows_still_match_the_other_keys() -> None:
    assert BANDS.image_price("generate", "premium", "512x512") is None


def test_a_row_is_exact_or_a_band_not_both() -> None:
    with pytest.raises(pydantic.ValidationError, match="not both"):
        ImagePrice(usd=Decimal(1), size="1024x1024", max_size="2048x2048")


def test_a_band_is_a_size() -> None:
    with pytest.raises(pydantic.ValidationError, match="max_size"):
        ImagePrice(usd=Decimal(1), max_size="big")


def test_bands_must_be_listed_smallest_first() -> None:
    with pytest.raises(pydantic.ValidationError, match="list bands smallest first"):
        PriceSheet(
            source="test",
            as_of=dt.date(2026, 1, 1),
            per_image=(
                ImagePrice(usd=Decimal("0.06"), quality="standard", max_size="2048x2048"),
                ImagePrice(usd=Decimal("0.04"), quality="standard", max_size="1024x1024"),
            ),
        )


def test_bands_with_other_keys_are_independent() -> None:
    sheet = PriceSheet(
        source="test",
        as_of=dt.date(2026, 1, 1),
        per_image=(
            ImagePrice(usd=Decimal("0.08"), quality="premium", max_size="2048x2048"),
            ImagePrice(usd=Decimal("0.04"), quality="standard", max_size="1024x1024"),
        ),
    )
    assert sheet.image_price("generate", "standard", "512x512") == Decimal("0.04")


@pytest.mark.parametrize("size", ["²x1", "1024×1024", "x", "1024x"])
def test_a_size_that_is_not_digits_matches_no_band(size: str) -> None:
    assert BANDS.image_price("edit", "standard", size) is None


def test_how_the_sheet_priced_is_forgotten_when_it_prices_nothing() -> None:
    """``sheet_basis`` speaks of the last call priced, never of one before it."""
    registry = Registry()
    model = registry.resolve("openai/dall-e-2")
    assert registry.price(model, "generate", 1, None, "1024x1024", None) is not None
    assert sheet_basis() == "per_image"
    assert registry.price(model, "generate", 1, None, "4000x4000", None) is None
    assert sheet_basis() is None
