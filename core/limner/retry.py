"""How often a call is tried again, and how long it waits between attempts: exponential
back-off with jitter, or the provider's ``Retry-After`` up to a cap."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .errors import InvalidRequestError

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts."""

    max_retries: int = 2
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
        """Seconds before retry number ``attempt`` (1-based). A ``retry_after`` that is not a
        number of seconds (negative, NaN) is ignored."""
        if retry_after is not None and retry_after >= 0:  # False for NaN too
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.initial_delay * 2 ** (attempt - 1), self.max_delay)
        return random.uniform(ceiling / 2, ceiling)
