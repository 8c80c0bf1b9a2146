"""Providers that answer with a job to poll (``Pending``): core polls through the same exchange
as every request, within the client's ``poll_timeout``. The provider is
:mod:`tests.core.jobsprovider`, shaped on Black Forest Labs' documented job API.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web

import limner

from .jobsprovider import KEY, Jobs, JobsPlugin, JobsProvider
from .support import FAST_RETRY, FakeServer, Recorded, error_reply


@pytest.fixture
async def make_jobs_client(server: FakeServer) -> AsyncIterator[Callable[..., limner.AsyncClient]]:
    made: list[limner.AsyncClient] = []

    def make(
        provider: type[limner.Provider] = JobsProvider, **overrides: Any
    ) -> limner.AsyncClient:
        kwargs: dict[str, Any] = {
            "plugins": [JobsPlugin(provider)],
            "disable_plugins": ["openai", "google", "stability", "nova_canvas"],
            "providers": {"jobs": {"api_key": KEY, "base_url": f"{server.url}/v1"}},
            "retry": FAST_RETRY,
            "timeout": 5.0,
            "environ": {},
            "allow_private_networks": True,
            **overrides,
        }
        client = limner.AsyncClient(**kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


def api_calls(server: FakeServer) -> list[tuple[str, str]]:
    return [(r.method, r.raw_path) for r in server.api_calls]


async def test_a_job_is_polled_until_ready_with_credentials_on_every_poll(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=2))
    result = await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")

    assert api_calls(server) == [
        ("POST", "/v1/flux-test"),
        ("GET", "/v1/get_result?id=job-1"),
        ("GET", "/v1/get_result?id=job-1"),
        ("GET", "/v1/get_result?id=job-1"),
    ]
    assert server.api_calls[0].json == {"prompt": "a fox", "index": 0}
    assert all(r.headers["x-key"] == KEY for r in server.api_calls)
    assert [item.url for item in result.data] == [f"{server.url}/files/a.png?job=job-1"]
    assert result.cost == Decimal("0.04")
    assert result.provider == "jobs"


async def test_the_wait_the_provider_asks_for_is_kept_between_polls(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Patient(JobsProvider):
        wait = 0.15

    server.reply(Jobs(server, polls=1))
    started = time.monotonic()
    await make_jobs_client(Patient).images.generate(model="jobs/flux-test", prompt="a fox")
    # one wait before the first poll, one before the second: never shorter
    assert time.monotonic() - started >= 0.3
    assert len(server.api_calls) == 3


async def test_a_signed_result_url_is_downloaded_for_b64_json(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=0))
    result = await make_jobs_client().images.generate(
        model="jobs/flux-test", prompt="a fox", response_format="b64_json"
    )
    assert result.data[0].url is None
    assert base64.b64decode(result.data[0].b64_json or "") == server.files["/files/a.png"]


async def test_each_share_of_a_split_request_polls_its_own_job_in_order(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    jobs = Jobs(server, polls=1)
    server.reply(jobs)
    result = await make_jobs_client().images.generate(model="jobs/flux-test", prompt="x", n=3)

    posts = [r for r in server.api_calls if r.method == "POST"]
    assert sorted(r.json["index"] for r in posts) == [0, 1, 2]
    assert jobs.seen == {"job-1": 2, "job-2": 2, "job-3": 2}  # one Pending, then Ready
    made = [item.url for item in result.data]
    assert len(made) == 3 and len(set(made)) == 3
    assert result.cost == Decimal("0.12")


async def test_a_job_not_done_within_poll_timeout_is_a_timeout_not_retried(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Slow(JobsProvider):
        wait = 0.05

    server.reply(Jobs(server, polls=10_000))
    with pytest.raises(limner.RequestTimeoutError) as caught:
        await make_jobs_client(Slow, poll_timeout=0.3).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    error = caught.value
    assert error.code == "poll_timeout"
    assert error.retryable is False
    assert "after 0.3 s" in error.message and "poll_timeout" in error.message
    assert "may still finish and be billed" in error.message
    polls = len(server.api_calls) - 1
    assert 2 <= polls <= 8  # bounded by the timeout, not by the job


async def test_a_split_request_names_the_share_whose_job_timed_out(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=10_000))
    with pytest.raises(limner.RequestTimeoutError) as caught:
        await make_jobs_client(poll_timeout=0.2).images.generate(
            model="jobs/flux-test", prompt="a fox", n=2
        )
    assert caught.value.message.startswith("call ")
    assert "of 2 (1 image(s)) failed" in caught.value.message


async def test_a_moderated_job_is_a_content_policy_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=1, final="Content Moderated"))
    with pytest.raises(limner.ContentPolicyError) as caught:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert caught.value.reason == "Content Moderated"
    assert caught.value.provider == "jobs" and caught.value.model == "jobs/flux-test"


async def test_a_failed_poll_is_mapped_by_parse_error_with_the_key_scrubbed(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    async def submitted(recorded: Recorded) -> web.StreamResponse:
        url = f"{server.url}/v1/get_result?id=job-1"
        return web.json_response({"id": "job-1", "polling_url": url})

    server.reply(submitted, error_reply(403, f"key {KEY} may not read this job"))
    with pytest.raises(limner.PermissionDeniedError) as caught:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert caught.value.status_code == 403


async def test_a_poll_answered_503_is_retried_like_any_request(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    async def submitted(recorded: Recorded) -> web.StreamResponse:
        url = f"{server.url}/v1/get_result?id=job-1"
        return web.json_response({"id": "job-1", "polling_url": url})

    ready = web.json_response(
        {"id": "job-1", "status": "Ready", "result": {"sample": "https://cdn.example/a.png"}}
    )
    server.reply(submitted, error_reply(503), ready)
    result = await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert result.data[0].url == "https://cdn.example/a.png"
    assert [method for method, _ in api_calls(server)] == ["POST", "GET", "GET"]


@pytest.mark.parametrize(
    "polling_url",
    [
        "http://elsewhere.invalid/v1/get_result?id=job-1&token=t0p",
        "ftp://elsewhere.invalid/v1/get_result?id=job-1&token=t0p",
    ],
)
async def test_a_poll_that_would_carry_the_key_in_clear_elsewhere_is_refused(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient], polling_url: str
) -> None:
    server.reply(web.json_response({"id": "job-1", "polling_url": polling_url}))
    with pytest.raises(limner.ProviderError) as caught:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    message = caught.value.message
    assert "elsewhere.invalid/v1/get_result" in message and "neither https" in message
    assert "t0p" not in message  # the query may hold a token
    assert len(server.api_calls) == 1  # nothing was sent there


async def test_a_poll_to_another_port_of_the_same_plain_http_host_is_refused(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    other = server.url.rsplit(":", 1)[0] + ":1"
    server.reply(web.json_response({"id": "j", "polling_url": f"{other}/v1/get_result?id=j"}))
    with pytest.raises(limner.ProviderError, match="neither https nor the origin"):
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")


async def test_pending_from_a_provider_without_parse_poll_is_a_plugin_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class NoPoll(JobsProvider):
        parse_poll = limner.Provider.parse_poll

    server.reply(Jobs(server))
    with pytest.raises(limner.PluginError, match="does not implement parse_poll"):
        await make_jobs_client(NoPoll).images.generate(model="jobs/flux-test", prompt="a fox")


@pytest.mark.parametrize("after", [-1.0, float("nan"), float("inf"), True, "1"])
async def test_a_wait_that_is_not_a_number_of_seconds_is_a_plugin_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient], after: Any
) -> None:
    class Odd(JobsProvider):
        wait = after

    server.reply(Jobs(server))
    with pytest.raises(limner.PluginError, match=r"Pending\.after must be a number of seconds"):
        await make_jobs_client(Odd).images.generate(model="jobs/flux-test", prompt="a fox")
    assert len(server.api_calls) == 1


async def test_a_dry_run_shows_the_call_that_submits_the_job(
    make_jobs_client: Callable[..., limner.AsyncClient],
) -> None:
    plan = await make_jobs_client().images.generate(
        model="jobs/flux-test", prompt="a fox", dry_run=True
    )
    assert isinstance(plan, limner.DryRun)
    assert [(r["method"], r["url"].rsplit("/", 1)[1]) for r in plan.requests] == [
        ("POST", "flux-test")
    ]
    assert plan.requests[0]["headers"]["x-key"] == "<redacted>"
    assert plan.estimated_cost_usd == Decimal("0.04")


@pytest.mark.parametrize("value", [0, -1, float("nan"), "600", True])
def test_poll_timeout_must_be_a_positive_number_of_seconds(value: Any) -> None:
    for make in (limner.AsyncClient, limner.Client):
        with pytest.raises(limner.InvalidRequestError) as caught:
            make(poll_timeout=value, environ={})
        assert caught.value.param == "poll_timeout"
