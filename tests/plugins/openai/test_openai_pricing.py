"""Prices from the model table through core's price_from_sheet: exact Decimals."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

import limner
from limner import ModelInfo, Usage
from limner.call_prices import price_or_notice
from limner.pricing import price_from_sheet
from limner_openai import OpenAIProvider

D = Decimal


def usage(text_in: int, image_in: int, out: int, out_text: int | None = None) -> Usage:
    details = (
        None if out_text is None else {"text_tokens": out_text, "image_tokens": out - out_text}
    )
    return Usage.model_validate(
        {
            "input_tokens": text_in + image_in,
            "output_tokens": out,
            "total_tokens": text_in + image_in + out,
            "input_tokens_details": {"text_tokens": text_in, "image_tokens": image_in},
            "output_tokens_details": details,
        }
    )


@pytest.mark.parametrize(
    ("name", "tokens", "usd"),
    [
        # a real gpt-image-1 1024x1024 high call: 36 text tokens in, 4160 out
        # 36 x $5/M + 4160 x $40/M
        ("gpt-image-1", usage(36, 0, 4160), D("0.16658")),
        # 36 x $2/M + 4160 x $8/M
        ("gpt-image-1-mini", usage(36, 0, 4160), D("0.033352")),
        # an edit: 50 text + 40 image in, 4170 out of which 10 text
        # 50 x 5 + 40 x 8 + 10 x 10 + 4160 x 32 (per M)
        ("gpt-image-1.5", usage(50, 40, 4170, out_text=10), D("0.13379")),
        # 20 x 5 + 7024 x 30 (per M)
        ("gpt-image-2", usage(20, 0, 7024), D("0.21082")),
        ("gpt-image-2-2026-04-21", usage(20, 0, 7024), D("0.21082")),
        # 100 image tokens in at $10/M on gpt-image-1
        ("gpt-image-1", usage(0, 100, 0), D("0.001")),
        # the 2.5 and 2.6 models: 20 x 5 + 500 x 8 + 7000 x 30 (per M), gpt-image-2's rates
        ("gpt-image-2.6-sunburst", usage(20, 500, 7000, out_text=0), D("0.2141")),
        ("gpt-image-2.6-flare", usage(20, 500, 7000), D("0.2141")),
        ("gpt-image-2.5-sunburst", usage(20, 500, 7000), D("0.2141")),
        ("gpt-image-2.5-flare-2026-09-08", usage(20, 500, 7000), D("0.2141")),
        ("gpt-image-1.5-2025-12-16", usage(50, 40, 4170, out_text=10), D("0.13379")),
    ],
)
def test_token_prices(
    model: Callable[[str], ModelInfo], name: str, tokens: Usage, usd: Decimal
) -> None:
    assert price_from_sheet(model(name), "generate", 1, "high", "1024x1024", tokens) == usd


def _counted(
    inputs: int, outputs: int, in_details: dict[str, int], out_details: dict[str, int] | None
) -> Usage:
    return Usage.model_validate(
        {
            "input_tokens": inputs,
            "output_tokens": outputs,
            "total_tokens": inputs + outputs,
            "input_tokens_details": in_details,
            "output_tokens_details": out_details,
        }
    )


@pytest.mark.parametrize("details", [None, {}, {"text_tokens": 0}, {"image_tokens": 0}])
def test_an_empty_output_breakdown_prices_the_output_total_as_image_tokens(
    model: Callable[[str], ModelInfo], details: dict[str, int] | None
) -> None:
    """An empty breakdown ({} from a proxy, {"text_tokens": 0}) priced 4160 output tokens as
    none: 0.00018 instead of 0.16658, without a word."""
    tokens = _counted(36, 4160, {}, details)
    registry = limner.plugins.default_registry()
    info = model("gpt-image-1")
    assert price_or_notice(registry, info, "generate", 1, None, None, tokens) == (
        D("0.16658"),
        None,
    )


def test_tokens_a_breakdown_leaves_out_are_priced_as_with_no_breakdown_and_said(
    model: Callable[[str], ModelInfo],
) -> None:
    """output_tokens 5000 of which the breakdown says 4160 image, 0 text: the 840 others were
    neither priced nor said; input 336 of which 300 image likewise."""
    tokens = _counted(336, 5000, {"image_tokens": 300}, {"image_tokens": 4160, "text_tokens": 0})
    registry = limner.plugins.default_registry()
    info = model("gpt-image-1")
    cost, notice = price_or_notice(registry, info, "generate", 1, None, None, tokens)
    assert cost == (D(36) * 5 + D(300) * 10 + D(5000) * 40) / 1_000_000
    assert notice == limner.Notice(
        code="cost_estimated",
        message="openai/gpt-image-1: the usage's breakdown leaves out tokens its totals count: "
        "priced 36 input tokens as text input and 840 output tokens as image output",
    )
    whole = _counted(336, 5000, {"image_tokens": 300, "text_tokens": 36}, {"image_tokens": 5000})
    assert price_or_notice(registry, info, "generate", 1, None, None, whole) == (cost, None)


@pytest.mark.parametrize("name", ["gpt-image-1", "gpt-image-2.6-sunburst"])
def test_text_output_tokens_without_a_rate_are_left_out_and_said(
    model: Callable[[str], ModelInfo], name: str
) -> None:
    """No published rate for text output tokens: the rest is priced, and a price_partial
    warning names the tokens left out (not a lost cost, nor a silent zero for them)."""
    with_text, without = usage(10, 0, 110, out_text=10), usage(10, 0, 100, out_text=0)
    registry = limner.plugins.default_registry()
    info = model(name)
    cost, notice = price_or_notice(registry, info, "generate", 1, None, None, with_text)
    assert cost == price_from_sheet(info, "generate", 1, None, None, without)
    assert cost is not None and cost > 0
    assert notice == limner.Notice(
        code="price_partial",
        message=f"openai/{name}'s price sheet has no rate for 10 text output tokens: the cost "
        "covers the other tokens only",
    )
    assert price_or_notice(registry, info, "generate", 1, None, None, without)[1] is None


async def test_a_model_billed_by_tokens_without_an_estimate_says_so_in_a_dry_run() -> None:
    import limner

    async with limner.AsyncClient(environ={}) as client:
        plan = await client.images.generate(
            model="openai/gpt-image-2.6-sunburst", prompt="x", dry_run=True
        )
    assert plan.estimated_cost_usd is None
    [unknown] = [w for w in plan.warnings if w.code == "price_unknown"]
    assert unknown.message == (
        "openai/gpt-image-2.6-sunburst is priced by the tokens each answer reports, and its "
        "sheet has no per-image estimate: the cost is known after the call, not before"
    )


@pytest.mark.parametrize(
    ("name", "operation", "images", "quality", "size", "usd"),
    [
        ("dall-e-3", "generate", 1, "standard", "1024x1024", D("0.040")),
        ("dall-e-3", "generate", 1, "standard", "1792x1024", D("0.080")),
        ("dall-e-3", "generate", 1, "hd", "1024x1024", D("0.080")),
        ("dall-e-3", "generate", 1, "hd", "1024x1792", D("0.120")),
        ("dall-e-2", "generate", 3, "standard", "256x256", D("0.048")),
        ("dall-e-2", "generate", 1, None, "512x512", D("0.018")),
        ("dall-e-2", "edit", 2, "standard", "1024x1024", D("0.040")),
        ("dall-e-2", "variation", 1, None, "1024x1024", D("0.020")),
    ],
)
def test_dall_e_per_image_prices(
    model: Callable[[str], ModelInfo],
    name: str,
    operation: Any,
    images: int,
    quality: str | None,
    size: str,
    usd: Decimal,
) -> None:
    assert price_from_sheet(model(name), operation, images, quality, size, None) == usd


def test_dall_e_3_unknown_size_has_no_price(model: Callable[[str], ModelInfo]) -> None:
    assert price_from_sheet(model("dall-e-3"), "generate", 1, "hd", "512x512", None) is None


@pytest.mark.parametrize(
    ("name", "quality", "size", "usd"),
    [
        ("gpt-image-1", "high", "1024x1024", D("0.167")),
        ("gpt-image-1", "medium", "1536x1024", D("0.063")),
        ("gpt-image-1", "low", "auto", D("0.016")),  # any size at low: the dearest size
        ("gpt-image-1", "auto", "1024x1024", D("0.167")),  # auto estimated as high
        ("gpt-image-1", "auto", "auto", D("0.25")),  # the upper bound
        ("gpt-image-1-mini", "medium", "1024x1536", D("0.015")),
        ("gpt-image-1.5", "medium", "1024x1536", D("0.051")),
        ("gpt-image-1.5", "high", "1536x1024", D("0.20")),
        ("gpt-image-2", "low", "1024x1024", D("0.00588")),
        ("gpt-image-2", "high", "1536x1024", D("0.16464")),
        # a free size no larger than the measured 1536x1024: the dearest measured high
        ("gpt-image-2", "high", "1024x1536", D("0.21072")),
        ("gpt-image-2", "high", "1280x720", D("0.21072")),
        ("gpt-image-2", "medium", "1024x768", D("0.05268")),  # within medium's 1024x1024
        ("gpt-image-2", "auto", "1024x1536", D("0.21072")),  # auto estimated as high
        ("gpt-image-2", "auto", "auto", D("0.21072")),
    ],
)
def test_gpt_image_estimates_before_the_call(
    model: Callable[[str], ModelInfo], name: str, quality: str, size: str, usd: Decimal
) -> None:
    assert price_from_sheet(model(name), "generate", 1, quality, size, None) == usd
    assert price_from_sheet(model(name), "edit", 2, quality, size, None) == usd * 2


@pytest.mark.parametrize(
    ("quality", "size"),
    [
        ("high", "1536x1040"),  # one row of pixels past the largest measured (1536x1024)
        ("high", "2048x1152"),
        ("high", "2560x1440"),
        ("high", "3840x2160"),
        ("auto", "2560x1440"),
        ("medium", "1024x1536"),  # medium and low were measured at 1024x1024 only
        ("medium", "1536x1024"),
        ("low", "1024x1040"),
        ("low", "auto"),  # the model may pick 1536x1024, unmeasured at low and medium
        ("medium", "auto"),
    ],
)
def test_gpt_image_2_sizes_beyond_the_measured_ones_have_no_estimate(
    model: Callable[[str], ModelInfo], quality: str, size: str
) -> None:
    """Output tokens grow with the pixels by an amount openai.md does not give beyond the
    measured sizes: no per-image row prices them, so no estimate is made up."""
    sheet = model("gpt-image-2").pricing
    assert sheet is not None
    assert sheet.image_row("generate", quality, size) is None
    assert price_from_sheet(model("gpt-image-2"), "edit", 1, quality, size, None) is None


@pytest.mark.parametrize("size", ["2560x1440", "3840x2160"])
async def test_a_gpt_image_2_dry_run_beyond_the_measured_sizes_says_the_cost_comes_later(
    size: str,
) -> None:
    import limner

    async with limner.AsyncClient(environ={}) as client:
        plan = await client.images.generate(
            model="openai/gpt-image-2", prompt="x", size=size, quality="high", dry_run=True
        )
        measured = await client.images.generate(
            model="openai/gpt-image-2", prompt="x", size="1024x1024", quality="high", dry_run=True
        )
    assert plan.requests[0]["json"]["size"] == size  # sent as asked, only not estimated
    assert plan.estimated_cost_usd is None
    [unknown] = [w for w in plan.warnings if w.code == "price_unknown"]
    assert unknown.message == (
        "openai/gpt-image-2 is priced by the tokens each answer reports, and its sheet has no "
        f"per-image estimate for quality=high, size={size}: the cost is known after the call, "
        "not before"
    )
    assert measured.estimated_cost_usd == D("0.21072")
    assert [w.code for w in measured.warnings if w.code == "price_unknown"] == []


def test_gpt_image_estimate_rows_are_marked(model: Callable[[str], ModelInfo]) -> None:
    for name in ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2"):
        sheet = model(name).pricing
        assert sheet is not None and sheet.per_million_tokens is not None
        assert sheet.notes is not None and "estimate" in sheet.notes.lower()
        assert all((row.note or "").startswith("estimate") for row in sheet.per_image)


def test_translation_values_price_the_call(
    provider: OpenAIProvider, make_call: Any, model: Callable[[str], ModelInfo]
) -> None:
    """Translation.size/.quality are what the price tables are keyed by."""
    t = provider.translate(make_call("dall-e-3", prompt="x"))  # API defaults
    assert price_from_sheet(model("dall-e-3"), "generate", 1, t.quality, t.size, None) == D("0.040")
    t = provider.translate(make_call("dall-e-3", prompt="x", quality="high", size="1536x1024"))
    assert price_from_sheet(model("dall-e-3"), "generate", 1, t.quality, t.size, None) == D("0.120")
    t = provider.translate(make_call("dall-e-2", prompt="x", quality="hd", n=5))
    assert price_from_sheet(model("dall-e-2"), "generate", 5, t.quality, t.size, None) == D("0.100")
    t = provider.translate(make_call("gpt-image-1", prompt="x"))
    assert price_from_sheet(model("gpt-image-1"), "generate", 1, t.quality, t.size, None) == D(
        "0.25"
    )


def test_sheets_have_sources_and_dates(provider: OpenAIProvider) -> None:
    for info in provider.models():
        if info.pricing is None:  # no price in the sources, which the model says
            assert info.description is not None, info.id
            assert info.description.endswith("No price is published in the sources."), info.id
            continue
        assert info.pricing is not None, info.id
        assert info.pricing.source and info.pricing.as_of.year >= 2025


def test_a_third_party_corrects_one_field_of_a_built_in_model_through_the_public_api() -> None:
    """The way the hook's docstring gives: the provider's own ``models()`` and ``model_copy``."""
    import limner
    from limner.plugins import Registry

    negotiated = limner.PriceSheet(
        source="contract 42",
        as_of="2026-11-01",
        per_image=(limner.ImagePrice(usd=D("0.01")),),
    )

    class Negotiated:
        @limner.hookimpl
        def register_models(self, register: Callable[[ModelInfo], None]) -> None:
            for model in OpenAIProvider().models():
                if model.id == "openai/gpt-image-1":
                    register(model.model_copy(update={"pricing": negotiated}))

    registry = Registry([Negotiated()], disable_plugins=["google", "stability", "nova_canvas"])
    corrected = registry.resolve("openai/gpt-image-1")
    assert corrected.pricing == negotiated
    built_in = {m.id: m for m in OpenAIProvider().models()}["openai/gpt-image-1"]
    assert corrected.capabilities == built_in.capabilities  # the rest stays as shipped
    assert registry.price(corrected, "generate", 2, "high", "1024x1024", None) == D("0.02")


async def test_a_dry_run_of_a_token_billed_model_is_priced_for_its_output_only() -> None:
    """gpt-image-2 bills by tokens: the estimate's row prices the output image, and says so,
    with the row's own note (a third-party estimate)."""
    import limner

    async with limner.AsyncClient(environ={}) as client:
        dry = await client.images.generate(
            model="openai/gpt-image-2", prompt="x", size="1536x1024", quality="high", dry_run=True
        )
    (estimate,) = dry.estimates
    assert (estimate.quality, estimate.size, estimate.usd) == (
        "high",
        "1536x1024",
        Decimal("0.16464"),
    )
    assert estimate.output_only is True
    assert estimate.basis == (
        "per_image row (quality=high, size=1536x1024): $0.16464 per image; estimate: third-party "
        "measured output tokens x $30/M"
    )
    # the same row as data, for a tool that picks by price
    assert estimate.row is not None
    assert (estimate.row.quality, estimate.row.size, estimate.row.usd) == (
        "high",
        "1536x1024",
        Decimal("0.16464"),
    )
    sheet = client.models.retrieve("openai/gpt-image-2").pricing
    assert sheet is not None and estimate.row in sheet.per_image


