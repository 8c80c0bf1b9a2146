"""``POST /v1/chat/completions`` through the official SDK: a chat-capable image model answered by
a loopback fake of Gemini's generateContent, and the 400 for image-only models."""

from __future__ import annotations

import base64
import json
from typing import Any

import openai
import pytest
from aiohttp import web

from limner.gateway import GatewayConfig

from ..core.support import IMAGE, IMAGE_B64, FakeServer, Recorded, ok_body
from .conftest import MakeGateway
from .support import GATEWAY_KEY, GOOGLE_KEY, UPSTREAM_KEY, Gateway, data_url, png


async def gemini_answer(recorded: Recorded) -> web.StreamResponse:
    return web.json_response(
        {
            "candidates": [
                {
                    "content": {
                        "role": "model",
                        "parts": [
                            {"text": "Here is your lighthouse."},
                            {"inlineData": {"mimeType": "image/png", "data": IMAGE_B64}},
                        ],
                    },
                    "finishReason": "STOP",
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 12,
                "candidatesTokenCount": 1300,
                "totalTokenCount": 1312,
                "candidatesTokensDetails": [
                    {"modality": "TEXT", "tokenCount": 10},
                    {"modality": "IMAGE", "tokenCount": 1290},
                ],
            },
            "modelVersion": "gemini-2.5-flash-image",
        }
    )


async def test_chat_completion_with_an_image_model(gateway: Gateway, server: FakeServer) -> None:
    server.reply(gemini_answer)
    completion = await gateway.sdk().chat.completions.create(
        model="google/gemini-2.5-flash-image",
        messages=[
            {"role": "system", "content": "You paint."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "a lighthouse like this one"},
                    {"type": "image_url", "image_url": {"url": data_url(png())}},
                ],
            },
        ],
        extra_body={"image_config": {"aspect_ratio": "16:9"}, "modalities": ["image", "text"]},
    )
    message = completion.choices[0].message
    assert message.content == "Here is your lighthouse."
    images: list[dict[str, Any]] = (message.model_extra or {})["images"]
    url = images[0]["image_url"]["url"]
    assert base64.b64decode(url.split(",", 1)[1]) == IMAGE
    assert completion.usage is not None and completion.usage.total_tokens == 1312
    assert (completion.model_extra or {})["cost"] > 0
    (call,) = server.requests
    assert call.path == "/v1beta/models/gemini-2.5-flash-image:generateContent"
    assert call.headers["x-goog-api-key"] == GOOGLE_KEY
    assert call.json["generationConfig"]["imageConfig"]["aspectRatio"] == "16:9"
    assert GOOGLE_KEY not in completion.model_dump_json()


async def test_the_upstream_request_id_of_a_chat_reaches_the_client(
    gateway: Gateway, server: FakeServer
) -> None:
    async def answer(recorded: Recorded) -> web.StreamResponse:
        response = await gemini_answer(recorded)
        response.headers["x-request-id"] = "req_chat_9"
        return response

    server.reply(answer)
    completion = await gateway.sdk().chat.completions.create(
        model="google/gemini-2.5-flash-image", messages=[{"role": "user", "content": "a fox"}]
    )
    assert completion._request_id == "req_chat_9"
    assert (completion.model_extra or {})["request_id"] == "req_chat_9"


async def test_an_answer_without_usage_leaves_usage_out_not_null(
    gateway: Gateway, server: FakeServer
) -> None:
    """OpenAI's CreateChatCompletionResponse types usage as an object: a client generated
    strictly from the spec refuses null."""

    async def no_usage(recorded: Recorded) -> web.StreamResponse:
        answer = await gemini_answer(recorded)
        assert isinstance(answer, web.Response) and answer.text is not None
        body = json.loads(answer.text)
        del body["usageMetadata"]
        return web.json_response(body)

    server.reply(no_usage)
    raw = await gateway.sdk().chat.completions.with_raw_response.create(
        model="google/gemini-2.5-flash-image", messages=[{"role": "user", "content": "a fox"}]
    )
    body = raw.http_response.json()
    assert "usage" not in body
    assert body["choices"][0]["message"]["content"] == "Here is your lighthouse."


