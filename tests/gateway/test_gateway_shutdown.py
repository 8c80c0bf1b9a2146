"""A stopping gateway (``runner.cleanup()``, as Ctrl-C and SIGTERM do) gives the requests in
flight its grace period, then answers each one still running 503 with ``x-should-retry:
false`` and cancels its upstream call: a connection dropped unanswered would have the SDK
send the call again, to whatever listens next on that address, and the provider bill it twice."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import openai
import pytest
from aiohttp import web

from limner.gateway.config import GatewayConfig
from limner.gateway.shutdown import answer_time

from ..core.support import FakeServer, Recorded, ok_body
from .conftest import MakeGateway
from .support import GATEWAY_KEY, start_gateway

GRACE = 0.5


async def _called(server: FakeServer) -> None:
    while not server.api_calls:
        await asyncio.sleep(0.01)


async def test_a_request_that_ends_within_the_grace_period_is_answered(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    async def slow(recorded: Recorded) -> web.StreamResponse:
        await asyncio.sleep(0.3)  # within the grace
        return web.json_response(ok_body(1))

    server.reply(slow)
    gateway = await make_gateway(grace=2.0)
    call = asyncio.create_task(
        gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox")
    )
    await _called(server)
    await gateway.runner.cleanup()
    answered = await call
    assert answered.data is not None and len(answered.data) == 1


async def test_a_request_still_running_at_the_end_of_the_grace_period_is_answered_503(
    make_gateway: MakeGateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    upstream: list[str] = []

    async def hang(recorded: Recorded) -> web.StreamResponse:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            upstream.append("cancelled")
            raise
        return web.json_response(ok_body(1))

    server.reply(hang, hang, hang)
    gateway = await make_gateway(grace=GRACE)
    sdk = gateway.sdk(max_retries=2)
    call = asyncio.create_task(sdk.images.generate(model="openai/gpt-image-1", prompt="a fox"))
    await _called(server)
    began = time.monotonic()
    with caplog.at_level(logging.INFO, logger="limner.gateway"):
        await gateway.runner.cleanup()
    took = time.monotonic() - began
    with pytest.raises(openai.APIStatusError) as caught:
        await call
    assert caught.value.status_code == 503
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert caught.value.response.headers["connection"] == "close"
    assert caught.value.body == {
        "message": "the gateway stopped before this request finished (its grace for the "
        "requests in flight ran out, or it was told again to stop), and cancelled it; the "
        "provider may have taken the "
        "request, and bill it",
        "type": "api_error",
        "param": None,
        "code": "gateway_stopping",
    }
    assert len(server.api_calls) == 1  # not sent again by the SDK
    async with asyncio.timeout(2):
        while not upstream:  # the upstream call was cancelled: its connection closed
            await asyncio.sleep(0.01)
    assert upstream == ["cancelled"]
    cut = GRACE - answer_time(GRACE)  # the deadline, before the grace's answer time
    assert cut - 0.1 < took < GRACE + 1.0  # not aiohttp's own timeouts
    (logged,) = [m for m in map(logging.LogRecord.getMessage, caplog.records) if "status=" in m]
    assert logged.startswith("POST /v1/images/generations model=openai/gpt-image-1 status=503 ")
    said = [m for m in map(logging.LogRecord.getMessage, caplog.records) if "stopping" in m]
    assert said[0] == (  # at once, not only at a second stop: the drain is not silent
        "stopping: 1 request(s) in flight have 0.25 s to finish; a second stop ends them now"
    )


async def test_a_request_for_no_provider_cut_off_says_nothing_of_a_bill(
    make_gateway: MakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing went upstream: no billing note, and the SDK may send it again (elsewhere)."""
    gateway = await make_gateway(grace=GRACE)
    sdk = gateway.sdk()
    started = asyncio.Event()
    store_list = gateway.store.list

    async def slow_list(*args: object, **kwargs: object) -> object:
        started.set()
        await asyncio.sleep(30)
        return await store_list(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gateway.store, "list", slow_list)
    call = asyncio.ensure_future(sdk.files.list())
    await started.wait()
    await gateway.runner.cleanup()
    with pytest.raises(openai.APIStatusError) as caught:
        await call
    assert caught.value.status_code == 503
    assert caught.value.response.headers["x-should-retry"] == "true"
    assert caught.value.message == (
        "Error code: 503 - the gateway stopped before this request finished (its grace for "
        "the requests in flight ran out, or it was told again to stop), and cancelled it; "
        "nothing was sent upstream"
    )


async def test_a_request_waiting_for_an_upstream_slot_was_not_sent(
    server: FakeServer, tmp_path: Path
) -> None:
    """One slot, held by a call that hangs upstream: the one queued behind it never went out,
    so it is not said to be billed, and may be sent again; the one upstream may have been."""

    async def hang(recorded: Recorded) -> web.StreamResponse:
        await asyncio.sleep(30)
        return web.json_response(ok_body(1))

    server.reply(hang, hang)
    gateway = await start_gateway(
        server, tmp_path, GatewayConfig(api_keys=(GATEWAY_KEY,), max_concurrency=1), grace=GRACE
    )
    try:
        sdk = gateway.sdk()
        first = asyncio.create_task(sdk.images.generate(model="openai/gpt-image-1", prompt="a"))
        await _called(server)
        queued = asyncio.create_task(sdk.images.generate(model="openai/gpt-image-1", prompt="b"))
        await asyncio.sleep(0.1)  # waiting for the slot
        await gateway.runner.cleanup()
        with pytest.raises(openai.APIStatusError) as upstream:
            await first
        with pytest.raises(openai.APIStatusError) as waiting:
            await queued
    finally:
        await gateway.stop()
    assert upstream.value.response.headers["x-should-retry"] == "false"
    assert upstream.value.message.endswith("the provider may have taken the request, and bill it")
    assert waiting.value.response.headers["x-should-retry"] == "true"
    assert waiting.value.message.endswith("; nothing was sent upstream")
    assert len(server.api_calls) == 1


async def test_a_client_not_reading_its_answer_does_not_hold_the_gateway_past_the_grace(
    make_gateway: MakeGateway,
) -> None:
    """A download answered in full but not read: its connection is closed at the end of the
    grace; before, aiohttp waited its own timeout twice over."""
    gateway = await make_gateway(grace=GRACE)
    stored = await gateway.store.put(
        b"x" * (40 * 2**20), filename="big.bin", purpose="user_data", content_type="x/y"
    )
    host, port = gateway.origin.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"GET /v1/files/{stored.id}/content HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {GATEWAY_KEY}\r\n\r\n".encode()
    )
    await writer.drain()
    assert (await reader.read(100)).startswith(b"HTTP/1.1 200")  # then reads no more
    began = time.monotonic()
    await gateway.runner.cleanup()
    took = time.monotonic() - began
    writer.close()
    assert took < GRACE + 1.0


async def test_a_runner_set_up_again_keeps_its_connections_past_the_old_grace(
    make_gateway: MakeGateway,
) -> None:
    """The closing of the connections at the end of the grace is cancelled when the gateway
    stopped sooner: it would otherwise close those of the runner serving again."""
    gateway = await make_gateway(grace=GRACE)
    await gateway.runner.cleanup()  # nothing in flight: at once
    await gateway.runner.setup()
    await web.TCPSite(gateway.runner, "127.0.0.1", 0).start()
    port = gateway.runner.addresses[0][1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    ask = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        for wait in (0.0, GRACE + 0.3):  # the second request past the old grace
            await asyncio.sleep(wait)
            writer.write(ask)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200"), head
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
    finally:
        writer.close()
