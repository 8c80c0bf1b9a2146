"""Daemon threads for the plugin methods that may block on the network: a blocking
``authorize`` (a token refresh) and ``complete_settings`` (a project read from a machine's
credentials).

Not the event loop's default pool (``asyncio.to_thread``): a method that never returns (a token
service that does not answer) would hold one of the threads DNS lookups share, and
``asyncio.run`` and the interpreter's exit wait for every thread of that pool (and of any
``ThreadPoolExecutor``), so a program would hang after its call had timed out. Daemon threads
are not waited for.

Each client's provider has a :class:`Lane` of its own: at most :data:`LANE_WIDTH` threads at
once, so a token service that hangs under load holds that many threads, and the calls queued
behind them time out as their own ``timeout`` says, while other clients and providers go on.
A thread is started for work and ends when none of its lane's is waiting: none stays idle.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import contextvars
import functools
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["LANE_WIDTH", "Lane", "in_daemon_thread", "lane_for", "spawn"]

T = TypeVar("T")

LANE_WIDTH = 8
"""Threads one lane runs at once."""

_Work = tuple[
    concurrent.futures.Future[Any], contextvars.Context, Callable[..., Any], tuple[Any, ...]
]


class Lane:
    """Work of one kind (a client's provider) in daemon threads, at most ``width`` at once; the
    rest waits its turn, in order."""

    def __init__(self, width: int = LANE_WIDTH) -> None:
        self.width = width
        self._start()

    def _start(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._running = 0
        self._waiting: collections.deque[_Work] = collections.deque()

    def submit(self, function: Callable[..., T], *args: object) -> concurrent.futures.Future[T]:
        """``function(*args)`` with the caller's context variables, in a thread of its own or
        after the lane's earlier work: its future, which any event loop (or thread) may wait
        for. Work cancelled before it begins is skipped."""
        if self._pid != os.getpid():  # a forked child: its parent's threads (and perhaps a
            self._start()  # lock one of them held) are not here
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        work: _Work = (outcome, contextvars.copy_context(), function, args)
        with self._lock:
            waits = self._running >= self.width
            if waits:
                self._waiting.append(work)
            else:
                self._running += 1
        if waits:  # (its caller gone, it leaves the queue: it may hold a request's images)
            outcome.add_done_callback(functools.partial(self._forget, work))
            return outcome
        serve = threading.Thread(target=self._serve, args=(work,), daemon=True)
        serve.name = "limner-blocking"
        try:
            serve.start()
        except BaseException:  # no thread to be had (a process limit): the slot is free again
            with self._lock:
                self._running -= 1
            raise
        return outcome

    def _forget(self, work: _Work, outcome: concurrent.futures.Future[Any]) -> None:
        """Work cancelled while it waited (its call timed out) leaves the queue at once: behind
        threads that hang, nothing else would take it out."""
        if outcome.cancelled():
            with self._lock, contextlib.suppress(ValueError):  # (ValueError: taken meanwhile,
                self._waiting.remove(work)  # and skipped, being cancelled)

    def _serve(self, work: _Work | None) -> None:
        while work is not None:
            outcome, context, function, args = work
            if outcome.set_running_or_notify_cancel():  # (else its caller left before it began)
                try:
                    outcome.set_result(context.run(function, *args))
                except BaseException as exc:  # (SystemExit too: the caller must not wait forever)
                    outcome.set_exception(exc)
            with self._lock:
                work = self._waiting.popleft() if self._waiting else None
                if work is None:
                    self._running -= 1


_LANES: weakref.WeakKeyDictionary[object, dict[str, Lane]] = weakref.WeakKeyDictionary()
_LANES_LOCK = threading.Lock()


def _forked() -> None:
    """A forked child: the lock a parent's thread may have held as it forked is not held here
    (each lane starts afresh on its own: :meth:`Lane.submit`)."""
    global _LANES_LOCK
    _LANES_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):  # (not on Windows, which has no fork)
    os.register_at_fork(after_in_child=_forked)


def lane_for(owner: object, name: str) -> Lane:
    """The lane of ``owner`` (a client's connections) for ``name`` (a provider), made on first
    use and let go with ``owner``."""
    with _LANES_LOCK:
        lanes = _LANES.setdefault(owner, {})
        lane = lanes.get(name)
        if lane is None:
            lane = lanes[name] = Lane()
        return lane


def spawn(function: Callable[..., T], *args: object) -> concurrent.futures.Future[T]:
    """``function(*args)`` in a daemon thread of its own (work that is never run twice at once,
    as a client's settings lookup for one provider)."""
    return Lane(1).submit(function, *args)


async def in_daemon_thread(lane: Lane, function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in ``lane``; the outcome of a call no longer awaited (it timed out)
    is dropped."""
    return await asyncio.wrap_future(lane.submit(function, *args))
