"""parse_error and parse_response on error-ish answers: every status and body shape."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pytest
from aiohttp import web

import limner
import limner_openai
from limner import WireResponse
from limner.plugins import Registry
from limner_openai import OpenAIProvider

from ...core.support import FAST_RETRY, FakeServer, error_reply, make_server, ok_body


def body(
    message: str | None, type_: str, param: str | None = None, code: str | None = None, **extra: Any
) -> bytes:
    return json.dumps(
        {"error": {"message": message, "type": type_, "param": param, "code": code, **extra}}
    ).encode()


def answer(status: int, content: bytes, **headers: str) -> WireResponse:
    return WireResponse(status=status, headers={"x-request-id": "req_1", **headers}, body=content)


@pytest.fixture
def call(make_call: Any) -> Any:
    return make_call("gpt-image-1", prompt="x")


def assert_common(error: limner.LimnerError, status: int) -> None:
    assert (error.provider, error.model, error.status_code, error.request_id) == (
        "openai",
        "openai/gpt-image-1",
        status,
        "req_1",
    )


def test_400_keeps_param_and_code(provider: OpenAIProvider, call: Any) -> None:
    content = body("Invalid size '1x1'.", "invalid_request_error", "size", "invalid_value")
    error = provider.parse_error(call, answer(400, content))
    assert type(error) is limner.InvalidRequestError
    assert (error.param, error.code) == ("size", "invalid_value")
    assert error.message == (
        "OpenAI: Invalid size '1x1'. (parameter 'size') — fix the request and retry"
    )
    assert error.retryable is False
    assert error.body == json.loads(content)["error"]  # as the openai SDK's error.body
    assert_common(error, 400)


def test_401(provider: OpenAIProvider, call: Any) -> None:
    content = body(
        "Incorrect API key provided: sk-xx.", "invalid_request_error", None, "invalid_api_key"
    )
    error = provider.parse_error(call, answer(401, content))
    assert type(error) is limner.AuthenticationError
    assert error.code == "invalid_api_key"
    assert "OPENAI_API_KEY" in error.message
    assert_common(error, 401)


def test_402(provider: OpenAIProvider, call: Any) -> None:
    error = provider.parse_error(call, answer(402, body("Payment required", "billing_error")))
    assert type(error) is limner.BillingError
    assert error.code == "insufficient_quota"  # the class default: OpenAI gave none
    assert_common(error, 402)


def test_429_insufficient_quota_is_billing_not_rate_limit(
    provider: OpenAIProvider, call: Any
) -> None:
    content = body(
        "You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota",
        None,
        "insufficient_quota",
    )
    error = provider.parse_error(call, answer(429, content))
    assert type(error) is limner.BillingError
    assert error.retryable is False
    assert "billing" in error.message
    assert_common(error, 429)


QUOTA = {
    "error": {
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }
}


@pytest.mark.parametrize(
    ("content", "retry"),
    [
        (json.dumps(QUOTA).encode(), False),
        (body("Quota exceeded", "insufficient_quota"), False),  # said by the type alone
        (body("Hard limit", "invalid_request_error", None, "billing_hard_limit_reached"), False),
        (body("Rate limit reached", "requests", None, "rate_limit_exceeded"), True),
        (b"<html>busy</html>", True),
    ],
    ids=["insufficient_quota", "quota type", "billing code", "rate limit", "not json"],
)
def test_retryable_vetoes_billing_answers_only(
    provider: OpenAIProvider, content: bytes, retry: bool
) -> None:
    assert provider.retryable(answer(429, content)) is retry


async def _client(server: FakeServer) -> limner.AsyncClient:
    return limner.AsyncClient(
        registry=Registry(plugins=[limner_openai], entry_points=False),
        providers={"openai": {"api_key": "sk-test-0123456789", "base_url": f"{server.url}/v1"}},
        environ={},
        retry=FAST_RETRY,
    )


async def test_insufficient_quota_429_is_not_retried() -> None:
    """A used-up quota comes as a 429 but is a billing error: one call, no backoff."""
    server = await make_server()
    server.reply(web.json_response(QUOTA, status=429))  # a retry would succeed
    try:
        async with await _client(server) as client:
            with pytest.raises(limner.BillingError) as info:
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
    finally:
        await server.stop()
    assert len(server.api_calls) == 1
    assert info.value.retryable is False


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_an_answer_openai_says_not_to_retry_is_not_retried(status: int) -> None:
    """``x-should-retry: false``, which OpenAI's SDKs obey over the status: the request may
    have been taken, and a resend billed again."""
    server = await make_server()
    headers = {"x-should-retry": "false"}
    server.reply(*[error_reply(status, "try another way", **headers)] * 3)
    try:
        async with await _client(server) as client:
            with pytest.raises(limner.LimnerError) as info:
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
    finally:
        await server.stop()
    assert len(server.api_calls) == 1
    assert info.value.retryable is False
    assert "retry later" not in info.value.message  # (it said so, while saying not to retry)


async def test_a_4xx_openai_says_to_retry_is_retried() -> None:
    """``x-should-retry: true`` on a status limner does not retry, as OpenAI's SDKs obey it;
    without it, the same 400 goes back at once."""
    server = await make_server()
    asked = error_reply(400, "try again", **{"x-should-retry": "true"})
    server.reply(asked, web.json_response(ok_body(1)))
    try:
        async with await _client(server) as client:
            result = await client.images.generate(model="openai/gpt-image-1", prompt="x")
            assert len(result.data) == 1 and len(server.api_calls) == 2
            server.reply(*[asked] * 3)  # every attempt asks: the error says it can be retried
            with pytest.raises(limner.InvalidRequestError) as info:
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
            assert info.value.retryable is True
            assert len(server.api_calls) == 2 + FAST_RETRY.max_retries + 1
            server.reply(error_reply(400, "no"), web.json_response(ok_body(1)))
            with pytest.raises(limner.InvalidRequestError) as plain:
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
            assert plain.value.retryable is False
    finally:
        await server.stop()


async def test_rate_limit_429_is_retried() -> None:
    server = await make_server()
    server.reply(*[error_reply(429, "Rate limit reached")] * 3)
    try:
        async with await _client(server) as client:
            with pytest.raises(limner.RateLimitError):
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
    finally:
        await server.stop()
    assert len(server.api_calls) == FAST_RETRY.max_retries + 1


async def test_a_404_that_is_not_openais_points_at_base_url_not_at_retirement() -> None:
    """A base_url without /v1 gets the server's plain 404: a wrong URL, not a retired model."""
    server = await make_server()
    server.reply(web.Response(status=404, text="404: Not Found"))
    try:
        async with await _client(server) as client:
            with pytest.raises(limner.NotFoundError) as info:
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
    finally:
        await server.stop()
    error = info.value
    assert error.code == "endpoint_not_found"
    assert error.replacement is None and "retired" not in error.message
    assert "Is OPENAI_BASE_URL right? (the request went to http://" in error.message
    assert error.setting == limner.ProviderSetting("openai", "base_url")


