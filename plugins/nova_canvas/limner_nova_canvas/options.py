"""``provider_options["amazon"]``: the Nova Canvas fields OpenAI's request has no name for."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from limner.values import Number

from .models import NovaStyle

__all__ = ["NovaCanvasOptions"]

_HEX_COLOR = r"^#[0-9A-Fa-f]{6}$"


def _hex_color(value: str) -> str:
    if re.fullmatch(_HEX_COLOR, value) is None:
        raise ValueError(f"{value[:40]!r} is not a #RRGGBB color, such as #FF8800")
    return value


HexColor = Annotated[
    str,
    AfterValidator(_hex_color),  # worded for users; the schema gives the pattern
    WithJsonSchema({"type": "string", "pattern": _HEX_COLOR}),
]
ImageInput = Annotated[
    bytes | str,
    Field(description="image bytes, base64 text or a data: URL (PNG or JPEG)"),
]


class NovaCanvasOptions(BaseModel):
    """Nova-only settings, passed as ``provider_options={"amazon": {...}}``. Each applies to
    some tasks only; setting one for another task is an error naming it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    mask_prompt: str | None = Field(
        default=None,
        min_length=1,
        max_length=1024,
        description="instead of a mask image (maskPrompt), the object Nova masks: inpaint and "
        "erase change it; outpaint keeps it and changes everything around it",
    )
    cfg_scale: Number = Field(
        default=None, ge=1.1, le=10.0, description="prompt adherence (cfgScale, default 6.5)"
    )
    style: NovaStyle | None = Field(
        default=None, description="text to image: a style preset (overrides the request's style)"
    )
    similarity_strength: Number = Field(
        default=None, ge=0.2, le=1.0, description="variations: likeness to the inputs (default 0.7)"
    )
    outpainting_mode: Literal["DEFAULT", "PRECISE"] | None = Field(
        default=None, description="outpaint: DEFAULT or PRECISE (outPaintingMode)"
    )
    condition_image: ImageInput | None = Field(
        default=None, description="text to image: a layout to follow (conditionImage)", repr=False
    )
    control_mode: Literal["CANNY_EDGE", "SEGMENTATION"] | None = Field(
        default=None, description="with condition_image: how it guides (default CANNY_EDGE)"
    )
    control_strength: Number = Field(
        default=None, ge=0.0, le=1.0, description="with condition_image: its weight (default 0.7)"
    )
    colors: list[HexColor] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="generate with a palette: COLOR_GUIDED_GENERATION with these #RRGGBB colors",
    )
    reference_image: ImageInput | None = Field(
        default=None,
        description="with colors: an image whose look to follow (referenceImage)",
        repr=False,
    )
