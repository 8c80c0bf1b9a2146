"""A provider that answers with a job to poll, for the polling tests of core and the gateway.

It follows Black Forest Labs' documented job API, the best-known image service that works this way
(docs.bfl.ai, "Getting started"; its OpenAPI ``StatusResponse`` enum): the call answers
``{"id", "polling_url"}``; a ``GET`` of ``polling_url`` with the ``x-key`` header answers
``{"id", "status", "result"}``, ``status`` being ``Pending``, ``Ready`` (with ``result.sample``, a
signed URL), ``Request Moderated``, ``Content Moderated``, ``Error`` or ``Task not found``. It is a
test double of that shape, not a shipped provider.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import ClassVar

from aiohttp import web

import limner
from limner.forwarding import forward_fields

from .support import FakeServer, Recorded

KEY = "bfl-test-SECRET-key-0123456789"

FLUX = limner.ModelInfo(
    id="jobs/flux-test",
    provider="jobs",
    name="flux-test",
    capabilities=limner.Capabilities(
        operations=("generate",),
        max_images_per_call=1,
        max_n=4,
        response_formats=("url",),
    ),
    pricing=limner.PriceSheet(
        source="https://jobs.example/pricing",
        as_of=dt.date(2026, 1, 1),
        per_image=(limner.ImagePrice(usd=Decimal("0.04")),),
    ),
)


class JobsProvider(limner.Provider):
    name = "jobs"
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {"api_key": ("JOBS_API_KEY",)}
    credential_headers = frozenset({"x-key"})
    wait = 0.0  # seconds between polls the provider asks for

    def models(self) -> list[limner.ModelInfo]:
        return [FLUX]

    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        base = (call.settings.base_url or "https://jobs.example/v1").rstrip("/")
        prompt = call.request.prompt  # type: ignore[union-attr]
        body = {"prompt": prompt, "index": call.index}
        forward_fields(body, call.request.forwarded)
        wire = limner.WireRequest(method="POST", url=f"{base}/flux-test", json=body)
        return limner.Translation(request=wire)

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        key = self.api_key(settings, dry_run=dry_run)
        return request.with_headers({"x-key": key}, secret=True)

    def parse_response(
        self, call: limner.ProviderCall, response: limner.WireResponse
    ) -> limner.ProviderResult | limner.Pending:
        body = response.json()
        poll = limner.WireRequest(method="GET", url=body["polling_url"])
        return limner.Pending(poll, after=self.wait, job=body["id"])

    def parse_poll(
        self, call: limner.ProviderCall, pending: limner.Pending, response: limner.WireResponse
    ) -> limner.ProviderResult | limner.Pending:
        body = response.json()
        status = body["status"]
        if status == "Ready":
            return limner.ProviderResult(images=[limner.ImageData(url=body["result"]["sample"])])
        if status == "Pending":
            return limner.Pending(pending.request, after=self.wait, job=pending.job)
        if status in ("Request Moderated", "Content Moderated"):
            raise limner.ContentPolicyError(f"job {pending.job}: {status}", reason=status)
        raise limner.ProviderError(f"job {pending.job}: {status}")


class JobsPlugin:
    def __init__(self, provider: type[limner.Provider] = JobsProvider) -> None:
        self.provider = provider

    @limner.hookimpl
    def register_providers(self, register: Callable[[limner.Provider], None]) -> None:
        register(self.provider())


class Jobs:
    """The server's side of the job API: each ``POST`` opens a job, ready after ``polls``
    polls answering ``Pending``; a finished job answers ``final``. With ``first``, every poll
    of job ``job-1`` gets that answer instead (one share of a split request failing)."""

    def __init__(
        self,
        server: FakeServer,
        polls: int = 2,
        final: str = "Ready",
        first: Callable[[], web.StreamResponse] | None = None,
    ) -> None:
        self.server, self.polls, self.final, self.first = server, polls, final, first
        self.seen: dict[str, int] = {}

    async def __call__(self, recorded: Recorded) -> web.StreamResponse:
        self.server.reply(self)  # answer the next request too
        if recorded.method == "POST":
            job = f"job-{len(self.seen) + 1}"
            self.seen[job] = 0
            url = f"{self.server.url}/v1/get_result?id={job}"
            return web.json_response({"id": job, "polling_url": url})
        job = recorded.raw_path.split("id=")[1]
        if job == "job-1" and self.first is not None:
            return self.first()
        self.seen[job] += 1
        if self.seen[job] <= self.polls:
            return web.json_response({"id": job, "status": "Pending", "result": None})
        sample = f"{self.server.url}/files/a.png?job={job}"
        result = {"sample": sample} if self.final == "Ready" else None
        return web.json_response({"id": job, "status": self.final, "result": result})
