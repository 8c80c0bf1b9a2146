"""Retries, timeouts, transport failures, the error tree, and safe downloads."""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import time
import warnings
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import limner
from limner import errors, status_errors
from limner.download import DownloadPolicy, download
from limner.http import RetryPolicy, Transport
from limner.wire import WireRequest, WireResponse, parse_retry_after

from .fakeprovider import FakeProvider
from .support import (
    FAST_RETRY,
    TEST_TIMEOUT,
    FakeServer,
    MakeClient,
    Recorded,
    client_kwargs,
    closed_port,
    closed_while_waiting,
    error_reply,
    ok_body,
)

# ---- retries ---------------------------------------------------------------------------------


async def test_429_with_retry_after_then_success(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(error_reply(429, "slow down", **{"Retry-After": "0.2"}))
    loop = asyncio.get_running_loop()
    start = loop.time()
    result = await client.images.generate(model="alpha", prompt="x")
    elapsed = loop.time() - start
    assert len(result.data) == 1
    assert len(server.api_calls) == 2
    assert 0.2 <= elapsed < 2  # waited as told, not the 1 ms backoff
    # credentials are added on every attempt
    assert all(c.headers["authorization"].startswith("Bearer ") for c in server.api_calls)


async def test_a_retry_after_over_max_retry_after_is_answered_at_once(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """A day's wait is not slept through (capped to a minute, it would fail again): the error
    says how long to wait."""
    server.reply(error_reply(429, "daily limit", **{"Retry-After": "86400"}))
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(limner.RateLimitError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert loop.time() - start < 1
    assert len(server.api_calls) == 1
    assert caught.value.retry_after == 86400


async def test_429_exhausted_is_rate_limit_error(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(*[error_reply(429, "slow down", **{"retry-after-ms": "5"})] * 3)
    with pytest.raises(limner.RateLimitError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 3
    assert info.value.retry_after == pytest.approx(0.005)
    assert info.value.retryable is True
    assert info.value.status_code == 429


@pytest.mark.parametrize(
    ("status", "error", "retries"),
    [
        (500, limner.ProviderError, 2),
        (503, limner.ProviderUnavailableError, 2),
        (502, limner.ProviderUnavailableError, 0),
        (504, limner.ProviderUnavailableError, 1),
        (409, limner.ProviderUnavailableError, 1),  # retried: not the request's fault
        # every 5xx, as the providers' SDKs retry: a CDN's 520 to 524, an overloaded 529
        (520, limner.ProviderError, 1),
        (529, limner.ProviderUnavailableError, 1),
        (501, limner.ProviderError, 1),
    ],
)
async def test_5xx_retried_then_error(
    make_client: MakeClient,
    server: FakeServer,
    status: int,
    error: type[limner.LimnerError],
    retries: int,
) -> None:
    client = make_client(retry=RetryPolicy(max_retries=retries, initial_delay=0.001))
    server.reply(*[error_reply(status, "down", **{"x-request-id": "req-1"})] * 5)
    with pytest.raises(error) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert type(info.value) is error
    assert len(server.api_calls) == retries + 1
    assert info.value.status_code == status
    assert info.value.request_id == "req-1"
    assert info.value.provider == "fake"
    assert info.value.model == "fake/alpha-1"


async def test_500_then_success(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(error_reply(500), error_reply(503))
    result = await client.images.generate(model="alpha", prompt="x")
    assert len(result.data) == 1
    assert len(server.api_calls) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, limner.InvalidRequestError),
        (401, limner.AuthenticationError),
        (402, limner.BillingError),
        (403, limner.PermissionDeniedError),
        (413, limner.PayloadTooLargeError),
        (422, limner.InvalidRequestError),
    ],
)
async def test_client_errors_not_retried(
    client: limner.AsyncClient, server: FakeServer, status: int, error: type[limner.LimnerError]
) -> None:
    server.reply(*[error_reply(status, "no")] * 3)
    with pytest.raises(error) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert type(info.value) is error
    assert len(server.api_calls) == 1
    assert info.value.status_code == status
    assert "fake: no" in info.value.message


async def test_max_retries_argument(make_client: MakeClient, server: FakeServer) -> None:
    client = make_client(retry=None, max_retries=0)
    server.reply(error_reply(503), error_reply(503))
    with pytest.raises(limner.ProviderUnavailableError):
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 1


async def test_connection_refused(make_client: MakeClient) -> None:
    port = closed_port()
    client = make_client(
        providers={"fake": {"api_key": "k", "base_url": f"http://127.0.0.1:{port}"}}
    )
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(limner.ProviderConnectionError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert loop.time() - start < 3
    assert f"127.0.0.1:{port}" in info.value.message
    assert info.value.retryable is True
    assert info.value.http_status == 502
    assert (info.value.provider, info.value.model) == ("fake", "fake/alpha-1")


async def test_connection_refused_attempts(make_client: MakeClient) -> None:
    attempts = 0

    from .fakeprovider import FakePlugin, FakeProvider

    class CountingProvider(FakeProvider):
        def authorize(self, request: Any, settings: Any, *, dry_run: bool = False) -> Any:
            nonlocal attempts
            attempts += 1
            return super().authorize(request, settings, dry_run=dry_run)

    port = closed_port()
    client = make_client(
        plugins=[FakePlugin(CountingProvider)],
        providers={"fake": {"api_key": "k", "base_url": f"http://127.0.0.1:{port}"}},
    )
    with pytest.raises(limner.ProviderConnectionError):
        await client.images.generate(model="alpha", prompt="x")
    assert attempts == FAST_RETRY.max_retries + 1


async def test_timeout_is_not_retried_and_fast(
    make_client: MakeClient, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(timeout=0.2)
    server.reply(server.stall, server.stall)
    loop = asyncio.get_running_loop()
    start = loop.time()
    with (
        caplog.at_level("DEBUG", "limner.http"),
        pytest.raises(limner.RequestTimeoutError) as info,
    ):
        await client.images.generate(model="alpha", prompt="x")
    logged = [r.getMessage() for r in caplog.records if r.name == "limner.http"]
    assert logged == [  # as an attempt that answered is (it was not logged at all)
        f"POST {server.url}/v1/images timed out (attempt 1): {info.value}"
    ]
    assert loop.time() - start < 1.5
    assert len(server.api_calls) == 1
    assert info.value.http_status == 504
    host = server.url.split("//", 1)[1].split("/", 1)[0]
    billed = "the provider may have taken the request, and may still bill it"
    assert info.value.message == f"no answer from {host} within 0.2 s; {billed}"
    assert info.value.billing_note == billed  # sent whole: the provider may be at work on it
    assert info.value.limit is limner.client_limits.TIMEOUT  # each surface says how to raise it
    assert str(info.value) == (  # what to do, then what may be billed: last
        f"no answer from {host} within 0.2 s; for a slow model, pass a larger timeout= to the "
        f"client, with_options() or the call; {billed}"
    )
    assert info.value.to_openai()["error"]["message"] == info.value.message  # no Python in it


async def test_malformed_json_on_200(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(web.Response(text="<html>oops</html>", content_type="text/html"))
    with pytest.raises(limner.ProviderError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.status_code == 200
    assert info.value.provider == "fake"
    assert len(server.api_calls) == 1


@pytest.mark.parametrize("padding", [0, 300_000], ids=["read-whole", "read-in-chunks"])
async def test_json_nested_past_the_parsers_depth_is_a_provider_error(
    client: limner.AsyncClient, server: FakeServer, padding: int
) -> None:
    """Not a bare RecursionError: the body is kept unparsed, and the plugin calls it
    unreadable."""
    deep = "[" * 100_000 + "]" * 100_000 + " " * padding  # (past every Python's parser)
    server.reply(web.Response(text=deep, content_type="application/json"))
    with pytest.raises(limner.ProviderError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.status_code == 200
    assert len(server.api_calls) == 1
    answer = limner.WireResponse(200, {}, deep.encode(), "http://x")
    with pytest.raises(ValueError, match="nested too deeply"):
        answer.json()
    assert answer.json_or_none() is None


@pytest.mark.parametrize("status", [200, 400, 500])
async def test_json_nested_past_what_limner_walks_is_a_limner_error(
    client: limner.AsyncClient, server: FakeServer, status: int
) -> None:
    """Python's parser reads about a thousand levels (3.13's, thousands): scrubbing the
    parsed body (two frames a level) raised a bare RecursionError from about 500."""
    deep = "[" * 700 + "]" * 700
    server.reply(  # (a 500 is retried: each attempt answers so)
        *(web.Response(text=deep, status=status, content_type="application/json") for _ in "abc")
    )
    with pytest.raises(limner.LimnerError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.status_code == status


def test_a_value_too_deep_to_scrub_is_not_shown() -> None:
    deep: list[object] = ["sk-secret-key-0123"]
    for _ in range(5000):  # (as Python 3.13's parser reads)
        deep = [deep]
    scrub = limner.redaction.Scrubber(["sk-secret-key-0123"])
    assert scrub.value({"body": deep}) == limner.redaction.TOO_DEEP
    assert scrub.value({"ok": ["sk-secret-key-0123"]}) == {"ok": ["<redacted>"]}


async def test_a_request_value_nested_past_any_use_is_refused_naming_its_field(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    deep: list[object] = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x", extra_body={"deep": deep})
    assert info.value.param == "deep"
    assert "nests deeper than 100 levels" in info.value.message
    shallow: list[object] = []
    for _ in range(99):
        shallow = [shallow]
    plan = await client.images.generate(
        model="alpha", prompt="x", extra_body={"deep": shallow}, dry_run=True
    )
    assert plan.requests[0]["json"]["deep"] == shallow
    assert server.api_calls == []


async def test_closing_the_client_ends_a_retry_back_off_at_once(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """A call told to wait 20 s before retrying fails as closed when its client closes."""
    server.reply(error_reply(429, "slow down", **{"retry-after": "20"}))
    call = client.images.generate(model="alpha", prompt="x")
    raised, took = await closed_while_waiting(client, server, call)
    assert isinstance(raised, limner.LimnerError) and raised.code == "client_closed"
    assert took < 2
    assert len(server.api_calls) == 1


async def test_a_call_in_flight_when_its_client_closes_fails_as_closed(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Not as the provider's dropped connection (retryable, blaming the server), even with no
    retry left to be cut short."""
    client = make_client(retry=RetryPolicy(max_retries=0))
    server.reply(server.stall)
    call = asyncio.create_task(client.images.generate(model="alpha", prompt="x"))
    while not server.api_calls:
        await asyncio.sleep(0.01)
    await client.close()
    with pytest.raises(limner.LimnerError) as caught:
        await call
    assert caught.value.code == "client_closed"
    assert not isinstance(caught.value, limner.ProviderConnectionError)
    assert caught.value.submitted is True  # the request was out: it may be billed, and says so
    assert caught.value.billing_note == "the provider may have taken the request, and bill it"


@pytest.mark.parametrize(("status", "calls"), [(200, 1), (503, 3)])
async def test_an_answer_cut_off_mid_body_is_resent_only_when_it_was_an_error(
    client: limner.AsyncClient, server: FakeServer, status: int, calls: int
) -> None:
    """A 200 whose body was lost made (and billed) the images: sending it again would pay
    twice, so it fails at once, marked as possibly billed. An error's body lost is retried."""

    async def cut(recorded: Recorded) -> web.StreamResponse:
        response = web.StreamResponse(status=status, headers={"content-type": "application/json"})
        response.content_length = 10_000
        request = recorded.request
        assert request is not None and request.transport is not None
        await response.prepare(request)
        await response.write(b'{"created": 1, "data": [')
        request.transport.close()
        return response

    server.reply(cut, cut, cut)
    with pytest.raises(limner.ProviderConnectionError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == calls
    if status == 200:
        assert info.value.retryable is False and info.value.submitted is True
        assert "began answering (HTTP 200) but the answer was cut off" in info.value.message
        assert "may have made, and will likely bill, the images" in info.value.message
    else:
        assert info.value.retryable is True and info.value.submitted is False


async def test_an_answer_that_stalls_mid_body_past_the_timeout_may_be_billed(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A 200 whose body does not finish in time made the images as surely as one cut off:
    not sent again, and said to be possibly billed."""
    client = make_client(timeout=0.4)
    server.reply(*[server.stall_mid_body] * 3)
    with pytest.raises(limner.RequestTimeoutError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 1
    assert info.value.submitted is True and info.value.retryable is False
    assert info.value.limit is limner.client_limits.TIMEOUT
    assert "began answering (HTTP 200) but did not finish within 0.4 s" in info.value.message
    assert "may have made, and will likely bill, the images" in info.value.message


async def test_unexpected_json_shape_on_200(client: limner.AsyncClient, server: FakeServer) -> None:
    server.reply(web.json_response({"result": "no data key"}))
    with pytest.raises(limner.ProviderError):
        await client.images.generate(model="alpha", prompt="x")


async def test_default_parse_error(client: limner.AsyncClient, server: FakeServer) -> None:
    provider = client.registry.providers["fake"]
    call = limner.ProviderCall(
        operation="generate",
        model=client.models.retrieve("alpha"),
        request=limner.GenerateRequest(model="alpha", prompt="x"),
        settings=limner.ProviderSettings(),
    )
    response = WireResponse(
        status=429, headers={"retry-after": "3", "x-request-id": "r9"}, body=b"busy"
    )
    error = limner.Provider.parse_error(provider, call, response)
    assert isinstance(error, limner.RateLimitError)
    assert (error.status_code, error.request_id, error.retry_after) == (429, "r9", 3.0)
    assert "busy" in error.message


def test_default_parse_error_reads_the_wait_where_the_provider_says_it(
    client: limner.AsyncClient,
) -> None:
    class BodyWait(FakeProvider):
        def retry_after(self, response: WireResponse) -> float | None:
            return float(response.json()["retry_in_seconds"])

    call = limner.ProviderCall(
        operation="generate",
        model=client.models.retrieve("alpha"),
        request=limner.GenerateRequest(model="alpha", prompt="x"),
        settings=limner.ProviderSettings(),
    )
    response = WireResponse(status=429, headers={}, body=b'{"retry_in_seconds": 0.25}')
    error = limner.Provider.parse_error(BodyWait(), call, response)
    assert isinstance(error, limner.RateLimitError)
    assert error.retry_after == 0.25


# ---- the error tree --------------------------------------------------------------------------

ERRORS = [
    (limner.InvalidRequestError, 400, "invalid_request_error", None),
    (limner.UnsupportedFeatureError, 400, "invalid_request_error", "unsupported_feature"),
    (limner.PayloadTooLargeError, 413, "invalid_request_error", "payload_too_large"),
    (limner.AuthenticationError, 401, "authentication_error", None),
    (limner.MissingCredentialsError, 401, "authentication_error", "missing_credentials"),
    (limner.PermissionDeniedError, 403, "permission_error", None),
    (limner.BillingError, 402, "billing_error", "insufficient_quota"),
    (limner.NotFoundError, 404, "not_found_error", "model_not_found"),
    (limner.ContentPolicyError, 400, "invalid_request_error", "content_policy_violation"),
    (limner.RateLimitError, 429, "rate_limit_error", "rate_limit_exceeded"),
    (limner.ProviderError, 502, "api_error", "upstream_error"),
    (limner.ProviderUnavailableError, 503, "api_error", "upstream_unavailable"),
    (limner.NoImageGeneratedError, 502, "api_error", "no_image_generated"),
    (limner.RequestTimeoutError, 504, "timeout_error", "timeout"),
    (limner.JobTimeoutError, 504, "timeout_error", "poll_timeout"),
    (limner.ProviderConnectionError, 502, "api_connection_error", "connection_error"),
    (limner.PluginError, 500, "api_error", "plugin_error"),
    (limner.LimnerError, 500, "api_error", None),
]


@pytest.mark.parametrize(("cls", "status", "kind", "code"), ERRORS)
def test_error_to_openai(
    cls: type[limner.LimnerError], status: int, kind: str, code: str | None
) -> None:
    error = cls("something broke", param="size")
    assert isinstance(error, limner.LimnerError)
    assert error.http_status == status
    assert error.to_openai() == {
        "error": {"message": "something broke", "type": kind, "param": "size", "code": code}
    }
    if error.limit is None:  # the client's limit it ran into: str() says how to raise it
        assert str(error) == "something broke"
    else:
        assert str(error) == f"something broke; {error.limit.python()}"
    assert repr(error).startswith(f"{cls.__name__}('something broke'")
    explicit = cls("x", code="custom")
    assert explicit.to_openai()["error"]["code"] == "custom"


def test_every_exported_error_is_covered() -> None:
    covered = {cls.__name__ for cls, *_ in ERRORS}
    exported = {
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), errors.LimnerError)
    }
    assert exported == covered


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, limner.InvalidRequestError),
        (404, limner.NotFoundError),
        (408, limner.RequestTimeoutError),
        (418, limner.InvalidRequestError),
        (429, limner.RateLimitError),
        (500, limner.ProviderError),
        (501, limner.ProviderError),
        (502, limner.ProviderUnavailableError),
        (529, limner.ProviderUnavailableError),
        (302, limner.ProviderError),
    ],
)
def test_error_for_status(status: int, cls: type[limner.LimnerError]) -> None:
    assert status_errors.error_for_status(status) is cls


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "-5"}, None),  # not a number of seconds: the backoff decides
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "NaN"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "-inf"}, None),
        ({"retry-after-ms": "nan"}, None),
        ({"retry-after-ms": "Infinity", "retry-after": "3"}, 3.0),
        ({"retry-after-ms": "-1", "retry-after": "3"}, 3.0),
        ({"retry-after": "9" * 400}, 366 * 86400.0),  # more digits than a float: a long wait
        ({"retry-after-ms": "9" * 400}, 366 * 86.4),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo", "UTC"])
@pytest.mark.parametrize(
    "form",
    ["%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"],
    ids=["imf", "rfc850", "asctime"],
)
def test_a_retry_after_date_is_in_gmt_in_each_of_its_three_forms(
    monkeypatch: pytest.MonkeyPatch, zone: str, form: str
) -> None:
    """HTTP dates are GMT whatever the form; the asctime form names no zone, and was read in
    the machine's local time."""
    if not hasattr(time, "tzset"):
        pytest.skip("no time.tzset here")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        when = time.strftime(form, time.gmtime(time.time() + 100))
        wait = parse_retry_after({"retry-after": when})
    finally:
        monkeypatch.undo()
        time.tzset()
    assert wait is not None and 97 <= wait <= 100


async def test_a_retry_after_of_more_digits_than_a_float_is_not_retried(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(error_reply(429, "slow down", **{"Retry-After": "9" * 400}))
    with pytest.raises(limner.RateLimitError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 1
    assert info.value.retry_after == 366 * 86400.0


def test_retry_policy_delay_ignores_a_wait_that_is_not_a_number_of_seconds() -> None:
    """A provider's own ``retry_after`` may read NaN from a body: ``asyncio.sleep(nan)`` never
    returns, so the backoff decides instead."""
    policy = RetryPolicy(initial_delay=1.0, max_delay=4.0)
    for odd in (float("nan"), -1.0, 0.0):  # 0: a date already past, or no wait at all
        assert 0.5 <= policy.delay(1, odd) <= 1.0
    assert policy.delay(1, float("inf")) == policy.max_retry_after


async def test_retry_after_nan_is_not_a_wait_forever(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(error_reply(429, "slow down", **{"Retry-After": "NaN"}))
    result = await asyncio.wait_for(
        client.images.generate(model="alpha", prompt="x"), TEST_TIMEOUT / 2
    )
    assert len(result.data) == 1
    assert len(server.api_calls) == 2


async def test_a_retry_after_date_already_past_does_not_send_every_retry_at_once(
    make_client: MakeClient, server: FakeServer
) -> None:
    """It was read as no wait: the retries went out back to back, against a rate limit."""
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.reply(*(error_reply(429, "slow down", **{"Retry-After": past}) for _ in range(2)))
    client = make_client(retry=RetryPolicy(max_retries=2, initial_delay=0.2, max_delay=0.2))
    started = time.monotonic()
    result = await client.images.generate(model="alpha", prompt="x")
    assert len(result.data) == 1 and len(server.api_calls) == 3
    assert time.monotonic() - started >= 0.2  # two back-offs of 0.1 to 0.2 s


def test_retry_policy_delay() -> None:
    policy = RetryPolicy(initial_delay=1.0, max_delay=4.0, max_retry_after=10.0)
    assert policy.delay(1, 30.0) == 10.0
    assert policy.delay(1, 0.5) == 0.5
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)):
        for _ in range(20):
            assert ceiling / 2 <= policy.delay(attempt, None) <= ceiling


# ---- downloads -------------------------------------------------------------------------------


async def _download(url: str, **policy: Any) -> bytes:
    async with aiohttp.ClientSession() as session:
        return await download(session, url, DownloadPolicy(**policy), param="images[0]")


async def test_download_http_refused_without_private_networks(server: FakeServer) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/files/a.png")
    assert info.value.param == "images[0]"
    assert info.value.code == "invalid_url"
    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/a.png",
        "https://localhost/a.png",
        "https://10.1.2.3/a.png",
        "https://192.168.0.1/a.png",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/a.png",
        # IPv4 inside IPv6, which is_global does not look into
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data",  # NAT64 of 169.254.169.254
        "https://[2002:7f00:1::]/a.png",  # 6to4 of 127.0.0.1
        "https://[::127.0.0.1]/a.png",  # IPv4-compatible
        "https://[::ffff:10.0.0.1]/a.png",  # IPv4-mapped
        "https://[::ffff:0:a9fe:a9fe]/latest/meta-data",  # SIIT's IPv4-translated
        "https://[64:ff9b:1::a9fe:a9fe]/latest/meta-data",  # NAT64's local-use prefix
        # global to Python 3.11's ipaddress, yet no public host
        "https://[fec0::1]/a.png",  # IPv6 site-local
        "https://224.0.0.1/a.png",  # IPv4 multicast
        "https://[ff02::1]/a.png",  # IPv6 multicast
        "https://a..b/a.png",  # an empty label: not a host name
        "https://" + "a" * 64 + ".example/a.png",  # a label over 63 characters
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "https:///nohost",
    ],
)
async def test_download_private_addresses_refused(url: str) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(url)
    assert info.value.param == "images[0]"
    assert "images[0]" in info.value.message


async def test_download_allowed_on_private_networks(server: FakeServer) -> None:
    data = await _download(f"{server.url}/files/a.png", allow_private_networks=True)
    assert data == server.files["/files/a.png"]


async def test_download_size_cap_declared(server: FakeServer) -> None:
    server.files["/files/big.png"] = b"x" * 5000
    with pytest.raises(limner.PayloadTooLargeError) as info:
        await _download(f"{server.url}/files/big.png", allow_private_networks=True, max_bytes=1000)
    assert info.value.param == "images[0]"
    assert info.value.http_status == 413


async def test_download_size_cap_streamed(server: FakeServer) -> None:
    async def chunks() -> Any:
        for _ in range(50):
            yield b"y" * 1000

    async def streamed(recorded: Recorded) -> web.StreamResponse:
        return web.Response(body=chunks())  # chunked: no content-length

    server.reply(streamed)
    with pytest.raises(limner.PayloadTooLargeError):
        await _download(f"{server.url}/stream", allow_private_networks=True, max_bytes=10_000)


@pytest.mark.parametrize("status", [404, 500])
async def test_download_non_200(server: FakeServer, status: int) -> None:
    """(Redirects and retries: test_core_download_redirects.)"""
    server.reply(web.Response(status=status))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/missing", allow_private_networks=True)
    assert info.value.code == "download_failed"
    assert str(status) in info.value.message
    assert [r.path for r in server.requests] == ["/missing"]  # tried once: no retry policy given


async def test_download_failure_of_a_result_url_is_provider_error(server: FakeServer) -> None:
    server.reply(web.Response(status=404))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(limner.ProviderError) as info:
            await download(
                session,
                f"{server.url}/gone.png",
                DownloadPolicy(allow_private_networks=True),
                param="data[0].url",
                provider_url=True,
            )
    assert info.value.param == "data[0].url"


async def test_download_connection_refused() -> None:
    with pytest.raises(limner.ProviderConnectionError) as info:
        await _download(f"http://127.0.0.1:{closed_port()}/a.png", allow_private_networks=True)
    assert info.value.param == "images[0]"


async def test_parse_error_bug_falls_back_to_status_mapping(
    make_client: MakeClient, server: FakeServer
) -> None:
    from .fakeprovider import FakePlugin, FakeProvider

    class Fragile(FakeProvider):
        def parse_error(self, call: Any, response: Any) -> limner.LimnerError:
            raise KeyError("error")

    client = make_client(plugins=[FakePlugin(Fragile)])
    server.reply(web.Response(status=403, text="forbidden"))
    with pytest.raises(limner.PermissionDeniedError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.status_code == 403
    assert "forbidden" in info.value.message


# ---- reading JSON bodies -----------------------------------------------------------------------

_BIG = {"data": [{"b64_json": "A" * 400_000}], "note": "é"}  # over the whole-body threshold


async def _post(server: FakeServer) -> WireResponse:
    transport = Transport(retry=RetryPolicy(max_retries=0))
    try:
        return await transport.send(
            WireRequest("POST", f"{server.url}/v1/x", json={"a": 1}), _as_is
        )
    finally:
        await transport.close()


async def _as_is(request: WireRequest) -> WireRequest:
    return request


async def _chunked(recorded: Recorded) -> web.StreamResponse:
    async def chunks() -> Any:
        text = json.dumps(_BIG).encode()
        for start in range(0, len(text), 65536):
            yield text[start : start + 65536]

    return web.Response(body=chunks(), content_type="application/json")


_SMALL = {"data": [], "note": "é"}


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(web.json_response(_SMALL), _SMALL, id="small"),
        pytest.param(web.json_response(_BIG), _BIG, id="large"),
        pytest.param(_chunked, _BIG, id="chunked, no content-length"),
    ],
)
async def test_json_bodies_are_parsed_as_they_arrive(
    server: FakeServer, reply: Any, expected: dict[str, Any]
) -> None:
    server.reply(reply)
    response = await _post(server)
    assert response.json() == expected
    assert len(response.body) <= 1024  # the payload is held once, as parsed JSON
    assert response.body.startswith(b'{"data"')


async def test_a_compressed_json_body_is_read_as_it_arrives(server: FakeServer) -> None:
    """The wire length of a gzip body says nothing of its size once inflated."""
    big = json.dumps(_BIG).encode()
    server.reply(
        web.Response(
            body=gzip.compress(big),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    )
    response = await _post(server)
    assert response.json() == _BIG
    assert response.body == big[:1024]


@pytest.mark.parametrize("raw", [b"\xff\xfe not utf-8", b"{not json"])
async def test_unreadable_json_bodies_keep_their_bytes(server: FakeServer, raw: bytes) -> None:
    server.reply(web.Response(body=raw, content_type="application/json"))
    response = await _post(server)
    assert response.body == raw
    assert response.json_or_none() is None


# ---- provider veto on retries ------------------------------------------------------------------


async def test_a_provider_can_veto_retrying_a_retryable_status(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A 429 whose body says waiting cannot help is answered at once, with no retry; another 429
    still is retried."""
    from .fakeprovider import FakePlugin, FakeProvider

    seen: list[int] = []

    class Vetoing(FakeProvider):
        def retryable(self, response: WireResponse) -> bool:
            seen.append(response.status)
            return b"quota" not in response.body

    client = make_client(plugins=[FakePlugin(Vetoing)])
    server.reply(error_reply(429, "quota used up"))  # a retry would succeed
    with pytest.raises(limner.RateLimitError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 1
    assert set(seen) == {429}
    assert caught.value.retryable is False  # the error says what core did

    server.reply(error_reply(429, "slow down"))
    result = await client.images.generate(model="alpha", prompt="x")
    assert len(result.data) == 1
    assert len(server.api_calls) == 3  # the plain 429 was retried


async def test_an_errors_retryable_is_the_verdict_core_retried_by(
    make_client: MakeClient, server: FakeServer
) -> None:
    """One truth: for a status core retries, the error's ``retryable`` (the gateway's
    x-should-retry) is ``Provider.retryable(response)``, whatever ``parse_error`` set."""
    from .fakeprovider import FakePlugin, FakeProvider

    class Disagreeing(FakeProvider):
        def parse_error(self, call: Any, response: WireResponse) -> limner.LimnerError:
            return limner.ProviderUnavailableError("down", retryable=response.status != 503)

        def retryable(self, response: WireResponse) -> bool:
            return response.status == 503

    client = make_client(plugins=[FakePlugin(Disagreeing)], retry=RetryPolicy(max_retries=0))
    for status, verdict in ((503, True), (500, False), (400, True)):
        server.reply(error_reply(status, "x"))
        with pytest.raises(limner.LimnerError) as caught:
            await client.images.generate(model="alpha", prompt="x")
        # 400 is no status core retries: the plugin's own word stands
        assert caught.value.retryable is verdict, status


async def test_a_provider_can_ask_to_retry_a_4xx_its_answer_says_to(
    make_client: MakeClient, server: FakeServer
) -> None:
    """``retry_anyway``: a 4xx core does not retry is, when the provider reads the answer so (a
    header saying to); one whose check raises is not."""
    from .fakeprovider import FakePlugin, FakeProvider

    class Asking(FakeProvider):
        def retry_anyway(self, response: WireResponse) -> bool:
            return response.headers.get("x-again") == "yes"

    client = make_client(plugins=[FakePlugin(Asking)])
    server.reply(error_reply(400, "busy", **{"x-again": "yes"}))
    result = await client.images.generate(model="alpha", prompt="x")
    assert len(result.data) == 1 and len(server.api_calls) == 2

    class Choking(FakeProvider):
        def retry_anyway(self, response: WireResponse) -> bool:
            raise KeyError("x-again")

    choking = make_client(plugins=[FakePlugin(Choking)])
    server.reply(error_reply(400, "busy", **{"x-again": "yes"}))
    with pytest.raises(limner.InvalidRequestError) as info:
        await choking.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 3 and info.value.retryable is False


@pytest.mark.parametrize("retries", [0, 2])
async def test_a_retryable_check_that_chokes_is_read_as_the_default_yes(
    make_client: MakeClient, server: FakeServer, retries: int
) -> None:
    """A plugin's retryable that raises on an odd body must not turn the provider's error into
    a crash (the gateway's 500 'bug'), when core asks before a retry or of the last answer: the
    status is retried, as by default."""
    from .fakeprovider import FakePlugin, FakeProvider

    class Choking(FakeProvider):
        def retryable(self, response: WireResponse) -> bool:
            return bool(response.json()["error"])  # an HTML body: ValueError

    client = make_client(plugins=[FakePlugin(Choking)], retry=RetryPolicy(max_retries=retries))
    for _ in range(retries + 1):
        server.reply(web.Response(status=502, text="<html>bad gateway</html>"))
    with pytest.raises(limner.ProviderUnavailableError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == retries + 1
    assert info.value.retryable is True


@pytest.mark.parametrize(
    "answer", ["fails", "soon", -1.0, float("nan"), float("inf"), 10**400, True]
)
async def test_a_retry_after_hook_that_fails_leaves_the_wait_to_the_headers(
    make_client: MakeClient, server: FakeServer, answer: object
) -> None:
    """A plugin's retry_after that raises, or answers no wait, does not end the call: core
    reads the Retry-After header itself. Here one call of a split ``n`` meets it, and the
    other call's images (made, and billed) are kept."""
    from .fakeprovider import FakePlugin, FakeProvider

    class Odd(FakeProvider):
        def retry_after(self, response: WireResponse) -> float | None:
            if answer == "fails":
                return float(response.json()["error"]["retry_after"])  # HTML: ValueError
            return answer  # type: ignore[return-value]

    async def by_index(recorded: Recorded) -> web.StreamResponse:
        if recorded.headers["x-call-index"] == "1":
            return web.Response(
                status=429, text="<html>slow down</html>", headers={"retry-after": "120"}
            )
        return web.json_response(ok_body(2))

    client = make_client(plugins=[FakePlugin(Odd)])
    server.reply(by_index, by_index)
    result = await client.images.generate(model="alpha", prompt="x", n=4)
    assert len(result.data) == 2  # the first call's
    assert len(server.api_calls) == 2  # 120 s is over the longest wait: not retried
    assert [w.code for w in result.warnings] == ["call_failed"]


async def test_no_wait_is_given_to_an_error_that_waiting_cannot_fix(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A 429 its plugin calls final (a quota used up for the day) keeps no retry_after, though
    the answer named a wait: the caller, the CLI and the gateway would read it as advice."""
    from .fakeprovider import FakePlugin, FakeProvider

    class Final(FakeProvider):
        def retryable(self, response: WireResponse) -> bool:
            return False

    client = make_client(plugins=[FakePlugin(Final)])
    server.reply(error_reply(429, "quota used up for today", **{"Retry-After": "34"}))
    with pytest.raises(limner.RateLimitError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert (info.value.retryable, info.value.retry_after) == (False, None)
    server.reply(error_reply(503, "overloaded", **{"Retry-After": "2"}))
    with pytest.raises(limner.ProviderUnavailableError) as busy:  # a retryable one keeps it
        await make_client(retry=RetryPolicy(max_retries=0)).images.generate(
            model="alpha", prompt="x"
        )
    assert (busy.value.retryable, busy.value.retry_after) == (True, 2.0)


def test_providers_retry_by_default() -> None:
    from .fakeprovider import FakeProvider

    assert FakeProvider().retryable(WireResponse(429, {}, b"{}")) is True


# ---- timeouts on a session passed in -----------------------------------------------------------


async def test_timeout_applies_to_a_session_passed_in(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The session's own default (here: none at all) does not override the client's timeout."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
        client = make_client(session=session, timeout=0.2)
        server.reply(server.stall)
        with pytest.raises(limner.RequestTimeoutError) as info:
            await asyncio.wait_for(
                client.images.generate(model="alpha", prompt="x"), TEST_TIMEOUT / 2
            )
    assert "0.2 s" in info.value.message
    assert len(server.api_calls) == 1


async def test_download_timeout_applies_to_a_session_passed_in(
    make_client: MakeClient, server: FakeServer
) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None)) as session:
        client = make_client(session=session, timeout=0.2)
        server.reply(server.stall)  # the download of the input image
        with pytest.raises(limner.ProviderConnectionError) as info:
            await asyncio.wait_for(
                client.images.edit(model="alpha", prompt="x", image=f"{server.url}/slow.png"),
                TEST_TIMEOUT / 2,
            )
    assert "timed out downloading" in info.value.message
    assert server.api_calls == []


async def test_a_session_passed_in_lends_downloads_none_of_its_headers_or_cookies(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Its default headers and cookies are for the hosts its owner chose; an input image's URL,
    which an end user may name, gets none of them (an internal token included). The provider's
    call keeps them, and closing the client leaves the session open."""
    async with aiohttp.ClientSession(
        headers={"Authorization": "Bearer internal-token", "X-Internal": "1"},
        cookies={"sid": "internal"},
    ) as session:
        client = make_client(session=session)
        url = f"{server.url}/files/a.png"
        result = await client.images.edit(model="alpha", prompt="x", image=url)
        assert len(result.data) == 1
        await client.close()
        assert not session.closed
    download, call = server.requests
    assert download.path == "/files/a.png" and call is server.api_calls[0]
    assert not {"authorization", "x-internal", "cookie"} & {k.lower() for k in download.headers}
    assert call.headers["x-internal"] == "1" and call.headers["cookie"] == "sid=internal"


async def test_a_client_dropped_unclosed_over_a_session_passed_in_leaves_no_session_open(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A client per request over the application's session, never closed: the session its
    downloads used (which owns nothing) goes with it, not reported as unclosed."""
    async with aiohttp.ClientSession() as session:
        client = limner.AsyncClient(**client_kwargs(server, session=session))
        url = f"{server.url}/files/a.png"
        await client.images.edit(model="alpha", prompt="x", image=url)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del client
            gc.collect()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert [line for line in said if "Unclosed" in line] == []


async def test_a_session_passed_in_that_raises_for_status_does_not_change_limners_reading(
    make_client: MakeClient, server: FakeServer
) -> None:
    """``aiohttp.ClientSession(raise_for_status=True)`` would turn every answer over 399 into a
    connection error (retried); limner reads the status itself, for calls and downloads."""
    async with aiohttp.ClientSession(raise_for_status=True) as session:
        client = make_client(session=session)
        server.reply(error_reply(400, "bad size"))
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.generate(model="alpha", prompt="x")
        assert len(server.api_calls) == 1 and "bad size" in info.value.message
        server.reply(web.Response(status=404, text="gone"))  # the input image's download
        with pytest.raises(limner.InvalidRequestError) as download:
            await client.images.edit(model="alpha", prompt="x", image=f"{server.url}/missing.png")
    assert download.value.code == "download_failed"
    assert "answered HTTP 404" in download.value.message


async def test_a_download_that_cannot_connect_in_time_is_not_the_whole_timeout() -> None:
    """aiohttp's connect timeout is a TimeoutError too: it is no advice to raise the client's
    timeout, and took the connect timeout, not the total."""
    from limner.download import DownloadPolicy, download

    class NoConnection:
        def get(self, *args: object, **kwargs: object) -> object:
            raise aiohttp.ConnectionTimeoutError("connect timed out")

    with pytest.raises(limner.ProviderConnectionError) as info:
        await download(
            NoConnection(),  # type: ignore[arg-type]
            "http://127.0.0.1:9/a.png",
            DownloadPolicy(allow_private_networks=True),
            param="images[0]",
            timeout=aiohttp.ClientTimeout(total=5, sock_connect=0.5),
        )
    assert info.value.message == (
        "images[0]: could not connect to download http://127.0.0.1:9/a.png in time"
    )
    assert info.value.limit is None and info.value.param == "images[0]"


async def test_a_download_name_lookup_is_within_the_timeout(
    make_client: MakeClient, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of an input image's host (its name looked up) counts against the timeout."""
    loop = asyncio.get_running_loop()

    async def slow_lookup(*args: object, **kwargs: object) -> list[object]:
        await asyncio.sleep(TEST_TIMEOUT)
        raise OSError("no such name")

    monkeypatch.setattr(loop, "getaddrinfo", slow_lookup)
    client = make_client(timeout=0.3, allow_private_networks=False)
    started = loop.time()
    with pytest.raises(limner.ProviderConnectionError) as info:
        await client.images.edit(model="alpha", prompt="x", image="https://slow.example/a.png")
    assert loop.time() - started < TEST_TIMEOUT / 2
    assert (
        info.value.message == "images[0]: timed out downloading https://slow.example/a.png "
        "within 0.3 s"
    )
    assert (
        info.value.param == "images[0]"
        and info.value.limit is limner.client_limits.DOWNLOAD_TIMEOUT
    )
    assert server.api_calls == []


# ---- URLs that cannot be read or carry credentials ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com:99999/a.png",
        "https://example.com:abc/a.png",
        "https://[::1/a.png",
    ],
)
@pytest.mark.parametrize("private", [False, True])
async def test_download_unreadable_urls_are_refused(url: str, private: bool) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(url, allow_private_networks=private)
    assert (info.value.param, info.value.code) == ("images[0]", "invalid_url")
    assert info.value.message.startswith("images[0]: not a valid URL")


@pytest.mark.parametrize("private", [False, True])
async def test_download_url_with_credentials_is_refused(server: FakeServer, private: bool) -> None:
    url = server.url.replace("://", "://user:hunter2@") + "/files/a.png"
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(url, allow_private_networks=private)
    assert (info.value.param, info.value.code) == ("images[0]", "invalid_url")
    assert "credentials" in info.value.message
    assert "hunter2" not in info.value.message
    assert server.requests == []


async def test_unreadable_image_url_is_refused_through_the_client(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(model="alpha", prompt="x", image="https://example.com:99999/a.png")
    assert info.value.code == "invalid_url"
    assert server.requests == []


async def test_transport_errors_never_name_url_credentials() -> None:
    transport = Transport(retry=RetryPolicy(max_retries=0))
    url = f"http://user:hunter2@127.0.0.1:{closed_port()}/v1/x"
    try:
        with pytest.raises(limner.ProviderConnectionError) as info:
            await transport.send(WireRequest("POST", url, json={}), _as_is)
    finally:
        await transport.close()
    assert "127.0.0.1" in info.value.message
    assert "hunter2" not in info.value.message
    assert "user:" not in info.value.message


async def test_multipart_names_go_on_the_wire_as_given() -> None:
    """As the OpenAI SDK (httpx) sends them: a file name with spaces or non-ASCII letters is
    written raw (UTF-8, quotes escaped), not percent-encoded, so the provider stores the name
    the user gave."""
    from limner.http import encode_body

    request = limner.WireRequest(
        method="POST",
        url="https://api.example/v1/images/edits",
        form=(("prompt", "a ü moon"),),
        files=(limner.FilePart("image", "my photo ü.png", "image/png", b"\x89PNG"),),
    )
    body, content_type = await encode_body(request)
    assert body is not None and content_type is not None
    assert content_type.startswith("multipart/form-data; boundary=")
    assert 'name="image"; filename="my photo ü.png"'.encode() in body
    assert "a ü moon".encode() in body


@pytest.mark.filterwarnings("error")
async def test_a_file_over_a_mebibyte_is_sent_without_a_warning() -> None:
    """aiohttp warns of raw bytes over 1 MiB in a form (a ResourceWarning each), and under
    warnings-as-errors failed with a TypeError quoting the whole image: an edit of an
    ordinary photo broke in a project whose tests turn warnings into errors."""
    from limner.http import encode_body

    photo = b"\x89PNG" + bytes(2 * 2**20)
    request = limner.WireRequest(
        method="POST",
        url="https://api.example/v1/images/edits",
        form=(("prompt", "a hat"),),
        files=(limner.FilePart("image", "photo.png", "image/png", photo),),
    )
    body, _ = await encode_body(request)
    assert body is not None and photo in body


@pytest.mark.parametrize(
    ("status", "quota", "retryable"),
    [
        (503, False, True),
        (500, False, True),
        (429, False, True),
        (429, True, False),
        (400, False, False),
    ],
)
def test_the_default_error_says_whether_resending_can_help(
    status: int, quota: bool, retryable: bool
) -> None:
    """The default parse_error: retryable when core retries the status and the provider's
    ``retryable`` agrees (the gateway turns it into ``x-should-retry``)."""
    from limner.sending import generic_error
    from limner.wire import WireResponse

    from .fakeprovider import ALPHA, FakeProvider

    class QuotaAware(FakeProvider):
        def retryable(self, response: WireResponse) -> bool:
            return b"quota" not in response.body

    body = b"quota used up" if quota else b"busy"
    response = WireResponse(status, {}, body, "https://fake.example/v1/images")
    assert generic_error(QuotaAware(), ALPHA, response).retryable is retryable


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.example/v1/jobs?id=1&sig=SECRET", "https://api.example/v1/jobs"),
        ("https://user:SECRET@api.example:8443/v1", "https://api.example:8443/v1"),
        ("http://127.0.0.1:9/v1/images", "http://127.0.0.1:9/v1/images"),
    ],
)
def test_log_lines_show_urls_without_queries_or_credentials(url: str, shown: str) -> None:
    from limner.status_errors import shown_url

    assert shown_url(url) == shown


async def test_a_client_closed_from_another_thread_between_a_waits_check_and_its_start() -> None:
    """Pauses.end() running in another thread after sleep() checked ``ended`` but before it
    registered its waiter: the wait still ends at once."""
    from limner.lifetime import Pauses

    pauses = Pauses()

    class EndsOnAdd(set[Any]):
        def add(self, item: Any) -> None:
            pauses.end()  # the other thread, at the worst moment
            super().add(item)

    pauses._waiting = EndsOnAdd()
    started = time.monotonic()
    assert await pauses.sleep(5) is False
    assert time.monotonic() - started < 1
