"""Chat on the Gemini image models: settings mapped, adjusted or refused by name, stream refused,
dry runs, blocks and errors, assistant turns without (or with broken) state."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

import limner

from .conftest import REAL, Server, real_json

ANSWERS = json.loads((REAL / "chat_answers.json").read_text())
PRO = "google/gemini-3-pro-image"
USER = {"role": "user", "content": "an axolotl"}


async def test_settings_are_mapped_or_reported(server: Server) -> None:
    server.answer(200, ANSWERS["pro_with_text"])
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO,
            messages=[USER],
            top_p=0.9,
            seed=7,
            stop="END",
            max_tokens=100,
            max_completion_tokens=200,
            reasoning_effort="low",
            user="u-1",
            metadata={"k": "v"},
            response_format={"type": "text"},
            provider_options={"google": {"guidance_scale": 3.0}},
            extra_body={"safetySettings": [{"category": "X", "threshold": "BLOCK_NONE"}]},
        )
    body = server.seen[0].body
    assert body["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE"],
        "topP": 0.9,
        "maxOutputTokens": 200,
        "seed": 7,
        "stopSequences": ["END"],
        "thinkingConfig": {"thinkingLevel": "LOW"},
    }
    assert body["safetySettings"] == [{"category": "X", "threshold": "BLOCK_NONE"}]
    dropped = {a.param: a.applied for a in result.adjustments}
    assert dropped == {
        "max_tokens": None,
        "user": None,
        "metadata": None,
        "provider_options.google.guidance_scale": None,
    }


async def test_current_openai_chat_fields_gemini_has_no_setting_for_are_reported(
    server: Server,
) -> None:
    """OpenAI's newer request fields (``safety_identifier`` and ``prompt_cache_key`` replace
    ``user``) are known fields: reported as not sent, not refused as unknown ones."""
    server.answer(200, ANSWERS["pro_with_text"])
    fields: dict[str, Any] = {
        "safety_identifier": "u-1",
        "prompt_cache_key": "k",
        "prompt_cache_retention": "24h",
        "verbosity": "low",
        "store": True,
        "service_tier": "auto",
    }
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER], **fields)
    body = server.seen[0].body
    assert not set(fields) & set(body) and not set(fields) & set(body["generationConfig"])
    assert {a.param: a.reason for a in result.adjustments} == {
        name: "Google's generateContent has no such setting" for name in fields
    }


async def test_web_search_is_refused_as_tools_are(server: Server) -> None:
    async with server.client() as client:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER], web_search_options={})
    assert caught.value.param == "web_search_options"
    assert server.seen == []


async def test_penalties_are_dropped_unless_zero(server: Server) -> None:
    """Gemini 2.5 and later answer a non-zero penalty with 400 "Penalty is not enabled for this
    model"; zero is accepted (it is the default), so it is sent as given."""
    server.answer(200, ANSWERS["pro_with_text"])
    async with server.client() as client:
        kept = await client.chat.completions.create(
            model=PRO, messages=[USER], frequency_penalty=0, presence_penalty=0.0
        )
        dropped = await client.chat.completions.create(
            model=PRO, messages=[USER], frequency_penalty=0.5, presence_penalty=-1
        )
    first, second = (seen.body["generationConfig"] for seen in server.seen)
    assert (first["frequencyPenalty"], first["presencePenalty"]) == (0, 0.0)
    assert kept.adjustments == []
    assert "frequencyPenalty" not in second and "presencePenalty" not in second
    assert [(a.param, a.requested, a.applied) for a in dropped.adjustments] == [
        ("frequency_penalty", 0.5, None),
        ("presence_penalty", -1, None),
    ]
    assert "take no penalties" in dropped.adjustments[0].reason


async def test_a_penalty_also_passed_through_is_sent_as_asked(server: Server) -> None:
    """Google's own field given too: the caller wants it sent, so nothing is dropped; two
    values that disagree are refused by path."""
    server.answer(200, ANSWERS["pro_with_text"])
    raw = {"generationConfig": {"frequencyPenalty": 0.5}}
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[USER], frequency_penalty=0.5, extra_body=raw
        )
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=PRO, messages=[USER], frequency_penalty=0.2, extra_body=raw
            )
    assert server.seen[0].body["generationConfig"]["frequencyPenalty"] == 0.5
    assert result.adjustments == []
    assert caught.value.param == "generationConfig.frequencyPenalty"


