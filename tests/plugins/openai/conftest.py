"""Fixtures for the OpenAI provider tests: the provider, its models, tiny images and calls."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest
from PIL import Image
from pydantic import BaseModel

import limner
from limner import (
    EditRequest,
    GenerateRequest,
    InputImage,
    ModelInfo,
    ProviderCall,
    ProviderSettings,
    VariationRequest,
)
from limner.images import sniff
from limner_openai import OpenAIProvider
from limner_openai.models import MODELS

DATA = Path(__file__).resolve().parent / "data"


def _png(width: int, height: int, *, mode: str = "RGB", hole: bool = False) -> bytes:
    color: Any = (200, 40, 40, 255) if mode == "RGBA" else (200, 40, 40)
    image = Image.new(mode, (width, height), color)
    if hole:  # a fully transparent square: the area a mask marks for editing
        for x in range(width // 4, width // 2):
            for y in range(height // 4, height // 2):
                image.putpixel((x, y), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def provider() -> OpenAIProvider:
    return OpenAIProvider()


@pytest.fixture(scope="session")
def model() -> Callable[[str], ModelInfo]:
    by_name = {info.name: info for info in MODELS}
    return by_name.__getitem__


@pytest.fixture(scope="session")
def png() -> bytes:
    """A 16x16 opaque PNG."""
    return _png(16, 16)


@pytest.fixture(scope="session")
def png2() -> bytes:
    """A second, different 16x16 PNG (RGBA, opaque)."""
    return _png(16, 16, mode="RGBA")


@pytest.fixture(scope="session")
def mask_png() -> bytes:
    """A 16x16 RGBA mask with a transparent square."""
    return _png(16, 16, mode="RGBA", hole=True)


ImageInput = bytes | str | dict[str, str]


def load(ref: ImageInput, param: str) -> InputImage:
    """What core hands a provider for one input: bytes sniffed, remote URLs and file ids as is."""
    if isinstance(ref, bytes):
        return sniff(ref, param=param)
    if isinstance(ref, dict):
        return InputImage(file_id=ref["file_id"])
    return InputImage(url=ref)


class MakeCall(Protocol):
    def __call__(
        self,
        name: str,
        operation: str = ...,
        *,
        n: int = ...,
        images: Sequence[ImageInput] = ...,
        mask: ImageInput | None = ...,
        options: BaseModel | None = ...,
        settings: ProviderSettings | None = ...,
        **fields: Any,
    ) -> ProviderCall: ...


@pytest.fixture
def make_call(provider: OpenAIProvider, model: Callable[[str], ModelInfo]) -> MakeCall:
    """Build a ProviderCall for model ``name`` the way core would."""

    def build(
        name: str,
        operation: str = "generate",
        *,
        n: int = 1,
        images: Sequence[ImageInput] = (),
        mask: ImageInput | None = None,
        markup: ImageInput | None = None,
        options: BaseModel | None = None,
        settings: ProviderSettings | None = None,
        **fields: Any,
    ) -> ProviderCall:
        info = model(name)
        request: limner.GenerateRequest | limner.EditRequest | limner.VariationRequest
        if operation == "generate":
            request = GenerateRequest(model=info.id, n=n, **fields)
        elif operation == "edit":
            request = EditRequest(
                model=info.id, n=n, images=list(images), mask=mask, markup=markup, **fields
            )
        else:
            request = VariationRequest(model=info.id, n=n, image=images[0], **fields)
        loaded = tuple(load(ref, f"images[{i}]") for i, ref in enumerate(images))
        return ProviderCall(
            operation=operation,  # type: ignore[arg-type]
            model=info,
            request=request,
            settings=settings or provider.load_settings({}, {}),
            n=n,
            images=loaded,
            mask=None if mask is None else load(mask, "mask"),
            options=options,
            markup=None if markup is None else load(markup, "markup"),
        )

    return build
