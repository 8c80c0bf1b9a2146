"""A gateway on a loopback port, in front of a loopback fake of OpenAI's API, and the official
``openai`` SDK as its client."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from aiohttp import web
from PIL import Image

import limner
from limner.gateway import SHUTDOWN_GRACE, GatewayConfig, LocalFileStore, create_app, make_runner

from ..core.support import FakeServer

UPSTREAM_KEY = "sk-upstream-SECRET-0123456789"
GOOGLE_KEY = "gk-upstream-SECRET-0123456789"
GATEWAY_KEY = "gw-key-0123456789abcdef"


def png(width: int = 8, height: int = 8, *, alpha: int | None = None) -> bytes:
    mode, color = ("RGBA", (10, 20, 30, alpha)) if alpha is not None else ("RGB", (10, 20, 30))
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, format="PNG")
    return out.getvalue()


def data_url(payload: bytes) -> str:
    return f"data:image/png;base64,{base64.b64encode(payload).decode()}"


@dataclass
class Gateway:
    """A running gateway: ``base_url`` ends in ``/v1``."""

    runner: web.AppRunner
    client: limner.AsyncClient
    store: LocalFileStore
    origin: str
    sdks: list[openai.AsyncOpenAI] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def sdk(self, api_key: str = GATEWAY_KEY, **kwargs: Any) -> openai.AsyncOpenAI:
        """The official SDK pointed at the gateway (no retries: each status is seen once)."""
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 10.0)
        made = openai.AsyncOpenAI(base_url=self.base_url, api_key=api_key, **kwargs)
        self.sdks.append(made)
        return made

    async def stop(self) -> None:
        for made in self.sdks:
            await made.close()
        await self.runner.cleanup()
        await self.client.close()


async def start_gateway(
    upstream: FakeServer,
    files: Path,
    config: GatewayConfig | None = None,
    *,
    ttl: float = 3600.0,
    max_file_bytes: int = 50 * 2**20,
    grace: float = SHUTDOWN_GRACE,
    **client_kwargs: Any,
) -> Gateway:
    providers = {
        "openai": {"api_key": UPSTREAM_KEY, "base_url": f"{upstream.url}/v1"},
        "google": {"api_key": GOOGLE_KEY, "base_url": upstream.url},
    }
    kwargs: dict[str, Any] = {
        "providers": providers,
        "allow_private_networks": True,
        "max_retries": 0,
        "timeout": 10.0,
        "environ": {},
    }
    kwargs.update(client_kwargs)
    client = limner.AsyncClient(**kwargs)
    store = LocalFileStore(files, ttl=ttl, max_file_bytes=max_file_bytes)
    app = create_app(client, store, config or GatewayConfig())
    runner = make_runner(app, grace=grace)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return Gateway(runner, client, store, f"http://127.0.0.1:{port}")
