"""Middleware, outermost first: error rendering and the request log line, authentication, and
the body-size check (413 before the body is read)."""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from ..errors import (
    AuthenticationError,
    LimnerError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from ..interrupted import keep_made_images
from ..money import exact_money
from ..responses import ImagesResponse
from ..safe_text import printable
from .config import is_loopback_host
from .errors import error_response, http_error_response, internal_error_response
from .files import FILE_ID_PATTERN, StoredFile
from .forwarded import forwarded_for
from .owners import log_tag, owner_tag
from .shutdown import CutOff, stopping_error, went_upstream
from .state import STATE
from .urls import LINK_NOT_VALID

__all__ = [
    "OWNER",
    "Note",
    "authenticate",
    "caller",
    "errors_and_log",
    "limit_body",
    "log",
    "log_line",
    "may_use",
    "note",
    "owner_tag",
]

log = logging.getLogger("limner.gateway")
"""One INFO line per request: method, path, model, status, latency, cost. Never headers, query
strings or bodies."""


@dataclass
class Note:
    """What a handler learns for the log line (the model and the cost), and whether the
    answer must close the connection."""

    model: str | None = None
    cost: Decimal | None = None
    close_connection: bool = False  # the answer closes it (a body left unread on it)
    default_model: bool = False  # the request named no model: the gateway's default serves it


_NOTE: ContextVar[Note] = ContextVar("limner_gateway_note")


def note() -> Note:
    """The current request's log note (handlers fill it in)."""
    try:
        return _NOTE.get()
    except LookupError:  # outside the middleware (a handler called directly)
        return Note()


OPEN_PATHS = frozenset({"/healthz", "/openapi.json"})
CONTENT_PATH = re.compile(f"^/v1/files/({FILE_ID_PATTERN})/content$")
OWNER = web.RequestKey("limner_file_owner", str)
"""The owner tag of the gateway key a request authenticated with (absent: no key involved)."""


def caller(request: web.Request) -> str | None:
    """The owner tag of the request's gateway key, or of the key that signed the file link it
    came with; ``None`` when the gateway has no keys (one user: every file is theirs)."""
    return request.get(OWNER)


def may_use(request: web.Request, stored: StoredFile) -> bool:
    """Whether the request may see a stored file: the key that stored it (or signed the link
    the request came with, see :func:`authenticate`), or no key at all (a gateway without
    keys)."""
    owner = caller(request)
    return owner is None or stored.owner == owner


@web.middleware
async def errors_and_log(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    _NOTE.set(Note())
    state = request.app[STATE]
    try:
        with keep_made_images() as made:  # what a client that leaves had made, and billed
            async with state.deadline.bounding():  # a stopping gateway's grace, when it ends
                response = await handler(request)
    except CutOff:  # answered, not dropped: the SDKs would send it again, to be billed twice
        note().close_connection = True
        note().cost = _made_cost(made) or note().cost  # (an answer's, cut off while stored)
        stopped = stopping_error(went_upstream(), note().cost)
        response = error_response(stopped, state.scrub)
    except LimnerError as exc:
        if exc.cost is not None:  # no image, but a usage the provider may bill
            note().cost = exc.cost
        if note().default_model and exc.param == "model":  # a model the client never named
            exc.message = (
                f"{exc.message.rstrip('.')} (the gateway's default model, as the request named "
                "none: name a model in the request)"
            )
        response = error_response(exc, state.scrub)
    except web.HTTPException as exc:
        response = http_error_response(exc, request)
    except asyncio.CancelledError:
        # the client went away; the upstream calls were cancelled with the handler, but those
        # that had answered made images, billed: the log line gives their cost
        note().cost = _made_cost(made) or note().cost
        log_line(request, 499, started)
        raise
    except Exception:
        log.exception("bug while handling %s %s", request.method, printable(request.path))
        response = internal_error_response()
    if not response.prepared:  # an id for every answer, as OpenAI's (the SDKs' _request_id)
        response.headers.setdefault("x-request-id", f"req_{uuid.uuid4().hex}")
        if note().close_connection or _encoded_body_left(request):
            request.content.feed_eof()  # not read further: no "lingering" read after the answer
            response.force_close()  # what is left of the body cannot be read past
    log_line(request, response.status, started, response.headers.get("x-request-id"))
    return response


def _made_cost(made: list[ImagesResponse]) -> Decimal | None:
    """What the calls of a cancelled request that had answered cost (billed, not delivered)."""
    costs = [result.cost for result in made if result.cost is not None]
    with exact_money():
        return sum(costs, Decimal(0)) if costs else None


def _encoded_body_left(request: web.Request) -> bool:
    """Whether an answer leaves a body with a ``Content-Encoding`` unread (a wrong key, an
    unknown route): aiohttp would read the rest after the answer to keep the connection, and
    log an unhandled exception for what does not decode. Such a connection is closed instead."""
    return "Content-Encoding" in request.headers and not request.content.is_eof()


def log_line(
    request: web.Request, status: int, started: float, request_id: str | None = None
) -> None:
    current = note()
    owner = request.get(OWNER)
    log.info(
        "%s %s model=%s status=%d latency_ms=%d cost=%s key=%s request_id=%s",
        request.method,
        printable(request.path),
        printable(current.model or "-"),
        status,
        round((time.perf_counter() - started) * 1000),
        "-" if current.cost is None else f"{current.cost:f}",
        "-" if owner is None else log_tag(owner),
        printable(request_id or "-"),
    )


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE]
    if request.path in OPEN_PATHS:
        return await handler(request)
    if not state.config.auth_required:
        _only_this_machine(request)
        return await handler(request)
    content = CONTENT_PATH.match(request.path)
    if content and request.method in ("GET", "HEAD"):
        signed_by = state.signer.verify(content[1], request.query)
        if signed_by is not None:  # the signing key's own files only (see may_use)
            request[OWNER] = signed_by
            return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if content and "signature" in request.query and "Authorization" not in request.headers:
        raise AuthenticationError(
            "this file link has expired, or was signed with a gateway key the gateway no longer "
            "accepts: ask for the image again (a link lasts as long as its file), or send "
            "'Authorization: Bearer <key>'",
            code=LINK_NOT_VALID,
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(
            "Missing API key: send 'Authorization: Bearer <key>' with one of the gateway's keys",
            code="missing_api_key",
        )
    token = token.strip()
    sent = token.encode("utf-8", "surrogateescape")  # aiohttp keeps undecodable bytes so
    if not any(hmac.compare_digest(sent, key.encode()) for key in state.config.api_keys):
        raise AuthenticationError("Incorrect API key provided", code="invalid_api_key")
    request[OWNER] = owner_tag(token)
    return await handler(request)


def _only_this_machine(request: web.Request) -> None:
    """A gateway without keys serves the programs of its own machine, not its web pages: a page
    of any site could otherwise spend the operator's credits (a form's cross-site POST needs
    no permission), or, once its name resolves to 127.0.0.1 (DNS rebinding), read the answers.
    So the request must be addressed to a loopback host, come from one, and a browser's
    ``Origin``, when sent, must be such a host too; so must every client a proxy says it
    forwards the request for (a proxy on this machine makes every request look local). (A
    ``public_url`` other machines reach needs keys: see
    :class:`~limner.gateway.config.GatewayConfig`.)"""
    host = request.host.rpartition(":")[0] if _has_port(request.host) else request.host
    if not is_loopback_host(host.strip("[]")):
        raise PermissionDeniedError(
            f"this gateway has no API keys, so it serves only this machine; a request addressed "
            f"to {printable(host)!r} is refused. Address it to 127.0.0.1 or localhost, or give "
            "the gateway keys (LIMNER_API_KEYS) to serve others",
            code="gateway_local_only",
        )
    remote = [*forwarded_for(request), request.remote or ""]
    outside = next((address for address in remote if not is_loopback_host(address)), None)
    if outside is not None:  # (a proxy on this machine, for a client elsewhere)
        raise PermissionDeniedError(
            f"this gateway has no API keys, so it serves only this machine; a request from "
            f"{printable(outside)!r} (forwarded by a proxy) is refused. Give the gateway keys "
            "(LIMNER_API_KEYS) to serve other machines",
            code="gateway_local_only",
        )
    origin = request.headers.get("Origin")
    if origin is not None and not is_loopback_host(urlsplit(origin).hostname or ""):
        raise PermissionDeniedError(
            f"this gateway has no API keys, so web pages of other sites ({printable(origin)}) "
            "may not use it; give the gateway keys (LIMNER_API_KEYS) to serve them",
            code="gateway_local_only",
        )


def _has_port(host: str) -> bool:
    """Whether a Host header's value ends in a port (``[::1]:8080``, ``localhost:8080``)."""
    return host.rsplit("]", 1)[-1].count(":") == 1


@web.middleware
async def limit_body(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a declared-too-large body at once; aiohttp's ``client_max_size`` stops an
    undeclared (chunked) one while it is read. A request with a body takes its size from the
    gateway's body budget (:mod:`.body_budget`) for as long as it runs; with several keys,
    first from its key's half of it."""
    state = request.app[STATE]
    limit = state.config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLargeError(
            f"request body is {request.content_length} bytes; the gateway takes at most {limit}",
            param=None,
        )
    if not request.body_exists:
        return await handler(request)
    size = limit if request.content_length is None else request.content_length
    loop = asyncio.get_running_loop()
    queued = state.config.queue_timeout
    deadline = loop.time() + queued
    own = state.body_share(request.get(OWNER))  # (with several keys: the key's half first)
    mine = 0 if own is None else await own.take(size, queued)
    try:
        taken = await state.bodies.take(size, max(0.0, deadline - loop.time()), queued)
        try:
            return await handler(request)
        finally:
            state.bodies.give_back(taken)
    finally:
        if own is not None:
            own.give_back(mine)
