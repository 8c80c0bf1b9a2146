"""The aiohttp application: routes, middleware, shared state and the file store's periodic
sweep; and the runner that cancels a request's upstream calls when its client disconnects, and
answers those still running when a stopping gateway's grace ends."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web

from ..client import AsyncClient
from . import chat_routes, image_routes, routes
from .config import GatewayConfig
from .errors import Scrubber
from .expect import checked_expect
from .files import FileStore
from .middleware import authenticate, errors_and_log, limit_body
from .protocol_log import PROTOCOL_LOG
from .shutdown import answer_time
from .state import STATE, GatewayState

__all__ = ["SHUTDOWN_GRACE", "SWEEP_TASK_NAME", "create_app", "make_runner"]

SWEEP_TASK_NAME = "limner-gateway-file-sweep"

log = logging.getLogger(__name__)


def create_app(
    client: AsyncClient,
    store: FileStore,
    config: GatewayConfig | None = None,
    *,
    secrets: Iterable[str] = (),
    close_client: bool = False,
) -> web.Application:
    """The gateway over ``client`` (one shared client for every request).

    :param secrets: more values to scrub from every error message, besides the client's own
        credentials (:meth:`AsyncClient.secret_values`) and the gateway's keys.
    :param close_client: close ``client`` when the application shuts down.
    """
    config = config or GatewayConfig()
    if len(config.api_keys) > 1 and getattr(store, "max_owner_bytes", 0) is None:
        log.warning(
            "%d gateway keys share a file store with no room set per key: one key's files can "
            "fill it for the others; give LocalFileStore(max_owner_bytes=...) a share (limner "
            "serve gives each key half the store)",
            len(config.api_keys),
        )
    if config.default_model is not None:
        client.models.retrieve(config.default_model)  # NotFoundError (with suggestions) now
    scrub = Scrubber([*client.secret_values(), *secrets, *config.api_keys])
    app = web.Application(
        client_max_size=config.max_body_bytes,
        middlewares=[errors_and_log, authenticate, limit_body],
    )
    app[STATE] = GatewayState(client=client, config=config, store=store, scrub=scrub)
    post = functools.partial(web.post, expect_handler=checked_expect)  # checks before its body
    app.add_routes(
        [
            post("/v1/images/generations", image_routes.generations),
            post("/v1/images/edits", image_routes.edits),
            post("/v1/images/variations", image_routes.variations),
            post("/v1/chat/completions", chat_routes.completions),
            web.get("/v1/images/models", routes.list_models),
            web.get("/v1/models", routes.list_models),
            web.get("/v1/models/{model:.+}", routes.retrieve_model),
            web.get("/v1/files", routes.list_files),
            post("/v1/files", routes.upload_file),
            web.get("/v1/files/{file_id}", routes.get_file),
            web.delete("/v1/files/{file_id}", routes.delete_file),
            web.get("/v1/files/{file_id}/content", routes.file_content),
            web.get("/healthz", routes.health),
            web.get("/openapi.json", routes.openapi),
        ]
    )
    sweeper = _sweeper(store, config.sweep_interval)
    if sweeper is not None:
        app.cleanup_ctx.append(sweeper)
    if close_client:

        async def _close(app: web.Application) -> None:
            await client.close()

        app.on_cleanup.append(_close)
    return app


def _sweeper(
    store: FileStore, interval: float | None
) -> Callable[[web.Application], AsyncIterator[None]] | None:
    """A ``cleanup_ctx`` that runs ``store.sweep()`` every ``interval`` seconds while the app
    runs; ``None`` when the interval is off or the store has no ``sweep`` method."""
    sweep = getattr(store, "sweep", None)
    if interval is None or interval <= 0 or not callable(sweep):
        return None

    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_sweep_forever(sweep, interval), name=SWEEP_TASK_NAME)
        try:
            yield
        finally:
            task.cancel()
            await asyncio.wait([task])  # let it finish, without raising its cancellation here

    return run


async def _sweep_forever(sweep: Callable[[], Awaitable[object]], interval: float) -> None:
    """Sweep every ``interval`` seconds until cancelled; a failed sweep is logged, not fatal."""
    while True:
        await asyncio.sleep(interval)
        try:
            removed = await sweep()
        except Exception:
            log.exception("file store sweep failed; trying again in %g s", interval)
            continue
        if isinstance(removed, int) and removed:
            log.info("file store sweep removed %d expired file(s)", removed)


SHUTDOWN_GRACE = 60.0
"""Seconds a stopping gateway takes at most: the requests in flight have all but the last
:func:`~.shutdown.answer_time` of it to finish; one still running then is answered 503
(``x-should-retry: false``) and its upstream call cancelled; at the end, every connection still
open is closed (a client still reading an answer is cut off)."""


def make_runner(app: web.Application, *, grace: float = SHUTDOWN_GRACE) -> web.AppRunner:
    """A runner that cancels a handler (and so its upstream calls) when the client disconnects,
    and on ``cleanup()`` stops within ``grace`` seconds (see :data:`SHUTDOWN_GRACE`); request
    logging is the gateway's own line, so aiohttp's access log is off, and a request that is not
    valid HTTP is logged without its text (:data:`~.protocol_log.PROTOCOL_LOG`)."""
    runner = web.AppRunner(
        app,
        handler_cancellation=True,
        access_log=None,
        logger=PROTOCOL_LOG,
        # aiohttp waits this long for the handlers, then cancels those left and waits as long
        # again: the gateway's deadline and its closing of the connections come first
        shutdown_timeout=grace + 1,
    )
    if STATE in app:  # the gateway's own deadline, which answers before aiohttp cancels
        stopping = app[STOPPING] = Stopping(grace)
        app.on_shutdown.append(functools.partial(_stopping, runner=runner, stopping=stopping))
        app.on_cleanup.append(functools.partial(_stopped, stopping=stopping))
    return runner


@dataclass
class Stopping:
    """A gateway's stop: its grace, whether it began and was hurried (:func:`hurry`), the timer
    that closes the connections still open at its end, and whether it never served (its site
    did not start)."""

    grace: float
    started: bool = False
    hurried: bool = False
    never_served: bool = False
    closing: asyncio.TimerHandle | None = None


STOPPING = web.AppKey("limner_gateway_stopping", Stopping)


def hurry(runner: web.AppRunner) -> None:
    """A stopping gateway told to stop again (a second Ctrl-C or SIGTERM): its grace ends now.
    Each request still running is answered 503 ``gateway_stopping`` at once (its upstream call
    cancelled), not dropped unanswered, which the SDKs would send again; the connections still
    open are closed after the answer time. Once per stop; before the stop has begun (its
    ``cleanup()`` called but not yet under way), the stop is hurried from its start."""
    stopping = runner.app.get(STOPPING)
    if stopping is None or stopping.hurried:
        return
    stopping.hurried = True
    if stopping.started:
        _end_grace(runner, stopping)


def _end_grace(runner: web.AppRunner, stopping: Stopping) -> None:
    log.info("stopping now: requests still running are answered 503 gateway_stopping")
    runner.app[STATE].deadline.start(0)
    if stopping.closing is not None:
        stopping.closing.cancel()
    loop = asyncio.get_running_loop()
    stopping.closing = loop.call_later(answer_time(stopping.grace), _close_connections, runner)


async def _stopping(app: web.Application, *, runner: web.AppRunner, stopping: Stopping) -> None:
    """The gateway is stopping: the requests in flight have until the grace less the answer
    time from now, and the connections still open are closed at its end (or at once, when
    hurried already)."""
    stopping.started = True
    if stopping.never_served:  # (its port was taken: no request to wait for)
        return
    if stopping.hurried:
        _end_grace(runner, stopping)
        return
    grace = stopping.grace
    deadline = app[STATE].deadline
    log.info(
        "stopping: %d request(s) in flight have %g s to finish; a second stop ends them now",
        deadline.running,
        grace - answer_time(grace),
    )
    deadline.start(grace - answer_time(grace))
    stopping.closing = asyncio.get_running_loop().call_later(grace, _close_connections, runner)


async def _stopped(app: web.Application, *, stopping: Stopping) -> None:
    """The gateway stopped (sooner than the grace): its connections are not to be closed later,
    when the runner may serve again, whose stop starts afresh."""
    if stopping.closing is not None:
        stopping.closing.cancel()
    stopping.closing, stopping.started, stopping.hurried = None, False, False


def _close_connections(runner: web.AppRunner) -> None:
    """Close every connection still open at the end of the grace, its unsent answer dropped."""
    server = runner.server
    for handler in server.connections if server is not None else ():
        if handler.transport is not None:
            handler.transport.abort()
