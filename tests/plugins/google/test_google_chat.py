"""Chat completions on the Gemini image models through ``limner.AsyncClient`` against a loopback
server answering with pydantic-ai's real Gemini recordings (``data/chat_answers.json``, built by
``build_chat_data.py``): exact wire requests, both response shapes, the three-turn edit carrying
thought signatures, the JSON round trip, usage and cost."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

import limner
from limner.chat import ChatCompletion, ChatMessage, ChatRequest

from .conftest import REAL, Server, png

ANSWERS = json.loads((REAL / "chat_answers.json").read_text())
PRO = "google/gemini-3-pro-image"  # the answers were recorded from its preview id
FLASH = "google/gemini-3.1-flash-image"
PATH = "/v1beta/models/{}:generateContent"
PHOTO = png(6, 4)
PHOTO_B64 = base64.b64encode(PHOTO).decode()


def parts(name: str) -> list[dict[str, Any]]:
    """The model's parts exactly as the (recorded) answer held them."""
    found: list[dict[str, Any]] = ANSWERS[name]["candidates"][0]["content"]["parts"]
    return found


def data_url(part: dict[str, Any]) -> str:
    inline = part["inlineData"]
    return f"data:{inline['mimeType']};base64,{inline['data']}"


async def test_single_turn_text_to_image_wire_request(server: Server) -> None:
    server.answer(200, ANSWERS["pro_with_text"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=FLASH,
            messages=[
                {"role": "system", "content": "You draw axolotls."},
                {"role": "user", "content": "An axolotl in a tank"},
            ],
            image_config={"aspect_ratio": "16:9", "image_size": "2k"},
            modalities=["image", "text"],
            temperature=0.5,
            max_tokens=2000,
        )
    seen = server.seen[0]
    assert (seen.method, seen.path) == ("POST", PATH.format("gemini-3.1-flash-image"))
    assert seen.headers["x-goog-api-key"] == "test-key"
    assert seen.body == {
        "contents": [{"role": "user", "parts": [{"text": "An axolotl in a tank"}]}],
        "systemInstruction": {"parts": [{"text": "You draw axolotls."}]},
        "generationConfig": {
            "responseModalities": ["IMAGE", "TEXT"],
            "temperature": 0.5,
            "maxOutputTokens": 2000,
            "imageConfig": {"aspectRatio": "16:9", "imageSize": "2K"},
        },
    }
    assert result.object == "chat.completion"
    [(param, requested, applied)] = [(a.param, a.requested, a.applied) for a in result.adjustments]
    assert (param, requested, applied) == ("image_config.image_size", "2k", "2K")  # said


async def test_edit_with_a_data_url_image(server: Server) -> None:
    server.answer(200, ANSWERS["flash_text_and_image"])
    image = f"data:image/png;base64,{PHOTO_B64}"
    async with server.client() as client:
        await client.chat.completions.create(
            model=PRO,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Add a moon"},
                        {"type": "image_url", "image_url": {"url": image}},
                    ],
                }
            ],
        )
    assert server.seen[0].body["contents"] == [
        {
            "role": "user",
            "parts": [
                {"text": "Add a moon"},
                {"inlineData": {"mimeType": "image/png", "data": PHOTO_B64}},
            ],
        }
    ]
    assert server.seen[0].body["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}


@pytest.fixture
async def image_host() -> AsyncIterator[str]:
    """A second loopback server that serves PHOTO at /photo.png."""

    async def photo(request: web.Request) -> web.Response:
        return web.Response(body=PHOTO, content_type="image/png")

    app = web.Application()
    app.router.add_get("/photo.png", photo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/photo.png"
    await runner.cleanup()


def photo_message(url: str) -> dict[str, Any]:
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": "Make it night"},
            {"type": "image_url", "image_url": {"url": url}},
        ],
    }


async def test_edit_with_a_remote_image_downloads_it(server: Server, image_host: str) -> None:
    server.answer(200, ANSWERS["flash_text_and_image"])
    async with server.client() as client:  # allow_private_networks=True (loopback, plain http)
        await client.chat.completions.create(model=PRO, messages=[photo_message(image_host)])
    sent = server.seen[0].body["contents"][0]["parts"][1]
    assert sent == {"inlineData": {"mimeType": "image/png", "data": PHOTO_B64}}


async def test_private_image_urls_are_refused_before_any_call(
    server: Server, image_host: str
) -> None:
    client = limner.AsyncClient(providers={"google": {"api_key": "k", "base_url": server.url}})
    async with client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(model=PRO, messages=[photo_message(image_host)])
    assert caught.value.param == "messages[0].content[1].image_url.url"
    assert server.seen == []


