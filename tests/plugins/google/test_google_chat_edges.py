"""Chat edges found by review: an answer cut short by max_tokens, Google fields passed through
that would replace what limner maps, empty messages, answers without usage, and the reasoning
other OpenAI-compatible services add to assistant messages."""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from typing import Any

import pytest

import limner
from limner.chat import NO_STATE

from .conftest import Server, gemini_answer, png

PRO = "google/gemini-3-pro-image"
USER = {"role": "user", "content": "an axolotl"}
CUT_SHORT = {
    "candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS"}],
    "usageMetadata": {
        "promptTokenCount": 10,
        "candidatesTokenCount": 0,
        "thoughtsTokenCount": 990,
        "totalTokenCount": 1000,
    },
}


async def test_an_answer_cut_short_by_max_tokens_is_an_answer(server: Server) -> None:
    """OpenAI's finish_reason "length", with its usage and cost: not an error the SDKs retry
    (each retry billed again)."""
    server.answer(200, CUT_SHORT)
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER], max_tokens=2000)
    (choice,) = result.choices
    assert choice.finish_reason == "length"
    assert choice.message.content is None and choice.message.images == []
    assert result.usage is not None and result.usage.total_tokens == 1000
    assert result.cost is not None and result.cost > 0
    (notice,) = [w for w in result.warnings if w.code == "max_tokens"]
    assert notice.param == "max_tokens"
    assert notice.message.startswith(f"{PRO} used its whole output budget (2000 tokens)")
    assert len(server.seen) == 1


async def test_text_without_the_image_for_want_of_tokens_says_so(server: Server) -> None:
    """The budget ran out after some text: finish_reason "length", and the notice that the
    image did not fit, where OpenAI chat code sees only a shorter answer."""
    server.answer(
        200,
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": "Here is an axolotl"}]},
                    "finishReason": "MAX_TOKENS",
                }
            ],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5},
        },
    )
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER], max_tokens=2000)
    assert result.choices[0].finish_reason == "length"
    assert result.choices[0].message.content == "Here is an axolotl"
    assert [w.param for w in result.warnings if w.code == "max_tokens"] == ["max_tokens"]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"max_tokens": 300}, "max_tokens 300 is under the about 1116 output tokens one default"),
        (
            {"max_completion_tokens": 300},
            "max_completion_tokens 300 is under the about 1116 output tokens one default",
        ),
        (  # the size sent decides: a 4K image takes about 2000 tokens
            {"max_tokens": 1500, "image_config": {"image_size": "4K"}},
            "max_tokens 1500 is under the about 2000 output tokens one 4K",
        ),
        (
            {"extra_body": {"generationConfig": {"maxOutputTokens": 50}}},
            "generationConfig.maxOutputTokens 50 is under the about 1116 output tokens one",
        ),
        (  # Google's field in the SDK's spelling
            {"extra_body": {"generation_config": {"max_output_tokens": 50}}},
            "generationConfig.maxOutputTokens 50 is under the about 1116 output tokens one",
        ),
        ({"max_tokens": 4000}, None),
        ({"max_tokens": 300, "modalities": ["text"]}, None),  # no image asked for
    ],
)
async def test_a_budget_under_one_image_is_warned_of_before_the_call(
    fields: dict[str, Any], said: str | None
) -> None:
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(
            model=PRO, messages=[USER], dry_run=True, **fields
        )
    warned = [w for w in plan.warnings if w.code == "max_tokens"]
    if said is None:
        assert warned == []
        return
    (notice,) = warned
    assert notice.message.startswith(said)
    assert notice.param == said.split()[0]


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        (
            {"n": 2, "seed": 5, "extra_body": {"generation_config": {"seed": 6}}},
            "generationConfig.seed",
        ),
        (
            {
                "image_config": {"aspect_ratio": "16:9", "image_size": "1K"},
                "extra_body": {"generationConfig": {"imageConfig": {"imageSize": "4K"}}},
            },
            "generationConfig.imageConfig.imageSize",
        ),
        (
            {"temperature": 0.9, "extra_body": {"generationConfig": {"temperature": 0.1}}},
            "generationConfig.temperature",
        ),
        (  # snake_case inside: the same keys in Google's other spelling
            {"max_tokens": 100, "extra_body": {"generation_config": {"max_output_tokens": 5}}},
            "generationConfig.maxOutputTokens",
        ),
        (
            {
                "image_config": {"aspect_ratio": "16:9"},
                "extra_body": {"generation_config": {"image_config": {"aspect_ratio": "1:1"}}},
            },
            "generationConfig.imageConfig.aspectRatio",
        ),
        (
            {
                "messages": [{"role": "system", "content": "be brief"}, USER],
                "extra_body": {"system_instruction": {"parts": [{"text": "be long"}]}},
            },
            "systemInstruction.parts",
        ),
    ],
)
async def test_a_google_field_that_would_replace_a_mapped_one_is_refused(
    fields: dict[str, Any], param: str
) -> None:
    """Sent as given, it would override limner's value while the report said otherwise."""
    fields = {"messages": [USER], **fields}
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(model=PRO, dry_run=True, **fields)
    assert caught.value.param == param
    assert "limner sends for the request's own fields; set it in one place" in (
        caught.value.message
    )


