"""A small pool of daemon threads for the plugin methods that may block on the network: a
blocking ``authorize`` (a token refresh) and ``complete_settings`` (a project read from a
machine's credentials).

Not the event loop's default pool (``asyncio.to_thread``): a method that never returns (a token
service that does not answer) would hold one of the threads DNS lookups share, and
``asyncio.run`` and the interpreter's exit wait for every thread of that pool (and of any
``ThreadPoolExecutor``), so a program would hang after its call had timed out. Daemon threads
are not waited for. The pool is bounded, so a token service that hangs under load holds at most
:data:`SIZE` threads; the calls queued behind them time out as their own ``timeout`` says.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["SIZE", "in_daemon_thread", "submit"]

T = TypeVar("T")

SIZE = 32
"""Threads at most, as ``ThreadPoolExecutor`` starts by default on a machine with many cores."""

_Work = tuple[
    concurrent.futures.Future[Any], contextvars.Context, Callable[..., Any], tuple[Any, ...]
]


class _Pool:
    """Up to ``size`` daemon threads taking work from one queue, started as work comes: a
    thread is started while more work waits than threads are free to take it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._work: queue.SimpleQueue[_Work] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._free = 0  # threads waiting for work, or started and about to
        self._waiting = 0  # work put in the queue and not yet taken

    def submit(self, function: Callable[..., T], *args: object) -> concurrent.futures.Future[T]:
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            self._waiting += 1
            if self._waiting > self._free and self._threads < self.size:
                self._threads += 1
                self._free += 1
                name = f"limner-blocking-{self._threads}"
                threading.Thread(target=self._serve, name=name, daemon=True).start()
        self._work.put((outcome, contextvars.copy_context(), function, args))
        return outcome

    def _serve(self) -> None:
        while True:
            outcome, context, function, args = self._work.get()
            with self._lock:
                self._free -= 1
                self._waiting -= 1
            if outcome.set_running_or_notify_cancel():  # (else its caller left before it began)
                try:
                    outcome.set_result(context.run(function, *args))
                except BaseException as exc:  # (SystemExit too: the caller must not wait forever)
                    outcome.set_exception(exc)
            with self._lock:
                self._free += 1


_pool = _Pool(SIZE)


def _forked() -> None:
    """A forked child has none of its parent's threads: it starts a pool of its own."""
    global _pool
    _pool = _Pool(SIZE)


if hasattr(os, "register_at_fork"):  # (not on Windows)
    os.register_at_fork(after_in_child=_forked)


def submit(function: Callable[..., T], *args: object) -> concurrent.futures.Future[T]:
    """``function(*args)`` in the pool, with the caller's context variables: its future, which
    any event loop (or thread) may wait for."""
    return _pool.submit(function, *args)


async def in_daemon_thread(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in the pool; the outcome of a call no longer awaited (it timed
    out) is dropped."""
    return await asyncio.wrap_future(submit(function, *args))
