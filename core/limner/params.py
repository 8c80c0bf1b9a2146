"""Keyword arguments the clients accept, as typed dicts (the OpenAI SDK's names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from .requests import ImageConfig

__all__ = ["CommonParams", "GenerateParams", "VariationParams"]


class CommonParams(TypedDict, total=False):
    n: int
    size: str
    response_format: Literal["url", "b64_json"]
    user: str
    extra_headers: Mapping[str, str]
    provider_options: Mapping[str, Mapping[str, Any]]
    extra_body: Mapping[str, Any]
    """Fields limner does not know, forwarded to the provider unchanged."""


class GenerateParams(CommonParams, total=False):
    quality: str
    style: str
    background: str
    output_format: str
    output_compression: int
    moderation: str
    seed: int
    negative_prompt: str
    metadata: Mapping[str, str]
    image_config: ImageConfig | Mapping[str, str]


class EditParams(GenerateParams, total=False):
    mask: Any
    input_fidelity: str
    edit_mode: str


class VariationParams(CommonParams, total=False):
    pass
