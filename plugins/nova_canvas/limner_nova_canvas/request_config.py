"""Prompt text and ``imageGenerationConfig``: size, quality, n, seed and cfgScale, fitted to Nova
and reported when changed [nova-canvas.md §2 imageGenerationConfig]."""

from __future__ import annotations

from limner import EditRequest, GenerateRequest, InvalidRequestError
from limner.requests import parse_size
from limner.sizing import fit_size, parse_ratio, size_for_ratio

from .models import DEFAULT_SIZE, MAX_SEED, MAX_TEXT, SIZE_RULES
from .plan import Plan, option_param

__all__ = [
    "DEFAULT_SEED",
    "apply_config",
    "apply_text",
    "drop_unsupported",
]

SAFE_MAX_SEED = 858_993_459
"""The schema allows seeds to MAX_SEED; AWS's code examples and the AWSLABS validator stop here
[nova-canvas.md §2 seed: "so that is the safe range"]. limner sends larger seeds, with a warning."""
DEFAULT_SEED = 12
IMAGE_SIZE_LONG_SIDE = {"1K": 1024, "2K": 2048, "4K": 4096}
"""``image_config.image_size`` as the long side wanted (then fitted to the pixel limit)."""
_SIZED = frozenset({"TEXT_IMAGE", "COLOR_GUIDED_GENERATION", "IMAGE_VARIATION"})
_PROMPTED = GenerateRequest | EditRequest


def apply_text(plan: Plan) -> None:
    """``text`` and ``negativeText`` (1 to 1024 characters each; the negative prompt's limit is
    the model's ``capabilities.max_negative_prompt_chars``)."""
    request = plan.call.request
    if not isinstance(request, _PROMPTED):
        return
    # an empty prompt: an edit core let do without one (edit_modes_without_prompt), sent none
    textless = plan.task == "BACKGROUND_REMOVAL" or plan.mode == "erase"
    if request.prompt and textless:
        why = (
            "background removal takes no text"
            if plan.task == "BACKGROUND_REMOVAL"
            else "erase inpaints the masked area without text, which removes what it covers"
        )
        plan.drop("prompt", request.prompt, why)
    elif request.prompt:
        plan.params["text"] = request.prompt
    negative = request.negative_prompt
    if negative is None:
        return
    limit = plan.call.model.capabilities.max_negative_prompt_chars
    if plan.task == "BACKGROUND_REMOVAL":
        plan.drop("negative_prompt", negative, "background removal takes no text")
    elif not negative.strip():
        plan.drop("negative_prompt", negative, "Nova's negativeText must not be blank")
    elif limit is not None and len(negative) > limit:
        raise InvalidRequestError(
            f"negative_prompt is {len(negative)} characters; Nova's negativeText takes at most "
            f"{limit}",
            param="negative_prompt",
        )
    else:
        plan.params["negativeText"] = negative
        combined = len(plan.params.get("text", "")) + len(negative)
        if combined > MAX_TEXT:  # the same on every call: said once (plan_warnings)
            plan.warn(
                "prompt_may_be_too_long",
                f"prompt and negative_prompt have {combined:,} characters together; AWS's "
                f"service card may cap the two at {MAX_TEXT:,} combined, and Bedrock would then "
                "refuse the call: shorten one if it does",
                param="negative_prompt",
            )


_NO_END_USER = "Bedrock InvokeModel has no end-user field"
_NOT_STREAMED = (
    "Nova has no partial images (OpenAI's come in streamed responses, which limner does not make)"
)


