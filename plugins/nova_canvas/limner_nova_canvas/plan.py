"""The working state of one translation: what is being built and every adjustment made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from limner import Changes, InvalidRequestError, ProviderCall

from .models import PROVIDER
from .options import NovaCanvasOptions

__all__ = ["Plan", "option_param"]


def option_param(name: str) -> str:
    return f"provider_options.{PROVIDER}.{name}"


@dataclass
class Plan(Changes):
    call: ProviderCall
    options: NovaCanvasOptions
    task: str = "TEXT_IMAGE"
    mode: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    size: str | None = None
    quality: str = "standard"

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
