"""Fixtures for the Nova Canvas tests: the provider, calls built as core builds them, images, a
fixed signing clock and a loopback Bedrock Runtime."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Protocol

import pytest
from PIL import Image
from pydantic import BaseModel

from limner import (
    EditRequest,
    GenerateRequest,
    ModelInfo,
    ProviderCall,
    ProviderSettings,
    VariationRequest,
)
from limner.images import sniff
from limner_nova_canvas import NovaCanvasOptions, NovaCanvasProvider
from limner_nova_canvas.models import MODELS

from .support import FIXED_NOW, KEYS, BedrockServer


def png(
    width: int, height: int, *, mode: str = "RGB", hole: bool = False, fmt: str = "PNG"
) -> bytes:
    """A solid image; ``hole`` cuts a fully transparent square (the area a mask edits) at
    x, y in [w/4, w/2)."""
    color: Any = {"RGBA": (200, 40, 40, 255), "L": 128}.get(mode, (200, 40, 40))
    image = Image.new(mode, (width, height), color)
    if hole:
        for x in range(width // 4, width // 2):
            for y in range(height // 4, height // 2):
                image.putpixel((x, y), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.fixture(scope="session")
def provider() -> NovaCanvasProvider:
    return NovaCanvasProvider()


@pytest.fixture(scope="session")
def canvas() -> ModelInfo:
    return MODELS[0]


@pytest.fixture
def settings(provider: NovaCanvasProvider) -> ProviderSettings:
    return provider.load_settings({"region": "us-east-1", **KEYS}, {})


class MakeCall(Protocol):
    def __call__(
        self,
        operation: str = ...,
        *,
        n: int = ...,
        index: int = ...,
        images: Sequence[bytes] = ...,
        mask: bytes | None = ...,
        options: dict[str, Any] | None = ...,
        settings: ProviderSettings | None = ...,
        **fields: Any,
    ) -> ProviderCall: ...


@pytest.fixture
def make_call(
    provider: NovaCanvasProvider, canvas: ModelInfo, settings: ProviderSettings
) -> MakeCall:
    """A ProviderCall the way core builds one (images sniffed, options validated)."""

    def build(
        operation: str = "generate",
        *,
        n: int = 1,
        index: int = 0,
        images: Sequence[bytes] = (),
        mask: bytes | None = None,
        options: dict[str, Any] | None = None,
        settings: ProviderSettings | None = None,
        **fields: Any,
    ) -> ProviderCall:
        request: GenerateRequest | EditRequest | VariationRequest
        if operation == "generate":
            request = GenerateRequest(model=canvas.id, n=n, **fields)
        elif operation == "edit":
            request = EditRequest(model=canvas.id, n=n, images=list(images), mask=mask, **fields)
        else:
            request = VariationRequest(model=canvas.id, n=n, image=images[0], **fields)
        loaded = tuple(sniff(data, param=f"images[{i}]") for i, data in enumerate(images))
        parsed: BaseModel | None = (
            None if options is None else NovaCanvasOptions.model_validate(options)
        )
        return ProviderCall(
            operation=operation,  # type: ignore[arg-type]
            model=canvas,
            request=request,
            settings=settings or provider.load_settings({"region": "us-east-1", **KEYS}, {}),
            n=n,
            index=index,
            images=loaded,
            mask=None if mask is None else sniff(mask, param="mask"),
            options=parsed,
        )

    return build


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """botocore's signing clock, frozen (the plugin and the oracle both read it)."""
    import botocore.auth

    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: FIXED_NOW)
    return FIXED_NOW


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    """botocore's signing clock, one second later at every signature."""
    import botocore.auth

    seen: list[dt.datetime] = []

    def now(*args: Any, **kwargs: Any) -> dt.datetime:
        seen.append(FIXED_NOW + dt.timedelta(seconds=len(seen)))
        return seen[-1]

    monkeypatch.setattr(botocore.auth, "get_current_datetime", now)
    yield seen


@pytest.fixture
async def bedrock() -> AsyncIterator[BedrockServer]:
    server = BedrockServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
