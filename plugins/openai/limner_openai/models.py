"""The OpenAI image models, as data.

Facts come from OpenAI's OpenAPI document (openai/openai-openapi @ f85dbe22, schemas
``CreateImageRequest``, ``CreateImageEditRequest``, ``EditImageBodyJsonParam``,
``CreateImageVariationRequest``) as summarised in ``shared/providers/openai.md`` §2-§5;
prices in :mod:`limner_openai.prices`. Models the OpenAPI snapshot predates (the gpt-image-2.5
and 2.6 families) and facts newer than it come from the openai 3.54.0 package on PyPI
(``openai/types/image_model.py`` and the docstrings of ``openai/resources/images.py``). To
correct a fact, edit the table; code reads a model's name only through the sets below.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from limner import Capabilities, FieldRule, Lifecycle, ModelInfo, SizeRules
from limner.capabilities import PORTABLE_QUALITIES

from .prices import SHEETS
from .translate import STANDARD_SIZES, map_quality

__all__ = [
    "EXPERIMENTAL_PIXELS",
    "EXPERIMENTAL_SIZES",
    "INPUT_FIDELITY",
    "JSON_EDIT_SIZES",
    "MODELS",
    "NO_QUALITY_FIELD",
    "PREVIEW_TRANSPARENCY",
    "PROVIDER",
    "STANDARD_SIZES",
    "is_dalle",
]

PROVIDER = "openai"

GPT_QUALITIES = ("low", "medium", "high", "auto")

# The ``input_fidelity`` values each edit model takes; a model not listed takes none. The SDK:
# "Supports `high` and `low` on `gpt-image-1.5`; `gpt-image-1-mini` supports only `low`. For
# `gpt-image-2`, omit this parameter" (openai 3.54.0, images.edit), which is newer than the
# spec's "gpt-image-1.5 and later models" and names none of the 2.5 and 2.6 models. gpt-image-1
# and chatgpt-image-latest keep what the spec gives them.
INPUT_FIDELITY: dict[str, tuple[Literal["high", "low"], ...]] = {
    "gpt-image-1.5": ("high", "low"),
    "gpt-image-1.5-2025-12-16": ("high", "low"),  # the same model, as dated
    "gpt-image-1": ("high", "low"),
    "gpt-image-1-mini": ("low",),
    "chatgpt-image-latest": ("high", "low"),
}

# gpt-image-2: "any WIDTHxHEIGHT, both sides divisible by 16, aspect ratio between 1:3 and 3:1,
# maximum supported resolution 3840x2160" [SPEC CreateImageRequest.size]. The pixel floor
# (655,360) is third-party (fal.ai llms.txt, xairouter.com); the spec only says "the model's
# pixel and edge limits". The shortest side those allow is 480 (480x1376: a side under ~467 px
# would need more than 3:1 to reach the pixel floor), so min_side says 480.
GPT_IMAGE_2_RULES = SizeRules(
    min_side=480,
    max_side=3840,
    multiple_of=16,
    min_pixels=655_360,
    max_pixels=3840 * 2160,
    min_aspect=1 / 3,
    max_aspect=3.0,
)

_GPT_IMAGE = Capabilities(
    operations=("generate", "edit"),
    sizes=("auto", *STANDARD_SIZES),
    default_size="auto",
    aspect_ratios=("1:1", "3:2", "2:3"),
    qualities=GPT_QUALITIES,
    default_quality="auto",
    max_images_per_call=10,
    max_prompt_chars=32000,
    max_input_images=16,
    mask=True,
    remote_image_urls=True,
    file_ids=True,
    response_formats=("b64_json",),
    output_formats=("png", "jpeg", "webp"),
    output_compression=True,
    backgrounds=("transparent", "opaque", "auto"),
    moderation=("low", "auto"),
    field_rules=(
        FieldRule(
            when="output_format",
            values=("jpeg",),
            then="background",
            allowed=("opaque", "auto"),
            reason="JPEG has no transparency: use png or webp for a transparent background",
        ),
    ),
)

_GPT_IMAGE_2 = _GPT_IMAGE.model_copy(
    update={
        "size_rules": GPT_IMAGE_2_RULES,
        "aspect_ratios": ("1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "9:16", "21:9", "3:1", "1:3"),
        "image_sizes": ("1K", "2K", "4K"),
    }
)

# gpt-image-2.5: gpt-image-2's free-form sizes, "also support `xhigh` and `max`" qualities, and
# "support `opaque` and `transparent` backgrounds" (no longer in preview) [SDK images.generate];
# edits take a markup, "a transparent PNG overlaid on the first image to guide the edit ...
# Supports GPT Image 2.5. Cannot be combined with mask" [SDK ImageEditParams.markup].
_GPT_IMAGE_2_5 = _GPT_IMAGE_2.model_copy(
    update={"qualities": ("low", "medium", "high", "xhigh", "max", "auto"), "markup": True}
)
# Animated GIF and SVG output: the gpt-image-2.6 model pages (developers.openai.com/api/docs/
# models/gpt-image-2.6-sunburst: "output as SVG or animated GIF") and the SDK's output_format
# ("png", "webp", "jpeg", "gif", "svg"; frame_count, frame_duration_ms, svg), which says a model
# needs "access to the GIF preview" (and SVG model selection) for them.
_GPT_IMAGE_2_6 = _GPT_IMAGE.model_copy(
    update={
        "output_formats": ("png", "jpeg", "webp", "gif", "svg"),
        "field_rules": (
            *_GPT_IMAGE.field_rules,
            # "SVG generation requires n=1"; "GIF output does not support ... masks"
            # [SDK ImageGenerateParams.svg, .frame_count]
            FieldRule(
                when="output_format",
                values=("svg",),
                then="n",
                allowed=(1,),
                reason="SVG output is one image per request: ask for each SVG on its own",
            ),
            FieldRule(
                when="output_format",
                values=("gif",),
                then="mask",
                reason="GIF output takes no mask: edit without one, or ask for png, jpeg or webp",
            ),
        ),
    }
)

_SPEC = "openai/openai-openapi openapi.yaml @ f85dbe223d40e1a31cba812ab2d755c7e98a92a3"
_SDK = "the openai 3.54.0 package on PyPI (openai/types/image_model.py, openai/resources/images.py)"
_DEPRECATIONS = (
    "https://developers.openai.com/api/docs/deprecations (Upcoming deprecations: shutdown Dec 1, "
    "2026, notice Jun 2, 2026, replacement gpt-image-2.6-sunburst or gpt-image-2.6-flare)"
)
_DALL_E_SUCCESSOR = (
    "the model pages developers.openai.com/api/docs/models/dall-e-2 and .../dall-e-3 ('We "
    "recommend GPT-Image-2.5 Sunburst')"
)


def _until_december(snapshot_of: str | None = None) -> Lifecycle:
    """The GPT image models OpenAI shuts down on 2026-12-01."""
    source = _DEPRECATIONS + (f"; a dated snapshot of {snapshot_of}" if snapshot_of else "")
    return Lifecycle(
        status="deprecated",
        deprecated_on=dt.date(2026, 6, 2),
        shutdown_on=dt.date(2026, 12, 1),
        replacement=f"{PROVIDER}/gpt-image-2.6-sunburst",
        source=source,
    )


_SDK_DEPRECATIONS = (
    "the openai 3.54.0 package on PyPI, openai/types/image_model.py (its 'Deprecated values' note)"
)


def _model(name: str, display: str, caps: Capabilities, **extra: object) -> ModelInfo:
    fidelity = INPUT_FIDELITY.get(name, ())
    # the portable qualities it lacks, as map_quality sends them (published for tools)
    portable = {q: map_quality(q, caps.qualities) for q in PORTABLE_QUALITIES}
    quality_map = {q: sent for q, sent in portable.items() if q not in caps.qualities}
    update = {"input_fidelity": fidelity, "quality_map": quality_map}
    return ModelInfo.model_validate(
        {
            "id": f"{PROVIDER}/{name}",
            "provider": PROVIDER,
            "name": name,
            "display_name": display,
            "capabilities": caps.model_copy(update=update),
            "pricing": SHEETS.get(name),
            **extra,
        }
    )


_NO_PRICE = " No price is published in the sources."
_NEWER = (
    "Listed by the openai SDK after the OpenAPI snapshot; the SDK gives it the GPT image "
    "models' standard sizes and qualities only."
)
_GIF_SVG = (
    " Also animated GIF and SVG output (output_format gif or svg, with an account that has "
    "access to them; SVG one image per request)."
)


MODELS: tuple[ModelInfo, ...] = (
    _model(
        "gpt-image-2.6-sunburst",
        "GPT Image 2.6 Sunburst",
        _GPT_IMAGE_2_6,
        description=_NEWER + _GIF_SVG,
        lifecycle=Lifecycle(status="active", source=_SDK),
    ),
    _model(
        "gpt-image-2.6-flare",
        "GPT Image 2.6 Flare",
        _GPT_IMAGE_2_6,
        description=_NEWER + _GIF_SVG,
        lifecycle=Lifecycle(status="active", source=_SDK),
    ),
    _model(
        "gpt-image-2.5-sunburst",
        "GPT Image 2.5 Sunburst",
        _GPT_IMAGE_2_5,
        description="Free-form sizes as gpt-image-2; qualities up to xhigh and max.",
        lifecycle=Lifecycle(status="active", source=_SDK),
    ),
    _model(
        "gpt-image-2.5-sunburst-2026-09-08",
        "GPT Image 2.5 Sunburst (2026-09-08 snapshot)",
        _GPT_IMAGE_2_5,
        description="Dated snapshot of gpt-image-2.5-sunburst.",
        lifecycle=Lifecycle(status="active", source=_SDK),
    ),
    _model(
        "gpt-image-2.5-flare",
        "GPT Image 2.5 Flare",
        _GPT_IMAGE_2_5,
        description="Free-form sizes as gpt-image-2; qualities up to xhigh and max.",
        lifecycle=Lifecycle(status="active", source=_SDK),
    ),
    _model(
        "gpt-image-2.5-flare-2026-09-08",
        "GPT Image 2.5 Flare (2026-09-08 snapshot)",
        _GPT_IMAGE_2_5,
        description="Dated snapshot of gpt-image-2.5-flare.",
        lifecycle=Lifecycle(status="active", source=_SDK),
    ),
    _model(
        "gpt-image-2",
        "GPT Image 2",
        _GPT_IMAGE_2,
        description="Free-form sizes (multiples of 16, 1:3 to 3:1, up to 3840x2160).",
        lifecycle=Lifecycle(status="active", source=_SPEC),
    ),
    _model(
        "gpt-image-2-2026-04-21",
        "GPT Image 2 (2026-04-21 snapshot)",
        _GPT_IMAGE_2,
        description="Dated snapshot of gpt-image-2.",
        lifecycle=Lifecycle(status="active", source=_SPEC),
    ),
    _model(
        "gpt-image-1.5",
        "GPT Image 1.5",
        _GPT_IMAGE,
        lifecycle=_until_december(),
    ),
    _model(
        "gpt-image-1.5-2025-12-16",
        "GPT Image 1.5 (2025-12-16 snapshot)",
        _GPT_IMAGE,
        description="Dated snapshot of gpt-image-1.5 (named by OpenAI's deprecations page).",
        lifecycle=_until_december("gpt-image-1.5"),
    ),
    _model(
        "gpt-image-1",
        "GPT Image 1",
        _GPT_IMAGE,
        lifecycle=Lifecycle(
            status="retired",
            shutdown_on=dt.date(2026, 10, 23),
            replacement=f"{PROVIDER}/gpt-image-2.5-sunburst",
            source=(
                "https://developers.openai.com/ja-JP/api/docs/models/gpt-image-1 (retired "
                "2026-10-23 in favour of GPT-Image-2.5 Sunburst); " + _SDK_DEPRECATIONS + " "
                "('shut down on October 23, 2026. Use gpt-image-2.5-sunburst or "
                "gpt-image-2.5-flare instead')"
            ),
        ),
    ),
    _model(
        "gpt-image-1-mini",
        "GPT Image 1 mini",
        _GPT_IMAGE,
        lifecycle=_until_december(),
    ),
    _model(
        "chatgpt-image-latest",
        "ChatGPT Image (latest)",
        _GPT_IMAGE,
        description=(
            "Follows the GPT image models' input constraints. The OpenAPI snapshot lists it for "
            "edits only; the SDK names it among the generation models too." + _NO_PRICE
        ),
        lifecycle=_until_december(),
    ),
    _model(
        "dall-e-3",
        "DALL·E 3",
        Capabilities(
            operations=("generate",),
            sizes=("1024x1024", "1792x1024", "1024x1792"),
            default_size="1024x1024",
            aspect_ratios=("1:1", "7:4", "4:7"),
            qualities=("standard", "hd"),
            default_quality="standard",
            max_images_per_call=1,
            max_prompt_chars=4000,
            response_formats=("url", "b64_json"),
            styles=("vivid", "natural"),
        ),
        lifecycle=Lifecycle(
            status="shutdown",
            shutdown_on=dt.date(2026, 5, 12),
            replacement=f"{PROVIDER}/gpt-image-2.5-sunburst",
            source=(
                "https://developers.openai.com/api/docs/models/dall-e-3 ('Shut down'); date "
                "from " + _SDK_DEPRECATIONS + " ('retired on May 12, 2026. Use a GPT image "
                "model instead'); replacement from " + _DALL_E_SUCCESSOR
            ),
        ),
    ),
    _model(
        "dall-e-2",
        "DALL·E 2",
        Capabilities(
            operations=("generate", "edit", "variation"),
            sizes=("256x256", "512x512", "1024x1024"),
            default_size="1024x1024",
            aspect_ratios=("1:1",),
            qualities=("standard",),
            default_quality="standard",
            max_images_per_call=10,
            max_prompt_chars=1000,
            max_input_images=1,
            mask=True,
            response_formats=("url", "b64_json"),
        ),
        lifecycle=Lifecycle(
            status="shutdown",
            shutdown_on=dt.date(2026, 5, 12),
            replacement=f"{PROVIDER}/gpt-image-2.5-sunburst",
            source=(
                _SDK_DEPRECATIONS + " ('retired on May 12, 2026. Use a GPT image model "
                "instead'); replacement from " + _DALL_E_SUCCESSOR
            ),
        ),
    ),
)

# Sizes the JSON edit body accepts: a closed enum [SPEC EditImageBodyJsonParam.size].
JSON_EDIT_SIZES = ("auto", *STANDARD_SIZES)

# Models that reject the quality field although the spec lists ``standard`` for them: a real
# recording of 2026-03-31 shows dall-e-2 answering 400 "Unknown parameter: 'quality'." to
# quality=standard (traceloop/openllmetry test_image_gen_metrics.yaml @ cb9b6f1e, interactions 2-3).
NO_QUALITY_FIELD = frozenset({"dall-e-2"})

# Models whose transparent background is "in preview" [SPEC CreateImageRequest.background].
PREVIEW_TRANSPARENCY = frozenset({"gpt-image-2", "gpt-image-2-2026-04-21"})

# Models for which "Resolutions above 2560x1440 are experimental" [SPEC CreateImageRequest.size;
# the SDK says the same of the gpt-image-2.5 models];
# a size sent above that gets an ``experimental_size`` notice. "Above" is read as more pixels
# than 2560x1440 (3,686,400), whatever the orientation: the spec names resolutions (pixel
# counts, like its "maximum supported resolution is 3840x2160", which third-party pages give as
# 8,294,400 pixels) and speaks of "pixel and edge limits" separately. So 1440x2560 is not
# experimental, 2048x2048 (4,194,304 pixels) is.
EXPERIMENTAL_SIZES = frozenset(
    {
        "gpt-image-2",
        "gpt-image-2-2026-04-21",
        "gpt-image-2.5-sunburst",
        "gpt-image-2.5-sunburst-2026-09-08",
        "gpt-image-2.5-flare",
        "gpt-image-2.5-flare-2026-09-08",
    }
)
EXPERIMENTAL_PIXELS = 2560 * 1440


def is_dalle(name: str) -> bool:
    """DALL·E models take ``response_format`` and no GPT-image fields."""
    return name.startswith("dall-e")
