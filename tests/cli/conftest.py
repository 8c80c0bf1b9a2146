"""Fixtures of the CLI tests: no credentials from the machine, and the loopback OpenAI server."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from .support import FakeOpenAI


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
    yield fake
    fake.release.set()
    fake.server.shutdown()


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
