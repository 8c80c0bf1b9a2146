"""``limner serve``: run the gateway until interrupted, printing the base URL for OpenAI clients."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from aiohttp import web

from ..clear_credentials import CREDENTIALS_IN_CLEAR
from ..client import AsyncClient
from ..errors import InvalidRequestError, LimnerError
from ..responses import Notice
from ..serve_defaults import SERVE_POLL_TIMEOUT, SERVE_TIMEOUT
from .app import STOPPING, create_app, hurry, make_runner
from .config import GatewayConfig, is_loopback_host
from .files import STORE_BYTES
from .local_store import LocalFileStore
from .owners import log_tag, owner_tag
from .routes import served_models

__all__ = ["default_files_dir", "serve", "start"]

LOOPBACK = "127.0.0.1"


def default_files_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "limner" / "gateway-files"


def check_host(host: str | None, config: GatewayConfig) -> str:
    """The address to bind: any with API keys; without keys 127.0.0.1 only. Keys guarding a
    gateway other machines reach (bound to their network, or behind ``public_url``) must be
    long."""
    host = host or LOOPBACK
    if not config.auth_required and not is_loopback_host(host):
        raise InvalidRequestError(
            f"--host {host} would expose the gateway without authentication; set "
            "LIMNER_API_KEYS or --api-key first (without keys it listens on 127.0.0.1 only)",
            param="host",
        )
    short = [key for key in config.api_keys if len(key) < MIN_KEY_CHARS]
    public = urlsplit(config.public_url).hostname if config.public_url else None
    reached = not is_loopback_host(host) or (public is not None and not is_loopback_host(public))
    if short and reached:  # bound elsewhere, or behind a proxy that others reach
        where = f"--host {host}" if not is_loopback_host(host) else f"--public-url {public}"
        raise InvalidRequestError(
            f"{where} would guard the gateway with {len(short)} key(s) shorter than "
            f"{MIN_KEY_CHARS} characters, which can be guessed; use long random keys "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(32))")',
            param="api_keys",
        )
    return host


MIN_KEY_CHARS = 16
"""The shortest gateway key ``limner serve`` takes on an address other machines reach."""


def check_files_dir(path: Path) -> None:
    """Refuse at start-up a files directory that cannot be made or written: found on the first
    ``response_format=url`` answer, it would fail a call already made and paid for."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidRequestError(
            f"--files-dir {path}: cannot create it ({exc.strerror or exc}); choose a writable "
            "directory",
            param="files_dir",
        ) from None
    if not path.is_dir() or not os.access(path, os.W_OK | os.X_OK):
        raise InvalidRequestError(
            f"--files-dir {path} is not a writable directory; choose another",
            param="files_dir",
        )


async def start(
    client: AsyncClient, config: GatewayConfig, files_dir: Path, host: str, port: int
) -> tuple[web.AppRunner, int]:
    """Start serving; the runner (``await runner.cleanup()`` to stop) and the bound port."""
    check_files_dir(files_dir)
    # with several keys, no one key may fill the store for the others: half of it each
    share = STORE_BYTES // 2 if len(config.api_keys) > 1 else None
    store = LocalFileStore(files_dir, ttl=config.file_ttl, max_owner_bytes=share)
    runner = make_runner(create_app(client, store, config))
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        runner.app[STOPPING].never_served = True
        await runner.cleanup()
        if exc.errno != errno.EADDRINUSE:
            raise
        raise OSError(
            f"port {port} on {host} is in use (another program, or a gateway already running): "
            "stop it, or choose another with --port"
        ) from exc
    bound = port
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            bound = int(address[1])
    return runner, bound


async def stop_serving(runner: web.AppRunner) -> None:
    """``runner.cleanup()``: the gateway's graceful stop. Told to stop again meanwhile (a
    second Ctrl-C, or a second cancellation, as the command's second SIGTERM is), it hurries
    (:func:`~.app.hurry`): the requests still running are answered 503 at once rather than cut
    off unanswered (a second Ctrl-C raised KeyboardInterrupt, and a second SIGTERM closed the
    client under them: a 500)."""
    loop = asyncio.get_running_loop()
    cleanup = asyncio.ensure_future(runner.cleanup())

    def again(signum: int, frame: object) -> None:  # (the main thread, between bytecodes)
        loop.call_soon_threadsafe(hurry, runner)

    # a Python-level handler, not the loop's: a loop handler installed now would be handed
    # the first Ctrl-C again (it waits in the loop's wake-up pipe), and hurry at once
    installed, previous = False, None
    if threading.current_thread() is threading.main_thread():
        previous, installed = signal.signal(signal.SIGINT, again), True
    try:
        while True:
            try:
                await asyncio.shield(cleanup)
                return
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if cleanup.done() or task is None:
                    raise
                task.uncancel()
                hurry(runner)
    finally:
        if installed:  # (None: a handler set outside Python, which Python cannot put back)
            signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