async def test_an_svg_answer_is_kept_and_its_authoring_tokens_said_unpriced() -> None:
    """SVG output is text, not a raster: it passes limner's check that answers are images; its
    svg_usage [SDK ImagesResponse.svg_usage] has no rate in the sheet, so the cost covers the
    reference image's tokens only, and says so."""
    import base64

    from aiohttp import web

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>'

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "created": 1,
                "data": [{"b64_json": base64.b64encode(svg).decode()}],
                "output_format": "svg",
                "usage": usage(20, 0, 1000).model_dump(),
                "svg_usage": {
                    "input_tokens": 900,
                    "output_tokens": 3000,
                    "reasoning_tokens": 100,
                    "total_tokens": 3900,
                    "model": "gpt-6.1-sol",
                },
            }
        )

    result = await generate_against(
        answer, model="openai/gpt-image-2.6-sunburst", prompt="a logo", output_format="svg"
    )
    assert result.images() == [svg]
    assert result.output_format == "svg"
    assert result.cost == D("0.0301")  # 20 x $5/M + 1000 x $30/M
    [partial] = [w for w in result.warnings if w.code == "price_partial"]
    assert partial.message == (
        "the SVG's authoring tokens (900 input, 3000 output, by gpt-6.1-sol) are billed apart "
        "and not in the cost, which covers the image's tokens only"
    )


