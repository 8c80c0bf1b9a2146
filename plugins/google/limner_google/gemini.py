"""Gemini native image models through ``:generateContent`` [SDK ``_GenerateContentConfig_to_mldev``,
``_ImageConfig_to_mldev``/``_to_vertex``; real wire in the pydantic-ai cassettes].

One image per call (``candidateCount > 1`` is a 400 on image models), so core fans ``n`` out.
Text parts of the answer are kept as the image's ``revised_prompt``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from limner import (
    ImageData,
    InvalidRequestError,
    NoImageGeneratedError,
    Notice,
    PermissionDeniedError,
    ProviderCall,
    ProviderResult,
    Translation,
    Usage,
    WireRequest,
    WireResponse,
)
from limner.responses import NO_IMAGES
from limner.typos import POSSIBLE_TYPO

from .answer_text import answer_text
from .common import (
    EDIT_ONLY,
    IMAGEN_ONLY,
    blocked,
    check_input_count,
    drop_ignored,
    drop_options,
    fail,
    flagged_categories,
    gemini_image_part,
    mime_format,
    output_options,
    person_generation,
    thinking_level,
)
from .errors import answer_id
from .options import GoogleOptions
from .passthrough import as_sent, forward, refuse_vertex_only
from .plan import Plan, choose_size, class_by_pixels
from .spelling import camel
from .usage import cached_at_full_price, priced_as_on_demand, usage_from_metadata

__all__ = [
    "ACCOUNT_LIMITED",
    "SAFETY_FINISH",
    "account_limited",
    "parse_gemini",
    "translate_gemini",
]

# finishReason values that mean a safety or policy refusal [PROTO Candidate.FinishReason; DISC;
# google-genai types.FinishReason: ESCALATION "filtered by an escalation rule", Gemini API only].
SAFETY_FINISH = frozenset(
    {
        "SAFETY",
        "IMAGE_SAFETY",
        "PROHIBITED_CONTENT",
        "IMAGE_PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "RECITATION",
        "IMAGE_RECITATION",
        "MODEL_ARMOR",
        "ESCALATION",
    }
)
ACCOUNT_LIMITED = "PUP_LIMITED_DISABLED"
"""The finishReason of an account Google limited or disabled: "the user account is limited or
disabled due to Prohibited Use Policy (PUP) violations" [google-genai types.FinishReason]."""


def account_limited(model_id: str, response: WireResponse) -> PermissionDeniedError:
    """Not the prompt's fault, and no rewording helps: the account's standing is the matter."""
    return PermissionDeniedError(
        f"Google stopped {model_id} because the account is limited or disabled for Prohibited "
        f"Use Policy violations (finishReason {ACCOUNT_LIMITED}); see the account's standing "
        "in Google AI Studio",
        provider="google",
        model=model_id,
        status_code=response.status,
    )


GENERATION_FIELDS = frozenset(
    {
        "candidateCount",
        "frequencyPenalty",
        "maxOutputTokens",
        "mediaResolution",
        "presencePenalty",
        "responseLogprobs",
        "responseMimeType",
        "stopSequences",
        "thinkingConfig",
        "topK",
        "topP",
    }
)
"""Fields of Gemini's ``generationConfig`` a request may give at its top level by mistake
(an SDK's keyword spelt there; chat maps ``top_k`` itself), camelCase as Google spells them."""


def misplaced_generation_fields(plan: Plan) -> None:
    """A warning for each forwarded field that is one of Google's ``generationConfig`` fields
    (camelCase or snake_case): it is forwarded at the body's top level as given, where
    ``generateContent`` refuses an unknown name (400), while ``generationConfig={...}`` would
    carry it."""
    for name in plan.request.forwarded:
        field = camel(name)
        if field in GENERATION_FIELDS:
            plan.warn(
                POSSIBLE_TYPO,
                f"{name} is a field of Gemini's generationConfig, not of the request: it is "
                f"forwarded at the top level as given, where Google refuses it; pass "
                f'generationConfig={{"{field}": ...}} instead',
                param=name,
            )


