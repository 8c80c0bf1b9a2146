"""Fixtures for the core tests: a loopback provider server, a fake provider and clients."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import limner

from .support import TEST_TIMEOUT, FakeServer, MakeClient, client_kwargs, make_server


@pytest.fixture(autouse=True)
def _no_hang(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LIMNER_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("FAKE_API_KEY", raising=False)
    monkeypatch.delenv("FAKE_BASE_URL", raising=False)
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"test took longer than {TEST_TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIMEOUT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    srv = FakeServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture
def threaded_server() -> Iterator[FakeServer]:
    """The same server on its own event loop thread, for the sync client."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    srv = asyncio.run_coroutine_threadsafe(make_server(), loop).result(5)
    yield srv
    asyncio.run_coroutine_threadsafe(srv.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.fixture
async def make_client(server: FakeServer) -> AsyncIterator[MakeClient]:
    made: list[limner.AsyncClient] = []

    def make(**overrides: Any) -> limner.AsyncClient:
        client = limner.AsyncClient(**client_kwargs(server, **overrides))
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


@pytest.fixture
def client(make_client: MakeClient) -> limner.AsyncClient:
    return make_client()
