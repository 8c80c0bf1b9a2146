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
    Changes,
    InvalidRequestError,
    Translation,
    UnsupportedFeatureError,
    WireRequest,
)
from limner.chat import TEXT_ONLY, ChatCall
from limner.requests import SIZE_PATTERN

from .chat_contents import conversation, count_images, system_parts
from .common import (
    EDIT_ONLY,
    IGNORED_FIELDS,
    IMAGEN_ONLY,
    THINKING_PARAM,
    WHY_DROPPED,
    as_sent,
    drop_options,
    merge_passed_through,
    modality_default,
    no_thinking,
    output_options,
    person_generation,
    thinking_level,
    unsupported_thinking_level,
)
from .models import thinking_levels
from .options import GoogleOptions, response_modalities
from .passed_seed import split_passed_seed
from .plan import class_by_pixels, pick_size, split_seed
from .prices import image_tokens
from .settings import Endpoint
from .spelling import camel, field_of

__all__ = ["translate_chat"]

_EFFORT = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"}
_NO_SUCH = "Google's generateContent has no such setting"
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
_VERTEX_TOP_LEVEL = ("labels", "modelArmorConfig")


class _Body(Changes):
    """The changes made while building one chat request."""

    def __init__(self, call: ChatCall, endpoint: Endpoint, options: GoogleOptions) -> None:
        super().__init__()
        self.call, self.endpoint, self.options = call, endpoint, options

    @property
    def on_vertex(self) -> bool:
        return self.endpoint.backend == "vertex"


def translate_chat(
    call: ChatCall, endpoint: Endpoint, options: GoogleOptions, moved: Adjustment | None = None
) -> Translation:
    """The ``:generateContent`` call for ``call``; ``moved`` is the location change, if the
    configured Vertex location is not one the model lists (see :func:`~.settings.endpoint_for`)."""
    body = _Body(call, endpoint, options)
    if moved is not None:
        body.adjustments.append(moved)
    extras = dict(call.request.forwarded)
    system = system_parts(body, call)
    contents = conversation(body, call)
    count_images(body, call, on_vertex=body.on_vertex)
    generation: dict[str, Any] = {"responseModalities": _modalities(body)}
    _sampling(body, generation)
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
        _budget_for_an_image(body, limit, size)
    url = endpoint.url(call.model.name, "generateContent")
    return Translation(
        request=WireRequest(method="POST", url=url, json=wire),
        adjustments=tuple(body.adjustments),
        warnings=tuple(body.warnings),
        size=size,
    )


def _budget_for_an_image(body: _Body, limit: object, image_size: str | None) -> None:
    """A warning when the output budget sent (``maxOutputTokens``) is under what one image of
    the size sent takes: a text-chat habit (``max_tokens=300``) that gets a billed answer with
    no image. Said of the field that set it."""
    needed = image_tokens(body.call.model, image_size)
    if not isinstance(limit, int) or needed is None or limit >= needed:
        return
    request = body.call.request
    param = next(
        (name for name in ("max_completion_tokens", "max_tokens") if getattr(request, name)),
        "generationConfig.maxOutputTokens",
    )
    body.warn(
        "max_tokens",
        f"{param} {limit} is under the about {needed} output tokens one "
        f"{image_size or 'default-size'} image of {body.call.model.id} takes (its thinking "
        f"counts too): the answer will hold no image; raise {param} or leave it out",
        param=param,
    )


def _modalities(body: _Body) -> list[str]:
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


def _sampling(body: _Body, generation: dict[str, Any]) -> None:
    request, options = body.call.request, body.options
    temperature = request.temperature
    if options.temperature is not None:
        if temperature is not None and temperature != options.temperature:
            body.drop(
                "provider_options.google.temperature",
                options.temperature,
                "temperature, set on the request, decides",
            )
        else:
            temperature = options.temperature
    for key, value in (
        ("temperature", temperature),
        ("topP", request.top_p),
        ("maxOutputTokens", request.max_output_tokens),
        ("seed", _seed(body, request.seed)),
        ("stopSequences", [request.stop] if isinstance(request.stop, str) else request.stop),
        ("frequencyPenalty", _penalty(body, "frequency_penalty", request.frequency_penalty)),
        ("presencePenalty", _penalty(body, "presence_penalty", request.presence_penalty)),
    ):
        if value is not None:
            generation[key] = value
    if request.max_tokens is not None and request.max_completion_tokens not in (
        None,
        request.max_tokens,
    ):
        body.drop("max_tokens", request.max_tokens, "max_completion_tokens, also set, decides")
    level = _thinking_level(body)
    if level is not None:
        generation["thinkingConfig"] = {"thinkingLevel": level}
    _refuse_or_drop(body)


