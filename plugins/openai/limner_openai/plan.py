"""The fields being built for one call, and the changes made on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from limner import Changes, ProviderCall

__all__ = ["Form", "Plan"]

Form = Literal["json", "multipart"]


@dataclass
class Plan(Changes):
    """The fields being built for one call, and what was changed on the way."""

    call: ProviderCall
    form: Form
    fields: dict[str, Any] = field(default_factory=dict)
    size: str | None = None
    quality: str | None = None

    @property
    def model_name(self) -> str:
        return self.call.model.name