async def test_image_only_model_is_refused_on_chat(gateway: Gateway, server: FakeServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().chat.completions.create(
            model="openai/gpt-image-1", messages=[{"role": "user", "content": "a fox"}]
        )
    assert "Model(s) do not support /chat/completions" in caught.value.message
    assert server.requests == []


async def test_chat_needs_messages(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().post(
            "/chat/completions", body={"model": "google/gemini-2.5-flash-image"}, cast_to=object
        )
    assert caught.value.param == "messages"
    assert caught.value.code == "missing_required_parameter"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": 5, "messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "google/gemini-2.5-flash-image", "messages": "x"}, "messages"),
    ],
)
async def test_a_model_or_messages_of_the_wrong_type_is_named(
    gateway: Gateway, body: dict[str, object], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().post("/chat/completions", body=body, cast_to=object)
    assert caught.value.param == param


async def test_n_over_the_gateway_limit_is_refused_for_chat_and_images(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """Each chat choice is an upstream call, as each image can be: one limit for both."""
    small = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,), max_n=2))
    with pytest.raises(openai.BadRequestError) as chat:
        await small.sdk().chat.completions.create(
            model="google/gemini-2.5-flash-image",
            messages=[{"role": "user", "content": "a fox"}],
            n=3,
        )
    with pytest.raises(openai.BadRequestError) as images:
        await small.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox", n=3)
    assert chat.value.param == "n" and images.value.param == "n"
    assert images.value.code == "integer_above_max_value"  # OpenAI's code for too large an n
    assert "Expected a value <= 2 on this gateway, but got 3 instead." in chat.value.message
    with pytest.raises(openai.BadRequestError) as none:  # worded as OpenAI words it too
        await small.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox", n=0)
    assert (none.value.param, none.value.code) == ("n", "integer_below_min_value")
    assert none.value.message.endswith("Expected a value >= 1, but got 0 instead.")
    assert server.requests == []


@pytest.mark.parametrize("n", ["3", 3.0, True], ids=["text", "float", "bool"])
async def test_n_that_is_not_an_integer_is_refused_not_read_past_the_limit(
    make_gateway: MakeGateway, server: FakeServer, n: Any
) -> None:
    small = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,), max_n=2))
    body = {"model": "openai/gpt-image-1", "prompt": "a fox", "n": n}
    with pytest.raises(openai.BadRequestError) as caught:
        await small.sdk().post("/images/generations", body=body, cast_to=object)
    assert (caught.value.param, caught.value.code) == ("n", "invalid_type")
    assert server.requests == []


async def test_null_n_is_one_image_as_openai_reads_it(gateway: Gateway, server: FakeServer) -> None:
    """OpenAI's ``n`` is nullable with a default of 1; the SDK sends ``"n": null`` when told."""
    result = await gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox", n=None)
    assert len(result.data or []) == 1
    assert server.api_calls[0].json.get("n", 1) == 1


async def test_query_parameters_are_said_not_read_on_images_and_chat(
    gateway: Gateway, server: FakeServer
) -> None:
    """An SDK's extra_query is a setting the routes do not read: a warning names each, never
    its value (a token, perhaps), and the body's settings are sent as usual."""
    server.reply(gemini_answer)
    sdk = gateway.sdk()
    query = {"quality": "high", "api-key": "tok-SECRET"}
    completion = await sdk.chat.completions.create(
        model="google/gemini-2.5-flash-image",
        messages=[{"role": "user", "content": "a fox"}],
        extra_query=query,
    )
    images = await sdk.images.generate(model="openai/gpt-image-1", prompt="x", extra_query=query)
    plain = await sdk.images.generate(model="openai/gpt-image-1", prompt="x")
    said = (
        "the query parameters 'api-key', 'quality' were not read: this route takes its settings "
        "in the body (the OpenAI SDK's extra_body, not extra_query)"
    )
    for answer in (completion, images):
        warnings = (answer.model_extra or {})["warnings"]
        assert [w["message"] for w in warnings if w["code"] == "query_not_read"] == [said]
        assert "tok-SECRET" not in answer.model_dump_json()
    assert all(w["code"] != "query_not_read" for w in (plain.model_extra or {})["warnings"])
    assert "quality" not in server.api_calls[0].json


