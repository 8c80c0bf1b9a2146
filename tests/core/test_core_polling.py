"""Providers that answer with a job to poll (``Pending``): core polls through the same exchange
as every request, within the client's ``poll_timeout``. The provider is
:mod:`tests.core.jobsprovider`, shaped on Black Forest Labs' documented job API.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
from aiohttp import web
from PIL import Image

import limner
import limner.http
import limner.polling
from limner.download import DownloadPolicy
from limner.http import pin_url

from .jobsprovider import FLUX, KEY, Jobs, JobsPlugin, JobsProvider
from .support import FAST_RETRY, FakeServer, Recorded, closed_while_waiting, error_reply


class FLUX_RETIRED(JobsProvider):
    def models(self) -> list[limner.ModelInfo]:
        lifecycle = limner.Lifecycle(status="deprecated", replacement="jobs/flux-test-2")
        return [FLUX.model_copy(update={"lifecycle": lifecycle})]


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


def submits(server: FakeServer, query: str = "") -> Callable[[Recorded], Any]:
    """The answer to the call: job ``job-1``, polled at ``get_result`` (with ``query`` added)."""

    async def submitted(recorded: Recorded) -> web.StreamResponse:
        url = f"{server.url}/v1/get_result?id=job-1{query}"
        return web.json_response({"id": "job-1", "polling_url": url})

    return submitted


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


async def test_closing_the_client_ends_a_wait_between_polls_at_once(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """Not slept out first: the call fails as closed, saying the job may still be billed."""

    class Slow(JobsProvider):
        wait = 20.0

    server.reply(Jobs(server, polls=1))
    client = make_jobs_client(Slow)
    call = client.images.generate(model="jobs/flux-test", prompt="a fox")
    raised, took = await closed_while_waiting(client, server, call)
    assert isinstance(raised, limner.LimnerError) and raised.code == "client_closed"
    assert took < 2
    assert raised.submitted and "may still finish and be billed" in raised.message
    assert len(server.api_calls) == 1  # never polled


async def test_a_poll_answer_cut_off_mid_body_is_asked_again(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """Reading a job's state bills nothing: a poll whose answer is lost is retried (only a
    submission cut off is not sent again, since the provider took that work)."""

    async def cut(recorded: Recorded) -> web.StreamResponse:
        request = recorded.request
        assert request is not None and request.transport is not None
        response = web.StreamResponse(headers={"content-type": "application/json"})
        response.content_length = 10_000
        await response.prepare(request)
        await response.write(b'{"id": "job-1", ')
        request.transport.close()
        return response

    async def ready(recorded: Recorded) -> web.StreamResponse:
        sample = f"{server.url}/files/a.png?job=job-1"
        return web.json_response({"id": "job-1", "status": "Ready", "result": {"sample": sample}})

    server.reply(submits(server), cut, ready)
    result = await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert len(result.data) == 1
    assert api_calls(server) == [
        ("POST", "/v1/flux-test"),
        ("GET", "/v1/get_result?id=job-1"),
        ("GET", "/v1/get_result?id=job-1"),
    ]


async def test_a_signed_result_url_is_downloaded_for_b64_json(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=0))
    result = await make_jobs_client().images.generate(
        model="jobs/flux-test", prompt="a fox", response_format="b64_json"
    )
    assert result.data[0].url is None
    assert base64.b64decode(result.data[0].b64_json or "") == server.files["/files/a.png"]
    # the answer said no format or size: the image downloaded says them
    with Image.open(io.BytesIO(server.files["/files/a.png"])) as image:
        assert (result.output_format, result.size) == ("png", f"{image.width}x{image.height}")


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
    with pytest.raises(limner.JobTimeoutError) as caught:
        await make_jobs_client(Slow, poll_timeout=0.5).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    error = caught.value
    assert isinstance(error, limner.RequestTimeoutError)
    assert error.code == "poll_timeout" and error.job == "job-1"
    assert error.retryable is False
    assert "not done within the poll timeout of 0.5 s (" in error.message
    assert error.message.endswith(
        "; the next was due in 0.1 s); job job-1 was submitted: it may still finish and be billed"
    )
    assert error.limit is limner.client_limits.POLL_TIMEOUT
    billed = "; job job-1 was submitted: it may still finish and be billed"
    assert str(error) == (  # what to do, then what may be billed: last, as in the message
        f"{error.message.removesuffix(billed)}; to wait longer for the job, pass a larger "
        f"poll_timeout= to the client or with_options(){billed}"
    )
    polls = len(server.api_calls) - 1
    assert 2 <= polls <= 5  # at least 0.1 s apart, and bounded by the timeout


async def test_a_split_request_names_the_share_whose_job_timed_out(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=10_000))
    with pytest.raises(limner.JobTimeoutError) as caught:
        await make_jobs_client(poll_timeout=0.3).images.generate(
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
    # the job has ended (moderated): it will not "still finish"
    assert caught.value.message.endswith("; job job-1 was submitted: it may be billed")
    assert caught.value.submitted is True and caught.value.retryable is False


async def test_a_failed_poll_is_mapped_by_parse_error_with_the_key_scrubbed(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    submitted = submits(server)
    server.reply(submitted, error_reply(403, f"key {KEY} may not read this job"))
    with pytest.raises(limner.PermissionDeniedError) as caught:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert caught.value.status_code == 403
    assert caught.value.retryable is False
    assert caught.value.message.endswith(
        "job job-1 was submitted: it may still finish and be billed"
    )


@pytest.mark.parametrize("status", [400, 404])
async def test_a_poll_answered_400_or_404_is_the_providers_failure_not_the_users(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient], status: int
) -> None:
    """A poll's 404 is about the job (expired, unknown), not a retired model; a 400 is not the
    user's request, which the provider took."""

    submitted = submits(server)
    server.reply(submitted, error_reply(status, "Task not found"))
    retired = FLUX_RETIRED if status == 404 else None
    with pytest.raises(limner.LimnerError) as caught:
        await make_jobs_client(retired or JobsProvider).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    error = caught.value
    assert type(error) is limner.ProviderError, error
    assert "jobs could not report on its job job-1" in error.message
    assert "Task not found" in error.message
    assert "may be retired" not in error.message
    assert error.status_code == status and error.retryable is False