async def test_three_turn_edit_carries_thought_signatures_through_json(server: Server) -> None:
    for name in ("pro_with_text", "pro_turn2_adapted", "pro_turn3_adapted"):
        server.answer(200, ANSWERS[name])
    messages: list[Any] = [{"role": "user", "content": "An axolotl named Archie"}]
    async with server.client() as client:
        first = await client.chat.completions.create(model=PRO, messages=messages)
        messages += [first.choices[0].message, {"role": "user", "content": "Give him a hat"}]
        second = await client.chat.completions.create(model=PRO, messages=messages)
        # The conversation goes to a database as JSON and comes back.
        stored = json.dumps(
            [m if isinstance(m, dict) else m.to_param() for m in messages]
            + [second.choices[0].message.to_param(), {"role": "user", "content": "Make it blue"}]
        )
        third = await client.chat.completions.create(model=PRO, messages=json.loads(stored))
    turn2, turn3 = server.seen[1].body["contents"], server.seen[2].body["contents"]
    # Each earlier model turn goes back exactly as Google sent it: signatures, thought parts,
    # the interim image and the final image, in order.
    assert turn2[1] == {"role": "model", "parts": parts("pro_with_text")}
    assert turn2[1]["parts"][1]["thoughtSignature"].startswith("EoClMgr8pDIB")
    assert turn3[1] == turn2[1]
    assert turn3[3] == {"role": "model", "parts": parts("pro_turn2_adapted")}
    assert [c["role"] for c in turn3] == ["user", "model", "user", "model", "user"]
    assert turn3[4] == {"role": "user", "parts": [{"text": "Make it blue"}]}
    # The interim image is kept apart from the final one.
    message = second.choices[0].message
    assert [p.image_url.url for p in message.images] == [data_url(parts("pro_turn2_adapted")[3])]
    assert message.limner is not None
    assert [p.image_url.url for p in message.limner.thought_images] == [
        data_url(parts("pro_turn2_adapted")[1])
    ]
    assert message.content == "I gave Archie a tiny red hat."
    assert third.choices[0].message.content == "Now the hat is blue."
    assert third.warnings == []


