"""A request whose provider's credentials are still being fetched (a token service slow to
answer, or hung) waits for them before it takes an upstream slot: eight such requests held every
slot of a gateway, and every other provider's requests got 429 ``gateway_busy`` until they timed
out; cut off by a stopping gateway, they were told the provider might bill them, though nothing
had been sent."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import openai
import pytest

import limner
from limner.gateway import GatewayConfig

from ..core.fakeprovider import FakePlugin, FakeProvider
from ..core.support import FakeServer
from .conftest import MakeGateway
from .support import UPSTREAM_KEY, Gateway


class GatedAuth(FakeProvider):
    """Its ``authorize`` fetches a token from a service that answers when the test opens the
    gate; the token is then kept, as google-auth's and botocore's credentials keep theirs."""

    authorize_blocks: ClassVar[bool] = True
    gate: ClassVar[threading.Event] = threading.Event()
    fetching: ClassVar[list[float]] = []  # a fetch began (list.append is thread-safe)

    def __init__(self) -> None:
        self.token: str | None = None  # (its own: a thread left from a test ends on its own)

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        if not dry_run and self.token is None:
            GatedAuth.fetching.append(time.monotonic())
            if not GatedAuth.gate.wait(10):
                raise TimeoutError("the token service did not answer")
            self.token = "fetched"
        return super().authorize(request, settings, dry_run=dry_run)


@pytest.fixture(autouse=True)
def _gate_shut() -> Iterator[None]:
    GatedAuth.gate.clear()
    GatedAuth.fetching.clear()
    yield
    GatedAuth.gate.set()  # no thread is left waiting on it


async def _gated_gateway(
    make_gateway: MakeGateway, server: FakeServer, **kwargs: object
) -> Gateway:
    return await make_gateway(
        GatewayConfig(max_concurrency=2, queue_timeout=0.3),
        plugins=[FakePlugin(GatedAuth)],
        providers={
            "openai": {"api_key": UPSTREAM_KEY, "base_url": f"{server.url}/v1"},
            "fake": {"api_key": UPSTREAM_KEY, "base_url": f"{server.url}/v1"},
        },
        **kwargs,
    )


async def _fetching(count: int) -> None:
    async with asyncio.timeout(5):
        while len(GatedAuth.fetching) < count:
            await asyncio.sleep(0.01)


async def test_requests_waiting_for_credentials_leave_the_upstream_slots_to_others(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await _gated_gateway(make_gateway, server)
    sdk = gateway.sdk()
    waiting = [
        asyncio.create_task(sdk.images.generate(model="fake/alpha-1", prompt=f"fox {i}"))
        for i in range(3)  # more than the gateway's two slots
    ]
    await _fetching(3)
    other = await sdk.images.generate(model="openai/gpt-image-1", prompt="a lighthouse")
    assert other.data is not None and len(other.data) == 1
    assert [call.path for call in server.api_calls] == ["/v1/images/generations"]
    GatedAuth.gate.set()
    answered = await asyncio.gather(*waiting)
    assert all(a.data is not None and len(a.data) == 1 for a in answered)
    assert len(server.api_calls) == 4


async def test_a_hung_token_service_times_out_without_a_slot_and_without_a_call(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await _gated_gateway(make_gateway, server, timeout=0.3)
    sdk = gateway.sdk()
    with pytest.raises(openai.APIStatusError) as caught:
        await sdk.images.generate(model="fake/alpha-1", prompt="a fox")
    assert caught.value.status_code == 504
    assert caught.value.message == (
        "Error code: 504 - the gateway's credentials for the fake API were not ready within "
        "its timeout (a token still being refreshed); nothing was sent upstream"
    )
    assert server.api_calls == []


async def test_a_request_cut_off_while_its_credentials_are_fetched_says_nothing_was_sent(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await _gated_gateway(make_gateway, server, grace=0.4)
    sdk = gateway.sdk()
    call = asyncio.create_task(sdk.images.generate(model="fake/alpha-1", prompt="a fox"))
    await _fetching(1)
    await gateway.runner.cleanup()
    with pytest.raises(openai.APIStatusError) as caught:
        await call
    assert caught.value.status_code == 503
    assert caught.value.response.headers["x-should-retry"] == "true"
    assert caught.value.message.endswith("and cancelled it; nothing was sent upstream")
    assert server.api_calls == []


class FlakyAuth(FakeProvider):
    """Its token service resets the first connection (a blip the call's retries get past)."""

    authorize_blocks: ClassVar[bool] = True
    calls: ClassVar[list[int]] = []

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        if not dry_run:
            FlakyAuth.calls.append(1)
            if len(FlakyAuth.calls) == 1:
                raise ConnectionResetError("the token service reset the connection")
        return super().authorize(request, settings, dry_run=dry_run)


async def test_a_token_service_blip_is_left_to_the_calls_retries(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """Made ready before the slot, a failed connection to the token service was answered 502
    at once, where the call's own retries got past it."""
    FlakyAuth.calls.clear()
    gateway = await make_gateway(
        GatewayConfig(max_concurrency=2),
        plugins=[FakePlugin(FlakyAuth)],
        providers={"fake": {"api_key": UPSTREAM_KEY, "base_url": f"{server.url}/v1"}},
        max_retries=2,
    )
    answered = await gateway.sdk().images.generate(model="fake/alpha-1", prompt="a fox")
    assert answered.data is not None and len(answered.data) == 1
    assert len(server.api_calls) == 1
