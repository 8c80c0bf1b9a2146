"""Chat completions on the Gemini image models: the conversation as ``contents`` of one
``:generateContent`` call (system messages → ``systemInstruction``, assistant → ``role: model``).

**Replayed state** (``message.limner.state`` of an assistant message Google made): the model's
turn verbatim, every part as Google returned it, except that image bytes are not stored twice::

    {"parts": [
        {"text": "Here you go", "thoughtSignature": "EsauMg..."},
        {"image": 0, "thoughtSignature": "EoClMg..."},            # message.images[0]
        {"thought": true, "thought_image": 0, "thoughtSignature": "..."}  # limner.thought_images[0]
    ]}

On the next turn each part goes back as it came (``inlineData`` rebuilt from the message's
images), so Gemini 3 gets its thought signatures back and continues the same image. An assistant
message without that state (written by hand, or by another provider) goes back as its text and
images, without signatures (core warns).
"""

from __future__ import annotations

import re
from typing import Any

from limner import (
    Adjustment,
    InvalidRequestError,
    Translation,
    WireRequest,
)
from limner.chat import TEXT_ONLY, ChatCall
from limner.requests import SIZE_PATTERN

from .chat_body import NO_SUCH, ChatBody
from .chat_contents import conversation, count_images, system_parts
from .chat_sampling import budget_for_an_image, sampling
from .common import IGNORED_FIELDS, WHY_DROPPED, output_options, person_generation
from .options import GoogleOptions, response_modalities
from .passed_seed import split_passed_seed
from .passthrough import (
    VERTEX_TOP_LEVEL,
    as_sent,
    merge_passed_through,
    modality_default,
    refuse_vertex_only,
)
from .plan import class_by_pixels, pick_size
from .settings import Endpoint
from .spelling import camel, field_of

__all__ = ["translate_chat"]

_SIZE = re.compile(SIZE_PATTERN)
# The chat request's own fields (user, metadata), its newer ones (safety_identifier: see
# _NOT_SENT_EXTRAS) and an images-only one (partial_images, forwarded as chat's extras are).
_NOT_IMAGE_FIELDS = ("user", "metadata", "safety_identifier", "partial_images")
# limner's image parameters Google has no field for (as on the images path), dropped when given.
_IMAGE_DROPPED = (
    *(name for name in IGNORED_FIELDS if name not in _NOT_IMAGE_FIELDS),
    "input_fidelity",
    "negative_prompt",
)
# GenerateContentRequest's top-level fields [PROTO generative_service.proto; DISC], by JSON name.
_TOP_LEVEL = (
    "safetySettings",
    "toolConfig",
    "cachedContent",
    "generationConfig",
    "systemInstruction",
)


def translate_chat(
    call: ChatCall, endpoint: Endpoint, options: GoogleOptions, moved: Adjustment | None = None
) -> Translation:
    """The ``:generateContent`` call for ``call``; ``moved`` is the location change, if the
    configured Vertex location is not one the model lists (see :func:`~.settings.endpoint_for`)."""
    body = ChatBody(call, endpoint, options)
    if moved is not None:
        body.adjustments.append(moved)
    extras = dict(call.request.forwarded)
    system = system_parts(body, call)
    contents = conversation(body, call)
    count_images(body, call, on_vertex=body.on_vertex)
    generation: dict[str, Any] = {"responseModalities": _modalities(body)}
    sampling(body, generation)
    _top_k(extras, generation)
    image_config = _image_config(body, extras)
    if image_config:
        generation["imageConfig"] = image_config
    wire: dict[str, Any] = {"contents": contents}
    if system:
        wire["systemInstruction"] = {"parts": system}
    wire["generationConfig"] = generation
    defaults = modality_default(body.options, body.call.request.modalities)
    passed = split_passed_seed(
        body,
        call.model,
        call.index,
        call.request.seed,
        _top_level(body, extras),
        wire,
        "generationConfig",
    )
    wire = merge_passed_through(wire, passed, defaults=defaults)
    modalities, size = as_sent(wire)  # fields passed through may have replaced limner's
    said = any(w.code == TEXT_ONLY for w in body.warnings) or call.request.modalities == ["text"]
    if modalities is not None and "IMAGE" not in modalities and not said:
        body.warn(TEXT_ONLY, f"responseModalities {modalities}: the answer holds no image")
    elif "IMAGE" in (modalities or ["IMAGE"]):
        limit = field_of(field_of(wire, "generationConfig"), "maxOutputTokens")
        budget_for_an_image(body, limit, size)
    url = endpoint.url(call.model.name, "generateContent")
    return Translation(
        request=WireRequest(method="POST", url=url, json=wire),
        adjustments=tuple(body.adjustments),
        warnings=tuple(body.warnings),
        size=size,
    )


