"""A gateway told again to stop while it waits for the requests in flight (a second Ctrl-C or
SIGTERM, as an operator or ``docker stop`` sends): it answers them 503 ``gateway_stopping`` at
once. A second SIGTERM had closed the client under them (a 500 ``client_closed``), a second
Ctrl-C dropped their connections unanswered (which the SDKs send again: billed twice)."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from aiohttp import web

from limner.gateway import GatewayConfig
from limner.gateway.app import hurry
from limner.gateway.server import serve

from ..core.support import FakeServer, Recorded, ok_body
from .conftest import MakeGateway
from .support import Gateway

STOPPING = (
    "the gateway stopped before this request finished (its grace for the requests in flight "
    "ran out, or it was told again to stop), and cancelled it; the provider may have taken "
    "the request, and bill it"
)


def hangs(server: FakeServer) -> list[str]:
    """Have ``server`` hang on every call; the list says each call's upstream cancellation."""
    cancelled: list[str] = []

    async def hang(recorded: Recorded) -> web.StreamResponse:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append("cancelled")
            raise
        return web.json_response(ok_body(1))

    server.reply(*[hang] * 5)
    return cancelled


async def _called(server: FakeServer) -> None:
    while not server.api_calls:
        await asyncio.sleep(0.01)


async def _hanging_call(
    make_gateway: MakeGateway, server: FakeServer
) -> tuple[Gateway, asyncio.Task[Any], list[str]]:
    """A gateway with a 60 s grace, and a call of its that hangs upstream (under way)."""
    cancelled = hangs(server)
    gateway = await make_gateway(grace=60.0)
    call = asyncio.create_task(
        gateway.sdk(max_retries=0).images.generate(model="openai/gpt-image-1", prompt="a fox")
    )
    await _called(server)
    return gateway, call, cancelled


async def test_hurrying_a_stopping_gateway_answers_its_requests_503_at_once(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway, call, cancelled = await _hanging_call(make_gateway, server)
    stopping = asyncio.create_task(gateway.runner.cleanup())
    await asyncio.sleep(0.2)
    assert not call.done()  # within its grace
    began = time.monotonic()
    hurry(gateway.runner)
    hurry(gateway.runner)  # (once is enough: a third signal changes nothing)
    with pytest.raises(openai.APIStatusError) as caught:
        await call
    await asyncio.wait_for(stopping, 10)
    assert time.monotonic() - began < 3
    assert caught.value.status_code == 503
    response = caught.value.response
    assert response.headers["x-should-retry"] == "false"
    assert response.json()["error"]["code"] == "gateway_stopping"
    assert response.json()["error"]["message"] == STOPPING
    assert cancelled == ["cancelled"]


async def test_hurrying_a_gateway_that_is_not_stopping_cuts_off_nothing(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """(Before its stop has begun, the stop is hurried from its start.)"""
    gateway, call, cancelled = await _hanging_call(make_gateway, server)
    hurry(gateway.runner)
    await asyncio.sleep(0.3)
    assert not call.done() and cancelled == []
    began = time.monotonic()
    await asyncio.wait_for(gateway.runner.cleanup(), 10)
    assert time.monotonic() - began < 3  # hurried from its start
    with pytest.raises(openai.APIStatusError) as caught:
        await call
    assert caught.value.status_code == 503


@pytest.fixture
async def serving(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[str, asyncio.Task[None]]]:
    """``limner serve`` (as the command runs it) in front of ``server``: its base URL, and its
    task (cancelled as the command's SIGTERM does)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-upstream-0123456789")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    out = io.StringIO()
    task = asyncio.create_task(serve(GatewayConfig(), port=0, files_dir=tmp_path, out=out))
    while "base URL" not in out.getvalue():
        await asyncio.sleep(0.01)
    try:
        yield out.getvalue().split("base URL: ", 1)[1].split()[0], task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _post(url: str) -> tuple[int, dict[str, str], dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/images/generations", json={"model": "openai/gpt-image-1", "prompt": "a"}
        ) as response,
    ):
        return response.status, dict(response.headers), await response.json()


@pytest.mark.parametrize("again", ["SIGTERM", "SIGINT"])
async def test_serve_told_twice_to_stop_answers_its_requests_503(
    server: FakeServer, serving: tuple[str, asyncio.Task[None]], again: str
) -> None:
    """The first stop waits (within the grace); the second answers at once."""
    if again == "SIGINT" and threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread's loop only")
    url, task = serving
    before = signal.getsignal(signal.SIGINT)
    hangs(server)
    call = asyncio.create_task(_post(url))
    await _called(server)
    task.cancel()  # the first stop (Ctrl-C, or the command's SIGTERM)
    await asyncio.sleep(0.3)
    assert not call.done()
    if again == "SIGTERM":
        task.cancel()  # as the command's SIGTERM handler does
    else:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C again: serve listens for it
    status, headers, body = await asyncio.wait_for(call, 10)
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 10)
    assert (status, headers["x-should-retry"]) == (503, "false")
    assert body["error"]["code"] == "gateway_stopping"  # type: ignore[index]
    assert task.cancelled()  # it ends as the command's stop asked
    assert signal.getsignal(signal.SIGINT) is before  # its own handler gone


async def test_one_ctrl_c_to_the_command_waits_and_a_second_answers_503(
    server: FakeServer, tmp_path: Path
) -> None:
    """``limner serve`` itself, stopped by real signals: its handler for a second Ctrl-C,
    installed on the loop, was handed the first one again (it waits in the loop's wake-up
    pipe), so one Ctrl-C answered every running request 503 at once."""
    hangs(server)
    env = {
        **os.environ,
        "OPENAI_API_KEY": "sk-upstream-0123456789",
        "OPENAI_BASE_URL": f"{server.url}/v1",
    }
    # (a background job, as a CI step may be, starts with Ctrl-C ignored: the command as a
    # terminal starts it)
    start = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from limner.cli.main import main; sys.exit(main())"
    )
    arguments = ["serve", "--port", "0", "--files-dir", str(tmp_path)]
    command = [sys.executable, "-c", start, *arguments]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = b""
        while b"base URL" not in line:
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "the gateway ended before it served"
        url = line.decode().split("base URL: ", 1)[1].split()[0]
        call = asyncio.create_task(_post(url))
        await _called(server)
        process.send_signal(signal.SIGINT)
        await asyncio.sleep(1.0)
        assert not call.done()  # within the grace
        process.send_signal(signal.SIGINT)
        status, headers, body = await asyncio.wait_for(call, 10)
        assert (status, headers["x-should-retry"]) == (503, "false")
        assert body["error"]["code"] == "gateway_stopping"  # type: ignore[index]
        assert await asyncio.wait_for(process.wait(), 15) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
