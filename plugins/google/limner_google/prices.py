"""Google image prices as data (USD), from the research note ``shared/providers/google.md`` §(e).

Gemini image models bill by tokens: ``per_million_tokens`` prices a call exactly from the
response's ``usageMetadata`` (mapped onto :class:`limner.Usage` by :mod:`limner_google.usage` so
that core's formula is the notes' formula). Their ``per_image`` rows only estimate a call before
it is made (dry runs), keyed by the ``imageSize`` sent. Imagen bills per returned image.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from limner import ImagePrice, ModelInfo, PriceSheet, TokenPrices

__all__ = ["SHEETS", "image_tokens"]

_GP = (
    "pydantic/genai-prices @ 47df840a5ab10bbcffb8e5ac01b9899032245d1b prices/providers/google.yml "
    "(quoting ai.google.dev/gemini-api/docs/pricing; prices_checked 2026-07-22)"
)
_GP_DATE = dt.date(2026, 7, 22)
_AIFREE = (
    "per-image dollars from aifreeapi.com (3rd-party, 2026-03), via shared/providers/google.md"
)
_IMAGEN = (
    "ai.google.dev/gemini-api/docs/pricing as quoted on discuss.ai.google.dev and searchroost.com "
    "(3rd-party, 2026-03-03), via shared/providers/google.md. Gemini API prices; the Vertex "
    "Imagen price list was not found and is assumed equal (unverified)"
)
_VERTEX_SAME = "Vertex list prices assumed equal to the Gemini API's (not separately verified)."


def _tokens(text_in: str, text_out: str, image_out: str) -> TokenPrices:
    return TokenPrices(
        text_input=Decimal(text_in),
        image_input=Decimal(text_in),
        text_output=Decimal(text_out),
        image_output=Decimal(image_out),
    )


def _rows(table: dict[str | None, str], note: str) -> tuple[ImagePrice, ...]:
    return tuple(ImagePrice(usd=Decimal(usd), size=size, note=note) for size, usd in table.items())


_FLASH_25 = PriceSheet(
    source=_GP,
    as_of=_GP_DATE,
    per_million_tokens=_tokens("0.30", "2.50", "30"),
    per_image=_rows({None: "0.039"}, "1290 output tokens per image (<=1024x1024)"),
    notes=_VERTEX_SAME,
)
_PRO_3 = PriceSheet(
    source=_GP,
    as_of=_GP_DATE,
    per_million_tokens=_tokens("2.00", "12.00", "120"),
    per_image=_rows(
        {"4K": "0.24", "2K": "0.134", "1K": "0.134", None: "0.134"},
        "1120 output tokens per 1K/2K image, 2000 per 4K image; default 1K",
    ),
    notes=_VERTEX_SAME + " Estimates exclude input and thinking tokens.",
)
_FLASH_31 = PriceSheet(
    source=f"{_GP}; {_AIFREE}",
    as_of=_GP_DATE,
    per_million_tokens=_tokens("0.50", "3.00", "60"),
    per_image=_rows(
        {"512": "0.045", "1K": "0.067", "2K": "0.101", "4K": "0.151", None: "0.067"},
        "per-image estimate by imageSize; default 1K",
    ),
    notes=_VERTEX_SAME + " Estimates exclude input and thinking tokens.",
)
_FLASH_LITE_31 = PriceSheet(
    source=_GP,
    as_of=_GP_DATE,
    per_million_tokens=_tokens("0.25", "1.50", "30"),
    notes=_VERTEX_SAME + " No per-image figure is published, so dry runs cannot estimate it.",
)


def _per_image(usd: str) -> PriceSheet:
    return PriceSheet(
        source=_IMAGEN,
        as_of=dt.date(2026, 3, 3),
        per_image=(ImagePrice(usd=Decimal(usd), note="per returned image; filtered ones free"),),
    )


SHEETS: dict[str, PriceSheet] = {
    "gemini-2.5-flash-image": _FLASH_25,
    "gemini-3-pro-image-preview": _PRO_3,
    "gemini-3-pro-image": _PRO_3,
    "gemini-3.1-flash-image-preview": _FLASH_31,
    "gemini-3.1-flash-image": _FLASH_31,
    "gemini-3.1-flash-lite-image": _FLASH_LITE_31,
    "imagen-4.0-fast-generate-001": _per_image("0.02"),
    "imagen-4.0-generate-001": _per_image("0.04"),
    "imagen-4.0-ultra-generate-001": _per_image("0.06"),
    "imagen-3.0-generate-002": _per_image("0.03"),
}


def image_tokens(model: ModelInfo, image_size: str | None) -> int | None:
    """About how many output tokens one image of ``image_size`` (the resolution class sent;
    ``None``: the model's default) takes, from the model's price sheet: that row's per-image
    price over the image-output rate (about 1116 for gemini-3-pro-image's 1K, whose price is
    rounded; Google says 1120). ``None`` when the sheet has no such row or rate."""
    sheet = model.pricing
    rate = sheet.per_million_tokens.image_output if sheet and sheet.per_million_tokens else None
    usd = sheet.image_price("chat", None, image_size) if sheet is not None else None
    return None if usd is None or not rate else int(usd / rate * 1_000_000)
