"""Every error status through the OpenAI SDK's own exception classes: upstream failures keep the
provider's reason, 429 carries Retry-After, 413 before the body is read, 400 for a missing
field, 500 only for a bug, credentials never leak."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from aiohttp import web

import limner
from limner.gateway import GatewayConfig

from ..core.jobsprovider import KEY as JOBS_KEY, Jobs, JobsPlugin
from ..core.support import FakeServer, Recorded, error_reply
from .conftest import MakeGateway
from .support import GATEWAY_KEY, UPSTREAM_KEY, Gateway, png, start_gateway


async def _generate(gateway: Gateway, **kwargs: Any) -> Any:
    fields: dict[str, Any] = {"model": "openai/gpt-image-1", "prompt": "a fox"}
    fields.update(kwargs)
    return await gateway.sdk().images.generate(**fields)


@pytest.mark.parametrize(
    ("upstream_status", "sdk_error", "status"),
    [
        (400, openai.BadRequestError, 400),
        (401, openai.InternalServerError, 503),  # the gateway's credential, not the client's
        (403, openai.PermissionDeniedError, 403),
        (404, openai.NotFoundError, 404),
        (500, openai.InternalServerError, 502),
        (503, openai.InternalServerError, 503),
    ],
)
async def test_upstream_errors_keep_status_class_and_reason(
    gateway: Gateway,
    server: FakeServer,
    upstream_status: int,
    sdk_error: type[openai.APIStatusError],
    status: int,
) -> None:
    server.reply(error_reply(upstream_status, "the upstream's own reason"))
    with pytest.raises(sdk_error) as caught:
        await _generate(gateway)
    assert caught.value.status_code == status
    # the operator's credential: the upstream's words (which may quote part of the key) are
    # for the gateway's log, not its clients
    assert ("the upstream's own reason" in caught.value.message) == (upstream_status != 401)
    assert isinstance(caught.value.body, dict) and {"message", "type", "param", "code"} <= set(
        caught.value.body
    )


async def test_billing_is_429_insufficient_quota_as_openai_answers(
    gateway: Gateway, server: FakeServer
) -> None:
    async def quota(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "You exceeded your quota", "code": "insufficient_quota"}}
        return web.json_response(body, status=429)

    server.reply(quota)
    with pytest.raises(openai.RateLimitError) as caught:
        await _generate(gateway)
    assert caught.value.status_code == 429
    assert isinstance(caught.value.body, dict)
    assert (caught.value.body["type"], caught.value.body["code"]) == (
        "insufficient_quota",
        "insufficient_quota",
    )
    assert "You exceeded your quota" in caught.value.message
    assert "retry-after" not in caught.value.response.headers


async def test_a_safety_block_reaches_the_sdk_as_openai_answered_it(
    gateway: Gateway, server: FakeServer
) -> None:
    """A client coded against OpenAI reads the block's type, code and moderation_details."""
    details = {"moderation_stage": "input", "categories": ["violence", "sexual"]}

    async def blocked(recorded: Recorded) -> web.StreamResponse:
        error = {
            "message": "Your request was rejected by the safety system.",
            "type": "image_generation_user_error",
            "param": None,
            "code": "moderation_blocked",
            "moderation_details": details,
        }
        return web.json_response({"error": error}, status=400)

    server.reply(blocked)
    with pytest.raises(openai.BadRequestError) as caught:
        await _generate(gateway)
    assert caught.value.code == "moderation_blocked"
    assert caught.value.type == "image_generation_user_error"
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["moderation_details"] == details
    assert "rejected by the safety system" in caught.value.message
    assert len(server.requests) == 1  # not retried


@pytest.mark.parametrize(
    ("upstream_status", "code"),
    [(429, "insufficient_quota"), (401, "invalid_api_key")],
    ids=["used-up-quota", "rejected-credential"],
)
async def test_the_sdk_does_not_retry_what_waiting_cannot_fix(
    gateway: Gateway, server: FakeServer, upstream_status: int, code: str
) -> None:
    """429 and 503 are statuses the SDKs retry: ``x-should-retry: false`` stops them."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "no", "type": "x", "code": code}}
        return web.json_response(body, status=upstream_status, headers={"retry-after": "5"})

    server.reply(answer, answer, answer)
    retrying = gateway.sdk(max_retries=2)
    with pytest.raises(openai.APIStatusError) as caught:
        await retrying.images.generate(model="openai/gpt-image-1", prompt="a fox")
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert "retry-after" not in caught.value.response.headers  # no wait would help either
    assert len(server.api_calls) == 1


@pytest.mark.parametrize(
    ("status", "retries"),
    [(200, False), (409, True), (408, True)],
    ids=["unreadable", "409", "408"],
)
async def test_the_sdk_retries_as_limner_would(
    gateway: Gateway, server: FakeServer, status: int, retries: bool
) -> None:
    """x-should-retry is limner's ``retryable``, which the SDKs obey over the status: an answer
    limner cannot read is not sent again (the call was billed), a 408 or 409 is."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        if status == 200:
            return web.Response(text="<html>oops</html>", content_type="text/html")
        return web.json_response({"error": {"message": "later", "type": "x"}}, status=status)

    server.reply(answer, answer, answer)
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=2).images.generate(model="openai/gpt-image-1", prompt="x")
    assert caught.value.response.headers["x-should-retry"] == str(retries).lower()
    assert len(server.api_calls) == (3 if retries else 1)


