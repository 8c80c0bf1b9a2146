"""A provider that reports its bill: ``ProviderResult.billed_usd`` (``ChatResult.billed_usd``)
is the call's cost as it stands, ahead of any ``price_call`` hook and the price sheet."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

import limner

from .fakeprovider import ALPHA, FakePlugin
from .support import FakeServer, MakeClient, ok_body, png
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


class TokenPriced:  # alpha, billed by tokens
    @limner.hookimpl
    def register_models(self, register: Any) -> None:
        prices = limner.PriceSheet(
            source="https://fake.example/pricing",
            as_of=dt.date(2026, 1, 1),
            per_million_tokens=limner.TokenPrices(text_input=Decimal(1), image_output=Decimal(10)),
        )
        update = {"id": "fake/tokens-1", "name": "tokens-1", "aliases": (), "pricing": prices}
        register(ALPHA.model_copy(update=update))


async def test_calls_that_answered_billed_without_an_image_give_the_error_their_bills(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(
        web.json_response(ok_body(0, billed_usd="0.04")),
        web.json_response(ok_body(0, billed_usd="0.02")),
    )
    with pytest.raises(limner.NoImageGeneratedError) as info:
        await make_client().images.generate(model="alpha", prompt="x", n=3)
    assert info.value.cost == Decimal("0.06")
    assert info.value.billing_note == "the calls that answered cost $0.06"


async def test_strict_mode_on_a_model_billed_by_tokens_keeps_the_reported_bill(
    make_client: MakeClient, server: FakeServer
) -> None:
    filtered = [{"code": "content_filtered", "message": "blurred", "index": 0}]
    server.reply(web.json_response(ok_body(1, billed_usd="0.5", notices=filtered)))
    client = make_client(plugins=[FakePlugin(), TokenPriced()], strict=True)
    with pytest.raises(limner.ContentPolicyError) as info:
        await client.images.generate(model="fake/tokens-1", prompt="x")
    assert info.value.cost == Decimal("0.5")  # the bill, not the tokens' price


def _unsplit_call() -> limner.ProviderCall:
    request = limner.GenerateRequest(model=ALPHA.id, prompt="x")
    return limner.ProviderCall("generate", ALPHA, request, None)  # type: ignore[arg-type]


def test_a_call_made_in_one_that_answered_no_image_carries_its_bill() -> None:
    with pytest.raises(limner.NoImageGeneratedError) as info:
        _unsplit_call().without_images(
            limner.NoImageGeneratedError("none"), "no_images", "none", billed_usd=Decimal("0.3")
        )
    assert info.value.cost == Decimal("0.3")


async def test_a_chat_error_carries_the_bills_its_answers_reported(server: FakeServer) -> None:
    raw = answer(1, text=None, image=False).body
    assert isinstance(raw, bytes)
    server.reply(web.json_response({**json.loads(raw), "billed_usd": "0.07"}))
    async with client(server) as painter:
        with pytest.raises(limner.NoImageGeneratedError) as info:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "a boat"}]
            )
    assert info.value.cost == Decimal("0.07")
    assert info.value.billing_note == "the answers cost $0.07"


async def test_a_chat_error_prices_the_answers_without_a_bill_beside_the_billed(
    server: FakeServer,
) -> None:
    raw = answer(1, text=None, image=False).body
    assert isinstance(raw, bytes)
    server.reply(
        web.json_response({**json.loads(raw), "billed_usd": "0.07"}),
        web.json_response(json.loads(raw)),
    )
    async with client(server) as painter:
        with pytest.raises(limner.NoImageGeneratedError) as info:
            await painter.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "a boat"}], n=2
            )
    # the bill, and the other answer's 10 prompt tokens at $1/M and 100 image tokens at $50/M
    assert info.value.cost == Decimal("0.07501")


async def test_a_billed_call_and_a_call_with_usage_only_are_both_in_the_errors_cost(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(web.json_response(ok_body(0, billed_usd="0.04")), web.json_response(ok_body(0)))
    client = make_client(plugins=[FakePlugin(), TokenPriced()])
    with pytest.raises(limner.NoImageGeneratedError) as info:
        await client.images.generate(model="fake/tokens-1", prompt="x", n=3)
    assert info.value.cost == Decimal("0.04001")  # the bill, and 10 prompt tokens at $1/M


def test_a_bill_that_is_no_amount_leaves_the_providers_error_standing() -> None:
    call = _unsplit_call()
    with pytest.raises(limner.ContentPolicyError) as info:
        call.without_images(
            limner.ContentPolicyError("refused"),
            "content_filtered",
            "refused",
            billed_usd=Decimal("NaN"),
        )
    assert info.value.cost is None
    assert (info.value.billing_note or "").endswith("; its cost is unknown")


class SizedUnsent:  # alpha priced by size, its translation sending none
    def __init__(self, per_call: int = ALPHA.capabilities.max_images_per_call) -> None:
        self.per_call = per_call

    @limner.hookimpl
    def register_models(self, register: Any) -> None:
        prices = limner.PriceSheet(
            source="https://fake.example/pricing",
            as_of=dt.date(2026, 1, 1),
            per_image=(
                limner.ImagePrice(usd=Decimal("0.05"), size="4x4"),
                limner.ImagePrice(usd=Decimal("0.5"), size="8x8"),
            ),
        )
        same = {"sizes": (), "default_size": None, "max_images_per_call": self.per_call}
        caps = ALPHA.capabilities.model_copy(update=same)
        update = {"id": "fake/sized-1", "name": "sized-1", "aliases": ()}
        register(ALPHA.model_copy(update={**update, "pricing": prices, "capabilities": caps}))


async def test_a_call_that_sent_no_size_is_priced_by_the_size_it_made(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Neither the translation nor the answer names a size: the one the response shows,
    read from the image (4x4 here), is the one priced."""
    client = make_client(plugins=[FakePlugin(), SizedUnsent()])
    result = await client.images.generate(model="fake/sized-1", prompt="x", n=3)
    assert "size" not in server.api_calls[0].json
    assert result.size == "4x4"
    assert result.cost == Decimal("0.15")
    assert result.warnings == []


