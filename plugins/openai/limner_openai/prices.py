"""OpenAI image prices as data (USD), from the research note ``shared/providers/openai.md`` §9.

GPT image models bill by tokens; ``per_million_tokens`` prices a call exactly from the ``usage``
block of the response. Their ``per_image`` rows only estimate a call before it is made
(dry runs). DALL·E bills per image.

Estimate rows are ordered most specific first (the first matching row wins):
exact quality and size; then, at that quality, a size of at most as many pixels as the largest
listed there (the dearest listed price) and size ``auto`` (the model picks; the dearest listed,
when the table lists at that quality a size as large as any the model may pick);
then the same for quality ``auto``, priced as ``high`` (``auto`` is billed as the quality the
model picks, which is not known before the call — ``high``, the dearest, keeps the estimate at
the top of the table; the observed GPT-image responses echo ``quality: "high"``). A size with
more pixels than the table lists at that quality (gpt-image-2's free-form sizes go to 3840x2160)
gets no estimate: output tokens grow with the pixels, so the listed prices do not bound it, and
the dry run says the cost is known after the call, from the response's token usage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from limner import ImagePrice, PriceSheet, TokenPrices
from limner.requests import parse_size

from .translate import STANDARD_SIZES

__all__ = ["SHEETS"]

SQUARE, PORTRAIT, LANDSCAPE = "1024x1024", "1024x1536", "1536x1024"


def _d(value: str) -> Decimal:
    return Decimal(value)


def _estimate_rows(table: Mapping[str, Mapping[str, str]], note: str) -> tuple[ImagePrice, ...]:
    """Rows for a {quality: {size: usd}} table, plus fall-backs for size ``auto`` and other sizes
    no larger (in pixels) than the largest listed at that quality, and for quality ``auto``."""
    rows = [
        ImagePrice(usd=_d(usd), quality=quality, size=size, note=note)
        for quality, by_size in table.items()
        for size, usd in by_size.items()
    ]
    for quality, by_size in table.items():
        rows.extend(_fall_backs(by_size, note, quality=quality))
    top = table.get("high") or max(table.values(), key=lambda row: max(map(_d, row.values())))
    as_high = f"{note}; quality auto as high"
    for size, usd in top.items():
        rows.append(ImagePrice(usd=_d(usd), quality="auto", size=size, note=as_high))
    rows.extend(_fall_backs(top, as_high, quality="auto"))
    return tuple(rows)


def _fall_backs(by_size: Mapping[str, str], note: str, quality: str | None) -> list[ImagePrice]:
    """The dearest listed price for sizes up to the largest listed one, and for ``auto`` when
    that covers every size the model may pick (else ``auto`` has no estimate)."""
    dearest = max(_d(usd) for usd in by_size.values())
    largest = max(by_size, key=_pixels)
    rows = [
        ImagePrice(
            usd=dearest,
            quality=quality,
            max_size=largest,
            note=f"{note}; a size unlisted but no larger than {largest} at the dearest listed",
        )
    ]
    if _pixels(largest) >= _AUTO_PICKS_UP_TO:
        rows.append(
            ImagePrice(
                usd=dearest,
                quality=quality,
                size="auto",
                note=f"{note}; size auto (the model picks) at the dearest listed",
            )
        )
    return rows


def _pixels(size: str) -> int:
    width, height = parse_size(size) or (0, 0)
    return width * height


_AUTO_PICKS_UP_TO = max(map(_pixels, STANDARD_SIZES))
"""The most pixels size ``auto`` may make: the largest size the model picks from."""


_GP = "pydantic/genai-prices prices/providers/openai.yml @ 47df840a5ab10bbcffb8e5ac01b9899032245d1b"

GPT_IMAGE_1 = PriceSheet(
    source=(
        "https://developers.openai.com/ja-JP/api/docs/models/gpt-image-1 (official model page); "
        + _GP
    ),
    as_of=dt.date(2026, 10, 23),
    per_million_tokens=TokenPrices(
        text_input=_d("5.00"), image_input=_d("10.00"), image_output=_d("40.00")
    ),
    per_image=_estimate_rows(
        {
            "low": {SQUARE: "0.011", PORTRAIT: "0.016", LANDSCAPE: "0.016"},
            "medium": {SQUARE: "0.042", PORTRAIT: "0.063", LANDSCAPE: "0.063"},
            "high": {SQUARE: "0.167", PORTRAIT: "0.25", LANDSCAPE: "0.25"},
        },
        "estimate: official per-image output price; prompt tokens extra",
    ),
    notes=(
        "Billed by tokens (exact from usage). Per-image rows are estimates of output tokens only "
        "(272/1056/4160 square, 408/1584/6240 other sizes x $40/M); quality auto is estimated "
        "as high. No text-output rate is published. as_of is the earliest date the cited page "
        "can have been read (it reports the 2026-10-23 retirement)."
    ),
)

GPT_IMAGE_1_MINI = PriceSheet(
    source=(
        "https://developers.openai.com/de-DE/api/docs/models/gpt-image-1-mini (official model "
        "page); " + _GP
    ),
    as_of=dt.date(2026, 8, 21),
    per_million_tokens=TokenPrices(
        text_input=_d("2.00"), image_input=_d("2.50"), image_output=_d("8.00")
    ),
    per_image=_estimate_rows(
        {
            "low": {SQUARE: "0.005", PORTRAIT: "0.006", LANDSCAPE: "0.006"},
            "medium": {SQUARE: "0.011", PORTRAIT: "0.015", LANDSCAPE: "0.015"},
            "high": {SQUARE: "0.036", PORTRAIT: "0.052", LANDSCAPE: "0.052"},
        },
        "estimate: official per-image output price; prompt tokens extra",
    ),
    notes=(
        "Billed by tokens (exact from usage). Per-image rows are estimates (output tokens only); "
        "quality auto is estimated as high. as_of is the date of the OpenAPI snapshot the "
        "research note was built on (the page itself is undated)."
    ),
)

GPT_IMAGE_1_5 = PriceSheet(
    source=(
        _GP + " (cites developers.openai.com/api/docs/models/gpt-image-1.5, checked 2026-07-22); "
        "per-image: docs.apiyi.com/en/api-capabilities/gpt-image-1-5, "
        "www.runflow.io/models/openai/gpt-image-1.5 (third-party)"
    ),
    as_of=dt.date(2026, 7, 22),
    per_million_tokens=TokenPrices(
        text_input=_d("5.00"),
        image_input=_d("8.00"),
        text_output=_d("10.00"),
        image_output=_d("32.00"),
    ),
    per_image=_estimate_rows(
        {
            "low": {SQUARE: "0.009", PORTRAIT: "0.013", LANDSCAPE: "0.013"},
            "medium": {SQUARE: "0.034", PORTRAIT: "0.051", LANDSCAPE: "0.050"},
            "high": {SQUARE: "0.133", PORTRAIT: "0.20", LANDSCAPE: "0.20"},
        },
        "estimate: third-party per-image table (gpt-image-1 token counts x $32/M)",
    ),
    notes=(
        "Billed by tokens (exact from usage). Per-image rows are third-party ESTIMATES, not an "
        "official table; quality auto is estimated as high."
    ),
)

GPT_IMAGE_2 = PriceSheet(
    source=(
        _GP + " (cites developers.openai.com/api/docs/models/gpt-image-2); text output $10/M "
        "from https://fal.ai/models/openai/gpt-image-2/llms.txt; per-image token counts "
        "measured 2026-09-22 (public TS pricing module) and "
        "https://community.openai.com/t/livestream-starting-now-chatgpt-images-2-0/1379464"
    ),
    as_of=dt.date(2026, 9, 22),
    per_million_tokens=TokenPrices(
        text_input=_d("5.00"),
        image_input=_d("8.00"),
        text_output=_d("10.00"),
        image_output=_d("30.00"),
    ),
    per_image=_estimate_rows(
        {
            "low": {SQUARE: "0.00588"},
            "medium": {SQUARE: "0.05268"},
            "high": {SQUARE: "0.21072", LANDSCAPE: "0.16464"},
        },
        "estimate: third-party measured output tokens x $30/M",
    ),
    notes=(
        "Billed by tokens (exact from usage). No official per-image table exists: rows are "
        "ESTIMATES from measured output tokens (1024x1024: 196 low, 1756 medium, 7024 high; "
        "1536x1024 high: 5488). Only sizes no larger than those measured are estimated (low and "
        "medium: up to 1024x1024 pixels, and not size auto, which may pick 1536x1024; high and "
        "auto: up to 1536x1024): larger free-form sizes make more output tokens by an amount not "
        "measured, so their cost is known after the call. Quality auto is estimated as high. "
        "The text-output rate is third-party (fal.ai)."
    ),
)

GPT_IMAGE_2_5_AND_2_6 = PriceSheet(
    source=(
        "https://developers.openai.com/api/docs/models/gpt-image-2.6-sunburst (text input $5, "
        "cached $1.25; image input $8, cached $2; image output $30 per 1M tokens); the same "
        "rates for gpt-image-2.6-flare and the 2.5 models per OpenAI's pricing page as cited by "
        "apidog.com/blog/gpt-image-2-5-api (read 2026-09-09) and docs.apiyi.com (2026-11-05: "
        "'unchanged per-token pricing')"
    ),
    as_of=dt.date(2026, 11, 5),
    per_million_tokens=TokenPrices(
        text_input=_d("5.00"), image_input=_d("8.00"), image_output=_d("30.00")
    ),
    notes=(
        "Billed by tokens (exact from usage), at gpt-image-2's input and image-output rates. "
        "No per-image table: the output tokens per size and quality are not published for "
        "these models (they differ from gpt-image-2's), so dry runs give no estimate. No "
        "text-output rate is published: a call whose usage counts text output tokens is priced "
        "without them, with a price_partial warning."
    ),
)

_DALLE_SOURCE = (
    "AgentOps-AI/tokencost tokencost/model_prices.json @ e7f7c1928084af55bb4955102327982401ed8649 "
    "(litellm price map, per-pixel prices); https://github.com/kevinhermawan/Canvas "
    "model-info.json (pricing_updated_at 2023-12-25)"
)

DALL_E_3 = PriceSheet(
    source=_DALLE_SOURCE,
    as_of=dt.date(2025, 9, 1),
    per_image=(
        ImagePrice(usd=_d("0.040"), operation="generate", quality="standard", size=SQUARE),
        ImagePrice(usd=_d("0.080"), operation="generate", quality="standard", size="1024x1792"),
        ImagePrice(usd=_d("0.080"), operation="generate", quality="standard", size="1792x1024"),
        ImagePrice(usd=_d("0.080"), operation="generate", quality="hd", size=SQUARE),
        ImagePrice(usd=_d("0.120"), operation="generate", quality="hd", size="1024x1792"),
        ImagePrice(usd=_d("0.120"), operation="generate", quality="hd", size="1792x1024"),
    ),
    notes="Billed per image; a call costs price x n.",
)

DALL_E_2 = PriceSheet(
    source=_DALLE_SOURCE,
    as_of=dt.date(2025, 9, 1),
    per_image=(
        ImagePrice(usd=_d("0.016"), size="256x256"),
        ImagePrice(usd=_d("0.018"), size="512x512"),
        ImagePrice(usd=_d("0.020"), size=SQUARE),
    ),
    notes=(
        "Billed per image by size. Edits and variations are assumed to cost the same as a "
        "generation at that size (not confirmed by the sources)."
    ),
)

SHEETS: Mapping[str, PriceSheet] = {
    "gpt-image-1": GPT_IMAGE_1,
    "gpt-image-1-mini": GPT_IMAGE_1_MINI,
    "gpt-image-1.5": GPT_IMAGE_1_5,
    "gpt-image-1.5-2025-12-16": GPT_IMAGE_1_5,
    "gpt-image-2": GPT_IMAGE_2,
    "gpt-image-2-2026-04-21": GPT_IMAGE_2,
    "gpt-image-2.5-sunburst": GPT_IMAGE_2_5_AND_2_6,
    "gpt-image-2.5-sunburst-2026-09-08": GPT_IMAGE_2_5_AND_2_6,
    "gpt-image-2.5-flare": GPT_IMAGE_2_5_AND_2_6,
    "gpt-image-2.5-flare-2026-09-08": GPT_IMAGE_2_5_AND_2_6,
    "gpt-image-2.6-sunburst": GPT_IMAGE_2_5_AND_2_6,
    "gpt-image-2.6-flare": GPT_IMAGE_2_5_AND_2_6,
    "dall-e-3": DALL_E_3,
    "dall-e-2": DALL_E_2,
}
