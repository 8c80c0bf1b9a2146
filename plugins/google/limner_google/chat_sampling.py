"""A Gemini chat request's ``generationConfig`` sampling settings from OpenAI's chat fields
(temperature, top_p, the output budget, seed, stop, penalties, reasoning effort), what Gemini
has no setting for, and the warning of an output budget too small for one image."""

from __future__ import annotations

from typing import Any

from limner import InvalidRequestError, UnsupportedFeatureError

from .chat_body import NO_SUCH, ChatBody
from .common import (
    EDIT_ONLY,
    IMAGEN_ONLY,
    THINKING_PARAM,
    drop_options,
    no_thinking,
    thinking_level,
    unsupported_thinking_level,
)
from .models import thinking_levels
from .plan import split_seed
from .prices import image_tokens
from .spelling import camel

__all__ = ["budget_for_an_image", "sampling"]

_EFFORT = {"minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"}


def sampling(body: ChatBody, generation: dict[str, Any]) -> None:
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


def _penalty(body: ChatBody, param: str, value: float | None) -> float | None:
    """A penalty of 0 (the default) is sent as given. Any other is dropped and reported: the
    Gemini 2.5 and later models answer it with 400 "Penalty is not enabled for this model"
    (google-gemini/cookbook#1290, vercel/ai#8943, BerriAI/litellm#32273; a Google engineer on
    the developer forum: only gemini-2.0-flash takes frequencyPenalty). Unless the caller also
    passes Google's own field through (``generationConfig.frequencyPenalty``): then it is sent,
    as asked, and the two must agree (see :func:`~.passthrough.merge_passed_through`)."""
    if not value or _passed_through(body, camel(param)):
        return value
    body.drop(param, value, "Gemini image models take no penalties (a 400 otherwise)")
    return None


def _passed_through(body: ChatBody, key: str) -> bool:
    """Whether the request passes ``generationConfig.<key>`` through, in either spelling."""
    forwarded = body.call.request.forwarded
    for name in ("generationConfig", "generation_config"):
        config = forwarded.get(name)
        if isinstance(config, dict) and any(camel(k) == key for k in config):
            return True
    return False


def _seed(body: ChatBody, seed: int | None) -> int | None:
    """``n`` fans out into one call per choice: each call's own seed (see ``split_seed``)."""
    if seed is None:
        return None
    return split_seed(body, body.call.model, seed, body.call.index)


def _thinking_level(body: ChatBody) -> str | None:
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


def _refuse_or_drop(body: ChatBody) -> None:
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
            body.drop(name, value, NO_SUCH)
    drop_options(body, options, (*IMAGEN_ONLY, *EDIT_ONLY), "an Imagen setting")


def budget_for_an_image(body: ChatBody, limit: object, image_size: str | None) -> None:
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
