"""Amazon Nova Canvas as data: size rules, qualities, edit modes, lifecycle and prices.

Facts come from ``shared/providers/nova-canvas.md`` (cited there by source key): size rules and
``imageGenerationConfig`` ranges [AWSLABS; SKILL], tasks [AWS-ACCESS], lifecycle and regions
[SKILL], prices [SKILL, a snapshot of aws.amazon.com/bedrock/pricing verified 2026-07-09].

A successor model (or a private deployment) is one :func:`nova_canvas_model` call away; register
it with a ``register_models`` hook, or point an existing id at another Bedrock model id or ARN
with the ``model_ids`` setting.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, get_args

from limner import (
    Capabilities,
    FieldRule,
    ImagePrice,
    Lifecycle,
    ModelInfo,
    OperationCapabilities,
    PriceSheet,
    SizeRules,
)

__all__ = [
    "CANVAS_V1",
    "DEFAULT_SIZE",
    "EDIT_MODES",
    "MASK_FORMAT",
    "MAX_SEED",
    "MAX_TEXT",
    "MODELS",
    "PROVIDER",
    "REGIONS",
    "SIZE_RULES",
    "STYLES",
    "NovaStyle",
    "nova_canvas_model",
]

PROVIDER = "amazon"
CANVAS_V1 = "amazon.nova-canvas-v1:0"
REGIONS = ("us-east-1", "eu-west-1", "ap-northeast-1")
DEFAULT_SIZE = "1024x1024"
MAX_TEXT = 1024
"""The longest ``text`` and ``negativeText`` Nova takes [nova-canvas.md §2 TEXT_IMAGE]."""
MAX_SEED = 2_147_483_646
"""The largest ``imageGenerationConfig.seed`` in Nova's schema [nova-canvas.md §2]."""

# 320-4096 px per side, multiples of 16, fewer than 4,194,304 pixels (AWSLABS rejects 2048x2048
# although AWS prose names it valid: the stricter rule is kept), aspect 1:4 to 4:1.
SIZE_RULES = SizeRules(
    min_side=320,
    max_side=4096,
    multiple_of=16,
    max_pixels=4_194_303,
    min_aspect=0.25,
    max_aspect=4.0,
)

NovaStyle = Literal[
    "3D_ANIMATED_FAMILY_FILM",
    "DESIGN_SKETCH",
    "FLAT_VECTOR_ILLUSTRATION",
    "GRAPHIC_NOVEL_ILLUSTRATION",
    "MAXIMALISM",
    "MIDCENTURY_RETRO",
    "PHOTOREALISM",
    "SOFT_DIGITAL_PAINTING",
]
STYLES: tuple[str, ...] = get_args(NovaStyle)

# The edit_mode vocabulary shared with the other plugins (Stability's names), as Nova tasks:
# inpaint/erase → INPAINTING (erase sends no text), outpaint → OUTPAINTING,
# remove-background → BACKGROUND_REMOVAL, variation → IMAGE_VARIATION. Without edit_mode an edit
# with a mask (or provider_options.amazon.mask_prompt) inpaints and one without is a variation.
# An inpaint or outpaint without either takes the image's fully transparent pixels as the area.
EDIT_MODES = ("inpaint", "outpaint", "erase", "remove-background", "variation")

EDIT_RULES = (
    FieldRule(
        when="edit_mode",
        values=("remove-background", "variation"),
        then="mask",
        reason="BACKGROUND_REMOVAL and IMAGE_VARIATION take no mask",
    ),
    FieldRule(
        when="edit_mode",
        values=("remove-background",),
        then="n",
        allowed=(1,),
        reason="BACKGROUND_REMOVAL returns one image: it takes no imageGenerationConfig",
    ),
)

# Nova's own masks, which limner builds from the OpenAI-convention mask (transparent = edit):
# pure black and white only; inpainting changes black [AWS-ACCESS], outpainting white [SKILL;
# AWS prose is inconsistent there] (nova-canvas.md §2 Masks). The polarity flips between tasks.
MASK_FORMAT = (
    "RGB PNG of pure black (0,0,0) and pure white (255,255,255) only; inpaint and erase: "
    "black = edit, white = keep; outpaint: white = edit (the area to fill), black = keep"
)

_PRICE_SOURCE = (
    "https://aws.amazon.com/bedrock/pricing/ (on-demand, per generated image), as recorded by "
    "calesthio/generative-media-skills amazon-nova-canvas/SKILL.md, verified 2026-07-09"
)

CANVAS_PRICES = PriceSheet(
    source=_PRICE_SOURCE,
    as_of=dt.date(2026, 7, 9),
    per_image=(
        ImagePrice(usd=Decimal("0.04"), quality="standard", max_size="1024x1024"),
        ImagePrice(usd=Decimal("0.06"), quality="premium", max_size="1024x1024"),
        ImagePrice(usd=Decimal("0.06"), quality="standard", max_size="2048x2048"),
        ImagePrice(usd=Decimal("0.08"), quality="premium", max_size="2048x2048"),
    ),
    notes=(
        "Size is a band (max_size): 'up to 1024x1024' (width*height <= 1,048,576) or 'up to "
        "2048x2048'; "
        "the band prices apply to every task and edit mode (AWS lists no per-task prices). "
        "Only returned images are billed by limner's count; AWS does not say whether images "
        "its content filter blocked are billed. Legacy extended access may cost more."
    ),
)

