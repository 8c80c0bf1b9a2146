"""Read a 2xx ``InvokeModel`` answer: ``{"images": [<base64 PNG>, ...], "error"?: ...}``.

Nova's output filter answers HTTP 200 with an ``error`` string [AWS-ERR]: "Some of the generated
images have been blocked by our content filters." (``images`` holds fewer than asked) or "All of
...". Each missing image becomes a ``content_filtered`` notice (strict mode turns those into a
:class:`~limner.ContentPolicyError`). With none left, a request made in one call is a
content-policy error; one call of a request split over several returns no image and a notice, so
the other calls' images (already billed) are kept, and core raises the content-policy error
itself when every call was filtered.
"""

from __future__ import annotations

from typing import Any

from limner import (
    ContentPolicyError,
    ImageData,
    NoImageGeneratedError,
    Notice,
    ProviderCall,
    ProviderError,
    ProviderResult,
    WireResponse,
)
from limner.responses import CONTENT_FILTERED, NO_IMAGES

from .errors import CONTENT_FILTER_TEXT
from .models import PROVIDER

__all__ = ["parse_invoke_response"]


def _common(call: ProviderCall, response: WireResponse, body: Any) -> dict[str, Any]:
    return {
        "provider": PROVIDER,
        "model": call.model.id,
        "status_code": response.status,
        "request_id": response.request_id,
        "body": body
        if not isinstance(body, dict)
        else {k: v for k, v in body.items() if k != "images"},
    }


def parse_invoke_response(call: ProviderCall, response: WireResponse) -> ProviderResult:
    body = response.json_or_none()
    if not isinstance(body, dict):
        raise ProviderError(
            f"Bedrock answered HTTP {response.status} but the body is not a JSON object: "
            f"{response.text_excerpt()}",
            **_common(call, response, None),
        )
    _moderated(call, response, body)
    raw = body.get("images", [])
    if not isinstance(raw, list) or not all(isinstance(item, str) and item for item in raw):
        raise ProviderError(
            f"Bedrock answered HTTP {response.status} but 'images' is not a list of base64 "
            f"strings: {response.text_excerpt()}",
            **_common(call, response, body),
        )
    images = [ImageData(b64_json=item) for item in raw]
    error = body.get("error")
    warnings: list[Notice] = []
    if isinstance(error, str) and error:
        filtered = CONTENT_FILTER_TEXT in error.lower()
        if not images:
            cls = ContentPolicyError if filtered else NoImageGeneratedError
            extra: dict[str, Any] = {"reason": error} if filtered else {"text": error}
            failure = cls(
                f"Nova returned no image: {error}", **extra, **_common(call, response, body)
            )
            how = "withheld" if filtered else "not made"
            return call.without_images(
                failure,
                CONTENT_FILTERED if filtered else NO_IMAGES,
                f"all {call.n} image(s) of call {call.index + 1} were {how}: {error}",
                output_format="png",
            )
        if filtered:
            expected = max(call.n, len(images) + 1)
            for missing in range(len(images), expected):
                warnings.append(
                    Notice(
                        code=CONTENT_FILTERED,
                        message=f"image {missing + 1} of {expected} was withheld: {error} "
                        "(not priced: AWS does not say whether a withheld image is billed)",
                    )
                )
        else:
            warnings.append(Notice(code="provider_message", message=f"Nova said: {error}"))
    if not images:
        raise NoImageGeneratedError(
            "Nova answered without an image", **_common(call, response, body)
        )
    return ProviderResult(images=images, output_format="png", warnings=warnings)


def _moderated(call: ProviderCall, response: WireResponse, body: dict[str, Any]) -> None:
    """A ``{"status": "Request Moderated", "details": {...}}`` body, which Vercel's AI SDK parses
    for Bedrock images. No AWS source confirms it for Nova: handled defensively only."""
    if body.get("status") != "Request Moderated":
        return
    details = body.get("details")
    reasons = details.get("Moderation Reasons") if isinstance(details, dict) else None
    why = f" ({', '.join(map(str, reasons))})" if isinstance(reasons, list) and reasons else ""
    raise ContentPolicyError(
        f"Nova moderated the request{why}",
        reason=f"Request Moderated{why}",
        **_common(call, response, body),
    )
