"""What every handler shares: the one limner client, the settings, the file store, the upstream
slots, the URL signer, the secret scrubber and the deadline of a stopping gateway. Nothing else
is kept between requests."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from aiohttp import web

from ..admission import admitting
from ..client import AsyncClient
from .config import GatewayConfig
from .errors import BusyError, Scrubber
from .files import FileStore
from .shutdown import Deadline, going_upstream
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
    deadline: Deadline = field(default_factory=Deadline)  # a stopping gateway's, for requests

    def __post_init__(self) -> None:
        self.signer = UrlSigner(self.config.api_keys)
        self.slots = asyncio.Semaphore(self.config.max_concurrency)
        self._per_key = max(1, self.config.max_concurrency // 2)
        self._shares: dict[str, asyncio.Semaphore] = {}  # (one per key: a few)

    async def upstream(self, call: Callable[[], Awaitable[T]], owner: str | None = None) -> T:
        """Run one client call, whose requests to the provider wait for a free slot; 429 when
        none frees up within the queue timeout. The call checks the request before it waits
        (:mod:`limner.admission`): a request that cannot succeed is refused at once, also while
        the gateway is busy. With several keys, one key's requests (``owner``, the key's tag)
        hold at most half the slots, so one client cannot lock the others out. Cancelling the
        request (a client that went away) cancels the call."""
        with admitting(functools.partial(self._slot, owner)):
            return await call()

    @contextlib.asynccontextmanager
    async def _slot(self, owner: str | None) -> AsyncIterator[None]:
        """A slot of the key's share (with several keys), then one of the gateway's, both
        within one queue timeout."""
        deadline = asyncio.get_running_loop().time() + self.config.queue_timeout
        async with contextlib.AsyncExitStack() as held:
            share = self._share(owner)
            if share is not None:
                which = f"{self._per_key} of this key's"
                await held.enter_async_context(self._taken(share, deadline, which))
            which = f"{self.config.max_concurrency} of the"
            await held.enter_async_context(self._taken(self.slots, deadline, which))
            going_upstream()
            yield

    @contextlib.asynccontextmanager
    async def _taken(
        self, slots: asyncio.Semaphore, deadline: float, which: str
    ) -> AsyncIterator[None]:
        left = max(0.0, deadline - asyncio.get_running_loop().time())
        try:
            if slots.locked():  # (wait_for(..., 0) gives up even on a free one)
                await asyncio.wait_for(slots.acquire(), left)
            else:
                await slots.acquire()
        except TimeoutError:
            raise BusyError(
                f"all {which} upstream slots stayed busy for {self.config.queue_timeout:g} s; "
                "retry later",
                retry_after=1,
            ) from None
        try:
            yield
        finally:
            slots.release()

    def _share(self, owner: str | None) -> asyncio.Semaphore | None:
        """The slots of one key's own, when the gateway has several keys."""
        if owner is None or len(self.config.api_keys) < 2:
            return None
        if owner not in self._shares:
            self._shares[owner] = asyncio.Semaphore(self._per_key)
        return self._shares[owner]


STATE = web.AppKey("limner_gateway", GatewayState)