async def test_a_chat_translation_error_names_the_provider_and_model(server: Server) -> None:
    """Raised by the plugin's translate_chat without naming itself: core names it, as it does on
    the images path."""
    request: dict[str, Any] = {
        "model": PRO,
        "messages": [USER],
        "image_config": {"image_size": "8K"},
    }
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(**request)
    assert (caught.value.provider, caught.value.model) == ("google", PRO)


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"logit_bias": {"1": 1.0}}, "logit_bias"),
        ({"response_format": {"type": "json_object"}}, "response_format.type"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"image_config": {"aspect_ratio": "8"}}, "image_config.aspect_ratio"),
        ({"image_config": {"image_size": "8K"}}, "image_config.image_size"),
        ({"stream": True}, "stream"),
        ({"stream_options": {"include_usage": True}}, "stream_options"),
        ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools"),
        ({"extra_headers": {"x-goog-api-key": "stolen"}}, "extra_headers.x-goog-api-key"),
        ({"provider_options": {"googel": {}}}, "provider_options.googel"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "messages[0]"),
    ],
)
async def test_refused_before_any_call(server: Server, fields: dict[str, Any], param: str) -> None:
    request: dict[str, Any] = {"model": PRO, "messages": [USER], **fields}
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(**request)
    assert caught.value.param == param
    assert server.seen == []


@pytest.mark.parametrize("dry_run", [True, False])
async def test_a_seed_outside_the_models_range_is_refused_by_core_as_on_the_images_path(
    server: Server, dry_run: bool
) -> None:
    """The model's seed_range is checked before translation on the chat path too."""
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            request: dict[str, Any] = {"messages": [USER], "seed": 2**31, "dry_run": dry_run}
            await client.chat.completions.create(model=PRO, **request)
    assert (caught.value.param, caught.value.code) == ("seed", "invalid_value")
    assert "outside -2147483648 to 2147483647, the seeds google/gemini-3-pro-image takes" in (
        caught.value.message
    )
    assert server.seen == []


async def test_asking_for_no_tool_call_is_not_refused(server: Server) -> None:
    """``tool_choice="none"`` (which generic OpenAI code sets) asks for what limner does:
    it was refused as a request for tool calls."""
    async with server.client() as client:
        plan = await client.chat.completions.create(
            model=PRO, messages=[USER], tool_choice="none", function_call="none", dry_run=True
        )
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await client.chat.completions.create(
                model=PRO, messages=[USER], tool_choice="auto", dry_run=True
            )
    assert "tool_choice" not in json.dumps(plan.requests[0].get("json"))
    assert caught.value.param == "tool_choice"


@pytest.mark.parametrize(
    ("fields", "field", "param"),
    [
        ({"max_tokens": 9000}, "generation_config.max_output_tokens", "max_tokens"),
        ({"stop": "END"}, "generationConfig.stopSequences", "stop"),
        ({"modalities": ["image", "text"]}, "generation_config.response_modalities", "modalities"),
        ({}, "generation_config.response_modalities", "generation_config.response_modalities"),
    ],
)
async def test_a_400_names_the_chat_field_the_caller_set(
    server: Server, fields: dict[str, Any], field: str, param: str
) -> None:
    violation = {"@type": "type.googleapis.com/google.rpc.BadRequest"}
    violation["fieldViolations"] = [{"field": field, "description": "Invalid value"}]  # type: ignore[assignment]
    error = {"code": 400, "message": "Invalid value", "status": "INVALID_ARGUMENT"}
    server.answers[:] = [(400, {"error": {**error, "details": [violation]}}, {})]
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER], **fields)
    assert caught.value.param == param


async def test_stream_error_is_clear(server: Server) -> None:
    async with server.client() as client:
        with pytest.raises(limner.UnsupportedFeatureError, match="stream=True is not supported"):
            await client.chat.completions.create(model=PRO, messages=[USER], stream=True)
        await client.chat.completions.create(  # stream=False is the default: fine
            model=PRO, messages=[USER], stream=False, dry_run=True
        )


async def test_dry_run_shows_the_request_and_estimates_by_image_size() -> None:
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(
            model="google/gemini-3.1-flash-image-preview",
            messages=[USER],
            image_config={"image_size": "2K"},
            n=2,
            dry_run=True,
        )
    assert len(plan.requests) == 2
    assert plan.requests[0]["headers"]["x-goog-api-key"] == "<redacted>"
    assert plan.requests[0]["json"]["generationConfig"]["imageConfig"] == {"imageSize": "2K"}
    assert plan.estimated_cost_usd == Decimal("0.202")


