"""The daemon threads that run plugin methods which may block: a lane per client's provider,
bounded, not waited for at exit, the caller's context variables kept, work whose caller left
before it began skipped, no thread left idle."""

from __future__ import annotations

import contextvars
import os
import threading

import pytest

from limner import daemon_threads
from limner.daemon_threads import Lane, lane_for

WHO = contextvars.ContextVar("WHO", default="nobody")


def test_work_runs_in_a_daemon_thread_with_the_callers_context() -> None:
    WHO.set("caller")
    ran = Lane().submit(lambda: (WHO.get(), threading.current_thread().daemon))
    assert ran.result(10) == ("caller", True)


async def test_in_daemon_thread_returns_and_raises_as_the_function_does() -> None:
    lane = Lane()
    assert await daemon_threads.in_daemon_thread(lane, sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        await daemon_threads.in_daemon_thread(lane, divmod, 1, 0)


def test_a_lane_runs_no_more_threads_than_its_width_and_leaves_none_idle() -> None:
    """Work that blocks (a token service that hangs) holds the lane's threads; what comes
    after waits for one, rather than each call starting a thread of its own."""
    lane = Lane(2)
    gate = threading.Event()
    running = threading.Semaphore(0)
    threads: set[int] = set()

    def blocked(index: int) -> int:
        threads.add(threading.get_ident())
        running.release()
        gate.wait(10)
        return index

    futures = [lane.submit(blocked, index) for index in range(5)]
    assert running.acquire(timeout=10) and running.acquire(timeout=10)  # two at once
    assert not running.acquire(timeout=0.2)  # and no third
    assert [f.done() for f in futures] == [False] * 5
    gate.set()
    assert [f.result(10) for f in futures] == [0, 1, 2, 3, 4]
    assert len(threads) == 2
    for _ in range(100):  # each thread ends once no work waits
        if lane._running == 0:
            break
        threading.Event().wait(0.05)
    assert lane._running == 0


class _Client:
    """Stands for a client's connections, which own its lanes."""


def test_one_lanes_hung_work_does_not_hold_another_lane() -> None:
    """One client's token service hanging held every other client's and provider's calls:
    they queued behind it in one pool shared by all."""
    owner, other = _Client(), _Client()
    hung, gate = lane_for(owner, "google"), threading.Event()
    assert lane_for(owner, "google") is hung and lane_for(other, "google") is not hung
    held = [hung.submit(gate.wait, 10) for _ in range(hung.width + 1)]
    try:
        for lane in (lane_for(owner, "amazon"), lane_for(other, "google")):
            assert lane.submit(os.getpid).result(10) == os.getpid()
        assert not held[-1].done()
    finally:
        gate.set()
    assert all(f.result(10) for f in held)


def test_work_cancelled_before_it_began_is_skipped() -> None:
    lane = Lane(1)
    gate = threading.Event()
    called: list[str] = []
    first = lane.submit(gate.wait, 10)
    second = lane.submit(called.append, "second")
    assert second.cancel()  # its caller stopped waiting (timed out) while it queued
    assert len(lane._waiting) == 0  # left at once: it may hold a request's images, and behind
    gate.set()  # threads that hang nothing would take it out
    assert first.result(10) is True
    lane.submit(called.append, "third").result(10)
    assert called == ["third"]


def test_a_thread_that_cannot_start_frees_its_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two failed starts (a process's thread limit) left a lane of two with no slot, for good:
    every later call's work waited, and timed out."""
    lane = Lane(2)
    real = threading.Thread.start

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            lane.submit(os.getpid)
    monkeypatch.setattr(threading.Thread, "start", real)
    assert lane.submit(os.getpid).result(10) == os.getpid()
