"""Sending wire requests: one aiohttp session, timeouts, and retries with backoff.

Retries happen on 408, 409, 429 and 5xx answers (``RETRYABLE_STATUSES``) and on
connection errors (not a TLS certificate that does not verify), with exponential backoff and
jitter (a wait drawn between half the step and the whole of it), honouring ``Retry-After``, for
at most ``max_retries`` extra attempts; the provider may veto retrying an answer that cannot get
better (a quota used up). A time-out after the request left is not retried (an image that took too
long once will likely again); one before it had a connection is (on limner's own session, which
tells). Timeouts apply on every session.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .answer_bodies import read_answer
from .client_defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT
from .client_limits import TIMEOUT
from .connections import (
    CONNECTED,
    USER_AGENT,
    Connections,
    back_off,
    client_closed_error,
    client_modules,
    cut_by_closing,
)
from .errors import (
    LimnerError,
    ProviderConnectionError,
    RequestTimeoutError,
)
from .exchange_failures import (
    FINAL_CONNECTION_FAILURES,
    MAYBE_TAKEN,
    does_work,
    host_of,
    unreached,
)
from .proxies import DIRECT, EnvProxies
from .redaction import drop_frame_locals
from .retry import RetryPolicy
from .status_errors import RETRYABLE_STATUSES, TAKEN_STATUSES, shown_url
from .wire import WireRequest, WireResponse

if TYPE_CHECKING:  # aiohttp is imported on first use, to keep `import limner` fast
    import aiohttp

__all__ = [
    "USER_AGENT",
    "ConnectTo",
    "RetryPolicy",
    "Transport",
    "client_closed_error",
    "encode_body",
    "pin_url",
]

DEFAULT_RETRY = RetryPolicy()
log = logging.getLogger(__name__)
"""Debug lines per attempt: method, URL, status, latency. Never headers or bodies."""


Authorize = Callable[[WireRequest], Awaitable[WireRequest]]
ConnectTo = Callable[[], Awaitable[str | None]]
RetryAfter = Callable[[WireResponse], float | None]
Retryable = Callable[[WireResponse], bool]


class Transport:
    """Sends :class:`WireRequest` objects through one ``aiohttp.ClientSession``, held by its
    :class:`~limner.connections.Connections` (made on first use, on the loop that first sends;
    closed by :meth:`close` unless it was passed in). ``timeout`` (seconds in all) and
    ``connect_timeout`` apply to every request, whichever session sends it.
    :meth:`with_options` makes a transport with other timeouts or retries on the same
    connections.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        session: aiohttp.ClientSession | None = None,
        connections: Connections | None = None,
        proxies: EnvProxies | None = None,
    ) -> None:
        self.total_timeout = timeout
        self.connect_timeout = connect_timeout
        self.retry = retry
        self.connections = connections if connections is not None else Connections(session, proxies)
        self._timeout: aiohttp.ClientTimeout | None = None

    def with_options(
        self, *, timeout: float, connect_timeout: float, retry: RetryPolicy
    ) -> Transport:
        """A transport with these timeouts and retries, sending through this one's connections
        (closing either closes both)."""
        return Transport(
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry,
            connections=self.connections,
        )

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        """The timeouts, as aiohttp takes them with each request (a session passed in has its
        own defaults, which must not win). Built once, on first use."""
        if self._timeout is None:
            aiohttp, _ = client_modules()
            self._timeout = aiohttp.ClientTimeout(
                total=self.total_timeout, sock_connect=self.connect_timeout
            )
        return self._timeout

    @property
    def session(self) -> aiohttp.ClientSession:
        return self.connections.session(self.timeout)

    @property
    def download_session(self) -> aiohttp.ClientSession:
        """See :meth:`~limner.connections.Connections.download_session`."""
        return self.connections.download_session(self.timeout)

    async def close(self) -> None:
        """Close the connections (the session, if made here); afterwards the transport refuses
        to send, and calls waiting to retry or to poll fail as closed."""
        await self.connections.close()

    async def send(
        self,
        request: WireRequest,
        authorize: Authorize,
        retry_after: RetryAfter | None = None,
        retryable: Retryable | None = None,
        *,
        retry: RetryPolicy | None = None,
        connect_to: ConnectTo | None = None,
        on_resend: Callable[[str], None] | None = None,
    ) -> WireResponse:
        """Send with retries. ``authorize`` runs before every attempt (fresh signatures). Returns
        the last response, whatever its status; raises only for transport failures. ``retry_after``
        reads the provider's wait from a response (default: the ``Retry-After`` headers);
        ``retryable`` says whether a response is retried (default: its status is one of
        ``RETRYABLE_STATUSES``).
        ``retry`` replaces the transport's policy for this request. ``connect_to`` runs before
        every attempt and returns an address checked for the URL's host, which that attempt
        connects to (the host name still in the Host header and TLS), so that the name cannot
        resolve elsewhere meanwhile; ``None`` connects as usual. A
        :class:`~limner.errors.ProviderConnectionError` it raises (a lookup that failed) is
        retried as a failed connection is; each retry is checked afresh. URLs are logged without
        their query, which may hold a token."""
        policy = retry or self.retry
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                address = None if connect_to is None else await connect_to()
                response = await self._send_once(await authorize(request), address)
            except ProviderConnectionError as exc:
                log.debug(
                    "%s %s failed (attempt %d): %s",
                    request.method,
                    shown_url(request.url),
                    attempt,
                    exc,
                )
                if (
                    attempt > policy.max_retries
                    or exc.submitted  # taken: an answer cut off
                    or exc.code in FINAL_CONNECTION_FAILURES
                ):
                    raise
                await back_off(policy.delay(attempt, None), self.connections.pauses)
                if exc.billing_note and on_resend is not None:  # sent again, perhaps twice made
                    on_resend(f"attempt {attempt}: {exc.billing_note}; limner sent it again")
                continue
            except RequestTimeoutError as exc:  # logged as the attempts that answered are
                log.debug(
                    "%s %s timed out (attempt %d): %s",
                    request.method,
                    shown_url(request.url),
                    attempt,
                    exc,
                )
                raise
            if log.isEnabledFor(logging.DEBUG):  # the arguments cost even when not logged
                log.debug(
                    "%s %s -> %d in %.0f ms (attempt %d)",
                    request.method,
                    shown_url(request.url),
                    response.status,
                    (time.monotonic() - started) * 1000,
                    attempt,
                )
            if (
                response.status >= 400  # (a success is never retried: no check asked)
                and attempt <= policy.max_retries
                and (
                    response.status in RETRYABLE_STATUSES
                    if retryable is None
                    else retryable(response)
                )
            ):
                wait = retry_after(response) if retry_after else response.retry_after
                if wait is not None and wait > policy.max_retry_after:
                    return response  # not worth blocking for: the error says how long to wait
                await back_off(policy.delay(attempt, wait), self.connections.pauses)
                taken = TAKEN_STATUSES.get(response.status)
                if taken is not None and on_resend is not None and does_work(request):
                    on_resend(f"attempt {attempt}: {taken}: {MAYBE_TAKEN}; limner sent it again")
                continue
            return response

    async def _send_once(self, request: WireRequest, address: str | None) -> WireResponse:
        aiohttp, _ = client_modules()
        failure: LimnerError
        try:
            return await self._exchange(request, address)
        except _AnswerCutOff as cut:
            if self.connections.closed:  # closed while the answer came: it was taken
                raise client_closed_error(in_flight=True) from None
            began = f"{host_of(request.url)} began answering (HTTP {cut.status}) but"
            kept = (
                "not sent again, since the provider may have made, and will likely bill, the images"
            )
            if cut.timed_out:
                failure = RequestTimeoutError(
                    f"{began} did not finish within {self.total_timeout:g} s; {kept}"
                )
                failure.limit = TIMEOUT
            else:
                failure = ProviderConnectionError(
                    f"{began} the answer was cut off ({cut.reason}); {kept}"
                )
            failure.submitted, failure.billing_note = True, kept
        except aiohttp.ConnectionTimeoutError:  # before TimeoutError: it is one too
            failure = ProviderConnectionError(
                f"could not connect to {host_of(request.url)} within {self.connect_timeout:g} s",
                retryable=True,
            )
        except TimeoutError:
            failure = self._timed_out(request)
        except aiohttp.ClientError as exc:  # (a certificate's failure is a ValueError too)
            if self.connections.closed:  # closed under the call: not the provider's doing
                failure = client_closed_error(in_flight=does_work(request))
            else:
                failure = unreached(request, exc)
        except asyncio.CancelledError as exc:
            if cut_by_closing(self.connections.closed):  # a wait for a connection, cut
                # (not this call's cancellation): nothing went out
                in_flight = CONNECTED.get() and does_work(request)
                failure = client_closed_error(in_flight=in_flight, under_way=True)
            else:
                drop_frame_locals(exc)  # it leaves with its traceback
                raise
        except (KeyboardInterrupt, SystemExit) as exc:  # (not a bug's)
            drop_frame_locals(exc)
            raise
        # raised outside the handlers: aiohttp's exceptions keep the request's headers
        # (request_info), credentials included, so one must be neither cause nor context
        raise failure

    def _timed_out(self, request: WireRequest) -> LimnerError:
        """The error for a request whose time ran out before its answer began: retried when
        it never got a connection (none made, or none free, in time), so never left; otherwise
        not, as the provider may have taken it."""
        host = host_of(request.url)
        if self.connections.says_when_connected and not CONNECTED.get():
            return ProviderConnectionError(
                f"no connection to {host} within {self.total_timeout:g} s; the request was not "
                "sent",
                retryable=True,
            )
        failure = RequestTimeoutError(
            f"no answer from {host} within {self.total_timeout:g} s", retryable=False
        )
        failure.limit = TIMEOUT
        if does_work(request):
            failure.add_billing_note(
                "the provider may have taken the request, and may still bill it"
            )
        return failure

    async def _exchange(self, request: WireRequest, address: str | None) -> WireResponse:
        aiohttp, URL = client_modules()
        headers = dict(request.headers)
        url, server_hostname = request.url, None
        if address is not None:  # the name still in the Host header and TLS
            url, pinned = pin_url(request.url, address)
            headers.update(pinned["headers"])
            server_hostname = pinned["server_hostname"]
        if request.json is not None:  # the common case, without a coroutine
            data: bytes | None = request.json_bytes()
            headers["content-type"] = "application/json"
        else:
            data, content_type = await encode_body(request)
            if content_type is not None:
                headers["content-type"] = content_type
        proxies = self.connections.proxies
        route = DIRECT if proxies is None else proxies.for_url(request.url)
        CONNECTED.set(False)  # (until the connector has a connection for this attempt)
        if route.headers:  # a proxy's credentials, for an http URL (an https one's CONNECT)
            headers.update(route.headers)
        timeout = self.timeout
        async with self.connections.session(timeout).request(  # the URL as built (and signed):
            request.method,  # encoded
            URL(url, encoded=True),
            data=data,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,  # a redirect would take the credential headers along
            raise_for_status=False,  # a session passed in may: limner reads the status
            server_hostname=server_hostname,
            proxy=route.proxy,
            proxy_headers=route.proxy_headers,
        ) as response:
            status = response.status
            if status == 407 and route.proxy is not None:  # the proxy's, for an http URL
                raise aiohttp.ClientHttpProxyError(
                    response.request_info, (), status=407, message=response.reason or ""
                )
            headers = {name.lower(): value for name, value in response.headers.items()}
            pauses = self.connections.pauses  # closing the client ends the read
            pauses.start_reading(response.content)
            try:
                return await read_answer(response, status, headers, request)
            except (aiohttp.ClientError, TimeoutError) as exc:  # the body lost after the status
                # work done, and billed: not to be sent again (a read, such as a poll, may be)
                if 200 <= status < 300 and does_work(request):
                    raise _AnswerCutOff(status, exc) from None
                raise
            finally:
                pauses.stop_reading(response.content)