async def test_a_google_field_that_agrees_or_adds_is_merged() -> None:
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(
            model=PRO,
            messages=[USER],
            seed=5,
            dry_run=True,
            extra_body={"generationConfig": {"seed": 5, "candidateCount": 1}},
        )
    config = plan.requests[0]["json"]["generationConfig"]
    assert (config["seed"], config["candidateCount"]) == (5, 1)


async def test_a_default_limner_fills_in_may_be_passed_through() -> None:
    """responseModalities is limner's default when neither modalities nor provider_options set
    it: a generationConfig passed through replaces it, on the chat and images paths alike."""
    passed = {"generationConfig": {"responseModalities": ["IMAGE"]}}
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(
            model=PRO, messages=[USER], dry_run=True, extra_body=passed
        )
        made = await client.images.generate(model=PRO, prompt="x", dry_run=True, extra_body=passed)
        with pytest.raises(limner.InvalidRequestError) as caught:  # set by the request: kept
            await client.chat.completions.create(
                model=PRO,
                messages=[USER],
                modalities=["text", "image"],
                dry_run=True,
                extra_body=passed,
            )
        with pytest.raises(limner.InvalidRequestError) as set_as_option:  # set in options: kept
            await client.images.generate(
                model=PRO,
                prompt="x",
                dry_run=True,
                provider_options={"google": {"response_modalities": ["TEXT", "IMAGE"]}},
                extra_body=passed,
            )
    for sent in (plan, made):
        assert sent.requests[0]["json"]["generationConfig"]["responseModalities"] == ["IMAGE"]
    assert caught.value.param == "generationConfig.responseModalities"
    assert set_as_option.value.param == "generationConfig.responseModalities"


async def test_the_images_path_merges_passed_through_fields_the_same_way() -> None:
    async with limner.AsyncClient(environ={}) as client:
        made = await client.images.generate(
            model="google/gemini-3.1-flash-image",
            prompt="x",
            image_config={"aspect_ratio": "16:9"},
            dry_run=True,
            extra_body={"generationConfig": {"imageConfig": {"imageSize": "2K"}}},
        )
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model=PRO,
                prompt="x",
                seed=3,
                dry_run=True,
                extra_body={"generation_config": {"seed": 5}},
            )
    config = made.requests[0]["json"]["generationConfig"]
    assert config["imageConfig"] == {"aspectRatio": "16:9", "imageSize": "2K"}
    assert caught.value.param == "generationConfig.seed"


async def test_empty_messages_are_left_out_and_reported() -> None:
    """A stopped answer an app kept (content "") is a turn without parts, which Google refuses."""
    messages = [
        USER,
        {"role": "assistant", "content": ""},
        {"role": "user", "content": []},
        {"role": "user", "content": "again"},
    ]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
        contents = plan.requests[0]["json"]["contents"]
        assert [c["parts"] for c in contents] == [[{"text": "an axolotl"}], [{"text": "again"}]]
        assert [(a.param, a.applied) for a in plan.adjustments] == [
            ("messages[1]", None),
            ("messages[2]", None),
        ]
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=PRO, messages=[{"role": "system", "content": "hi"}], dry_run=True
            )
    assert caught.value.param == "messages"


async def test_a_text_answer_without_usage_has_an_unknown_cost(server: Server) -> None:
    answer = gemini_answer("just words")
    del answer["usageMetadata"]
    server.answer(200, answer)
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER])
    assert result.cost is None
    assert [w.code for w in result.warnings] == ["no_images", "price_unknown"]
    assert result.warnings[0].message == (
        "the model answered with text alone (message.images is empty)"
    )