async def test_a_conversation_survives_a_json_round_trip(server: Server) -> None:
    server.answer(200, ANSWERS["pro_turn2_adapted"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": "x"}]
        )
    document = json.loads(json.dumps(result.model_dump(mode="json")))
    assert ChatCompletion.model_validate(document) == result
    reloaded = ChatRequest.model_validate(
        {
            "model": PRO,
            "messages": [{"role": "user", "content": "x"}, document["choices"][0]["message"]],
        }
    )
    answer = result.choices[0].message  # (an AnswerMessage: the request's is a ChatMessage)
    assert reloaded.messages[1] == ChatMessage.model_validate(answer.model_dump())
    state = document["choices"][0]["message"]["limner"]
    assert state["provider"] == "google" and state["model"] == PRO
    image = base64.b64decode(parts("pro_turn2_adapted")[3]["inlineData"]["data"])
    assert state["state"]["parts"][3] == {
        "image": 0,
        "image_digest": hashlib.blake2b(image, digest_size=8).hexdigest(),
        "thoughtSignature": parts("pro_turn2_adapted")[3]["thoughtSignature"],
    }
    assert state["state"]["parts"][1]["thought_image"] == 0


async def test_text_and_image_answer_shape(server: Server) -> None:
    server.answer(200, ANSWERS["flash_text_and_image"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model="google/gemini-2.5-flash-image",
            messages=[{"role": "user", "content": "Generate an image of an axolotl."}],
        )
    body = result.model_dump(mode="json")
    message = body["choices"][0]["message"]
    assert message["content"] == "Here's an image of an axolotl for you! "
    assert message["images"] == [
        {"type": "image_url", "image_url": {"url": data_url(parts("flash_text_and_image")[1])}}
    ]
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["id"] == "chatcmpl-vIfdaKSMD96ez7IPpr73qAM"
    assert body["request_id"] == "vIfdaKSMD96ez7IPpr73qAM"  # for a support request, as images
    assert body["provider"] == "google" and body["model"] == "google/gemini-2.5-flash-image"
    assert result.choices[0].message.image_bytes()[0].startswith(b"\x89PNG")


async def test_image_only_answer_puts_the_data_url_in_content(server: Server) -> None:
    server.answer(200, ANSWERS["vertex_image_only"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model="google/gemini-2.5-flash-image", messages=[{"role": "user", "content": "x"}]
        )
    message = result.choices[0].message
    url = data_url(parts("vertex_image_only")[0])
    assert url.startswith("data:image/jpeg;base64,/9j/")
    assert message.content == url
    assert [p.image_url.url for p in message.images] == [url]
    assert message.text is None
    assert result.created == 1766017427  # createTime 2025-12-18T00:23:47.329132Z


async def test_text_only_answer_is_a_plain_message(server: Server) -> None:
    server.answer(200, ANSWERS["flash_text_only"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model="google/gemini-2.5-flash-image",
            messages=[{"role": "user", "content": "A story, no image please."}],
        )
    message = result.choices[0].message
    assert message.images == [] and (message.text or "").startswith("In a hidden cave")
    assert result.usage is not None and result.usage.completion_tokens_details.image_tokens == 0
    assert result.cost == Decimal("0.0000054") + Decimal("0.00012")  # 18 x 0.30 + 48 x 2.50 /1M


async def test_usage_and_cost_from_real_usage_metadata(server: Server) -> None:
    server.answer(200, ANSWERS["pro_with_text"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": "x"}]
        )
    assert result.cost == Decimal("0.138472")  # pydantic-ai's snapshot for this recording
    usage = result.model_dump(mode="json")["usage"]
    assert usage == {
        "prompt_tokens": 14,
        "completion_tokens": 1457,
        "total_tokens": 1471,
        "prompt_tokens_details": {"text_tokens": 14, "image_tokens": 0, "cached_tokens": 0},
        "completion_tokens_details": {  # the three add up to completion_tokens
            "text_tokens": 163,
            "image_tokens": 1120,
            "reasoning_tokens": 174,
        },
    }
    assert result.model_dump(mode="json")["cost"] == 0.138472


async def test_cached_prompt_tokens_are_counted_and_said_to_be_priced_in_full(
    server: Server,
) -> None:
    answer = json.loads(json.dumps(ANSWERS["pro_with_text"]))
    answer["usageMetadata"]["cachedContentTokenCount"] = 10
    server.answer(200, answer)
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": "x"}]
        )
    assert result.usage is not None
    assert result.usage.prompt_tokens_details.cached_tokens == 10
    assert result.cost == Decimal("0.138472")  # no cache rate in the sources: as before
    (notice,) = [w for w in result.warnings if w.code == "cached_tokens_at_full_price"]
    assert notice.message.startswith("10 of the prompt tokens came from Gemini's context cache")
    async with server.client() as client:  # the images surface prices the same usage so too
        images = await client.images.generate(model=PRO, prompt="x")
    assert images.cost == Decimal("0.138472")
    assert [w.message for w in images.warnings if w.code == notice.code] == [notice.message]


@pytest.mark.parametrize(
    ("traffic", "said"),
    [("PROVISIONED_THROUGHPUT", True), ("ON_DEMAND_FLEX", True), ("ON_DEMAND", False)],
)
async def test_traffic_other_than_on_demand_is_said_to_be_priced_at_on_demand_rates(
    server: Server, traffic: str, said: bool
) -> None:
    """Vertex reports the traffic a call was served as; the price sources give on-demand
    rates only: a provisioned-throughput call was priced so without a word."""
    answer = json.loads(json.dumps(ANSWERS["pro_with_text"]))
    answer["usageMetadata"]["trafficType"] = traffic
    server.answer(200, answer)
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": "x"}]
        )
        images = await client.images.generate(model=PRO, prompt="x")
    for made in (result, images):
        notices = [w.message for w in made.warnings if w.code == "priced_as_on_demand"]
        expected = f"Vertex AI served this call as {traffic} traffic; the cost uses on-demand"
        assert [m.startswith(expected) for m in notices] == ([True] if said else [])
    assert result.cost == images.cost == Decimal("0.138472")


@pytest.mark.parametrize(
    "meta",
    [
        None,
        {},
        {"promptTokenCount": 14, "totalTokenCount": 14},
        {"promptTokenCount": 14, "candidatesTokenCount": 1120, "totalTokenCount": 1134},
    ],
    ids=["none", "empty", "no output count", "no image entry"],  # (images at the text rate)
)
async def test_an_image_answer_without_its_token_counts_is_priced_as_an_estimate_and_said(
    server: Server, meta: dict[str, Any] | None
) -> None:
    """On both surfaces: not the input tokens alone (or nothing) as if the image were free."""
    answer = json.loads(json.dumps(ANSWERS["pro_with_text"]))
    del answer["usageMetadata"]
    if meta is not None:
        answer["usageMetadata"] = meta
    server.answer(200, answer)
    async with server.client() as client:
        chat = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": "x"}]
        )
        images = await client.images.generate(model=PRO, prompt="x")
    for result in (chat, images):
        assert result.cost == Decimal("0.134")  # the 1K per-image estimate
        (notice,) = [w for w in result.warnings if w.code == "cost_estimated"]
        assert notice.message == (
            "google/gemini-3-pro-image is billed by tokens but its answer reported no usage "
            "limner can price (none, or counts without its image tokens): the cost comes from "
            "the per-image estimate (output only), not from the tokens billed"
        )


async def test_n_fans_out_one_call_per_choice(server: Server) -> None:
    server.answer(200, ANSWERS["pro_with_text"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": "x"}], n=3
        )
    assert len(server.seen) == 3
    assert [choice.index for choice in result.choices] == [0, 1, 2]
    assert result.cost == Decimal("0.138472") * 3
    assert result.usage is not None and result.usage.total_tokens == 1471 * 3
    assert result.usage.completion_tokens_details.reasoning_tokens == 174 * 3


async def test_n_over_the_models_limit_is_refused(server: Server) -> None:
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=PRO, messages=[{"role": "user", "content": "x"}], n=11
            )
    assert caught.value.param == "n"
    assert server.seen == []
