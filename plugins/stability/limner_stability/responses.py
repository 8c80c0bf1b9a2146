"""Read a 200 answer: base64 JSON (``Accept: application/json``) or raw image bytes
(``Accept: image/*``) [SPEC 200 responses].

JSON: ``{"image": "<base64>", "finish_reason": "SUCCESS"|"CONTENT_FILTERED", "seed": 343940597}``
with ``content-type: application/json; type=image/png``. Bytes: ``content-type: image/png`` and
headers ``finish-reason`` and ``seed``. The seed becomes ``ImageData.seed``. ``CONTENT_FILTERED`` is
a 200 whose image was blurred: the image is returned with a ``content_filtered`` notice (core's
strict mode raises instead).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from limner import (
    ImageData,
    NoImageGeneratedError,
    Notice,
    ProviderCall,
    ProviderError,
    ProviderResult,
    WireResponse,
)
from limner.image_header import probe
from limner.responses import CONTENT_FILTERED

from .errors import parse_error

__all__ = ["parse_image_response"]


def _fail(call: ProviderCall, response: WireResponse, what: str) -> ProviderError:
    return ProviderError(
        f"Stability answered HTTP {response.status} but {what}: {response.text_excerpt(120)}",
        provider="stabilityai",
        model=call.model.id,
        status_code=response.status,
        request_id=response.request_id,
    )


def parse_image_response(call: ProviderCall, response: WireResponse) -> ProviderResult:
    content_type = response.headers.get("content-type", "").lower()
    labelled = content_type.startswith("image/")
    if labelled or _image_bytes(response, content_type):  # (a proxy may relabel the image)
        data = response.body
        finish = response.headers.get("finish-reason")
        seed: Any = response.headers.get("seed")
        kind: str | None = content_type.split(";")[0].split("/", 1)[1] if labelled else None
        encoded: str | None = None
        if not data:
            raise NoImageGeneratedError(
                "Stability answered with an empty image",
                provider="stabilityai",
                model=call.model.id,
                status_code=response.status,
            )
    else:
        body = response.json_or_none()
        if not isinstance(body, dict):
            raise _fail(call, response, "the body is neither an image nor a JSON object")
        if "image" not in body and "errors" in body:
            raise parse_error(call, response)
        encoded = body.get("image")
        if not isinstance(encoded, str) or not encoded:
            raise NoImageGeneratedError(
                f"Stability answered without an image (finish_reason "
                f"{body.get('finish_reason')!r})",
                provider="stabilityai",
                model=call.model.id,
            )
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise _fail(call, response, "its image is not valid base64") from exc
        finish, seed = body.get("finish_reason"), body.get("seed")
        kind = _json_image_type(content_type)
    size, sniffed = probe(data)
    if encoded is None:  # raw bytes; a JSON answer's valid base64 is passed on as it came
        encoded = base64.b64encode(data).decode()
    return ProviderResult(
        images=[ImageData(b64_json=encoded, seed=_seed(seed))],
        output_format=kind or sniffed,
        size=size,
        warnings=_finish_notices(finish, seed),
    )


def _image_bytes(response: WireResponse, content_type: str) -> bool:
    """Whether an answer not labelled ``image/...`` (``application/octet-stream``, a proxy's
    ``text/plain``) holds an image's bytes all the same: the paid image, read by its bytes."""
    if content_type.startswith("application/json"):
        return False
    return probe(response.body)[1] is not None


def _seed(value: Any) -> int | None:
    """Stability's seed (a JSON number, or a header's text) as an int; ``None`` when missing or
    not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _finish_notices(finish: Any, seed: Any) -> list[Notice]:
    if finish in (None, "SUCCESS"):
        return []
    used = f" (seed {seed})" if seed not in (None, "") else ""
    if finish == "CONTENT_FILTERED":
        return [
            Notice(
                code=CONTENT_FILTERED,
                index=0,
                message=(
                    "Stability's content moderation blurred this image (finish_reason "
                    f"CONTENT_FILTERED){used}; priced as made: Stability bills what it counts as a "
                    "finished generation, and presumably this one (its docs do not say)"
                ),
            )
        ]
    return [
        Notice(
            code="unknown_finish_reason",
            index=0,
            message=f"Stability finished with {finish!r}{used}",
        )
    ]


def _json_image_type(content_type: str) -> str | None:
    """``application/json; type=image/png`` → ``png``."""
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key == "type" and value.startswith("image/"):
            return value.split("/", 1)[1]
    return None
