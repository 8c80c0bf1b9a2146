"""Map an OpenAI error answer onto limner's error tree.

OpenAI's body is ``{"error": {"message", "type", "param", "code"}}`` [SPEC Error]; safety blocks
carry ``code`` ``moderation_blocked`` (GPT image models, with ``moderation_details``) or
``content_policy_violation`` (DALL·E). Quota exhaustion comes as ``insufficient_quota``, often
with HTTP 429, and is a billing problem, not a rate limit.
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

__all__ = [
    "OpenAIErrorBody",
    "is_billing",
    "parse_error",
    "read_error_body",
    "retryable",
    "should_retry",
]

SAFETY_CODES = frozenset({"moderation_blocked", "content_policy_violation"})
BILLING_CODES = frozenset(
    {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"}
)
SAFETY_MESSAGES = (
    "rejected as a result of our safety system",  # DALL·E [ISS-DALLE]
    "rejected by the safety system",  # GPT image models [ISS-MOD]
)
"""How a safety block's message reads, for a body without one of the ``SAFETY_CODES``."""


class OpenAIErrorBody:
    """The fields of an OpenAI error body (any of them may be missing)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.message = _text(raw.get("message"))
        self.type = _text(raw.get("type"))
        self.param = _text(raw.get("param"))
        self.code = _text(raw.get("code"))
        details = raw.get("moderation_details")
        self.moderation: dict[str, Any] = details if isinstance(details, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def read_error_body(response: WireResponse) -> tuple[Any, OpenAIErrorBody | None]:
    """The parsed body and its ``error`` object, when it has one."""
    body = response.json_or_none()
    error = body.get("error") if isinstance(body, dict) else None
    return body, OpenAIErrorBody(error) if isinstance(error, dict) else None


def is_billing(error: OpenAIErrorBody) -> bool:
    """Whether ``error`` says the account is out of quota or credit (by its code or type)."""
    return error.code in BILLING_CODES or error.type in BILLING_CODES


def should_retry(response: WireResponse) -> bool:
    """Whether the answer asks to be retried (``x-should-retry: true``), whatever its status,
    as OpenAI's SDKs read it."""
    return response.headers.get("x-should-retry", "").strip().lower() == "true"


def retryable(response: WireResponse) -> bool:
    """Whether retrying ``response`` (a status core retries) can help: not when OpenAI says
    so (``x-should-retry: false``, which its SDKs obey over the status: the request may have
    been taken, and a resend billed again), nor when its body is a billing error, such as an
    ``insufficient_quota`` 429, which waiting does not fix."""
    if response.headers.get("x-should-retry", "").strip().lower() == "false":
        return False
    _, error = read_error_body(response)
    return error is None or not is_billing(error)


def parse_error(call: ProviderCall, response: WireResponse) -> LimnerError:
    """The limner error for a non-2xx OpenAI answer (or a 2xx body holding an ``error``)."""
    _, error = read_error_body(response)
    common: dict[str, Any] = {
        "provider": "openai",
        "model": call.model.id,
        "status_code": response.status,
        "request_id": response.request_id,
        "retryable": response.status in RETRYABLE_STATUSES and retryable(response),
        "body": response.error_body(),
    }
    if error is None or error.message is None:
        return _fallback(response, common)
    common["param"] = error.param
    if error.code is not None:
        common["code"] = error.code
    said = f"OpenAI: {error.message}"
    if _is_safety(error):
        return _safety(error, said, common)
    if is_billing(error) or response.status == 402:
        common["retryable"] = False
        return BillingError(
            f"{said} — add credit or raise the usage limit at platform.openai.com/settings "
            "(billing), then retry",
            **common,
        )
    return _by_status(call, response, error, said, common)


def _later(common: dict[str, Any]) -> str:
    """ "; retry later", unless the answer is not to be retried (``x-should-retry: false``)."""
    return "; retry later" if common.get("retryable") else ""


def _is_safety(error: OpenAIErrorBody) -> bool:
    message = (error.message or "").lower()
    return error.code in SAFETY_CODES or any(said in message for said in SAFETY_MESSAGES)


def _safety(error: OpenAIErrorBody, said: str, common: dict[str, Any]) -> ContentPolicyError:
    said_categories = error.moderation.get("categories")
    categories = [str(c) for c in said_categories if c] if isinstance(said_categories, list) else []
    stage = _text(error.moderation.get("moderation_stage"))
    reason = error.message
    if categories:
        reason = f"{reason} (categories: {', '.join(categories)}"
        reason += f"; stage: {stage})" if stage is not None else ")"
    common.setdefault("code", "content_policy_violation")
    return ContentPolicyError(
        f"{said} — rephrase the prompt or change the input images",
        reason=reason,
        categories=categories,
        stage=stage,
        said_type=error.type,  # image_generation_user_error, invalid_request_error
        **common,
    )


def _by_status(
    call: ProviderCall,
    response: WireResponse,
    error: OpenAIErrorBody,
    said: str,
    common: dict[str, Any],
) -> LimnerError:
    status = response.status
    if status == 404 or error.code == "model_not_found":
        replacement = call.model.lifecycle.replacement
        hint = f" — use {replacement} instead" if replacement else " — check the model id"
        return NotFoundError(f"{said}{hint}", replacement=replacement, **common)
    if status == 401:
        return AuthenticationError(
            f"{said} — check OPENAI_API_KEY",
            setting=ProviderSetting(call.model.provider, "api_key"),
            **common,
        )
    if status == 403:
        return PermissionDeniedError(
            f"{said} — this key, organization or project may not use {call.model.name}; check "
            "its permissions (GPT image models may need a verified organization)",
            **common,
        )
    if status == 413:
        return PayloadTooLargeError(f"{said} — send smaller or fewer input images", **common)
    if status == 429:
        return RateLimitError(
            f"{said} — slow down{' or retry later' if common.get('retryable') else ''}",
            retry_after=response.retry_after,
            **common,
        )
    if status == 408:  # statuses OpenAI's SDKs retry: not the request's fault
        return RequestTimeoutError(f"{said} — OpenAI timed out; retry", **common)
    if status == 409:
        return ProviderUnavailableError(f"{said} — a conflict at OpenAI; retry", **common)
    if 400 <= status < 500:
        where = f" (parameter {error.param!r})" if error.param else ""
        return InvalidRequestError(f"{said}{where} — fix the request and retry", **common)
    cls = error_for_status(status)
    if status < 500:  # a 2xx answer holding an error object: no sign that a retry would help
        return cls(f"{said} (OpenAI answered HTTP {status} with this error)", **common)
    return cls(f"{said} — OpenAI failed (HTTP {status}){_later(common)}", **common)


def _fallback(response: WireResponse, common: dict[str, Any]) -> LimnerError:
    status = response.status
    cls = error_for_status(status)
    excerpt = response.text_excerpt() or "(empty body)"
    message = f"OpenAI answered HTTP {status} without a readable error: {excerpt}"
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=response.retry_after, **common)
    if status == 404:  # OpenAI's own 404s say what is missing: this URL is not OpenAI's API
        base_url = ProviderSetting(common["provider"], "base_url")
        return endpoint_not_found(
            message, response.url, where="OPENAI_BASE_URL", setting=base_url, **common
        )
    if status == 401:
        key = ProviderSetting(common["provider"], "api_key")
        return cls(f"{message} — check OPENAI_API_KEY", setting=key, **common)
    return cls(message, **common)
