"""A plugin's ``price_call`` hook on a model billed by tokens (gpt-image-2): a price of its own is
the call's price (a dry run names the hook, not the sheet, and says nothing of output only; an
answer without usage gets no ``cost_estimated``), while a hook that scales the sheet's per-image
estimate is still that estimate, and says so."""

from __future__ import annotations

import base64
from decimal import Decimal

from aiohttp import web
from aiohttp.test_utils import TestServer

import limner
from limner.pricing import price_from_sheet

from .conftest import _png

MODEL = "openai/gpt-image-2"
SIZE, QUALITY = "1024x1024", "low"  # the sheet's row: $0.00588 an image


class Flat:
    """A negotiated flat rate: $0.05 a call, whatever the tokens."""

    @limner.hookimpl(tryfirst=True)
    def price_call(self, model: limner.ModelInfo) -> Decimal | None:
        return Decimal("0.05") if model.id == MODEL else None


class SameAsTheRow:
    """A flat rate that happens to equal the sheet's row."""

    @limner.hookimpl(tryfirst=True)
    def price_call(self, model: limner.ModelInfo) -> Decimal | None:
        return Decimal("0.00588") if model.id == MODEL else None


class Discount:
    """20 % off the sheet's price, whatever the sheet priced by."""

    @limner.hookimpl(tryfirst=True)
    def price_call(
        self,
        model: limner.ModelInfo,
        operation: limner.Operation,
        images: int,
        quality: str | None,
        size: str | None,
        usage: limner.Usage | None,
        edit_mode: str | None,
    ) -> Decimal | None:
        price = price_from_sheet(model, operation, images, quality, size, usage, edit_mode)
        return None if price is None else price * Decimal("0.8")


def client(hook: object, url: str = "https://api.openai.com/v1") -> limner.AsyncClient:
    return limner.AsyncClient(
        plugins=[hook],
        providers={"openai": {"api_key": "sk-test-0123456789abcdef", "base_url": url}},
        allow_private_networks=True,
        environ={},
    )


async def without_usage(hook: object) -> limner.ImagesResponse:
    """A real call whose answer reports no usage (as a recorded gpt-image-1-mini answer)."""

    async def answer(request: web.Request) -> web.Response:
        image = base64.b64encode(_png(8, 8)).decode()
        return web.json_response({"created": 1, "data": [{"b64_json": image}]})

    app = web.Application()
    app.router.add_post("/v1/images/generations", answer)
    async with TestServer(app, host="127.0.0.1") as server:
        made = client(hook, str(server.make_url("/v1")))
        async with made:
            return await made.images.generate(model=MODEL, prompt="x", size=SIZE, quality=QUALITY)


async def test_a_hooks_own_price_is_the_price_not_an_output_only_estimate() -> None:
    for hook in (Flat(), SameAsTheRow()):
        async with client(hook) as made:
            dry = await made.images.generate(
                model=MODEL, prompt="x", size=SIZE, quality=QUALITY, dry_run=True
            )
        (estimate,) = dry.estimates
        assert estimate.output_only is False
        assert estimate.basis is not None and estimate.basis.startswith("a price_call hook of ")
        result = await without_usage(hook)
        assert result.cost == estimate.usd
        assert [w.code for w in result.warnings] == []


async def test_a_hook_that_scales_the_sheets_estimate_is_still_that_estimate() -> None:
    async with client(Discount()) as made:
        dry = await made.images.generate(
            model=MODEL, prompt="x", size=SIZE, quality=QUALITY, dry_run=True
        )
    (estimate,) = dry.estimates
    assert estimate.usd == Decimal("0.00588") * Decimal("0.8")
    assert estimate.output_only is True
    result = await without_usage(Discount())
    assert result.cost == estimate.usd
    assert [w.code for w in result.warnings] == ["cost_estimated"]
