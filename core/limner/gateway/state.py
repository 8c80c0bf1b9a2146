"""What every handler shares: the one limner client, the settings, the file store, the upstream
slots, the URL signer and the secret scrubber. Nothing else is kept between requests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import web

from ..admission import admitting
from ..client import AsyncClient
from .config import GatewayConfig
from .errors import BusyError, Scrubber
from .files import FileStore
from .urls import UrlSigner

__all__ = ["STATE", "GatewayState"]

T = TypeVar("T")


@dataclass
class GatewayState:
    client: AsyncClient
    config: GatewayConfig
    store: FileStore
    scrub: Scrubber = field(default_factory=Scrubber)
    signer: UrlSigner = field(init=False)
    slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.signer = UrlSigner(self.config.api_keys)
        self.slots = asyncio.Semaphore(self.config.max_concurrency)

    async def upstream(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run one client call, whose requests to the provider wait for a free slot; 429 when
        none frees up within the queue timeout. The call checks the request before it waits
        (:mod:`limner.admission`): a request that cannot succeed is refused at once, also while
        the gateway is busy. Cancelling the request (a client that went away) cancels the
        call."""
        with admitting(self._slot):
            return await call()

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        try:
            await asyncio.wait_for(self.slots.acquire(), self.config.queue_timeout)
        except TimeoutError:
            raise BusyError(
                f"all {self.config.max_concurrency} upstream slots stayed busy for "
                f"{self.config.queue_timeout:g} s; retry later",
                retry_after=1,
            ) from None
        try:
            yield
        finally:
            self.slots.release()


STATE = web.AppKey("limner_gateway", GatewayState)
