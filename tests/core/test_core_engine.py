"""Orchestration: splitting n, merging results, prices, adjustments, lifecycle, formats."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

import limner
from limner.engine import split_n

from .fakeprovider import API_KEY, FakePlugin, FakeProvider
from .support import (
    IMAGE,
    IMAGE_B64,
    FakeServer,
    Handler,
    MakeClient,
    Recorded,
    error_reply,
    ok_body,
)


@pytest.mark.parametrize(
    ("n", "per_call", "expected"),
    [(5, 2, [2, 2, 1]), (4, 2, [2, 2]), (1, 4, [1]), (3, 1, [1, 1, 1]), (10, 10, [10])],
)
def test_split_n(n: int, per_call: int, expected: list[int]) -> None:
    assert split_n(n, per_call) == expected


def indexed_reply(server: FakeServer, **extra: Any) -> list[int]:
    """Answer every call with images named after the call's index; later calls answer first.
    Returns the list of call indexes in the order answered."""
    answered: list[int] = []

    async def answer(recorded: Recorded) -> web.StreamResponse:
        index = int(recorded.headers["x-call-index"])
        n = int(recorded.json["n"])
        await asyncio.sleep(0.05 * (3 - index))
        answered.append(index)
        body = ok_body(n, **extra)
        for j, item in enumerate(body["data"]):
            item["revised_prompt"] = f"call{index}-img{j}"
        return web.json_response(body)

    server.reply(*[answer] * 10)
    return answered


async def test_n_is_split_into_concurrent_calls(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    answered = indexed_reply(server)
    result = await client.images.generate(model="fake/alpha-1", prompt="x", n=5, quality="high")
    calls = sorted(server.api_calls, key=lambda c: c.headers["x-call-index"])
    assert [c.json["n"] for c in calls] == [2, 2, 1]
    # answered in reverse order, merged in call order
    assert answered == [2, 1, 0]
    assert [d.revised_prompt for d in result.data] == [
        "call0-img0",
        "call0-img1",
        "call1-img0",
        "call1-img1",
        "call2-img0",
    ]
    assert result.cost == Decimal("0.210")  # 5 × 0.042, exact
    assert isinstance(result.cost, Decimal)
    assert result.usage is not None
    assert result.usage.input_tokens == 30
    assert result.usage.output_tokens == 500
    assert result.usage.total_tokens == 530
    assert result.usage.input_tokens_details.text_tokens == 30
    assert (result.provider, result.model, result.quality) == ("fake", "fake/alpha-1", "high")
    assert result.images() == [base64.b64decode(IMAGE_B64)] * 5
    assert result.warnings == []


async def test_calls_run_concurrently(client: limner.AsyncClient, server: FakeServer) -> None:
    async def slow(recorded: Recorded) -> web.StreamResponse:
        await asyncio.sleep(0.3)
        return web.json_response(ok_body(int(recorded.json["n"])))

    server.reply(slow, slow, slow)
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await client.images.generate(model="alpha", prompt="x", n=6)
    assert len(result.data) == 6
    assert loop.time() - start < 0.85  # three 0.3 s calls, not one after another


async def test_token_priced_model(client: limner.AsyncClient, server: FakeServer) -> None:
    result = await client.images.generate(model="fake/beta-2", prompt="x", n=2)
    assert [c.json["n"] for c in server.api_calls] == [1, 1]
    # per call: 10 text input × $5/M + 100 image output × $40/M = 0.00405
    assert result.cost == Decimal("0.0081")


async def test_adjustments_are_deduplicated(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model="alpha", prompt="x", n=5, seed=7, size="256x256", quality="hd"
    )
    assert [(a.param, a.requested, a.applied) for a in result.adjustments] == [
        ("size", "256x256", "1024x1024"),
        ("quality", "hd", "high"),
        ("seed", 7, None),
    ]
    assert result.cost == Decimal("0.210")  # priced at the quality actually sent


async def test_lifecycle_warning_past_shutdown(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    result = await client.images.generate(model="fake/old-0", prompt="x")
    assert len(server.api_calls) == 1  # still sent
    (warning,) = result.warnings
    assert warning.code == "model_shut_down"
    assert warning.param == "model"
    assert "2020-01-01" in warning.message
    assert "fake/alpha-1" in warning.message


async def test_404_names_the_replacement(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(error_reply(404, "The model old-0 does not exist"))
    with pytest.raises(limner.NotFoundError) as info:
        await client.images.generate(model="fake/old-0", prompt="x")
    assert info.value.replacement == "fake/alpha-1"
    assert info.value.message == (
        "fake: The model old-0 does not exist. fake/old-0 may be retired; use fake/alpha-1."
    )
    assert info.value.status_code == 404
    assert len(server.api_calls) == 1


async def test_404_without_replacement(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(error_reply(404))
    with pytest.raises(limner.NotFoundError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="x")
    assert info.value.replacement is None


async def test_b64_json_requested_and_provider_answers_url(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    image_url = f"{server.url}/files/a.png"
    server.reply(web.json_response(ok_body(2, url=image_url)))
    result = await client.images.generate(
        model="alpha", prompt="x", n=2, response_format="b64_json"
    )
    assert [d.url for d in result.data] == [None, None]
    assert result.images() == [server.files["/files/a.png"]] * 2
    downloads = [r for r in server.requests if r.path == "/files/a.png"]
    assert len(downloads) == 2
    assert all("authorization" not in r.headers for r in downloads)


async def test_a_result_url_that_may_not_be_downloaded_is_returned_as_it_is(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The image is made and paid for: the URL is kept and the change said, not the result lost."""
    client = make_client(allow_private_networks=False)
    url = f"{server.url}/files/a.png"
    server.reply(web.json_response(ok_body(1, url=url)))
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert (result.data[0].url, result.data[0].b64_json) == (url, None)
    (adjustment,) = result.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == (
        "response_format",
        "b64_json",
        "url",
    )
    assert adjustment.reason.startswith("data[0].url: ")
    assert adjustment.reason.endswith("; the provider's URL is returned instead")
    assert not any(r.path == "/files/a.png" for r in server.requests)