async def test_a_poll_that_gets_no_answer_in_time_is_asked_again(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """One slow read of the job's state must not abandon a billed job while poll_timeout
    allows: the poll is sent again (a read bills nothing), up to the poll retries."""
    done = {"id": "job-1", "status": "Ready", "result": {"sample": f"{server.url}/files/a.png"}}

    async def slow(recorded: Recorded) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.json_response(done)

    server.reply(submits(server), slow, web.json_response(done))
    result = await make_jobs_client(timeout=0.3).images.generate(
        model="jobs/flux-test", prompt="a fox"
    )
    assert result.data[0].url == f"{server.url}/files/a.png"
    assert [m for m, _ in api_calls(server)] == ["POST", "GET", "GET"]
    server.reply(submits(server), *(slow for _ in range(1 + limner.polling.POLL_RETRIES)))
    with pytest.raises(limner.RequestTimeoutError) as caught:  # slow every time: given up
        await make_jobs_client(timeout=0.3).images.generate(model="jobs/flux-test", prompt="a fox")
    assert caught.value.submitted is True and caught.value.job == "job-1"


async def test_a_poll_failing_again_and_again_is_not_retryable(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    submitted = submits(server)
    server.reply(submitted, *(error_reply(503) for _ in range(4)))
    with pytest.raises(limner.ProviderUnavailableError) as caught:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert caught.value.retryable is False  # resending would start, and bill, another job
    assert "was submitted: it may still finish and be billed" in caught.value.message
    assert [m for m, _ in api_calls(server)] == ["POST", "GET", "GET", "GET", "GET"]


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_a_poll_answered_503_is_retried_even_by_a_client_that_retries_nothing(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient], max_retries: int
) -> None:
    """A poll is a read: repeating it bills nothing, unlike resending the call."""

    submitted = submits(server)
    ready = web.json_response(
        {"id": "job-1", "status": "Ready", "result": {"sample": "https://cdn.example/a.png"}}
    )
    server.reply(submitted, error_reply(503), error_reply(502), ready)
    retry = limner.RetryPolicy(max_retries=max_retries, initial_delay=0.001, max_delay=0.01)
    result = await make_jobs_client(retry=retry).images.generate(
        model="jobs/flux-test", prompt="a fox"
    )
    assert result.data[0].url == "https://cdn.example/a.png"
    assert [method for method, _ in api_calls(server)] == ["POST", "GET", "GET", "GET"]


async def test_a_poll_told_to_wait_past_max_retry_after_waits_within_the_poll_timeout(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """Unlike a call (which gives up at once rather than wait past max_retry_after), a poll
    waits as told while its deadline allows: giving up would abandon a billed job."""
    submitted = submits(server)
    ready = web.json_response(
        {"id": "job-1", "status": "Ready", "result": {"sample": "https://cdn.example/a.png"}}
    )
    server.reply(submitted, error_reply(429, "slow", **{"Retry-After": "0.3"}), ready)
    retry = limner.RetryPolicy(max_retries=0, initial_delay=0.001, max_retry_after=0.2)
    result = await make_jobs_client(retry=retry).images.generate(
        model="jobs/flux-test", prompt="a fox"
    )
    assert result.data[0].url == "https://cdn.example/a.png"
    assert [method for method, _ in api_calls(server)] == ["POST", "GET", "GET"]


async def test_a_poll_told_to_wait_past_the_poll_timeout_gives_up_at_once(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """Waiting would end in a timeout all the same: the error comes now, saying the job was
    submitted, as when the provider asks to poll again past the deadline."""
    submitted = submits(server)
    server.reply(submitted, error_reply(429, "slow", **{"Retry-After": "5"}))
    retry = limner.RetryPolicy(max_retries=0, initial_delay=0.001)
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(limner.RateLimitError) as caught:
        await make_jobs_client(retry=retry, poll_timeout=1.0).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    assert loop.time() - start < 0.9
    assert caught.value.submitted and caught.value.retry_after == 5
    assert [method for method, _ in api_calls(server)] == ["POST", "GET"]


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


async def test_polls_wait_at_least_the_minimum_and_carry_the_users_extra_headers(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(Jobs(server, polls=2))  # the double asks for no wait at all
    started = time.monotonic()
    await make_jobs_client().images.generate(
        model="jobs/flux-test", prompt="a fox", extra_headers={"x-trace": "t-1"}
    )
    assert time.monotonic() - started >= 3 * limner.provider.MIN_POLL_WAIT
    assert [r.headers.get("x-trace") for r in server.api_calls] == ["t-1"] * 4


async def test_the_deadline_bounds_a_poll_that_hangs(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    submitted = submits(server)
    server.reply(submitted, server.stall)
    started = time.monotonic()
    with pytest.raises(limner.JobTimeoutError) as caught:
        await make_jobs_client(poll_timeout=0.6, timeout=10.0).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    assert time.monotonic() - started < 3  # the poll's own 10 s timeout did not decide
    assert caught.value.job == "job-1"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254"])
async def test_a_poll_to_a_private_or_local_address_is_refused(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient], host: str
) -> None:
    url = f"https://{host}:1/v1/get_result?id=job-1&sig=s3cret"
    server.reply(web.json_response({"id": "job-1", "polling_url": url}))
    with pytest.raises(limner.ProviderError) as caught:
        await make_jobs_client(allow_private_networks=False).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    assert "a private or local address" in caught.value.message
    assert "s3cret" not in caught.value.message
    assert len(server.api_calls) == 1


def polled_elsewhere(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Script a job whose https poll URL names a host that does not exist (jobs.invalid, on the
    loopback server's port), ready at the first poll; connections pinned to an address are made
    in plain http, as the loopback server speaks. Returns the poll URL."""

    def plain_http(url: str, address: str) -> tuple[str, dict[str, Any]]:
        target, extra = pin_url(url, address)
        extra["server_hostname"] = None
        return target.replace("https://", "http://", 1), extra

    monkeypatch.setattr(limner.http, "pin_url", plain_http)
    port = server.url.rsplit(":", 1)[1]
    poll = f"https://jobs.invalid:{port}/v1/get_result?id=job-1"
    done = {"id": "job-1", "status": "Ready", "result": {"sample": f"{server.url}/files/a.png"}}
    server.reply(web.json_response({"id": "job-1", "polling_url": poll}), web.json_response(done))
    return poll


async def test_a_poll_to_another_host_connects_to_the_address_checked(
    server: FakeServer,
    make_jobs_client: Callable[..., limner.AsyncClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The poll's host is checked (here: as if it resolved to a public address) and the poll
    connects to that address, the name in the Host header: it is not resolved again, which
    DNS rebinding would exploit. The name does not exist, so resolving it would fail."""
    port = server.url.rsplit(":", 1)[1]
    checked: list[str | None] = []

    async def resolved_once(provider: limner.Provider, host: str, *_: object) -> str:
        checked.append(host)
        return "127.0.0.1"

    monkeypatch.setattr(limner.polling, "_public_address", resolved_once)
    polled_elsewhere(server, monkeypatch)
    result = await make_jobs_client(allow_private_networks=False).images.generate(
        model="jobs/flux-test", prompt="a fox"
    )
    assert result.data[0].url == f"{server.url}/files/a.png"
    assert checked == ["jobs.invalid"]
    polled = server.api_calls[1]
    assert (polled.method, polled.headers["host"]) == ("GET", f"jobs.invalid:{port}")


async def test_a_poll_host_that_does_not_resolve_is_looked_up_again_as_a_poll_is_retried(
    server: FakeServer,
    make_jobs_client: Callable[..., limner.AsyncClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolver's passing failure must not lose a billed job: the lookup is retried as a
    failed poll is; a name that never resolves ends the polling once the retries are spent."""
    lookups: list[str] = []

    async def flaky(provider: limner.Provider, host: str, *_: object) -> str:
        lookups.append(host)
        if len(lookups) < 3:
            raise limner.ProviderConnectionError("could not resolve jobs.invalid")
        return "127.0.0.1"

    monkeypatch.setattr(limner.polling, "_public_address", flaky)
    poll = polled_elsewhere(server, monkeypatch)
    result = await make_jobs_client(allow_private_networks=False).images.generate(
        model="jobs/flux-test", prompt="a fox"
    )
    assert len(result.data) == 1 and len(lookups) == 3

    async def never(provider: limner.Provider, host: str, *_: object) -> str:
        lookups.append(host)
        raise limner.ProviderConnectionError("could not resolve jobs.invalid")

    monkeypatch.setattr(limner.polling, "_public_address", never)
    lookups.clear()
    server.reply(web.json_response({"id": "job-2", "polling_url": poll}))
    with pytest.raises(limner.ProviderConnectionError) as caught:
        await make_jobs_client(allow_private_networks=False).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    assert len(lookups) == 1 + limner.polling.POLL_RETRIES
    assert caught.value.submitted is True and caught.value.job == "job-2"


async def test_a_relative_poll_url_is_the_plugins_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    server.reply(web.json_response({"id": "job-1", "polling_url": "/v1/get_result?id=job-1"}))
    with pytest.raises(limner.PluginError) as caught:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert caught.value.message.startswith(
        "jobs returned a Pending whose poll URL is not absolute ('/v1/get_result'): join a "
        "relative one to the URL the call went to (urllib.parse.urljoin)"
    )
    assert caught.value.submitted is True  # the job was taken all the same


async def test_the_poll_target_check_gives_each_attempt_the_address_to_connect_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def public(host: str, port: int, **_: object) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", public)
    submitted = limner.WireRequest("POST", "https://api.jobs.example/v1/flux")
    elsewhere = limner.WireRequest("GET", "https://results.jobs.example/v1/get?id=1")
    same = limner.WireRequest("GET", "https://api.jobs.example/v1/get?id=1")
    provider = JobsProvider()
    strict, lax = DownloadPolicy(), DownloadPolicy(allow_private_networks=True)
    pinning = limner.polling._pinning
    connect_to = pinning(elsewhere, submitted, provider, strict)
    assert connect_to is not None and await connect_to() == "93.184.216.34"
    assert pinning(same, submitted, provider, strict) is None  # the call's own origin
    assert pinning(elsewhere, submitted, provider, lax) is None  # nothing to pin

    async def unresolved(host: str, port: int, **_: object) -> list[tuple[Any, ...]]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", unresolved)
    with pytest.raises(limner.ProviderConnectionError) as caught:  # not sent unpinned
        await connect_to()
    assert (
        caught.value.message
        == "could not resolve results.jobs.example, where the jobs job is polled"
    )
    assert caught.value.retryable  # the transport looks it up again, as it sends again


def test_a_poll_target_neither_https_nor_the_calls_origin_is_refused_before_any_lookup() -> None:
    submitted = limner.WireRequest("POST", "https://api.jobs.example/v1/flux")
    plain = limner.WireRequest("GET", "http://results.jobs.example/v1/get?id=1&sig=s3cret")
    with pytest.raises(limner.ProviderError) as caught:
        limner.polling._pinning(plain, submitted, JobsProvider(), DownloadPolicy())
    assert caught.value.message == (
        "jobs asked limner to poll http://results.jobs.example/v1/get, which is neither https "
        "nor the origin the call went to; limner does not send credentials there"
    )


async def test_a_retried_poll_is_checked_and_pinned_again(
    server: FakeServer,
    make_jobs_client: Callable[..., limner.AsyncClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A poll answered 503 is sent again; the name is looked up again for the new attempt
    (what it resolved to may have changed), and each attempt connects to what was checked."""
    lookups: list[str] = []

    async def resolved(provider: limner.Provider, host: str, *_: object) -> str:
        lookups.append(host)
        return "127.0.0.1"

    monkeypatch.setattr(limner.polling, "_public_address", resolved)
    port = server.url.rsplit(":", 1)[1]
    polled_elsewhere(server, monkeypatch)
    done = server.script.pop()
    server.reply(error_reply(503, "busy"), done)
    result = await make_jobs_client(allow_private_networks=False).images.generate(
        model="jobs/flux-test", prompt="a fox"
    )
    assert len(result.data) == 1
    assert lookups == ["jobs.invalid", "jobs.invalid"]
    polls = server.api_calls[1:]
    assert [call.headers["host"] for call in polls] == [f"jobs.invalid:{port}"] * 2


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ({"not": "a result"}, "parse_poll returned dict, not a ProviderResult or Pending"),
        (None, "parse_poll returned NoneType"),
    ],
)
async def test_parse_poll_returning_something_else_is_a_plugin_error(
    server: FakeServer,
    make_jobs_client: Callable[..., limner.AsyncClient],
    answer: object,
    said: str,
) -> None:
    class Sloppy(JobsProvider):
        def parse_poll(self, call: Any, pending: Any, response: Any) -> Any:
            return answer

    server.reply(Jobs(server, polls=0))
    with pytest.raises(limner.PluginError, match=said):
        await make_jobs_client(Sloppy).images.generate(model="jobs/flux-test", prompt="a fox")


async def test_a_pending_without_a_wire_request_is_a_plugin_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Sloppy(JobsProvider):
        def parse_response(self, call: Any, response: Any) -> Any:
            return limner.Pending(response.json()["polling_url"])

    server.reply(Jobs(server, polls=0))
    with pytest.raises(limner.PluginError, match=r"the poll must be a limner\.WireRequest"):
        await make_jobs_client(Sloppy).images.generate(model="jobs/flux-test", prompt="a fox")
    assert len(server.api_calls) == 1


async def test_parse_response_returning_something_else_is_a_plugin_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Sloppy(JobsProvider):
        def parse_response(self, call: Any, response: Any) -> Any:
            return response.json()

    server.reply(Jobs(server, polls=0))
    with pytest.raises(limner.PluginError, match="parse_response returned dict"):
        await make_jobs_client(Sloppy).images.generate(model="jobs/flux-test", prompt="a fox")


async def test_poll_urls_are_logged_without_their_query(
    server: FakeServer,
    make_jobs_client: Callable[..., limner.AsyncClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    submitted = submits(server, "&sig=SIGNED-TOKEN-42")
    ready = web.json_response(
        {"id": "job-1", "status": "Ready", "result": {"sample": "https://cdn.example/a.png"}}
    )
    server.reply(submitted, ready)
    with caplog.at_level(logging.DEBUG, logger="limner"):
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    assert "GET " in caplog.text and "/v1/get_result -> 200" in caplog.text
    assert "SIGNED-TOKEN-42" not in caplog.text


async def test_a_404_a_plugin_maps_itself_does_not_name_the_models_successor(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Mapped(FLUX_RETIRED):
        def parse_poll_error(self, call: Any, pending: Any, response: Any) -> limner.LimnerError:
            return limner.NotFoundError(f"job {pending.job} expired")

    submitted = submits(server)
    server.reply(submitted, error_reply(404))
    with pytest.raises(limner.NotFoundError) as caught:
        await make_jobs_client(Mapped).images.generate(model="jobs/flux-test", prompt="a fox")
    assert caught.value.message.startswith("job job-1 expired")
    assert "may be retired" not in caught.value.message


async def test_a_poll_error_is_read_by_the_providers_own_parse_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Billing(JobsProvider):
        def parse_error(self, call: Any, response: Any) -> limner.LimnerError:
            if b"credits_exhausted" in response.body:
                return limner.BillingError("out of credits")
            return super().parse_error(call, response)

    server.reply(submits(server), error_reply(403, "credits_exhausted"))
    with pytest.raises(limner.BillingError) as caught:
        await make_jobs_client(Billing).images.generate(model="jobs/flux-test", prompt="a fox")
    assert caught.value.message.startswith("out of credits; job job-1 was submitted")
    assert caught.value.submitted is True and caught.value.job == "job-1"


async def test_when_one_shares_job_fails_the_others_are_polled_to_their_images(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """The other jobs were submitted and are billed: they are polled to the end, not
    cancelled, and their images come back with a notice for the moderated one."""
    moderated = {"id": "job-1", "status": "Content Moderated", "result": None}
    server.reply(Jobs(server, polls=2, first=lambda: web.json_response(moderated)))
    result = await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox", n=3)
    assert [item.url is not None for item in result.data] == [True, True]
    (notice,) = result.warnings
    assert notice.code == "content_filtered"
    assert re.fullmatch(
        r"call [123] of 3 \(1 image\(s\)\) failed: .*; job job-1 was submitted: it may be billed",
        notice.message,
    )
    polled = [c.raw_path for c in server.requests if c.method == "GET" and "id=job-" in c.raw_path]
    assert {path.split("id=")[1] for path in polled} == {"job-1", "job-2", "job-3"}


async def test_a_wait_past_the_poll_timeout_ends_at_once_and_says_why(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    class Leisurely(JobsProvider):
        wait = 10.0

    server.reply(Jobs(server, polls=1))
    started = time.monotonic()
    with pytest.raises(limner.JobTimeoutError) as caught:
        await make_jobs_client(Leisurely, poll_timeout=5.0).images.generate(
            model="jobs/flux-test", prompt="a fox"
        )
    assert time.monotonic() - started < 2  # not a wait that could not end in time
    assert (
        "the provider's job was not done within the poll timeout of 5 s (0 poll(s) in 0.0 s; "
        "the next was due in 10 s)"
    ) in caught.value.message
    assert len(server.api_calls) == 1


class TupleWarnings(JobsProvider):
    """A plugin whose finished job's warnings are a tuple (the type says list; it works)."""

    def parse_poll(
        self, call: limner.ProviderCall, pending: limner.Pending, response: limner.WireResponse
    ) -> limner.ProviderResult | limner.Pending:
        done = super().parse_poll(call, pending, response)
        if isinstance(done, limner.ProviderResult):
            note = limner.Notice(code="plugin_note", message="from the job")
            done = limner.ProviderResult(images=done.images, warnings=(note,))  # type: ignore[arg-type]
        return done


@pytest.mark.parametrize("provider", [JobsProvider, TupleWarnings])
async def test_a_submission_resent_after_its_connection_dropped_says_so_in_the_result(
    server: FakeServer,
    make_jobs_client: Callable[..., limner.AsyncClient],
    provider: type[JobsProvider],
) -> None:
    """The first submission went out and its connection dropped: the provider may have opened
    a job for it, which is billed; the job polled is the second's, and the result says so."""

    async def hang_up(recorded: Recorded) -> web.StreamResponse:
        assert recorded.request is not None and recorded.request.transport is not None
        recorded.request.transport.close()
        return web.Response()

    server.reply(hang_up, Jobs(server, polls=0))
    client = make_jobs_client(provider)
    result = await client.images.generate(model="jobs/flux-test", prompt="a fox")
    assert [method for method, _ in api_calls(server)] == ["POST", "POST", "GET"]
    assert [w.message for w in result.warnings if w.code == "resent"] == [
        "attempt 1: the connection dropped after the request went out: the provider may have "
        "taken it, and may bill the images it makes; limner sent it again"
    ]
    if provider is TupleWarnings:  # the plugin's own warning is kept beside it
        assert [w.code for w in result.warnings] == ["resent", "plugin_note"]


async def test_a_resent_submission_whose_job_fails_says_so_in_the_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """The job polled failed; the first submission, whose connection dropped, may have made
    another job, billed too: the error says so beside the job it names."""

    async def hang_up(recorded: Recorded) -> web.StreamResponse:
        assert recorded.request is not None and recorded.request.transport is not None
        recorded.request.transport.close()
        return web.Response()

    server.reply(hang_up, hang_up, Jobs(server, polls=0, final="Error"))
    with pytest.raises(limner.ProviderError) as info:
        await make_jobs_client().images.generate(model="jobs/flux-test", prompt="a fox")
    for attempt in (1, 2):  # each dropped submission may have made a job
        dropped = f"attempt {attempt}: the connection dropped after the request went out"
        assert dropped in info.value.message and dropped in info.value.billing_note
    assert "job-1" in info.value.message


async def test_a_split_request_that_failed_everywhere_names_the_job_another_call_started(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """The first call's error is raised: it said nothing of the other call's job, which may
    still finish and be billed, and invited sending it all again (retryable)."""
    jobs = Jobs(server, polls=10_000)

    async def answer(recorded: Recorded) -> web.StreamResponse:
        if recorded.method == "POST" and recorded.json == {"prompt": "a fox", "index": 0}:
            server.reply(answer)
            return web.json_response({"error": "bad"}, status=400)
        server.reply(answer)
        return await jobs(recorded)

    server.reply(answer)
    with pytest.raises(limner.LimnerError) as caught:
        await make_jobs_client(poll_timeout=0.3).images.generate(
            model="jobs/flux-test", prompt="a fox", n=2
        )
    error = caught.value
    assert error.message.startswith("call 1 of 2 (1 image(s)) failed: ")
    assert error.billing_note == (
        "call 2 of 2 (1 image(s)): job job-1 was submitted: it may still finish and be billed"
    )
    assert error.message.endswith(error.billing_note)
    assert not error.retryable


async def test_a_call_cancelled_while_its_job_ran_names_the_job(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """Its job was accepted, and may still finish and be billed: said so, with the id to find
    it by, not as a call "cancelled before it answered"."""
    ready = {"id": "job-1", "status": "Ready", "result": {"sample": f"{server.url}/files/a.png"}}
    server.reply(Jobs(server, polls=10_000, first=lambda: web.json_response(ready)))
    client = make_jobs_client()
    with limner.interrupted.keep_made_images() as made, pytest.raises(TimeoutError):
        await asyncio.wait_for(
            client.images.generate(model="jobs/flux-test", prompt="a fox", n=2), 0.5
        )
    (kept,) = made
    (notice,) = [w for w in kept.warnings if w.code == "call_failed"]
    assert notice.message == (
        "call 2 of 2 (1 image(s)) was cancelled while its job job-2 ran: the job may still "
        "finish, and be billed"
    )


@pytest.mark.parametrize("n", [1, 2])
async def test_jobs_that_answered_without_an_image_are_named_in_the_error(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient], n: int
) -> None:
    """A plugin's poll result with no image (as ``call.without_images`` makes one): the error
    said nothing of the jobs, which may be billed, and left ``submitted`` unset."""

    class Empty(JobsProvider):
        def parse_poll(self, call: Any, pending: Any, response: Any) -> Any:
            return limner.ProviderResult(images=[])

    server.reply(Jobs(server, polls=0))
    with pytest.raises(limner.NoImageGeneratedError) as caught:
        await make_jobs_client(Empty).images.generate(model="jobs/flux-test", prompt="x", n=n)
    error = caught.value
    said = {
        "job job-1 was submitted: it may be billed"
        if n == 1
        else f"jobs {first}, {second} were submitted: they may be billed"
        for first, second in (("job-1", "job-2"), ("job-2", "job-1"))
    }  # (the server numbers the jobs as their requests arrive)
    assert error.billing_note in said and (error.submitted, error.retryable) == (True, False)
    assert error.job == ("job-1" if n == 1 else None)
    assert str(error).endswith(error.billing_note)


async def test_a_job_that_answered_without_an_image_is_named_beside_another_jobs_failure(
    server: FakeServer, make_jobs_client: Callable[..., limner.AsyncClient]
) -> None:
    """The first call's error (its job failed) is raised; the other call's job, which answered
    with no image, may be billed too and is named, though the error was already 'submitted'."""

    class HalfEmpty(JobsProvider):
        def parse_poll(self, call: Any, pending: Any, response: Any) -> Any:
            if response.json()["status"] == "Ready":
                return limner.ProviderResult(images=[])
            return super().parse_poll(call, pending, response)

    def failed() -> web.StreamResponse:
        return web.json_response({"id": "job-1", "status": "Error", "result": None})

    server.reply(Jobs(server, polls=0, first=failed))
    with pytest.raises(limner.LimnerError) as caught:
        await make_jobs_client(HalfEmpty).images.generate(model="jobs/flux-test", prompt="x", n=2)
    note = caught.value.billing_note
    assert "job job-1 was submitted" in note and "job job-2 was submitted" in note
    assert note.count("job-1") == 1


def test_a_job_is_not_taken_as_named_because_its_id_is_part_of_another() -> None:
    from limner.polling import jobs_billable

    error = limner.ProviderError("failed")
    error.add_billing_note("job 12 was submitted: it may be billed")
    jobs_billable(error, ["1", "12"])
    assert error.billing_note.endswith("; job 1 was submitted: it may be billed")
