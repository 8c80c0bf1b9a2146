"""Vertex AI tokens refreshed through google-auth against a loopback token service: the
refresh is bounded in time (by the plugin, and by the call's timeout in core), and one
client's slow refresh does not hold up another client's calls."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiohttp import web

import limner
import limner_google.token_transport
from tests.plugins.google.conftest import Server, gemini_answer, png

pytest.importorskip("google.auth.transport.requests")
from google.oauth2.credentials import Credentials

MODEL = "google/gemini-2.5-flash-image"


@dataclass
class TokenService:
    """OAuth's token endpoint: answers a refresh token ``slow-S`` after S seconds, others at
    once, with the access token ``token-for-<refresh token>``."""

    url: str = ""
    asked: list[str] = field(default_factory=list)

    def credentials(self, refresh_token: str) -> Credentials:
        make: Any = Credentials  # (google-auth is untyped)
        made: Credentials = make(
            token=None,
            refresh_token=refresh_token,
            client_id="client-id",
            client_secret="client-secret",
            token_uri=f"{self.url}/token",
        )
        return made


@pytest.fixture
async def tokens() -> AsyncIterator[TokenService]:
    service = TokenService()

    async def token(request: web.Request) -> web.Response:
        form = parse_qs((await request.read()).decode())
        refresh_token = form["refresh_token"][0]
        service.asked.append(refresh_token)
        if refresh_token.startswith("slow-"):
            await asyncio.sleep(float(refresh_token.removeprefix("slow-")))
        answer = {"access_token": f"token-for-{refresh_token}", "expires_in": 3600}
        return web.json_response({**answer, "token_type": "Bearer"})

    app = web.Application()
    app.router.add_post("/token", token)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    service.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield service
    finally:
        await runner.cleanup()


def vertex_client(server: Server, credentials: Credentials, **options: Any) -> limner.AsyncClient:
    google = {"vertexai": True, "project": "proj", "location": "global"}
    return limner.AsyncClient(
        providers={"google": {**google, "credentials": credentials, "vertex_base_url": server.url}},
        allow_private_networks=True,
        environ={},
        **options,
    )


async def test_a_refreshed_token_signs_the_call(server: Server, tokens: TokenService) -> None:
    server.answer(200, gemini_answer(image=png(4, 4)))
    async with vertex_client(server, tokens.credentials("fast")) as client:
        await client.images.generate(model=MODEL, prompt="a fox")
    assert tokens.asked == ["fast"]
    assert server.seen[0].headers["authorization"] == "Bearer token-for-fast"


async def test_google_auth_without_its_requests_transport_says_what_to_install(
    server: Server, tokens: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip install google-auth`` (no extra) has no requests transport: the refresh's
    ImportError was "a bug in the plugin"."""
    from limner_google import token_transport

    token_transport._bounded_request_class.cache_clear()
    monkeypatch.setitem(sys.modules, "google.auth.transport.requests", None)  # not installed
    try:
        async with vertex_client(server, tokens.credentials("fast")) as client:
            with pytest.raises(limner.MissingCredentialsError) as caught:
                await client.images.generate(model=MODEL, prompt="a fox")
    finally:
        token_transport._bounded_request_class.cache_clear()
    assert "pip install 'limner-google[vertex]'" in caught.value.message
    assert (tokens.asked, server.seen) == ([], [])


async def test_a_token_service_that_does_not_answer_ends_the_call_at_its_timeout(
    server: Server, tokens: TokenService
) -> None:
    """google-auth waits 120 s for a token service by default, and the call's timeout bounded
    only the exchange with the model: the call hung for two minutes, then was retried."""
    server.answer(200, gemini_answer(image=png(4, 4)))
    client = vertex_client(server, tokens.credentials("slow-5"), timeout=0.3)
    started = time.monotonic()
    async with client:
        with pytest.raises(limner.RequestTimeoutError) as caught:
            await client.images.generate(model=MODEL, prompt="a fox")
    assert time.monotonic() - started < 2
    assert "could not authorize the request within 0.3 s" in caught.value.message
    assert "nothing was sent" in caught.value.message
    assert not caught.value.retryable
    assert (tokens.asked, server.seen) == (["slow-5"], [])  # not retried, no model call


async def test_each_token_exchange_is_bounded_by_the_plugin(
    server: Server, tokens: TokenService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker thread ends too: google-auth's exchange is given the plugin's time limit
    (it times out as a connection failure, which the client retries)."""
    monkeypatch.setattr(limner_google.token_transport, "TOKEN_TIMEOUT", 0.2)
    client = vertex_client(
        server, tokens.credentials("slow-5"), retry=limner.http.RetryPolicy(max_retries=0)
    )
    started = time.monotonic()
    async with client:
        with pytest.raises(limner.ProviderConnectionError) as caught:
            await client.images.generate(model=MODEL, prompt="a fox")
    assert time.monotonic() - started < 2
    assert "could not get a token from Google's token service" in caught.value.message
    assert "TransportError" in caught.value.message
    assert server.seen == []


async def test_one_clients_slow_refresh_does_not_hold_up_another_client(
    server: Server, tokens: TokenService
) -> None:
    """All clients shared one lock around token refreshes: a client whose token service was
    slow held up every other client's calls."""
    server.answer(200, gemini_answer(image=png(4, 4)))
    async with (
        vertex_client(server, tokens.credentials("slow-1.5")) as slow,
        vertex_client(server, tokens.credentials("fast")) as fast,
    ):
        waiting = asyncio.create_task(slow.images.generate(model=MODEL, prompt="a"))
        while not tokens.asked:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await fast.images.generate(model=MODEL, prompt="b")
        took = time.monotonic() - started
        assert not waiting.done()
        await waiting
    assert took < 1
    assert tokens.asked == ["slow-1.5", "fast"]
    bearers = sorted(seen.headers["authorization"] for seen in server.seen)
    assert bearers == ["Bearer token-for-fast", "Bearer token-for-slow-1.5"]


def test_settings_with_their_refresh_lock_can_be_copied_deeply_and_pickled() -> None:
    """A bare threading.Lock in the settings made copy.deepcopy, model_copy(deep=True) and
    pickle raise TypeError."""
    import copy
    import pickle

    settings = limner_google.GoogleProvider().load_settings(
        {"vertexai": True, "project": "p", "location": "global"}, {}
    )
    assert copy.deepcopy(settings)._token_lock is settings._token_lock  # type: ignore[attr-defined]
    assert settings.model_copy(deep=True).project == "p"  # type: ignore[attr-defined]
    again = pickle.loads(pickle.dumps(settings))
    with again._token_lock:
        assert again.project == "p"