@pytest.mark.parametrize("finish", ["NO_IMAGE", "IMAGE_OTHER"])
async def test_a_text_answer_finished_without_an_image_has_the_no_images_warning(
    server: Server, finish: str
) -> None:
    """Google's own "no image" finish reasons, with text beside them: as for STOP."""
    answer = gemini_answer("I would rather describe it.")
    answer["candidates"][0]["finishReason"] = finish
    server.answer(200, answer)
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER])
    said = {w.code: w.message for w in result.warnings}
    assert said["no_images"] == (
        f"the model answered with text alone (message.images is empty; finishReason {finish})"
    )
    assert said["finish_reason"] == f"Gemini finished with {finish}"


async def test_usage_missing_from_one_choice_is_said(server: Server) -> None:
    bare = gemini_answer(image=png())
    del bare["usageMetadata"]
    server.answer(200, gemini_answer(image=png()))
    server.answer(200, bare)
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER], n=2)
    assert result.usage is not None and result.usage.total_tokens == 1310
    (notice,) = [w for w in result.warnings if w.code == "usage_incomplete"]
    assert notice.message == "choice(s) 1 came without token usage; usage counts the others only"
    assert result.cost is not None  # the second image estimated from the price sheet


async def test_reasoning_from_another_service_is_accepted_and_not_sent() -> None:
    history = [
        USER,
        {
            "role": "assistant",
            "content": "Here",
            "reasoning": "thinking...",
            "reasoning_details": [{"type": "reasoning.text", "text": "thinking..."}],
            "reasoning_content": "thinking...",
        },
        {"role": "user", "content": "again"},
    ]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=history, dry_run=True)
    contents = plan.requests[0]["json"]["contents"]
    assert contents[1] == {"role": "model", "parts": [{"text": "Here"}]}
    assert "thinking" not in str(plan.requests[0]["json"])


@pytest.mark.parametrize(
    "finish",
    [
        "SAFETY",
        "IMAGE_SAFETY",
        "PROHIBITED_CONTENT",
        "IMAGE_PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "RECITATION",
        "IMAGE_RECITATION",
        "MODEL_ARMOR",
        "ESCALATION",  # google-genai types.FinishReason (Gemini API only)
    ],
)
async def test_every_refusal_finish_reason_is_a_content_policy_error(
    server: Server, finish: str
) -> None:
    """finishReason values that mean a safety or policy refusal [PROTO Candidate.FinishReason]:
    without output, each is a block, on the images and chat paths."""
    answer = {"candidates": [{"content": {"role": "model"}, "finishReason": finish}]}
    server.answer(200, answer)
    server.answer(200, answer)
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as on_chat:
            await client.chat.completions.create(model=PRO, messages=[USER])
        with pytest.raises(limner.ContentPolicyError) as on_images:
            await client.images.generate(model=PRO, prompt="x")
    assert on_chat.value.reason == finish
    assert finish in on_images.value.message


async def test_an_account_google_limited_is_a_permission_error_not_a_prompt_to_reword(
    server: Server,
) -> None:
    """PUP_LIMITED_DISABLED: "the user account is limited or disabled due to Prohibited Use
    Policy violations" [google-genai types.FinishReason]; no rewording helps."""
    answer = {
        "candidates": [{"content": {"role": "model"}, "finishReason": "PUP_LIMITED_DISABLED"}]
    }
    server.answer(200, answer)
    server.answer(200, answer)
    async with server.client() as client:
        with pytest.raises(limner.PermissionDeniedError) as on_chat:
            await client.chat.completions.create(model=PRO, messages=[USER])
        with pytest.raises(limner.PermissionDeniedError) as on_images:
            await client.images.generate(model=PRO, prompt="x")
    for caught in (on_chat, on_images):
        assert "account is limited or disabled" in caught.value.message
        assert "rephrase" not in caught.value.message


async def test_a_turn_without_its_thought_signature_is_the_callers_to_fix(server: Server) -> None:
    """The Gemini API ends a conversation whose replayed model turn lacks its signature with
    MISSING_THOUGHT_SIGNATURE [google-genai types.FinishReason]: a 400 naming messages that says
    to send the turns back as limner returned them, not "no text nor image"."""
    answer = {
        "candidates": [{"content": {"role": "model"}, "finishReason": "MISSING_THOUGHT_SIGNATURE"}]
    }
    server.answer(200, answer)
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert (caught.value.param, caught.value.http_status) == ("messages", 400)
    assert "MISSING_THOUGHT_SIGNATURE" in caught.value.message
    assert "limner.state" in caught.value.message
    assert not caught.value.retryable


