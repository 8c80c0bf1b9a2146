"""Per-model rules: Imagen 4 Fast's fixed resolution, seed bounds in the published schema, the
thinking levels each Gemini image model takes, response modalities on the images endpoints, and
a split request in which one Gemini call answers without an image."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

import limner
from limner import Changes
from limner_google import GoogleProvider
from limner_google.models import MODELS, SEED_RANGE
from limner_google.plan import split_seed

from .conftest import REAL, MakeCall, Server, gemini_answer, model, png

IMAGE = png(4, 4)
B64 = base64.b64encode(IMAGE).decode()
FLASH = "google/gemini-3.1-flash-image"
GEMINI_BASE = "https://generativelanguage.googleapis.com/v1beta/models/"

# ---- Imagen 4 Fast has one resolution ---------------------------------------------------------


def test_imagen4_fast_sends_no_sample_image_size_for_a_2k_size(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(make_call("imagen-4.0-fast-generate-001", size="2048x2048"))
    assert translation.request.url == f"{GEMINI_BASE}imagen-4.0-fast-generate-001:predict"
    assert translation.request.json == {
        "instances": [{"prompt": "a red fox"}],
        "parameters": {"sampleCount": 1, "includeRaiReason": True, "aspectRatio": "1:1"},
    }
    assert translation.size == "1024x1024"
    (adjustment,) = translation.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == (
        "size",
        "2048x2048",
        "aspectRatio 1:1",
    )
    assert "fixed (1024-class)" in adjustment.reason


async def test_imagen4_fast_drops_image_size_2k_and_keeps_its_price() -> None:
    async with limner.AsyncClient(providers={"google": {"api_key": "k"}}, environ={}) as client:
        dry = await client.images.generate(
            model="google/imagen-4.0-fast-generate-001",
            prompt="a fox",
            n=2,
            image_config={"image_size": "2K"},
            dry_run=True,
        )
    assert dry.requests[0]["json"]["parameters"] == {"sampleCount": 2, "includeRaiReason": True}
    dropped = [(a.param, a.requested, a.applied) for a in dry.adjustments]
    assert dropped == [("image_config.image_size", "2K", None)]
    assert dry.estimated_cost_usd == Decimal("0.04")
    assert model("imagen-4.0-fast-generate-001").capabilities.image_sizes == ()
    assert model("imagen-4.0-generate-001").capabilities.image_sizes == ("1K", "2K")


# ---- seeds ------------------------------------------------------------------------------------


def test_every_model_taking_a_seed_declares_googles_int32_range() -> None:
    assert SEED_RANGE == (-(2**31), 2**31 - 1)
    ranges = {info.name: info.capabilities.seed_range for info in MODELS}
    assert all(info.capabilities.seed for info in MODELS)
    assert set(ranges.values()) == {SEED_RANGE}
    assert model("imagen-4.0-generate-001").capabilities.max_negative_prompt_chars is None


def test_the_seed_check_reads_the_models_range() -> None:
    narrow = model("gemini-3.1-flash-image")
    narrow = narrow.model_copy(
        update={"capabilities": narrow.capabilities.model_copy(update={"seed_range": (0, 10)})}
    )
    assert split_seed(Changes(), narrow, 10, 0) == 10
    with pytest.raises(limner.InvalidRequestError) as caught:
        split_seed(Changes(), narrow, 11, 0)
    assert caught.value.param == "seed"
    assert "(0 to 10)" in caught.value.message


async def test_gemini_schema_carries_the_seed_bounds_and_an_outside_seed_is_refused(
    server: Server,
) -> None:
    async with server.client() as client:
        schema = client.models.schema(FLASH)
        assert schema["properties"]["seed"] == {
            "type": ["integer", "null"],
            "minimum": -(2**31),
            "maximum": 2**31 - 1,
        }
        for seed in (2**31, -(2**31) - 1):
            with pytest.raises(limner.InvalidRequestError) as caught:
                await client.images.generate(model=FLASH, prompt="a fox", seed=seed)
            assert caught.value.param == "seed"
    assert server.seen == []


# ---- thinking levels --------------------------------------------------------------------------


def test_thinking_level_on_a_model_without_thinking_is_dropped(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-2.5-flash-image", options={"thinking_level": "HIGH"})
    translation = provider.translate(call)
    assert translation.request.json["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}
    (adjustment,) = translation.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == (
        "provider_options.google.thinking_level",
        "HIGH",
        None,
    )
    assert "no thinking" in adjustment.reason


@pytest.mark.parametrize(
    "name",
    ["gemini-3.1-flash-image", "gemini-3.1-flash-image-preview", "gemini-3.1-flash-lite-image"],
)
@pytest.mark.parametrize("level", ["LOW", "MEDIUM"])
def test_a_thinking_level_the_model_does_not_take_is_refused(
    provider: GoogleProvider, make_call: MakeCall, name: str, level: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call(name, options={"thinking_level": level}))
    assert caught.value.param == "provider_options.google.thinking_level"
    assert caught.value.message == (
        f"provider_options.google.thinking_level {level!r}: google/{name} takes MINIMAL or HIGH"
    )


def test_minimal_is_sent_to_a_31_image_model(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call("gemini-3.1-flash-image", options={"thinking_level": "MINIMAL"})
    assert provider.translate(call).request.json["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE"],
        "thinkingConfig": {"thinkingLevel": "MINIMAL"},
    }


ANSWERS = json.loads((REAL / "chat_answers.json").read_text())
USER = {"role": "user", "content": "an axolotl"}


async def test_chat_refuses_a_reasoning_effort_the_model_does_not_take(server: Server) -> None:
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=FLASH, messages=[USER], reasoning_effort="low"
            )
        assert caught.value.param == "reasoning_effort"
        assert caught.value.message.endswith(f"'low': {FLASH} takes minimal or high")
        with pytest.raises(limner.InvalidRequestError) as option:
            await client.chat.completions.create(
                model=FLASH, messages=[USER], provider_options={"google": {"thinking_level": "LOW"}}
            )
        assert option.value.param == "provider_options.google.thinking_level"
    assert server.seen == []


async def test_chat_drops_thinking_on_a_model_without_it(server: Server) -> None:
    server.answer(200, ANSWERS["flash_text_and_image"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model="google/gemini-2.5-flash-image",
            messages=[USER],
            reasoning_effort="high",
            provider_options={"google": {"thinking_level": "HIGH"}},
        )
    assert server.seen[0].body["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}
    dropped = {a.param: a.applied for a in result.adjustments}
    assert dropped == {"reasoning_effort": None, "provider_options.google.thinking_level": None}


async def test_chat_sends_high_to_a_31_image_model(server: Server) -> None:
    server.answer(200, ANSWERS["flash_text_and_image"])
    async with server.client() as client:
        await client.chat.completions.create(model=FLASH, messages=[USER], reasoning_effort="high")
    assert server.seen[0].body["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "HIGH"}


# ---- response modalities on the images endpoints ----------------------------------------------


async def test_images_refuse_response_modalities_without_image(server: Server) -> None:
    async with server.client() as client:
        for modalities in (["TEXT"], []):
            with pytest.raises(limner.InvalidRequestError) as caught:
                await client.images.generate(
                    model=FLASH,
                    prompt="a fox",
                    provider_options={"google": {"response_modalities": modalities}},
                )
            assert caught.value.param == "provider_options.google.response_modalities"
    assert server.seen == []


def test_an_edit_refuses_response_modalities_without_image(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "gemini-3-pro-image",
        "edit",
        images=[IMAGE],
        options={"response_modalities": ["TEXT"]},
    )
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == "provider_options.google.response_modalities"


# ---- one call of a split request answers without an image -------------------------------------


def text_only(finish: str = "STOP") -> Any:
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "I can only describe it."}]},
                "finishReason": finish,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 10,
            "candidatesTokenCount": 20,
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 20}],
            "totalTokenCount": 30,
        },
    }


# gemini-3.1-flash-image per million tokens: input 0.50, text output 3.00, image output 60.
IMAGE_CALL = Decimal("0.077435")  # 10 x 0.50 + 1290 x 60 + 10 x 3.00
TEXT_CALL = Decimal("0.000065")  # 10 x 0.50 + 20 x 3.00


@pytest.mark.parametrize(
    ("answer", "codes"),
    [
        (text_only(), ["no_images"]),
        (text_only("NO_IMAGE"), ["no_images"]),
        (text_only("IMAGE_SAFETY"), ["content_filtered"]),
    ],
)
async def test_a_split_call_without_an_image_keeps_the_others(
    server: Server, answer: Any, codes: list[str]
) -> None:
    """The other calls' billed images are kept; the call is priced from its usage; exactly one
    notice says what happened, with Google's reason (no_images, or content_filtered)."""
    calls: list[Any] = []

    def respond(body: Any) -> tuple[int, Any]:
        calls.append(body)
        return 200, answer if len(calls) == 2 else gemini_answer(image=IMAGE)

    server.responder = respond
    async with server.client() as client:
        result = await client.images.generate(model=FLASH, prompt="a fox", n=3)
    assert len(calls) == 3
    assert [d.b64_json for d in result.data] == [B64, B64]
    assert [w.code for w in result.warnings] == codes
    if codes == ["no_images"]:
        finish = answer["candidates"][0]["finishReason"]
        assert result.warnings[0].message == (
            f"1 image(s) not made: {FLASH} answered without an image (finishReason {finish}); "
            "it said: 'I can only describe it.'"
        )
    assert result.cost == 2 * IMAGE_CALL + TEXT_CALL
    assert result.usage is not None and result.usage.input_tokens == 30


