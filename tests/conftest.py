"""Every test: no proxy from the machine's environment (the tests talk to loopback servers; a
proxy set for the machine would take their calls, as it takes a client's)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
