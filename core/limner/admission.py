"""Waits set by whoever serves many callers on one client (the gateway): one before a planned
call is sent (an upstream slot), and one before a request's first input-image download (which
bounds the image bytes held by requests waiting for a slot). The request is checked, and its
input images loaded, before the first: a request that cannot succeed is refused at once, not
after waiting for a slot it would never use. Credentials that a provider fetches over the
network are made ready before the slot too (see :func:`admitted`), so that requests waiting on
a token service that hangs do not hold the slots every other provider's requests need."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar

__all__ = ["Admit", "BeforeDownload", "admitted", "admitting", "before_download"]

Admit = Callable[[], AbstractAsyncContextManager[object]]
"""Makes the context a call is sent in: entered once the request is planned, left once its
answer is merged (images downloaded), so that it bounds the work done upstream."""

BeforeDownload = Callable[[], Awaitable[None]]
"""Awaited before each input-image download of a request (not before a download of what the
provider answered, which is made inside the slot): the first call waits for, and takes, what the
request then holds to its end; later calls return at once. It may raise (a busy gateway's 429)."""

_ADMIT: ContextVar[Admit | None] = ContextVar("limner_admit", default=None)
_BEFORE_DOWNLOAD: ContextVar[BeforeDownload | None] = ContextVar(
    "limner_before_download", default=None
)
_NOTHING: AbstractAsyncContextManager[object] = contextlib.nullcontext()


@contextlib.contextmanager
def admitting(admit: Admit, downloads: BeforeDownload | None = None) -> Iterator[None]:
    """Calls made inside this block (in this task, or tasks it starts) wait for ``admit``, and
    their input-image downloads for ``downloads``."""
    token = _ADMIT.set(admit)
    download_token = _BEFORE_DOWNLOAD.set(downloads)
    try:
        yield
    finally:
        _BEFORE_DOWNLOAD.reset(download_token)
        _ADMIT.reset(token)


async def before_download(check: Callable[[], Awaitable[object]]) -> None:
    """Wait for what :func:`admitting` set before an input-image download, if anything, once
    ``check`` (the URL's own, which may refuse it) passed: a URL that can never be downloaded
    is refused at once, not after the wait."""
    wait = _BEFORE_DOWNLOAD.get()
    if wait is not None:
        await check()
        await wait()


def admitted(
    ready: Callable[[], Awaitable[object]] | None = None,
) -> AbstractAsyncContextManager[object]:
    """The context to send a planned call in: the one :func:`admitting` set, else none. When
    one is set, ``ready`` (what makes the call's credentials ready, such as a token refresh) is
    awaited first, outside it: the wait it bounds is for work done upstream only."""
    admit = _ADMIT.get()
    if admit is None:
        return _NOTHING
    return admit() if ready is None else _once_ready(ready, admit)


@contextlib.asynccontextmanager
async def _once_ready(
    ready: Callable[[], Awaitable[object]], admit: Admit
) -> AsyncIterator[object]:
    await ready()
    async with admit() as entered:
        yield entered