def _modalities(body: ChatBody) -> list[str]:
    asked = body.call.request.modalities
    chosen = response_modalities(asked, body.options)
    if "IMAGE" not in chosen and asked != ["text"]:  # asked for through provider options
        body.warn(TEXT_ONLY, f"responseModalities {chosen}: the answer holds no image")
    if asked is not None and "response_modalities" in body.options.model_fields_set:
        from_options = list(body.options.response_modalities)
        if from_options != chosen:
            body.adjustments.append(
                Adjustment(
                    param="provider_options.google.response_modalities",
                    requested=from_options,
                    applied=chosen,
                    reason="modalities, set on the request, decides",
                )
            )
    return chosen


_NOT_SENT_EXTRAS = (
    "safety_identifier",
    "prompt_cache_key",
    "prompt_cache_retention",
    "prompt_cache_options",
    "verbosity",
)
"""OpenAI's newer chat fields (core forwards them, as fields it does not declare) that Gemini
has no setting for: reported as not sent."""


def _image_config(body: ChatBody, extras: dict[str, Any]) -> dict[str, Any]:
    """``imageConfig`` from ``image_config``, the ``size`` extra and the Google options; the
    other image parameters of limner's images API are dropped or mapped as that path does."""
    caps, model = body.call.model.capabilities, body.call.model.id
    size = extras.pop("size", None)
    if size is not None and not (isinstance(size, str) and _SIZE.match(size)):
        raise InvalidRequestError(
            f"size {size!r}: give WIDTHxHEIGHT (e.g. '1024x1024') or 'auto', or use "
            "image_config={'aspect_ratio': ..., 'image_size': ...}",
            param="size",
        )
    choice = pick_size(
        model,
        body.call.request.image_config,
        size,
        caps.aspect_ratios,
        caps.image_sizes,
        class_by_pixels,
        body.adjust,
    )
    out: dict[str, Any] = {}
    if choice.aspect_ratio is not None:
        out["aspectRatio"] = choice.aspect_ratio
    if choice.image_size is not None:
        out["imageSize"] = choice.image_size
    for name in _IMAGE_DROPPED:
        value = extras.pop(name, None)
        if value is not None:
            body.drop(name, value, WHY_DROPPED.get(name, NO_SUCH))
    _output_options(body, extras, out)
    people = body.options.person_generation
    if people is not None:
        if body.on_vertex:
            out["personGeneration"] = person_generation(body, people, "gemini")
        else:
            body.drop(
                "provider_options.google.person_generation",
                people,
                "only Vertex AI takes this setting (vertexai=True)",
            )
    return out


def _output_options(body: ChatBody, extras: dict[str, Any], out: dict[str, Any]) -> None:
    """``output_format``/``output_compression`` → Vertex ``imageConfig.imageOutputOptions``
    [SDK ``_ImageConfig_to_vertex``; ``_ImageConfig_to_mldev`` raises on the Gemini API]."""
    fmt, compression = extras.pop("output_format", None), extras.pop("output_compression", None)
    formats = body.call.model.capabilities.output_formats
    if fmt is not None and fmt not in formats:
        raise InvalidRequestError(
            f"output_format {fmt!r}: {body.call.model.id} makes {', '.join(formats)}",
            param="output_format",
        )
    if compression is not None and (
        not isinstance(compression, int)
        or isinstance(compression, bool)
        or not 0 <= compression <= 100
    ):
        raise InvalidRequestError(
            f"output_compression {compression!r}: give a whole number from 0 to 100",
            param="output_compression",
        )
    if not body.on_vertex:
        why = "the Gemini API chooses the output format; only Vertex AI takes imageOutputOptions"
        for name, value in (("output_format", fmt), ("output_compression", compression)):
            if value is not None:
                body.drop(name, value, why)
        return
    options = output_options(body, fmt, compression)
    if options:
        out["imageOutputOptions"] = options


def _top_k(extras: dict[str, Any], generation: dict[str, Any]) -> None:
    """``top_k`` → ``generationConfig.topK`` (int32 in the Gemini API proto)."""
    if "top_k" not in extras:
        return
    value = extras.pop("top_k")
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidRequestError(
            f"top_k {value!r}: give a whole number of at least 1", param="top_k"
        )
    generation["topK"] = value


def _top_level(body: ChatBody, extras: dict[str, Any]) -> dict[str, Any]:
    """The remaining extras: OpenAI's newer fields Gemini has no setting for (reported), and
    ``GenerateContentRequest`` fields by their JSON name; anything else is refused."""
    known = _TOP_LEVEL + (VERTEX_TOP_LEVEL if body.on_vertex else ())
    out: dict[str, Any] = {}
    for name, value in extras.items():
        if name in _NOT_SENT_EXTRAS:
            if value is not None:
                body.drop(name, value, NO_SUCH)
            continue
        json_name = camel(name)
        if json_name in known:
            out[json_name] = value
            continue
        refuse_vertex_only((name,), body.on_vertex)
        why = (
            "it is not a chat-completions field limner maps, nor a field of Google's "
            f"generateContent request ({', '.join(known)}); put generation settings under "
            "generationConfig"
        )
        raise InvalidRequestError(f"{name!r}: {why}", param=name)
    return out