def translate_gemini(plan: Plan) -> Translation:
    request, caps, options = plan.request, plan.call.model.capabilities, plan.options
    _check_modalities(options)
    drop_ignored(plan)
    parts: list[dict[str, Any]] = [{"text": request.prompt}]
    parts += _inline_images(plan)
    generation: dict[str, Any] = {"responseModalities": list(options.response_modalities)}
    choice = choose_size(plan, caps.aspect_ratios, caps.image_sizes, class_by_pixels)
    image_config: dict[str, Any] = {}
    if choice.aspect_ratio is not None:
        image_config["aspectRatio"] = choice.aspect_ratio
    if choice.image_size is not None:
        image_config["imageSize"] = choice.image_size
    plan.size = choice.image_size
    if request.seed is not None:
        generation["seed"] = plan.call_seed(request.seed)
    if request.negative_prompt is not None:
        plan.drop("negative_prompt", request.negative_prompt, "Gemini has no negative prompt")
    _output_options(plan, image_config)
    if options.person_generation is not None:
        value = options.person_generation
        plan.vertex_only(
            "provider_options.google.person_generation",
            value,
            lambda: image_config.__setitem__(
                "personGeneration", person_generation(plan, value, "gemini")
            ),
        )
    level = thinking_level(plan, plan.call.model, options.thinking_level)
    if level is not None:
        generation["thinkingConfig"] = {"thinkingLevel": level}
    if options.temperature is not None:
        generation["temperature"] = options.temperature
    drop_options(plan, options, (*IMAGEN_ONLY, *EDIT_ONLY), "an Imagen setting")
    if image_config:
        generation["imageConfig"] = image_config
    misplaced_generation_fields(plan)
    refuse_vertex_only(plan.request.forwarded, plan.on_vertex)
    body = forward(
        {"contents": [{"role": "user", "parts": parts}], "generationConfig": generation}, plan
    )
    modalities, size = as_sent(body)
    if modalities is not None and "IMAGE" not in modalities:  # passed through: a paid failure
        raise InvalidRequestError(
            f"generationConfig.responseModalities {modalities}: images.generate and images.edit "
            "need IMAGE among them; use chat completions for a text answer",
            param="generationConfig.responseModalities",
        )
    url = plan.endpoint.url(plan.call.model.name, "generateContent")
    return Translation(
        request=WireRequest(method="POST", url=url, json=body),
        adjustments=tuple(plan.adjustments),
        warnings=tuple(plan.warnings),
        size=size or plan.size,
    )


def _check_modalities(options: GoogleOptions) -> None:
    """The images endpoints need an image back: responseModalities without IMAGE (``["TEXT"]``)
    could only answer text, a billed call that cannot succeed, so it is refused before it is
    sent. (Chat takes any modalities: a text answer is an answer there.)"""
    modalities = options.response_modalities
    if "IMAGE" not in modalities:
        raise InvalidRequestError(
            f"provider_options.google.response_modalities {list(modalities)}: images.generate "
            "and images.edit need IMAGE among them (['IMAGE'] or ['TEXT', 'IMAGE']); use chat "
            "completions for a text answer",
            param="provider_options.google.response_modalities",
            provider="google",
        )


def _inline_images(plan: Plan) -> list[dict[str, Any]]:
    """The input images as ``inlineData`` parts, each in a format Gemini takes (a GIF becomes a
    PNG, reported); more than the model's recommended number gets a notice."""
    call = plan.call
    check_input_count(plan, call.model, len(call.images), "images", on_vertex=plan.on_vertex)
    return [
        gemini_image_part(
            plan, image, f"images[{number}]", model=call.model, on_vertex=plan.on_vertex
        )
        for number, image in enumerate(call.images)
    ]


def _output_options(plan: Plan, image_config: dict[str, Any]) -> None:
    """``imageOutputOptions`` exists only on Vertex [SDK ``_ImageConfig_to_mldev`` raises]."""
    fmt, compression = plan.request.output_format, plan.request.output_compression
    if not plan.on_vertex:
        plan.drop_unsupported(
            ("output_format", "output_compression"),
            "the Gemini API chooses the output format; only Vertex AI takes imageOutputOptions",
        )
        return
    out = output_options(plan, fmt, compression)
    if out:
        image_config["imageOutputOptions"] = out


