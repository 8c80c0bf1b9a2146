"""``provider_options["openai"]``: settings only OpenAI understands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["OpenAIOptions"]


class OpenAIOptions(BaseModel):
    """OpenAI-only settings, passed as ``provider_options={"openai": {...}}``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    input_fidelity: Literal["high", "low"] | None = Field(
        default=None,
        description=(
            "Edits only: how closely to keep the input images' details (default low). "
            "gpt-image-1.5, gpt-image-1 and chatgpt-image-latest take high or low, "
            "gpt-image-1-mini low only; the other models none. Overrides the request's "
            "input_fidelity."
        ),
    )
