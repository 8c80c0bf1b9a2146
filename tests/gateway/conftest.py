"""Fixtures: a fake OpenAI upstream, and a gateway in front of it (with or without keys)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from limner.gateway import GatewayConfig

from ..core.conftest import _no_hang, server
from ..core.support import FakeServer
from .support import GATEWAY_KEY, Gateway, start_gateway

__all__ = ["_no_hang", "server"]

MakeGateway = Callable[..., Awaitable[Gateway]]


@pytest.fixture(autouse=True)
def _no_gateway_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIMNER_API_KEYS", raising=False)


@pytest.fixture
async def make_gateway(server: FakeServer, tmp_path: Path) -> AsyncIterator[MakeGateway]:
    made: list[Gateway] = []

    async def make(config: GatewayConfig | None = None, **kwargs: Any) -> Gateway:
        gateway = await start_gateway(server, tmp_path / f"files-{len(made)}", config, **kwargs)
        made.append(gateway)
        return gateway

    yield make
    for gateway in made:
        await gateway.stop()


@pytest.fixture
async def gateway(make_gateway: MakeGateway) -> Gateway:
    """A gateway that requires ``GATEWAY_KEY``."""
    return await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,)))
