"""The event loop a sync :class:`~limner.Client` runs its calls on, on a daemon thread of its
own: started by the first call, started again in a forked child, wound down on close (from any
thread, its own included) or when the client is dropped."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .errors import LimnerError
from .http import client_closed_error

__all__ = ["LoopThread"]

R = TypeVar("R")

_CANCEL_GRACE = 2.0
"""Seconds an interrupted sync call gets to wind down (close its connection) once cancelled."""


class LoopThread:
    """An event loop on a daemon thread, so the sync client works inside other event loops too.
    The thread starts with the first call (a client never used starts none), and again in a
    process forked from the one that made it, whose copy of the loop no thread runs."""

    def __init__(self, last: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """``last`` closes what runs on the loop (the client's session): :meth:`stop` runs it,
        and so does the clean-up of a runner dropped unclosed."""
        self._last = last
        self._pid = os.getpid()
        self._closing = False
        self._lock = threading.Lock()  # a call is started, or closing begins: not both at once
        self._thread: threading.Thread | None = None
        self._dropped: weakref.finalize[Any, Any] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # (made by the first call)

    def _start(self) -> None:
        """Run the loop on its thread (under the lock). A runner nothing refers to any more
        (its client, the client's images and chat, all dropped unclosed) closes the session and
        stops its loop, so the thread ends. Without blocking: this may run on the loop's own
        thread, or at interpreter exit. A call in progress refers to the runner, so it is never
        stopped under one."""
        # Made here, not before: a loop never run, inherited by a forked child and collected
        # there, would be closed, taking its wake-up pipe out of the epoll set the parent shares
        # (the parent's loop then never woke for a call again).
        loop = self.loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_serve, args=(loop,), name="limner", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # (3.12+: "can't create new thread at interpreter shutdown")
            raise LimnerError(
                "this limner.Client made no call before the interpreter began to exit, and no "
                "thread can start now: make its first call before (an atexit handler that "
                "uses it is registered after it is first used)",
                code="client_closed",
            ) from None
        self._thread = thread
        self._dropped = weakref.finalize(self, _stop_soon, loop, self._last)

    def _forked(self) -> None:
        """In a child forked from the process that made the runner: the parent's loop and
        thread are not this process's; a new loop (and thread, at the first call) is. The
        client's connections are made anew too (see :class:`~limner.connections.Connections`)."""
        with _FORKED:
            if os.getpid() == self._pid:  # (another thread of the child did it meanwhile)
                return
            if self._dropped is not None:
                self._dropped.detach()  # (the parent's loop: never to be stopped from here)
            self._lock = threading.Lock()  # (the parent's may have been held as it forked)
            self._thread, self._dropped = None, None
            if self.loop is not None:  # never closed here (it shares the parent's selector)
                _INHERITED.append(self.loop)
            self.loop = None
            self._pid = os.getpid()

    def run(self, coro: Coroutine[Any, Any, R]) -> R:
        """Run ``coro`` on the loop and return its result. When the wait is interrupted (Ctrl-C's
        ``KeyboardInterrupt``, any ``BaseException``), the call is cancelled, so it stops sending
        and retrying, and given :data:`_CANCEL_GRACE` seconds to finish before the interruption
        goes on."""
        created: concurrent.futures.Future[asyncio.Task[R]] = concurrent.futures.Future()
        finished = threading.Event()

        def start() -> None:  # on the loop's thread
            task = asyncio.get_running_loop().create_task(coro)
            task.add_done_callback(lambda _: finished.set())
            created.set_result(task)

        if os.getpid() != self._pid:  # forked: a loop of this process's own
            self._forked()
        if self._thread is not None and threading.current_thread() is self._thread:
            coro.close()  # (it would wait on its own thread for good, past any timeout)
            raise LimnerError(
                "a limner.Client was called from its own event loop's thread (by a plugin's "
                "hook, or a callback, of one of its calls): it would wait for itself for good; "
                "use the AsyncClient's methods there",
                code="client_reentered",
            )
        with self._lock:
            if self._closing or (self._dropped is not None and not self._dropped.alive):
                coro.close()  # never started: no "never awaited" warning (not alive: exit)
                raise client_closed_error()
            if self._thread is None:
                self._start()
            loop = self.loop
            assert loop is not None  # (started)
            loop.call_soon_threadsafe(start)  # (in a copy of the caller's context)
        try:
            finished.wait()
        except BaseException:
            task = created.result()  # at once: the loop runs ``start`` next, if not yet done
            loop.call_soon_threadsafe(task.cancel)
            finished.wait(_CANCEL_GRACE)
            raise
        task = created.result()
        if task.cancelled() and self._closing:  # another thread closed the client meanwhile
            raise client_closed_error(under_way=True)
        return task.result()

    def stop(self, last: Coroutine[Any, Any, None]) -> None:
        """Run ``last`` (closing the session), so the calls still running end as an
        ``AsyncClient``'s do when it closes: a request that was out fails as ``client_closed``,
        possibly billed, and a split ``n`` keeps the images its other calls made. Calls not
        ended :data:`_CANCEL_GRACE` seconds later are cancelled (their callers get
        ``client_closed``). Then stop and close the loop. Later calls are refused. Interrupted
        (Ctrl-C), the loop still stops once the calls have wound down."""
        if os.getpid() != self._pid:  # forked, no call made here: the loop's thread, and what
            self._closing = True  # it holds (the lock, if a thread of the parent's held it),
            if self._dropped is not None:  # are the parent's
                self._dropped.detach()
            last.close()
            return
        with self._lock:
            if self._closing:
                last.close()
                return
            self._closing = True
        loop = self.loop
        if loop is None or self._dropped is None or self._dropped.detach() is None:
            last.close()  # never started, or stopped already at interpreter exit: nothing
            return  # runs to be closed
        if threading.current_thread() is self._thread:  # (a __del__ run by a collection on
            _stop_soon(loop, lambda: last)  # the loop's own thread: it cannot wait there)
            return

        async def wind_down() -> None:
            running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await last  # first: cancelling would throw away what the calls had made
            if running:
                _, stuck = await asyncio.wait(running, timeout=_CANCEL_GRACE)
                for task in stuck:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)

        wound = asyncio.run_coroutine_threadsafe(wind_down(), loop)
        try:
            wound.result()
        except BaseException:  # the loop still stops, when the calls have wound down
            wound.add_done_callback(lambda _: loop.call_soon_threadsafe(loop.stop))
            raise
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join()
        loop.close()


_INHERITED: list[asyncio.AbstractEventLoop] = []
"""The loops a forked child's runners had from the parent: kept, never collected (and so never
closed) in the child, whose copy shares the parent's selector."""

_FORKED = threading.Lock()
"""Taken by the first call of a forked child to make its runner's loop (one loop, however many
of its threads call at once). Made anew in each child: a thread of the parent's may have held it
as it forked."""


def _fresh_fork_lock() -> None:
    global _FORKED
    _FORKED = threading.Lock()


if hasattr(os, "register_at_fork"):  # (not on Windows, which does not fork)
    os.register_at_fork(after_in_child=_fresh_fork_lock)


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """The loop thread: run until stopped, then close the loop (a no-op after :meth:`stop`)."""
    loop.run_forever()
    if not loop.is_closed():
        loop.close()


def _stop_soon(
    loop: asyncio.AbstractEventLoop, last: Callable[[], Coroutine[Any, Any, None]]
) -> None:
    """Have the loop run ``last`` (closing the session, so aiohttp reports no unclosed one),
    then stop. Only schedules: it never waits."""

    async def wind_down() -> None:
        try:
            running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            await last()
            if running:  # (calls of other threads, when closed on its own: ended, not left)
                _, stuck = await asyncio.wait(running, timeout=_CANCEL_GRACE)
                for task in stuck:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
        finally:
            loop.stop()

    with contextlib.suppress(RuntimeError):  # already closed
        loop.call_soon_threadsafe(lambda: loop.create_task(wind_down()))