@pytest.mark.parametrize("status", [504, 524])
async def test_a_timed_out_front_is_not_for_the_sdk_to_send_again(
    gateway: Gateway, server: FakeServer, status: int
) -> None:
    """A 504 or 524 from a proxy in front of the provider: the provider may still make (and
    bill) the images, so the SDK's resend would be a second bill no warning tells of."""

    async def timed_out(recorded: Recorded) -> web.StreamResponse:
        return web.Response(status=status, text="<html>timed out</html>", content_type="text/html")

    server.reply(timed_out, timed_out, timed_out)
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=2).images.generate(model="openai/gpt-image-1", prompt="x")
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert "may have taken it, and may bill the images it makes" in caught.value.message
    assert len(server.api_calls) == 1


@pytest.mark.parametrize(("wait", "retry"), [("30", "true"), ("3600", "false")])
async def test_a_rate_limit_says_retry_only_for_a_wait_limner_would_wait(
    gateway: Gateway, server: FakeServer, wait: str, retry: str
) -> None:
    """A 429 asking for an hour is not retried by limner, and "true" would have an SDK that
    obeys it retry after its own short back-off (it takes Retry-After only up to 60 s)."""

    async def limited(recorded: Recorded) -> web.StreamResponse:
        body = {
            "error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}
        }
        return web.json_response(body, status=429, headers={"retry-after": wait})

    for _ in range(9):
        server.reply(limited)
    with pytest.raises(openai.RateLimitError) as caught:
        await gateway.sdk(max_retries=0).images.generate(model="openai/gpt-image-1", prompt="x")
    headers = caught.value.response.headers
    assert (headers["retry-after"], headers["x-should-retry"]) == (wait, retry)


async def test_an_overloaded_providers_wait_reaches_the_sdk(
    gateway: Gateway, server: FakeServer
) -> None:
    """A 503 asking to wait: the gateway (which does not retry by default) passes the wait on,
    so the SDK waits that long before it sends the request again, as with a 429."""

    async def overloaded(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "overloaded", "type": "server_error", "code": None}}
        return web.json_response(body, status=503, headers={"retry-after": "7"})

    server.reply(overloaded)
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=0).images.generate(model="openai/gpt-image-1", prompt="x")
    assert caught.value.status_code == 503
    headers = caught.value.response.headers
    assert (headers["retry-after"], headers["x-should-retry"]) == ("7", "true")


async def test_an_answer_without_images_is_not_retried_by_the_sdk(
    gateway: Gateway, server: FakeServer
) -> None:
    """The provider answered, and billed it: a retry (billed again) is the client's choice."""

    async def empty(recorded: Recorded) -> web.StreamResponse:
        return web.json_response({"created": 1, "data": []})

    server.reply(empty, empty, empty)
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=2).images.generate(model="openai/gpt-image-1", prompt="x")
    assert caught.value.status_code == 502
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(server.api_calls) == 1


async def test_rate_limit_is_429_with_retry_after(gateway: Gateway, server: FakeServer) -> None:
    server.reply(error_reply(429, "slow down", **{"Retry-After": "7"}))
    with pytest.raises(openai.RateLimitError) as caught:
        await _generate(gateway)
    assert caught.value.response.headers["retry-after"] == "7"
    assert "slow down" in caught.value.message