async def test_vertex_person_generation_and_url(server: Server, fake_credentials: Any) -> None:
    server.answer(200, ANSWERS["vertex_image_only"])
    async with server.client(
        vertexai=True, project="proj", location="global", credentials=fake_credentials()
    ) as client:
        await client.chat.completions.create(
            model=PRO,
            messages=[USER],
            provider_options={"google": {"person_generation": "ALLOW_ADULT"}},
        )
    seen = server.seen[0]
    assert seen.path.endswith(
        "/projects/proj/locations/global/publishers/google/models/"
        "gemini-3-pro-image:generateContent"
    )
    assert seen.headers["authorization"] == "Bearer ya29.fake-1"
    assert seen.body["generationConfig"]["imageConfig"] == {"personGeneration": "ALLOW_ADULT"}


async def test_safety_stop_with_text_is_a_content_filter_finish(server: Server) -> None:
    server.answer(
        200, real_json("firebase-test-data__googleai_unary-failure-finish-reason-safety.json")
    )
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER])
    assert result.choices[0].finish_reason == "content_filter"
    assert result.choices[0].message.content == "Safety error incoming in 5, 4, 3, 2..."
    assert result.choices[0].message.images == []
    assert [(w.code, w.message) for w in result.warnings] == [
        ("content_filtered", "Gemini withheld the image (finishReason SAFETY)")
    ]


async def test_strict_mode_fails_a_chat_answer_whose_image_was_withheld(server: Server) -> None:
    """As the images path does: strict mode's rule holds on every surface."""
    server.answer(
        200, real_json("firebase-test-data__googleai_unary-failure-finish-reason-safety.json")
    )
    async with server.client(strict=True) as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert caught.value.reason == "Gemini withheld the image (finishReason SAFETY)"


async def test_a_chat_answer_without_output_quotes_googles_finish_message(
    server: Server,
) -> None:
    answer = {
        "candidates": [{"finishReason": "IMAGE_OTHER", "finishMessage": "Not shown."}],
        "responseId": "resp-empty",
    }
    server.answer(200, answer)
    async with server.client() as client:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert "(finishReason IMAGE_OTHER: Not shown.)" in str(caught.value)
    assert caught.value.request_id == "resp-empty"  # for Google's support: it may be billed


async def test_a_text_only_chat_ending_on_safety_withheld_no_image(server: Server) -> None:
    """modalities=["text"] asks for no image: the safety finish is a finish_reason notice, and
    strict mode does not fail the answer."""
    server.answer(
        200, real_json("firebase-test-data__googleai_unary-failure-finish-reason-safety.json")
    )
    async with server.client(strict=True) as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[USER], modalities=["text"]
        )
    assert [(w.code, w.message) for w in result.warnings] == [
        ("finish_reason", "Gemini finished with SAFETY")
    ]


