"""Edit requests: which endpoint each ``edit_mode`` uses and the fields it takes.

Without ``edit_mode`` a request with a mask is an ``inpaint`` and one without is
``image-to-image`` (``/generate/sd3`` or ``/generate/ultra`` with ``image`` + ``strength``). The
other modes are Stability's edit services under ``/v2beta/stable-image/edit/``. The mask, in
limner's convention (transparent = edit), is sent as Stability's black-and-white mask (white =
edit), the same size as the image.
"""

from __future__ import annotations

from collections.abc import Mapping

from limner import EditRequest, FilePart, InputImage, InvalidRequestError, UnsupportedFeatureError
from limner.images import accepted_image
from limner.masks import mask_to_strength
from limner.responses import TRANSPARENCY_NOT_USED_AS_MASK

from . import fields
from .generate import generation_fields
from .models import (
    ENDPOINTS,
    MASKED_MODES,
    OUTPUT_FORMATS,
    REMOVE_BACKGROUND_FORMATS,
    SD3_MODELS,
)
from .plan import Plan

ACCEPTED_IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})
"""Input image formats every edit endpoint takes [SPEC ``image``: "Supported Formats"]."""

__all__ = ["DEFAULT_STRENGTH", "OPTIONS_BY_MODE", "edit_plan", "endpoint_for", "mode_of"]

# Not in the spec (strength is required, with no default): limner's choice, overridable with
# provider_options.stabilityai.strength. sd3.5-flash works best at 0.94-0.97 [SPEC-2026].
DEFAULT_STRENGTH = {"sd3.5-flash": 0.95}
DEFAULT_STRENGTH_OTHERS = 0.7

OPTIONS_BY_MODE: Mapping[str, frozenset[str]] = {
    "inpaint": frozenset({"grow_mask", "style_preset"}),
    "outpaint": frozenset({"left", "right", "up", "down", "creativity", "style_preset"}),
    "erase": frozenset({"grow_mask"}),
    "search-and-replace": frozenset({"search_prompt", "grow_mask", "style_preset"}),
    "search-and-recolor": frozenset({"select_prompt", "grow_mask", "style_preset"}),
    "remove-background": frozenset(),
}
"""Provider options each edit service takes [SPEC-2026]."""

_GROW_MASK_MAX = {"inpaint": 100.0}  # the others: 0-20
_TAKES_PROMPT = {"inpaint", "outpaint", "search-and-replace", "search-and-recolor"}
_TAKES_NEGATIVE = {"inpaint", "search-and-replace", "search-and-recolor"}
_TAKES_MASK = frozenset(MASKED_MODES)
# Input image limits [SPEC]: every side >= 64; pixels 4,096-9,437,184 (remove-background up to
# 4,194,304); outpaint and the search services 1:2.5-2.5:1.
_MOST_PIXELS = 9_437_184
"""The most pixels an edit service takes [SPEC], unless ``_MAX_PIXELS`` says less for a mode."""
_MAX_PIXELS = {"remove-background": 4_194_304}
_ASPECT_LIMITED = {"outpaint", "search-and-replace", "search-and-recolor"}


def mode_of(request: EditRequest, has_mask: bool) -> str:
    if request.edit_mode is not None:
        return request.edit_mode
    return "inpaint" if has_mask else "image-to-image"


def endpoint_for(model_name: str, mode: str) -> str:
    if mode == "image-to-image":
        return ENDPOINTS[model_name]
    return f"edit/{mode}"


