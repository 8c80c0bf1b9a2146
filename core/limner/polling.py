"""Waiting for a provider's job.

Some providers answer a call with a job to poll rather than the images: the plugin's
``parse_response`` returns :class:`~limner.provider.Pending`. :func:`poll` then waits the time
the provider asked for, sends the poll request through the same exchange as every request
(credentials, the user's ``extra_headers``, errors mapped by the provider's
``parse_poll_error``, secrets scrubbed) and hands the answer to the provider's ``parse_poll``,
until it returns a result or the client's ``poll_timeout`` runs out, which bounds every wait
and every poll.

Once a job is submitted it may be billed whatever happens next, so every error from here on is
marked not retryable and says so: sending the request again would start, and bill, another job.
Polls themselves are safe to repeat, so a failed poll (answered with a status core retries, a
lost connection, or no answer within the client's ``timeout``) is retried up to
:data:`POLL_RETRIES` times (with the client's delays) even when the client retries less.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import math
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from .addresses import PrivateAddressError, public_address
from .download import DownloadPolicy
from .errors import (
    JobTimeoutError,
    LimnerError,
    PluginError,
    ProviderConnectionError,
    ProviderError,
    RequestTimeoutError,
)
from .http import ConnectTo, Transport, client_closed_error
from .provider import (
    MIN_POLL_WAIT,
    Pending,
    Provider,
    ProviderCall,
    ProviderResult,
    ProviderSettings,
)
from .sending import Share, exchange, with_resent
from .status_errors import shown_url
from .wire import WireRequest, WireResponse

__all__ = ["POLL_RETRIES", "jobs_billable", "poll"]

POLL_RETRIES = 3
"""Retries of one poll (a read: repeating it bills nothing), when the client allows fewer."""


async def poll(
    transport: Transport,
    provider: Provider,
    settings: ProviderSettings,
    call: ProviderCall,
    submitted: WireRequest,
    pending: Pending,
    *,
    timeout: float,
    policy: DownloadPolicy,
    share: Share | None = None,
    resent: Sequence[str] = (),
) -> ProviderResult:
    """Poll until the provider's job for ``call`` (submitted with ``submitted``) is done, and
    return its result. Raises :class:`~limner.errors.JobTimeoutError` when it is not done within
    ``timeout`` seconds of now (or as soon as the provider asks to wait past them); every error
    is marked not retryable (the job may still be billed). ``resent`` says the submission was
    sent again after attempts the provider may have taken (another job, billed too): the result
    warns of it, and an error says it."""
    try:
        model = call.model
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + timeout
        retries = max(transport.retry.max_retries, POLL_RETRIES)
        extra_headers = call.request.extra_headers
        answer: ProviderResult | Pending = pending
        polls = stalled = 0
        ended = False  # parse_poll raised: the job is over, not running on

        def parse_poll(pending: Pending, response: WireResponse) -> ProviderResult | Pending:
            nonlocal ended
            try:
                return provider.parse_poll(call, pending, response)
            except LimnerError:
                ended = True
                raise

        while isinstance(answer, Pending):
            pending = _checked(answer, provider)
            connect_to = _pinning(pending.request, submitted, provider, policy)
            wait = max(_wait(pending, provider), MIN_POLL_WAIT)
            if loop.time() + wait >= deadline:  # the next poll could not be answered in time
                elapsed = loop.time() - started
                raise _timed_out(provider, model.id, timeout, polls, elapsed, pending, due=wait)
            if not await transport.connections.pauses.sleep(wait):  # the client closed meanwhile
                raise client_closed_error(under_way=True)
            request = pending.request
            if extra_headers:
                request = request.with_headers(extra_headers)
            polls += 1
            # a poll waits as long as the provider asks while the deadline allows (not only the
            # minute after which a call gives up: that would abandon a billed job), and gives
            # up at once when asked to wait past it, as for the job's own wait
            retry = dataclasses.replace(
                transport.retry,
                max_retries=retries,
                max_retry_after=max(0.0, deadline - loop.time()),
            )
            try:
                async with asyncio.timeout_at(deadline):
                    answer = await exchange(
                        transport,
                        provider,
                        settings,
                        model,
                        request,
                        parse=functools.partial(parse_poll, pending),
                        parse_error=functools.partial(provider.parse_poll_error, call, pending),
                        retry=retry,
                        successor=False,
                        connect_to=connect_to,
                    )
            except TimeoutError:
                elapsed = loop.time() - started
                raise _timed_out(provider, model.id, timeout, polls, elapsed, pending) from None
            except RequestTimeoutError as slow:  # one slow read of the job's state
                stalled += 1
                if isinstance(slow, JobTimeoutError) or stalled > retries:
                    raise
                answer = pending  # asked again, within the deadline: a read bills nothing
                continue
            if not isinstance(answer, Pending | ProviderResult):
                step = f"{provider.name}.parse_poll"
                raise PluginError.returned(step, answer, "a ProviderResult or Pending")
        return with_resent(answer, resent)
    except LimnerError as error:
        failure = _after_submission(error, pending, share, ended=ended, resent=resent)
        raise failure from error.__cause__


def _checked(pending: Pending, provider: Provider) -> Pending:
    if not isinstance(pending.request, WireRequest):
        raise PluginError(
            f"{provider.name} returned Pending(request={type(pending.request).__name__}): the "
            "poll must be a limner.WireRequest"
        )
    parts = urlsplit(pending.request.url)
    if not (parts.scheme and parts.netloc):
        raise PluginError(
            f"{provider.name} returned a Pending whose poll URL is not absolute "
            f"({shown_url(pending.request.url)!r}): join a relative one to the URL the call "
            "went to (urllib.parse.urljoin)"
        )
    return pending


def _wait(pending: Pending, provider: Provider) -> float:
    after = pending.after
    if isinstance(after, bool) or not isinstance(after, int | float) or not 0 <= after < math.inf:
        raise PluginError(
            f"{provider.name} asked limner to poll after {after!r} seconds; Pending.after must "
            "be a number of seconds, 0 or more"
        )
    return float(after)


def _pinning(
    target: WireRequest,
    submitted: WireRequest,
    provider: Provider,
    policy: DownloadPolicy,
) -> ConnectTo | None:
    """A poll carries the provider's credentials. It goes back to the origin the call itself
    was sent to (a base URL the user chose, such as a local proxy), or over https to another
    host, which must resolve to public addresses unless the client allows private networks.
    A target neither https nor the call's origin is refused at once (before the wait). Returns
    what each attempt of the poll looks the name up with, refusing a private address then, and
    connects to (:meth:`Transport.send`), so that the name cannot resolve to a private address
    a moment later (DNS rebinding); ``None`` when nothing is pinned (the call's own origin, or
    private networks allowed)."""
    poll_url, call_url = urlsplit(target.url), urlsplit(submitted.url)
    if (poll_url.scheme, poll_url.netloc) == (call_url.scheme, call_url.netloc):
        return None
    host = poll_url.hostname or ""
    shown = shown_url(target.url)
    if poll_url.scheme != "https" or not host:
        raise _refused(provider, f"{shown}, which is neither https nor the origin the call went to")
    if policy.allow_private_networks:
        return None
    return functools.partial(_public_address, provider, host, poll_url.port or 443, shown)


async def _public_address(provider: Provider, host: str, port: int, shown: str) -> str:
    """The public address ``host`` resolves to, looked up for each attempt of a poll. A name
    that does not resolve fails the attempt as a lost connection, which is retried (the poll is
    not sent unpinned)."""
    try:
        return await public_address(host, port)
    except PrivateAddressError as exc:
        raise _refused(provider, f"{shown}, a private or local address ({exc.address})") from None
    except (OSError, UnicodeError) as exc:
        raise ProviderConnectionError(
            f"could not resolve {host}, where the {provider.name} job is polled",
            provider=provider.name,
            retryable=True,
        ) from exc


def _refused(provider: Provider, where: str) -> ProviderError:
    return ProviderError(
        f"{provider.name} asked limner to poll {where}; limner does not send credentials there",
        provider=provider.name,
    )


def _timed_out(
    provider: Provider,
    model: str,
    timeout: float,
    polls: int,
    elapsed: float,
    pending: Pending,
    *,
    due: float | None = None,
) -> JobTimeoutError:
    after = f"; the next was due in {due:g} s" if due is not None else ""
    return JobTimeoutError(
        f"{model}: the provider's job was not done within the poll timeout of {timeout:g} s "
        f"({polls} poll(s) in {elapsed:.1f} s{after})",
        job=pending.job,
        provider=provider.name,
        model=model,
    )


def _after_submission(
    error: LimnerError,
    pending: Pending,
    share: Share | None,
    *,
    ended: bool,
    resent: Sequence[str] = (),
) -> LimnerError:
    """``error``, marked not retryable and saying that the job may be billed anyway: it may
    still finish, unless it has ``ended`` (the provider said how: moderated, failed); and,
    when the submission was ``resent``, that each earlier one may have made another job."""
    error.job = pending.job
    job = f"job {pending.job}" if pending.job else "the job"
    fate = "it may be billed" if ended else "it may still finish and be billed"
    _billable(error, f"{job} was submitted: {fate}")
    for note in resent:
        _billable(error, note)
    if share is not None:
        share.name(error)
    return error


def jobs_billable(error: LimnerError, jobs: Sequence[str]) -> None:
    """Say in ``error``, which ended a request after its calls submitted ``jobs`` (the provider's
    ids), that those jobs may be billed, each unless it says so already: the jobs answered, with
    no image (a result the plugin left empty, every image withheld), or another call's job
    failed."""
    unsaid = [job for job in jobs if not re.search(rf"\b{re.escape(job)}\b", error.billing_note)]
    if not unsaid:
        return
    if len(jobs) == 1 and error.job is None:
        error.job = jobs[0]
    if len(unsaid) == 1:
        _billable(error, f"job {unsaid[0]} was submitted: it may be billed")
    else:
        _billable(error, f"jobs {', '.join(unsaid)} were submitted: they may be billed")


def _billable(error: LimnerError, note: str) -> None:
    """Mark ``error`` as coming after a submission (``submitted``, not retryable: resending
    would pay twice) and add ``note`` to its message and to its ``billing_note``."""
    error.submitted, error.retryable = True, False
    error.add_billing_note(note)
