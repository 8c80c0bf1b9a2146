"""Map a Google error answer onto limner's error tree, and read how long Google asks us to wait.

Both APIs answer ``{"error": {"code", "message", "status", "details": [...]}}`` (google.rpc.Status
as JSON; the SDK also accepts a list holding one such object) [SDK errors.py; vercel and FB
fixtures]. ``details`` may hold ``RetryInfo.retryDelay`` (``"34.4s"``) and ``ErrorInfo.reason``
(``API_KEY_INVALID``, ``RATE_LIMIT_EXCEEDED``). Core's retries wait ``retryDelay`` (through
:func:`wait_before_retry`, the provider's ``retry_after``) and a final 429 carries it as
``retry_after``. Imagen refuses a prompt with HTTP 400 INVALID_ARGUMENT naming Google's
Responsible AI practices: a content-policy error (code ``content_policy_violation``, stage
``input``). Another 4xx names the field a ``google.rpc.BadRequest`` names, as its ``param``; a
``FAILED_PRECONDITION`` (a location or country Google does not serve) is the account's matter, not
the request's: a permission error, or a billing error when it asks for billing.

A 429 whose quota no wait can restore is not retried (:func:`quota_used_up`): a quota of 0
(``QuotaFailure`` ``quotaValue: "0"``, ``ErrorInfo`` ``quota_limit_value: "0"`` as in the real
Firebase recording, or "limit: 0" in the message, which the Gemini API sends for a model with no
free tier) and a per-day quota (``PerDay`` in its id). A zero free-tier quota is a billing
error: the model needs a paid tier.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from limner import (
    AuthenticationError,
    BillingError,
    ContentPolicyError,
    InvalidRequestError,
    LimnerError,
    ModelInfo,
    NotFoundError,
    PermissionDeniedError,
    ProviderSetting,
    RateLimitError,
    WireResponse,
)
from limner.status_errors import RETRYABLE_STATUSES, endpoint_not_found, error_for_status

from .error_fields import caller_param

__all__ = [
    "answer_id",
    "error_object",
    "name_the_answer",
    "parse_error",
    "quota_used_up",
    "retry_delay",
    "wait_before_retry",
]

_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")
_POLICY_WORDS = ("responsible ai", "could not be submitted", "sensitive words")
_KEY_REASONS = frozenset({"API_KEY_INVALID", "API_KEY_EXPIRED", "API_KEY_SERVICE_BLOCKED"})
INVALID_API_KEY = "invalid_api_key"
"""The ``code`` of an error for a key Google refused: OpenAI's, as its SDKs' users check it."""
_LIMIT_ZERO = re.compile(r"\blimit:\s*0\b")


class Called(Protocol):
    """An images call or a chat call: the errors only need the model."""

    @property
    def model(self) -> ModelInfo: ...


def error_object(body: Any) -> dict[str, Any] | None:
    """The ``error`` object of a Google error body (or of the one-item list the SDK accepts)."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _details(error: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    details = error.get("details")
    if not isinstance(details, list):
        return []
    return [d for d in details if isinstance(d, dict) and str(d.get("@type", "")).endswith(kind)]


def retry_delay(error: dict[str, Any]) -> float | None:
    """Seconds from ``RetryInfo.retryDelay`` (a protobuf Duration in JSON: ``"34.4s"``)."""
    for info in _details(error, "google.rpc.RetryInfo"):
        match = _DELAY.match(str(info.get("retryDelay", "")))
        if match:
            return float(match.group(1))
    return None


def wait_before_retry(response: WireResponse) -> float | None:
    """Seconds Google asks for before a retry: ``RetryInfo.retryDelay`` from the error body, else
    the ``Retry-After`` headers, else ``None``."""
    error = error_object(response.json_or_none())
    delay = retry_delay(error) if error is not None else None
    return delay if delay is not None else response.retry_after


def quota_used_up(error: dict[str, Any]) -> str | None:
    """``"free tier"`` or ``"zero"`` when Google gives no quota at all (limit 0; on the free tier,
    or elsewhere), ``"daily"`` when a per-day quota is used up, ``None`` for a limit a short wait
    can clear (or no quota detail)."""
    names: list[str] = []
    zero = bool(_LIMIT_ZERO.search(str(error.get("message", ""))))
    for failure in _details(error, "google.rpc.QuotaFailure"):
        violations = failure.get("violations")
        for violation in violations if isinstance(violations, list) else ():
            if isinstance(violation, dict):
                zero |= str(violation.get("quotaValue")) == "0"
                names += [str(violation.get("quotaId", "")), str(violation.get("quotaMetric", ""))]
    for info in _details(error, "google.rpc.ErrorInfo"):
        metadata = info.get("metadata")
        if isinstance(metadata, dict):
            zero |= str(metadata.get("quota_limit_value")) == "0"
            names += [str(metadata.get("quota_limit", "")), str(metadata.get("quota_metric", ""))]
    if zero:
        said = f"{error.get('message', '')} {' '.join(names)}".lower().replace("_", "")
        return "free tier" if "freetier" in said else "zero"
    return "daily" if any("perday" in name.lower() for name in names) else None


