"""The fields being built for one call, and the changes made on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from limner import Adjustment, Notice, ProviderCall

__all__ = ["Form", "Plan"]

Form = Literal["json", "multipart"]


@dataclass
class Plan:
    """The fields being built for one call, and what was changed on the way."""

    call: ProviderCall
    form: Form
    fields: dict[str, Any] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    size: str | None = None
    quality: str | None = None

    @property
    def model_name(self) -> str:
        return self.call.model.name

    def adjust(self, param: str, requested: Any, applied: Any, reason: str) -> None:
        self.adjustments.append(
            Adjustment(param=param, requested=requested, applied=applied, reason=reason)
        )

    def drop(self, param: str, requested: Any, reason: str) -> None:
        self.adjust(param, requested, None, reason)