SVG_ANSWER_FIELDS = {
    "safety_identifier": "user-42",
    "svg_usage": {
        "input_tokens": 100,
        "model": "gpt-5.5",
        "output_tokens": 2000,
        "reasoning_tokens": 500,
        "total_tokens": 2100,
    },
}


async def test_the_answers_other_fields_are_kept_as_openai_gave_them() -> None:
    """``svg_usage`` and ``safety_identifier`` (typed in the SDK's ImagesResponse) and an image's
    ``generation_id`` (kept by the SDK's Image as an extra) were dropped: the response keeps
    them as the SDK does, as given. An answer without others has none."""
    import base64

    import openai

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>'
    image = {"b64_json": base64.b64encode(svg).decode(), "generation_id": "gen_7"}
    body = {"created": 1, "output_format": "svg", "data": [image], **SVG_ANSWER_FIELDS}

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(body)

    result = await generate_against(
        answer, model="openai/gpt-image-2.6-sunburst", prompt="a logo", output_format="svg"
    )
    assert result.svg_usage == SVG_ANSWER_FIELDS["svg_usage"]
    assert result.safety_identifier == "user-42"
    assert result.data[0].generation_id == "gen_7"
    assert result.model_extra == SVG_ANSWER_FIELDS
    assert result.data[0].model_extra == {"generation_id": "gen_7"}
    dumped = result.model_dump()
    assert {name: dumped[name] for name in SVG_ANSWER_FIELDS} == SVG_ANSWER_FIELDS
    assert dumped["data"][0]["generation_id"] == "gen_7"
    sdk = openai.types.ImagesResponse.model_validate(body)  # what the SDK reads
    assert sdk.svg_usage is not None and sdk.svg_usage.model_dump() == result.svg_usage
    assert sdk.data is not None and sdk.data[0].model_extra == result.data[0].model_extra

    async def plain(request: web.Request) -> web.Response:
        return web.json_response({"created": 1, "data": [{"b64_json": image["b64_json"]}]})

    result = await generate_against(plain, model="openai/gpt-image-2.6-sunburst", prompt="x")
    assert result.model_extra == {} and result.data[0].model_extra == {}


