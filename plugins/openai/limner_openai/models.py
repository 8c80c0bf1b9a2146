"""The OpenAI image models, as data.

Facts come from OpenAI's OpenAPI document (openai/openai-openapi @ f85dbe22, schemas
``CreateImageRequest``, ``CreateImageEditRequest``, ``EditImageBodyJsonParam``,
``CreateImageVariationRequest``) as summarised in ``shared/providers/openai.md`` §2-§5;
prices in :mod:`limner_openai.prices`. To correct a fact, edit the table; no code depends on a
model's name except :data:`NO_INPUT_FIDELITY`.
"""

from __future__ import annotations

import datetime as dt

from limner import Capabilities, FieldRule, Lifecycle, ModelInfo, SizeRules

from .prices import SHEETS

__all__ = [
    "EXPERIMENTAL_PIXELS",
    "EXPERIMENTAL_SIZES",
    "JSON_EDIT_SIZES",
    "MODELS",
    "NO_INPUT_FIDELITY",
    "NO_QUALITY_FIELD",
    "PREVIEW_TRANSPARENCY",
    "PROVIDER",
    "STANDARD_SIZES",
    "is_dalle",
]

PROVIDER = "openai"

STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
GPT_QUALITIES = ("low", "medium", "high", "auto")

# Edit models that reject ``input_fidelity`` ("unsupported for gpt-image-1-mini") [SPEC].
NO_INPUT_FIDELITY = frozenset({"gpt-image-1-mini"})

# gpt-image-2: "any WIDTHxHEIGHT, both sides divisible by 16, aspect ratio between 1:3 and 3:1,
# maximum supported resolution 3840x2160" [SPEC CreateImageRequest.size]. The pixel floor
# (655,360) is third-party (fal.ai llms.txt, xairouter.com); the spec only says "the model's
# pixel and edge limits".
GPT_IMAGE_2_RULES = SizeRules(
    min_side=16,
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

_SPEC = "openai/openai-openapi openapi.yaml @ f85dbe223d40e1a31cba812ab2d755c7e98a92a3"
_SDK_DEPRECATIONS = (
    "the openai 3.54.0 package on PyPI, openai/types/image_model.py (its 'Deprecated values' note)"
)


def _model(name: str, display: str, caps: Capabilities, **extra: object) -> ModelInfo:
    return ModelInfo.model_validate(
        {
            "id": f"{PROVIDER}/{name}",
            "provider": PROVIDER,
            "name": name,
            "display_name": display,
            "capabilities": caps,
            "pricing": SHEETS.get(name),
            **extra,
        }
    )


MODELS: tuple[ModelInfo, ...] = (
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
        lifecycle=Lifecycle(status="active", source=_SPEC),
    ),
    _model(
        "gpt-image-1",
        "GPT Image 1",
        _GPT_IMAGE,
        lifecycle=Lifecycle(
            status="retired",
            shutdown_on=dt.date(2026, 10, 23),
            replacement=f"{PROVIDER}/gpt-image-2",
            source=(
                "https://developers.openai.com/ja-JP/api/docs/models/gpt-image-1 (retired "
                "2026-10-23 in favour of GPT-Image-2.5 Sunburst); " + _SDK_DEPRECATIONS + ". "
                "The named successor is not in the OpenAPI snapshot limner is built against, so "
                "the replacement is its newest model there, gpt-image-2."
            ),
        ),
    ),
    _model(
        "gpt-image-1-mini",
        "GPT Image 1 mini",
        _GPT_IMAGE,
        lifecycle=Lifecycle(status="active", source=_SPEC),
    ),
    _model(
        "chatgpt-image-latest",
        "ChatGPT Image (latest)",
        _GPT_IMAGE.model_copy(update={"operations": ("edit",)}),
        description=(
            "Listed for image edits only; follows the GPT image models' input constraints. "
            "No price is published in the sources."
        ),
        lifecycle=Lifecycle(status="active", source=_SPEC),
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
            replacement=f"{PROVIDER}/gpt-image-2",
            source=(
                "https://developers.openai.com/api/docs/models/dall-e-3 ('Shut down'); date "
                "from " + _SDK_DEPRECATIONS + " ('retired on May 12, 2026. Use a GPT image "
                "model instead')"
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
            replacement=f"{PROVIDER}/gpt-image-1-mini",
            source=(
                _SDK_DEPRECATIONS + " ('retired on May 12, 2026. Use a GPT image model "
                "instead'); gpt-image-1-mini is the cheapest GPT image model"
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

# Models for which "Resolutions above 2560x1440 are experimental" [SPEC CreateImageRequest.size];
# a size sent above that gets an ``experimental_size`` notice. "Above" is read as more pixels
# than 2560x1440 (3,686,400), whatever the orientation: the spec names resolutions (pixel
# counts, like its "maximum supported resolution is 3840x2160", which third-party pages give as
# 8,294,400 pixels) and speaks of "pixel and edge limits" separately. So 1440x2560 is not
# experimental, 2048x2048 (4,194,304 pixels) is.
EXPERIMENTAL_SIZES = frozenset({"gpt-image-2", "gpt-image-2-2026-04-21"})
EXPERIMENTAL_PIXELS = 2560 * 1440


def is_dalle(name: str) -> bool:
    """DALL·E models take ``response_format`` and no GPT-image fields."""
    return name.startswith("dall-e")
