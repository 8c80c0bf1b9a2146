"""A call cancelled after some of its provider calls answered: inside keep_made_images, their
images (made, and billed) are kept, with a warning for each call that had not answered."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

import limner
from limner.interrupted import keep_made_images

from .support import FakeServer, MakeClient, client_kwargs, ok_body


async def _cancel_once_answered(server: FakeServer, task: asyncio.Task[object], count: int) -> None:
    """Cancel ``task`` once ``count`` calls reached the server and all but the stalled one
    were answered."""
    while len(server.requests) < count:
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
    assert limner.interrupted.kept() is None  # the block is over


async def test_a_call_cancelled_while_its_images_download_keeps_their_links(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The images are made (and billed) when the links come back: cancelled during the download
    that b64_json asks for, the call keeps them as the links the provider gave, at once."""
    client = make_client()
    url = f"{server.url}/stalled.png"
    server.reply(web.json_response(ok_body(1, url=url)), server.stall)  # the download stalls
    with keep_made_images() as made:
        task = asyncio.ensure_future(
            client.images.generate(model="alpha", prompt="x", response_format="b64_json")
        )
        await _cancel_once_answered(server, task, 2)  # the call, then the download
        results = await asyncio.gather(task, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    [kept] = made
    assert [(item.url, item.b64_json) for item in kept.data] == [(url, None)]
    assert kept.adjustments[-1] == limner.interrupted.LINKS_KEPT  # said, as a failed one is
    assert kept.cost is not None and kept.cost > 0
    assert not [w for w in kept.warnings if w.code == "call_failed"]  # the call had answered
    server.release.set()


def test_the_sync_client_keeps_them_too_before_the_interrupt_returns(
    threaded_server: FakeServer,
) -> None:
    """A sync call interrupted (its task cancelled, as Ctrl-C does) while its images download:
    the caller's list is filled before the interruption reaches it, not later behind its
    back."""
    import threading

    url = f"{threaded_server.url}/stalled.png"
    threaded_server.reply(web.json_response(ok_body(1, url=url)), threaded_server.stall)
    seen: list[list[limner.ImagesResponse]] = []
    with limner.Client(**client_kwargs(threaded_server)) as client:
        runner = client._runner

        def call() -> None:
            with keep_made_images() as made:
                try:
                    client.images.generate(model="alpha", prompt="x", response_format="b64_json")
                except BaseException:  # the cancellation, as the caller sees it
                    seen.append(list(made))

        worker = threading.Thread(target=call)
        worker.start()
        while len(threaded_server.requests) < 2:
            time.sleep(0.01)
        time.sleep(0.1)
        loop = runner.loop
        assert loop is not None  # (started by the call)
        for task in asyncio.all_tasks(loop):
            loop.call_soon_threadsafe(task.cancel)
        worker.join(10)
    [made_then] = seen
    assert [item.url for response in made_then for item in response.data] == [url]
