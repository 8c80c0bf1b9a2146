"""Helpers for the core tests: images, a loopback provider server, client settings."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from PIL import Image

import limner
from limner.http import RetryPolicy

from .fakeprovider import API_KEY, FakePlugin

TEST_TIMEOUT = 20  # seconds; a safety net so nothing can hang the suite


def png(width: int = 8, height: int = 8, *, alpha: bool = False, fmt: str = "PNG") -> bytes:
    mode = "RGBA" if alpha else "RGB"
    color: Any = (255, 0, 0, 0) if alpha else (255, 0, 0)
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, format=fmt)
    return out.getvalue()


IMAGE = png(4, 4)
IMAGE_B64 = base64.b64encode(IMAGE).decode()


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, str, str, int]] = field(default_factory=list)
    raw_path: str = ""
    request: web.Request | None = field(default=None, repr=False, compare=False)
    """The server's request, for a reply that writes its answer by hand."""


Handler = Callable[[Recorded], Awaitable[web.StreamResponse]]
Reply = web.StreamResponse | Handler


def ok_body(n: int, *, url: str | None = None, usage: bool = True, **extra: Any) -> dict[str, Any]:
    item = {"url": url} if url else {"b64_json": IMAGE_B64}
    body: dict[str, Any] = {"created": 1, "data": [dict(item) for _ in range(n)], **extra}
    if usage:
        body["usage"] = {
            "input_tokens": 10,
            "output_tokens": 100 * n,
            "total_tokens": 10 + 100 * n,
            "input_tokens_details": {"text_tokens": 10, "image_tokens": 0},
        }
    return body


def error_reply(status: int, message: str = "nope", **headers: str) -> Handler:
    """A reply (fresh each time it is used) with an OpenAI-shaped error body."""
    payload = {"error": {"message": message, "type": "x", "code": None}}

    async def answer(recorded: Recorded) -> web.StreamResponse:
        return web.json_response(payload, status=status, headers=headers)

    return answer


class FakeServer:
    """A loopback HTTP server that records requests and answers scripted replies; with no script
    left, an image endpoint answers ``n`` base64 images (``n`` read from the request)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Reply] = []
        self.files: dict[str, bytes] = {"/files/a.png": png(16, 16)}
        self.release = asyncio.Event()
        self.url = ""
        self._runner: web.AppRunner | None = None

    @property
    def api_calls(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/v1/")]

    def reply(self, *replies: Reply) -> None:
        self.script.extend(replies)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        recorded = Recorded(
            method=request.method,
            path=request.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            raw_path=request.raw_path,
            request=request,
        )
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    recorded.files.append((name, value.filename, value.content_type, len(data)))
                else:
                    recorded.form[name] = str(value)
        else:
            recorded.body = await request.read()
            if request.content_type == "application/json":
                recorded.json = json.loads(recorded.body)
        self.requests.append(recorded)
        if request.path in self.files:
            return web.Response(body=self.files[request.path], content_type="image/png")
        if self.script:
            reply = self.script.pop(0)
            if isinstance(reply, web.StreamResponse):
                return reply
            return await reply(recorded)
        n = int((recorded.json or recorded.form).get("n", 1))
        return web.json_response(ok_body(n))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self.release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def stall(self, recorded: Recorded) -> web.StreamResponse:
        """A reply that never comes (until the server stops)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release.wait(), TEST_TIMEOUT)
        return web.json_response(ok_body(1))

    async def stall_mid_body(self, recorded: Recorded) -> web.StreamResponse:
        """A 200 whose JSON body begins and then stops coming (until the server stops)."""
        response = web.StreamResponse(status=200, headers={"content-type": "application/json"})
        response.content_length = 10_000
        assert recorded.request is not None
        await response.prepare(recorded.request)
        await response.write(b'{"created": 1, "data": [')
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release.wait(), TEST_TIMEOUT)
        return response


async def make_server() -> FakeServer:
    srv = FakeServer()
    await srv.start()
    return srv


FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.01)


def client_kwargs(srv: FakeServer | None, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {"api_key": API_KEY}
    if srv is not None:
        settings["base_url"] = f"{srv.url}/v1"
    kwargs: dict[str, Any] = {
        "plugins": [FakePlugin()],
        "disable_plugins": ["openai"],
        "providers": {"fake": settings},
        "retry": FAST_RETRY,
        "timeout": 5.0,
        "environ": {},
        "allow_private_networks": True,
    }
    kwargs.update(overrides)
    return kwargs


MakeClient = Callable[..., limner.AsyncClient]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def closed_while_waiting(
    client: Any, server: FakeServer, call: Awaitable[Any]
) -> tuple[BaseException | None, float]:
    """Start ``call`` on ``client``, close the client once ``server`` has seen it and the call
    waits, and return what the call raised and the seconds it took to end after the close."""
    task = asyncio.ensure_future(call)
    while not server.api_calls:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await client.close()
    try:
        await task
    except BaseException as exc:  # what the test asserts on
        return exc, time.monotonic() - started
    return None, time.monotonic() - started
