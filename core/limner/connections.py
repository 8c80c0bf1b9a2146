"""A client's connections: the one ``aiohttp.ClientSession`` its calls share (made on first use,
on the event loop that first sends), whether the client is closed, and the waits its closing
cuts short. A client made with ``with_options`` shares its parent's: closing either closes both,
as with the openai SDK's ``with_options``."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import weakref
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import LimnerError
from .lifetime import Pauses, close_with_loop

if TYPE_CHECKING:  # aiohttp is imported on first use, to keep `import limner` fast
    from collections.abc import AsyncGenerator

    import aiohttp
    import yarl
    from aiohttp.client_reqrep import ClientRequest
    from aiohttp.connector import Connection
    from aiohttp.tracing import Trace

    from .proxies import EnvProxies

__all__ = [
    "CONNECTED",
    "IN_FLIGHT",
    "MAX_CONNECTIONS",
    "USER_AGENT",
    "Connections",
    "back_off",
    "client_closed_error",
    "client_modules",
    "cut_by_closing",
]

USER_AGENT = f"{__package__}/0.1"
MAX_CONNECTIONS = 1000
"""Connections a client's own session keeps open at most (calls beyond them wait for one)."""


CONNECTED: contextvars.ContextVar[bool] = contextvars.ContextVar("limner_connected", default=False)
"""Whether the request being sent got its connection: set by a client's own session (made here),
whose connector says so once it has one; the transport clears it before each attempt. A time-out
before then stopped a request that never left."""


@functools.cache
def _connector_class() -> type[aiohttp.TCPConnector]:
    """aiohttp's connector, saying in :data:`CONNECTED` when a request has its connection (made
    or reused); defined on first use, as aiohttp is imported then."""
    import aiohttp

    class Connector(aiohttp.TCPConnector):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._connecting: set[asyncio.Task[Any]] = set()
            self._cut: set[asyncio.Task[Any]] = set()

        async def connect(
            self, req: ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
        ) -> Connection:
            task = asyncio.current_task()
            if task is not None:
                self._connecting.add(task)
            try:
                connection = await super().connect(req, traces, timeout)
            except asyncio.CancelledError:
                if task in self._cut:  # cut by closing, not the call's own cancellation:
                    self._cut.discard(task)  # the transport tells one from the other
                    task.uncancel()  # (not None: it is in the set)
                raise
            finally:
                self._connecting.discard(task)
            CONNECTED.set(True)
            return connection

        def cut_connecting(self) -> None:
            """Cancel the connections being made (aiohttp's closing leaves a TLS handshake
            or a proxy's answer to run into its timeout); called before closing, on the
            connector's event loop."""
            for task in self._connecting - self._cut:
                self._cut.add(task)
                task.cancel()

    return Connector