def parse_gemini(call: ProviderCall, response: WireResponse) -> ProviderResult:
    body = response.json_or_none()
    if not isinstance(body, dict):
        raise fail(call, response, "the body is not a JSON object")
    feedback = body.get("promptFeedback")
    candidates = body.get("candidates") or []
    if not isinstance(candidates, list):
        raise fail(call, response, "'candidates' is not a list")
    if isinstance(feedback, dict) and (feedback.get("blockReason") or not candidates):
        reason = _join(feedback.get("blockReason"), feedback.get("blockReasonMessage"))
        usage = usage_from_metadata(body.get("usageMetadata"))
        what = f"prompt blocked ({reason})"
        return blocked(
            call, response, reason or "prompt blocked", what, usage, stage="input",
            categories=flagged_categories(feedback.get("safetyRatings")),
        )  # fmt: skip
    images: list[ImageData] = []
    parts: list[dict[str, Any]] = []  # the answer's text and image parts, in order
    finish: str | None = None
    finish_message: str | None = None
    flagged: list[str] = []
    for candidate in candidates:
        if not isinstance(candidate, dict):
            continue
        flagged += flagged_categories(candidate.get("safetyRatings"))
        finish = finish or _text(candidate.get("finishReason"))
        finish_message = finish_message or _text(candidate.get("finishMessage"))
        content = candidate.get("content")
        for part in content.get("parts") or [] if isinstance(content, dict) else []:
            _read_part(part, images, parts)
    # captions on each side of an image are joined with a blank line, as chat joins them
    said = answer_text(parts).strip() or None
    usage = usage_from_metadata(body.get("usageMetadata"), images=len(images))
    if not images:
        return _no_image(call, response, finish, finish_message, said, usage, flagged)
    if said is not None:
        images = [item.model_copy(update={"revised_prompt": said}) for item in images]
    warnings = []
    if finish not in (None, "STOP"):
        message = f"Gemini finished with {finish}" + (
            f": {finish_message}" if finish_message else ""
        )
        warnings.append(Notice(code="finish_reason", message=message))
    warnings += cached_at_full_price(body.get("usageMetadata"))[1]  # priced as chat is
    warnings += priced_as_on_demand(body.get("usageMetadata"))
    return ProviderResult(
        images=images,
        usage=usage,
        output_format=_first_format(body),
        warnings=warnings,
        request_id=answer_id(response),
    )


def _read_part(part: Any, images: list[ImageData], parts: list[dict[str, Any]]) -> None:
    if not isinstance(part, dict) or part.get("thought") is True:
        return
    inline = part.get("inlineData") or part.get("inline_data")
    if isinstance(inline, dict):
        mime = inline.get("mimeType") or inline.get("mime_type") or ""
        data = inline.get("data")
        if isinstance(data, str) and data and str(mime).startswith("image/"):
            parts.append({"image": len(images)})
            images.append(ImageData(b64_json=data))
        return
    text = part.get("text")
    if isinstance(text, str):
        parts.append({"text": text})


def _no_image(
    call: ProviderCall,
    response: WireResponse,
    finish: str | None,
    finish_message: str | None,
    said: str | None,
    usage: Usage | None,
    flagged: Sequence[str] = (),
) -> ProviderResult:
    """An answer without an image. A safety finish is a block of the model's output (see
    :func:`~.common.blocked`), quoting the text the model gave with it.
    Otherwise (text only, ``NO_IMAGE``, ``IMAGE_OTHER``, ...): in a split request the other
    calls' images are kept and this call is an empty result with its usage (its tokens are
    billed and priced) with a ``no_images`` notice giving Google's reason and text (when no
    call made an image, core raises :class:`NoImageGeneratedError` quoting the notices). A
    request made in one call raises :class:`NoImageGeneratedError` with Google's text."""
    if finish == ACCOUNT_LIMITED:
        raise account_limited(call.model.id, response)
    quoted = f"; it said: {said!r}" if said else ""
    if finish in SAFETY_FINISH:
        reason = _join(finish, finish_message) or finish or ""
        return blocked(
            call, response, reason, f"finishReason {reason}{quoted}", usage, stage="output",
            categories=flagged,
        )  # fmt: skip
    why = f"finishReason {_join(finish, finish_message)}" if finish else "no image part"
    error = NoImageGeneratedError(
        f"{call.model.id} answered without an image ({why}){quoted}",
        text=said,
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )
    return call.without_images(
        error, NO_IMAGES, f"{call.n} image(s) not made: {error.message}", usage=usage
    )


def _first_format(body: dict[str, Any]) -> str | None:
    for candidate in body.get("candidates") or []:
        content = candidate.get("content") if isinstance(candidate, dict) else None
        for part in (content or {}).get("parts") or []:
            if not isinstance(part, dict) or part.get("thought") is True:  # as _read_part
                continue
            inline = part.get("inlineData") or part.get("inline_data")
            if isinstance(inline, dict):
                return mime_format(inline.get("mimeType") or inline.get("mime_type"))
    return None


def _join(*items: Any) -> str | None:
    words = [item for item in items if isinstance(item, str) and item]
    return ": ".join(words) or None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
