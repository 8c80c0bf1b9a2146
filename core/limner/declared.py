"""The base of what a plugin declares about its models: frozen data that refuses fields it does
not know, and the operations a model may support."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Frozen", "Operation"]

Operation = Literal["generate", "edit", "variation", "chat"]


class Frozen(BaseModel):
    """Declared data: immutable, and a misspelt field is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")
