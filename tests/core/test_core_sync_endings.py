"""How a client's threads end in the awkward places: a sync client's event-loop thread at
interpreter exit, in a forked child whose parent's thread held its lock, and when Ctrl-C
interrupts ``close()``; a blocking ``authorize`` that never returns. Each runs in a process of
its own (exit and signals are the process's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import limner

from .support import client_kwargs

ROOT = Path(__file__).resolve().parents[2]


def run_script(source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``source`` run by this interpreter from the repository's root (the tests' fake plugin
    importable), killed after 30 s (a hang is what these tests look for)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


CLOSED_IN_DEL = """
    import limner
    from tests.core.support import client_kwargs

    class Generator:
        def __init__(self):
            self.client = limner.Client(**client_kwargs(None))

        def __del__(self):
            self.client.close()
            print("closed")

    generator = Generator()
    print("exiting", flush=True)
"""


def test_a_client_closed_at_interpreter_exit_lets_the_process_end() -> None:
    """A module-level object closing its client in ``__del__`` hung the process at exit most
    times: the client's finalizer had stopped the loop, and close() waited on it forever."""
    for _ in range(3):  # (it hung in three runs of four)
        ended = run_script(CLOSED_IN_DEL)
        assert (ended.returncode, ended.stdout) == (0, "exiting\nclosed\n"), ended.stderr
        assert "Error" not in ended.stderr and "never awaited" not in ended.stderr


CALLED_AT_EXIT = """
    import atexit

    def late():  # registered first, so it runs after the client's finalizer
        try:
            client.images.generate(model="fake/alpha-1", prompt="x", dry_run=True)
        except limner.LimnerError as error:
            print("refused:", error.code)
        client.close()
        print("closed")

    atexit.register(late)

    import limner
    from tests.core.support import client_kwargs

    client = limner.Client(**client_kwargs(None))
    client.images.generate(model="fake/alpha-1", prompt="x", dry_run=True)  # (its thread runs)
"""


def test_a_call_at_interpreter_exit_after_the_finalizer_is_refused_as_closed() -> None:
    """It hung, or raised asyncio's bare RuntimeError ('Event loop is closed')."""
    ended = run_script(CALLED_AT_EXIT)
    assert (ended.returncode, ended.stdout) == (0, "refused: client_closed\nclosed\n"), ended.stderr
    assert "Traceback" not in ended.stderr


def test_a_forked_child_closes_at_once_though_a_parent_thread_held_the_lock() -> None:
    """A thread of the parent's starting a call as the process forked left the client's lock
    held in the child, for good: closing there hung."""
    client = limner.Client(**client_kwargs(None))
    try:
        runner = client._runner
        with runner._lock:  # as a parent's thread starting a call holds it
            child = os.fork()
            if child == 0:  # pragma: no cover (the child's exit status says how it went)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)  # (not a plugin's handler)
                signal.alarm(10)  # hung: killed by it
                try:
                    client.close()
                finally:
                    os._exit(0)
        _, status = os.waitpid(child, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
    finally:
        client.close()


INTERRUPTED_CLOSE = """
    import os, signal, threading, time
    signal.signal(signal.SIGINT, signal.default_int_handler)  # (a background job ignores it)
    import limner
    from tests.core.fakeprovider import FakePlugin, FakeProvider
    from tests.core.support import client_kwargs

    translating = threading.Event()

    class Slow(FakeProvider):
        def translate(self, call):
            translating.set()
            time.sleep(3.0)  # on the loop: closing cannot begin before it ends
            return super().translate(call)

    client = limner.Client(**client_kwargs(None, plugins=[FakePlugin(Slow)]))

    def call():
        try:
            client.images.generate(model="fake/alpha-1", prompt="x")
        except limner.LimnerError as error:
            print("call:", error.code, flush=True)

    caller = threading.Thread(target=call)
    caller.start()
    translating.wait(20)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        client.close()
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    caller.join()
    client.close()
    for thread in threading.enumerate():  # the loop's, and its executor's
        if thread is not threading.main_thread():
            thread.join(10)
    left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    print("left:", left)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to itself")
def test_ctrl_c_during_close_still_stops_the_clients_thread() -> None:
    """The loop's thread ran on for good: the interrupted close() had marked the client
    closing, and a second close() returned at once, doing nothing."""
    ended = run_script(INTERRUPTED_CLOSE)
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.splitlines() == ["interrupted", "call: client_closed", "left: []"]


STUCK_PLUGIN = """
    import asyncio, sys, threading
    import limner
    from tests.core.fakeprovider import FakePlugin, FakeProvider
    from tests.core.support import client_kwargs

    never = threading.Event()  # a token service that never answers

    class StuckAuthorize(FakeProvider):
        authorize_blocks = True

        def authorize(self, request, settings, *, dry_run=False):
            never.wait()
            return super().authorize(request, settings, dry_run=dry_run)

    class StuckLookup(FakeProvider):
        def complete_settings(self, settings):
            never.wait()
            return settings

    way, step = sys.argv[1:]
    stuck = StuckAuthorize if step == "authorize" else StuckLookup
    kwargs = client_kwargs(None, plugins=[FakePlugin(stuck)], timeout=0.2)

    async def main():
        async with limner.AsyncClient(**kwargs) as client:
            try:
                await client.images.generate(model="fake/alpha-1", prompt="x")
            except limner.LimnerError as error:
                print(error.code, flush=True)

    if way == "async":
        asyncio.run(main())
        print("asyncio.run returned", flush=True)
    else:
        client = limner.Client(**kwargs)
        try:
            client.images.generate(model="fake/alpha-1", prompt="x")
        except limner.LimnerError as error:
            print(error.code, flush=True)
"""


@pytest.mark.parametrize(
    ("way", "step", "said"),
    [
        ("async", "authorize", ["authorize_timeout", "asyncio.run returned"]),
        ("sync", "authorize", ["authorize_timeout"]),
        ("async", "settings", ["settings_timeout", "asyncio.run returned"]),
        ("sync", "settings", ["settings_timeout"]),
    ],
)
def test_a_plugin_step_that_never_returns_does_not_hold_the_program(
    way: str, step: str, said: list[str]
) -> None:
    """A blocking ``authorize`` timed out but the program never ended: it ran in the event
    loop's default thread pool, which ``asyncio.run`` (and, for a sync client, the
    interpreter's exit) waits for. A ``complete_settings`` that never returned held the call
    too, for good (no timeout bounded it)."""
    ended = run_script(STUCK_PLUGIN, way, step)
    assert (ended.returncode, ended.stdout.splitlines()) == (0, said), ended.stderr
    assert "Traceback" not in ended.stderr


def test_scripts_name_the_fake_model_this_suite_uses() -> None:
    """(The scripts above would pass for the wrong reason if the model were unknown.)"""
    with limner.Client(**client_kwargs(None)) as client:
        plan = client.images.generate(model="fake/alpha-1", prompt="x", dry_run=True)
    assert plan.requests