async def test_text_only_through_provider_options_is_not_estimated_as_an_image() -> None:
    """Asked for through provider_options (not modalities), the answer holds no image: the dry
    run says so and estimates no image price, as with modalities=["text"]."""
    options = {"google": {"response_modalities": ["TEXT"]}}
    async with limner.AsyncClient(environ={"GOOGLE_API_KEY": "k"}) as client:
        plan = await client.chat.completions.create(
            model=PRO, messages=[USER], provider_options=options, dry_run=True
        )
        image = await client.chat.completions.create(model=PRO, messages=[USER], dry_run=True)
    assert plan.requests[0]["json"]["generationConfig"]["responseModalities"] == ["TEXT"]
    assert plan.estimated_cost_usd is None
    assert [w.code for w in plan.warnings] == ["text_only", "price_unknown"]
    assert image.estimated_cost_usd is not None
    assert "text_only" not in [w.code for w in image.warnings]


async def test_empty_texts_names_and_detail_hints_are_left_out_and_reported() -> None:
    """Google refuses a part without data (400 "required oneof field 'data' must have one
    initialized field"), and has no participant names or image detail hints."""
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    image = {"type": "image_url", "image_url": {"url": url, "detail": "high"}}
    messages = [
        {"role": "system", "content": ""},
        {"role": "system", "content": "be brief", "name": "house-rules"},
        {"role": "user", "content": [{"type": "text", "text": ""}, image], "name": "ana"},
        {
            "role": "system",
            "content": [{"type": "text", "text": "s1"}, {"type": "text", "text": "s2"}],
        },
    ]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
    body = plan.requests[0]["json"]
    # a part for each text part: their boundary is kept
    assert body["systemInstruction"] == {
        "parts": [{"text": "be brief"}, {"text": "s1"}, {"text": "s2"}]
    }
    (turn,) = body["contents"]
    assert [list(part) for part in turn["parts"]] == [["inlineData"]]
    assert [(a.param, a.requested, a.applied) for a in plan.adjustments] == [
        ("messages[0]", "", None),
        ("messages[1].name", "house-rules", None),
        ("messages[3]", "a system message after the conversation began", "systemInstruction"),
        ("messages[2].name", "ana", None),
        ("messages[2].content[0]", "", None),
        ("messages[2].content[1].image_url.detail", "high", None),
    ]


async def test_a_turn_made_by_another_model_goes_back_without_its_state() -> None:
    """Thought signatures are the model's own: another Gemini model may refuse them as invalid,
    so a turn made by another model is sent as text and images, with a notice."""
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    made = {
        "role": "assistant",
        "content": "here",
        "images": [{"type": "image_url", "image_url": {"url": url}}],
        "limner": {
            "provider": "google",
            "model": PRO,
            "state": {"parts": [{"text": "here", "thoughtSignature": "c2ln"}, {"image": 0}]},
        },
    }
    messages = [USER, made, {"role": "user", "content": "bluer"}]
    async with limner.AsyncClient(environ={}) as client:
        same = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
        other = await client.chat.completions.create(
            model="google/gemini-3.1-flash-image-preview", messages=messages, dry_run=True
        )
    assert same.requests[0]["json"]["contents"][1]["parts"][0] == {
        "text": "here",
        "thoughtSignature": "c2ln",
    }
    replayed = other.requests[0]["json"]["contents"][1]["parts"]
    assert replayed[0] == {"text": "here"} and "inlineData" in replayed[1]
    (notice,) = [w for w in other.warnings if w.code == NO_STATE]
    assert notice.param == "messages[1].limner"
    assert f"made by {PRO}" in notice.message
    assert not [w for w in same.warnings if w.code == NO_STATE]


async def test_forwarded_fields_set_to_none_are_unset_in_the_python_api() -> None:
    """As the gateway reads a null field: not refused, not sent."""
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(
            model=PRO,
            messages=[USER],
            dry_run=True,
            extra_body={"foo": None, "generation_config": None, "safety_settings": None},
        )
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=PRO,
                messages=[USER],
                provider_options={"google": {"temperature": 2.5}},
                dry_run=True,
            )
    assert set(plan.requests[0]["json"]) == {"contents", "generationConfig"}
    assert caught.value.param == "provider_options.google.temperature"  # Gemini's 0 to 2


