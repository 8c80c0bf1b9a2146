"""The Stability AI models, as data.

Facts come from Stability's v2beta OpenAPI document as summarised in
``shared/providers/stability.md`` §2-§3 (the Jan 2026 snapshot [SPEC-2026] where it differs from
the saved Oct 2024 one [SPEC-2024]); prices in :mod:`limner_stability.prices`.

Every model makes one image per call (core splits ``n``). The edit services (inpaint, outpaint,
erase, search-and-replace, search-and-recolor, remove-background) are Stability endpoints of
their own, not tied to a generation model: every model that edits reaches them through
``edit_mode``; the model matters only for ``image-to-image``. Stable Image Core takes no input
image, so it only generates.
"""

from __future__ import annotations

from collections.abc import Mapping

from limner import Capabilities, FieldRule, Lifecycle, ModelInfo, OperationCapabilities

from .fields import MAX_NEGATIVE_PROMPT, MAX_SEED
from .options import STYLE_PRESETS
from .prices import SHEETS

__all__ = [
    "ASPECT_RATIOS",
    "EDIT_SERVICES",
    "ENDPOINTS",
    "MODELS",
    "OUTPUT_FORMATS",
    "PROVIDER",
    "REMOVE_BACKGROUND_FORMATS",
    "SD3_MODELS",
]

PROVIDER = "stabilityai"

# The nine ``aspect_ratio`` values of every generate endpoint [SPEC-2024, SPEC-2026].
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
# sd3 gained webp in 2026 ([SPEC-2024] sd3: png, jpeg); core and ultra had it already.
OUTPUT_FORMATS = ("png", "jpeg", "webp")
EDIT_SERVICES = (
    "inpaint",
    "outpaint",
    "erase",
    "search-and-replace",
    "search-and-recolor",
    "remove-background",
)

MASKED_MODES = ("inpaint", "erase")
"""The edit modes that take a mask [SPEC: only /edit/inpaint and /edit/erase have ``mask``]."""
REMOVE_BACKGROUND_FORMATS = ("png", "webp")
"""The output formats of /edit/remove-background [SPEC: ``output_format`` png or webp only]."""

EDIT_RULES = (
    FieldRule(
        when="edit_mode",
        values=("image-to-image", *(m for m in EDIT_SERVICES if m not in MASKED_MODES)),
        then="mask",
        reason="only inpaint and erase take a mask",
    ),
    FieldRule(
        when="edit_mode",
        values=("remove-background",),
        then="n",
        allowed=(1,),
        reason="remove-background takes no seed, so n > 1 would pay for copies of one image",
    ),
    # refused rather than adjusted to png: the mode's output is its transparent background,
    # which JPEG cannot hold (as OpenAI's models refuse jpeg with a transparent background)
    FieldRule(
        when="edit_mode",
        values=("remove-background",),
        then="output_format",
        allowed=REMOVE_BACKGROUND_FORMATS,
        reason="remove-background returns png or webp only (a transparent background, which "
        "JPEG cannot hold)",
    ),
)

SD3_MODELS = frozenset({"sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"})

ENDPOINTS: Mapping[str, str] = {
    **{name: "generate/sd3" for name in SD3_MODELS},
    "stable-image-core": "generate/core",
    "stable-image-ultra": "generate/ultra",
}
"""The generate endpoint of each model, under ``/v2beta/stable-image/``."""

_GENERATE = Capabilities(
    operations=("generate",),
    aspect_ratios=ASPECT_RATIOS,
    max_images_per_call=1,
    max_n=10,
    max_prompt_chars=10000,
    response_formats=("b64_json",),
    output_formats=OUTPUT_FORMATS,
    seed=True,
    seed_range=(0, MAX_SEED),  # 0 asks Stability for a random seed
    negative_prompt=True,
    max_negative_prompt_chars=MAX_NEGATIVE_PROMPT,
    # the request's style is sent as style_preset, which every generate service takes, and of
    # the edits inpaint, outpaint, search-and-replace and search-and-recolor [SPEC-2026]
    styles=STYLE_PRESETS,
)

