"""Keyword arguments the clients accept, as typed dicts (the OpenAI SDK's names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from .requests import ImageConfig

__all__ = ["CommonParams", "GenerateParams", "VariationParams"]


class CommonParams(TypedDict, total=False):
    """``None`` means "not set", as in the OpenAI SDK's ``Optional`` parameters."""

    n: int | None
    size: str | None
    response_format: Literal["url", "b64_json"] | None
    user: str | None
    extra_headers: Mapping[str, str] | None
    provider_options: Mapping[str, Mapping[str, Any] | None] | None
    extra_body: Mapping[str, Any] | None
    """Fields limner does not know, forwarded to the provider unchanged."""
    timeout: float | None
    """Seconds allowed for each HTTP call of this call (the client's ``timeout``, for this call
    alone, as the openai SDK's per-request option)."""
    max_retries: int | None
    """Extra attempts for this call alone (the client's ``max_retries``)."""


class GenerateParams(CommonParams, total=False):
    quality: str | None
    style: str | None
    background: str | None
    output_format: str | None
    output_compression: int | None
    moderation: str | None
    seed: int | None
    negative_prompt: str | None
    metadata: Mapping[str, str] | None
    image_config: ImageConfig | Mapping[str, str] | None


class EditParams(GenerateParams, total=False):
    images: Sequence[Any] | None
    """The images to edit, as the request's JSON Schema names them; or ``image=``."""
    mask: Any
    input_fidelity: str | None
    edit_mode: str | None


class VariationParams(CommonParams, total=False):
    pass
