"""``provider_options["google"]``: settings only Google understands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from limner.values import Integer, Number

__all__ = ["GoogleOptions", "options_of", "response_modalities"]


class GoogleOptions(BaseModel):
    """Google-only settings, passed as ``provider_options={"google": {...}}``. Each is sent
    only when set."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    person_generation: Literal["DONT_ALLOW", "ALLOW_ADULT", "ALLOW_ALL", "ALLOW_NONE"] | None = (
        Field(
            default=None,
            description="Imagen personGeneration (DONT_ALLOW, ALLOW_ADULT, ALLOW_ALL; ALLOW_ALL is "
            "Vertex only); Gemini on Vertex imageConfig.personGeneration (ALLOW_ALL|ALLOW_ADULT|"
            "ALLOW_NONE). DONT_ALLOW and ALLOW_NONE are renamed for the family that spells it the "
            "other way, and reported",
        )
    )
    safety_setting: (
        Literal["BLOCK_LOW_AND_ABOVE", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE"]
        | None
    ) = Field(default=None, description="Imagen safetySetting (BLOCK_NONE: Vertex only)")
    add_watermark: bool | None = Field(default=None, description="Imagen on Vertex: addWatermark")
    enhance_prompt: bool | None = Field(default=None, description="Imagen on Vertex: enhancePrompt")
    guidance_scale: Number = Field(default=None, description="Imagen guidanceScale")
    mask_dilation: Number = Field(
        default=None,
        ge=0,
        le=1,
        description="Imagen edits: maskImageConfig.dilation (0.01 suggested)",
    )
    base_steps: Integer = Field(
        default=None,
        ge=1,
        le=75,
        description="Imagen edits: editConfig.baseSteps (35 suggested, at most 75)",
    )
    thinking_level: Literal["MINIMAL", "LOW", "MEDIUM", "HIGH"] | None = Field(
        default=None,
        description="Gemini generationConfig.thinkingConfig.thinkingLevel: the 3.1 image models "
        "take MINIMAL or HIGH; gemini-2.5-flash-image has no thinking (dropped, reported)",
    )
    temperature: Number = Field(
        default=None, ge=0, le=2, description="Gemini generationConfig.temperature (0 to 2)"
    )
    response_modalities: tuple[Literal["TEXT", "IMAGE"], ...] = Field(
        default=("TEXT", "IMAGE"),
        description="Gemini responseModalities; ['IMAGE'] asks for images without text "
        "(images.generate and images.edit need IMAGE among them)",
    )


def options_of(options: object) -> GoogleOptions:
    """A call's Google options (core validated them with :class:`GoogleOptions`), or the
    defaults when the request set none."""
    return options if isinstance(options, GoogleOptions) else GoogleOptions()


def response_modalities(asked: Sequence[str] | None, options: GoogleOptions) -> list[str]:
    """The modalities a chat call asks Gemini for: the request's ``modalities`` when set (they
    decide), else ``provider_options.google.response_modalities``."""
    if asked is None:
        return list(options.response_modalities)
    return [name.upper() for name in asked]