async def test_busy_gateway_is_429_with_retry_after(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await make_gateway(GatewayConfig(max_concurrency=1, queue_timeout=0.2))
    server.reply(server.stall)
    first = asyncio.create_task(_generate(gateway))
    while not server.api_calls:
        await asyncio.sleep(0.01)
    with pytest.raises(openai.RateLimitError) as caught:
        await _generate(gateway)
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.code == "gateway_busy"
    server.release.set()
    await first
    assert len(server.api_calls) == 1  # the refused request never went upstream


async def test_a_busy_gateway_refuses_at_once_what_cannot_succeed(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """A request that would be refused is refused before it waits for an upstream slot: it
    waited the queue timeout (30 s by default), then got a 429 that the SDK retried."""
    gateway = await make_gateway(GatewayConfig(max_concurrency=1, queue_timeout=60))
    server.reply(server.stall)
    first = asyncio.create_task(_generate(gateway))
    while not server.api_calls:
        await asyncio.sleep(0.01)
    sdk = gateway.sdk(max_retries=0)
    refusals = {
        "unknown model": sdk.images.generate(model="openai/gpt-image-9", prompt="x"),
        "streaming": sdk.images.generate(model="openai/gpt-image-1", prompt="x", stream=True),
        "image model in chat": sdk.chat.completions.create(
            model="openai/gpt-image-1", messages=[{"role": "user", "content": "a fox"}]
        ),
        "bad size": sdk.images.generate(model="openai/gpt-image-1", prompt="x", size="big"),
    }
    statuses = {}
    for name, call in refusals.items():
        with pytest.raises(openai.APIStatusError) as caught:
            await asyncio.wait_for(call, 5)
        statuses[name] = caught.value.status_code
    assert statuses == {
        "unknown model": 404,
        "streaming": 400,
        "image model in chat": 400,
        "bad size": 400,
    }
    assert not first.done()
    server.release.set()
    await first
    assert len(server.api_calls) == 1


async def test_unknown_model_is_404_with_suggestions(gateway: Gateway, server: FakeServer) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await _generate(gateway, model="openai/gpt-image-9")
    assert caught.value.code == "model_not_found"
    assert caught.value.param == "model"
    message = caught.value.body["message"]  # type: ignore[index]
    assert message.startswith("Unknown model 'openai/gpt-image-9'. Did you mean openai/gpt-image-")
    assert message.endswith(" GET /v1/models lists the models.")  # not the command line's advice
    assert server.api_calls == []


async def test_invalid_value_is_400_naming_the_param(gateway: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await _generate(gateway, n=11)
    assert caught.value.param == "n"


async def test_missing_field_is_400_as_openai_answers(gateway: Gateway) -> None:
    """OpenAI answers a missing field with 400 ``missing_required_parameter`` and the message
    "Missing required parameter: 'x'." (seen in openai/codex#6725, wandb/wandb-mcp-server#5)."""
    sdk = gateway.sdk()
    with pytest.raises(openai.BadRequestError) as caught:
        await sdk.post("/images/generations", body={"model": "dall-e-3"}, cast_to=object)
    error = caught.value
    assert (error.status_code, error.param, error.code) == (
        400,
        "prompt",
        "missing_required_parameter",
    )
    assert error.body == {
        "message": "Missing required parameter: 'prompt'.",
        "type": "invalid_request_error",
        "param": "prompt",
        "code": "missing_required_parameter",
    }


async def test_credential_extra_headers_are_refused(gateway: Gateway, server: FakeServer) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await _generate(gateway, extra_body={"extra_headers": {"Authorization": "Bearer mine"}})
    assert caught.value.code == "credential_header"
    assert server.api_calls == []


async def test_upstream_credential_is_scrubbed_from_errors(
    gateway: Gateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Not even OpenAI's masked form of the key ("sk-upstr****6789") reaches the client; the
    operator's log has the upstream's words, scrubbed."""
    server.reply(error_reply(401, f"Incorrect API key provided: {UPSTREAM_KEY[:8]}****"))
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.InternalServerError) as caught,
    ):
        await _generate(gateway)
    assert UPSTREAM_KEY[:8] not in caught.value.response.text
    assert (caught.value.status_code, caught.value.code) == (503, "provider_credential_rejected")
    assert "rejected this gateway's credential" in caught.value.message
    assert caught.value.response.headers["x-should-retry"] == "false"
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "Incorrect API key provided" in line and UPSTREAM_KEY not in line
    server.reply(error_reply(401, f"Incorrect API key provided: {UPSTREAM_KEY}"))
    caplog.clear()
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.InternalServerError),
    ):
        await _generate(gateway)
    assert all(UPSTREAM_KEY not in r.getMessage() for r in caplog.records)


async def test_the_operators_line_quotes_the_upstream_on_one_line_and_in_part(
    gateway: Gateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The upstream's words cannot forge a log line (a line break, a terminal escape) nor
    write a line of hundreds of KB (an echoed image)."""
    forged = "bad key\nGET /v1/images/generations status=200 key=739ba450\x1b[2J" + "A" * 50_000
    server.reply(error_reply(401, forged))
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.InternalServerError),
    ):
        await _generate(gateway)
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "\n" not in line and "\x1b" not in line
    assert "bad key\\u000aGET /v1/images/generations" in line
    assert len(line) < 1500


async def test_a_file_in_a_field_that_takes_none_is_refused_naming_it(
    gateway: Gateway, server: FakeServer
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().post(
            "/images/edits",
            body={"model": "openai/gpt-image-1", "prompt": "x"},
            files=[("image", ("a.png", png(), "image/png")), ("overlay", ("m.png", png()))],
            options={"headers": {"Content-Type": "multipart/form-data"}},
            cast_to=object,
        )
    assert (caught.value.param, caught.value.code) == ("overlay", "invalid_type")
    assert "takes no file in 'overlay' (files go in image, mask, markup)" in caught.value.message
    assert server.api_calls == []


async def test_an_image_url_that_cannot_be_fetched_is_the_clients_to_fix(
    gateway: Gateway, server: FakeServer
) -> None:
    """Not reworded as the provider being unreachable: the client named that URL."""
    body = {
        "model": "google/gemini-2.5-flash-image",
        "prompt": "x",
        "images": [{"image_url": "https://no-such-host.invalid/a.png"}],
    }
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk(max_retries=2).post("/images/edits", body=body, cast_to=object)
    assert caught.value.status_code == 400
    assert caught.value.message.startswith("Error code: 400 - images[0]: could not download")
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert server.api_calls == []


async def test_a_wrong_upstream_url_is_the_operators_and_stays_private(
    gateway: Gateway, server: FakeServer
) -> None:
    server.reply(web.Response(status=404, text="404: Not Found"))
    with pytest.raises(openai.InternalServerError) as caught:
        await _generate(gateway)
    assert (caught.value.status_code, caught.value.code) == (503, "provider_not_configured")
    assert "URL for the openai API is wrong" in caught.value.message
    assert "127.0.0.1" not in caught.value.response.text


@pytest.mark.parametrize(
    ("route", "field", "files_go_in"),
    [("/images/edits", "file", "image, mask, markup"), ("/images/variations", "mask", "image")],
)
async def test_each_endpoint_takes_its_own_files_only(
    gateway: Gateway, server: FakeServer, route: str, field: str, files_go_in: str
) -> None:
    """A file the endpoint does not read is refused, not dropped."""
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().post(
            route,
            body={"model": "openai/dall-e-2", "prompt": "x"},
            files=[("image", ("a.png", png(), "image/png")), (field, ("b.png", png()))],
            options={"headers": {"Content-Type": "multipart/form-data"}},
            cast_to=object,
        )
    assert caught.value.param == field
    assert f"(files go in {files_go_in})" in caught.value.message
    assert server.api_calls == []


async def test_the_upstream_address_stays_with_the_operator(
    make_gateway: MakeGateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The client is not told the upstream's address; the operator's log says which host
    failed and how, so a wrong base URL or a missing route out can be found."""
    gateway = await make_gateway(
        providers={"openai": {"api_key": UPSTREAM_KEY, "base_url": "http://127.0.0.1:9/v1"}}
    )
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.APIStatusError) as caught,
    ):
        await _generate(gateway)
    assert caught.value.status_code == 502
    assert caught.value.message.endswith("could not reach the openai API; try again later")
    assert "127.0.0.1:9" not in caught.value.response.text
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert logged and all("127.0.0.1:9" in line for line in logged)
    assert all("answered 502" in line for line in logged)
    assert all(UPSTREAM_KEY not in line for line in logged)


async def test_a_connection_lost_after_sending_is_not_said_unreachable(
    gateway: Gateway, server: FakeServer
) -> None:
    """The upstream was reached and may have taken the request (and bill it): the message says
    the connection was lost, then what that may cost, not that it could not be reached."""

    async def hang_up(recorded: Recorded) -> web.StreamResponse:
        assert recorded.request is not None and recorded.request.transport is not None
        recorded.request.transport.close()
        return web.Response()

    server.reply(hang_up)
    with pytest.raises(openai.APIStatusError) as caught:
        await _generate(gateway)
    assert caught.value.status_code == 502
    assert caught.value.message == (
        "Error code: 502 - the connection to the openai API was lost; the connection dropped "
        "after the request went out: the provider may have taken it, and may bill the images "
        "it makes"
    )


async def test_the_upstream_request_id_reaches_the_client(
    gateway: Gateway, server: FakeServer
) -> None:
    async def answer(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "bad size", "type": "invalid_request_error"}}
        return web.json_response(body, status=400, headers={"x-request-id": "req_123"})

    server.reply(answer)
    with pytest.raises(openai.BadRequestError) as caught:
        await _generate(gateway)
    assert caught.value.request_id == "req_123"


async def test_the_upstream_request_id_of_a_success_reaches_the_client(
    gateway: Gateway, server: FakeServer
) -> None:
    """The SDK's ``_request_id`` is the provider's, for a support request about the images; and
    the Python API's response carries it as ``request_id``."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        body = {"created": 1, "data": [{"b64_json": base64.b64encode(png()).decode()}]}
        return web.json_response(body, headers={"x-request-id": "req_ok_7"})

    server.reply(answer)
    result = await _generate(gateway)
    assert result._request_id == "req_ok_7"
    assert (result.model_extra or {})["request_id"] == "req_ok_7"


async def test_every_answer_has_a_request_id_the_log_line_names(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    """The gateway's own, where no upstream gave one: the SDKs show it as _request_id."""
    with caplog.at_level(logging.INFO, logger="limner.gateway"):
        made = await gateway.sdk().images.with_raw_response.generate(
            model="openai/gpt-image-1", prompt="a fox"
        )
        with pytest.raises(openai.NotFoundError) as unknown:
            await gateway.sdk().get("/nothing-here", cast_to=object)
    ids = [made.headers["x-request-id"], unknown.value.request_id]
    assert all(re.fullmatch(r"req_[0-9a-f]{32}", str(i)) for i in ids) and ids[0] != ids[1]
    lines = [r.getMessage() for r in caplog.records if "request_id=" in r.getMessage()]
    assert [line.rsplit("request_id=", 1)[1] for line in lines] == ids


async def test_an_upstream_key_echoed_in_param_or_code_is_scrubbed(
    gateway: Gateway, server: FakeServer
) -> None:
    echoed = f"Bearer {UPSTREAM_KEY}"
    payload = {"error": {"message": "bad", "type": "x", "param": echoed, "code": echoed}}

    async def answer(recorded: Recorded) -> web.StreamResponse:
        return web.json_response(payload, status=400)

    server.reply(answer)
    with pytest.raises(openai.BadRequestError) as caught:
        await _generate(gateway)
    assert UPSTREAM_KEY not in caught.value.response.text
    assert caught.value.param is not None and "<redacted>" in caught.value.param


async def test_missing_provider_credential_is_503(
    make_gateway: MakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    """The client is told the gateway is not configured; the operator's log says how to fix it."""
    gateway = await make_gateway(providers={})
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.InternalServerError) as caught,
    ):
        await _generate(gateway)
    assert caught.value.status_code == 503 and caught.value.code == "provider_not_configured"
    assert caught.value.param is None  # not the client's api_key
    assert "OPENAI_API_KEY" not in caught.value.response.text
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "set OPENAI_API_KEY" in line and "(answered 503 provider_not_configured)" in line


@pytest.mark.parametrize(
    ("settings", "detail"),
    [
        ({"api_key": "sk-abc\nX"}, "holds a control character"),
        ({"api_key": "sk-abc", "base_url": "not-a-url"}, "'not-a-url' is not an http(s) URL"),
    ],
)
async def test_a_wrong_provider_setting_of_the_gateways_is_503_not_the_clients_400(
    make_gateway: MakeGateway,
    caplog: pytest.LogCaptureFixture,
    settings: dict[str, str],
    detail: str,
) -> None:
    """The client sent none of it: the gateway is not configured (503, no parameter, nothing
    of the value); the operator's log says what is wrong."""
    gateway = await make_gateway(providers={"openai": settings})
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.InternalServerError) as caught,
    ):
        await _generate(gateway)
    assert (caught.value.status_code, caught.value.code) == (503, "provider_not_configured")
    assert caught.value.param is None
    assert caught.value.body == {
        "message": "this gateway's settings for openai are wrong; the gateway's operator must "
        "fix them",
        "type": "api_error",
        "param": None,
        "code": "provider_not_configured",
    }
    assert "not-a-url" not in caught.value.response.text
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert detail in line and "(answered 503 provider_not_configured)" in line


async def test_a_model_the_gateways_provider_settings_cannot_serve_is_503_not_the_clients_400(
    make_gateway: MakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    """Google's Imagen edit model is served by Vertex AI only; this gateway is set up for the
    Gemini API. The fix (GOOGLE_GENAI_USE_VERTEXAI) is the operator's, not the client's."""
    gateway = await make_gateway()
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.InternalServerError) as caught,
    ):
        await gateway.sdk().images.edit(
            model="google/imagen-3.0-capability-001",
            image=("a.png", png()),
            mask=("m.png", png(alpha=0)),
            prompt="a hat",
        )
    assert (caught.value.status_code, caught.value.code) == (503, "provider_not_configured")
    assert caught.value.param is None
    assert "GOOGLE_GENAI_USE_VERTEXAI" not in caught.value.response.text
    assert caught.value.response.headers["x-should-retry"] == "false"
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "set GOOGLE_GENAI_USE_VERTEXAI=true" in line
    assert "(answered 503 provider_not_configured)" in line


async def test_a_bug_is_500_without_details(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(**kwargs: Any) -> Any:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(gateway.client.images, "generate", broken)
    with pytest.raises(openai.InternalServerError) as caught:
        await _generate(gateway)
    assert caught.value.status_code == 500
    assert "internal detail" not in caught.value.response.text
    # the call may have been made, and billed, before the bug: the SDKs must not repeat it
    assert caught.value.response.headers["x-should-retry"] == "false"


async def test_body_over_the_limit_is_413(make_gateway: MakeGateway, server: FakeServer) -> None:
    gateway = await make_gateway(GatewayConfig(max_body_bytes=4096))
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk().images.edit(
            model="openai/gpt-image-1", prompt="x", image=("a.png", b"\0" * 100_000, "image/png")
        )
    assert caught.value.status_code == 413 and caught.value.code == "payload_too_large"
    assert server.api_calls == []


async def test_chunked_body_over_the_limit_is_413(make_gateway: MakeGateway) -> None:
    """No Content-Length: aiohttp's client_max_size stops the read."""
    gateway = await make_gateway(GatewayConfig(max_body_bytes=4096))

    async def chunks() -> Any:
        for _ in range(10):
            yield b'{"pad": "' + b"x" * 1000 + b'"}'

    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{gateway.base_url}/images/generations",
            data=chunks(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {GATEWAY_KEY}"},
        ) as response,
    ):
        assert response.status == 413
        assert (await response.json())["error"]["code"] == "payload_too_large"


async def test_too_many_input_images(make_gateway: MakeGateway, server: FakeServer) -> None:
    gateway = await make_gateway(GatewayConfig(max_input_images=1))
    image = ("a.png", png(), "image/png")
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().images.edit(
            model="openai/gpt-image-1", prompt="x", image=[image, image]
        )
    assert caught.value.param == "image"  # the multipart field the SDK sent
    assert caught.value.code == "too_many_images"
    assert server.api_calls == []


async def test_multipart_edit_errors_name_the_image_field_the_sdk_sent(
    gateway: Gateway, server: FakeServer
) -> None:
    sdk = gateway.sdk()
    with pytest.raises(openai.BadRequestError) as missing:
        await sdk.post(
            "/images/edits",
            body={"model": "openai/gpt-image-1", "prompt": "x"},
            files=[("mask", ("m.png", png(), "image/png"))],
            options={"headers": {"Content-Type": "multipart/form-data"}},
            cast_to=object,
        )
    assert (missing.value.param, missing.value.code) == ("image", "missing_required_parameter")
    assert "Missing required parameter: 'image'." in missing.value.message
    with pytest.raises(openai.BadRequestError) as not_an_image:
        await sdk.images.edit(
            model="openai/gpt-image-1", prompt="x", image=("a.txt", b"hello", "text/plain")
        )
    assert not_an_image.value.param == "image[0]"
    assert "- image[0] is not an image" in not_an_image.value.message
    assert server.api_calls == []


async def test_unknown_route_and_method(gateway: Gateway) -> None:
    sdk = gateway.sdk()
    with pytest.raises(openai.NotFoundError) as unknown:
        await sdk.get("/nothing-here", cast_to=object)
    assert unknown.value.body == {  # as OpenAI says it: not a model that is missing
        "message": "Invalid URL (GET /v1/nothing-here); this gateway serves /v1/...",
        "type": "not_found_error",
        "param": None,
        "code": "not_found",
    }
    with pytest.raises(openai.APIStatusError) as caught:
        await sdk.get("/images/generations", cast_to=object)
    assert caught.value.status_code == 405
    assert caught.value.body is not None
    assert caught.value.body["message"] == (  # type: ignore[index]
        "GET is not allowed on /v1/images/generations; it takes POST"
    )


async def test_a_timeout_the_provider_answered_keeps_its_words(
    gateway: Gateway, server: FakeServer
) -> None:
    """The provider answered 408: its reason is kept; only a timeout of the gateway's own says
    the provider did not answer."""

    async def slow(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "the model took too long", "type": "timeout"}}
        return web.json_response(body, status=408)

    server.reply(slow, slow, slow)
    with pytest.raises(openai.APIStatusError) as caught:
        await _generate(gateway)
    assert "the model took too long" in caught.value.message, caught.value.status_code
    assert "did not answer within the gateway's timeout" not in caught.value.message


