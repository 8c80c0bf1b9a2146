"""What every handler shares: the one limner client, the settings, the file store, the upstream
slots and download shares, the URL signer, the secret scrubber and the deadline of a stopping
gateway. Nothing else is kept between requests."""

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
from .body_budget import BodyBudget
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
    downloads: asyncio.Semaphore = field(init=False)  # requests holding downloaded images
    deadline: Deadline = field(default_factory=Deadline)  # a stopping gateway's, for requests
    told: set[str] = field(default_factory=set)  # operator's warnings its log has said once
    bodies: BodyBudget = field(init=False)  # the request bodies held at once, in bytes

    def __post_init__(self) -> None:
        self.signer = UrlSigner(self.config.api_keys)
        self.slots = asyncio.Semaphore(self.config.max_concurrency)
        self.downloads = asyncio.Semaphore(self.config.max_concurrency)
        self.bodies = BodyBudget(self.config.body_budget)
        self._per_key = max(1, self.config.max_concurrency // 2)
        self._shares: dict[str, asyncio.Semaphore] = {}  # (one per key: a few)
        self._download_shares: dict[str, asyncio.Semaphore] = {}
        self._body_shares: dict[str, BodyBudget] = {}

    async def upstream(self, call: Callable[[], Awaitable[T]], owner: str | None = None) -> T:
        """Run one client call, whose requests to the provider wait for a free slot; 429 when
        none frees up within the queue timeout. The call checks the request before it waits
        (:mod:`limner.admission`): a request that cannot succeed is refused at once, also while
        the gateway is busy. With several keys, one key's requests (``owner``, the key's tag)
        hold at most half the slots, so one client cannot lock the others out. Cancelling the
        request (a client that went away) cancels the call.

        A request that downloads input images first takes one of ``max_concurrency`` download
        shares (with several keys, one of its key's half), held to its end, so the image bytes
        the gateway holds for requests (up to the client's ``max_download_bytes`` each) are
        bounded however many come at once; the others wait for one, within the queue timeout."""
        pools = [(self.downloads, f"{self.config.max_concurrency} of the gateway's")]
        own = self._share(owner, self._download_shares)
        if own is not None:
            pools.insert(0, (own, f"{self._per_key} of this key's"))
        share = _DownloadShare(pools, self.config.queue_timeout)
        try:
            with admitting(functools.partial(self._slot, owner), share.take):
                return await call()
        finally:
            share.release()

    @contextlib.asynccontextmanager
    async def _slot(self, owner: str | None) -> AsyncIterator[None]:
        """A slot of the key's share (with several keys), then one of the gateway's, both
        within one queue timeout."""
        deadline = asyncio.get_running_loop().time() + self.config.queue_timeout
        async with contextlib.AsyncExitStack() as held:
            share = self._share(owner, self._shares)
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
        await _acquire(slots, deadline, f"{which} upstream slots", self.config.queue_timeout)
        try:
            yield
        finally:
            slots.release()

    def body_share(self, owner: str | None) -> BodyBudget | None:
        """One key's own part of the body budget, when the gateway has several keys: half of
        it (at least one body as large as the gateway takes), so that one key's large or slow
        uploads cannot hold it all, as its slots cannot."""
        if owner is None or len(self.config.api_keys) < 2:
            return None
        if owner not in self._body_shares:
            half = max(self.config.max_body_bytes, self.bodies.limit // 2)
            self._body_shares[owner] = BodyBudget(half, "of this key the gateway holds")
        return self._body_shares[owner]

    def _share(
        self, owner: str | None, shares: dict[str, asyncio.Semaphore]
    ) -> asyncio.Semaphore | None:
        """One key's own part of ``shares`` (its slots, or its download shares), when the
        gateway has several keys."""
        if owner is None or len(self.config.api_keys) < 2:
            return None
        if owner not in shares:
            shares[owner] = asyncio.Semaphore(self._per_key)
        return shares[owner]


STATE = web.AppKey("limner_gateway", GatewayState)


async def _acquire(slots: asyncio.Semaphore, deadline: float, what: str, waited: float) -> None:
    """One of ``slots`` by ``deadline`` (the loop's time), else a 429 saying all of ``what``
    stayed busy."""
    left = max(0.0, deadline - asyncio.get_running_loop().time())
    try:
        if slots.locked():  # (wait_for(..., 0) gives up even on a free one)
            await asyncio.wait_for(slots.acquire(), left)
        else:
            await slots.acquire()
    except TimeoutError:
        raise BusyError(
            f"all {what} stayed busy for {waited:g} s; retry later", retry_after=1
        ) from None


class _DownloadShare:
    """One request's download share: taken before its first input-image download (its images'
    downloads may run side by side: one takes it, the others wait for that), from each pool in
    turn (its key's, then the gateway's) within one queue timeout; released when the request
    ends."""

    def __init__(self, pools: list[tuple[asyncio.Semaphore, str]], queue_timeout: float) -> None:
        self._pools, self._queue_timeout = pools, queue_timeout
        self._lock = asyncio.Lock()
        self._held: list[asyncio.Semaphore] = []
        self._taken = False

    async def take(self) -> None:
        async with self._lock:
            if self._taken:
                return
            deadline = asyncio.get_running_loop().time() + self._queue_timeout
            try:
                for pool, which in self._pools:
                    what = f"{which} input-image download shares"
                    await _acquire(pool, deadline, what, self._queue_timeout)
                    self._held.append(pool)
            except BaseException:  # (busy, or cancelled): none kept
                self.release()
                raise
            self._taken = True

    def release(self) -> None:
        while self._held:
            self._held.pop().release()
