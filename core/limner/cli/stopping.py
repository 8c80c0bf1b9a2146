"""How a stop (Ctrl-C, SIGTERM) ends ``limner generate`` and ``edit``: by cancelling the
command's task while it waits for the provider (the images of the calls that answered are saved);
not once the answer is in hand, nor while paid images are saved and said."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

__all__ = ["Stop", "not_interrupted", "stopped_by_sigterm"]


@contextlib.contextmanager
def not_interrupted() -> Iterator[None]:
    """Ctrl-C ignored while paid images are saved and said: asyncio raises KeyboardInterrupt
    on a second one wherever the code is, and files written but never printed are lost to a
    script (the reporting takes milliseconds)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (main() called from another): nothing to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Stop:
    """How a stop (SIGTERM, Ctrl-C) ends the command: by cancelling its task, until
    :meth:`settle`."""

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self._task = task
        self.settled = False
        self._sigint: Any = None

    def sigterm(self) -> None:
        if not self.settled and self._task is not None:
            self._task.cancel()

    async def settle(self) -> None:
        """The answer is in hand (made and billed): from now on, stops are ignored until the
        command ends, its files saved, its summary said and its client closed. Stopped then,
        a command that had done its work exited 130 or 143, and a script sent it again. A
        stop that came as the answer did (its task's cancelling asked for, not yet raised) is
        let go of too."""
        self.settled = True
        with contextlib.suppress(ValueError):  # (not the main thread: nothing to change)
            self._sigint = signal.signal(signal.SIGINT, signal.SIG_IGN)
        task = self._task
        if task is not None and task.cancelling():
            try:
                await asyncio.sleep(0)  # where the cancelling asked for is raised
            except asyncio.CancelledError:
                task.uncancel()

    def restore(self) -> None:
        if self._sigint is not None:
            signal.signal(signal.SIGINT, self._sigint)


@contextlib.contextmanager
def stopped_by_sigterm() -> Iterator[Stop]:
    """SIGTERM cancels the command's task, as Ctrl-C does, until the answer is in hand (see
    :meth:`Stop.settle`); the handlers there before are back afterwards (for a program that
    calls :func:`main`)."""
    task = asyncio.current_task()
    stop = Stop(task)
    loop = asyncio.get_running_loop()
    previous = signal.getsignal(signal.SIGTERM)
    try:
        if task is None:
            raise RuntimeError("no task")
        loop.add_signal_handler(signal.SIGTERM, stop.sigterm)
    except (NotImplementedError, RuntimeError):  # no such signal here, or not the main thread
        try:
            yield stop
        finally:
            stop.restore()
        return
    try:
        yield stop
    finally:
        stop.restore()
        loop.remove_signal_handler(signal.SIGTERM)
        if previous is not None:  # (None: set outside Python, by a program embedding it)
            signal.signal(signal.SIGTERM, previous)
