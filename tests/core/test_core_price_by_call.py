"""A ``price_call`` hook gets the call it prices, so a price can depend on the plugin's own
options (``call.options``), its request or its settings, in a dry run's estimate, on an answer,
and in chat."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiohttp import web

import limner
from limner.chat import ChatCall

from .fakeprovider import FakeOptions, FakePlugin
from .support import FakeServer, MakeClient, ok_body
from .test_core_chat import KEY, PainterPlugin, answer


class BySteps:
    """A thousandth of a dollar per denoising step per image; records what it was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int, Any]] = []

    @limner.hookimpl(tryfirst=True)
    def price_call(self, operation: str, images: int, call: Any) -> Decimal | None:
        self.seen.append((operation, images, call))
        if isinstance(call, ChatCall):
            return Decimal("0.5")
        options = call.options or FakeOptions()  # (None: the caller gave none)
        assert isinstance(options, FakeOptions)
        return Decimal("0.001") * options.steps * images


async def test_a_price_by_a_provider_option(make_client: MakeClient, server: FakeServer) -> None:
    hook = BySteps()
    client = make_client(plugins=[FakePlugin(), hook])
    options = {"fake": {"steps": 40}}
    dry = await client.images.generate(
        model="alpha", prompt="x", n=3, provider_options=options, dry_run=True
    )
    assert dry.estimated_cost_usd == Decimal("0.12")  # 3 images at 40 steps
    assert [(images, call.index, call.n) for _, images, call in hook.seen] == [(2, 0, 2), (1, 1, 1)]
    hook.seen.clear()
    server.reply(web.json_response(ok_body(2)), web.json_response(ok_body(1)))
    result = await client.images.generate(model="alpha", prompt="x", n=3, provider_options=options)
    assert result.cost == Decimal("0.12")
    assert sorted((images, call.index) for _, images, call in hook.seen) == [(1, 1), (2, 0)]
    default = await client.images.generate(model="alpha", prompt="x", dry_run=True)
    assert default.estimated_cost_usd == Decimal("0.02")  # no options given: 20 steps


async def test_a_chat_call_is_priced_with_its_chat_call(server: FakeServer) -> None:
    hook = BySteps()
    server.reply(answer(1))
    async with limner.AsyncClient(
        providers={"painter": {"api_key": KEY, "base_url": server.url}},
        plugins=[PainterPlugin(), hook],
        environ={},
    ) as painter:
        done = await painter.chat.completions.create(
            model="painter/chat-1", messages=[{"role": "user", "content": "a boat"}]
        )
    assert done.cost == Decimal("0.5")
    [(operation, images, call)] = hook.seen
    assert (operation, images, type(call)) == ("chat", 1, ChatCall)
