"""Fixtures for the Google provider tests: the provider, calls built as core builds them, tiny
images, the shared real recordings, and a scripted loopback server."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiohttp import web
from PIL import Image
from pydantic import BaseModel

import limner
from limner import EditRequest, GenerateRequest, ModelInfo, ProviderCall, ProviderSettings
from limner.images import sniff
from limner_google import GoogleOptions, GoogleProvider
from limner_google.models import MODELS

REAL = Path(__file__).resolve().parent / "data"


def real_json(name: str) -> Any:
    """A Google-maintained mock or captured answer from ``shared/real-cassettes/google``."""
    return json.loads((REAL / name).read_text())


def png(width: int = 16, height: int = 16, *, mode: str = "RGB", hole: bool = False) -> bytes:
    color: Any = (200, 40, 40, 255) if mode == "RGBA" else (200, 40, 40)
    image = Image.new(mode, (width, height), color)
    if hole:  # transparent top-left quarter: the area to edit in OpenAI's convention
        for x in range(width // 2):
            for y in range(height // 2):
                image.putpixel((x, y), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def provider() -> GoogleProvider:
    return GoogleProvider()


def model(name: str) -> ModelInfo:
    return {info.name: info for info in MODELS}[name]


def settings(**values: Any) -> ProviderSettings:
    return GoogleProvider().load_settings(values, {})


GEMINI = settings(api_key="k")
VERTEX = settings(vertexai=True, project="proj", location="us-central1")


class MakeCall(Protocol):
    def __call__(
        self,
        name: str,
        operation: str = ...,
        *,
        n: int = ...,
        images: Sequence[bytes] = ...,
        mask: bytes | None = ...,
        options: dict[str, Any] | None = ...,
        settings: ProviderSettings | None = ...,
        request_n: int | None = ...,
        **fields: Any,
    ) -> ProviderCall: ...


def _make_call(
    name: str,
    operation: str = "generate",
    *,
    n: int = 1,
    images: Sequence[bytes] = (),
    mask: bytes | None = None,
    options: dict[str, Any] | None = None,
    settings: ProviderSettings | None = None,
    request_n: int | None = None,
    **fields: Any,
) -> ProviderCall:
    info = model(name)
    fields.setdefault("prompt", "a red fox")
    request: GenerateRequest | EditRequest
    if operation == "edit":
        request = EditRequest(
            model=info.id, n=request_n or n, images=list(images), mask=mask, **fields
        )
    else:
        request = GenerateRequest(model=info.id, n=request_n or n, **fields)
    parsed: BaseModel | None = None if options is None else GoogleOptions.model_validate(options)
    return ProviderCall(
        operation=operation,  # type: ignore[arg-type]
        model=info,
        request=request,
        settings=settings or GEMINI,
        n=n,
        images=tuple(sniff(data, param=f"images[{i}]") for i, data in enumerate(images)),
        mask=None if mask is None else sniff(mask, param="mask"),
        options=parsed,
    )


@pytest.fixture
def make_call() -> MakeCall:
    return _make_call


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Server:
    """A loopback server answering from a script: each answer is (status, json body, headers);
    the last one repeats."""

    url: str = ""
    answers: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    responder: Callable[[Any], tuple[int, Any]] | None = None
    """Answers from the request body instead of the script, when set."""

    def answer(self, status: int, body: Any, **headers: str) -> None:
        self.answers.append((status, body, headers))

    def client(
        self,
        *,
        retry: limner.http.RetryPolicy | None = None,
        strict: bool = False,
        **google: Any,
    ) -> limner.AsyncClient:
        config = {"api_key": "test-key", "base_url": self.url, **google}
        if google.get("credentials") is not None and "api_key" not in google:
            del config["api_key"]  # credentials and a key in code are refused together
        if config.get("vertexai"):
            config.pop("base_url")
            config["vertex_base_url"] = self.url
        return limner.AsyncClient(
            providers={"google": config},
            allow_private_networks=True,
            retry=retry or limner.http.RetryPolicy(initial_delay=0.001),
            strict=strict,
            environ={},
        )


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        state.seen.append(
            Seen(
                request.method,
                request.path,
                {k.lower(): v for k, v in request.headers.items()},
                json.loads(raw) if raw else None,
            )
        )
        if state.responder is not None:
            status, body = state.responder(state.seen[-1].body)
            return web.json_response(body, status=status)
        index = min(len(state.seen), len(state.answers)) - 1
        status, body, headers = state.answers[index]
        return web.json_response(body, status=status, headers=headers)

    app = web.Application(client_max_size=64 * 2**20)
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()


class FakeCredentials:
    """Stands in for ``google.auth`` credentials: no network; counts refreshes."""

    def __init__(self, token: str = "ya29.fake", quota_project_id: str | None = None) -> None:
        self.token: str | None = None
        self.valid = False
        self.refreshes = 0
        self._next = token
        self.quota_project_id = quota_project_id

    def refresh(self, request: object) -> None:
        self.refreshes += 1
        self.token = f"{self._next}-{self.refreshes}"
        self.valid = True


@pytest.fixture
def fake_credentials() -> Callable[..., FakeCredentials]:
    return FakeCredentials


def gemini_answer(text: str | None = "Here you go!", *, image: bytes | None = None) -> Any:
    import base64

    parts: list[dict[str, Any]] = []
    if text is not None:
        parts.append({"text": text})
    if image is not None:
        parts.append(
            {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(image).decode()}}
        )
    return {
        "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": 10,
            "candidatesTokenCount": 1300,
            "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}],
            "totalTokenCount": 1310,
        },
    }