async def test_fields_passed_through_are_what_the_call_is_priced_and_checked_on() -> None:
    """A Google field passed through may replace what limner fills in (the resolution class,
    the response modalities): the estimate and the checks follow the body as sent."""
    plain, four_k = Decimal("0.134"), Decimal("0.24")  # gemini-3-pro-image: 1K-2K, 4K
    async with limner.AsyncClient(environ={}) as client:
        default = await client.chat.completions.create(model=PRO, messages=[USER], dry_run=True)
        bigger = await client.chat.completions.create(  # type: ignore[call-overload]  # an unknown field, forwarded
            model=PRO,
            messages=[USER],
            generationConfig={"imageConfig": {"imageSize": "4K"}},
            dry_run=True,
        )
        text = await client.chat.completions.create(  # type: ignore[call-overload]  # an unknown field, forwarded
            model=PRO,
            messages=[USER],
            generationConfig={"responseModalities": ["TEXT"]},
            dry_run=True,
        )
        image = await client.images.generate(
            model=PRO,
            prompt="x",
            extra_body={"generationConfig": {"imageConfig": {"imageSize": "4K"}}},
            dry_run=True,
        )
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model=PRO,
                prompt="x",
                extra_body={"generationConfig": {"responseModalities": ["TEXT"]}},
                dry_run=True,
            )
    assert (default.estimated_cost_usd, bigger.estimated_cost_usd) == (plain, four_k)
    assert image.estimated_cost_usd == four_k
    assert "text_only" in [w.code for w in text.warnings] and text.estimated_cost_usd is None
    assert caught.value.param == "generationConfig.responseModalities"


async def test_more_chat_edges_from_review() -> None:
    """An assistant image's detail hint is reported; a text-only turn from another model goes
    back without a notice (only images can suffer); a message of empty texts is reported once,
    as a whole; a None passed as a keyword is unset."""
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    hinted = {
        "role": "assistant",
        "content": "here",
        "images": [{"type": "image_url", "image_url": {"url": url, "detail": "low"}}],
    }
    words = {
        "role": "assistant",
        "content": "just words",
        "limner": {"provider": "google", "model": PRO, "state": {"parts": [{"text": "w"}]}},
    }
    empty = {"role": "user", "content": [{"type": "text", "text": ""}] * 2}
    messages = [USER, hinted, words, empty, {"role": "user", "content": "bluer"}]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(  # type: ignore[call-overload]  # an unknown field, forwarded
            model="google/gemini-3.1-flash-image-preview",
            messages=messages,
            safety_settings=None,
            dry_run=True,
        )
    params = [a.param for a in plan.adjustments]
    assert params == ["messages[1].images[0].image_url.detail", "messages[3]"]
    # only the hand-made turn with an image lacks state; the other model's words need none
    assert [w.param for w in plan.warnings if w.code == NO_STATE] == ["messages[1].limner"]
    assert "safetySettings" not in plan.requests[0]["json"]


async def test_an_answered_image_that_is_not_an_image_is_a_provider_error(
    server: Server,
) -> None:
    """Checked as on the images path: not returned as a picture to save."""
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(b"oops").decode()}}
    server.answer(200, {"candidates": [{"content": {"role": "model", "parts": [part]}}]})
    async with server.client() as client:
        with pytest.raises(limner.ProviderError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER])
    assert "answered image data that is not an image" in caught.value.message


@pytest.mark.parametrize("surface", ["chat", "images"])
async def test_a_billed_answer_whose_image_is_not_an_image_keeps_its_bill(
    server: Server, surface: str
) -> None:
    """Its usage was thrown away with the answer: the error had no cost, and with n=2 the
    completion counted only the other call's tokens."""
    answer = gemini_answer(image=b"not a picture at all")  # usage: 10 in, 1300 out (1290 image)
    server.answer(200, answer)
    async with server.client() as client:
        with pytest.raises(limner.ProviderError) as caught:
            if surface == "chat":
                await client.chat.completions.create(model=PRO, messages=[USER])
            else:
                await client.images.generate(model=PRO, prompt="a fox")
    error = caught.value
    assert "answered image data that is not an image" in error.message
    assert error.usage is not None and (error.usage.input_tokens, error.usage.output_tokens) == (
        10,
        1300,
    )
    assert error.cost is not None and error.cost > 0
    if surface == "chat":
        good = gemini_answer(image=png(4, 4))
        server.answers[:] = [(200, answer, {}), (200, good, {})]
        server.seen.clear()
        async with server.client() as client:
            completion = await client.chat.completions.create(model=PRO, messages=[USER], n=2)
        assert len(completion.choices) == 1
        assert completion.usage is not None and completion.usage.completion_tokens == 2600


