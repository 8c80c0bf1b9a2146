"""The end of a stopping gateway's grace: each request still running then is answered (a 503 the
SDKs do not send again) before its upstream call is cancelled and its connection closed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from decimal import Decimal

from ..connections import IN_FLIGHT
from ..errors import LimnerError

__all__ = [
    "ANSWER_TIME",
    "CutOff",
    "Deadline",
    "GatewayStoppingError",
    "answer_time",
    "going_upstream",
    "stopping_error",
    "went_upstream",
]

ANSWER_TIME = 5.0
"""Seconds a request cut off by a stopping gateway has to send its answer, at the end of the
grace (half the grace when that is shorter)."""


def answer_time(grace: float) -> float:
    """The part of ``grace`` kept for the answers of the requests it cuts off."""
    return min(ANSWER_TIME, grace / 2)


_UPSTREAM: ContextVar[bool] = ContextVar("limner_gateway_upstream", default=False)


def going_upstream() -> None:
    """The current request's calls to the provider may go out now (it has its upstream slot):
    cut off after this, it may have been taken, and billed."""
    _UPSTREAM.set(True)


def went_upstream() -> bool:
    """Whether the current request got as far as :func:`going_upstream`."""
    return _UPSTREAM.get()


class GatewayStoppingError(LimnerError):
    """The gateway stopped before the request finished: its grace for the requests in flight
    ran out, or it was told again to stop. Not sent again by the SDKs, since its upstream call
    may have been taken."""

    http_status = 503
    error_type = "api_error"
    default_code = "gateway_stopping"


def stopping_error(sent: bool, made: Decimal | None) -> GatewayStoppingError:
    """The error answering a request cut off by the end of the grace; ``sent``: its upstream
    calls may have gone out (it had its upstream slot), so it may be billed and is not to be
    sent again; otherwise it may be, elsewhere; ``made``: the cost of what its calls that
    answered had made (billed, and not delivered)."""
    error = GatewayStoppingError(
        "the gateway stopped before this request finished (its grace for the requests in "
        "flight ran out, or it was told again to stop), and cancelled it"
        + ("" if sent else "; nothing was sent upstream"),
        retryable=not sent,
    )
    if sent:
        error.add_billing_note(IN_FLIGHT)
    error.cost = made
    return error


class CutOff(Exception):
    """A request the deadline cut off (cancelled, its upstream calls with it)."""


class Deadline:
    """When a stopping gateway stops waiting for the requests in flight: none while it serves,
    then the start of its shutdown plus its grace, for every request running or to come."""

    def __init__(self) -> None:
        self._when: float | None = None
        self._running: set[asyncio.Timeout] = set()

    @property
    def running(self) -> int:
        """How many requests it bounds now."""
        return len(self._running)

    def start(self, grace: float) -> None:
        """The gateway is stopping: the requests in flight have ``grace`` seconds from now."""
        self._when = asyncio.get_running_loop().time() + grace
        for timeout in self._running:
            timeout.reschedule(self._when)

    @contextlib.asynccontextmanager
    async def bounding(self) -> AsyncIterator[None]:
        """Run the block until it ends or the deadline comes, which cancels it (its upstream
        calls with it) and raises :class:`CutOff` here."""
        try:
            async with asyncio.timeout_at(self._when) as timeout:
                self._running.add(timeout)
                try:
                    yield
                finally:
                    self._running.discard(timeout)
        except TimeoutError:
            if timeout.expired():  # not a timeout of the block's own
                raise CutOff from None
            raise