def test_403(provider: OpenAIProvider, call: Any) -> None:
    content = body(
        "Your organization must be verified to use the model `gpt-image-1`.",
        "invalid_request_error",
    )
    error = provider.parse_error(call, answer(403, content))
    assert type(error) is limner.PermissionDeniedError
    assert "verified organization" in error.message
    assert_common(error, 403)


def test_404_names_the_replacement(provider: OpenAIProvider, call: Any) -> None:
    content = body(
        "The model `gpt-image-1` does not exist or you do not have access to it.",
        "invalid_request_error",
        None,
        "model_not_found",
    )
    error = provider.parse_error(call, answer(404, content))
    assert isinstance(error, limner.NotFoundError)
    assert error.replacement == "openai/gpt-image-2.5-sunburst"
    assert error.code == "model_not_found"
    assert error.message.endswith("— use openai/gpt-image-2.5-sunburst instead")
    assert_common(error, 404)


def test_model_not_found_code_on_400_is_not_found(provider: OpenAIProvider, make_call: Any) -> None:
    content = body(
        "The model `dall-e-3` has been deprecated. Learn more: https://platform.openai.com/docs/deprecations",
        "invalid_request_error",
        None,
        "model_not_found",
    )
    error = provider.parse_error(make_call("dall-e-3", prompt="x"), answer(400, content))
    assert isinstance(error, limner.NotFoundError)
    assert error.replacement == "openai/gpt-image-2.5-sunburst"  # its model page's advice


def test_404_without_replacement(provider: OpenAIProvider, make_call: Any) -> None:
    content = body("Not found", "invalid_request_error")
    error = provider.parse_error(make_call("gpt-image-2", prompt="x"), answer(404, content))
    assert isinstance(error, limner.NotFoundError)
    assert error.replacement is None
    assert error.message == "OpenAI: Not found — check the model id"