class _AnswerCutOff(Exception):
    """A successful answer whose body was lost on the way: the connection dropped mid-body,
    or the rest did not come in time (``timed_out``)."""

    def __init__(self, status: int, exc: Exception) -> None:
        self.timed_out = isinstance(exc, TimeoutError)
        self.reason = "" if self.timed_out else f"{type(exc).__name__}: {exc}"
        super().__init__(self.reason)
        self.status = status


def pin_url(url: str, address: str) -> tuple[str, dict[str, Any]]:
    """``url`` with its host replaced by the checked ``address``; the original name still goes
    in the Host header and in TLS (SNI and certificate check)."""
    _, URL = client_modules()
    parts = urlsplit(url)
    name = URL(url).raw_host or ""  # an international name as sent: its ASCII (punycode) form
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit(parts._replace(netloc=netloc))
    named = f"[{name}]" if ":" in name else name
    header = f"{named}:{parts.port}" if parts.port else named
    return pinned, {"headers": {"host": header}, "server_hostname": name}


async def encode_body(request: WireRequest) -> tuple[bytes | None, str | None]:
    """The body bytes exactly as sent, and their content type (multipart with its boundary)."""
    aiohttp, _ = client_modules()

    if request.json is not None:
        return request.json_bytes(), "application/json"
    if request.is_multipart:
        form = aiohttp.FormData(quote_fields=False, default_to_multipart=True)
        for name, value in request.form:
            form.add_field(name, value)
        for part in request.files:  # (in a BytesIO, not shared nor copied: aiohttp warns of
            form.add_field(  # bytes over 1 MiB, and under -W error fails on them)
                part.field,
                io.BytesIO(part.data),
                filename=part.filename,
                content_type=part.content_type,
            )
        writer = form()
        return await writer.as_bytes(), writer.content_type
    return request.content, request.headers.get("content-type")