async def test_openais_account_and_idempotency_headers_are_said_not_used(
    gateway: Gateway, server: FakeServer
) -> None:
    """The SDK sends OpenAI-Organization and OpenAI-Project from OPENAI_ORG_ID and
    OPENAI_PROJECT_ID on its own; the gateway calls the provider with its own settings, and
    says so rather than drop them silently (names only, as for a query)."""
    server.reply(gemini_answer)
    sdk = gateway.sdk(organization="org-caller", project="proj-caller")
    key = {"Idempotency-Key": "idem-caller"}
    completion = await sdk.chat.completions.create(
        model="google/gemini-2.5-flash-image",
        messages=[{"role": "user", "content": "a fox"}],
        extra_headers=key,
    )
    images = await sdk.images.generate(model="openai/gpt-image-1", prompt="x", extra_headers=key)
    plain = await gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="x")
    said = {
        "code": "header_not_used",
        "message": "the headers 'OpenAI-Organization', 'OpenAI-Project', 'Idempotency-Key' were "
        "not used: this gateway calls the provider with its own upstream settings, and passes "
        "none of them on",
    }
    for answer in (completion, images):
        warnings = (answer.model_extra or {})["warnings"]
        found = [w for w in warnings if w["code"] == "header_not_used"]
        assert [{name: w[name] for name in ("code", "message")} for w in found] == [said]
    assert all(w["code"] != "header_not_used" for w in (plain.model_extra or {})["warnings"])
    for call in server.api_calls:
        assert not {"openai-organization", "openai-project", "idempotency-key"} & {
            name.lower() for name in call.headers
        }


async def test_a_key_an_upstream_echoes_in_an_answer_is_scrubbed(
    gateway: Gateway, server: FakeServer
) -> None:
    """As in an error: a revised prompt or a chat answer quoting the gateway's credential
    reaches the client without it (the client is not its owner); the images are untouched."""

    async def revised(recorded: Recorded) -> web.StreamResponse:
        body = ok_body(1)
        body["data"][0]["revised_prompt"] = f"a fox, drawn for key={UPSTREAM_KEY}"
        echoed = f"req_{UPSTREAM_KEY}" + "x" * 500  # an id echoing the key, and far too long
        return web.json_response(body, headers={"x-request-id": echoed})

    async def chatted(recorded: Recorded) -> web.StreamResponse:
        answer = await gemini_answer(recorded)
        assert isinstance(answer, web.Response) and answer.text is not None
        return web.Response(
            text=answer.text.replace("Here is your lighthouse.", f"my key is {GOOGLE_KEY}"),
            content_type="application/json",
        )

    server.reply(revised, chatted)
    sdk = gateway.sdk()
    images = await sdk.images.generate(model="openai/gpt-image-1", prompt="a fox")
    completion = await sdk.chat.completions.create(
        model="google/gemini-2.5-flash-image", messages=[{"role": "user", "content": "a fox"}]
    )
    assert images.data is not None
    assert images._request_id == "req_<redacted>" + "x" * 186  # scrubbed, cut to 200
    assert images.data[0].revised_prompt == "a fox, drawn for key=<redacted>"
    assert base64.b64decode(images.data[0].b64_json or "") == IMAGE
    assert completion.choices[0].message.content == "my key is <redacted>"