async def test_an_answer_without_usage_is_priced_from_the_estimate_and_says_so() -> None:
    """A token-billed model answering no usage (a recorded gpt-image-1-mini answer has none)
    is priced from its sheet's per-image estimate, which leaves out the input tokens: said."""
    import base64

    from aiohttp import web

    from .conftest import _png

    async def answer(request: web.Request) -> web.Response:
        image = base64.b64encode(_png(8, 8)).decode()
        return web.json_response({"created": 1, "data": [{"b64_json": image}]})

    result = await generate_against(
        answer, model="openai/gpt-image-2", prompt="x", size="1024x1024", quality="low"
    )
    assert result.cost == D("0.00588")
    assert [(w.code, w.message) for w in result.warnings] == [
        (
            "cost_estimated",
            "openai/gpt-image-2 is billed by tokens but its answer reported no usage limner "
            "can price (none, or counts without its image tokens): the cost comes from the "
            "per-image estimate (output only), not from the tokens billed",
        )
    ]


@pytest.mark.parametrize(
    "usage",
    [
        {},
        {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0},
    ],
)
async def test_an_answer_whose_usage_counts_nothing_is_priced_from_the_estimate(
    usage: dict[str, int],
) -> None:
    """A usage block left blank (by an OpenAI-compatible server) priced the image at $0,
    without a word."""
    import base64

    from aiohttp import web

    from .conftest import _png

    async def answer(request: web.Request) -> web.Response:
        image = base64.b64encode(_png(8, 8)).decode()
        return web.json_response({"created": 1, "data": [{"b64_json": image}], "usage": usage})

    result = await generate_against(
        answer, model="openai/gpt-image-2", prompt="x", size="1024x1024", quality="low"
    )
    assert result.cost == D("0.00588")
    assert [w.code for w in result.warnings] == ["unreadable_usage", "cost_estimated"]
    assert result.usage is None


