"""The sync client across a fork, and closed on its own thread while other threads' calls are
out: neither the parent's client nor a caller waits for good."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

import limner

from .fakeprovider import FakePlugin, FakeProvider
from .test_core_client_lifecycle import _in_a_forked_child, _kwargs, threaded_url

__all__ = ["threaded_url"]


def _within(seconds: float, call: Any) -> list[object]:
    """``call()``'s outcome, run on a thread given ``seconds`` (empty: it still waits)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # (said to the test)
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return outcome


def test_a_parent_whose_client_was_never_used_goes_on_after_a_child_used_it(
    threaded_url: str,
) -> None:
    """The unused client's loop, never run, was copied into the child and closed there when
    the child's runner made its own: that took its wake-up pipe out of the epoll set the
    parent shares, and the parent's next call waited for good."""
    client = limner.Client(**_kwargs(threaded_url))
    try:
        assert _in_a_forked_child(lambda: client.images.generate(model="alpha", prompt="x")) == 0
        for _ in range(2):  # (the second once the loop waits in its selector: woken by a call)
            outcome = _within(10, lambda: client.images.generate(model="alpha", prompt="x"))
            assert outcome and isinstance(outcome[0], limner.ImagesResponse), outcome
            time.sleep(0.2)
        assert _in_a_forked_child(lambda: client.images.generate(model="alpha", prompt="y")) == 0
        outcome = _within(10, lambda: client.images.generate(model="alpha", prompt="x"))
        assert outcome and isinstance(outcome[0], limner.ImagesResponse), outcome
    finally:
        client.close()


class _SlowToken(FakeProvider):
    """Its ``authorize`` waits for a token service until the test opens the gate."""

    authorize_blocks: ClassVar[bool] = True
    gate: ClassVar[threading.Event] = threading.Event()
    waiting: ClassVar[threading.Event] = threading.Event()

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        if not dry_run:
            _SlowToken.waiting.set()
            _SlowToken.gate.wait(10)
        return super().authorize(request, settings, dry_run=dry_run)


def test_closed_on_its_own_thread_a_call_of_another_thread_ends(threaded_url: str) -> None:
    """The wind-down scheduled there stopped the loop once the session closed: a call waiting
    on a blocking ``authorize`` was never resumed, and its caller waited for good."""
    _SlowToken.gate.clear()
    _SlowToken.waiting.clear()
    client = limner.Client(**_kwargs(threaded_url, plugins=[FakePlugin(_SlowToken)]))
    try:
        assert client.images.generate(model="alpha", prompt="x", dry_run=True).requests
        loop = client._runner.loop
        assert loop is not None
        outcome: list[object] = []
        caller = threading.Thread(
            target=lambda: outcome.append(
                _within(15, lambda: client.images.generate(model="alpha", prompt="x"))
            ),
            daemon=True,
        )
        caller.start()
        assert _SlowToken.waiting.wait(5)
        started = time.monotonic()
        loop.call_soon_threadsafe(client.close)  # (as a __del__ run by a collection there)
        caller.join(10)
        assert outcome and outcome[0], "the call waited for good"
        ended = outcome[0]
        assert isinstance(ended, list) and len(ended) == 1
        assert isinstance(ended[0], limner.LimnerError) and ended[0].code == "client_closed"
        assert time.monotonic() - started < 5
    finally:
        _SlowToken.gate.set()
        client.close()
