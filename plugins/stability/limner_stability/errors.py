"""Map a Stability error answer onto limner's error tree.

Every non-200 body is ``{"id", "name", "errors": [...]}`` [SPEC]; a real 2024 403 had no ``id``
(shared/real-cassettes/stability). 400 invalid request, 401 authentication (not in the spec; a
live body quotes ``unauthorized``), 402 out of credits (seen in the wild), 403
``content_moderation`` (the only 403 the spec lists; "you were not charged"), 413 payload too
large, 422 well-formed but rejected (``invalid_language``, a bad prompt; ``public_figure``, a
content-policy refusal), 429 more than 150
requests in 10 s (then a 60-second timeout), 5xx Stability's failure.
"""

from __future__ import annotations

from typing import Any

from limner import (
    AuthenticationError,
    BillingError,
    ContentPolicyError,
    InvalidRequestError,
    LimnerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProviderCall,
    ProviderSetting,
    RateLimitError,
    WireResponse,
)
from limner.errors import ProviderUnavailableError, RequestTimeoutError
from limner.status_errors import RETRYABLE_STATUSES, endpoint_not_found, error_for_status

from .fields import OPTION_PARAM
from .options import StabilityOptions

__all__ = ["RATE_LIMIT_TIMEOUT", "parse_error", "read_error_body", "wait_before_retry"]

RATE_LIMIT_TIMEOUT = 60.0
"""Seconds Stability times a client out after a 429 [SPEC info.description]."""


def read_error_body(response: WireResponse) -> tuple[Any, str | None, str | None, list[str]]:
    """The parsed body, its ``id``, ``name`` and ``errors`` (any may be missing)."""
    body = response.json_or_none()
    if not isinstance(body, dict):
        return body, None, None, []
    raw = body.get("errors")
    errors = [str(item) for item in raw if str(item)] if isinstance(raw, list) else []
    if isinstance(raw, str) and raw:
        errors = [raw]
    message = body.get("message")  # the legacy v1 shape
    if not errors and isinstance(message, str) and message:
        errors = [message]
    return body, _text(body.get("id")), _text(body.get("name")), errors


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_error(call: ProviderCall, response: WireResponse) -> LimnerError:
    """The limner error for a non-200 Stability answer."""
    _, error_id, name, errors = read_error_body(response)
    status = response.status
    common: dict[str, Any] = {
        "provider": "stabilityai",
        "model": call.model.id,
        "status_code": status,
        "request_id": response.headers.get("x-request-id") or error_id,
        "retryable": status in RETRYABLE_STATUSES,
        "body": response.error_body(),
    }
    if name is not None:
        common["code"] = name
    if not errors:
        excerpt = response.text_excerpt(200) or "(empty body)"
        said = f"Stability answered HTTP {status} without a readable error: {excerpt}"
    else:
        said = f"Stability ({name or status}): {'; '.join(errors)}"
    reason = "; ".join(errors) or None
    if status == 403 and _moderated(name, reason):
        common["code"] = "content_policy_violation"  # OpenAI's code; Stability's name is said
        return ContentPolicyError(
            f"{said} — rephrase the prompt or change the input image", reason=reason, **common
        )
    if status == 422 and name == "public_figure":  # a policy refusal, not a malformed request
        common["code"] = "content_policy_violation"
        edit = call.operation == "edit"
        hint = "use an image without" if edit else "leave out of the prompt"
        return ContentPolicyError(
            f"{said} — {hint} a real person's likeness",
            reason=reason,
            param="images[0]" if edit else "prompt",
            **common,
        )
    if status == 422 and name == "invalid_language":
        return InvalidRequestError(
            f"{said} — write the prompt in English", param="prompt", **common
        )
    if status == 401:
        return AuthenticationError(
            f"{said} — check STABILITY_API_KEY",
            setting=ProviderSetting(call.model.provider, "api_key"),
            **common,
        )
    if status == 402:
        common.pop("code", None)
        return BillingError(
            f"{said} — buy credits at platform.stability.ai/account/credits, then retry", **common
        )
    if status == 403:
        return PermissionDeniedError(f"{said} — this key may not use {call.model.name}", **common)
    if status == 413:
        return PayloadTooLargeError(
            f"{said} — send a smaller input image (the limit is 10 MiB)", **common
        )
    if status == 429:
        return RateLimitError(
            f"{said} — Stability allows 150 requests per 10 s and then times out for 60 s",
            retry_after=wait_before_retry(response),
            **common,
        )
    return _by_status(response, said, errors, common, call)


