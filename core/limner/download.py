"""Downloading remote images safely: https only, no private or local addresses unless allowed,
a size cap, and the real format sniffed from the bytes. Redirects are followed, a few hops at
most, each hop checked as the first URL is; a download that failed in a way that may pass (a
503, a dropped connection) is tried again under the client's retry policy."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit

from .addresses import PrivateAddressError, public_address
from .client_defaults import DEFAULT_MAX_DOWNLOAD_BYTES
from .client_limits import DOWNLOAD_TIMEOUT
from .connections import back_off, client_closed_error, cut_by_closing
from .errors import (
    InvalidRequestError,
    LimnerError,
    PayloadTooLargeError,
    ProviderConnectionError,
    ProviderError,
)
from .exchange_failures import CERTIFICATE_UNTRUSTED, untrusted_certificate
from .http import pin_url
from .images import byte_count
from .retry import RetryPolicy
from .status_errors import RETRYABLE_STATUSES, shown_url
from .wire import parse_retry_after

if TYPE_CHECKING:
    import aiohttp

    from .lifetime import Pauses

__all__ = [
    "MAX_REDIRECTS",
    "DownloadPolicy",
    "check_url",
    "download",
    "sharing_cap",
]

log = logging.getLogger(__name__)
"""A debug line per download tried again: the URL without its query, the attempt, the wait."""

MAX_REDIRECTS = 5
"""Redirects one download follows at most (a storage link behind a result URL takes one)."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# a download is a read: a 409 (a conflict in the provider's API, which calls retry) means nothing
_RETRIED = RETRYABLE_STATUSES - {409}
_ONCE = RetryPolicy(max_retries=0)


@dataclass(frozen=True)
class DownloadPolicy:
    """Rules for URLs limner fetches. ``allow_private_networks`` also permits plain http, for
    local testing only."""

    max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    allow_private_networks: bool = False


async def download(
    session: aiohttp.ClientSession,
    url: str,
    policy: DownloadPolicy,
    *,
    param: str,
    provider_url: bool = False,
    timeout: aiohttp.ClientTimeout | None = None,
    retry: RetryPolicy | None = None,
    pauses: Pauses | None = None,
) -> bytes:
    """The bytes at ``url``, under ``policy``. Errors name ``param``. A refused or failed
    download is the caller's :class:`InvalidRequestError` (an input image they pointed at), or a
    :class:`ProviderError` when ``provider_url`` (a result URL the provider answered with).
    ``timeout`` applies to each attempt, its name lookups and redirects included, whatever the
    session's own default. Redirects are followed (at most :data:`MAX_REDIRECTS`), each hop
    under the same rules as ``url``, sent no header of the hop before it. An answer of 408,
    429 or 5xx, a failed name lookup or a lost connection is tried again from
    ``url`` under ``retry`` (``None``: tried once), honouring ``Retry-After``; a timeout or a
    refusal is not. The back-offs wait on ``pauses`` when given (a client's, which its closing
    cuts short: the download then fails as closed)."""
    policy_retry = retry if retry is not None else _ONCE
    attempt = 0
    while True:
        attempt += 1
        try:
            return await _attempt(session, url, policy, param, provider_url, timeout, pauses)
        except LimnerError as failure:
            wait = failure.retry_after
            if (
                not failure.retryable
                or attempt > policy_retry.max_retries
                or (wait is not None and wait > policy_retry.max_retry_after)
            ):
                raise
        delay = policy_retry.delay(attempt, wait)
        log.debug("%s: download of %s failed (attempt %d)", param, _shown(url), attempt)
        await back_off(delay, pauses)


