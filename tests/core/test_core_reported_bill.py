"""A provider that reports its bill: ``ProviderResult.billed_usd`` (``ChatResult.billed_usd``)
is the call's cost as it stands, ahead of any ``price_call`` hook and the price sheet."""

from __future__ import annotations

import json
from decimal import Decimal

from aiohttp import web

import limner

from .fakeprovider import FakePlugin
from .support import FakeServer, MakeClient, ok_body
from .test_core_chat import answer, client


class Flat:  # a negotiated rate that would apply to a call priced by limner
    @limner.hookimpl(tryfirst=True)
    def price_call(self) -> Decimal:
        return Decimal("1")


async def test_the_bill_an_answer_reports_is_the_cost(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(
        web.json_response(ok_body(2, billed_usd="0.0123")),
        web.json_response(ok_body(1, billed_usd="0.004")),
    )
    result = await make_client(plugins=[FakePlugin(), Flat()]).images.generate(
        model="alpha", prompt="x", n=3
    )
    assert result.cost == Decimal("0.0163")  # both calls' bills, no hook, no sheet
    assert result.warnings == []


async def test_a_call_without_a_bill_is_priced_beside_one_with_it(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(web.json_response(ok_body(2, billed_usd="0.5")), web.json_response(ok_body(1)))
    result = await make_client().images.generate(model="alpha", prompt="x", n=3)
    assert result.cost == Decimal("0.52")  # 0.5 reported, one image at the sheet's $0.02


async def test_a_bill_that_is_no_amount_leaves_the_cost_unknown_and_says_so(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(web.json_response(ok_body(1, billed_usd="-1")))
    result = await make_client().images.generate(model="alpha", prompt="x")
    assert result.cost is None
    assert [(w.code, w.message) for w in result.warnings] == [
        (
            "price_failed",
            "pricing fake/alpha-1 failed in a plugin (fake.parse_response reported a bill of "
            "Decimal('-1'): a cost is an amount in USD, >= 0 and under 10^13); the cost is "
            "unknown",
        )
    ]


async def test_a_chat_answer_reports_its_bill(server: FakeServer) -> None:
    raw = answer(1).body
    assert isinstance(raw, bytes)
    server.reply(web.json_response({**json.loads(raw), "billed_usd": "0.25"}))
    async with client(server) as painter:
        done = await painter.chat.completions.create(
            model="painter/chat-1", messages=[{"role": "user", "content": "a boat"}]
        )
    assert done.cost == Decimal("0.25")  # not the tokens' price
