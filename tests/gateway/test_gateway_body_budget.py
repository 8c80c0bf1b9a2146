"""The request bodies a gateway holds at once are bounded in bytes: a dozen 50 MB edits took
about 2 GB however few upstream slots there were (a body is read and its images decoded before
the request waits for a slot), so one key could push the process out of memory."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

import limner
from limner.gateway import GatewayConfig
from limner.gateway.body_budget import BodyBudget
from limner.gateway.state import STATE

from ..core.support import FakeServer, Recorded, ok_body
from .conftest import MakeGateway

MIB = 2**20


async def _post(
    url: str, size: int, key: str | None = None
) -> tuple[int, dict[str, str], dict[str, object]]:
    """An image request whose JSON body is about ``size`` bytes (a long ``user`` field)."""
    body = {"model": "openai/gpt-image-1", "prompt": "a fox", "user": "u" * (size - 100)}
    sent = {} if key is None else {"Authorization": f"Bearer {key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/images/generations", json=body, headers=sent) as response,
    ):
        headers = {name.lower(): value for name, value in response.headers.items()}
        return response.status, headers, await response.json()


async def test_a_request_finding_no_room_for_its_body_is_told_to_retry(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    release = asyncio.Event()

    async def held(recorded: Recorded) -> web.StreamResponse:
        await release.wait()
        return web.json_response(ok_body(1))

    server.reply(held, held)
    config = GatewayConfig(max_body_bytes=MIB, max_body_bytes_in_flight=2 * MIB, queue_timeout=0.3)
    gateway = await make_gateway(config)
    url = f"{gateway.origin}/v1"
    budget = gateway.runner.app[STATE].bodies
    first = asyncio.create_task(_post(url, MIB - 1000))
    second = asyncio.create_task(_post(url, MIB - 1000))
    while len(server.api_calls) < 2:
        await asyncio.sleep(0.01)
    status, headers, body = await _post(url, 4000)  # no room: both bodies are held upstream
    assert (status, headers["retry-after"], headers["x-should-retry"]) == (429, "1", "true")
    error = body["error"]
    assert isinstance(error, dict) and error["code"] == "gateway_busy"
    assert error["message"] == (
        "the request bodies the gateway holds at once (2 MiB) stayed at their limit for 0.3 s; "
        "retry later"
    )
    release.set()
    assert [(await first)[0], (await second)[0]] == [200, 200]
    assert budget.held == 0  # all given back
    assert (await _post(url, 4000))[0] == 200


async def test_one_keys_bodies_hold_at_most_half_the_budget(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """One team's large or slow uploads held the whole budget: another team's 50-byte request
    waited its queue time, then got 429, with its own slots free."""
    release = asyncio.Event()

    async def held(recorded: Recorded) -> web.StreamResponse:
        await release.wait()
        return web.json_response(ok_body(1))

    server.reply(held, held, held)
    keys = ("gw-key-team-one-0123456789", "gw-key-team-two-0123456789")
    config = GatewayConfig(
        api_keys=keys, max_body_bytes=MIB, max_body_bytes_in_flight=4 * MIB, queue_timeout=0.3
    )
    gateway = await make_gateway(config)
    url = f"{gateway.origin}/v1"
    heavy = [asyncio.create_task(_post(url, MIB - 1000, keys[0])) for _ in range(2)]
    while len(server.api_calls) < 2:
        await asyncio.sleep(0.01)
    status, _, body = await _post(url, MIB - 1000, keys[0])  # past its half of the budget
    assert status == 429
    assert body["error"]["message"] == (  # type: ignore[index]
        "the request bodies of this key the gateway holds at once (2 MiB) stayed at their "
        "limit for 0.3 s; retry later"
    )
    other = asyncio.create_task(_post(url, 4000, keys[1]))  # the other half is free
    while len(server.api_calls) < 3:
        await asyncio.sleep(0.01)
    release.set()
    assert [(await task)[0] for task in (*heavy, other)] == [200, 200, 200]
    state = gateway.runner.app[STATE]
    assert state.bodies.held == 0 and all(b.held == 0 for b in state._body_shares.values())


async def test_a_request_without_a_body_takes_no_room(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    config = GatewayConfig(max_body_bytes=MIB, max_body_bytes_in_flight=MIB, queue_timeout=0.2)
    gateway = await make_gateway(config)
    budget = gateway.runner.app[STATE].bodies
    budget.held = MIB  # full
    async with aiohttp.ClientSession() as session, session.get(f"{gateway.origin}/healthz") as got:
        assert got.status == 200
    budget.held = 0


async def test_the_budget_is_given_in_order_and_kept_by_none_that_gave_up() -> None:
    budget = BodyBudget(100)
    assert await budget.take(80, 1) == 80
    large = asyncio.create_task(budget.take(60, 5))
    await asyncio.sleep(0.01)
    small = asyncio.create_task(budget.take(10, 5))  # it fits, but waits behind the large one
    gives_up = asyncio.create_task(budget.take(30, 5))
    await asyncio.sleep(0.01)
    assert not small.done()
    gives_up.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gives_up
    budget.give_back(80)
    assert (await large, await small) == (60, 10)
    assert budget.held == 70
    with pytest.raises(limner.RateLimitError):
        await budget.take(50, 0.05)  # no room in time
    assert budget.held == 70 and not budget._waiting
    budget.give_back(70)
    assert await budget.take(10**9, 1) == 100  # a size over the whole takes the whole


def test_a_budget_smaller_than_one_body_is_refused() -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        GatewayConfig(max_body_bytes=MIB, max_body_bytes_in_flight=MIB - 1)
    assert caught.value.param == "max_body_bytes_in_flight"
    assert GatewayConfig(max_body_bytes=MIB).body_budget == 4 * MIB


@pytest.mark.filterwarnings("ignore:unread_data:DeprecationWarning")  # (aiohttp's own reader)
async def test_a_form_with_too_many_fields_is_said_to_have_too_many_fields(
    make_gateway: MakeGateway,
) -> None:
    """aiohttp refuses a form of over 1000 fields with a 413 the gateway called "too large",
    however small it was."""
    gateway = await make_gateway()
    form = aiohttp.FormData(default_to_multipart=True)
    for index in range(1001):
        form.add_field(f"f{index}", "x")
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{gateway.origin}/v1/images/edits", data=form) as response,
    ):
        status, body = response.status, await response.json()
    assert status == 413
    assert body["error"]["message"] == "Request body has too many form fields for the gateway"
