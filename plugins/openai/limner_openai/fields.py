"""The body fields of one call, with every change and drop recorded.

:func:`prompt_fields` handles generations and edits, :func:`variation_fields` variations. Both
return a :class:`Plan`; :mod:`limner_openai.body` turns it into a JSON or multipart request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from limner import (
    Adjustment,
    EditRequest,
    GenerateRequest,
    InvalidRequestError,
    Notice,
    ProviderCall,
    UnsupportedFeatureError,
    VariationRequest,
)

from .models import (
    JSON_EDIT_SIZES,
    NO_INPUT_FIDELITY,
    NO_QUALITY_FIELD,
    PREVIEW_TRANSPARENCY,
    is_dalle,
)
from .options import OpenAIOptions
from .translate import (
    KNOWN_QUALITIES,
    aspect_of,
    fit_free_size,
    map_quality,
    nearest_size,
    parse_image_size,
    parse_wh,
    size_for_aspect,
)

__all__ = ["Form", "Plan", "prompt_fields", "variation_fields"]

Form = Literal["json", "multipart"]

# Default size of a multipart edit when none is sent [SPEC CreateImageEditRequest.size].
MULTIPART_EDIT_DEFAULT_SIZE = "1024x1024"
FIDELITIES = ("high", "low")


@dataclass
class Plan:
    """The fields being built for one call, and what was changed on the way."""

    call: ProviderCall
    form: Form
    fields: dict[str, Any] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    size: str | None = None
    quality: str | None = None

    @property
    def model_name(self) -> str:
        return self.call.model.name

    def adjust(self, param: str, requested: Any, applied: Any, reason: str) -> None:
        self.adjustments.append(
            Adjustment(param=param, requested=requested, applied=applied, reason=reason)
        )

    def drop(self, param: str, requested: Any, reason: str) -> None:
        self.adjust(param, requested, None, reason)


# ---- entry points ------------------------------------------------------------------------------


def prompt_fields(call: ProviderCall, request: GenerateRequest | EditRequest, form: Form) -> Plan:
    """Fields for ``/images/generations`` or ``/images/edits``."""
    plan = Plan(call=call, form=form)
    _check_operation(plan)
    _check_prompt(plan, request.prompt)
    plan.fields.update(model=plan.model_name, prompt=request.prompt, n=_n(plan))
    _size(plan, request.size, request)
    _quality(plan, request.quality)
    _response_format(plan, request.response_format)
    _style(plan, request.style)
    _gpt_image_fields(plan, request)
    _input_fidelity(plan, request)
    _unsupported(plan, request)
    _user_and_forwarded(plan, request)
    return plan


def variation_fields(call: ProviderCall, request: VariationRequest) -> Plan:
    """Fields for ``/images/variations`` (multipart, dall-e-2)."""
    plan = Plan(call=call, form="multipart")
    _check_operation(plan)
    plan.fields.update(model=plan.model_name, n=_n(plan))
    _size(plan, request.size, None)
    _response_format(plan, request.response_format)
    _user_and_forwarded(plan, request)
    return plan


# ---- checks ------------------------------------------------------------------------------------


def _check_operation(plan: Plan) -> None:
    caps = plan.call.model.capabilities
    if not caps.supports(plan.call.operation):
        can = ", ".join(caps.operations)
        raise UnsupportedFeatureError(
            f"{plan.call.model.id} cannot do {plan.call.operation!r} (it supports: {can}); "
            "pick another model (see 'limner models')",
            param="model",
            provider="openai",
            model=plan.call.model.id,
        )


def _check_prompt(plan: Plan, prompt: str) -> None:
    limit = plan.call.model.capabilities.max_prompt_chars
    if len(prompt) > limit:
        raise InvalidRequestError(
            f"the prompt is {len(prompt)} characters; {plan.call.model.id} accepts at most "
            f"{limit}. Shorten it or use a GPT image model (32000)",
            param="prompt",
            code="prompt_too_long",
            provider="openai",
            model=plan.call.model.id,
        )


def _n(plan: Plan) -> int:
    most = plan.call.model.capabilities.max_images_per_call
    if plan.call.n > most:
        raise InvalidRequestError(
            f"{plan.call.model.id} returns at most {most} image(s) per call; got n={plan.call.n}",
            param="n",
            provider="openai",
            model=plan.call.model.id,
        )
    return plan.call.n


# ---- size --------------------------------------------------------------------------------------


def _allowed_sizes(plan: Plan) -> tuple[tuple[str, ...], bool]:
    """The listed sizes this call may send, and whether free-form sizes are allowed."""
    caps = plan.call.model.capabilities
    if plan.form == "json" and plan.call.operation == "edit":
        # EditImageBodyJsonParam.size is a closed enum, even for gpt-image-2 [SPEC].
        return tuple(size for size in caps.sizes if size in JSON_EDIT_SIZES), False
    return caps.sizes, caps.size_rules is not None


def _default_size(plan: Plan) -> str | None:
    if plan.form == "multipart" and plan.call.operation == "edit":
        return MULTIPART_EDIT_DEFAULT_SIZE
    return plan.call.model.capabilities.default_size


def _size(plan: Plan, size: str | None, request: GenerateRequest | EditRequest | None) -> None:
    config = request.image_config if request is not None else None
    aspect = config.aspect_ratio if config is not None else None
    image_size = config.image_size if config is not None else None
    applied: str | None = None
    if size is not None:
        for param, value in (
            ("image_config.aspect_ratio", aspect),
            ("image_config.image_size", image_size),
        ):
            if value is not None:
                plan.drop(param, value, f"an explicit size ({size}) wins over {param}")
        applied = _fit_explicit(plan, size)
    elif aspect is not None or image_size is not None:
        applied = _size_from_config(plan, aspect, image_size)
    if applied is not None:
        plan.fields["size"] = applied
    plan.size = applied if applied is not None else _default_size(plan)


def _fit_explicit(plan: Plan, size: str) -> str:
    allowed, free = _allowed_sizes(plan)
    rules = plan.call.model.capabilities.size_rules
    if size in allowed:
        return size
    wh = parse_wh(size)
    if wh is None:  # "auto" on a model without automatic sizing
        default = _default_size(plan) or nearest_size(1024, 1024, allowed)
        plan.adjust(
            "size", size, default, f"{plan.model_name} has no automatic size; sent its default"
        )
        return default
    if free and rules is not None:
        problems = rules.violations(*wh)
        if not problems:
            return size
        w, h = fit_free_size(wh[0], wh[1], rules)
        applied = f"{w}x{h}"
        reason = (
            f"{size} breaks {plan.model_name}'s size rules ({'; '.join(problems)}); "
            "sent the nearest valid size"
        )
    else:
        applied = nearest_size(wh[0], wh[1], allowed)
        listed = ", ".join(s for s in allowed if s != "auto")
        where = " in a JSON edit" if plan.form == "json" and plan.call.operation == "edit" else ""
        reason = (
            f"{plan.model_name} accepts only {listed}{where}; "
            "sent the nearest by aspect ratio, then area"
        )
    plan.adjust("size", size, applied, reason)
    return applied


def _size_from_config(plan: Plan, aspect: str | None, image_size: str | None) -> str | None:
    allowed, free = _allowed_sizes(plan)
    rules = plan.call.model.capabilities.size_rules
    ratio = aspect_of(aspect) if aspect is not None else 1.0
    if free and rules is not None:
        long_side = parse_image_size(image_size) if image_size is not None else None
        standard = [s for s in allowed if s != "auto"]
        applied: str | None = size_for_aspect(ratio, long_side, standard, rules)
        reason = "OpenAI takes a WIDTHxHEIGHT size: computed one (sides multiples of 16)"
    else:
        if image_size is not None:
            plan.drop(
                "image_config.image_size",
                image_size,
                f"{plan.model_name} has fixed sizes; choose one with size or aspect_ratio",
            )
        if aspect is None:
            return None
        default = parse_wh(_default_size(plan) or "1024x1024") or (1024, 1024)
        area = default[0] * default[1]
        applied = nearest_size(math.sqrt(area * ratio), math.sqrt(area / ratio), allowed)
        reason = f"OpenAI takes a size: sent the {plan.model_name} size nearest this aspect ratio"
    if aspect is not None:
        plan.adjust("image_config.aspect_ratio", aspect, applied, reason)
    if image_size is not None and free:
        plan.adjust("image_config.image_size", image_size, applied, reason)
    return applied


# ---- quality, response format, style -----------------------------------------------------------


def _quality(plan: Plan, quality: str | None) -> None:
    caps = plan.call.model.capabilities
    if quality is None:
        plan.quality = caps.default_quality
        return
    if quality not in KNOWN_QUALITIES:
        raise InvalidRequestError(
            f"quality {quality!r} is unknown; {plan.call.model.id} accepts "
            f"{', '.join(caps.qualities)} (and maps {', '.join(KNOWN_QUALITIES)})",
            param="quality",
            provider="openai",
            model=plan.call.model.id,
        )
    if plan.model_name in NO_QUALITY_FIELD:
        _unsent_quality(plan, quality)
        return
    applied = quality
    if quality not in caps.qualities:
        applied = map_quality(quality, caps.qualities)
        plan.adjust(
            "quality",
            quality,
            applied,
            f"{plan.model_name} accepts {', '.join(caps.qualities)}; {quality} maps to {applied}",
        )
    plan.fields["quality"] = applied
    plan.quality = applied


def _unsent_quality(plan: Plan, quality: str) -> None:
    """A model with one quality that rejects the field: send nothing, report other wishes."""
    only = plan.call.model.capabilities.default_quality
    plan.quality = only
    if quality != only:
        plan.adjust(
            "quality",
            quality,
            only,
            f"{plan.model_name} has a single quality ({only}) and rejects the quality field",
        )


def _response_format(plan: Plan, response_format: str | None) -> None:
    if response_format is None:
        return
    if "url" in plan.call.model.capabilities.response_formats:
        plan.fields["response_format"] = response_format
    elif response_format == "url":
        plan.adjust(
            "response_format",
            "url",
            "b64_json",
            f"{plan.model_name} always returns base64 images and rejects response_format",
        )


def _style(plan: Plan, style: str | None) -> None:
    if style is None:
        return
    styles = plan.call.model.capabilities.styles
    if style in styles:
        plan.fields["style"] = style
    elif styles:
        plan.drop("style", style, f"{plan.model_name} accepts style {' or '.join(styles)} only")
    else:
        plan.drop("style", style, f"{plan.model_name} has no style parameter (dall-e-3 only)")


# ---- GPT-image-only fields ---------------------------------------------------------------------


def _gpt_image_fields(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    caps = plan.call.model.capabilities
    output_format = _output_format(plan, request.output_format)
    background = _choice(plan, "background", request.background, caps.backgrounds)
    if background == "transparent" and output_format == "jpeg":
        raise InvalidRequestError(
            "a transparent background needs output_format png or webp, not jpeg",
            param="background",
            provider="openai",
            model=plan.call.model.id,
        )
    if background == "transparent" and plan.model_name in PREVIEW_TRANSPARENCY:
        plan.warnings.append(
            Notice(
                code="preview_feature",
                param="background",
                message=f"transparent backgrounds are in preview for {plan.model_name}",
            )
        )
    if request.output_compression is not None:
        if caps.output_compression:
            plan.fields["output_compression"] = request.output_compression
        else:
            plan.drop(
                "output_compression",
                request.output_compression,
                f"{plan.model_name} does not take output_compression (GPT image models only)",
            )
    moderation = request.moderation
    if moderation is not None and plan.form == "multipart" and caps.moderation:
        plan.drop("moderation", moderation, "the multipart edit form has no moderation field")
    else:
        _choice(plan, "moderation", moderation, caps.moderation)


def _output_format(plan: Plan, output_format: str | None) -> str | None:
    if output_format == "jpg" and plan.call.model.capabilities.output_formats:
        plan.adjust("output_format", "jpg", "jpeg", "OpenAI spells it jpeg")
        output_format = "jpeg"
    return _choice(
        plan, "output_format", output_format, plan.call.model.capabilities.output_formats
    )


def _choice(plan: Plan, param: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """Send ``value`` when the model knows ``param`` and the value; drop it when the model has no
    such parameter; raise for an unknown value."""
    if value is None:
        return None
    if not allowed:
        plan.drop(
            param, value, f"{plan.model_name} has no {param} parameter (GPT image models only)"
        )
        return None
    if value not in allowed:
        raise InvalidRequestError(
            f"{param} {value!r} is not one of {', '.join(allowed)}",
            param=param,
            provider="openai",
            model=plan.call.model.id,
        )
    plan.fields[param] = value
    return value


def _input_fidelity(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    options = plan.call.options if isinstance(plan.call.options, OpenAIOptions) else None
    from_request = request.input_fidelity if isinstance(request, EditRequest) else None
    from_options = options.input_fidelity if options is not None else None
    if from_request is None and from_options is None:
        return
    param = "input_fidelity" if from_options is None else "provider_options.openai.input_fidelity"
    value = from_options if from_options is not None else from_request
    if from_request is not None and from_options is not None and from_request != from_options:
        plan.adjust("input_fidelity", from_request, from_options, f"{param} overrides it")
    if value not in FIDELITIES:
        raise InvalidRequestError(
            f"input_fidelity {value!r} is not high or low", param=param, provider="openai"
        )
    if plan.call.operation != "edit":
        plan.drop(param, value, "input_fidelity applies to edits only")
    elif is_dalle(plan.model_name) or plan.model_name in NO_INPUT_FIDELITY:
        plan.drop(param, value, f"{plan.model_name} does not support input_fidelity")
    else:
        plan.fields["input_fidelity"] = value


# ---- the rest ----------------------------------------------------------------------------------


def _unsupported(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    for param, value in (
        ("seed", request.seed),
        ("negative_prompt", request.negative_prompt),
        ("metadata", request.metadata),
    ):
        if value is not None:
            plan.drop(param, value, f"OpenAI's Images API has no {param}")


def _user_and_forwarded(
    plan: Plan, request: GenerateRequest | EditRequest | VariationRequest
) -> None:
    if request.user is not None:
        plan.fields["user"] = request.user
    for key, value in request.forwarded.items():
        if key == "stream" and value:
            raise UnsupportedFeatureError(
                "limner does not stream images yet; leave out stream",
                param="stream",
                provider="openai",
                model=plan.call.model.id,
            )
        plan.fields[key] = value