NOT_SHOWN = {
    "candidates": [
        {
            "finishReason": "IMAGE_OTHER",
            "finishMessage": "Unable to show the generated image.",
        }
    ]
}


async def test_an_answer_without_an_image_quotes_googles_finish_message(server: Server) -> None:
    """Not only for safety finishes: Google's words say why (a Candidate's finishMessage)."""
    server.answer(200, NOT_SHOWN)
    async with server.client() as client:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await client.images.generate(model=FLASH, prompt="a fox")
    assert "(finishReason IMAGE_OTHER: Unable to show the generated image.)" in str(caught.value)


async def test_every_split_call_without_an_image_is_no_image_generated(server: Server) -> None:
    server.answer(200, text_only())
    async with server.client() as client:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await client.images.generate(model=FLASH, prompt="a fox", n=2)
    assert len(server.seen) == 2
    said = f"1 image(s) not made: {FLASH} answered without an image (finishReason STOP); it said: "
    billed = "the usage google reported for its calls may be billed ($0.00013)"  # both calls'
    assert caught.value.message == (  # the two calls said the same: once
        f"{FLASH} returned no image: {said}'I can only describe it.' (×2); {billed}"
    )


async def test_a_request_in_one_call_still_raises_with_the_text(server: Server) -> None:
    server.answer(200, text_only())
    async with server.client() as client:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await client.images.generate(model=FLASH, prompt="a fox")
    assert caught.value.text == "I can only describe it."