async def test_safety_block_without_output_is_a_content_policy_error(server: Server) -> None:
    rating = {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "blocked": True}
    answer = {
        "candidates": [
            {
                "content": {"role": "model"},
                "finishReason": "IMAGE_SAFETY",
                "safetyRatings": [rating],
            }
        ]
    }
    server.answer(200, answer)
    server.answer(200, {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": [rating]}})
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
        with pytest.raises(limner.ContentPolicyError) as prompt:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert caught.value.reason == "IMAGE_SAFETY"
    assert (caught.value.stage, caught.value.categories) == (
        "output",
        ("HARM_CATEGORY_DANGEROUS_CONTENT",),
    )
    assert (prompt.value.stage, prompt.value.categories) == (
        "input",
        ("HARM_CATEGORY_DANGEROUS_CONTENT",),
    )


async def test_a_blocked_chat_carries_the_cost_of_its_usage(server: Server) -> None:
    """As on the images path: the refusal prices the usage Google reported with it."""
    server.answer(
        200,
        {
            "promptFeedback": {"blockReason": "SAFETY"},
            "usageMetadata": {"promptTokenCount": 1000, "totalTokenCount": 1000},
        },
    )
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert caught.value.cost == Decimal("0.002")  # 1000 prompt tokens at $2.00 a million
    assert caught.value.message.endswith(
        "the usage google reported for its calls may be billed ($0.002)"
    )


async def test_blocked_prompt_is_a_content_policy_error(server: Server) -> None:
    server.answer(
        200, real_json("firebase-test-data__googleai_unary-failure-only-prompt-feedback.json")
    )
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError, match="prompt blocked"):
            await client.chat.completions.create(model=PRO, messages=[USER])


async def test_google_errors_map_through_the_plugin(server: Server) -> None:
    server.answer(400, real_json("firebase-test-data__googleai_unary-failure-api-key.json"))
    async with server.client() as client:
        with pytest.raises(limner.AuthenticationError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert "API key not valid" in caught.value.message
    assert "test-key" not in caught.value.message


async def test_assistant_turn_without_state_goes_back_plain_with_a_warning(
    server: Server,
) -> None:
    server.answer(200, ANSWERS["flash_text_only"])
    url = (
        "data:image/png;base64,"
        + ANSWERS["flash_text_and_image"]["candidates"][0]["content"]["parts"][1]["inlineData"][
            "data"
        ]
    )
    assistant = {
        "role": "assistant",
        "content": url,
        "images": [{"type": "image_url", "image_url": {"url": url}}],
    }
    async with server.client() as client:
        result = await client.chat.completions.create(
            model=PRO, messages=[USER, assistant, {"role": "user", "content": "bluer"}]
        )
    model_turn = server.seen[0].body["contents"][1]
    assert model_turn == {
        "role": "model",
        "parts": [{"inlineData": {"mimeType": "image/png", "data": url.split(",", 1)[1]}}],
    }
    # (the answer, a recorded text-only one, says it holds no image)
    assert [w.code for w in result.warnings] == ["no_provider_state", "no_images"]
    assert result.warnings[0].param == "messages[1].limner"


async def test_state_from_another_provider_is_not_replayed(server: Server) -> None:
    server.answer(200, ANSWERS["flash_text_only"])
    assistant = {
        "role": "assistant",
        "content": "earlier",
        "limner": {"provider": "other", "model": "other/m", "state": {"secret": 1}},
    }
    async with server.client() as client:
        await client.chat.completions.create(model=PRO, messages=[USER, assistant, USER])
    assert server.seen[0].body["contents"][1] == {"role": "model", "parts": [{"text": "earlier"}]}


@pytest.mark.parametrize(
    ("state", "param"),
    [
        ({"parts": "nope"}, "messages[1].limner.state"),
        ({"parts": [{"image": "0"}]}, "messages[1].limner.state.parts[0].image"),
        ({"parts": [{"thought_image": 0}]}, "messages[1].limner.state.parts[0].thought_image"),
        # parts limner never stores: Google would read the operator's files for the client,
        # or take image bytes past the checks of input images
        (
            {"parts": [{"fileData": {"mimeType": "image/png", "fileUri": "gs://ops/a.png"}}]},
            "messages[1].limner.state.parts[0]",
        ),
        (
            {"parts": [{"text": "x"}, {"functionCall": {"name": "f"}}]},
            "messages[1].limner.state.parts[1]",
        ),
        (
            {"parts": [{"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}}]},
            "messages[1].limner.state.parts[0]",
        ),
        (  # the same, spelt as Google's REST API also reads it, or in capitals
            {"parts": [{"inlineData": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}]},
            "messages[1].limner.state.parts[0]",
        ),
        (
            {"parts": [{"inlineData": {"mimeType": "IMAGE/PNG", "data": "iVBORw0KGgo="}}]},
            "messages[1].limner.state.parts[0]",
        ),
        (
            {"parts": [{"inline_data": {"mimeType": "text/plain", "data": "aGk="}}]},
            "messages[1].limner.state.parts[0]",
        ),
    ],
)
async def test_broken_state_is_refused(server: Server, state: Any, param: str) -> None:
    assistant = {
        "role": "assistant",
        "content": "x",
        "limner": {"provider": "google", "model": PRO, "state": state},
    }
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER, assistant, USER])
    assert caught.value.param == param
    assert server.seen == []


async def test_state_as_limner_stored_it_is_replayed_whole(server: Server) -> None:
    """Text, thoughts, signatures, image indexes and a non-image inline part (kept as Google
    sent it) go back as they came."""
    server.answer(200, ANSWERS["flash_text_only"])
    doc = {"mimeType": "text/plain", "data": "aGk="}
    parts = [
        {"text": "plan", "thought": True, "thoughtSignature": "c2ln"},
        {"inlineData": doc},
        {"text": "done", "thoughtSignature": "c2ln"},
    ]
    assistant = {
        "role": "assistant",
        "content": "done",
        "limner": {"provider": "google", "model": PRO, "state": {"parts": parts}},
    }
    async with server.client() as client:
        await client.chat.completions.create(model=PRO, messages=[USER, assistant, USER])
    assert server.seen[0].body["contents"][1] == {"role": "model", "parts": parts}


def test_sync_client_chat_dry_run() -> None:
    with limner.Client(environ={}) as client:
        plan = client.chat.completions.create(
            model="google/gemini-2.5-flash-image", messages=[USER], dry_run=True
        )
    assert plan.requests[0]["json"]["contents"] == [
        {"role": "user", "parts": [{"text": "an axolotl"}]}
    ]
    assert plan.estimated_cost_usd == Decimal("0.039")