CANVAS_CAPABILITIES = Capabilities(
    operations=("generate", "edit", "variation"),
    size_rules=SIZE_RULES,
    default_size=DEFAULT_SIZE,
    # the long side wanted (request_config.IMAGE_SIZE_LONG_SIDE), then the largest size of the
    # shape within SIZE_RULES. 4K is taken but not listed: under 4,194,304 pixels it is 2K at 1:1
    # (2032x2032), and 4096 px long only at 4:1 (4080x1024), reported as adjusted either way
    image_sizes=("1K", "2K"),
    qualities=("standard", "premium"),
    # the portable words Nova takes as its own two [nova-canvas.md: quality standard | premium]
    quality_map={
        "auto": "standard",
        "low": "standard",
        "medium": "standard",
        "high": "premium",
        "hd": "premium",
    },
    default_quality="standard",
    # "style" sits in textToImageParams only [nova-canvas.md]: edits and variations take none
    per_operation={
        "edit": OperationCapabilities(styles=()),
        "variation": OperationCapabilities(styles=()),
    },
    max_images_per_call=5,
    max_n=10,
    max_prompt_chars=MAX_TEXT,
    max_input_images=5,
    edit_modes=EDIT_MODES,
    # erase and background removal take no text; outpainting's and variation's is optional
    edit_modes_without_prompt=("outpaint", "erase", "remove-background", "variation"),
    # a mask, the image's transparent pixels, or provider_options.amazon.mask_prompt
    edit_modes_needing_mask=("inpaint", "outpaint", "erase"),
    mask_from_alpha=True,
    field_rules=EDIT_RULES,
    mask=True,
    mask_format=MASK_FORMAT,
    regions=REGIONS,
    response_formats=("b64_json",),
    output_formats=("png",),  # always PNG: another format is refused, png is not a change
    styles=STYLES,
    seed=True,
    seed_range=(0, MAX_SEED),
    negative_prompt=True,
    max_negative_prompt_chars=MAX_TEXT,
)

_LIFECYCLE_SOURCE = (
    "calesthio/generative-media-skills amazon-nova-canvas/SKILL.md ('As verified on 2026-07-09, "
    "AWS lists amazon.nova-canvas-v1:0 as Legacy ... end-of-life date of 2026-09-30'; Legacy "
    "since 2026-03-30); Bedrock model-lifecycle docs: new customers cannot use a Legacy model"
)


def nova_canvas_model(
    name: str = CANVAS_V1,
    *,
    display_name: str = "Amazon Nova Canvas",
    lifecycle: Lifecycle | None = None,
    pricing: PriceSheet | None = CANVAS_PRICES,
    capabilities: Capabilities = CANVAS_CAPABILITIES,
    aliases: tuple[str, ...] = (),
) -> ModelInfo:
    """A Nova Canvas model entry for Bedrock model id ``name`` (the id sent on the wire).

    Use it for a successor: ``register(nova_canvas_model("amazon.nova-canvas-v2:0"))`` in a
    ``register_models`` hook gives ``amazon/amazon.nova-canvas-v2:0`` the same translation.
    """
    return ModelInfo(
        id=f"{PROVIDER}/{name}",
        provider=PROVIDER,
        name=name,
        display_name=display_name,
        description=(
            "Text to image, inpainting, outpainting, background removal and variations on "
            "Bedrock Runtime (in-Region, on-demand only; regions in capabilities.regions). "
            "Masks are converted from OpenAI's convention (transparent = edit) to Nova's own "
            "(capabilities.mask_format). Sizes: 320-4096 px per side, multiples of 16, under "
            "4,194,304 pixels, aspect 1:4 to 4:1. Input images: 320-4096 px per side, aspect "
            "1:4 to 4:1, at most 4,194,304 pixels."
        ),
        aliases=aliases,
        capabilities=capabilities,
        lifecycle=lifecycle or Lifecycle(status="active"),
        pricing=pricing,
    )


# Past its end of life (2026-09-30), after which Bedrock requests fail [nova-canvas.md §0]: the
# model is declared shut down. Calls still go out (dates move), with core's shutdown warning.
MODELS: tuple[ModelInfo, ...] = (
    nova_canvas_model(
        CANVAS_V1,
        aliases=("nova-canvas",),
        lifecycle=Lifecycle(
            status="shutdown",
            deprecated_on=dt.date(2026, 3, 30),
            shutdown_on=dt.date(2026, 9, 30),
            source=_LIFECYCLE_SOURCE,
        ),
    ),
)