async def test_a_blank_usage_from_a_model_priced_per_image_says_nothing() -> None:
    """dall-e is priced per image: a blank usage block is no reason for a warning."""
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"created": 1, "data": [{"url": "/x.png"}], "usage": {}})

    result = await generate_against(
        answer, model="openai/dall-e-2", prompt="x", size="256x256", response_format="url"
    )
    assert result.usage is not None and result.usage.output_tokens == 0
    assert "unreadable_usage" not in [w.code for w in result.warnings]


@pytest.mark.parametrize(
    "details", [None, {"text_tokens": 50, "image_tokens": None}], ids=["null", "null-count"]
)
async def test_a_null_input_breakdown_is_read_as_none_given(details: object) -> None:
    """``input_tokens_details: null`` threw the whole usage away (priced by estimate), while
    the same block without the key was priced from its totals."""
    import base64

    from aiohttp import web

    from .conftest import _png

    usage = {
        "input_tokens": 50,
        "output_tokens": 4160,
        "total_tokens": 4210,
        "input_tokens_details": details,
    }

    async def answer(request: web.Request) -> web.Response:
        image = base64.b64encode(_png(8, 8)).decode()
        return web.json_response({"created": 1, "data": [{"b64_json": image}], "usage": usage})

    result = await generate_against(
        answer, model="openai/gpt-image-2", prompt="x", size="1024x1024", quality="high"
    )
    assert result.usage is not None and result.usage.output_tokens == 4160
    assert result.warnings == []
    assert result.cost == D("0.12505")  # 50 x $5/M (as text) + 4160 x $30/M


