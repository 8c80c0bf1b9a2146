"""Google's own retry delay: core's transport asks the provider how long to wait before retrying a
429 or 5xx, and the Google provider answers with ``RetryInfo.retryDelay`` from the error body
(``"34.4s"``), falling back to the ``Retry-After`` headers."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import pytest

import limner
from limner import WireResponse
from limner_google import GoogleProvider

from .conftest import FakeCredentials, Server, gemini_answer, png, real_json

IMAGE = png(4, 4)
RETRY_INFO = "vercel-ai__google-429-retry-info.error.json"  # retryDelay "34.4s"
QUOTA = "firebase-test-data__vertexai_unary-failure-quota-exceeded.json"  # no RetryInfo


def rate_limited(delay: str, status: int = 429) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED" if status == 429 else "UNAVAILABLE",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}],
        }
    }


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Each retry's wait, recorded instead of slept (``back_off``, as the transport calls it)."""
    delays: list[float] = []

    async def pause(seconds: float, pauses: object) -> None:
        delays.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(limner.http, "back_off", pause)
    return delays


def policy(max_retry_after: float = 60.0) -> limner.http.RetryPolicy:
    return limner.http.RetryPolicy(initial_delay=0.001, max_retry_after=max_retry_after)


# ---- through the client ----------------------------------------------------------------------


async def test_429_waits_googles_retry_delay(server: Server, sleeps: list[float]) -> None:
    server.answer(429, real_json(RETRY_INFO))
    async with server.client(retry=policy()) as client:
        with pytest.raises(limner.RateLimitError) as caught:
            await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert sleeps == [34.4, 34.4]  # both retries waited what the body asked for
    assert len(server.seen) == 3
    assert caught.value.retry_after == 34.4
    assert server.seen[0].headers["x-goog-api-key"] == "test-key"
    assert "test-key" not in repr(caught.value) and "test-key" not in caught.value.message


async def test_429_retry_delay_then_success(server: Server, sleeps: list[float]) -> None:
    server.answer(429, rate_limited("1.5s"))
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(retry=policy()) as client:
        result = await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert sleeps == [1.5]
    assert len(server.seen) == 2
    assert len(result.data) == 1


async def test_the_wait_really_happens(server: Server) -> None:
    """No patching: a 0.05 s retryDelay is actually waited (the default backoff here is at most
    1 ms)."""
    server.answer(429, rate_limited("0.05s"))
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(retry=policy()) as client:
        started = time.monotonic()
        await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
        elapsed = time.monotonic() - started
    assert len(server.seen) == 2
    assert 0.05 <= elapsed < 5.0


async def test_body_delay_wins_over_the_header(server: Server, sleeps: list[float]) -> None:
    server.answer(429, rate_limited("2s"), **{"retry-after": "9"})
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(retry=policy()) as client:
        await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert sleeps == [2.0]


def per_minute_quota() -> Any:
    """The real Firebase recording (no RetryInfo) with a quota of 60 a minute instead of its 0,
    which no wait restores (see test_quota_no_wait_restores_is_not_retried)."""
    body = real_json(QUOTA)
    body["error"]["details"][0]["metadata"]["quota_limit_value"] = "60"
    return body


async def test_header_when_the_body_has_no_retry_info(server: Server, sleeps: list[float]) -> None:
    server.answer(429, per_minute_quota(), **{"retry-after": "7"})
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(retry=policy()) as client:
        await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert sleeps == [7.0]


async def test_a_delay_over_max_retry_after_is_not_waited_for(
    server: Server, sleeps: list[float]
) -> None:
    """A retry sooner than Google asks would fail again: the error says how long to wait."""
    server.answer(429, real_json(RETRY_INFO))
    async with server.client(retry=policy(max_retry_after=10.0)) as client:
        with pytest.raises(limner.RateLimitError) as caught:
            await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert sleeps == []
    assert len(server.seen) == 1
    assert caught.value.retry_after == 34.4  # what Google asked for