class Connections:
    """The session (passed in, or made here on first use and closed by :meth:`close`), and
    whether the client is closed: a closed client refuses to send. A session serves the event
    loop it was made on: sending from another loop is refused (``event_loop_mismatch``), since
    its connections cannot move."""

    def __init__(
        self, session: aiohttp.ClientSession | None = None, proxies: EnvProxies | None = None
    ) -> None:
        self.proxies = proxies if session is None and proxies else None
        """The environment's proxies, for calls on the session made here (a session passed in
        keeps its own settings)."""
        self.pauses = Pauses()
        """Retries' back-offs and polls' waits, which :meth:`close` cuts short."""
        self.closed = False
        self._session = session
        self._owns_session = session is None
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of the session made here
        self._guard: AsyncGenerator[None, None] | None = None  # closes it when that loop ends
        self._bare: aiohttp.ClientSession | None = None  # downloads', beside a session passed in

    def session(self, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientSession:
        """The session to send with; one made here takes ``timeout`` as its default."""
        session = self._session
        if (  # the common case: the session made here, open, on the running loop
            session is not None
            and self._owns_session
            and not self.closed
            and self._loop is asyncio.get_running_loop()
            and not session.closed
        ):
            return session
        if self.closed:
            raise client_closed_error()
        if (
            self._owns_session
            and session is not None
            and not session.closed
            and asyncio.get_running_loop() is not self._loop
        ):
            if self._loop is not None and self._loop.is_closed():  # it ended without closing
                _forget(session)  # the session (as asyncio.run's end would): start afresh here
                session = self._session = self._guard = None
            else:
                raise LimnerError(
                    "this client's connections belong to another event loop, which has not "
                    "been closed (one running in another thread, or one that may run again); "
                    "make one client per event loop, inside it, close the other loop first, or "
                    "use limner.Client from any thread",
                    code="event_loop_mismatch",
                )
        if session is not None and not self._owns_session:
            if session.closed:
                raise LimnerError(  # a new default one would drop its settings without a word
                    "the aiohttp session passed as session= is closed; close the limner client "
                    "before the session it was given, or give it an open one",
                    code="session_closed",
                )
            made_on = getattr(session, "_loop", None)  # (aiohttp's loop property is deprecated)
            if made_on is not None and made_on is not asyncio.get_running_loop():
                raise LimnerError(  # not aiohttp's "Timeout context manager ... inside a task"
                    "the aiohttp session passed as session= belongs to another event loop than "
                    "this call's; make the session inside the event loop that uses the client",
                    code="event_loop_mismatch",
                )
        if session is None or session.closed:
            aiohttp, _ = client_modules()
            connector = _connector_class()(limit=MAX_CONNECTIONS)
            _MADE.add(connector)
            session = self._session = aiohttp.ClientSession(
                timeout=timeout,
                headers={"user-agent": USER_AGENT},
                # as many connections as the openai SDK keeps: a call waiting for a free one
                # spends its timeout waiting (aiohttp's total counts the wait), and 100, aiohttp's
                # default, made the 101st of 150 concurrent calls time out unsent
                connector=connector,
            )
            self._owns_session = True
            self._loop = asyncio.get_running_loop()
            self._guard = close_with_loop(session)  # closed when asyncio.run ends, if not before
        return session

    @property
    def says_when_connected(self) -> bool:
        """Whether the session is the one made here, which sets :data:`CONNECTED` (a session
        passed in does not: a time-out there may have come after the request went out)."""
        return self._owns_session

    def download_session(self, timeout: aiohttp.ClientTimeout) -> aiohttp.ClientSession:
        """The session for downloads (input image URLs, result links: hosts a caller's end user
        or a provider names). The client's own; beside a session passed in, one on its
        connector (its proxy and trust_env too) without its default headers, auth, cookies
        and middlewares, which were meant for the hosts its owner chose: a link's host would
        get them, an internal token included."""
        session = self.session(timeout)
        if self._owns_session:
            return session
        if self._bare is None:  # (closed only with the client, which then sends nothing)
            aiohttp, _ = client_modules()
            self._bare = aiohttp.ClientSession(
                connector=session.connector,
                connector_owner=False,  # (the connector stays the session's, and its owner's)
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"user-agent": USER_AGENT},
                timeout=timeout,
                trust_env=session.trust_env,
                proxy=getattr(session, "_default_proxy", None),  # (aiohttp has no public getter)
                proxy_auth=getattr(session, "_default_proxy_auth", None),
            )
            # it owns nothing, so a client dropped unclosed lets it go without a word
            weakref.finalize(self, self._bare.detach)
        return self._bare

    async def close(self) -> None:
        """Close the session (if made here), on the event loop it belongs to; afterwards sending
        is refused, and calls waiting to retry or to poll fail as closed."""
        self.closed = True
        self.pauses.end()
        if self._bare is not None:  # (its connector is the session's: left open)
            await self._bare.close()
        session, loop = self._session, self._loop
        if session is None or not self._owns_session or session.closed:
            return
        if loop is None or loop is asyncio.get_running_loop():
            await _shut(session)
            if self._guard is not None:
                await self._guard.aclose()
                self._guard = None
        elif loop.is_running():  # another thread's loop: close it there
            closing = asyncio.run_coroutine_threadsafe(_shut(session), loop)
            try:
                await asyncio.wrap_future(closing)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # this caller's own cancellation
                # else that loop ended as the session closed there (its calls, ended by the
                # closing, were all it had to do), and cancelled the closing: ending, it closes
                # what is left of the session (the guard's finalizer), so this close is done
        else:  # its loop ended without closing it (a loop asyncio.run did not make)
            _forget(session)