def edit_plan(plan: Plan, request: EditRequest) -> None:
    image = _the_image(plan)
    if plan.mode == "image-to-image":
        _image_to_image(plan, request, image)
        return
    _check_image(plan, image)
    mode = (
        plan.mode
    )  # n > 1 for remove-background, a mask elsewhere: core refuses them (EDIT_RULES)
    plan.files.append(_image_file(plan, image))
    if mode in _TAKES_MASK:
        _mask(plan, image)
    fields.prompt(plan, request, takes=mode in _TAKES_PROMPT)
    fields.negative_prompt(plan, request, takes=mode in _TAKES_NEGATIVE)
    fields.seed(plan, request, takes=mode != "remove-background")
    # jpeg for remove-background: core refuses it first (EDIT_RULES); a direct translate call
    # gets png, reported
    formats = REMOVE_BACKGROUND_FORMATS if mode == "remove-background" else OUTPUT_FORMATS
    fields.output_format(plan, request, formats)
    fields.style(plan, request, takes="style_preset" in OPTIONS_BY_MODE[mode])
    _mode_options(plan)
    _no_size(plan, request)
    fields.unsupported(plan, request)


def _the_image(plan: Plan) -> InputImage:
    images = plan.call.images
    if len(images) != 1:
        raise UnsupportedFeatureError(
            f"Stability edits exactly one input image; got {len(images)}",
            param="images",
        )
    if images[0].data is None:  # core downloads URLs; file ids are refused by capabilities
        raise UnsupportedFeatureError("Stability needs the image's bytes", param="images[0]")
    return images[0]


def _image_file(plan: Plan, image: InputImage) -> FilePart:
    """The ``image`` part: JPEG, PNG and WebP as given, anything else (GIF) re-encoded as PNG
    [SPEC: "Supported Formats: jpeg, png, webp"], reported."""
    image = accepted_image(
        plan, image, "images[0]", ACCEPTED_IMAGES, "Stability takes JPEG, PNG or WebP"
    )
    assert image.data is not None and image.mime is not None
    return FilePart("image", image.filename, image.mime, image.data)


def _image_to_image(plan: Plan, request: EditRequest, image: InputImage) -> None:
    name = plan.model_name  # a mask with it: core refuses it (EDIT_RULES)
    _check_sides(plan, image, 64)
    if request.edit_mode is None and _hint_transparency(image):
        plan.warn(
            TRANSPARENCY_NOT_USED_AS_MASK,
            "the image has transparent pixels, but with no mask and no edit_mode limner sends "
            "image-to-image, which reworks the whole image; to edit only the transparent area, "
            "pass edit_mode='inpaint' (Stability reads the image's alpha as the mask)",
            param="edit_mode",
        )
    if name in SD3_MODELS:
        plan.set("mode", "image-to-image")
        plan.set("model", name)
    elif image.width is not None and image.height is not None:
        if image.width * image.height < 4096:  # "64–16,384, ≥ 4,096 px" [stability.md §2c]
            raise _bad_image(plan, "Ultra needs an image of at least 4,096 pixels")
        if max(image.width, image.height) > 16_384:
            raise _bad_image(plan, "every side must be at most 16,384 pixels")
    plan.files.append(_image_file(plan, image))
    options = fields.options_of(plan)
    strength = options.strength
    if strength is None:
        strength = DEFAULT_STRENGTH.get(name, DEFAULT_STRENGTH_OTHERS)
        plan.warn(
            "default_applied",
            f"image-to-image strength {strength} (limner's default; set "
            "provider_options.stabilityai.strength, 0 keeps the input, 1 ignores it)",
            param="provider_options.stabilityai.strength",
        )
    plan.set("strength", strength)
    generation_fields(plan, request)
    _no_size(plan, request)


_HINT_PIXELS = _MOST_PIXELS
"""Images up to this size (the edit services' own limit) are decoded to look for transparent
pixels when only a hint depends on it; larger ones are not (seconds and hundreds of MiB)."""


def _hint_transparency(image: InputImage) -> bool:
    """Whether an image-to-image input has fully transparent pixels, checked when that is
    cheap: the answer only adds a notice."""
    small = (image.width or 0) * (image.height or 0) <= _HINT_PIXELS
    return small and image.has_transparent_pixels("images[0]")


