"""A call cancelled after some of its provider calls answered: inside keep_made_images, their
images (made, and billed) are kept, with a warning for each call that had not answered."""

from __future__ import annotations

import asyncio

import limner
from limner.interrupted import CANCELLED, keep_made_images

from .support import FakeServer, MakeClient


async def _cancel_once_answered(server: FakeServer, task: asyncio.Task[object], count: int) -> None:
    """Cancel ``task`` once ``count`` calls reached the server and all but the stalled one
    were answered."""
    while len(server.api_calls) < count:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    task.cancel()


async def test_the_images_made_before_a_cancellation_are_kept(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    server.reply(server.stall)  # the first call never answers; the other two do
    with keep_made_images() as made:
        task = asyncio.ensure_future(client.images.generate(model="fake/beta-2", prompt="x", n=3))
        await _cancel_once_answered(server, task, 3)
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the call was not cancelled")
    [kept] = made
    assert len(kept.data) == 2  # billed: kept
    assert kept.cost is not None and kept.cost > 0
    [warning] = [w for w in kept.warnings if w.code == "call_failed"]
    assert "was cancelled before it answered" in warning.message
    assert warning.message.startswith("call ") and "of 3 (1 image(s))" in warning.message


async def test_nothing_is_kept_outside_the_block_or_when_nothing_answered(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    server.reply(server.stall, server.stall, server.stall)
    with keep_made_images() as made:
        task = asyncio.ensure_future(client.images.generate(model="fake/beta-2", prompt="x", n=3))
        while len(server.api_calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert made == []  # no call had answered
    server.release.set()
    assert CANCELLED == "cancelled"
    assert limner.interrupted.kept() is None  # the block is over
