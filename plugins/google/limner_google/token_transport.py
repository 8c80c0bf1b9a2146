"""The HTTP transport Vertex AI token refreshes go through: google-auth's ``requests`` one,
each exchange bounded in time."""

from __future__ import annotations

from functools import cache
from typing import Any

from limner import MissingCredentialsError

__all__ = ["TOKEN_TIMEOUT", "token_request"]

TOKEN_TIMEOUT = 30.0
"""Seconds each exchange of a token refresh may take (google-auth waits 120 s by default). The
call's own ``timeout`` ends the call sooner (core bounds ``authorize``); this ends the worker
thread still waiting for the token service."""


@cache
def _bounded_request_class() -> Any:
    """google-auth's ``requests`` transport, each exchange bounded by :data:`TOKEN_TIMEOUT`."""
    import google.auth.transport.requests

    class BoundedRequest(google.auth.transport.requests.Request):
        def __call__(
            self,
            url: str,
            method: str = "GET",
            body: Any = None,
            headers: Any = None,
            timeout: Any = None,
            **kwargs: Any,
        ) -> Any:
            if timeout is None or isinstance(timeout, int | float):
                timeout = TOKEN_TIMEOUT if timeout is None else min(timeout, TOKEN_TIMEOUT)
            send: Any = super().__call__  # (google-auth's is untyped)
            return send(url, method, body, headers, timeout, **kwargs)

    return BoundedRequest


def token_request() -> Any:
    """A transport for ``credentials.refresh``: google-auth's, bounded in time. google-auth
    installed without its ``requests`` extra (``pip install google-auth``) has none: said as
    google-auth missing is, with what to install."""
    try:
        request_class = _bounded_request_class()
    except ImportError as exc:
        raise MissingCredentialsError(
            f"Vertex AI refreshes its tokens with google-auth's requests transport, which is "
            f"not installed ({exc}): pip install 'limner-google[vertex]' (or use an API key "
            "in express mode)",
            param="credentials",
            provider="google",
        ) from exc
    return request_class()