async def _attempt(
    session: aiohttp.ClientSession,
    url: str,
    policy: DownloadPolicy,
    param: str,
    provider_url: bool,
    timeout: aiohttp.ClientTimeout | None,
    pauses: Pauses | None,
) -> bytes:
    """One try at the bytes at ``url``, its redirects followed, within ``timeout``."""
    import aiohttp

    total = timeout.total if timeout is not None else None
    try:
        async with asyncio.timeout(total):
            return await _fetch(session, url, policy, param, provider_url, timeout, pauses)
    except aiohttp.ConnectionTimeoutError as exc:  # before TimeoutError: it is one too
        raise ProviderConnectionError(
            f"{param}: could not connect to download {_shown(url)} in time",
            param=param,
            retryable=True,
        ) from exc
    except TimeoutError as exc:  # the whole download's time ran out
        within = f" within {total:g} s" if total else ""
        failure = ProviderConnectionError(f"{param}: timed out downloading {_shown(url)}{within}")
        failure.param, failure.limit = param, DOWNLOAD_TIMEOUT if total else None
        raise failure from exc
    except aiohttp.ClientConnectorCertificateError as exc:  # a ValueError too: first
        raise ProviderConnectionError(  # ("its": the URL's, or a URL's it redirected to)
            f"{param}: could not download {_shown(url)}: {untrusted_certificate(exc)}",
            param=param,
            code=CERTIFICATE_UNTRUSTED,
        ) from None
    except ValueError as exc:  # aiohttp's InvalidURL, yarl's UnicodeError ("a..b"): its words
        # quote the URL, perhaps a redirect's with a signed query, so they are not repeated
        refusal = ProviderError if provider_url else InvalidRequestError
        raise refusal(
            f"{param}: could not download {_shown(url)}: it, or a URL it redirected to, cannot be "
            "read "
            f"({type(exc).__name__})",
            param=param,
            code="invalid_url",
        ) from None
    except asyncio.CancelledError:
        if cut_by_closing(pauses is not None and pauses.ended):
            # closing the client cut the connection being made (a result link's failure
            # keeps the link, as any failure to download it does)
            raise client_closed_error(under_way=True) from None
        raise
    except aiohttp.ClientError as exc:  # its words, and its request_info, hold the hop's URL
        raise ProviderConnectionError(  # (a redirect's, with a signed query): neither is kept
            f"{param}: could not download {_shown(url)}: {_said(exc)}",
            param=param,
            retryable=True,
        ) from None


def _said(exc: Exception) -> str:
    """aiohttp's reason for a failed download, without the URL its text quotes: a response's
    message (``Can not decode content-encoding: br``), or the error's type and the text of one
    that quotes no URL."""
    import aiohttp

    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: {exc.message}" if exc.message else type(exc).__name__
    said = str(exc)
    return f"{type(exc).__name__}: {said}" if said and "://" not in said else type(exc).__name__


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    policy: DownloadPolicy,
    param: str,
    provider_url: bool,
    timeout: aiohttp.ClientTimeout | None,
    pauses: Pauses | None,
) -> bytes:
    """The bytes at ``url``, following its redirects. Each hop is checked afresh and connects
    to the address checked for its own host, with headers of its own (only the Host header
    pinning adds): nothing of one origin's request goes to the next. A hop is named in messages
    without its query, which may hold a signature: the server chose it, not the caller."""
    refusal = ProviderError if provider_url else InvalidRequestError
    current, seen, shown = url, {url}, _shown(url)
    for hop in range(MAX_REDIRECTS + 1):
        lead = f"{shown} redirected to {_shown(current)}; " if hop else ""
        pinned = await _check_url(current, policy, param=param, refusal=refusal, lead=lead)
        target, extra = (current, {}) if pinned is None else pin_url(current, pinned)
        if timeout is not None:
            extra["timeout"] = timeout
        # a session passed in may raise for a status itself: limner reads the status
        extra["raise_for_status"] = False
        async with session.get(target, allow_redirects=False, **extra) as response:
            status = response.status
            named = f"{shown} redirected to {_shown(current)}, which" if hop else shown
            said = f"{param}: {named} answered"
            if status in _REDIRECTS:
                current = _next_hop(current, response.headers.get("location"), param, said, refusal)
                if current in seen:
                    raise refusal(
                        f"{said} HTTP {status}, a redirect back to {_shown(current)}: the "
                        "redirects go round in a loop",
                        param=param,
                        code="download_failed",
                    )
                seen.add(current)
                continue
            if status != 200:
                failure = refusal(
                    f"{said} HTTP {status}",
                    param=param,
                    code="download_failed",
                    retryable=status in _RETRIED,
                )
                failure.retry_after = parse_retry_after(response.headers)
                raise failure
            if pauses is None:
                return await _read(response, param, policy)
            pauses.start_reading(response.content)  # the client's closing ends the read
            try:
                return await _read(response, param, policy)
            finally:
                pauses.stop_reading(response.content)
    raise refusal(
        f"{param}: {shown} redirected more than {MAX_REDIRECTS} times (the last to "
        f"{_shown(current)}); limner follows {MAX_REDIRECTS} at most",
        param=param,
        code="download_failed",
    )


def _next_hop(
    current: str,
    location: str | None,
    param: str,
    said: str,
    refusal: type[InvalidRequestError] | type[ProviderError],
) -> str:
    """Where a redirect from ``current`` leads: its ``Location``, a relative one joined to
    ``current``."""
    if not location:
        raise refusal(f"{said} a redirect without a Location", param=param, code="download_failed")
    try:
        return urljoin(current, location.strip())
    except ValueError:  # a broken IPv6 address, say
        raise refusal(
            f"{said} a redirect to a URL that cannot be read", param=param, code="download_failed"
        ) from None


