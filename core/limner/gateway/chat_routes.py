"""``POST /v1/chat/completions``: image output through chat, for chat-capable image models
(image-only models get 400 ``Model(s) do not support /chat/completions`` from the chat surface,
before any upstream call)."""

from __future__ import annotations

from aiohttp import web

from ..errors import InvalidRequestError
from .answers import answer, with_warnings
from .bodies import check_request, read_json, require
from .middleware import caller, note
from .state import STATE

__all__ = ["completions"]


async def completions(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await read_json(request)
    require(body, "model", "messages")
    check_request(body, max_n=state.config.max_n)
    model, messages = body.pop("model"), body.pop("messages")
    if not isinstance(model, str):
        raise InvalidRequestError("model must be a string", param="model")
    if not isinstance(messages, list):
        raise InvalidRequestError("messages must be a list (a JSON array)", param="messages")
    note().model = model
    result = await state.upstream(
        lambda: state.client.chat.completions.create(model=model, messages=messages, **body),
        caller(request),
    )
    note().cost = result.cost
    result = with_warnings(result, request, state.scrub)
    body = result.model_dump(mode="json")
    if body.get("usage") is None:  # OpenAI's schema has it an object, or absent: never null
        body.pop("usage", None)
    return answer(body, result.request_id, state.scrub)
