"""Fixtures for the Stability provider tests: the provider, its models, small images, calls and a
loopback Stability server."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest
from aiohttp import web
from PIL import Image
from pydantic import BaseModel

import limner
from limner import EditRequest, GenerateRequest, ModelInfo, ProviderCall
from limner.http import RetryPolicy
from limner.images import sniff
from limner_stability import StabilityOptions, StabilityProvider
from limner_stability.models import MODELS


def png(width: int = 64, height: int = 64, *, mode: str = "RGB", hole: bool = False) -> bytes:
    """A PNG; with ``hole``, an RGBA image whose top-left quarter is fully transparent."""
    color: Any = (200, 40, 40, 255) if mode == "RGBA" else (200, 40, 40)
    image = Image.new(mode, (width, height), color)
    if hole:
        for x in range(width // 2):
            for y in range(height // 2):
                image.putpixel((x, y), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


TINY = png(8, 8)
TINY_B64 = base64.b64encode(TINY).decode()


@pytest.fixture(scope="session")
def provider() -> StabilityProvider:
    return StabilityProvider()


@pytest.fixture(scope="session")
def model() -> Callable[[str], ModelInfo]:
    return {info.name: info for info in MODELS}.__getitem__


class MakeCall(Protocol):
    def __call__(
        self,
        name: str,
        operation: str = ...,
        *,
        n: int = ...,
        index: int = ...,
        images: Sequence[bytes] = ...,
        mask: bytes | None = ...,
        options: dict[str, Any] | None = ...,
        **fields: Any,
    ) -> ProviderCall: ...


@pytest.fixture
def make_call(provider: StabilityProvider, model: Callable[[str], ModelInfo]) -> MakeCall:
    """A ProviderCall for model ``name`` the way core builds one."""

    def build(
        name: str,
        operation: str = "generate",
        *,
        n: int = 1,
        index: int = 0,
        images: Sequence[bytes] = (),
        mask: bytes | None = None,
        options: dict[str, Any] | None = None,
        **fields: Any,
    ) -> ProviderCall:
        info = model(name)
        request: GenerateRequest | EditRequest
        fields.setdefault("prompt", "a lighthouse at dusk")
        if operation == "generate":
            request = GenerateRequest(model=info.id, n=n, **fields)
        else:
            request = EditRequest(model=info.id, n=n, images=list(images), mask=mask, **fields)
        loaded: BaseModel | None = (
            None if options is None else StabilityOptions.model_validate(options)
        )
        return ProviderCall(
            operation=operation,  # type: ignore[arg-type]
            model=info,
            request=request,
            settings=provider.load_settings({}, {}),
            n=1,
            index=index,
            images=tuple(sniff(data, param=f"images[{i}]") for i, data in enumerate(images)),
            mask=None if mask is None else sniff(mask, param="mask"),
            options=loaded,
        )

    return build


# ---- a loopback Stability ------------------------------------------------------------------


@dataclass
class Seen:
    """One request the loopback server received."""

    path: str
    headers: dict[str, str]
    fields: dict[str, str]
    files: dict[str, bytes] = field(default_factory=dict)


Handler = Callable[[Seen], web.Response]


@dataclass
class Loopback:
    """A local Stability stand-in: ``handler`` answers, ``seen`` records every request."""

    port: int = 0
    handler: Handler = field(default=lambda seen: json_image())
    seen: list[Seen] = field(default_factory=list)

    def client(self, **kwargs: Any) -> limner.AsyncClient:
        settings = {"api_key": "sk-test", "base_url": f"http://127.0.0.1:{self.port}"}
        return limner.AsyncClient(
            providers={"stabilityai": settings},
            allow_private_networks=True,
            retry=RetryPolicy(initial_delay=0.001),
            environ={},
            **kwargs,
        )


def json_image(
    finish_reason: str = "SUCCESS", seed: int = 343940597, data: bytes = TINY
) -> web.Response:
    body = {"image": base64.b64encode(data).decode(), "finish_reason": finish_reason, "seed": seed}
    return web.Response(
        body=json.dumps(body).encode(),
        headers={"content-type": "application/json; type=image/png", "x-request-id": "req-ok"},
    )


def error(status: int, body: dict[str, Any], **headers: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
    )


@pytest.fixture
async def loopback() -> AsyncIterator[Loopback]:
    server = Loopback()

    async def handle(request: web.Request) -> web.Response:
        form = await request.post()
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        for name, value in form.items():
            if isinstance(value, str):
                fields[name] = value
            elif isinstance(value, web.FileField):
                files[name] = value.file.read()
        seen = Seen(request.path, {k.lower(): v for k, v in request.headers.items()}, fields, files)
        server.seen.append(seen)
        return server.handler(seen)

    app = web.Application()
    app.router.add_post("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = int(runner.addresses[0][1])
    try:
        yield server
    finally:
        await runner.cleanup()