def _mask(plan: Plan, image: InputImage) -> None:
    mask = plan.call.mask
    if mask is None:
        # Stability reads the image's alpha as the mask (its strength: partly see-through
        # pixels count too), so an image with no see-through pixel has nothing to edit
        if image.alpha_floor("images[0]") == 255:
            why = "has no alpha channel" if not image.has_alpha else "has no see-through pixel"
            raise InvalidRequestError(
                f"edit_mode {plan.mode} needs a mask, or an image whose transparent pixels mark "
                f"the area (this one {why})",
                param="mask",
            )
        return  # Stability derives the mask from the image's alpha channel
    strengths = mask.derived("white_is_edit", _white_is_edit)
    plan.files.append(FilePart("mask", "mask.png", "image/png", strengths))


def _white_is_edit(mask: InputImage) -> bytes:
    """OpenAI's convention (transparent = edit) → Stability's (white = full strength, black =
    keep; a grey, a part strength [SPEC-2024 ``mask``]): a soft edge stays soft, as it does in
    an image's own alpha, which Stability reads the same way."""
    assert mask.data is not None
    return mask_to_strength(mask.data)


def _mode_options(plan: Plan) -> None:
    mode = plan.mode
    options = fields.options_of(plan)
    grow = options.grow_mask
    limit = _GROW_MASK_MAX.get(mode, 20.0)
    if grow is not None and "grow_mask" in OPTIONS_BY_MODE[mode] and grow > limit:
        raise InvalidRequestError(
            f"provider_options.stabilityai.grow_mask {grow:g} is over {limit:g} for {mode}",
            param="provider_options.stabilityai.grow_mask",
        )
    required = {"search-and-replace": "search_prompt", "search-and-recolor": "select_prompt"}
    if mode in required and getattr(options, required[mode]) is None:
        name = required[mode]
        raise InvalidRequestError(
            f"edit_mode {mode} needs provider_options.stabilityai.{name} (what to look for)",
            param=f"provider_options.stabilityai.{name}",
        )
    if mode == "outpaint" and not any(
        getattr(options, side) for side in ("left", "right", "up", "down")
    ):
        raise InvalidRequestError(
            "edit_mode outpaint needs at least one of provider_options.stabilityai.left, right, "
            "up or down (pixels to add, 1-2000)",
            param="provider_options.stabilityai.left",
        )
    fields.apply_options(plan, OPTIONS_BY_MODE[mode])


def _no_size(plan: Plan, request: EditRequest) -> None:
    config = request.image_config
    for param, value in (
        ("size", request.size),
        ("image_config.aspect_ratio", config.aspect_ratio if config else None),
        ("image_config.image_size", config.image_size if config else None),
    ):
        if value is not None:
            plan.drop(param, value, f"{plan.what} takes no size or aspect ratio")


def _check_sides(plan: Plan, image: InputImage, least: int) -> None:
    if (
        image.width is not None
        and image.height is not None
        and min(image.width, image.height) < least
    ):
        raise _bad_image(plan, f"every side must be at least {least} pixels")


def _check_image(plan: Plan, image: InputImage) -> None:
    _check_sides(plan, image, 64)
    if image.width is None or image.height is None:
        return
    pixels = image.width * image.height
    most = _MAX_PIXELS.get(plan.mode, _MOST_PIXELS)
    if not 4096 <= pixels <= most:
        raise _bad_image(plan, f"it must have 4,096 to {most:,} pixels")
    ratio = image.width / image.height
    if plan.mode in _ASPECT_LIMITED and not 1 / 2.5 <= ratio <= 2.5:
        raise _bad_image(plan, "its aspect ratio must be between 1:2.5 and 2.5:1")


def _bad_image(plan: Plan, why: str) -> InvalidRequestError:
    image = plan.call.images[0]
    return InvalidRequestError(
        f"images[0] is {image.width}x{image.height}; for {plan.what} {why}",
        param="images[0]",
        code="invalid_image_size",
    )