async def test_an_answer_that_stalls_mid_body_is_said_to_be_billed_and_not_resent(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """The provider answered 200 and began its body: the images are made, and billed. The
    gateway says so, does not call it 'no answer', and tells the SDK not to send it again."""
    server.reply(*[server.stall_mid_body] * 3)
    gateway = await make_gateway(timeout=0.4)
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=2).images.generate(model="openai/gpt-image-1", prompt="x")
    assert caught.value.status_code == 504
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert caught.value.message == (
        "Error code: 504 - the openai API began answering, but its answer did not finish within "
        "the gateway's timeout; not sent again, since the provider may have made, and will "
        "likely bill, the images"
    )
    assert len(server.api_calls) == 1


async def test_a_job_past_the_poll_timeout_is_a_504_the_sdk_does_not_resend(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """A provider's job still running at the client's poll_timeout: the call was taken, and may
    still be billed, so the SDK must not send it again; the message says so."""
    server.reply(Jobs(server, polls=10_000))
    gateway = await make_gateway(
        plugins=[JobsPlugin()],
        providers={"jobs": {"api_key": JOBS_KEY, "base_url": f"{server.url}/v1"}},
        poll_timeout=0.2,
    )
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=2).images.generate(model="jobs/flux-test", prompt="x")
    assert caught.value.status_code == 504
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert (
        "the jobs API's job was not done within the gateway's poll timeout; job job-1 was "
        "submitted: it may still finish and be billed"
    ) in caught.value.message
    assert len([r for r in server.api_calls if r.method == "POST"]) == 1


