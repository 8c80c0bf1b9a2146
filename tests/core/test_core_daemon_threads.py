"""The daemon threads that run plugin methods which may block: bounded, not waited for at exit,
the caller's context variables kept, work whose caller left before it began skipped."""

from __future__ import annotations

import contextvars
import threading

import pytest

from limner import daemon_threads
from limner.daemon_threads import _Pool

WHO = contextvars.ContextVar("WHO", default="nobody")


def test_work_runs_in_a_daemon_thread_with_the_callers_context() -> None:
    WHO.set("caller")
    ran = daemon_threads.submit(lambda: (WHO.get(), threading.current_thread().daemon))
    assert ran.result(10) == ("caller", True)


async def test_in_daemon_thread_returns_and_raises_as_the_function_does() -> None:
    assert await daemon_threads.in_daemon_thread(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        await daemon_threads.in_daemon_thread(divmod, 1, 0)


def test_the_pool_starts_no_more_threads_than_its_size() -> None:
    """Work that blocks (a token service that hangs) holds the pool's threads; what comes
    after waits for one, rather than each call starting a thread of its own."""
    pool = _Pool(2)
    gate = threading.Event()
    running = threading.Semaphore(0)
    threads: set[str] = set()

    def blocked(index: int) -> int:
        threads.add(threading.current_thread().name)
        running.release()
        gate.wait(10)
        return index

    futures = [pool.submit(blocked, index) for index in range(5)]
    assert running.acquire(timeout=10) and running.acquire(timeout=10)  # two at once
    assert not running.acquire(timeout=0.2)  # and no third
    assert [f.done() for f in futures] == [False] * 5
    gate.set()
    assert [f.result(10) for f in futures] == [0, 1, 2, 3, 4]
    assert len(threads) == 2


def test_work_cancelled_before_it_began_is_skipped() -> None:
    pool = _Pool(1)
    gate = threading.Event()
    called: list[str] = []
    first = pool.submit(gate.wait, 10)
    second = pool.submit(called.append, "second")
    assert second.cancel()  # its caller stopped waiting (timed out) while it queued
    gate.set()
    assert first.result(10) is True
    third = pool.submit(called.append, "third")
    third.result(10)
    assert called == ["third"]
