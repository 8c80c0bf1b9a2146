"""The body fields of one call, with every change and drop recorded.

:func:`prompt_fields` handles generations and edits, :func:`variation_fields` variations. Both
return a :class:`Plan`; :mod:`limner_openai.body` turns it into a JSON or multipart request.
"""

from __future__ import annotations

from limner import (
    EditRequest,
    GenerateRequest,
    InvalidRequestError,
    Notice,
    ProviderCall,
    UnsupportedFeatureError,
    VariationRequest,
)
from limner.forwarding import forward_fields
from limner.requests import STREAMING_NOT_SUPPORTED

from .models import (
    NO_QUALITY_FIELD,
    PREVIEW_TRANSPARENCY,
    is_dalle,
)
from .options import OpenAIOptions
from .plan import Form, Plan
from .sizing import apply_size
from .translate import (
    KNOWN_QUALITIES,
    map_quality,
)

__all__ = ["Form", "Plan", "prompt_fields", "variation_fields"]


FIDELITIES = ("high", "low")
COMPRESSED_FORMATS = ("jpeg", "webp")
MULTIPART_MODERATION = (
    "the multipart edit form has no moderation field; the JSON form, which has, is sent only "
    "when it keeps the rest of the edit as asked (no markup, every image under about 15 MiB, "
    "a size it takes: auto, 1024x1024, 1536x1024 or 1024x1536)"
)


# ---- entry points ------------------------------------------------------------------------------


def prompt_fields(call: ProviderCall, request: GenerateRequest | EditRequest, form: Form) -> Plan:
    """Fields for ``/images/generations`` or ``/images/edits``."""
    plan = Plan(call=call, form=form)
    _check_operation(plan)
    _check_prompt(plan, request.prompt)
    plan.fields.update(model=plan.model_name, prompt=request.prompt, n=_n(plan))
    apply_size(plan, request.size, request)
    _quality(plan, request.quality)
    _response_format(plan, request.response_format)
    _style(plan, request.style)
    _gpt_image_fields(plan, request)
    _input_fidelity(plan, request)
    _unsupported(plan, request)
    _streaming_only(plan, request.partial_images)
    if request.safety_identifier is not None:  # generations and edits [SDK ImageGenerateParams]
        plan.fields["safety_identifier"] = request.safety_identifier
    _user_and_forwarded(plan, request)
    return plan


def variation_fields(call: ProviderCall, request: VariationRequest) -> Plan:
    """Fields for ``/images/variations`` (multipart, dall-e-2)."""
    plan = Plan(call=call, form="multipart")
    _check_operation(plan)
    plan.fields.update(model=plan.model_name, n=_n(plan))
    apply_size(plan, request.size, None)
    _response_format(plan, request.response_format)
    _input_fidelity(plan, request)  # provider_options.openai: edits only, so dropped
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
    if quality not in caps.qualities:  # the model's quality_map, then xhigh and max
        applied = caps.quality_map.get(quality) or map_quality(quality, caps.qualities)
        plan.adjust(
            "quality",
            quality,
            applied,
            f"{plan.model_name} accepts {', '.join(caps.qualities)}; {quality} maps to {applied}",
        )
    plan.fields["quality"] = applied
    plan.quality = applied