def test_413(provider: OpenAIProvider, call: Any) -> None:
    error = provider.parse_error(
        call, answer(413, body("Request too large", "invalid_request_error"))
    )
    assert type(error) is limner.PayloadTooLargeError
    assert_common(error, 413)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({"retry-after": "20"}, 20.0), ({"retry-after-ms": "1500"}, 1.5), ({}, None)],
)
def test_429_rate_limit_with_retry_after(
    provider: OpenAIProvider, call: Any, headers: dict[str, str], wait: float | None
) -> None:
    content = body(
        "Rate limit reached for images per minute", "requests", None, "rate_limit_exceeded"
    )
    error = provider.parse_error(call, answer(429, content, **headers))
    assert isinstance(error, limner.RateLimitError)
    assert error.retry_after == wait
    assert error.retryable is True
    assert_common(error, 429)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (500, limner.ProviderError),
        (502, limner.ProviderUnavailableError),
        (503, limner.ProviderUnavailableError),
    ],
)
def test_5xx(
    provider: OpenAIProvider, call: Any, status: int, cls: type[limner.LimnerError]
) -> None:
    content = body("The server had an error while processing your request.", "server_error")
    error = provider.parse_error(call, answer(status, content))
    assert type(error) is cls
    assert error.retryable is True
    assert "retry later" in error.message
    assert_common(error, status)


def test_moderation_blocked(provider: OpenAIProvider, call: Any) -> None:
    message = (
        "Your request was rejected by the safety system. If you believe this is an error, "
        "contact us at help.openai.com and include the request ID req_x. "
        "safety_violations=[sexual]."
    )
    content = body(
        message,
        "image_generation_user_error",
        None,
        "moderation_blocked",
        moderation_details={"moderation_stage": "output", "categories": ["sexual"]},
    )
    error = provider.parse_error(call, answer(400, content))
    assert isinstance(error, limner.ContentPolicyError)
    assert error.code == "moderation_blocked"
    assert error.reason == f"{message} (categories: sexual; stage: output)"
    assert (error.categories, error.stage) == (("sexual",), "output")
    assert "rephrase the prompt" in error.message
    assert_common(error, 400)
    # a gateway answers as OpenAI did: its type, code and moderation_details
    rendered = error.to_openai()["error"]
    assert rendered["type"] == "image_generation_user_error"
    assert rendered["code"] == "moderation_blocked"
    assert rendered["moderation_details"] == {
        "moderation_stage": "output",
        "categories": ["sexual"],
    }


@pytest.mark.parametrize(
    "message",
    [
        "Your request was rejected as a result of our safety system. Your prompt may contain "
        "text that is not allowed by our safety system.",
        # a GPT image model's wording as openai.md quotes it (the middle elided), here
        # without its moderation_blocked code
        "Your request was rejected by the safety system. safety_violations=[sexual].",
    ],
)
def test_safety_message_without_code(provider: OpenAIProvider, call: Any, message: str) -> None:
    error = provider.parse_error(call, answer(400, body(message, "invalid_request_error")))
    assert isinstance(error, limner.ContentPolicyError)
    assert error.code == "content_policy_violation"
    assert error.reason == message
    assert (error.categories, error.stage) == ((), None)
    assert "moderation_details" not in error.to_openai()["error"]  # none was said


def test_content_policy_violation_code(provider: OpenAIProvider, call: Any) -> None:
    content = body("blocked", "invalid_request_error", "prompt", "content_policy_violation")
    error = provider.parse_error(call, answer(400, content))
    assert isinstance(error, limner.ContentPolicyError)
    assert error.param == "prompt"


@pytest.mark.parametrize(
    ("status", "content", "cls"),
    [
        (502, b"<html><body>Bad gateway</body></html>", limner.ProviderUnavailableError),
        (500, b"", limner.ProviderError),
        (400, b'{"detail": "nope"}', limner.InvalidRequestError),
        (401, b'{"error": "unauthorized"}', limner.AuthenticationError),
        (400, b'{"error": {"message": null, "type": "x"}}', limner.InvalidRequestError),
        (418, b"teapot", limner.InvalidRequestError),
    ],
)
def test_malformed_bodies_fall_back_by_status(
    provider: OpenAIProvider, call: Any, status: int, content: bytes, cls: type[limner.LimnerError]
) -> None:
    error = provider.parse_error(call, answer(status, content))
    assert type(error) is cls
    excerpt = content.decode() or "(empty body)"
    hint = " — check OPENAI_API_KEY" if status == 401 else ""  # the key's variable, always
    assert error.message == (
        f"OpenAI answered HTTP {status} without a readable error: {excerpt}{hint}"
    )
    assert (error.setting is not None) == (status == 401)
    assert_common(error, status)


