"""The working state of one translation: what is being built and every adjustment made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from limner import Adjustment, InvalidRequestError, Notice, ProviderCall

from .models import PROVIDER
from .options import NovaCanvasOptions

__all__ = ["Plan", "option_param"]


def option_param(name: str) -> str:
    return f"provider_options.{PROVIDER}.{name}"


@dataclass
class Plan:
    call: ProviderCall
    options: NovaCanvasOptions
    task: str = "TEXT_IMAGE"
    mode: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    size: str | None = None
    quality: str = "standard"

    def adjust(self, param: str, requested: Any, applied: Any, reason: str) -> None:
        self.adjustments.append(
            Adjustment(param=param, requested=requested, applied=applied, reason=reason)
        )

    def drop(self, param: str, requested: Any, reason: str) -> None:
        self.adjust(param, requested, None, reason)

    def refuse_options(self, allowed: dict[str, frozenset[str]]) -> None:
        """Options set for a task they do not apply to are errors naming them."""
        for name in sorted(self.options.model_fields_set):
            if getattr(self.options, name) is None:
                continue
            tasks = allowed.get(name, frozenset())
            if self.task not in tasks:
                where = " or ".join(sorted(tasks))
                raise InvalidRequestError(
                    f"{option_param(name)} applies to {where} only; this request is "
                    f"{self.task}" + (f" (edit_mode {self.mode})" if self.mode else ""),
                    param=option_param(name),
                )