async def generate_against(answer: Any, **fields: Any) -> Any:
    """``images.generate(**fields)`` through a loopback OpenAI whose generations ``answer``."""
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    import limner

    app = web.Application()
    app.router.add_post("/v1/images/generations", answer)
    async with TestServer(app, host="127.0.0.1") as server:
        settings = {"api_key": "sk-test-0123456789abcdef", "base_url": str(server.make_url("/v1"))}
        async with limner.AsyncClient(
            providers={"openai": settings}, allow_private_networks=True, environ={}
        ) as client:
            return await client.images.generate(**fields)


def test_a_usage_of_no_tokens_costs_nothing(model: Callable[[str], ModelInfo]) -> None:
    """Nothing counted is nothing billed, not an unknown price."""
    registry = limner.plugins.default_registry()
    nothing = usage(0, 0, 0, out_text=0)
    assert price_or_notice(registry, model("gpt-image-2"), "generate", 1, "low", None, nothing) == (
        D(0),
        None,
    )


def test_a_usage_of_tokens_none_of_which_has_a_rate_says_which(
    model: Callable[[str], ModelInfo],
) -> None:
    registry = limner.plugins.default_registry()
    only_text_out = usage(0, 0, 40, out_text=40)
    cost, notice = price_or_notice(
        registry, model("gpt-image-1"), "generate", 0, "high", "1024x1024", only_text_out
    )
    assert cost is None and notice is not None
    assert (notice.code, notice.message) == (
        "price_unknown",
        "openai/gpt-image-1's price sheet has no rate for 40 text output tokens",
    )


