"""Pieces both model families share: dropped fields, forwarded fields, images inline, blocks."""

from __future__ import annotations

from typing import Any, Protocol

from limner import (
    ContentPolicyError,
    InputImage,
    ModelInfo,
    Notice,
    ProviderCall,
    ProviderError,
    ProviderResult,
    WireResponse,
)
from limner.responses import CONTENT_FILTERED

from .plan import Plan

__all__ = [
    "IGNORED_FIELDS",
    "WHY_DROPPED",
    "b64",
    "blocked",
    "drop_ignored",
    "fail",
    "forward",
    "mime_format",
]

IGNORED_FIELDS = ("quality", "style", "background", "moderation", "user", "metadata")
WHY_DROPPED = {
    "quality": "Google has no quality field; pick a model tier or image_config.image_size instead",
    "negative_prompt": "Gemini has no negative prompt",
}


def drop_ignored(plan: Plan) -> None:
    for name in IGNORED_FIELDS:
        value = getattr(plan.request, name, None)
        if value is not None:
            plan.drop(
                name, value, WHY_DROPPED.get(name, "Google's image APIs have no such setting")
            )
    fidelity = getattr(plan.request, "input_fidelity", None)
    if fidelity is not None:
        plan.drop("input_fidelity", fidelity, "Google's image APIs have no such setting")


def forward(body: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Unknown request fields go into the body unchanged (objects merged one level deep)."""
    for key, value in plan.request.forwarded.items():
        mine = body.get(key)
        body[key] = (
            {**mine, **value} if isinstance(mine, dict) and isinstance(value, dict) else value
        )
    return body


def output_options(output_format: str | None, compression: int | None) -> dict[str, Any]:
    """Google's output options for a format and a compression level: ``{"mimeType",
    "compressionQuality"}`` with only what was set (Imagen's ``outputOptions``, Gemini's
    ``imageConfig.imageOutputOptions`` on Vertex)."""
    options: dict[str, Any] = {}
    if output_format is not None:
        options["mimeType"] = f"image/{output_format}"
    if compression is not None:
        options["compressionQuality"] = compression
    return options


def b64(image: InputImage) -> str:
    assert image.data is not None  # core loads bytes: remote_image_urls and file_ids are off
    return image.b64


def mime_format(mime: str | None) -> str | None:
    """``image/jpeg`` → ``jpeg``."""
    return mime.split("/", 1)[1] if mime and mime.startswith("image/") else None


class _ForModel(Protocol):
    """An images or a chat call: whatever names the model."""

    @property
    def model(self) -> ModelInfo: ...


def fail(call: _ForModel, response: WireResponse, what: str) -> ProviderError:
    return ProviderError(
        f"Google answered HTTP {response.status} but {what}: {response.text_excerpt()}",
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )


def blocked(call: ProviderCall, response: WireResponse, reason: str, said: str) -> ProviderResult:
    """A safety block. When ``n`` was split over several calls, the other calls' images (already
    billed) are kept: this call becomes a ``content_filtered`` notice, which strict mode turns
    into an error (and when every call was blocked, core raises :class:`ContentPolicyError`
    carrying the notices). A request made in one call fails here with
    :class:`ContentPolicyError` and Google's own reason."""
    if call.n < call.request.n:
        notice = Notice(code=CONTENT_FILTERED, message=f"{call.n} image(s) blocked: {said}")
        return ProviderResult(images=[], warnings=[notice])
    raise ContentPolicyError(
        f"Google blocked the request: {said} — rephrase the prompt or change the input images",
        reason=reason,
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )
