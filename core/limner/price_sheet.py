"""A model's prices as data: rates per million tokens, rows per image (by operation, edit mode,
quality and size or size band), and the sheet that holds them with their source and date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from .declared import Frozen as _Frozen, Operation
from .money import Usd

__all__ = ["ImagePrice", "PriceSheet", "TokenPrices"]


class TokenPrices(_Frozen):
    """USD per one million tokens, by kind of token."""

    text_input: Usd | None = None
    image_input: Usd | None = None
    text_output: Usd | None = None
    image_output: Usd | None = None


class ImagePrice(_Frozen):
    """USD for one output image (core's pricing multiplies it by the images returned).
    ``None`` in a key field matches any value. ``size`` matches one size exactly, as the model's
    translation names what it sends: ``WIDTHxHEIGHT``, or a resolution class from
    ``image_sizes`` (``2K``) for a model priced by class; a dry run prices a size the way the
    call would. ``max_size`` makes the row a size band instead ("up to 2048x2048": any size of
    at most that many pixels).
    """

    usd: Usd
    operation: Operation | None = None
    edit_mode: str | None = None
    quality: str | None = None
    size: str | None = Field(
        default=None, description="one exact size: WIDTHxHEIGHT, or a resolution class such as 2K"
    )
    max_size: str | None = Field(
        default=None,
        pattern=r"^\d+x\d+$",
        description="size band: the row prices any WIDTHxHEIGHT of at most this many pixels",
    )
    note: str | None = None

    @model_validator(mode="after")
    def _one_size_key(self) -> ImagePrice:
        if self.size is not None and self.max_size is not None:
            raise ValueError("give size (one exact size) or max_size (a band), not both")
        return self

    def matches(
        self,
        operation: Operation,
        quality: str | None,
        size: str | None,
        edit_mode: str | None = None,
    ) -> bool:
        return (
            (self.operation is None or self.operation == operation)
            and (self.edit_mode is None or self.edit_mode == edit_mode)
            and (self.quality is None or self.quality == quality)
            and (self.size is None or self.size == size)
            and (self.max_size is None or _within(size, self.max_size))
        )


def _pixels(size: str) -> int | None:
    width, _, height = size.partition("x")
    return int(width) * int(height) if width.isdecimal() and height.isdecimal() else None


def _within(size: str | None, band: str) -> bool:
    """Whether a concrete ``size`` has at most as many pixels as ``band`` (no size: not known)."""
    pixels = None if size is None else _pixels(size)
    ceiling = _pixels(band)
    return pixels is not None and ceiling is not None and pixels <= ceiling


class PriceSheet(_Frozen):
    """A model's prices with where and when they were read.

    Token prices give the exact cost when the provider reports usage; ``per_image`` is the table
    for providers that bill per image, and the estimate for token-billed ones before a call.
    """

    currency: Literal["USD"] = "USD"
    source: str
    as_of: dt.date
    per_million_tokens: TokenPrices | None = None
    per_image: tuple[ImagePrice, ...] = ()
    notes: str | None = None

    @model_validator(mode="after")
    def _bands_smallest_first(self) -> PriceSheet:
        """The first matching row wins, so a band after a larger one with the same keys would
        never be used: refuse such a sheet."""
        seen: dict[tuple[str | None, str | None, str | None], tuple[int, str]] = {}
        for row in self.per_image:
            pixels = None if row.max_size is None else _pixels(row.max_size)
            if pixels is None:
                continue
            keys = (row.operation, row.edit_mode, row.quality)
            earlier = seen.get(keys)
            if earlier is not None and earlier[0] >= pixels:
                raise ValueError(
                    f"per_image: the band up to {row.max_size} comes after the band up to "
                    f"{earlier[1]} with the same keys, so it would never match; list bands "
                    "smallest first"
                )
            seen[keys] = (pixels, row.max_size or "")
        return self

    def image_price(
        self,
        operation: Operation,
        quality: str | None,
        size: str | None,
        edit_mode: str | None = None,
    ) -> Decimal | None:
        """Price of one image for these settings: the first matching row's, or ``None``."""
        row = self.image_row(operation, quality, size, edit_mode)
        return None if row is None else row.usd

    def image_row(
        self,
        operation: Operation,
        quality: str | None,
        size: str | None,
        edit_mode: str | None = None,
    ) -> ImagePrice | None:
        """The ``per_image`` row that prices one image for these settings: the first that
        matches, or ``None`` (list size bands smallest first, so the first band that holds the
        size wins)."""
        return next(
            (row for row in self.per_image if row.matches(operation, quality, size, edit_mode)),
            None,
        )

    @property
    def bills_tokens(self) -> bool:
        """Whether the provider bills by tokens (the ``per_image`` rows then estimate the
        output images only: the prompt's and the input images' tokens add to them)."""
        rates = self.per_million_tokens
        return rates is not None and any(
            rate is not None for rate in (rates.text_input, rates.image_input)
        )
