"""A stopping gateway (``runner.cleanup()``, as Ctrl-C and SIGTERM do) gives the requests in
flight its grace period in all, then cancels them, closing their connections unanswered."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web

from limner.gateway import make_runner

GRACE = 2.0


async def _serve(wait: float) -> tuple[web.AppRunner, str, list[str]]:
    ended: list[str] = []

    async def slow(request: web.Request) -> web.Response:
        try:
            await asyncio.sleep(wait)
        except asyncio.CancelledError:
            ended.append("cancelled")
            raise
        ended.append("finished")
        return web.Response(text="done")

    app = web.Application()
    app.router.add_get("/", slow)
    runner = make_runner(app, grace=GRACE)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/", ended


async def _ask(url: str) -> str:
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return await response.text()
    except aiohttp.ClientError as error:
        return type(error).__name__


async def test_a_request_that_ends_within_the_grace_period_is_answered() -> None:
    runner, url, ended = await _serve(wait=0.5)
    asked = asyncio.create_task(_ask(url))
    await asyncio.sleep(0.2)
    await runner.cleanup()
    assert await asked == "done" and ended == ["finished"]


async def test_a_request_still_running_at_the_end_of_the_grace_period_is_cancelled() -> None:
    runner, url, ended = await _serve(wait=30)
    asked = asyncio.create_task(_ask(url))
    await asyncio.sleep(0.2)
    began = time.monotonic()
    await runner.cleanup()
    took = time.monotonic() - began
    assert ended == ["cancelled"]
    assert await asked != "done"  # no answer: the connection is closed
    # the grace period in all, not twice it (aiohttp waits its timeout twice)
    assert GRACE - 0.5 < took < GRACE * 1.5
