"""A provider's ``authorize``, run by core: what it raises that is not a
:class:`~limner.errors.LimnerError` becomes one, its words kept clear of the settings' secrets.

A plugin's ``authorize`` handles credentials, so its exceptions are the likeliest to quote one
(``ValueError: token exchange failed for key sk-...``); raised as they came, they reached the
caller, the command line's traceback and the gateway's log."""

from __future__ import annotations

import asyncio
import socket
from typing import NoReturn

from .client_limits import TIMEOUT
from .daemon_threads import Lane, in_daemon_thread
from .errors import LimnerError, PluginError, ProviderConnectionError, RequestTimeoutError
from .plugin_failures import raise_from_plugin
from .provider import Provider, ProviderSettings
from .redaction import raised_at
from .wire import WireRequest

__all__ = [
    "AUTHORIZE_TIMEOUT",
    "SETTINGS_TIMEOUT",
    "authorized",
    "authorized_in_thread",
    "step_failure",
    "step_timed_out",
]

AUTHORIZE_TIMEOUT = "authorize_timeout"
"""``code`` of the :class:`~limner.errors.RequestTimeoutError` of a call whose blocking
``authorize`` (a token refresh) outlasted the call's timeout: nothing was sent."""

SETTINGS_TIMEOUT = "settings_timeout"
"""``code`` of the :class:`~limner.errors.RequestTimeoutError` of a call whose provider had not
completed its settings (:meth:`~limner.provider.Provider.complete_settings`) within the call's
``timeout``: nothing was sent."""


def authorized(
    provider: Provider,
    request: WireRequest,
    settings: ProviderSettings,
    model_id: str,
    *,
    dry_run: bool = False,
) -> WireRequest:
    """``provider.authorize(request, settings)``; see :func:`step_failure` for what it
    raises."""
    try:
        if dry_run:
            done = provider.authorize(request, settings, dry_run=True)
        else:
            done = provider.authorize(request, settings)
    except Exception as exc:
        _raise_failure(provider, settings, model_id, exc)
    return _checked(provider, model_id, done)


async def authorized_in_thread(
    provider: Provider,
    request: WireRequest,
    settings: ProviderSettings,
    model_id: str,
    *,
    lane: Lane,
    within: float | None = None,
) -> WireRequest:
    """:func:`authorized` in a thread of ``lane`` (the client's for the provider), for an
    ``authorize`` that may block (a token fetched over the network). Not done ``within``
    seconds (the client's ``timeout``, which bounds each attempt), the call ends as a
    :class:`~limner.errors.RequestTimeoutError`, not retried and with nothing sent; the thread
    finishes on its own (see :mod:`~limner.daemon_threads`)."""
    deadline = asyncio.timeout(within)
    try:
        async with deadline:
            try:
                done = await in_daemon_thread(lane, provider.authorize, request, settings)
            except Exception as exc:  # (its own TimeoutError too: a token service not answering)
                _raise_failure(provider, settings, model_id, exc)
            return _checked(provider, model_id, done)
    except TimeoutError:
        if within is None or not deadline.expired():
            raise
        raise step_timed_out(provider, model_id, within) from None


def step_timed_out(
    provider: Provider, model_id: str, within: float, step: str = "authorize"
) -> LimnerError:
    """The error for ``provider``'s ``step`` (a blocking ``authorize``, or
    ``complete_settings``) that took longer than the call's ``timeout`` (``within`` seconds):
    nothing was sent, so it is not retried."""
    if step == "authorize":
        what = (
            "authorize the request within {within:g} s (its credentials were still being read "
            "or refreshed, e.g. a token service that does not answer)"
        )
        code = AUTHORIZE_TIMEOUT
    else:
        what = (
            "complete its settings within {within:g} s (settings it looks up over the network, "
            "such as credentials or a project, were still being read)"
        )
        code = SETTINGS_TIMEOUT
    failure = RequestTimeoutError(
        f"{provider.name} could not {what.format(within=within)}; nothing was sent: check the "
        "network and the provider's credentials",
        provider=provider.name,
        model=model_id,
        retryable=False,
        code=code,
    )
    failure.limit = TIMEOUT
    return failure


def _checked(provider: Provider, model_id: str, done: object) -> WireRequest:
    """What ``authorize`` returned, when it is the request it was due to return."""
    if not isinstance(done, WireRequest):
        step = f"{type(provider).__name__}.authorize"
        raise PluginError.returned(
            step, done, "a WireRequest", provider=provider.name, model=model_id
        )
    return done


def _raise_failure(
    provider: Provider, settings: ProviderSettings, model_id: str, exc: Exception
) -> NoReturn:
    failure = None if isinstance(exc, LimnerError) else step_failure(provider, model_id, exc)
    raise_from_plugin(provider, settings, model_id, exc, "authorize", failure=failure)


def step_failure(
    provider: Provider, model_id: str, exc: Exception, step: str = "authorize"
) -> LimnerError:
    """The error for ``provider``'s ``step`` (``authorize`` or ``complete_settings``, the two
    that may do I/O) that raised ``exc``, not one of limner's: a connection that failed (a token
    service not reached: ``ConnectionError``, ``TimeoutError``, a name not found) is a failed
    connection, retryable (the transport retries an ``authorize`` as one); anything else (a key
    file not found is no network's doing) is the plugin's failure (a
    :class:`~limner.errors.PluginError`). Its message quotes ``exc``: scrub it before it leaves."""
    where = raised_at(exc, provider)
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        doing = "authorize the request" if step == "authorize" else "complete its settings"
        return ProviderConnectionError(
            f"{provider.name} could not {doing} ({type(exc).__name__}: {exc}{where}); check "
            "the network and the provider's credentials",
            provider=provider.name,
            model=model_id,
            retryable=True,
        )
    return PluginError.crashed(step, provider.name, model_id, exc)