def _unsent_quality(plan: Plan, quality: str) -> None:
    """A model with one quality that rejects the field: send nothing, and report it, even for
    the one quality it makes (the user's setting is not sent, though its effect is had)."""
    only = plan.call.model.capabilities.default_quality
    plan.quality = only
    if quality != only:
        plan.adjust(
            "quality",
            quality,
            only,
            f"{plan.model_name} has a single quality ({only}) and rejects the quality field",
        )
    else:
        plan.drop(
            "quality",
            quality,
            f"OpenAI refuses the quality field for {plan.model_name} (400 'Unknown parameter'); "
            f"{only} is what it makes, so none is sent",
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
    if (
        request.output_format is None
        and request.background is None
        and request.output_compression is None
        and request.moderation is None
    ):
        return  # (none set, the common case: each step below would do nothing)
    caps = plan.call.model.capabilities
    output_format = _output_format(plan, request.output_format)
    if output_format in ("gif", "svg"):
        _animated_or_vector(plan, request, output_format)
    background = _choice(plan, "background", request.background, caps.backgrounds)
    # jpeg with a transparent background: refused by core, from the models' field_rules
    if background == "transparent" and plan.model_name in PREVIEW_TRANSPARENCY:
        plan.warnings.append(
            Notice(
                code="preview_feature",
                param="background",
                message=f"transparent backgrounds are in preview for {plan.model_name}",
            )
        )
    _output_compression(plan, request.output_compression, output_format)
    moderation = request.moderation
    if moderation is not None and plan.form == "multipart" and caps.moderation:
        plan.drop("moderation", moderation, MULTIPART_MODERATION)
    else:
        _choice(plan, "moderation", moderation, caps.moderation)


def _output_compression(plan: Plan, compression: int | None, output_format: str | None) -> None:
    """Sent for jpeg and webp output only [SPEC CreateImageRequest.output_compression]; png, the
    API's default output_format, is lossless and has no compression level."""
    if compression is None:
        return
    if not plan.call.model.capabilities.output_compression:
        plan.drop(
            "output_compression",
            compression,
            f"{plan.model_name} does not take output_compression (GPT image models only)",
        )
    elif output_format in COMPRESSED_FORMATS:
        plan.fields["output_compression"] = compression
    else:
        which = output_format or "png (the default output_format)"
        plan.drop(
            "output_compression",
            compression,
            f"output_compression applies to jpeg and webp output only; the output is {which}",
        )


def _animated_or_vector(
    plan: Plan, request: GenerateRequest | EditRequest, output_format: str
) -> None:
    """GIF and SVG output's own rules [SDK ImageGenerateParams.frame_count, .svg]: "SVG
    generation requires n=1"; "GIF output does not support ... masks". (Neither takes
    output_compression, which jpeg and webp alone do; streaming is refused by core.)"""
    if output_format == "svg" and plan.call.n > 1:
        raise InvalidRequestError(
            f"output_format svg makes one image per request; got n={plan.call.n}: ask for "
            "each SVG in a request of its own",
            param="n",
            provider="openai",
            model=plan.call.model.id,
        )
    if output_format == "gif" and isinstance(request, EditRequest) and request.mask is not None:
        raise InvalidRequestError(
            "output_format gif takes no mask: edit without one, or ask for png, jpeg or webp",
            param="mask",
            provider="openai",
            model=plan.call.model.id,
        )


def _output_format(plan: Plan, output_format: str | None) -> str | None:
    """Sent as given: core's schema check already holds it to the model's enum (``png``,
    ``jpeg``, ``webp``), so ``jpg`` never gets here; should it, :func:`_choice` refuses it."""
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


def _input_fidelity(plan: Plan, request: GenerateRequest | EditRequest | VariationRequest) -> None:
    """The request's ``input_fidelity`` or ``provider_options.openai.input_fidelity`` (the only
    field of :class:`OpenAIOptions`): sent on edits by models that take it, else dropped."""
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
    elif not (taken := plan.call.model.capabilities.input_fidelity):
        plan.drop(param, value, _no_fidelity(plan.model_name))
    elif value not in taken:
        (only,) = taken
        plan.adjust(param, value, only, f"{plan.model_name} supports only input_fidelity {only}")
        plan.fields["input_fidelity"] = only
    else:
        plan.fields["input_fidelity"] = value


def _no_fidelity(name: str) -> str:
    """Why ``name`` is sent no ``input_fidelity``, as far as the sources go."""
    if is_dalle(name):
        return f"{name} has no input_fidelity"
    if name.startswith("gpt-image-2-") or name == "gpt-image-2":
        return "the SDK says to omit input_fidelity for gpt-image-2"
    return (
        f"not sent: the SDK names input_fidelity for gpt-image-1.5 and gpt-image-1-mini only, "
        f"says to omit it for gpt-image-2, and says nothing of {name}"
    )


# ---- the rest ----------------------------------------------------------------------------------


def _unsupported(plan: Plan, request: GenerateRequest | EditRequest) -> None:
    if request.seed is None and request.negative_prompt is None and request.metadata is None:
        return
    for param, value in (
        ("seed", request.seed),
        ("negative_prompt", request.negative_prompt),
        ("metadata", request.metadata),
    ):
        if value is not None:
            plan.drop(param, value, f"OpenAI's Images API has no {param}")


def _streaming_only(plan: Plan, partial_images: int | None) -> None:
    """``partial_images`` is not sent: it is "used for streaming responses that return partial
    images" [SPEC PartialImages], and limner refuses ``stream`` (an unstreamed response holds
    the final images alone, with or without it)."""
    if partial_images is not None:
        plan.drop(
            "partial_images",
            partial_images,
            "OpenAI sends partial images only in a streamed response, and limner does not "
            "stream images",
        )


def _user_and_forwarded(
    plan: Plan, request: GenerateRequest | EditRequest | VariationRequest
) -> None:
    if request.user is not None:
        plan.fields["user"] = request.user
    forwarded = request.forwarded
    if not forwarded:
        return
    if forwarded.get("stream"):
        raise UnsupportedFeatureError(
            "limner does not stream images yet; leave out stream",
            param="stream",
            code=STREAMING_NOT_SUPPORTED,
            provider="openai",
            model=plan.call.model.id,
        )
    forward_fields(plan.fields, forwarded, instead="the request's own fields")