def parse_error(call: Called, response: WireResponse) -> LimnerError:
    body = response.json_or_none()
    error = error_object(body)
    status = response.status
    common: dict[str, Any] = {
        "provider": "google",
        "model": call.model.id,
        "status_code": status,
        "request_id": response.request_id,
        "retryable": status in RETRYABLE_STATUSES,
        "body": response.error_body(),
    }
    message = error.get("message") if error else None
    if error is None or not isinstance(message, str):
        cls = error_for_status(status)
        text = f"Google answered HTTP {status}: {response.text_excerpt() or '(empty body)'}"
        if cls is RateLimitError:
            return RateLimitError(text, retry_after=response.retry_after, **common)
        if status == 401:
            text += f" — {_CHECK_CREDENTIALS}"
        if status == 404:  # Google's own 404s carry its error body: this URL is not its API
            vertex = "/publishers/google/models/" in response.url
            setting = "vertex_base_url" if vertex else "base_url"
            where = "GOOGLE_VERTEX_BASE_URL" if vertex else "GOOGLE_GEMINI_BASE_URL"
            named = ProviderSetting("google", setting)
            return endpoint_not_found(text, response.url, where=where, setting=named, **common)
        return cls(text, **common)
    code = error.get("status")
    if isinstance(code, str):
        common["code"] = code.lower()
    reasons = {str(info.get("reason")) for info in _details(error, "google.rpc.ErrorInfo")}
    said = f"Google ({code or status}): {message}"
    return _classify(call, response, error, said, reasons, common)


_CHECK_CREDENTIALS = "check GOOGLE_API_KEY/GEMINI_API_KEY, or the Vertex credentials"


def _classify(
    call: Called,
    response: WireResponse,
    error: dict[str, Any],
    said: str,
    reasons: set[str],
    common: dict[str, Any],
) -> LimnerError:
    status, message = response.status, str(error.get("message"))
    if status == 400 and any(word in message.lower() for word in _POLICY_WORDS):
        common["code"] = ContentPolicyError.default_code  # Google's INVALID_ARGUMENT is in said
        return ContentPolicyError(
            f"{said} — rephrase the prompt", reason=message, stage="input", **common
        )
    if status == 401 or reasons & _KEY_REASONS:
        if reasons & _KEY_REASONS:  # OpenAI's code for a key refused, which its clients read
            common["code"] = INVALID_API_KEY  # (Google's INVALID_ARGUMENT is in said)
        return AuthenticationError(f"{said} — {_CHECK_CREDENTIALS}", **common)
    if status == 403:
        return PermissionDeniedError(
            f"{said} — the credential may not use {call.model.name} (API not enabled, IAM role, "
            "or region)",
            **common,
        )
    if status == 404:
        replacement = call.model.lifecycle.replacement
        hint = f" — use {replacement} instead" if replacement else " — check the model id"
        return NotFoundError(f"{said}{hint}", replacement=replacement, **common)
    if status == 429:
        return _rate_limited(call, response, error, said, common)
    if error.get("status") == "FAILED_PRECONDITION":  # the account's state, not the request's
        return _precondition_failed(said, message, common)
    if 400 <= status < 500 and status not in RETRYABLE_STATUSES:  # 408, 409: not the request
        violated = _violated_field(error)
        if violated is not None and "param" not in common:  # (as the caller named it)
            common["param"] = caller_param(violated, call)
        return InvalidRequestError(f"{said} — fix the request and retry", **common)
    cls = error_for_status(status)
    later = "; retry later" if common.get("retryable") else ""
    return cls(f"{said} — Google failed (HTTP {status}){later}", **common)


def _rate_limited(
    call: Called,
    response: WireResponse,
    error: dict[str, Any],
    said: str,
    common: dict[str, Any],
) -> LimnerError:
    """A 429: a rate limit a wait clears, or a quota none restores (not retried)."""
    message = str(error.get("message"))
    wait = wait_before_retry(response)
    used_up = quota_used_up(error)
    if used_up is not None:
        common["retryable"] = False
    if used_up == "free tier":
        return BillingError(
            f"{said} — {call.model.id} has no free-tier quota: enable billing for the "
            "project of this key (a paid tier)",
            **common,
        )
    if used_up == "zero":
        return RateLimitError(
            f"{said} — Google gives this project no quota for {call.model.id} (limit 0): "
            "request quota (on Vertex AI, another location may have some); retrying will "
            "not help",
            retry_after=None,
            **common,
        )
    if used_up == "daily":
        return RateLimitError(
            f"{said} — a daily quota is used up; retrying today will not help",
            retry_after=None,
            **common,
        )
    if "billing" in message.lower() and wait is None:
        return BillingError(f"{said} — check the project's billing", **common)
    return RateLimitError(f"{said} — slow down or retry later", retry_after=wait, **common)


def _violated_field(error: dict[str, Any]) -> str | None:
    """The first field a ``google.rpc.BadRequest`` names (``generation_config.image_config``):
    Google's name for it, on the wire (see :func:`~.error_fields.caller_param`)."""
    for info in _details(error, "google.rpc.BadRequest"):
        violations = info.get("fieldViolations")
        for violation in violations if isinstance(violations, list) else ():
            field = violation.get("field") if isinstance(violation, dict) else None
            if isinstance(field, str) and field:
                return field
    return None


def _precondition_failed(said: str, message: str, common: dict[str, Any]) -> LimnerError:
    """A 400 ``FAILED_PRECONDITION``: Google serves no such call to this account as it stands
    ("User location is not supported for the API use.", a free tier not offered in the country):
    no change to the request helps, so it is not an invalid request."""
    if "billing" in message.lower():
        return BillingError(f"{said} — enable billing for the key's project", **common)
    return PermissionDeniedError(
        f"{said} — Google does not serve this call to the account where it is (its location, "
        "or its project's setup); changing the request will not help",
        **common,
    )


def answer_id(response: WireResponse) -> str | None:
    """Google's id for an answer, its ``responseId`` (Google sends no request-id header)."""
    body = response.json_or_none()
    found = body.get("responseId") if isinstance(body, dict) else None
    return found if isinstance(found, str) and found else None


def name_the_answer(error: LimnerError, response: WireResponse) -> None:
    """An error read from a 200 answer (a refusal, an answer without an image) carries that
    answer's id, which Google's support asks for: the answer may be billed."""
    if error.request_id is None:
        error.request_id = answer_id(response)
