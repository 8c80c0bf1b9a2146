"""Waiting for a provider's job.

Some providers answer a call with a job to poll rather than the images: the plugin's
``parse_response`` returns :class:`~limner.provider.Pending`. :func:`poll` then waits the time
the provider asked for, sends the poll request through the same exchange as every request
(credentials, retries, error mapping, secrets scrubbed) and hands the answer to the provider's
``parse_poll``, until it returns a result or the client's ``poll_timeout`` runs out.
"""

from __future__ import annotations

import asyncio
import functools
import math
from urllib.parse import urlsplit

from .capabilities import ModelInfo
from .errors import POLL_TIMEOUT, PluginError, ProviderError, RequestTimeoutError
from .http import Transport
from .provider import Pending, Provider, ProviderCall, ProviderResult, ProviderSettings
from .sending import Share, exchange
from .wire import WireRequest

__all__ = ["poll"]


async def poll(
    transport: Transport,
    provider: Provider,
    settings: ProviderSettings,
    call: ProviderCall,
    submitted: WireRequest,
    pending: Pending,
    *,
    timeout: float,
    share: Share | None = None,
) -> ProviderResult:
    """Poll until the provider's job for ``call`` (submitted with ``submitted``) is done, and
    return its result. Raises :class:`~limner.errors.RequestTimeoutError` (not retried: the job
    may still finish, and be billed) when it is not done within ``timeout`` seconds."""
    model = call.model
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    polls = 0
    answer: ProviderResult | Pending = pending
    while isinstance(answer, Pending):
        pending = answer
        _check_target(pending.request, submitted, provider, model)
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise _timed_out(provider, model, timeout, polls, share)
        await asyncio.sleep(min(_wait(pending, provider), remaining))
        polls += 1
        answer = await exchange(
            transport,
            provider,
            settings,
            model,
            pending.request,
            parse=functools.partial(provider.parse_poll, call, pending),
            parse_error=functools.partial(provider.parse_error, call),
            share=share,
        )
    return answer


def _wait(pending: Pending, provider: Provider) -> float:
    after = pending.after
    if isinstance(after, bool) or not isinstance(after, int | float) or not 0 <= after < math.inf:
        raise PluginError(
            f"{provider.name} asked limner to poll after {after!r} seconds; Pending.after must "
            "be a number of seconds, 0 or more"
        )
    return float(after)


def _check_target(
    target: WireRequest, submitted: WireRequest, provider: Provider, model: ModelInfo
) -> None:
    """A poll carries the provider's credentials: it goes over https, or back to the origin
    the call itself was sent to (a plain-http base URL the user chose, such as a local proxy)."""
    poll_url, call_url = urlsplit(target.url), urlsplit(submitted.url)
    if poll_url.scheme == "https" and poll_url.hostname:
        return
    if (poll_url.scheme, poll_url.netloc) == (call_url.scheme, call_url.netloc):
        return
    shown = f"{poll_url.scheme}://{poll_url.hostname or ''}{poll_url.path}"  # no query: tokens
    raise ProviderError(
        f"{provider.name} asked limner to poll {shown}, which is neither https nor the origin "
        f"the call went to ({call_url.scheme}://{call_url.netloc}); limner does not send "
        "credentials there. The job may still finish and be billed",
        provider=provider.name,
        model=model.id,
    )


def _timed_out(
    provider: Provider, model: ModelInfo, timeout: float, polls: int, share: Share | None
) -> RequestTimeoutError:
    error = RequestTimeoutError(
        f"{model.id}: the provider's job was not done after {timeout:g} s ({polls} poll(s)); "
        "it may still finish and be billed. Wait longer with the client's poll_timeout",
        code=POLL_TIMEOUT,
        provider=provider.name,
        model=model.id,
    )
    if share is not None:
        share.name(error)
    return error