async def test_503_with_retry_info_on_vertex(server: Server, sleeps: list[float]) -> None:
    server.answer(503, rate_limited("0.25s", status=503))
    image = base64.b64encode(png()).decode()
    server.answer(200, {"predictions": [{"bytesBase64Encoded": image, "mimeType": "image/png"}]})
    async with server.client(
        retry=policy(),
        vertexai=True,
        project="proj",
        location="us-central1",
        api_key=None,
        credentials=FakeCredentials(),
    ) as client:
        result = await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
    assert sleeps == [0.25]
    assert [s.headers["authorization"] for s in server.seen] == ["Bearer ya29.fake-1"] * 2
    assert [d.b64_json for d in result.data] == [image]


async def test_no_delay_anywhere_uses_the_backoff(server: Server, sleeps: list[float]) -> None:
    server.answer(503, {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}})
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(retry=policy()) as client:
        await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert len(sleeps) == 1
    assert 0.0005 <= sleeps[0] <= 0.001  # full jitter under initial_delay


# ---- the provider hook -----------------------------------------------------------------------


def wire(status: int, body: Any, **headers: str) -> WireResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WireResponse(status, headers, raw)


@pytest.mark.parametrize(
    ("response", "seconds"),
    [
        (wire(429, real_json(RETRY_INFO)), 34.4),
        (wire(429, [real_json(RETRY_INFO)]), 34.4),  # the list form the SDK also accepts
        (wire(429, rate_limited("0.05s")), 0.05),
        (wire(429, rate_limited("3s"), **{"retry-after": "9"}), 3.0),
        (wire(503, rate_limited("1.000340s", status=503)), 1.00034),
        (wire(429, rate_limited("soon"), **{"retry-after": "4"}), 4.0),
        (wire(429, real_json(QUOTA), **{"retry-after": "7"}), 7.0),
        (wire(429, real_json(QUOTA)), None),
        (wire(503, b"<html>busy</html>", **{"retry-after-ms": "1500"}), 1.5),
        (wire(503, b"<html>busy</html>"), None),
    ],
)
def test_retry_after(
    provider: GoogleProvider, response: WireResponse, seconds: float | None
) -> None:
    assert provider.retry_after(response) == seconds


# ---- quotas no wait restores -------------------------------------------------------------------


def quota_failure(violation: dict[str, str], message: str = "Quota exceeded") -> Any:
    """A 429 in the shape of the real Gemini API recording (vercel-ai's fixture): QuotaFailure
    plus RetryInfo, with the given violation and message."""
    body = real_json(RETRY_INFO)
    body["error"]["message"] = message
    body["error"]["details"][0]["violations"] = [violation]
    return body


FREE_TIER_ZERO = quota_failure(
    {
        "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
        "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
        "quotaValue": "0",
    },
    # the message publicly reported for image models without a free tier (issues cited in
    # limner_google.errors)
    "You exceeded your current quota, please check your plan and billing details. * Quota "
    "exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, "
    "limit: 0, model: gemini-3-pro-image",
)


@pytest.mark.parametrize(
    ("body", "kind", "said"),
    [
        (FREE_TIER_ZERO, limner.BillingError, "has no free-tier quota: enable billing"),
        (
            real_json(QUOTA),
            limner.RateLimitError,
            "no quota for google/gemini-3-pro-image (limit 0)",
        ),
        (
            quota_failure(
                {"quotaId": "GenerateRequestsPerDayPerProjectPerModel", "quotaValue": "250"}
            ),
            limner.RateLimitError,
            "a daily quota is used up",
        ),
        (
            quota_failure({"quotaMetric": "m", "quotaValue": "0"}, "Resource exhausted"),
            limner.RateLimitError,
            "(limit 0)",
        ),
    ],
)
async def test_quota_no_wait_restores_is_not_retried(
    server: Server, sleeps: list[float], body: Any, kind: type[limner.LimnerError], said: str
) -> None:
    server.answer(429, body)
    async with server.client(retry=policy()) as client:
        with pytest.raises(kind) as caught:
            await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert type(caught.value) is kind
    assert len(server.seen) == 1 and sleeps == []
    assert said in caught.value.message
    assert caught.value.retryable is False


async def test_a_per_minute_free_tier_quota_is_still_retried(
    server: Server, sleeps: list[float]
) -> None:
    """The real recording: a free-tier quota per minute, which the wait Google asks restores."""
    server.answer(429, real_json(RETRY_INFO))
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(retry=policy()) as client:
        await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert sleeps == [34.4]
