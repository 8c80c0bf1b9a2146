"""From an HTTP answer to an error of :mod:`limner.errors`: the error class for a status, the
statuses core retries, and the error for a 404 that is not the provider's API. Plugins' error
mappers use them, as core's default mapping does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import (
    AuthenticationError,
    BillingError,
    InvalidRequestError,
    LimnerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProviderError,
    ProviderUnavailableError,
    RateLimitError,
    RequestTimeoutError,
)

__all__ = [
    "ENDPOINT_NOT_FOUND",
    "RETRYABLE_STATUSES",
    "TAKEN_STATUSES",
    "endpoint_not_found",
    "error_for_status",
    "shown_url",
]

ENDPOINT_NOT_FOUND = "endpoint_not_found"
"""``code`` of a :class:`NotFoundError` for a URL that is not the provider's API (a 404 without
the provider's error body: most likely a wrong ``base_url``), not for a missing model."""


_BY_STATUS: Mapping[int, type[LimnerError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    402: BillingError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ProviderUnavailableError,  # retried: a conflict on the provider's side, not the request
    413: PayloadTooLargeError,
    422: InvalidRequestError,
    429: RateLimitError,
}

RETRYABLE_STATUSES = frozenset({408, 409, 429, *range(500, 600)})
"""Statuses core retries (with backoff) before giving up: 408, 409, 429 and every 5xx, as the
providers' official SDKs do (a CDN's 520 to 524 included)."""


TAKEN_STATUSES = {
    504: "HTTP 504 (a gateway in front of the provider stopped waiting for its answer)",
    524: "HTTP 524 (a proxy in front of the provider stopped waiting for its answer)",
}
"""Retried statuses that say the provider had the request and may still be at work on it: a
request that does work (not a poll) sent again is said to be (a ``resent`` warning)."""


def error_for_status(status: int) -> type[LimnerError]:
    """The error class that fits an HTTP status when a provider gives nothing more specific."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status in (502, 503, 504, 529):
        return ProviderUnavailableError
    if status >= 500:
        return ProviderError
    if 400 <= status < 500:
        return InvalidRequestError
    return ProviderError


def endpoint_not_found(said: str, url: str, *, where: str, **common: Any) -> NotFoundError:
    """The error for a 404 without the provider's error body: the URL is most likely not the
    provider's API, so it asks whether ``where`` is right (what chooses the URL, as every surface
    sets it: its environment variable) and says where the request went (without its query,
    which may hold a token). ``code`` is :data:`ENDPOINT_NOT_FOUND`; ``common`` holds the other
    keyword arguments of :class:`LimnerError`, such as ``setting=ProviderSetting(provider,
    "base_url")``."""
    shown = f" (the request went to {shown_url(url)})" if urlsplit(url).scheme else ""
    return NotFoundError(
        f"{said.rstrip('.')}. Is {where} right?{shown}", **{**common, "code": ENDPOINT_NOT_FOUND}
    )


def shown_url(url: str) -> str:
    """``url`` for a message or a log line: without its query, which may hold a token, or the
    credentials of a ``user:password@`` part (``another address`` for one that is no URL)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # (an unclosed IPv6 bracket, say: a provider's header can hold anything)
        return "another address"
    if not parts.netloc:  # relative, or no host (file:///x, C:\\x): as given, up to its query,
        kept = url.partition("#")[0].partition("?")[0]
        return kept.rpartition("@")[2]  # and from any user:password@ on
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
