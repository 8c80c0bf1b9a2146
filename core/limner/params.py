"""Keyword arguments the clients accept, as typed dicts (the OpenAI SDK's names)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, TypeAlias, TypedDict

from .requests import ImageConfig, ImageRef

__all__ = [
    "ChatParams",
    "CommonParams",
    "EditParams",
    "GenerateParams",
    "ImageInput",
    "VariationParams",
]


class BinaryFile(Protocol):
    """A file object opened in binary mode (``open(path, "rb")``, ``io.BytesIO``)."""

    def read(self, size: int = -1, /) -> bytes: ...


FileContent: TypeAlias = bytes | bytearray | memoryview | os.PathLike[str] | BinaryFile
ImageInput: TypeAlias = (
    FileContent
    | str
    | Mapping[str, Any]
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
    | ImageRef
)
"""One input image: bytes, a path, a binary file object, a ``data:`` or https URL,
``{"file_id": ...}`` or ``{"image_url": ...}``, or the OpenAI SDK's file tuple
``(filename, content[, mime[, headers]])``."""


class CommonParams(TypedDict, total=False):
    """``None`` means "not set", as in the OpenAI SDK's ``Optional`` parameters."""

    n: int | None
    size: str | None
    response_format: Literal["url", "b64_json"] | None
    user: str | None
    extra_headers: Mapping[str, str] | None
    provider_options: Mapping[str, Mapping[str, object] | None] | None
    extra_body: Mapping[str, object] | None
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
    safety_identifier: str | None
    """An id for the end user, ``user``'s successor in OpenAI's API."""
    partial_images: int | None
    """0 to 3: partial images of a streamed response, which limner does not make (plugins report
    it as not sent)."""
    stream: bool | None
    """``False`` (or unset): limner does not stream images yet, and refuses ``True``."""


class EditParams(GenerateParams, total=False):
    images: Sequence[ImageInput] | None
    """The images to edit, as the request's JSON Schema names them; or ``image=``."""
    mask: ImageInput | None
    markup: ImageInput | None
    """A PNG drawn over the first image to guide the edit (``capabilities.markup``)."""
    input_fidelity: str | None
    edit_mode: str | None


class VariationParams(CommonParams, total=False):
    pass


class ChatParams(TypedDict, total=False):
    """``chat.completions.create``'s keyword arguments besides ``model`` and ``messages``, by the
    OpenAI SDK's names (``None`` means not set); fields limner does not know go in
    ``extra_body``."""

    modalities: Sequence[Literal["text", "image"]] | None
    image_config: ImageConfig | Mapping[str, str] | None
    n: int | None
    stream: bool | None
    stream_options: Mapping[str, object] | None
    temperature: float | None
    top_p: float | None
    max_tokens: int | None
    max_completion_tokens: int | None
    seed: int | None
    stop: str | Sequence[str] | None
    frequency_penalty: float | None
    presence_penalty: float | None
    logit_bias: Mapping[str, float] | None
    response_format: Mapping[str, object] | None
    reasoning_effort: str | None
    user: str | None
    safety_identifier: str | None
    prompt_cache_key: str | None
    verbosity: str | None
    metadata: Mapping[str, str] | None
    store: bool | None
    service_tier: str | None
    tools: Sequence[object] | None
    tool_choice: object
    functions: Sequence[object] | None
    function_call: object
    parallel_tool_calls: bool | None
    logprobs: bool | None
    top_logprobs: int | None
    audio: object
    prediction: object
    web_search_options: Mapping[str, object] | None
    extra_headers: Mapping[str, str] | None
    provider_options: Mapping[str, Mapping[str, object] | None] | None
    extra_body: Mapping[str, object] | None
    timeout: float | None
    """Seconds allowed for each HTTP call of this call alone."""
    max_retries: int | None
    """Extra attempts for this call alone."""