async def credentials_in_clear(client: AsyncClient) -> list[Notice]:
    """The ``credentials_in_clear`` warning of each provider whose calls would send its
    credential unencrypted to another machine (an ``http://`` base URL), found by a dry run of
    one of its models (no network, no credential read): for the operator at start-up, since
    the gateway keeps it out of its answers."""
    found: list[Notice] = []
    tried: set[str] = set()
    for model in client.models.list():
        if model.provider in tried or "generate" not in model.capabilities.operations:
            continue
        try:
            plan = await client.images.generate(model=model.id, prompt="x", dry_run=True)
        except LimnerError:  # (its settings' error is said already; another model may do)
            continue
        tried.add(model.provider)
        found += [w for w in plan.warnings if w.code == CREDENTIALS_IN_CLEAR]
    return found


async def serve(
    config: GatewayConfig,
    *,
    host: str | None = None,
    port: int = 8080,
    files_dir: Path | None = None,
    max_retries: int = 0,
    timeout: float = SERVE_TIMEOUT,
    poll_timeout: float = SERVE_POLL_TIMEOUT,
    out: TextIO = sys.stdout,
) -> None:
    """Serve until cancelled (Ctrl-C). ``max_retries`` is the gateway's own retries of an
    upstream call; none by default, since clients retry on their own (the OpenAI SDKs twice),
    and both retrying multiplies the upstream calls (2 and 2 make 9). ``timeout`` bounds one
    upstream request and ``poll_timeout`` the wait for a provider's job; their defaults are
    under the OpenAI SDKs' own 600 s timeout, so a client hears the gateway's 504 rather than
    giving up and sending the request (billed again) a second time."""
    bind = check_host(host, config)
    if not logging.getLogger("limner.gateway").handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("limner.gateway").setLevel(logging.INFO)
    async with AsyncClient(
        max_retries=max_retries, timeout=timeout, poll_timeout=poll_timeout
    ) as client:
        runner, bound = await start(client, config, files_dir or default_files_dir(), bind, port)
        try:
            shown = LOOPBACK if bind in ("0.0.0.0", "::", "") else bind
            shown = f"[{shown}]" if ":" in shown else shown
            if not config.auth_required:
                print(
                    "limner gateway: no API keys (LIMNER_API_KEYS or --api-key), so no "
                    f"authentication: listening on {LOOPBACK} only",
                    file=out,
                )
            else:
                print(f"limner gateway: listening on {bind}; requests need a gateway key", file=out)
                tags = ", ".join(log_tag(owner_tag(key)) for key in config.api_keys)
                print(f"limner gateway: the log names the keys, in order, {tags}", file=out)
            print(f"limner gateway: {len(served_models(client))} models", file=out)  # as listed
            for wrong in client.settings_errors():  # else said in the log by each call's 503
                print(
                    f"limner gateway: {wrong.message}; {wrong.provider}'s models answer 503 "
                    "until it is fixed",
                    file=out,
                )
            for lacking in client.missing_credentials():  # else said by each call's 503 only
                print(
                    f"limner gateway: {lacking.message}; {lacking.provider}'s models answer "
                    "503 until it is set",
                    file=out,
                )
            for notice in await credentials_in_clear(client):  # answers do not carry it
                print(f"limner gateway: {notice.message}", file=out)
            if config.default_model is not None:
                print(f"limner gateway: default image model {config.default_model}", file=out)
            print(f"OpenAI client base URL: http://{shown}:{bound}/v1", file=out)
            print(
                f'  openai.OpenAI(base_url="http://{shown}:{bound}/v1", api_key='
                f"{'<a gateway key>' if config.auth_required else 'anything'!r})",
                file=out,
                flush=True,
            )
            await asyncio.Event().wait()
        finally:
            await stop_serving(runner)
