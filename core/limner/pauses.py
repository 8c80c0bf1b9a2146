"""Waits that a client's closing cuts short: a retry's back-off, the time between a job's polls.
A call waiting there when its client is closed fails at once as closed (``client_closed``),
rather than sleeping out the wait first."""

from __future__ import annotations

import asyncio

__all__ = ["Pauses"]


class Pauses:
    """The waits of one client, on whichever event loops its calls run."""

    def __init__(self) -> None:
        self._waiting: set[asyncio.Future[bool]] = set()
        self.ended = False

    async def sleep(self, seconds: float) -> bool:
        """Wait ``seconds``; ``False`` when :meth:`end` cut the wait short (or came before)."""
        if self.ended:
            return False
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        timer = loop.call_later(seconds, _settle, waiter, True)
        self._waiting.add(waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            self._waiting.discard(waiter)

    def end(self) -> None:
        """Cut every wait short, now and from now on (from any thread)."""
        self.ended = True
        for waiter in list(self._waiting):
            loop = waiter.get_loop()
            if loop.is_closed():
                continue
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if loop is running:
                _settle(waiter, False)
            else:
                loop.call_soon_threadsafe(_settle, waiter, False)


def _settle(waiter: asyncio.Future[bool], value: bool) -> None:
    if not waiter.done():
        waiter.set_result(value)
