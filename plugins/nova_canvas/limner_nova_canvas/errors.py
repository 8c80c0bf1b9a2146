"""Map a Bedrock Runtime error answer onto limner's error tree [nova-canvas.md §4; service model].

The body is ``{"message": ...}`` and the kind is the ``x-amzn-ErrorType`` header, e.g.
``ExpiredTokenException:http://internal.amazon.com/coral/com.amazon.coral.service/`` (the code
is the part before the first colon), or a ``__type`` in the body.
"""

from __future__ import annotations

from typing import Any

from limner import (
    AuthenticationError,
    ContentPolicyError,
    InvalidRequestError,
    LimnerError,
    NotFoundError,
    PermissionDeniedError,
    ProviderCall,
    ProviderError,
    ProviderSetting,
    ProviderUnavailableError,
    RateLimitError,
    RequestTimeoutError,
    WireResponse,
)
from limner.status_errors import RETRYABLE_STATUSES, endpoint_not_found, error_for_status

from .models import PROVIDER

__all__ = ["CONTENT_FILTER_TEXT", "error_code", "parse_error"]

CONTENT_FILTER_TEXT = "blocked by our content filters"
AUTH_CODES = frozenset(
    {
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignatureException",
        "MissingAuthenticationTokenException",
        "InvalidClientTokenId",
    }
)
_CHECK_CREDENTIALS = (
    "check the AWS credentials (AWS_BEARER_TOKEN_BEDROCK, or AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or the profile)"
)
API_KEY_REFUSED = ("Authentication failed", "Invalid API Key")
"""How Bedrock's 403 for a Bedrock API key it does not take begins ("Authentication failed:
Please make sure your API Key is valid.", "Invalid API Key format: Must start with pre-defined
prefix"), as users report it: the key, not the permissions, is at fault."""
_API_KEY_HINT = (
    "the Bedrock API key was not accepted (expired, mistyped, or made for another region): make "
    "a new one and set AWS_BEARER_TOKEN_BEDROCK, or unset it to sign with AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY or a profile"
)
_AUTH_HINT = {
    "ExpiredTokenException": "the session token has expired: refresh the credentials "
    "(aws sso login, a new role session or new AWS_SESSION_TOKEN) and retry",
    "UnrecognizedClientException": "AWS does not know this access key or token: check "
    "AWS_ACCESS_KEY_ID / AWS_BEARER_TOKEN_BEDROCK and the region",
    "InvalidSignatureException": "the signature did not match: check AWS_SECRET_ACCESS_KEY and "
    "the system clock",
}