async def test_a_result_url_that_holds_no_image_is_returned_as_it_is(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """The downloaded bytes are sniffed: text served as image/png is not passed off as one."""
    server.files["/files/a.png"] = b"hello, I am not an image"
    url = f"{server.url}/files/a.png"
    server.reply(web.json_response(ok_body(1, url=url)))
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert (result.data[0].url, result.data[0].b64_json) == (url, None)
    (adjustment,) = result.adjustments
    assert adjustment.reason == (
        "data[0].url is not an image limner can read (PNG, JPEG, WebP, GIF, AVIF or HEIC "
        "expected); the provider's URL is returned instead"
    )


async def test_url_result_kept_when_no_format_asked(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(web.json_response(ok_body(1, url="https://cdn.example/x.png")))
    result = await client.images.generate(model="alpha", prompt="x")
    assert result.data[0].url == "https://cdn.example/x.png"
    with pytest.raises(ValueError, match="b64_json"):
        result.data[0].to_bytes()


async def test_url_requested_from_b64_provider_is_adjusted(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    result = await client.images.generate(model="alpha", prompt="x", n=3, response_format="url")
    assert [c.json["response_format"] for c in server.api_calls] == ["url", "url"]
    assert [(a.param, a.requested, a.applied) for a in result.adjustments] == [
        ("response_format", "url", "b64_json")
    ]
    assert len(result.images()) == 3


async def test_urls_from_a_model_said_to_give_bytes_only_are_not_called_bytes(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """The capabilities say the model gives bytes, so the plan says ``url`` becomes
    ``b64_json``; the answer holds URLs all the same: the user got what they asked for, and no
    adjustment says otherwise."""
    plan = await client.images.generate(
        model="fake/beta-2", prompt="x", response_format="url", dry_run=True
    )
    assert [a.applied for a in plan.adjustments] == ["b64_json"]
    server.reply(web.json_response(ok_body(1, url="https://files.example/a.png")))
    result = await client.images.generate(model="fake/beta-2", prompt="x", response_format="url")
    assert result.data[0].url == "https://files.example/a.png"
    assert result.adjustments == []


def filtered_reply(server: FakeServer, filtered_call: int) -> None:
    async def answer(recorded: Recorded) -> web.StreamResponse:
        index = int(recorded.headers["x-call-index"])
        body = ok_body(int(recorded.json["n"]))
        if index == filtered_call:
            body["notices"] = [{"code": "content_filtered", "message": "blurred", "index": 0}]
        return web.json_response(body, headers={"x-request-id": f"req-{index}"})

    server.reply(answer, answer)


async def test_content_filtered_notice_is_a_warning(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    filtered_reply(server, filtered_call=1)
    result = await client.images.generate(model="alpha", prompt="x", n=3)
    (warning,) = result.warnings
    assert (warning.code, warning.index) == ("content_filtered", 2)  # index in the merged list
    assert len(result.data) == 3


async def test_strict_mode_raises_content_policy_error(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(strict=True)
    filtered_reply(server, filtered_call=1)
    with pytest.raises(limner.ContentPolicyError) as info:
        await client.images.generate(model="alpha", prompt="x", n=3)
    assert info.value.reason == "blurred"
    assert info.value.provider == "fake"
    assert info.value.http_status == 400
    assert info.value.request_id == "req-1"  # the answer that withheld it, for its support
    assert info.value.cost == Decimal("0.06")  # the three images made, billed, not returned
    assert info.value.billing_note is not None
    assert info.value.billing_note.endswith("the calls that answered cost $0.06")


async def test_provider_content_policy_error(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(
        web.json_response(
            {"error": {"message": "unsafe prompt", "code": "content_policy"}}, status=400
        )
    )
    with pytest.raises(limner.ContentPolicyError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.reason == "unsafe prompt"
    assert info.value.to_openai()["error"]["code"] == "content_policy_violation"
    assert len(server.api_calls) == 1


class BrokenPricing:
    @limner.hookimpl(tryfirst=True)
    def price_call(self) -> Decimal:
        raise RuntimeError("price table corrupt")


async def test_pricing_exception_is_a_warning(make_client: MakeClient, server: FakeServer) -> None:
    client = make_client(plugins=[FakePlugin(), BrokenPricing()])
    result = await client.images.generate(model="alpha", prompt="x", n=3)
    assert result.cost is None
    assert len(result.data) == 3
    codes = [w.code for w in result.warnings]
    assert codes == ["price_failed"]  # one notice, though two calls failed to price
    assert result.warnings[0].message == (  # where, not its words: they may quote a key
        "pricing fake/alpha-1 failed in a plugin (RuntimeError, at core/test_core_engine.py:"
        f"{BrokenPricing.price_call.__code__.co_firstlineno + 2}); the cost is unknown"
    )
    dry = await client.images.generate(model="alpha", prompt="x", dry_run=True)
    assert dry.estimated_cost_usd is None
    assert [w.code for w in dry.warnings] == ["price_failed"]


async def test_unknown_price_is_a_warning(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(web.json_response(ok_body(1, usage=False)))
    result = await client.images.generate(model="fake/beta-2", prompt="x")
    assert result.cost is None
    assert [w.code for w in result.warnings] == ["price_unknown"]


async def test_a_dry_run_says_what_each_call_is_priced_by(make_client: MakeClient) -> None:
    """Per call: the settings priced, the price and the sheet row it comes from; a price a
    plugin gave has no row to name."""
    dry = await make_client().images.generate(model="alpha", prompt="x", n=3, dry_run=True)
    assert [(e.images, e.usd, e.basis, e.output_only) for e in dry.estimates] == [
        (2, Decimal("0.04"), "per_image row (any settings): $0.02 per image", False),
        (1, Decimal("0.02"), "per_image row (any settings): $0.02 per image", False),
    ]
    assert dry.estimated_cost_usd == Decimal("0.06")

    class Flat:
        @limner.hookimpl(tryfirst=True)
        def price_call(self) -> Decimal:
            return Decimal("1")

    flat = make_client(plugins=[FakePlugin(), Flat()])
    dry = await flat.images.generate(model="alpha", prompt="x", quality="low", dry_run=True)
    hook = f"a price_call hook of {Flat.__qualname__} (not the price sheet)"
    assert [(e.quality, e.usd, e.basis, e.row) for e in dry.estimates] == [
        ("low", Decimal("1"), hook, None)  # no row gave the price
    ]


async def test_empty_answer_is_an_error(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(web.json_response({"data": []}))
    with pytest.raises(limner.LimnerError, match="no image"):
        await client.images.generate(model="alpha", prompt="x")


async def test_a_setting_the_model_lacks_and_the_plugin_passes_over_is_a_warning(
    client: limner.AsyncClient,
) -> None:
    """beta-2 declares no style, background, negative prompt, quality or seed. The fake plugin
    reports the seed it drops and says nothing of the rest; "auto" is the same as unset."""
    dry = await client.images.generate(
        model="fake/beta-2",
        prompt="x",
        style="vivid",
        background="transparent",
        negative_prompt="blur",
        quality="auto",
        seed=3,
        partial_images=2,  # a streamed response's: no model streams without declaring it
        dry_run=True,
    )
    unreported = [w.message for w in dry.warnings if w.code == "unreported_setting"]
    assert unreported == [
        f"{field}={value!r}: fake/beta-2 declares no {field} setting, and its plugin did not "
        "say whether it was sent (most likely it was not)"
        for field, value in (
            ("background", "transparent"),
            ("negative_prompt", "blur"),
            ("partial_images", 2),
            ("style", "vivid"),
        )
    ]
    assert [w.param for w in dry.warnings if w.code == "unreported_setting"] == [
        "background",
        "negative_prompt",
        "partial_images",
        "style",
    ]
    assert [a.param for a in dry.adjustments] == ["seed"]
    supported = await client.images.generate(
        model="fake/alpha-1", prompt="x", output_format="jpeg", dry_run=True
    )
    assert supported.warnings == []


async def test_an_end_user_id_a_plugin_neither_sends_nor_reports_is_a_warning(
    client: limner.AsyncClient,
) -> None:
    """The fake plugin knows neither user nor safety_identifier (a third-party plugin written
    before them): no capability says whether a model takes one, so core looks at what the
    request carries. A value the request carries, or one the plugin reports, says nothing."""
    dry = await client.images.generate(
        model="fake/alpha-1", prompt="x", user="u-1", safety_identifier="sid-1", dry_run=True
    )
    assert [(w.param, w.message) for w in dry.warnings if w.code == "unreported_setting"] == [
        (
            field,
            f"{field}={value!r}: fake/alpha-1's plugin did not say what it did with it, and its "
            "request does not carry it (most likely it was not sent)",
        )
        for field, value in (("user", "u-1"), ("safety_identifier", "sid-1"))
    ]
    carried = await client.images.generate(
        model="fake/alpha-1", prompt="x", user="x", safety_identifier="", dry_run=True
    )  # ("x" is the prompt: carried; an empty id is no id)
    assert [w for w in carried.warnings if w.code == "unreported_setting"] == []


async def test_an_input_fidelity_the_model_does_not_honour_is_a_warning_when_unreported(
    make_client: MakeClient,
) -> None:
    """``Capabilities.input_fidelity`` names what a model's edits honour; beta-2 declares none,
    and the fake plugin says nothing of the field. The edit schema says what is honoured."""
    client = make_client()
    dry = await client.images.edit(
        model="fake/beta-2", prompt="x", image=IMAGE, input_fidelity="high", dry_run=True
    )
    (notice,) = [w for w in dry.warnings if w.code == "unreported_setting"]
    assert (notice.param, notice.message) == (
        "input_fidelity",
        "input_fidelity='high': fake/beta-2 declares no input_fidelity setting, and its plugin "
        "did not say whether it was sent (most likely it was not)",
    )
    schema = client.models.schema("fake/beta-2", "edit")["properties"]["input_fidelity"]
    assert schema["description"] == "honoured by this model: none: a value is dropped, and said"


async def test_an_image_config_the_model_has_no_use_for_is_a_warning_unless_reported(
    make_client: MakeClient,
) -> None:
    """A model declaring neither aspect ratios nor resolution classes, whose plugin passes over
    image_config: the user learns it was most likely not sent. Reported, it is not repeated."""
    client = make_client()
    dry = await client.images.generate(
        model="fake/beta-2", prompt="x", image_config={"aspect_ratio": "16:9"}, dry_run=True
    )
    (notice,) = [w for w in dry.warnings if w.code == "unreported_setting"]
    assert notice.param == "image_config"
    assert notice.message.startswith(
        "image_config={'aspect_ratio': '16:9'}: fake/beta-2 declares no image_config setting"
    )

    class Reports(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            translation = super().translate(call)
            dropped = limner.Adjustment(
                param="image_config.aspect_ratio", requested="16:9", applied=None, reason="no"
            )
            return replace(translation, adjustments=(*translation.adjustments, dropped))

    reported = make_client(plugins=[FakePlugin(Reports)])
    dry = await reported.images.generate(
        model="fake/beta-2", prompt="x", image_config={"aspect_ratio": "16:9"}, dry_run=True
    )
    assert [w for w in dry.warnings if w.code == "unreported_setting"] == []
    assert [a.param for a in dry.adjustments] == ["image_config.aspect_ratio"]


async def test_a_setting_a_plugin_warns_about_is_reported(make_client: MakeClient) -> None:
    class Warns(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            translation = super().translate(call)
            notice = limner.Notice(code="style_ignored", message="no styles", param="style")
            return replace(translation, warnings=(*translation.warnings, notice))

    client = make_client(plugins=[FakePlugin(Warns)])
    dry = await client.images.generate(model="fake/beta-2", prompt="x", style="vivid", dry_run=True)
    assert [w.code for w in dry.warnings if w.param == "style"] == ["style_ignored"]


async def test_fewer_images_than_asked_is_a_warning(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """alpha makes 2 per call: n=4 is two calls; the second answers 1 image and says nothing."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        short = recorded.headers["x-call-index"] == "1"
        return web.json_response(ok_body(1 if short else int(recorded.json["n"])))

    server.reply(answer, answer)
    result = await client.images.generate(model="alpha", prompt="x", n=4)
    assert len(result.data) == 3
    (notice,) = [w for w in result.warnings if w.code == "fewer_images"]
    assert notice.message == (
        "call 2 of 2: fake/alpha-1 returned 1 of the 2 image(s) asked for, without a reason"
    )


async def test_a_plugins_own_reason_for_fewer_images_is_not_repeated(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    body = ok_body(1)
    body["notices"] = [{"code": "content_filtered", "message": "one image was filtered"}]
    server.reply(web.json_response(body))
    result = await client.images.generate(model="alpha", prompt="x", n=2)
    assert [w.code for w in result.warnings] == ["content_filtered"]


async def test_an_unrelated_notice_does_not_explain_fewer_images(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    body = ok_body(1)
    body["notices"] = [{"code": "revised_prompt", "message": "the prompt was rewritten"}]
    server.reply(web.json_response(body))
    result = await client.images.generate(model="alpha", prompt="x", n=2)
    assert [w.code for w in result.warnings] == ["revised_prompt", "fewer_images"]


def one_call_fails(server: FakeServer, failing: set[str], reply: Handler) -> None:
    """Calls whose ``x-call-index`` is in ``failing`` get ``reply``; the others their images."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        if recorded.headers["x-call-index"] in failing:
            return await reply(recorded)
        return web.json_response(ok_body(int(recorded.json["n"])))

    server.reply(answer, answer, answer)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("!!!", "not base64"),  # decodes to nothing: saved, it was a 0-byte .png
        (base64.b64encode(b"hello world").decode(), "base64 of text"),
        (base64.b64encode(b"<html><body>502 Bad Gateway</body></html>").decode(), "base64 of text"),
        (
            base64.b64encode(bytes(range(32))).decode(),
            "base64 of bytes no image format begins with",
        ),
        ("%%%not base64%%%", "not base64"),
        ("", "empty"),
    ],
)
async def test_image_data_that_is_not_an_image_is_a_provider_error(
    client: limner.AsyncClient, server: FakeServer, data: str, said: str
) -> None:
    async def answer(recorded: Recorded) -> web.StreamResponse:
        return web.json_response(
            {"created": 1, "data": [{"b64_json": IMAGE_B64}, {"b64_json": data}]},
            headers={"x-request-id": "req_42"},
        )

    server.reply(answer)
    with pytest.raises(limner.ProviderError) as caught:
        await client.images.generate(model="alpha", prompt="x", n=2)
    assert caught.value.request_id == "req_42"  # for the provider's support
    unquoted = "" if said == "empty" else ", not quoted as it may echo a credential"
    assert caught.value.message == (
        "fake/alpha-1 answered image data that is not an image (image 2 of 2: "
        f"{said}{unquoted}); the call may still be billed"
    )
    assert (caught.value.provider, caught.value.retryable) == ("fake", False)
    assert len(server.api_calls) == 1  # not resent: it was answered


@pytest.mark.parametrize("encode", [False, True])
async def test_image_data_that_echoes_the_key_quotes_none_of_it(
    client: limner.AsyncClient, server: FakeServer, encode: bool
) -> None:
    """An upstream that answers the request's key as its image data, as it is or as base64 of
    text quoting it: cut short, a key is no longer one the scrubbing recognises, so the error
    quotes none of the data."""
    echoed = f"Bearer {API_KEY}".encode()

    async def answer(recorded: Recorded) -> web.StreamResponse:
        data = base64.b64encode(echoed).decode() if encode else API_KEY
        return web.json_response({"created": 1, "data": [{"b64_json": data}]})

    server.reply(answer)
    with pytest.raises(limner.ProviderError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    said = "base64 of text" if encode else "not base64"
    assert caught.value.message == (
        f"fake/alpha-1 answered image data that is not an image (image 1 of 1: {said}, not "
        "quoted as it may echo a credential); the call may still be billed"
    )
    shown = f"{caught.value} {caught.value!r} {caught.value.to_openai()}"
    assert not [API_KEY[i : i + 6] for i in range(len(API_KEY) - 5) if API_KEY[i : i + 6] in shown]
    assert base64.b64encode(echoed).decode()[:8] not in shown


async def test_a_split_call_that_answered_no_image_keeps_the_others(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    async def garbage(recorded: Recorded) -> web.StreamResponse:
        n = int(recorded.json["n"])
        return web.json_response({"created": 1, "data": [{"b64_json": "aGk="}] * n})

    one_call_fails(server, {"1"}, garbage)
    result = await client.images.generate(model="alpha", prompt="x", n=5)
    assert len(result.data) == 3
    assert [w.code for w in result.warnings] == ["call_failed"]
    assert all(
        base64.b64decode(item.b64_json or "") == base64.b64decode(IMAGE_B64) for item in result.data
    )


def test_every_image_format_a_provider_answers_is_taken_for_an_image() -> None:
    import io

    from PIL import Image

    from limner.image_header import looks_like_image_b64

    for fmt in ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF"):
        out = io.BytesIO()
        Image.new("RGB", (4, 4)).save(out, format=fmt)
        assert looks_like_image_b64(base64.b64encode(out.getvalue()).decode()), fmt
    heic = b"\x00\x00\x00\x18ftypheic" + bytes(16)
    assert looks_like_image_b64(base64.b64encode(heic).decode())
    assert looks_like_image_b64(IMAGE_B64[:12])  # a head is enough
    for svg in (
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xef\xbb\xbf <?xml version='1.0'?>\n<svg/>",
        b"<!-- made by a model -->\n<svg/>",
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">' + b" " * 900 + b"<svg/>",
    ):
        assert looks_like_image_b64(base64.b64encode(svg).decode()), svg
    for page in (b"<html><body>oops</body>", b"<?xml version='1.0'?><Error>denied</Error>"):
        assert not looks_like_image_b64(base64.b64encode(page).decode()), page
    assert not looks_like_image_b64(base64.b64encode(b"RIFF\x00\x00\x00\x00WAVE").decode())


async def test_a_split_request_cancelled_before_its_calls_begin_leaves_none_unawaited(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """Each call's coroutine is closed: no "coroutine 'Engine._send' was never awaited"."""
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            task = asyncio.create_task(client.images.generate(model="alpha", prompt="x", n=5))
            await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        gc.collect()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []
    result = await client.images.generate(model="alpha", prompt="x", n=5)  # still serves
    assert len(result.data) == 5


async def test_a_failed_split_call_keeps_the_other_calls_images(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """The images the other calls made are billed: they are returned, priced, with a notice
    quoting the failed call's error."""
    one_call_fails(server, {"1"}, error_reply(401, "bad key"))
    result = await client.images.generate(model="alpha", prompt="x", n=5, quality="high")
    assert len(server.api_calls) == 3
    assert len(result.data) == 3  # calls 1 and 3: 2 + 1 images
    assert [(w.code, w.message) for w in result.warnings] == [
        ("call_failed", "call 2 of 3 (2 image(s)) failed: fake: bad key")
    ]
    assert result.cost == Decimal("0.126")  # 3 × 0.042: the failed call is not priced
    (failure,) = result.failures  # the error itself, for code that acts on its type
    assert isinstance(failure, limner.AuthenticationError)
    assert failure.message == result.warnings[0].message
    assert failure.call == "call 2 of 3 (2 image(s))"
    assert result.usage is not None and result.usage.output_tokens == 300


async def test_when_the_first_call_fails_the_answer_describes_the_ones_that_answered(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    async def answer(recorded: Recorded) -> web.StreamResponse:
        if recorded.headers["x-call-index"] == "0":
            return await error_reply(400, "bad")(recorded)
        body = ok_body(int(recorded.json["n"]), output_format="webp", size="1536x1024")
        return web.json_response(body)

    server.reply(answer, answer, answer)
    result = await client.images.generate(model="alpha", prompt="x", n=5, quality="high")
    assert len(result.data) == 3
    assert (result.output_format, result.size) == ("webp", "1536x1024")  # not the sent size
    assert result.usage is not None and result.usage.output_tokens == 300  # calls 2 and 3


@pytest.mark.parametrize(
    ("answered", "said"),
    [
        ("png/../../../escaped/evil.sh", "png"),  # no format: the image's bytes say it
        ("image/png", "png"),
        ("", "png"),
        ("PNG", "png"),
        ("jpg", "jpeg"),  # the name the OpenAI API gives
        ("webp", "webp"),
    ],
)
async def test_the_response_names_only_a_format_limner_knows(
    client: limner.AsyncClient, server: FakeServer, answered: str, said: str
) -> None:
    server.reply(web.json_response(ok_body(1, output_format=answered)))
    result = await client.images.generate(model="alpha", prompt="x")
    assert result.output_format == said


async def test_gather_settled_keeps_limners_errors_and_raises_a_bug() -> None:
    """Only limner's errors are kept as a call's outcome (the others go on, their work may be
    billed); anything else is a bug, which cancels the other calls and is raised."""
    from limner.outcomes import gather_settled

    cancelled: list[str] = []

    async def slow(name: str) -> str:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise
        return name

    async def fails(error: BaseException) -> str:
        await asyncio.sleep(0.01)
        raise error

    async def quick(name: str) -> str:
        await asyncio.sleep(0.02)
        return name

    refused = limner.ContentPolicyError("no")
    outcomes = await gather_settled([quick("a"), fails(refused), quick("c")])
    assert outcomes == ["a", refused, "c"]
    with pytest.raises(RuntimeError, match="boom"):
        await gather_settled([slow("a"), fails(RuntimeError("boom")), slow("c")])
    assert sorted(cancelled) == ["a", "c"]


async def test_a_refused_split_call_is_a_content_filtered_notice_unless_strict(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def refuse(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "unsafe", "code": "content_policy"}}
        return web.json_response(body, status=400)

    one_call_fails(server, {"0"}, refuse)
    result = await make_client().images.generate(model="alpha", prompt="x", n=3)
    assert len(result.data) == 1
    assert [(w.code, w.message) for w in result.warnings] == [
        ("content_filtered", "call 1 of 2 (2 image(s)) failed: fake: unsafe")
    ]
    one_call_fails(server, {"0"}, refuse)
    with pytest.raises(limner.ContentPolicyError) as info:  # strict: refused means failed
        await make_client(strict=True).images.generate(model="alpha", prompt="x", n=3)
    assert info.value.reason == "unsafe"
    assert info.value.message == (
        "call 1 of 2 (2 image(s)) failed: fake: unsafe; what the other calls made is billed "
        "but not returned (strict mode); the calls that answered cost $0.02"
    )
    assert info.value.billing_note == (
        "what the other calls made is billed but not returned (strict mode); the calls that "
        "answered cost $0.02"
    )
    assert info.value.cost == Decimal("0.02")  # the one image of the call that answered


async def test_when_every_split_call_fails_the_first_calls_error_is_raised(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    one_call_fails(server, {"0", "1", "2"}, error_reply(401, "bad key"))
    with pytest.raises(limner.AuthenticationError) as info:
        await client.images.generate(model="alpha", prompt="x", n=5)
    assert info.value.message == (
        "call 1 of 3 (2 image(s)) failed: fake: bad key (2 other call(s) failed too)"
    )
    assert len(server.api_calls) == 3


async def test_forwarded_fields_and_extra_body(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    await client.images.generate(
        model="alpha", prompt="x", extra_body={"future_flag": True, "n": 2}
    )
    (call,) = server.api_calls
    assert call.json["future_flag"] is True
    assert call.json["n"] == 2


async def test_an_unknown_field_like_a_known_one_is_forwarded_with_a_warning(
    client: limner.AsyncClient,
) -> None:
    """A typo, or a field of image_config given at the top: forwarded as every unknown field
    is (a provider's own settings come that way), but said, since a provider that ignores
    fields it does not know would drop it without a word."""
    dry = await client.images.generate(
        model="alpha",
        prompt="x",
        dry_run=True,
        extra_body={"negative_promt": "fog", "aspect_ratio": "16:9", "future_flag": 1},
    )
    sent = dry.requests[0]["json"]
    assert (sent["negative_promt"], sent["aspect_ratio"], sent["future_flag"]) == ("fog", "16:9", 1)
    assert [(w.code, w.param, w.message) for w in dry.warnings] == [
        (
            "possible_typo",
            "negative_promt",
            "negative_promt is not a field limner knows: it is forwarded to the provider as "
            "given (a provider that does not know it ignores or refuses it); did you mean "
            "negative_prompt?",
        ),
        (
            "possible_typo",
            "aspect_ratio",
            "aspect_ratio is not a field limner knows: it is forwarded to the provider as "
            "given (a provider that does not know it ignores or refuses it); did you mean "
            "image_config.aspect_ratio?",
        ),
    ]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("sise", "size"), ("szie", "size"), ("sead", "seed"), ("sizee", "size"), ("stle", "style")],
)
async def test_one_slip_in_a_short_field_name_is_warned_of(
    client: limner.AsyncClient, typed: str, meant: str
) -> None:
    """Short names fall below difflib's cutoff after one slip (sise/size is 0.75): one letter
    changed, added, dropped or two swapped is taken for the known field too."""
    dry = await client.images.generate(
        model="alpha", prompt="x", dry_run=True, extra_body={typed: "1"}
    )
    assert [(w.code, w.param) for w in dry.warnings] == [("possible_typo", typed)]
    assert dry.warnings[0].message.endswith(f"did you mean {meant}?")


@pytest.mark.parametrize("name", ["steps", "sz", "seeds_of_doubt", "future_flag", "zise_"])
async def test_a_name_more_than_one_slip_away_is_not_taken_for_a_field(
    client: limner.AsyncClient, name: str
) -> None:
    dry = await client.images.generate(
        model="alpha", prompt="x", dry_run=True, extra_body={name: "1"}
    )
    assert dry.warnings == []


async def test_more_images_than_a_call_asked_for_are_kept_and_said(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """A plugin that sends the request's n instead of its call's share makes every call
    answer too many: billed, so returned, with a warning naming the likely cause."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        return web.json_response(ok_body(5))

    server.reply(answer, answer, answer)
    result = await client.images.generate(model="alpha", prompt="x", n=5, quality="high")
    assert len(result.data) == 15
    assert [w.code for w in result.warnings] == ["more_images"] * 3
    assert result.warnings[0].message == (
        "call 1 of 3: fake/alpha-1 returned 5 image(s), more than the 2 asked for; all are "
        "returned (and billed). Some models make more than asked (a story told in pictures); "
        "otherwise the fake plugin may send the wrong count (ProviderCall.n is the call's share "
        "of the request's n)"
    )


async def test_a_setting_of_another_operation_is_dropped_and_reported(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    result = await client.images.generate(
        model="alpha", prompt="x", extra_body={"input_fidelity": "high", "future_flag": 1}
    )
    (call,) = server.api_calls
    assert call.json["future_flag"] == 1  # unknown to limner: forwarded
    assert "input_fidelity" not in call.json
    (dropped,) = [a for a in result.adjustments if a.param == "input_fidelity"]
    assert dropped.requested == "high"
    assert dropped.applied is None
    assert dropped.reason == (
        "input_fidelity is a setting of images.edit, not of images.generate; not sent"
    )


async def test_a_variation_drops_prompt_settings(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    result = await client.images.create_variation(
        model="alpha", image=IMAGE, extra_body={"quality": "hd", "prompt": "y"}
    )
    (call,) = server.api_calls
    assert "quality" not in call.form and "prompt" not in call.form
    assert {a.param: a.reason for a in result.adjustments} == {
        "quality": "quality is a setting of images.generate and images.edit, not of "
        "images.create_variation; not sent",
        "prompt": "prompt is a setting of images.generate and images.edit, not of "
        "images.create_variation; not sent",
    }


async def test_stream_is_refused_for_every_provider_and_false_is_not_sent(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        await client.images.generate(model="alpha", prompt="x", extra_body={"stream": True})
    assert (info.value.param, info.value.code) == ("stream", "streaming_not_supported")
    assert info.value.message == "limner does not stream images yet; leave out stream"
    assert server.requests == []
    result = await client.images.generate(model="alpha", prompt="x", extra_body={"stream": False})
    (call,) = server.api_calls
    assert "stream" not in call.json
    assert [a.param for a in result.adjustments] == []
    # the SDK's keyword too, which a type checker takes (GenerateParams.stream)
    again = await client.images.generate(model="alpha", prompt="x", stream=False)
    assert "stream" not in server.api_calls[-1].json and again.adjustments == []
    with pytest.raises(limner.UnsupportedFeatureError):
        await client.images.generate(model="alpha", prompt="x", stream=True)


async def test_input_images_in_the_wrong_field_say_where_they_go(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(
            model="alpha", prompt="x", image=IMAGE, extra_body={"image": IMAGE_B64}
        )
    assert info.value.message == (
        "images.edit takes its input images as images (image= in the Python client) and a "
        "mask as mask; image is not one of its fields"
    )
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.create_variation(
            model="alpha", image=IMAGE, extra_body={"mask": IMAGE_B64}
        )
    assert info.value.message == (
        "images.create_variation takes one image as image, and no mask; use images.edit for "
        "several images or a mask"
    )
    assert server.requests == []


@pytest.mark.parametrize("field", ["mask", "images", "image"])
async def test_input_images_on_a_generation_are_refused(
    client: limner.AsyncClient, server: FakeServer, field: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x", extra_body={field: IMAGE_B64})
    assert info.value.param == field
    assert f"images.generate takes no {field}; send input images with images.edit" in (
        info.value.message
    )
    assert server.requests == []


async def test_missing_credentials_before_any_call(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(providers={"fake": {"base_url": f"{server.url}/v1"}})
    with pytest.raises(limner.MissingCredentialsError) as info:
        await client.images.generate(model="alpha", prompt="x", n=3)
    error = info.value
    # every call of the split n would fail alike, and none was sent: no "call 1 of 2 failed"
    assert error.message == "No Fake Images credential: set FAKE_API_KEY"
    assert error.setting == limner.ProviderSetting("fake", "api_key")
    assert str(error) == (
        f"{error.message} (or pass providers={{'fake': {{'api_key': ...}}}} to limner.Client "
        "or AsyncClient)"
    )
    assert error.param == "api_key"
    assert error.provider == "fake"
    assert error.http_status == 401
    assert error.to_openai()["error"]["code"] == "missing_credentials"
    assert server.requests == []


async def test_credentials_from_environment(make_client: MakeClient, server: FakeServer) -> None:
    client = make_client(
        providers={}, environ={"FAKE_API_KEY": API_KEY, "FAKE_BASE_URL": f"{server.url}/v1"}
    )
    await client.images.generate(model="alpha", prompt="x")
    (call,) = server.api_calls
    assert call.headers["authorization"] == f"Bearer {API_KEY}"
    assert call.headers["x-fake-key"] == API_KEY
    assert call.headers["user-agent"].startswith("limner/")


async def test_client_setting_overrides_environment(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(environ={"FAKE_API_KEY": "from-env", "FAKE_BASE_URL": "http://bad"})
    await client.images.generate(model="alpha", prompt="x")
    assert server.api_calls[0].headers["x-fake-key"] == API_KEY


async def test_bad_provider_setting_names_it(make_client: MakeClient, server: FakeServer) -> None:
    client = make_client(providers={"fake": {"api_key": API_KEY, "region": "eu"}})
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.param == "providers.fake.region"
    assert server.requests == []


async def test_variation(client: limner.AsyncClient, server: FakeServer) -> None:
    from .support import IMAGE

    result = await client.images.create_variation(model="alpha", image=IMAGE, n=3)
    assert len(result.data) == 3
    calls = server.api_calls
    assert {c.path for c in calls} == {"/v1/images/variations"}
    assert sorted(c.form["n"] for c in calls) == ["1", "2"]
    assert result.cost == Decimal("0.06")


async def test_downloads_of_one_request_run_side_by_side(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """Two input images, then two result URLs: each pair is held by the server until both of
    its requests have arrived, which downloads made one after another never do."""
    arrived: list[str] = []
    pairs = {"in": asyncio.Event(), "out": asyncio.Event()}

    async def held(request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        arrived.append(kind)
        if arrived.count(kind) == 2:
            pairs[kind].set()
        await asyncio.wait_for(pairs[kind].wait(), 2.0)
        return web.Response(body=server.files["/files/a.png"], content_type="image/png")

    app = web.Application()
    app.router.add_get("/held/{kind}/{name}", held)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    held_url = f"http://127.0.0.1:{runner.addresses[0][1]}/held"
    try:
        server.reply(web.json_response(ok_body(2, url=f"{held_url}/out/result.png")))
        result = await client.images.edit(
            model="alpha",
            prompt="x",
            image=[f"{held_url}/in/a.png", f"{held_url}/in/b.png"],
            n=2,
            response_format="b64_json",
        )
    finally:
        await runner.cleanup()
    assert sorted(arrived) == ["in", "in", "out", "out"]
    assert result.images() == [server.files["/files/a.png"]] * 2


async def test_errors_name_provider_and_model_even_when_the_plugin_did_not(
    make_client: MakeClient, server: FakeServer
) -> None:
    class Terse(FakePlugin):
        """Raises and parses errors without saying which provider or model."""

        @limner.hookimpl(tryfirst=True)
        def translate_request(
            self, provider: limner.Provider, call: limner.ProviderCall
        ) -> limner.Translation:
            raise limner.InvalidRequestError("no", param="prompt")

    client = make_client(plugins=[Terse()])
    with pytest.raises(limner.InvalidRequestError) as refused:
        await client.images.generate(model="alpha", prompt="x")
    assert (refused.value.provider, refused.value.model) == ("fake", "fake/alpha-1")