async def _read(response: aiohttp.ClientResponse, param: str, policy: DownloadPolicy) -> bytes:
    """The body of ``response``, refused once it is over the size cap (as declared or read)."""
    declared = response.content_length
    if declared is not None and declared > policy.max_bytes:
        raise _too_large(param, policy)
    shared = _SHARED.get()  # one request's input images: their downloads share the cap
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in response.content.iter_chunked(1 << 16):
            total += len(chunk)
            if shared is not None:  # (taken as counted: a failure gives back all of total)
                shared[0] -= len(chunk)
            if total > policy.max_bytes:
                raise _too_large(param, policy)
            if shared is not None and shared[0] < 0:
                raise PayloadTooLargeError(
                    f"{param}: the request's images to download are over the "
                    f"{byte_count(policy.max_bytes)} limit together",
                    param=param,
                )
            chunks.append(chunk)
    except BaseException:
        if shared is not None:  # (a failed attempt's bytes are dropped: a retry may use them)
            shared[0] += total
        raise
    return b"".join(chunks)


_SHARED: ContextVar[list[int] | None] = ContextVar("limner_shared_download_cap", default=None)


@contextlib.contextmanager
def sharing_cap(max_bytes: int) -> Iterator[None]:
    """Downloads inside this block (in this task, and tasks it starts) share ``max_bytes`` in
    all, besides each one's own cap: one request's input image URLs, fetched side by side,
    cannot hold many times the cap in memory (a small gateway request naming 14 large images
    did)."""
    token = _SHARED.set([max_bytes])
    try:
        yield
    finally:
        _SHARED.reset(token)


def _shown(url: str) -> str:
    """``url`` for a message, as :func:`~limner.status_errors.shown_url` shows it."""
    try:
        return shown_url(url)
    except ValueError:  # a broken IPv6 address: nothing of it is shown
        return "a URL that cannot be read"


async def check_url(url: str, policy: DownloadPolicy, *, param: str) -> None:
    """Refuse ``url``, an input image's, if ``policy`` forbids it, before its download (which
    checks it again, and each redirect). A name that cannot be resolved now is left to the
    download, which tries again."""
    with contextlib.suppress(ProviderConnectionError):
        await _check_url(url, policy, param=param, refusal=InvalidRequestError)


async def _check_url(
    url: str,
    policy: DownloadPolicy,
    *,
    param: str,
    refusal: type[InvalidRequestError] | type[ProviderError],
    lead: str = "",
) -> str | None:
    """Refuse what the policy forbids; return the public address checked, which the download
    then connects to (so a name cannot resolve to a private address a moment later: DNS
    rebinding). ``None`` when private networks are allowed (no pinning). ``lead`` begins the
    messages about a redirect's target (which redirect it was), which then do not quote it."""
    parts = _split(url, param=param, refusal=refusal, lead=lead)
    allowed = ("https", "http") if policy.allow_private_networks else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise refusal(
            f"{param}: {lead}only https URLs can be downloaded"
            + ("" if lead else f", got {_shown(url)!r}"),
            param=param,
            code="invalid_url",
        )
    if policy.allow_private_networks:
        return None
    try:
        return await public_address(parts.hostname, parts.port or 443)
    except UnicodeError:  # an empty or over-long label: "a..b", 64 characters
        raise refusal(
            f"{param}: {lead}{parts.hostname!r} is not a valid host name",
            param=param,
            code="invalid_url",
        ) from None
    except PrivateAddressError as exc:
        raise refusal(
            f"{param}: {lead}{parts.hostname} resolves to a private or local address "
            f"({exc.address}); limner refuses to fetch it unless the client allows private "
            "networks",
            param=param,
            code="invalid_url",
        ) from None
    except OSError as exc:
        raise ProviderConnectionError(
            f"{param}: {lead}cannot resolve {parts.hostname}", param=param, retryable=True
        ) from exc


def _split(
    url: str,
    *,
    param: str,
    refusal: type[InvalidRequestError] | type[ProviderError],
    lead: str = "",
) -> SplitResult:
    """``url`` in parts, refusing one that cannot be read (a bad port, a broken IPv6 address) or
    that carries credentials (``user:password@``). The URL is not quoted back: it may hold one.
    ``lead`` begins the messages, as :func:`_check_url` has it."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # the port is parsed (and checked) only when read
    except ValueError as exc:
        reason = "" if "@" in str(exc) else f" ({exc})"
        raise refusal(
            f"{param}: {lead}not a valid URL{reason}; check its host and port",
            param=param,
            code="invalid_url",
        ) from None
    if "@" in parts.netloc:
        raise refusal(
            f"{param}: {lead}the URL carries credentials (user:password@), which limner does not "
            "send; use a URL that needs none, or pass the image itself",
            param=param,
            code="invalid_url",
        )
    return parts


def _too_large(param: str, policy: DownloadPolicy) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"{param}: the download is over the {byte_count(policy.max_bytes)} limit", param=param
    )
