"""What ends with a client or with its event loop: the waits a client's closing cuts short (a
retry's back-off, the time between a job's polls: a call waiting there fails at once as closed,
``client_closed``, rather than sleeping out the wait; and the reading of an answer's body, which
aiohttp's closing of its connections leaves waiting until the call's timeout), and a session
closed when the event loop it serves shuts down (the end of ``asyncio.run``), so that its
connections are not left open on a loop that can no longer close them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # aiohttp is imported on the first request, not by `import limner`
    import aiohttp

__all__ = ["Pauses", "close_with_loop"]


def close_with_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """Have ``session`` closed when the running event loop shuts down its async generators
    (``asyncio.run`` does, before closing the loop), if it is still open then. Returns the
    guard, which the caller keeps for as long as the session lives."""
    guard = _closing(session)
    step = guard.__anext__()  # registers the generator with the running loop
    with contextlib.suppress(StopIteration):
        step.send(None)  # runs it to its yield at once: it awaits nothing before
    return guard


async def _closing(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


class Pauses:
    """The waits of one client, on whichever event loops its calls run."""

    def __init__(self) -> None:
        self._waiting: set[asyncio.Future[bool]] = set()
        self._reading: dict[aiohttp.StreamReader, asyncio.AbstractEventLoop] = {}
        self.ended = False

    def start_reading(self, body: aiohttp.StreamReader) -> None:
        """``body`` (an answer's, on the running loop) is being read: :meth:`end` fails the
        read. Pair with :meth:`stop_reading`."""
        if self._reading:  # (none, in the common case: nothing to look at)
            for stale in [b for b, loop in self._reading.items() if loop.is_closed()]:
                del self._reading[stale]  # a loop closed without ending its tasks
        self._reading[body] = asyncio.get_running_loop()
        if self.ended:  # end() came first, or ran in another thread meanwhile
            _fail_read(body)

    def stop_reading(self, body: aiohttp.StreamReader) -> None:
        self._reading.pop(body, None)

    async def sleep(self, seconds: float) -> bool:
        """Wait ``seconds``; ``False`` when :meth:`end` cut the wait short (or came before)."""
        if self.ended:
            return False
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        timer = loop.call_later(seconds, _settle, waiter, True)
        self._waiting.add(waiter)
        if self.ended:  # end() ran in another thread since the check above
            _settle(waiter, False)
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
            if loop is _running_loop():
                _settle(waiter, False)
            else:
                loop.call_soon_threadsafe(_settle, waiter, False)
        for body, loop in list(self._reading.items()):
            if loop.is_closed():
                del self._reading[body]
                continue
            if loop is _running_loop():
                _fail_read(body)
            else:
                loop.call_soon_threadsafe(_fail_read, body)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _fail_read(body: aiohttp.StreamReader) -> None:
    import aiohttp

    body.set_exception(aiohttp.ClientConnectionError("the client was closed"))


def _settle(waiter: asyncio.Future[bool], value: bool) -> None:
    if not waiter.done():
        waiter.set_result(value)