def test_what_the_sheet_left_unpriced_is_the_last_pricings(
    model: Callable[[str], ModelInfo],
) -> None:
    """A price_call hook may price from the sheet twice: the second pricing's gaps count."""
    info = model("gpt-image-1")
    price_from_sheet(info, "generate", 1, None, None, usage(10, 0, 110, out_text=10))
    assert limner.pricing.unpriced_tokens() == ("10 text output",)
    price_from_sheet(info, "generate", 1, None, None, usage(10, 0, 100, out_text=0))
    assert limner.pricing.unpriced_tokens() == ()


async def test_a_failed_calls_partial_cost_says_what_it_leaves_out() -> None:
    """An answer without an image, whose usage counts text output tokens: the error's cost
    leaves them out, and its billing note says so."""
    counts = {"text_tokens": 10, "image_tokens": 0}
    body = {
        "created": 1,
        "data": [],
        "usage": {
            "input_tokens": 10,
            "output_tokens": 40,
            "total_tokens": 50,
            "input_tokens_details": counts,
            "output_tokens_details": {"text_tokens": 40, "image_tokens": 0},
        },
    }

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(body)

    app = web.Application()
    app.router.add_post("/v1/images/generations", answer)
    async with TestServer(app, host="127.0.0.1") as server:
        url = str(server.make_url("/v1"))
        settings = {"openai": {"api_key": "sk-test-0123456789", "base_url": url}}
        async with limner.AsyncClient(
            providers=settings, allow_private_networks=True, environ={}
        ) as client:
            with pytest.raises(limner.LimnerError) as caught:
                await client.images.generate(model="openai/gpt-image-2.6-sunburst", prompt="x")
    assert caught.value.cost == D(10) * D("5.00") / 1_000_000
    assert caught.value.billing_note is not None
    assert caught.value.billing_note.endswith(
        "may be billed ($0.00005; openai/gpt-image-2.6-sunburst's price sheet has no rate for "
        "40 text output tokens: the cost covers the other tokens only)"
    )


async def test_costs_are_exact_whatever_decimal_context_the_caller_set() -> None:
    """The caller's ``decimal.getcontext()`` is theirs: at a precision of 3, each product and
    the sum were rounded (0.16658 came out 0.166). The caller's context comes back after."""
    import base64
    import decimal

    from .conftest import _png

    async def answer(request: web.Request) -> web.Response:
        image = base64.b64encode(_png(8, 8)).decode()
        usage = {"input_tokens": 36, "output_tokens": 4160, "total_tokens": 4196}
        return web.json_response({"created": 1, "data": [{"b64_json": image}], "usage": usage})

    with decimal.localcontext() as caller:
        caller.prec = 3
        result = await generate_against(answer, model="openai/gpt-image-1", prompt="x")
        async with limner.AsyncClient() as client:
            planned = await client.images.generate(
                model="openai/gpt-image-2",
                prompt="x",
                quality="high",
                size="1024x1024",
                n=3,
                dry_run=True,
            )
        assert decimal.getcontext().prec == 3
    assert result.cost == D("0.16658")  # 36 text tokens at $5/M, 4160 image tokens at $40/M
    assert planned.estimated_cost_usd == D("0.63216")