_EDITING = _GENERATE.model_copy(
    update={
        "operations": ("generate", "edit"),
        "max_input_images": 1,
        "mask": True,
        # "In the event the mask is a different size than the image parameter, it will be
        # automatically resized" (v2beta OpenAPI, /edit/inpaint and /edit/erase mask)
        "mask_any_size": True,
        # "white = full inpaint strength, black = keep" (v2beta OpenAPI, /edit/inpaint mask)
        "mask_format": (
            "white = edit, black = keep, grey = edit in part (per-pixel strength); resized to "
            "the image by Stability"
        ),
        # inpaint first: the default with a mask; without one limner picks image-to-image.
        "edit_modes": ("inpaint", "image-to-image", *EDIT_SERVICES[1:]),
        # erase and remove-background take no prompt; outpaint's is optional [SPEC]
        "edit_modes_without_prompt": ("outpaint", "erase", "remove-background"),
        # a mask, or else the image's alpha: Stability reads it as the mask [SPEC]
        "edit_modes_needing_mask": MASKED_MODES,
        "mask_from_alpha": True,
        "field_rules": EDIT_RULES,
        # no edit takes a size: the edit services have no such field, and sd3's aspect_ratio is
        # "only valid for text-to-image" [SPEC]. Their output is sized by Stability: "4
        # megapixels" for inpaint, erase and search-and-replace, the input's for
        # search-and-recolor [SPEC-2026 ### Output]. Ultra's aspect_ratio carries no such
        # restriction, but whether it applies with an input image is unverified: not sent.
        "per_operation": {"edit": OperationCapabilities(aspect_ratios=())},
    }
)

_SPEC_2026 = (
    "Stability v2beta OpenAPI, Jan 2026 snapshot (calebmills99/Golden_Gigas "
    "stability_openapi.json @ 4584a20ce81044f78a587f326b5a61dacdbd0a48)"
)


def _model(
    name: str, display: str, caps: Capabilities, description: str, aliases: tuple[str, ...] = ()
) -> ModelInfo:
    """One model; ``aliases`` are the sd3 names Stability re-routes to the sd3.5 model at the
    same price since 2025-04-17 [stability.md §2a, ``model`` row]."""
    return ModelInfo(
        id=f"{PROVIDER}/{name}",
        provider=PROVIDER,
        name=name,
        aliases=aliases,
        display_name=display,
        description=description,
        capabilities=caps,
        lifecycle=Lifecycle(status="active", source=_SPEC_2026),
        pricing=SHEETS[name],
    )


MODELS: tuple[ModelInfo, ...] = (
    _model(
        "sd3.5-large",
        "Stable Diffusion 3.5 Large",
        _EDITING,
        "About 1 MP; /generate/sd3 with model=sd3.5-large. cfg_scale default 4.",
        aliases=("sd3-large",),  # Stability re-routes it here
    ),
    _model(
        "sd3.5-large-turbo",
        "Stable Diffusion 3.5 Large Turbo",
        _EDITING,
        "About 1 MP; /generate/sd3 with model=sd3.5-large-turbo. cfg_scale default 1.",
        aliases=("sd3-large-turbo",),  # Stability re-routes it here
    ),
    _model(
        "sd3.5-medium",
        "Stable Diffusion 3.5 Medium",
        _EDITING,
        "About 1 MP; /generate/sd3 with model=sd3.5-medium. cfg_scale default 4.",
        aliases=("sd3-medium",),  # Stability re-routes it here
    ),
    _model(
        "sd3.5-flash",
        "Stable Diffusion 3.5 Flash",
        _EDITING,
        "About 1 MP; /generate/sd3 with model=sd3.5-flash (listed in the 2026 model description, "
        "not yet in its enum). cfg_scale default 1; image-to-image strength best 0.94-0.97.",
    ),
    _model(
        "stable-image-core",
        "Stable Image Core",
        _GENERATE,
        "About 1.5 MP; /generate/core. Takes no input image, so it only generates.",
    ),
    _model(
        "stable-image-ultra",
        "Stable Image Ultra",
        _EDITING,
        "About 1 MP; /generate/ultra (image-to-image with image + strength since 2026).",
    ),
)