async def test_a_rejected_credential_on_a_poll_still_says_the_job_may_be_billed(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """The gateway words a rejected credential for its client; a job was submitted all the
    same, and the client must not send the request again."""

    async def submitted(recorded: Recorded) -> web.StreamResponse:
        url = f"{server.url}/v1/get_result?id=job-7"
        return web.json_response({"id": "job-7", "polling_url": url})

    server.reply(submitted, error_reply(401, "key revoked"))
    gateway = await make_gateway(
        plugins=[JobsPlugin()],
        providers={"jobs": {"api_key": JOBS_KEY, "base_url": f"{server.url}/v1"}},
    )
    with pytest.raises(openai.APIStatusError) as caught:
        await gateway.sdk(max_retries=2).images.generate(model="jobs/flux-test", prompt="x")
    assert caught.value.status_code == 503
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert "rejected this gateway's credential" in caught.value.message
    assert caught.value.message.endswith(
        "job job-7 was submitted: it may still finish and be billed"
    )
    assert len([r for r in server.api_calls if r.method == "POST"]) == 1


@pytest.mark.parametrize(("retryable", "header"), [(True, "5"), (False, None)])
def test_a_wait_is_passed_on_only_where_a_retry_can_help(
    retryable: bool, header: str | None
) -> None:
    """A job's failed poll keeps the wait its retries obeyed, but the job was submitted and may
    be billed (not retryable): no Retry-After that a client could read as 'resend then'."""
    from limner.gateway.errors import error_response
    from limner.redaction import Scrubber

    error = limner.ProviderUnavailableError("overloaded", provider="jobs", status_code=503)
    error.retry_after, error.retryable = 5.0, retryable
    answer = error_response(error, Scrubber(()))
    assert answer.headers.get("Retry-After") == header
    assert answer.headers["x-should-retry"] == str(retryable).lower()


_RESENT = "attempt 1: the connection dropped after the request went out: the provider may have "


@pytest.mark.parametrize(
    ("note", "job", "said", "retry"),
    [
        # never reached: nothing to bill, so worth sending again
        ("", None, "could not reach", "true"),
        # its last attempt could not connect, after an earlier one dropped: not reached, but
        # the earlier one may be billed, and the SDK's resend would be said by no warning
        (_RESENT + "taken it; limner sent it again", None, "could not reach", "false"),
        # its last attempt dropped after sending
        (
            "the connection dropped after the request went out: the provider may have taken it, "
            "and may bill the images it makes",
            None,
            "connection to the openai API was lost",
            "false",
        ),
        # a job's poll could not connect: the job was submitted, so no 'try again'
        (
            "job job-7 was submitted: it may still finish and be billed",
            "job-7",
            "could not reach",
            "false",
        ),
    ],
)
def test_a_lost_connection_is_said_as_its_last_attempt_went(
    note: str, job: str | None, said: str, retry: str
) -> None:
    from limner.gateway.errors import error_response
    from limner.redaction import Scrubber

    error = limner.ProviderConnectionError("lost", provider="openai", retryable=job is None)
    error.billing_note, error.job, error.submitted = note, job, job is not None
    error.dropped = note.startswith("the connection dropped")  # as limner.http marks it
    answer = error_response(error, Scrubber(()))
    assert answer.text is not None
    message = json.loads(answer.text)["error"]["message"]
    assert said in message and message.endswith(note)
    assert ("try again later" in message) is (not note)  # what may be billed is not resent
    assert answer.headers["x-should-retry"] == retry


async def test_a_split_request_with_one_failed_share_answers_the_others_images(
    make_gateway: MakeGateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """One share's poll is refused; the other share's job, submitted and billed, is polled to
    its image, which the client gets with a ``call_failed`` warning naming the failed job. The
    warning says the failure as the gateway says that error when it fails a request: the
    upstream's words (which quote part of the operator's key) stay in the operator's log."""
    revoked = {"error": {"message": "Incorrect API key provided: sk-proj-****WXYZ"}}
    server.reply(Jobs(server, polls=1, first=lambda: web.json_response(revoked, status=401)))
    gateway = await make_gateway(
        plugins=[JobsPlugin()],
        providers={"jobs": {"api_key": JOBS_KEY, "base_url": f"{server.url}/v1"}},
    )
    with caplog.at_level(logging.WARNING, logger="limner.gateway"):
        answer = await gateway.sdk(max_retries=0).images.generate(
            model="jobs/flux-test", prompt="x", n=2, response_format="url"
        )
    assert answer.data is not None and len(answer.data) == 1
    (warning,) = (answer.model_extra or {})["warnings"]
    assert warning["code"] == "call_failed"
    assert re.fullmatch(
        r"call [12] of 2 \(1 image\(s\)\) failed: the jobs API rejected this gateway's "
        r"credential, which its operator must fix; job job-1 was submitted: it may still finish "
        r"and be billed",
        warning["message"],
    )
    (logged,) = [r.getMessage() for r in caplog.records if "WXYZ" in r.getMessage()]
    assert logged.endswith(
        "(a call of a request answered 200: said as provider_credential_rejected)"
    )


def test_failed_calls_are_worded_as_the_gateway_words_errors() -> None:
    """A failure the gateway does not reword keeps its words (the call named once), scrubbed
    of the secrets the gateway knows; one it rewords is named again in front of its words."""
    from limner.errors import AuthenticationError, ProviderError
    from limner.gateway.errors import Scrubber, failures_as_answered
    from limner.responses import Notice

    secret = "gw-key-0123456789"
    failed = ProviderError(
        f"call 1 of 2 (1 image(s)) failed: OpenAI: boom {secret}", provider="openai"
    )
    rejected = AuthenticationError(
        "call 2 of 2 (1 image(s)) failed: OpenAI: bad key sk-...WXYZ", provider="openai"
    )
    rejected.call = "call 2 of 2 (1 image(s))"  # as core's Share.name sets it
    kept = Notice(code="revised_prompt", message="kept as it is")
    warnings = [
        Notice(code="call_failed", message=failed.message),
        Notice(code="call_failed", message=rejected.message),
        kept,
    ]
    answered = failures_as_answered(warnings, [failed, rejected], Scrubber([secret]))
    assert [notice.message for notice in answered] == [
        "call 1 of 2 (1 image(s)) failed: OpenAI: boom <redacted>",
        "call 2 of 2 (1 image(s)) failed: the openai API rejected this gateway's credential, "
        "which its operator must fix",
        "kept as it is",
    ]


def test_a_failed_calls_notice_after_a_resend_is_worded_as_the_gateway_words_it() -> None:
    """The notice quotes the error and its billing note (a resend): the gateway's lookup by the
    message missed it, and the upstream's host reached the client."""
    from limner.gateway.errors import failures_as_answered
    from limner.outcomes import failed_call_notice
    from limner.redaction import Scrubber
    from limner.sending import Share, _resent_said

    error = limner.RequestTimeoutError(
        "no answer from internal-proxy.corp.example:8443 within 0.3 s; the provider may have "
        "taken the request, and may still bill it",
        retryable=False,
    )
    error.billing_note = "the provider may have taken the request, and may still bill it"
    error.provider = "openai"
    _resent_said(error, ["attempt 1: the connection dropped; limner sent it again"])
    Share(0, 2, 1).name(error)
    (said,) = failures_as_answered([failed_call_notice(error)], [error], Scrubber())
    assert "internal-proxy" not in said.message
    assert said.message.startswith(
        "call 1 of 2 (1 image(s)) failed: the openai API did not answer within the gateway's "
        "timeout"
    )


async def test_a_request_the_provider_may_have_taken_is_not_for_the_sdk_to_resend(
    gateway: Gateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The connection dropped after the request went out: the SDK's own resend would be a
    second bill no warning tells of. The operator's log says it was sent, not unreached."""

    async def hang_up(recorded: Recorded) -> web.StreamResponse:
        assert recorded.request is not None and recorded.request.transport is not None
        recorded.request.transport.close()
        return web.Response()

    server.reply(hang_up, hang_up, hang_up)
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.APIStatusError) as caught,
    ):
        await gateway.sdk(max_retries=2).images.generate(model="openai/gpt-image-1", prompt="a fox")
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert len(server.api_calls) == 1
    assert "may bill the images it makes" in caught.value.message
    (logged,) = [r.getMessage() for r in caplog.records if "lost the connection" in r.getMessage()]
    assert logged.count("the connection dropped after the request went out") == 1, logged


async def test_a_timeout_after_sending_says_its_billing_note_once_in_the_log(
    make_gateway: MakeGateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The timeout's message holds its billing note already: the log line said it twice."""
    gateway = await make_gateway(timeout=0.3)
    server.reply(server.stall)
    with (
        caplog.at_level(logging.WARNING, logger="limner.gateway"),
        pytest.raises(openai.APIStatusError) as caught,
    ):
        await gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox")
    server.release.set()
    assert caught.value.status_code == 504
    (logged,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    host = server.url.removeprefix("http://")
    assert logged == (
        f"no answer from {host} within 0.3 s; the provider may have taken the request, and may "
        "still bill it (answered 504 timeout)"
    )


async def test_one_key_holds_at_most_half_the_upstream_slots(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """With several keys, a key whose requests are slow cannot lock the others out: its third
    request waits for its own share, while another key's goes through."""
    keys = (GATEWAY_KEY, "gw-key-second-0123456789")
    gateway = await make_gateway(GatewayConfig(api_keys=keys, max_concurrency=4, queue_timeout=0.3))
    server.reply(server.stall, server.stall)
    first = gateway.sdk(max_retries=0)
    slow = [asyncio.create_task(_generate_with(first)) for _ in range(2)]
    while len(server.api_calls) < 2:
        await asyncio.sleep(0.01)
    with pytest.raises(openai.RateLimitError) as caught:
        await _generate_with(first)
    assert "all 2 of this key's upstream slots stayed busy" in caught.value.message
    other = gateway.sdk(max_retries=0, api_key=keys[1])
    assert (await _generate_with(other)).data  # the other key's share is free
    server.release.set()
    await asyncio.gather(*slow)


async def _generate_with(sdk: openai.AsyncOpenAI) -> Any:
    return await sdk.images.generate(model="openai/gpt-image-1", prompt="a fox")


async def test_a_free_slot_is_taken_when_the_queue_time_is_spent(tmp_path: Path) -> None:
    """``asyncio.wait_for(..., 0)`` gives up even on a free semaphore: a request whose key's
    share freed at its deadline got a 429 with every slot free."""
    from limner.gateway import LocalFileStore
    from limner.gateway.state import GatewayState

    keys = (GATEWAY_KEY, "gw-key-second-0123456789")
    config = GatewayConfig(api_keys=keys, max_concurrency=4, queue_timeout=0.0)
    async with limner.AsyncClient(environ={}) as client:
        state = GatewayState(client=client, config=config, store=LocalFileStore(tmp_path))
        async with state._slot("a"):  # the key's share and a slot, both free
            assert state.slots._value == 3


@pytest.mark.parametrize(
    ("stuck", "what"),
    [
        (
            "StuckAuthProvider",
            "credentials for the fake API were not ready within its timeout "
            "(a token still being refreshed)",
        ),
        (
            "GatedLookup",
            "settings for the fake API were not ready within its timeout (read over "
            "the network, such as a cloud project)",
        ),
    ],
)
async def test_credentials_or_settings_not_ready_in_time_are_not_blamed_on_the_provider(
    server: FakeServer, tmp_path: Path, stuck: str, what: str
) -> None:
    """A blocking authorize (a token refresh), or a settings lookup, outlasting the timeout was
    answered as "the fake API did not answer", though nothing had been sent to it."""
    from ..core import test_core_provider_contract as contract
    from ..core.fakeprovider import FakePlugin

    contract.GatedLookup.gate.clear()
    gateway = await start_gateway(
        server,
        tmp_path,
        plugins=[FakePlugin(getattr(contract, stuck))],
        providers={"fake": {"api_key": UPSTREAM_KEY, "base_url": f"{server.url}/v1"}},
        timeout=0.2,
    )
    try:
        with pytest.raises(openai.APIStatusError) as caught:
            await gateway.sdk(max_retries=0).images.generate(model="fake/alpha-1", prompt="a")
    finally:
        contract.GatedLookup.gate.set()
        await gateway.stop()
    assert caught.value.status_code == 504
    assert caught.value.message == (
        f"Error code: 504 - the gateway's {what}; nothing was sent upstream"
    )
    assert server.requests == []
