"""The request bodies a gateway holds at once, bounded in bytes.

Each request's body is at most ``max_body_bytes``, but nothing bounded how many the gateway
held at once: a body is read, parsed and its images decoded before the request waits for an
upstream slot, so a dozen 50 MB edits (images as ``data:`` URLs) took about 2 GB however few
slots there were, and one key could push the process out of memory. A request with a body now
takes its declared size (a chunked one, the most it may be) from the budget before its handler
runs, and gives it back when it ends; one that finds no room within the queue timeout is a 429
(``gateway_busy``), as one that finds no upstream slot is."""

from __future__ import annotations

import asyncio
from collections import deque

from .errors import BusyError

__all__ = ["BodyBudget"]


class BodyBudget:
    """``limit`` bytes, taken by requests in the order they come (a small body waits behind a
    large one that came first: neither starves); ``whose``: whose bodies it bounds, for the
    429's words."""

    def __init__(self, limit: int, whose: str = "the gateway holds") -> None:
        self.limit = limit
        self.whose = whose
        self.held = 0
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    async def take(self, size: int, timeout: float, queued: float | None = None) -> int:
        """Take ``size`` bytes (at most the whole budget), waiting up to ``timeout`` seconds for
        room, else raise :class:`~.errors.BusyError` (saying the request waited ``queued``
        seconds in all, by default ``timeout``); returns what was taken, for
        :meth:`give_back`. Cancelled or timed out while waiting, it holds nothing."""
        size = min(max(size, 0), self.limit)
        if not self._waiting and self.held + size <= self.limit:
            self.held += size
            return size
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, granted)
        self._waiting.append(entry)
        try:
            async with asyncio.timeout(timeout):
                await granted
        except BaseException as exc:
            if granted.done() and not granted.cancelled():  # room came as it gave up
                self.give_back(size)
            else:
                granted.cancel()
                if entry in self._waiting:
                    self._waiting.remove(entry)
                self._wake()  # (a large body leaving the line may let the next ones in)
            if isinstance(exc, TimeoutError):
                raise BusyError(
                    f"the request bodies {self.whose} at once ({_mib(self.limit)}) "
                    f"stayed at their limit for {timeout if queued is None else queued:g} s; "
                    "retry later",
                    retry_after=1,
                ) from None
            raise
        return size

    def give_back(self, size: int) -> None:
        """Return ``size`` bytes :meth:`take` gave, letting waiting requests in."""
        self.held -= size
        self._wake()

    def _wake(self) -> None:
        while self._waiting:
            size, granted = self._waiting[0]
            if granted.done():  # (gave up)
                self._waiting.popleft()
                continue
            if self.held + size > self.limit:
                return
            self._waiting.popleft()
            self.held += size
            granted.set_result(None)


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB"