async def test_a_link_downloaded_for_b64_json_is_priced_by_the_size_it_shows(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The size read from the downloaded image, shown by the response, is the one priced."""
    server.files["/files/a.png"] = png(4, 4)
    server.reply(web.json_response(ok_body(1, url=f"{server.url}/files/a.png")))
    client = make_client(plugins=[FakePlugin(), SizedUnsent()])
    result = await client.images.generate(
        model="fake/sized-1", prompt="x", response_format="b64_json"
    )
    assert result.data[0].b64_json is not None
    assert result.size == "4x4"
    assert result.cost == Decimal("0.05")
    assert result.warnings == []


async def test_each_call_of_a_split_request_is_priced_by_its_own_image(
    make_client: MakeClient, server: FakeServer
) -> None:
    """One call per image here: the second made a larger image, which costs more."""
    big = base64.b64encode(png(8, 8)).decode()
    server.reply(
        web.json_response(ok_body(1)),  # 4x4
        web.json_response({"created": 1, "data": [{"b64_json": big}]}),
    )

    client = make_client(plugins=[FakePlugin(), SizedUnsent(per_call=1)])
    result = await client.images.generate(model="fake/sized-1", prompt="x", n=2)
    assert len(server.api_calls) == 2
    assert result.cost == Decimal("0.55")


async def test_split_calls_answered_with_links_are_priced_by_the_size_shown(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Their own images are links (downloaded for b64_json): the size the response shows."""
    server.files["/files/a.png"] = png(4, 4)
    link = ok_body(1, url=f"{server.url}/files/a.png")
    server.reply(web.json_response(link), web.json_response(link))
    client = make_client(plugins=[FakePlugin(), SizedUnsent(per_call=1)])
    result = await client.images.generate(
        model="fake/sized-1", prompt="x", n=2, response_format="b64_json"
    )
    assert result.cost == Decimal("0.10")
    assert result.warnings == []