async def test_chat_text_no_request_can_carry_is_named() -> None:
    """Not a PluginError ("a bug in the plugin"), which a gateway answers 500."""
    mixed = [{"type": "text", "text": "ok"}, {"type": "text", "text": "b\udc00"}]
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=PRO, messages=[{"role": "user", "content": mixed}], dry_run=True
            )
    assert caught.value.param == "messages[0].content[1].text"
    assert caught.value.http_status == 400


async def test_blank_text_is_empty_text() -> None:
    """Spaces say nothing: a conversation of blank texts is refused as one of empty texts is
    (and as a blank prompt is on the images path), and a blank part beside words is left out,
    and said."""
    async with limner.AsyncClient(environ={}) as client:
        for blank in ("  ", [{"type": "text", "text": " \n"}]):
            with pytest.raises(limner.InvalidRequestError) as caught:
                await client.chat.completions.create(
                    model=PRO, messages=[{"role": "user", "content": blank}], dry_run=True
                )
            assert caught.value.param == "messages"
            assert "no user or assistant message has any content" in caught.value.message
        mixed = [{"type": "text", "text": "  "}, {"type": "text", "text": "a fox"}]
        plan = await client.chat.completions.create(
            model=PRO, messages=[{"role": "user", "content": mixed}], dry_run=True
        )
    assert plan.requests[0]["json"]["contents"] == [{"role": "user", "parts": [{"text": "a fox"}]}]
    assert [(a.param, a.requested) for a in plan.adjustments] == [("messages[0].content[0]", "  ")]


async def test_passed_through_fields_in_other_spellings_are_read_as_sent() -> None:
    """A lowercase resolution class is priced as the class it names; one modality given as a
    string, not a list, is still seen as text only."""
    async with limner.AsyncClient(environ={}) as client:
        lower = await client.chat.completions.create(  # type: ignore[call-overload]  # an unknown field, forwarded
            model=PRO,
            messages=[USER],
            generationConfig={"imageConfig": {"imageSize": "4k"}},
            dry_run=True,
        )
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model=PRO,
                prompt="x",
                extra_body={"generationConfig": {"responseModalities": "TEXT"}},
                dry_run=True,
            )
    assert lower.estimated_cost_usd == Decimal("0.24")
    assert caught.value.param == "generationConfig.responseModalities"


@pytest.mark.parametrize(
    "passed",
    [
        {"generation_config": {"image_config": {"image_size": "4K"}}},
        {"generationConfig": {"image_config": {"imageSize": "4K"}}},
    ],
)
async def test_a_size_passed_through_in_snake_case_is_priced_as_sent(
    passed: dict[str, Any],
) -> None:
    """Google reads either spelling, and so does the price: 4K, not the 1K default."""
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.images.generate(model=PRO, prompt="x", extra_body=passed, dry_run=True)
    assert plan.estimated_cost_usd == Decimal("0.24")
    assert [e.size for e in plan.estimates] == ["4K"]


async def test_an_answer_holding_parts_limner_does_not_send_back_still_goes_back(
    server: Server,
) -> None:
    """The state keeps only what a next turn may send (a fileData part would have Google read
    a file with the operator's credentials), and says what it left out; an image's MIME type
    is read in any case. The next turn was refused, telling the caller to send the answer back
    as limner returned it, which it was."""
    answer = gemini_answer("here", image=png())
    parts = answer["candidates"][0]["content"]["parts"]
    parts += [
        {"executableCode": {"language": "PYTHON", "code": "print(1)"}, "thoughtSignature": "Eq8B"},
        {"inlineData": {"mimeType": "image/png", "data": ""}, "thoughtSignature": "Eq8C"},
        {"inlineData": {"mimeType": "IMAGE/PNG", "data": base64.b64encode(png()).decode()}},
        {"text": "done", "fileData": {"fileUri": "gs://bucket/secret.png"}},
    ]
    server.answer(200, answer)
    async with server.client() as client:
        first = await client.chat.completions.create(model=PRO, messages=[USER])
        message = first.choices[0].message
        assert len(message.images) == 2
        assert message.limner is not None
        digest = hashlib.blake2b(png(), digest_size=8).hexdigest()
        assert message.limner.state == {
            "parts": [
                {"text": "here"},
                {"image": 0, "image_digest": digest},
                {"image": 1, "image_digest": digest},
                {"text": "done"},
            ]
        }
        (notice,) = [w for w in first.warnings if w.code == "state_incomplete"]
        assert notice.message == (
            "Gemini's answer held what limner does not keep in a turn's state (executableCode, "
            "fileData, inlineData without data): a next turn sends the answer without it"
        )
        following = [USER, message.to_param(), {"role": "user", "content": "bluer"}]
        plan = await client.chat.completions.create(model=PRO, messages=following, dry_run=True)
    sent = plan.requests[0]["json"]["contents"][1]["parts"]
    assert [sorted(part) for part in sent] == [["text"], ["inlineData"], ["inlineData"], ["text"]]