def error_code(response: WireResponse, body: Any) -> str | None:
    """``ValidationException`` from the header or the body's ``__type``/``code``."""
    header = response.headers.get("x-amzn-errortype")
    if header:
        return header.split(":", 1)[0].strip() or None
    if isinstance(body, dict):
        for key in ("__type", "code", "Code"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value.rsplit("#", 1)[-1].split(":", 1)[0]
    return None


def _message(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("message", "Message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def parse_error(call: ProviderCall, response: WireResponse) -> LimnerError:
    body = response.json_or_none()
    code = error_code(response, body)
    message = _message(body) or response.text_excerpt() or "(empty body)"
    status = response.status
    common: dict[str, Any] = {
        "provider": PROVIDER,
        "model": call.model.id,
        "status_code": status,
        "request_id": response.request_id,
        "retryable": status in RETRYABLE_STATUSES,
        "body": response.error_body(),
    }
    if code is not None:
        common["code"] = code
    said = f"Bedrock {code or f'HTTP {status}'}: {message}"
    if CONTENT_FILTER_TEXT in message.lower():
        common.pop("code", None)
        return ContentPolicyError(
            f"{said} — Nova's content filter refused the prompt or an input image",
            reason=message,
            **common,
        )
    if code in AUTH_CODES or status == 401:
        hint = _AUTH_HINT.get(code or "", _CHECK_CREDENTIALS)
        return AuthenticationError(f"{said} — {hint}", **common)
    if status == 403 and message.startswith(API_KEY_REFUSED):
        return AuthenticationError(f"{said} — {_API_KEY_HINT}", **common)
    return _by_code(call, response, code, said, common)


def _by_code(
    call: ProviderCall,
    response: WireResponse,
    code: str | None,
    said: str,
    common: dict[str, Any],
) -> LimnerError:
    status = response.status
    if code == "AccessDeniedException" or (code is None and status == 403):
        return PermissionDeniedError(
            f"{said} — the credential may not invoke {call.model.name}: grant "
            "bedrock:InvokeModel and enable model access in the Bedrock console for this region "
            "(new customers cannot use a Legacy model)",
            **common,
        )
    if code is None and status == 404:  # Bedrock's own 404s name their exception
        return endpoint_not_found(
            said,
            response.url,
            where="AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            setting=ProviderSetting(PROVIDER, "base_url"),
            **common,
        )
    if code == "ResourceNotFoundException" or status == 404:
        return NotFoundError(
            f"{said} — check the model id and region ({call.model.name} is in-Region only)",
            replacement=call.model.lifecycle.replacement,
            **common,
        )
    if code == "ModelTimeoutException" or status == 408:
        common["retryable"] = True
        return RequestTimeoutError(f"{said} — the model timed out; retry", **common)
    if code in ("ThrottlingException", "ModelNotReadyException") or status == 429:
        common["retryable"] = True
        hint = (
            "the model is not ready; retry shortly"
            if code == "ModelNotReadyException"
            else "slow down (100 requests a minute per region) or retry later"
        )
        return RateLimitError(f"{said} — {hint}", retry_after=response.retry_after, **common)
    if code == "ServiceQuotaExceededException":
        return RateLimitError(
            f"{said} — over the account's service quota: raise it (Service Quotas, Amazon "
            "Bedrock), or wait for usage to fall below it",
            retry_after=response.retry_after,
            **common,
        )
    if code == "ModelErrorException" or status == 424:
        body = common["body"]
        original = body.get("originalStatusCode") if isinstance(body, dict) else None
        where = f" (model answered {original})" if original is not None else ""
        return ProviderError(f"{said}{where} — the model failed", **common)
    if code == "ServiceUnavailableException" or status == 503:
        return ProviderUnavailableError(f"{said} — Bedrock is unavailable; retry later", **common)
    if status == 409:  # ConflictException: retried (RETRYABLE_STATUSES), not the user's fault
        return ProviderUnavailableError(f"{said} — a conflict at Bedrock; retry", **common)
    if code == "ValidationException":
        return _invalid(call, said, common)
    if status >= 500:
        later = "; retry later" if common.get("retryable") else ""
        return error_for_status(status)(f"{said} — Bedrock failed (HTTP {status}){later}", **common)
    return error_for_status(status)(said, **common)


def _invalid(call: ProviderCall, said: str, common: dict[str, Any]) -> LimnerError:
    """A ``ValidationException``: the request's to fix, or (the model's identifier refused in a
    region that does not serve it: what Bedrock answers there) the region's."""
    elsewhere = _region_without(call)
    if elsewhere is not None and "model identifier" in said.lower():
        param = f"providers.{PROVIDER}.region"
        return InvalidRequestError(f"{said} — {elsewhere}", param=param, **common)
    return InvalidRequestError(f"{said} — fix the request and retry", **common)


def _region_without(call: ProviderCall) -> str | None:
    """What to say when the call's region is one the model is not served in: ``None`` when it
    is (or the region is not known)."""
    region = getattr(call.settings, "region", None)
    regions = call.model.capabilities.regions
    if not isinstance(region, str) or not regions or region in regions:
        return None
    return (
        f"{call.model.id} is served in {', '.join(regions)} only (in-Region), not in "
        f"{region}: set AWS_REGION (or providers={{'amazon': {{'region': ...}}}}) to one of them"
    )
