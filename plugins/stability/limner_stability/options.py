"""``provider_options["stabilityai"]`` (or ``["stability"]``): settings only Stability understands.

Ranges are the v2beta spec's; which option applies to which endpoint is in
:data:`limner_stability.edits.OPTIONS_BY_MODE`. An option the chosen endpoint does not take is
dropped and reported as an adjustment, never sent.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from limner.values import Integer, Number

__all__ = ["STYLE_PRESETS", "StabilityOptions"]

# [SPEC-2026] sd3, core, ultra, inpaint, outpaint, search-and-replace, search-and-recolor;
# [SPEC-2024] core.
StylePreset = Literal[
    "enhance",
    "anime",
    "photographic",
    "digital-art",
    "comic-book",
    "fantasy-art",
    "line-art",
    "analog-film",
    "neon-punk",
    "isometric",
    "low-poly",
    "origami",
    "modeling-compound",
    "cinematic",
    "3d-model",
    "pixel-art",
    "tile-texture",
]
STYLE_PRESETS: tuple[str, ...] = get_args(StylePreset)


class StabilityOptions(BaseModel):
    """Stability-only settings, passed as ``provider_options={"stability": {...}}``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    accept: Literal["application/json", "image/*"] | None = Field(
        default=None,
        description="Answer as base64 JSON (default) or as raw image bytes with finish-reason "
        "and seed headers",
    )
    style_preset: StylePreset | None = Field(
        default=None,
        description="sd3, core, ultra, inpaint, outpaint, search-and-replace and "
        "search-and-recolor",
    )
    cfg_scale: Number = Field(default=None, ge=1, le=10, description="sd3 models only")
    strength: Number = Field(
        default=None,
        ge=0,
        le=1,
        description="image-to-image: 0 keeps the input, 1 ignores it (limner's default 0.7; "
        "0.95 for sd3.5-flash)",
    )
    grow_mask: Number = Field(
        default=None, ge=0, le=100, description="inpaint 0-100 (default 5); erase and search 0-20"
    )
    search_prompt: str | None = Field(
        default=None,
        min_length=1,
        max_length=10000,
        description="search-and-replace: what to replace",
    )
    select_prompt: str | None = Field(
        default=None,
        min_length=1,
        max_length=10000,
        description="search-and-recolor: what to recolor",
    )
    left: Integer = Field(default=None, ge=0, le=2000, description="outpaint: pixels to add")
    right: Integer = Field(default=None, ge=0, le=2000, description="outpaint: pixels to add")
    up: Integer = Field(default=None, ge=0, le=2000, description="outpaint: pixels to add")
    down: Integer = Field(default=None, ge=0, le=2000, description="outpaint: pixels to add")
    creativity: Number = Field(default=None, ge=0, le=1, description="outpaint (default 0.5)")