def _penalty(body: _Body, param: str, value: float | None) -> float | None:
    """A penalty of 0 (the default) is sent as given. Any other is dropped and reported: the
    Gemini 2.5 and later models answer it with 400 "Penalty is not enabled for this model"
    (google-gemini/cookbook#1290, vercel/ai#8943, BerriAI/litellm#32273; a Google engineer on
    the developer forum: only gemini-2.0-flash takes frequencyPenalty). Unless the caller also
    passes Google's own field through (``generationConfig.frequencyPenalty``): then it is sent,
    as asked, and the two must agree (see :func:`~.common.merge_passed_through`)."""
    if not value or _passed_through(body, camel(param)):
        return value
    body.drop(param, value, "Gemini image models take no penalties (a 400 otherwise)")
    return None


def _passed_through(body: _Body, key: str) -> bool:
    """Whether the request passes ``generationConfig.<key>`` through, in either spelling."""
    forwarded = body.call.request.forwarded
    for name in ("generationConfig", "generation_config"):
        config = forwarded.get(name)
        if isinstance(config, dict) and any(camel(k) == key for k in config):
            return True
    return False


def _seed(body: _Body, seed: int | None) -> int | None:
    """``n`` fans out into one call per choice: each call's own seed (see ``split_seed``)."""
    if seed is None:
        return None
    return split_seed(body, body.call.model, seed, body.call.index)


def _thinking_level(body: _Body) -> str | None:
    """``thinkingLevel`` from ``provider_options.google.thinking_level`` (which wins) or
    ``reasoning_effort``, checked as on the images path (:func:`~.common.thinking_level`): both
    reported dropped on a model without thinking; a level the model does not take is refused,
    naming the parameter it came from."""
    model = body.call.model
    effort, level = body.call.request.reasoning_effort, body.options.thinking_level
    if effort is not None and effort not in _EFFORT:
        raise InvalidRequestError(
            f"reasoning_effort {effort!r}: Gemini takes {', '.join(_EFFORT)}",
            param="reasoning_effort",
        )
    levels = thinking_levels(model)
    if effort is not None and not levels:
        body.drop("reasoning_effort", effort, no_thinking(model))
    elif effort is not None and level is not None and _EFFORT[effort] != level:
        body.drop("reasoning_effort", effort, f"{THINKING_PARAM}, also set, decides")
    if level is not None:
        return thinking_level(body, model, level)
    if effort is None or not levels:
        return None
    if _EFFORT[effort] not in levels:
        efforts = [name for name, wire in _EFFORT.items() if wire in levels]
        raise unsupported_thinking_level(model, "reasoning_effort", effort, efforts)
    return _EFFORT[effort]


_NOT_SENT = ("user", "metadata", "store", "service_tier")
"""OpenAI's chat fields Gemini has no setting for: reported as not sent."""

_NOT_SENT_EXTRAS = (
    "safety_identifier",
    "prompt_cache_key",
    "prompt_cache_retention",
    "prompt_cache_options",
    "verbosity",
)
"""OpenAI's newer chat fields (core forwards them, as fields it does not declare) that Gemini
has no setting for: reported as not sent."""


def _refuse_or_drop(body: _Body) -> None:
    request, options = body.call.request, body.options
    if request.logit_bias:
        raise UnsupportedFeatureError("Gemini takes no logit_bias", param="logit_bias")
    kind = (request.response_format or {}).get("type", "text")
    if kind != "text":
        raise UnsupportedFeatureError(
            f"response_format {kind!r}: the Gemini image models answer text and images only",
            param="response_format.type",
        )
    for name in _NOT_SENT:
        value = getattr(request, name)
        if value is not None:
            body.drop(name, value, _NO_SUCH)
    drop_options(body, options, (*IMAGEN_ONLY, *EDIT_ONLY), "an Imagen setting")


def _image_config(body: _Body, extras: dict[str, Any]) -> dict[str, Any]:
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
            body.drop(name, value, WHY_DROPPED.get(name, _NO_SUCH))
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


def _output_options(body: _Body, extras: dict[str, Any], out: dict[str, Any]) -> None:
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


def _top_level(body: _Body, extras: dict[str, Any]) -> dict[str, Any]:
    """The remaining extras: OpenAI's newer fields Gemini has no setting for (reported), and
    ``GenerateContentRequest`` fields by their JSON name; anything else is refused."""
    known = _TOP_LEVEL + (_VERTEX_TOP_LEVEL if body.on_vertex else ())
    out: dict[str, Any] = {}
    for name, value in extras.items():
        if name in _NOT_SENT_EXTRAS:
            if value is not None:
                body.drop(name, value, _NO_SUCH)
            continue
        json_name = camel(name)
        if json_name in known:
            out[json_name] = value
            continue
        if json_name in _VERTEX_TOP_LEVEL:
            why = "only Vertex AI takes it (vertexai=True)"
        else:
            why = (
                "it is not a chat-completions field limner maps, nor a field of Google's "
                f"generateContent request ({', '.join(known)}); put generation settings under "
                "generationConfig"
            )
        raise InvalidRequestError(f"{name!r}: {why}", param=name)
    return out
