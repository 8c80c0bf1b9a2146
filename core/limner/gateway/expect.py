"""``Expect: 100-continue``, answered only once the request passes the checks that need no body.

aiohttp answers ``100 Continue`` before any middleware runs, so a client without a key, or with
a body declared larger than the gateway takes, was told to send it all (curl sends large uploads
so), then refused. The gateway's own checks run first now: a refused client is answered before
it sends the body, on a connection then closed (the body may follow anyway)."""

from __future__ import annotations

import time
import uuid
from functools import partial

from aiohttp import hdrs, web
from aiohttp.http import HttpVersion11

from ..errors import LimnerError
from .errors import error_response, http_error_response
from .middleware import authenticate, limit_body, log_line
from .state import STATE

__all__ = ["checked_expect"]


async def checked_expect(request: web.Request) -> web.StreamResponse | None:
    """The ``expect_handler`` of the routes that take a body: the key and the declared size
    checked (the ``authenticate`` and ``limit_body`` middlewares), then ``100 Continue``, or the
    refusal, as the gateway answers errors. An expectation other than ``100-continue`` is 417,
    as aiohttp answers it, in OpenAI's error body (this handler runs outside the middlewares)."""
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version != HttpVersion11:  # HTTP/1.0 has no 100 Continue: nothing to answer
        return None
    started = time.perf_counter()
    if expect.lower() != "100-continue":
        unknown = web.HTTPExpectationFailed(text=f"Unknown Expect: {expect[:40]}")
        return _refused(request, http_error_response(unknown, request), started)
    try:
        await authenticate(request, partial(limit_body, handler=_passed))
    except LimnerError as exc:
        return _refused(request, error_response(exc, request.app[STATE].scrub), started)
    await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    request.writer.output_size = 0  # (as aiohttp's own: the answer proper has not begun)
    return None


def _refused(request: web.Request, response: web.Response, started: float) -> web.Response:
    """``response``, a refusal before the body, with a request id and logged as the middlewares
    would; it closes the connection, as the body may come all the same (not read as a next
    request)."""
    response.headers["x-request-id"] = f"req_{uuid.uuid4().hex}"
    response.force_close()
    log_line(request, response.status, started, response.headers["x-request-id"])
    return response


async def _passed(request: web.Request) -> web.StreamResponse:
    return web.Response()  # the checks passed: nothing is answered yet
