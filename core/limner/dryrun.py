"""The dry-run result: what limner would send, with secrets redacted, and what it would cost."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .money import Usd
from .responses import Adjustment, Notice

__all__ = ["DryRun"]


class DryRun(BaseModel):
    """One entry in ``requests`` per HTTP call that would be made (for a provider that answers
    with a job, the calls that submit it; its polls depend on the answers); header names
    lowercase and secrets shown as ``"<redacted>"``; multipart bodies as ``form`` plus ``files``
    (sizes only)."""

    model_config = ConfigDict(defer_build=True)

    model: str
    provider: str
    requests: list[dict[str, Any]]
    estimated_cost_usd: Usd | None = Field(None, description="null when the price is unknown")
    adjustments: list[Adjustment] = Field(default_factory=list)
    warnings: list[Notice] = Field(default_factory=list)
