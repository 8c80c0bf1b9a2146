"""The dry-run result: what limner would send, with secrets redacted, and what it would cost."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from .capabilities import ImagePrice
from .money import Usd
from .responses import Adjustment, Notice
from .shaped import OpenAIShaped

__all__ = ["DryRun", "Estimate"]


class Estimate(OpenAIShaped):
    """How one call of a dry run is priced: the settings the price is looked up with (the
    values the translation sends, which may differ from the request's: see ``adjustments``),
    the price, and the price sheet row it comes from."""

    model_config = ConfigDict(defer_build=True)

    operation: str
    images: int
    quality: str | None = None
    size: str | None = None
    edit_mode: str | None = None
    usd: Usd | None = Field(default=None, description="null when the price is unknown")
    basis: str | None = Field(
        default=None,
        description="the price sheet's per_image row that gives the price, with its note; "
        "or the plugins whose price_call hook priced it; null when nothing did, or a token "
        "price did",
    )
    row: ImagePrice | None = Field(
        default=None,
        description="the price sheet's per_image row that gives the price, as data (basis "
        "says it in words); null when no row did",
    )
    output_only: bool = Field(
        default=False,
        description="the model bills by tokens and usd prices the output images only: the "
        "prompt's tokens and the input images' add to the bill, which the response's usage "
        "prices exactly",
    )


class DryRun(OpenAIShaped):
    """One entry in ``requests`` per HTTP call that would be made (for a provider that answers
    with a job, the calls that submit it; its polls depend on the answers); header names
    lowercase and secrets shown as ``"<redacted>"``; multipart bodies as ``form`` plus ``files``
    (sizes only)."""

    model_config = ConfigDict(defer_build=True)

    model: str
    provider: str
    requests: list[dict[str, Any]]
    estimated_cost_usd: Usd | None = Field(
        default=None, description="null when the price is unknown"
    )
    estimates: list[Estimate] = Field(
        default_factory=list, description="one per entry in requests: how it is priced"
    )
    adjustments: list[Adjustment] = Field(default_factory=list)
    warnings: list[Notice] = Field(default_factory=list)
