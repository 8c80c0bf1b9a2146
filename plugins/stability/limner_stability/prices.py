"""Stability AI prices as data: credits per successful call, at $0.01 a credit.

Source: the v2beta OpenAPI document of Jan 2026 [SPEC-2026] (calebmills99/Golden_Gigas
``stability_openapi.json`` @ 4584a20c), each model's and each edit endpoint's "Credits" section.
Four edit services cost more than in the Oct 2024 copy [SPEC-2024] (kousen/ai_samples
``stability.openapi.json`` @ c02de0ab): inpaint and erase 5 (3 in 2024), search-and-replace 5
(4), remove-background 5 (2). 1 credit = $0.01 (platform.stability.ai/pricing as cited by
developer.puter.com, Jun 2026). Failed calls (4xx/5xx) are free; a
``CONTENT_FILTERED`` 200 is a successful generation and presumably charged (inference: the spec
says only failed generations are free).

Everything is priced by core from each model's sheet. Edits are rows keyed by ``edit_mode`` (the
mode the plugin actually used, reported in ``Translation.edit_mode``): an edit service costs the
same whatever the model (an inpaint is 5 credits), and ``image-to-image`` costs the model's own
generation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from limner import ImagePrice, PriceSheet

__all__ = [
    "CREDIT_USD",
    "EDIT_CREDITS",
    "GENERATE_CREDITS",
    "SHEETS",
    "edit_credits",
    "edit_prices",
    "usd",
]

CREDIT_USD = Decimal("0.01")

GENERATE_CREDITS: Mapping[str, Decimal] = {
    "sd3.5-large": Decimal("6.5"),
    "sd3.5-large-turbo": Decimal("4"),
    "sd3.5-medium": Decimal("3.5"),
    "sd3.5-flash": Decimal("2.5"),
    "stable-image-core": Decimal("3"),
    "stable-image-ultra": Decimal("8"),
}

EDIT_CREDITS: Mapping[str, Decimal] = {
    "inpaint": Decimal("5"),  # [SPEC-2026]; 3 in [SPEC-2024]
    "outpaint": Decimal("4"),  # [SPEC-2026] = [SPEC-2024]
    "erase": Decimal("5"),  # [SPEC-2026]; 3 in [SPEC-2024]
    "search-and-replace": Decimal("5"),  # [SPEC-2026]; 4 in [SPEC-2024]
    "search-and-recolor": Decimal("5"),  # [SPEC-2026] = [SPEC-2024]
    "remove-background": Decimal("5"),  # [SPEC-2026]; 2 in [SPEC-2024]
}
"""Credits per call of each edit service. ``image-to-image`` costs the model's generation."""

_SOURCE = (
    "Stability v2beta OpenAPI, Jan 2026 snapshot (calebmills99/Golden_Gigas stability_openapi.json "
    "@ 4584a20ce81044f78a587f326b5a61dacdbd0a48) model and endpoint descriptions; "
    "1 credit = $0.01 (platform.stability.ai/pricing, cited by "
    "https://developer.puter.com/tutorials/stability-ai-api-pricing/)"
)
_AS_OF = dt.date(2026, 1, 1)
_EDIT_NOTE = ", ".join(f"{mode} {count}" for mode, count in EDIT_CREDITS.items())


def usd(count: Decimal) -> Decimal:
    """Credits in USD."""
    return count * CREDIT_USD


def edit_credits(model_name: str, mode: str) -> Decimal | None:
    """Credits of one edit call in ``mode`` on ``model_name``."""
    if mode == "image-to-image":
        return GENERATE_CREDITS.get(model_name)
    return EDIT_CREDITS.get(mode)


def edit_prices(model_name: str) -> tuple[ImagePrice, ...]:
    """One ``edit`` row per edit mode of ``model_name``: image-to-image at the model's generation
    price, then the edit services."""
    count = GENERATE_CREDITS[model_name]
    rows = [
        ImagePrice(
            usd=usd(count),
            operation="edit",
            edit_mode="image-to-image",
            note=f"{count} credits per call: a /generate call, priced per model (Jan 2026 spec)",
        )
    ]
    for mode, cost in EDIT_CREDITS.items():
        rows.append(
            ImagePrice(
                usd=usd(cost),
                operation="edit",
                edit_mode=mode,
                note=f"{cost} credits per call (Jan 2026 spec)",
            )
        )
    return tuple(rows)


def _sheet(name: str, edits: bool) -> PriceSheet:
    count = GENERATE_CREDITS[name]
    edit_rows = edit_prices(name) if edits else ()
    edit_note = (
        f" Edits in credits per call: image-to-image {count} (this model), {_EDIT_NOTE}."
        if edits
        else ""
    )
    return PriceSheet(
        source=_SOURCE,
        as_of=_AS_OF,
        per_image=(
            ImagePrice(usd=usd(count), operation="generate", note=f"{count} credits per call"),
            *edit_rows,
        ),
        notes=(
            f"{count} credits per successful call (one image), $0.01 a credit; failed calls are "
            f"free.{edit_note} as_of: the month of the spec snapshot (day not recorded)."
        ),
    )


SHEETS: Mapping[str, PriceSheet] = {
    name: _sheet(name, edits=name != "stable-image-core") for name in GENERATE_CREDITS
}
"""Each model's price sheet. Stable Image Core takes no input image, so its sheet has no edits."""
