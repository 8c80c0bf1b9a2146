"""How often a call is tried again, and how long it waits between attempts: exponential
back-off with jitter, or the provider's ``Retry-After`` up to a cap; and the provider's verdicts
on an answer (whether to retry it, how long it asks to wait), safe from a plugin's slip."""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .client_defaults import DEFAULT_MAX_RETRIES
from .errors import InvalidRequestError
from .status_errors import RETRYABLE_STATUSES

if TYPE_CHECKING:
    from .provider import Provider
    from .wire import WireResponse

__all__ = ["RetryPolicy", "provider_retries", "provider_wait", "retried"]

log = logging.getLogger("limner")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts."""

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0
    """The longest ``Retry-After`` waited before a retry; an answer asking for longer is not
    retried (a 429's :class:`~limner.errors.RateLimitError` carries ``retry_after``). Polls of
    a job raise it to their ``poll_timeout``."""

    def __post_init__(self) -> None:
        """Refuse values that would wait forever (``inf``), at random (``nan``) or never."""
        count = self.max_retries
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise InvalidRequestError(
                f"retry.max_retries must be a whole number, 0 or more; got {count!r}",
                param="retry.max_retries",
            )
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            seconds = getattr(self, name)
            number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
            if not number or not 0 <= seconds < math.inf:
                raise InvalidRequestError(
                    f"retry.{name} must be a finite number of seconds, 0 or more; got {seconds!r}",
                    param=f"retry.{name}",
                )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry number ``attempt`` (1-based). A ``retry_after`` that asks for
        no wait (0, a date already past) or is not a number of seconds (negative, NaN) is
        ignored, as the OpenAI SDK ignores it: every retry would go out at once, against a
        rate limit."""
        if retry_after is not None and retry_after > 0:  # False for NaN too
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.initial_delay * 2 ** (attempt - 1), self.max_delay)
        return random.uniform(ceiling / 2, ceiling)


def provider_wait(provider: Provider, response: WireResponse) -> float | None:
    """``provider.retry_after(response)``: the seconds its answer asks to wait. When the hook
    fails (on an odd body) or answers something that is no wait, core reads the
    ``Retry-After`` headers itself: a plugin's slip does not end the call."""
    try:
        wait = provider.retry_after(response)
        if wait is None:
            return None
        if isinstance(wait, bool) or not isinstance(wait, int | float):
            raise TypeError(f"{type(wait).__name__} is no number of seconds")
        seconds = float(wait)  # an int too large for a float raises here
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"{seconds!r} is no number of seconds")
    except Exception as exc:
        log.debug("%s's retry_after failed (%s): the headers decide", provider.name, exc)
        return response.retry_after
    return seconds


def provider_retries(provider: Provider, response: WireResponse) -> bool:
    """``provider.retryable(response)``; when the hook fails (on an odd body), core's default:
    a status it retries is retried."""
    try:
        return bool(provider.retryable(response))
    except Exception as exc:
        log.debug("%s's retryable failed (%s): retried, as by default", provider.name, exc)
        return True


def retried(provider: Provider, response: WireResponse) -> bool:
    """Whether core retries ``response``: a status it retries, unless the provider's
    ``retryable`` says no; a 4xx it does not, when the provider's ``retry_anyway`` says yes."""
    if response.status in RETRYABLE_STATUSES:
        return provider_retries(provider, response)
    if not 400 <= response.status < 500:
        return False
    try:
        return bool(provider.retry_anyway(response))
    except Exception as exc:
        log.debug("%s's retry_anyway failed (%s): not retried", provider.name, exc)
        return False
