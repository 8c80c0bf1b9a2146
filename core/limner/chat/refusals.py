"""What the chat surface refuses before any network call, each refusal naming its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..capabilities import ModelInfo
from ..errors import InvalidRequestError, UnsupportedFeatureError
from ..requests import STREAMING_NOT_SUPPORTED
from .schema import UNSUPPORTED_FIELDS, ChatRequest

__all__ = ["NOT_SUPPORTED", "refuse_unsupported"]

NOT_SUPPORTED = "Model(s) do not support /chat/completions"
"""OpenAI's words for a model the chat surface does not serve; limner's message goes on to say
what to use instead."""


def _instead(model: ModelInfo, models: Sequence[ModelInfo]) -> str:
    """What to use instead of chat with ``model``: its own operations, and the chat models."""
    calls = {"generate": "images.generate", "edit": "images.edit"}
    own = [calls[op] for op in model.capabilities.operations if op in calls]
    today = dt.date.today()
    chat = [
        m.id
        for m in models
        if m.capabilities.supports("chat") and not m.lifecycle.is_past_shutdown(today)
    ]
    uses = f"makes images with {' and '.join(own)}" if own else "serves no chat"
    listed = f"; chat models: {', '.join(chat)} (limner models)" if chat else ""
    return uses + listed


def refuse_unsupported(request: ChatRequest, model: ModelInfo, models: Sequence[ModelInfo]) -> None:
    """Before any network call: a model that does not chat (naming what to use instead, among
    ``models``), streaming, tool calls and the like, and ``n`` over the model's limit."""
    if not model.capabilities.supports("chat"):
        raise InvalidRequestError(
            f"{NOT_SUPPORTED}: {model.id} {_instead(model, models)}",
            param="model",
            code="model_not_supported",
            model=model.id,
        )
    if request.stream:
        raise UnsupportedFeatureError(
            "stream=True is not supported yet: limner's chat completions return the whole "
            "answer at once; leave stream unset (or false)",
            param="stream",
            code=STREAMING_NOT_SUPPORTED,
        )
    if request.stream_options is not None:
        raise InvalidRequestError(
            "stream_options is only allowed with stream=True, which limner does not support yet",
            param="stream_options",
        )
    for name, what in UNSUPPORTED_FIELDS.items():
        value = getattr(request, name)
        if value == "none":  # tool_choice="none" asks for no tool call: honoured as it is
            continue
        if value or isinstance(value, dict):  # web_search_options={} asks for a web search
            raise UnsupportedFeatureError(
                f"{name}: limner's chat completions do not support {what} yet",
                param=name,
            )
    if request.n > model.capabilities.max_n:
        raise InvalidRequestError(
            f"n: {model.id} makes at most {model.capabilities.max_n} choices", param="n"
        )
    seeds = model.capabilities.seed_range  # as the images path's schema check does
    if request.seed is not None and seeds is not None and not seeds[0] <= request.seed <= seeds[1]:
        raise InvalidRequestError(
            f"seed: {request.seed} is outside {seeds[0]} to {seeds[1]}, the seeds {model.id} takes",
            param="seed",
            code="invalid_value",
        )