def _answered(**changes: Any) -> dict[str, Any]:
    """An assistant message as limner returned it (one text, one image), then ``changes``."""
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    made: dict[str, Any] = {
        "role": "assistant",
        "content": "a little axolotl",
        "images": [{"type": "image_url", "image_url": {"url": url}}],
        "limner": {
            "provider": "google",
            "model": PRO,
            "state": {
                "parts": [{"text": "a little axolotl", "thoughtSignature": "c2ln"}, {"image": 0}]
            },
        },
    }
    return made | changes


@pytest.mark.parametrize(
    ("changes", "sent"),
    [
        ({"content": "a blue axolotl"}, [{"text": "a blue axolotl"}, "image"]),
        ({"content": None}, ["image"]),
        ({"images": _answered()["images"] * 2}, [{"text": "a little axolotl"}, "image", "image"]),
        ({"images": []}, [{"text": "a little axolotl"}]),
    ],
    ids=["rewritten", "text removed", "image added", "image removed"],
)
async def test_an_answer_changed_by_the_app_is_sent_as_written(
    changes: dict[str, Any], sent: list[Any]
) -> None:
    """An app that edits or redacts an answer means the edit: the state, which records the
    answer as made, is left out, and said. Before, the edit was silently ignored."""
    messages = [USER, _answered(**changes), {"role": "user", "content": "bluer"}]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
    parts = plan.requests[0]["json"]["contents"][1]["parts"]
    assert [part if "text" in part else "image" for part in parts] == sent
    (notice,) = [w for w in plan.warnings if w.code == NO_STATE]
    assert notice.param == "messages[1].limner"
    assert notice.message.startswith("messages[1] is not the answer its limner.state records")


async def test_an_answer_as_returned_goes_back_with_its_signatures() -> None:
    messages = [USER, _answered(), {"role": "user", "content": "bluer"}]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
    parts = plan.requests[0]["json"]["contents"][1]["parts"]
    assert parts[0] == {"text": "a little axolotl", "thoughtSignature": "c2ln"}
    assert not [w for w in plan.warnings if w.code == NO_STATE]


async def test_an_assistant_refusal_is_sent_as_what_the_model_said() -> None:
    """OpenAI's assistant messages carry a refusal apart from the content; a follow-up ("why
    not?") went out without it, or the turn was left out as empty."""
    refused = {"role": "assistant", "content": None, "refusal": "I can't draw that."}
    as_part = {
        "role": "assistant",
        "content": [{"type": "refusal", "refusal": "I can't draw that."}],
    }
    for message in (refused, as_part):  # (OpenAI's assistant content may hold refusal parts)
        messages = [USER, message, {"role": "user", "content": "why not?"}]
        async with limner.AsyncClient(environ={}) as client:
            plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
        contents = plan.requests[0]["json"]["contents"]
        assert contents[1] == {"role": "model", "parts": [{"text": "I can't draw that."}]}
        assert plan.adjustments == []


async def test_a_thought_image_that_is_no_image_is_left_out_of_what_goes_back(
    server: Server,
) -> None:
    """It was kept, and the next turn, the answer sent back as returned, was refused."""
    answer = gemini_answer("here", image=png())
    answer["candidates"][0]["content"]["parts"].insert(
        0, {"inlineData": {"mimeType": "image/png", "data": "bm90IGFuIGltYWdl"}, "thought": True}
    )
    server.answer(200, answer)
    async with server.client() as client:
        first = await client.chat.completions.create(model=PRO, messages=[USER])
        message = first.choices[0].message
        assert message.limner is not None and message.limner.thought_images == []
        assert [w.code for w in first.warnings if w.code == "state_incomplete"] == [
            "state_incomplete"
        ]
        following = [USER, message.to_param(), {"role": "user", "content": "bluer"}]
        plan = await client.chat.completions.create(model=PRO, messages=following, dry_run=True)
    assert plan.requests[0]["json"]["contents"][1]["parts"][0] == {"text": "here"}