def test_malformed_429_keeps_retry_after(provider: OpenAIProvider, call: Any) -> None:
    error = provider.parse_error(call, answer(429, b"slow down", **{"retry-after": "3"}))
    assert isinstance(error, limner.RateLimitError)
    assert error.retry_after == 3.0


# ---- 2xx answers that still fail ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"event: image_generation.completed\ndata: {}", "the body is not a JSON object"),
        (b"[1, 2]", "the body is not a JSON object"),
        (b'{"created": 1}', "the body has no 'data' list"),
        (b'{"created": 1, "data": {"url": "x"}}', "the body has no 'data' list"),
        (
            b'{"created": 1, "data": [{"revised_prompt": "p"}]}',
            "data[0] has neither b64_json nor url",
        ),
        (b'{"created": 1, "data": ["x"]}', "data[0] is not an object"),
    ],
)
def test_unreadable_2xx_is_provider_error(
    provider: OpenAIProvider, call: Any, content: bytes, what: str
) -> None:
    with pytest.raises(limner.ProviderError) as info:
        provider.parse_response(call, answer(200, content))
    assert info.value.message.startswith(f"OpenAI answered HTTP 200 but {what}: ")
    assert (info.value.status_code, info.value.request_id) == (200, "req_1")


def test_2xx_with_error_object_is_mapped(provider: OpenAIProvider, call: Any) -> None:
    content = body("blocked", "image_generation_user_error", None, "moderation_blocked")
    with pytest.raises(limner.ContentPolicyError):
        provider.parse_response(call, answer(200, content))


def test_a_2xx_error_of_no_known_kind_does_not_say_retry(
    provider: OpenAIProvider, call: Any
) -> None:
    content = body("the image could not be made", "server_error", None, None)
    with pytest.raises(limner.ProviderError) as info:
        provider.parse_response(call, answer(200, content))
    assert info.value.message == (
        "OpenAI: the image could not be made (OpenAI answered HTTP 200 with this error)"
    )
    assert not info.value.retryable


def test_usage_and_echo_fields(provider: OpenAIProvider, call: Any) -> None:
    # a real gpt-image-1 body quoted in public code (research note §6, [CODE-REAL1])
    content = json.dumps(
        {
            "created": 1745000000,
            "background": "opaque",
            "data": [{"b64_json": "aGk="}],
            "output_format": "png",
            "quality": "high",
            "size": "1024x1024",
            "usage": {
                "input_tokens": 36,
                "input_tokens_details": {"image_tokens": 0, "text_tokens": 36},
                "output_tokens": 4160,
                "total_tokens": 4196,
            },
        }
    ).encode()
    result = provider.parse_response(call, answer(200, content))
    assert result.usage == limner.Usage(
        input_tokens=36,
        output_tokens=4160,
        total_tokens=4196,
        input_tokens_details={"text_tokens": 36, "image_tokens": 0},
    )
    assert result.usage is not None and result.usage.output_tokens_details is None
    assert (result.output_format, result.size, result.quality, result.background) == (
        "png",
        "1024x1024",
        "high",
        "opaque",
    )
    assert [image.to_bytes() for image in result.images] == [b"hi"]
    assert result.warnings == []


def test_output_token_details(provider: OpenAIProvider, call: Any) -> None:
    usage = {
        "input_tokens": 50,
        "total_tokens": 100,
        "output_tokens": 50,
        "input_tokens_details": {"text_tokens": 10, "image_tokens": 40},
        "output_tokens_details": {"image_tokens": 45, "text_tokens": 5},
    }
    content = json.dumps({"created": 1, "data": [{"b64_json": "aGk="}], "usage": usage}).encode()
    result = provider.parse_response(call, answer(200, content))
    assert result.usage is not None
    assert result.usage.output_tokens_details == limner.responses.OutputTokensDetails(
        image_tokens=45, text_tokens=5
    )


def test_unreadable_usage_is_a_warning(provider: OpenAIProvider, call: Any) -> None:
    content = b'{"created": 1, "data": [{"b64_json": "aGk="}], "usage": {"input_tokens": "many"}}'
    result = provider.parse_response(call, answer(200, content))
    assert result.usage is None
    assert [w.code for w in result.warnings] == ["unreadable_usage"]