def drop_unsupported(plan: Plan) -> None:
    """Portable settings Nova has no field for, reported as dropped."""
    request = plan.call.request
    if request.user is not None:
        plan.drop("user", request.user, _NO_END_USER)
    if not isinstance(request, _PROMPTED):
        return
    for param, value, reason in (
        ("safety_identifier", request.safety_identifier, _NO_END_USER),
        ("partial_images", request.partial_images, _NOT_STREAMED),
        ("background", request.background, "Nova has no background setting"),
        ("moderation", request.moderation, "Nova's content filter is not configurable"),
        ("output_compression", request.output_compression, "Nova returns PNG images"),
        ("metadata", request.metadata, "Bedrock InvokeModel has no metadata field"),
    ):
        if value is not None:
            plan.drop(param, value, reason)
    if request.output_format is not None and request.output_format.lower() != "png":
        plan.adjust("output_format", request.output_format, "png", "Nova returns PNG images")
    if isinstance(request, EditRequest) and request.input_fidelity is not None:
        plan.drop("input_fidelity", request.input_fidelity, "Nova has no input fidelity")
    _style(plan, request)


def _style(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    wanted = plan.options.style or request.style
    if plan.options.style and request.style and request.style != plan.options.style:
        plan.adjust(
            "style",
            request.style,
            plan.options.style,
            f"{option_param('style')} overrides the request's style",
        )
    if wanted is None:
        return
    if plan.task != "TEXT_IMAGE":
        plan.drop(
            "style", wanted, f"Nova's style presets apply to TEXT_IMAGE only, not {plan.task}"
        )
        return
    plan.params["style"] = wanted


def apply_config(plan: Plan) -> None:
    """``imageGenerationConfig``: numberOfImages, width/height, quality, cfgScale, seed.
    Background removal takes none: what the request set for it is reported as dropped."""
    request = plan.call.request
    if plan.task == "BACKGROUND_REMOVAL":
        _size(plan)
        for param in ("quality", "seed"):
            value = getattr(request, param, None)
            if value is not None:
                plan.drop(param, value, "background removal takes no imageGenerationConfig")
        return
    plan.config["numberOfImages"] = plan.call.n
    _size(plan)
    quality = getattr(request, "quality", None)
    if quality is not None:
        caps = plan.call.model.capabilities  # (its quality_map: the portable words as its own)
        applied = quality if quality in caps.qualities else caps.quality_map.get(quality)
        if applied is None:  # core validated quality against the model's vocabulary
            raise InvalidRequestError(f"Nova has no quality {quality!r}", param="quality")
        if applied != quality:
            plan.adjust("quality", quality, applied, "Nova's qualities are standard and premium")
        plan.config["quality"] = applied
        plan.quality = applied
    if plan.options.cfg_scale is not None:
        plan.config["cfgScale"] = plan.options.cfg_scale
    _seed(plan)


def _size(plan: Plan) -> None:
    request = plan.call.request
    if isinstance(request, GenerateRequest | EditRequest):
        config = request.image_config
        aspect = config.aspect_ratio if config is not None else None
        image_size = config.image_size if config is not None else None
    else:
        aspect = image_size = None
    size = request.size
    if plan.task not in _SIZED:
        for param, value in (
            ("size", size),
            ("image_config.aspect_ratio", aspect),
            ("image_config.image_size", image_size),
        ):
            if value is not None:
                plan.drop(param, value, f"{plan.task} output keeps the input image's size")
        return
    wh: tuple[int, int] | None = None
    if size is not None and size != "auto":
        for param, value in (
            ("image_config.aspect_ratio", aspect),
            ("image_config.image_size", image_size),
        ):
            if value is not None:
                plan.drop(param, value, f"an explicit size ({size}) wins over {param}")
        wanted = parse_size(size)
        assert wanted is not None  # the request schema checked the pattern
        wh = fit_size(*wanted, SIZE_RULES)
        if wh != wanted:
            problems = "; ".join(SIZE_RULES.violations(*wanted))
            plan.adjust("size", size, _fmt(wh), f"Nova's size rules: {problems}; sent the nearest")
    elif aspect is not None or image_size is not None:
        wh = _from_config(plan, aspect, image_size)
    elif size == "auto":
        plan.adjust("size", "auto", DEFAULT_SIZE, "Nova has no automatic size; its default")
    if wh is not None:
        plan.config["width"], plan.config["height"] = wh
        plan.size = _fmt(wh)
    else:
        plan.size = plan.size or DEFAULT_SIZE
        _say_edit_is_variation(plan, size)


def _say_edit_is_variation(plan: Plan, size: str | None) -> None:
    """An edit without a mask or a size, which Nova makes as an ``IMAGE_VARIATION``: at its
    default size, whatever the input's shape (a landscape photo comes back square), said with
    the size that would keep the shape."""
    request = plan.call.request
    if size is not None or not isinstance(request, EditRequest) or request.edit_mode is not None:
        return
    image = plan.call.images[0]
    keep = ""
    if image.width and image.height and image.width != image.height:  # (a square one keeps
        fitted = _fmt(fit_size(image.width, image.height, SIZE_RULES))  # its shape already)
        if fitted != DEFAULT_SIZE:
            keep = f" (size={fitted!r} keeps the first image's shape)"
    plan.warn(
        "default_applied",
        "an edit without a mask is made as Nova's IMAGE_VARIATION (the prompt guides a "
        f"variation of the whole image), at its default size {DEFAULT_SIZE}: give a size{keep}, "
        "or a mask (edit_mode='inpaint') to change only part of the image",
        param="size",
    )


def _from_config(plan: Plan, aspect: str | None, image_size: str | None) -> tuple[int, int]:
    long_side = 1024
    if image_size is not None:
        if image_size.upper() not in IMAGE_SIZE_LONG_SIDE:
            raise InvalidRequestError(
                f"image_config.image_size {image_size!r}: Nova takes 1K, 2K or 4K (or a size)",
                param="image_config.image_size",
            )
        long_side = IMAGE_SIZE_LONG_SIDE[image_size.upper()]
    ratio = parse_ratio(aspect) if aspect is not None else 1.0
    wh = size_for_ratio(ratio, long_side, SIZE_RULES)
    reason = "Nova takes width and height: computed them (multiples of 16, within its rules)"
    if aspect is not None:
        plan.adjust("image_config.aspect_ratio", aspect, _fmt(wh), reason)
    if image_size is not None:
        if max(wh) < long_side:  # 4K, or 2K at 1:1, is beyond the pixel limit
            reason = (
                f"Nova takes width and height, at most 4,194,303 pixels: {image_size} "
                f"({long_side} px on the long side) does not fit, so the largest size of this "
                "shape within its rules"
            )
        plan.adjust("image_config.image_size", image_size, _fmt(wh), reason)
    return wh


def _seed(plan: Plan) -> None:
    """The seed within the model's ``capabilities.seed_range`` (core checks it against the
    same range first; this guards callers of ``translate``), or Nova's schema range for a
    model that declares none."""
    request = plan.call.request
    seed = getattr(request, "seed", None)
    index = plan.call.index
    low, high = plan.call.model.capabilities.seed_range or (0, MAX_SEED)
    if seed is not None and not low <= seed <= high:
        raise InvalidRequestError(f"seed must be between {low} and {high}", param="seed")
    if seed is not None and seed > SAFE_MAX_SEED and index == 0:
        plan.warn(
            "seed_above_safe_range",
            f"seed {seed} is within Nova's schema ({low} to {high}) but above the 0 to "
            f"{SAFE_MAX_SEED} that AWS's own examples and validator use; if Bedrock refuses it, "
            "pick a smaller seed",
            param="seed",
        )
    # Nova's seed is fixed (12) when none is sent: a split call gets its own seed even then
    applied = plan.split_seed(seed, index, low=low, high=high, default=DEFAULT_SEED)
    if applied is not None:
        plan.config["seed"] = applied


def _fmt(wh: tuple[int, int]) -> str:
    return f"{wh[0]}x{wh[1]}"
