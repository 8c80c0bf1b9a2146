"""``POST /v1/chat/completions``: image output through chat, for chat-capable image models
(image-only models get 400 ``Model(s) do not support /chat/completions`` from the chat surface,
before any upstream call)."""

from __future__ import annotations

from aiohttp import web

from ..errors import InvalidRequestError
from .bodies import check_request, read_json, require, unread_query
from .errors import answered, failures_as_answered
from .middleware import note
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
        lambda: state.client.chat.completions.create(model=model, messages=messages, **body)
    )
    note().cost = result.cost
    if result.failures:  # choices that failed while others answered: said as errors are
        warnings = failures_as_answered(result.warnings, result.failures, state.scrub)
        result = result.model_copy(update={"warnings": warnings})
    if request.query:
        result = result.model_copy(update={"warnings": [*result.warnings, *unread_query(request)]})
    # the upstream's id for the call, as on errors: the SDKs' _request_id
    headers = {"x-request-id": result.request_id} if result.request_id else None
    return web.json_response(answered(result.model_dump(mode="json"), state.scrub), headers=headers)