def test_empty_data_is_a_warning(provider: OpenAIProvider, call: Any) -> None:
    result = provider.parse_response(call, answer(200, b'{"created": 1, "data": []}'))
    assert result.images == []
    assert [w.code for w in result.warnings] == ["no_images"]


async def test_a_gpt_image_answer_with_urls_is_not_said_to_be_base64() -> None:
    """gpt-image models are documented to return base64 only, so ``response_format`` is left out
    with an adjustment. OpenAI answered gpt-image-1-mini with a URL all the same in a recorded
    exchange (shared/real-cassettes/openai, envoy-ai-gateway's image-generation-basic): the user
    got what they asked for, and no adjustment says otherwise."""
    server = await make_server()
    url = "https://files.example/img-1.png"
    server.reply(web.json_response({"created": 1, "data": [{"url": url}]}))
    try:
        async with await _client(server) as client:
            plan = await client.images.generate(
                model="openai/gpt-image-1-mini", prompt="x", response_format="url", dry_run=True
            )
            result = await client.images.generate(
                model="openai/gpt-image-1-mini", prompt="x", response_format="url"
            )
    finally:
        await server.stop()
    assert [(a.param, a.applied) for a in plan.adjustments] == [("response_format", "b64_json")]
    assert "response_format" not in server.api_calls[0].json
    assert result.data[0].url == url and result.adjustments == []


async def test_an_answer_that_gives_no_size_for_auto_gives_the_images_own() -> None:
    """size=auto is no size; an answer without one (a proxy's, an older snapshot's) is read
    from the image's header."""
    import base64
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1536, 1024)).save(out, format="PNG")
    server = await make_server()
    image = base64.b64encode(out.getvalue()).decode()
    server.reply(web.json_response({"created": 1, "data": [{"b64_json": image}]}))
    try:
        async with await _client(server) as client:
            result = await client.images.generate(
                model="openai/gpt-image-1.5", prompt="x", size="auto"
            )
    finally:
        await server.stop()
    assert result.size == "1536x1024"


def test_a_link_relative_to_the_servers_host_is_joined_to_the_calls_url(
    provider: OpenAIProvider, call: Any
) -> None:
    """An OpenAI-compatible server may answer ``/files/x.png``: a link on its own host; or
    ``files/x.png`` or ``//cdn/x.png``, resolved as RFC 3986 resolves references."""
    links = ["/files/x.png", "https://cdn.example/y.png", "files/z.png", "//cdn.example/w.png"]
    content = json.dumps({"created": 1, "data": [{"url": link} for link in links]})
    response = WireResponse(
        200, {}, content.encode(), "https://images.example/v1/images/generations"
    )
    result = provider.parse_response(call, response)
    assert [image.url for image in result.images] == [
        "https://images.example/files/x.png",
        "https://cdn.example/y.png",
        "https://images.example/v1/images/files/z.png",
        "https://cdn.example/w.png",
    ]


MODERATED = {
    "error": {
        "message": "Your request was rejected by the safety system.",
        "type": "image_generation_user_error",
        "param": None,
        "code": "moderation_blocked",
        "moderation_details": {"moderation_stage": "input", "categories": ["sexual"]},
    }
}


@pytest.mark.parametrize(
    ("status", "content", "content_type"),
    [
        (400, json.dumps(MODERATED), "application/json"),
        (502, "<html>Bad gateway</html>\n", "text/html"),
        (500, "", "text/plain"),
        (401, '{"error": "bad key"}', "application/json"),
    ],
)
async def test_the_error_body_is_the_openai_sdks(
    status: int, content: str, content_type: str
) -> None:
    """Code moved from the SDK reads ``e.body["code"]`` and ``e.body["moderation_details"]``:
    limner's ``body`` was the whole ``{"error": {...}}``, and ``None`` for an HTML page."""

    async def said(recorded: object) -> web.StreamResponse:
        return web.Response(status=status, text=content, content_type=content_type)

    server = await make_server()
    server.reply(*[said] * (2 + FAST_RETRY.max_retries))
    sdk = openai.OpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0)
    try:
        with pytest.raises(openai.APIStatusError) as expected:
            await asyncio.to_thread(sdk.images.generate, model="gpt-image-1", prompt="x")
        async with await _client(server) as client:
            with pytest.raises(limner.LimnerError) as info:
                await client.images.generate(model="openai/gpt-image-1", prompt="x")
    finally:
        sdk.close()
        await server.stop()
    assert info.value.body == expected.value.body