async def _shut(session: aiohttp.ClientSession) -> None:
    """Close a session made here, first ending the connections it is still making."""
    cut_connecting = getattr(session.connector, "cut_connecting", None)  # (the Connector's)
    if cut_connecting is not None:
        cut_connecting()
    await session.close()


def _forget(session: aiohttp.ClientSession) -> None:
    """Let go of a session whose event loop was closed under it. Its connector, closed on that
    loop, only drops its kept connections (their sockets close when collected): without it,
    aiohttp would report an unclosed connector."""
    connector = session.connector
    session.detach()
    if connector is not None:
        # close() hands back an awaitable to await, though here it has nothing to wait for
        closing = asyncio.ensure_future(connector.close())
        _CLOSING.add(closing)  # (kept until done: a task nothing refers to may be collected)
        closing.add_done_callback(_CLOSING.discard)


_CLOSING: set[asyncio.Future[None]] = set()


_MADE: weakref.WeakSet[aiohttp.BaseConnector] = weakref.WeakSet()
"""The connectors of the sessions made here, in this process."""


def _inherited_by_a_child() -> None:
    """In a child just forked: the parent's connectors are marked closed (aiohttp's own flag),
    touching nothing else, so that when one is finalized here, used by the child or not, it
    takes none of the parent's connections out of the event loop's selector they share. A
    client that calls again makes connections of its own (:meth:`Connections.session`)."""
    for connector in list(_MADE):
        connector._closed = True
    _MADE.clear()


if hasattr(os, "register_at_fork"):  # (not on Windows, which has no fork)
    os.register_at_fork(after_in_child=_inherited_by_a_child)


async def back_off(seconds: float, pauses: Pauses | None) -> None:
    """A retry's wait: on a client's ``pauses``, which its closing cuts short (the call then
    fails as ``client_closed``), or plainly without a client."""
    if pauses is None:
        await asyncio.sleep(seconds)
    elif not await pauses.sleep(seconds):
        raise client_closed_error(under_way=True)


IN_FLIGHT = "the provider may have taken the request, and bill it"
"""The billing note of a call ended while its request was out (the client closed, a gateway
stopping)."""


def cut_by_closing(closed: bool) -> bool:
    """Whether a ``CancelledError`` the running task just met came from closing the client
    (``closed``: it is closed) rather than from the task's own cancellation: closing cancels
    waits for a free connection and connections being made, and the connector takes its
    cancellation back (``Task.uncancel``), so the task is not left cancelling."""
    task = asyncio.current_task()
    return closed and task is not None and not task.cancelling()


def client_closed_error(*, in_flight: bool = False, under_way: bool = False) -> LimnerError:
    """The error for a call on a closed client; ``in_flight``: one whose request had gone out,
    which the provider may have taken (and bill); ``under_way``: one that was waiting (for a
    connection, a retry, a job's next poll) when the client closed."""
    if in_flight:
        error = LimnerError(
            "the client was closed while this call's request was out: the provider may have "
            "taken it, and bill it",
            code="client_closed",
        )
        error.submitted = True
        error.billing_note = IN_FLIGHT
        return error
    if under_way:
        return LimnerError(
            "the client was closed while this call waited (for a connection, a retry or a "
            "job's next poll); nothing more was sent for it",
            code="client_closed",
        )
    return LimnerError(
        "this client is closed; make a new one (or keep it open: one client can serve any "
        "number of requests)",
        code="client_closed",
    )


@functools.cache
def client_modules() -> tuple[ModuleType, type[yarl.URL]]:
    """aiohttp and yarl's URL, imported on the first request (not by ``import limner``)."""
    import aiohttp
    from yarl import URL

    return aiohttp, URL