_REQUEST_FIELDS = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "seed": "seed",
    "output_format": "output_format",
    "image": "images[0]",
    "mask": "mask",
}
"""Stability's form fields that carry a request field, by the request's name for it."""


def _param(errors: list[str], call: ProviderCall) -> str | None:
    """The request field or provider option the first error names (``"search_prompt: cannot be
    empty"``), as the caller names it, for the error's ``param`` (a gateway's client reads it);
    ``None`` when it names none limner sends. ``style_preset`` and ``aspect_ratio`` are sent
    from what the caller set: ``style``, ``size`` or ``image_config.aspect_ratio``."""
    field = errors[0].partition(":")[0].strip() if errors and ":" in errors[0] else ""
    if field in _REQUEST_FIELDS:
        return _REQUEST_FIELDS[field]
    request = call.request
    if field in request.forwarded:  # sent as the caller named it, at the top level
        return field
    options = call.options
    if field == "style_preset" and getattr(options, "style_preset", None) is None:
        return "style" if getattr(request, "style", None) is not None else None
    if field == "aspect_ratio":
        config = getattr(request, "image_config", None)
        if config is not None and config.aspect_ratio is not None:
            return "image_config.aspect_ratio"  # (it wins over size: see generate.aspect_ratio)
        return "size" if getattr(request, "size", None) is not None else None
    if field in StabilityOptions.model_fields:
        return f"{OPTION_PARAM}.{field}"
    return None


def _by_status(
    response: WireResponse,
    said: str,
    errors: list[str],
    common: dict[str, Any],
    call: ProviderCall,
) -> LimnerError:
    """The error for a status Stability gives no more specific meaning to."""
    status = response.status
    readable = bool(errors)
    if status == 404 and not readable:  # Stability's own 404s say what is missing
        base_url = ProviderSetting(common["provider"], "base_url")
        return endpoint_not_found(
            said, response.url, where="STABILITY_BASE_URL", setting=base_url, **common
        )
    if status == 408:
        return RequestTimeoutError(f"{said} — Stability timed out; retry", **common)
    if status == 409:
        return ProviderUnavailableError(f"{said} — a conflict at Stability; retry", **common)
    if status == 404:  # Stability's own: it names what it did not find
        return NotFoundError(f"{said} — check the model, and the base URL", **common)
    if 400 <= status < 500:
        return InvalidRequestError(
            f"{said} — fix the request and retry", param=_param(errors, call), **common
        )
    cls = error_for_status(status)
    later = "; retry later" if common.get("retryable") else ""
    return cls(f"{said} — Stability failed (HTTP {status}){later}", **common)


def _moderated(name: str | None, reason: str | None) -> bool:
    """A 403 from the moderation system: named so, or (without a name) saying so. A nameless
    403 that does not (a proxy's page, an empty body) is a permission problem."""
    if name is not None:
        return name == "content_moderation"
    return reason is not None and "moderation" in reason.lower()


def wait_before_retry(response: WireResponse) -> float | None:
    """The ``Retry-After`` headers, or on a 429 without them Stability's 60 s timeout: a retry
    sooner would only be refused again."""
    wait = response.retry_after
    if wait is None and response.status == 429:
        return RATE_LIMIT_TIMEOUT
    return wait
