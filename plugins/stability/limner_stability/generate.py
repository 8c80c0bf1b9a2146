"""Text-to-image fields for ``/generate/sd3``, ``/generate/core`` and ``/generate/ultra``."""

from __future__ import annotations

from limner import EditRequest, GenerateRequest
from limner.sizing import parse_ratio

from . import fields
from .aspect import nearest_aspect, size_ratio
from .models import SD3_MODELS
from .plan import Plan

__all__ = ["generate_plan", "generation_fields"]

# About one megapixel for SD 3.5 and Ultra, 1.5 for Core [SPEC]: the model picks the pixels.
_MEGAPIXELS = {"stable-image-core": "about 1.5 MP"}


def generate_plan(plan: Plan, request: GenerateRequest) -> None:
    """``mode=text-to-image`` fields (sd3 sends no ``mode``: text-to-image is its default)."""
    if plan.endpoint == "generate/sd3":
        plan.set("model", plan.model_name)
    generation_fields(plan, request)
    aspect_ratio(plan, request)


def generation_fields(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    """Fields shared by text-to-image and image-to-image on the generate endpoints."""
    fields.prompt(plan, request, takes=True)
    fields.negative_prompt(plan, request, takes=True)
    fields.seed(plan, request, takes=True)
    fields.output_format(plan, request, ("png", "jpeg", "webp"))
    sd3 = plan.model_name in SD3_MODELS
    applicable = {"style_preset", "cfg_scale"} if sd3 else {"style_preset"}
    # image-to-image sends strength itself (with a default); text-to-image takes none.
    handled = {"strength"} if plan.mode == "image-to-image" else set()
    fields.style(plan, request, takes=True)
    fields.apply_options(plan, applicable, handled=handled)
    fields.unsupported(plan, request)


def aspect_ratio(plan: Plan, request: GenerateRequest) -> None:
    """``image_config.aspect_ratio`` or ``size`` as the nearest of the nine ratios. Stability
    takes an aspect ratio, not pixels, so given both, ``image_config`` (its own terms) wins, as
    on Google; an explicit ``size`` is always reported."""
    config = request.image_config
    aspect = config.aspect_ratio if config is not None else None
    image_size = config.image_size if config is not None else None
    pixels = _MEGAPIXELS.get(plan.model_name, "about 1 MP")
    if image_size is not None:
        plan.drop(
            "image_config.image_size",
            image_size,
            f"Stability has no resolution classes; {plan.model_name} makes {pixels}",
        )
    if aspect is not None:
        if request.size is not None:
            plan.drop(
                "size",
                request.size,
                f"image_config.aspect_ratio ({aspect}) wins: Stability takes an aspect ratio, "
                "not pixels",
            )
        applied, exact = nearest_aspect(parse_ratio(aspect))
        if not exact or applied != aspect:
            plan.adjust(
                "image_config.aspect_ratio",
                aspect,
                applied,
                f"Stability takes one of nine aspect ratios; {applied} is the nearest",
            )
        plan.set("aspect_ratio", applied)
    elif request.size is not None and request.size != "auto":
        applied, exact = nearest_aspect(size_ratio(request.size))
        how = "exactly" if exact else "the nearest of the nine ratios to"
        plan.adjust(
            "size",
            request.size,
            applied,
            f"Stability takes an aspect_ratio, not pixels: {applied} is {how} {request.size}; "
            f"{plan.model_name} makes {pixels} at that ratio",
        )
        plan.set("aspect_ratio", applied)
    elif request.size == "auto":
        plan.adjust("size", "auto", "1:1", "Stability has no automatic size; sent its default")
        plan.set("aspect_ratio", "1:1")