@pytest.mark.parametrize("swapped", [False, True])
async def test_an_image_swapped_for_another_is_an_edit(swapped: bool) -> None:
    """The state refers to the answer's images by index, and keeps a digest of each: another
    image in the same place is the app's edit, sent as written without the signatures made
    for the first. Before, it went with them, as the answer."""
    digest = hashlib.blake2b(png(), digest_size=8).hexdigest()
    answered = _answered()
    answered["limner"]["state"]["parts"][1]["image_digest"] = digest
    if swapped:
        other = "data:image/png;base64," + base64.b64encode(png(8, 8)).decode()
        answered["images"] = [{"type": "image_url", "image_url": {"url": other}}]
    messages = [USER, answered, {"role": "user", "content": "bluer"}]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
    parts = plan.requests[0]["json"]["contents"][1]["parts"]
    assert ("thoughtSignature" in parts[0]) is not swapped
    assert all("image_digest" not in part for part in parts)  # limner's own, never sent
    assert bool([w for w in plan.warnings if w.code == NO_STATE]) is swapped


async def test_text_on_each_side_of_an_image_is_not_run_together(server: Server) -> None:
    """An illustrated answer (text, image, text, image): a blank line where an image stood
    between two texts; text parts in a row are joined as they are. Sent back as returned, it
    is still the answer its state records, as is a message stored with the texts joined."""
    image = base64.b64encode(png()).decode()
    parts = [
        {"text": "Panel one: "},
        {"text": "Archie wakes."},
        {"inlineData": {"mimeType": "image/png", "data": image}},
        {"text": "Panel two: Archie swims."},
        {"inlineData": {"mimeType": "image/png", "data": image}},
    ]
    answer = gemini_answer(None)
    answer["candidates"][0]["content"]["parts"] = parts
    server.answer(200, answer)
    async with server.client() as client:
        first = await client.chat.completions.create(model=PRO, messages=[USER])
        message = first.choices[0].message
        assert message.content == "Panel one: Archie wakes.\n\nPanel two: Archie swims."
        assert len(message.images) == 2
        for content in (message.content, "Panel one: Archie wakes.Panel two: Archie swims."):
            back = {**message.to_param(), "content": content}
            following = [USER, back, {"role": "user", "content": "a third"}]
            plan = await client.chat.completions.create(model=PRO, messages=following, dry_run=True)
            assert not [w for w in plan.warnings if w.code == NO_STATE]
        # an edit, if only of spaces, is the app's: sent as written, with the notice
        edited = {
            **message.to_param(),
            "content": "Panel one:  Archie wakes.\n\nPanel two: Archie swims.",
        }
        following = [USER, edited, {"role": "user", "content": "a third"}]
        plan = await client.chat.completions.create(model=PRO, messages=following, dry_run=True)
        assert [w.code for w in plan.warnings if w.code == NO_STATE] == [NO_STATE]


async def test_an_answer_cut_to_its_text_is_warned_of() -> None:
    """OpenAI chat code keeps an answer's role and content, which for a Gemini image answer is
    its text: the image and the thought signatures are gone, and the next turn cannot edit it."""
    kept = {"role": "assistant", "content": "Here is Archie."}
    messages = [USER, kept, {"role": "user", "content": "a red hat"}]
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.chat.completions.create(model=PRO, messages=messages, dry_run=True)
    (notice,) = [w for w in plan.warnings if w.code == NO_STATE]
    assert notice.param == "messages[1].limner"
    assert "the model sees its text alone" in notice.message
    assert plan.requests[0]["json"]["contents"][1] == {
        "role": "model",
        "parts": [{"text": "Here is Archie."}],
    }


async def test_modalities_passed_through_decide_whether_an_image_was_asked_for(
    server: Server,
) -> None:
    """Text only, asked for as Google's own field: a text answer is what was asked, so no
    no_images notice beside the text_only one."""
    server.answer(200, gemini_answer("just words"))
    passed = {"generationConfig": {"responseModalities": ["TEXT"]}}
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER], extra_body=passed)
    codes = [w.code for w in result.warnings]
    assert "text_only" in codes and "no_images" not in codes
