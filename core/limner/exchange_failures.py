"""How a failed exchange with a provider is told apart: never reached, dropped after the
request went out (the provider may have taken it), or answered in a way aiohttp could not read
(taken, and perhaps billed: not to be sent again). Used by :mod:`limner.http`."""

from __future__ import annotations

from .connections import client_modules
from .errors import LimnerError, ProviderConnectionError, ProviderError
from .wire import WireRequest

__all__ = [
    "CERTIFICATE_UNTRUSTED",
    "DROPPED",
    "FINAL_CONNECTION_FAILURES",
    "MAYBE_TAKEN",
    "PROXY_REFUSED",
    "does_work",
    "host_of",
    "maybe_taken",
    "proxy_refused",
    "unreached",
    "unreadable",
    "unreadable_answer",
    "untrusted_certificate",
]

CERTIFICATE_UNTRUSTED = "certificate_verify_failed"
"""Error code: a TLS certificate did not verify."""
PROXY_REFUSED = "proxy_authentication_required"
"""Error code: the proxy answered 407, the credentials missing or wrong."""
FINAL_CONNECTION_FAILURES = frozenset({CERTIFICATE_UNTRUSTED, PROXY_REFUSED})
"""Codes of connection errors the transport does not retry: trying again cannot help. (Other
connection errors are retried, a plugin's own among them, whatever their ``retryable``.)"""


def untrusted_certificate(exc: Exception) -> str:
    """What to say of a TLS certificate that did not verify (aiohttp's
    ``ClientConnectorCertificateError``), after "could not reach HOST: ": trying again does not
    help, and the usual cause is software on the network that inspects TLS, whose certificate
    authority Python does not trust."""
    error = getattr(exc, "certificate_error", None)
    why = getattr(error, "verify_message", None) or error or type(exc).__name__
    return f"its TLS certificate could not be verified ({why}); {TLS_ADVICE}"


TLS_ADVICE = (
    "if a proxy or security software on this network inspects TLS, point SSL_CERT_FILE at its "
    "certificate authority"
)
"""What :func:`untrusted_certificate` advises: the machine's owner's to do (a gateway's
operator, not its client)."""


def without_tls_advice(text: str) -> str:
    """``text`` without :data:`TLS_ADVICE`: what a gateway's client is told (the advice is for
    the gateway's operator, whose log keeps it)."""
    return text.replace(f"; {TLS_ADVICE}", "")


def unreached(request: WireRequest, exc: Exception) -> LimnerError:
    """The error of ``request`` failing on its way (aiohttp's ``ClientError``, the client still
    open): a certificate that did not verify, or a proxy's 407, are final; an answer aiohttp
    could not read was taken; anything else is a connection to retry (the provider may have
    taken the request when the connection dropped after it went out)."""
    aiohttp, _ = client_modules()
    host = host_of(request.url)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return ProviderConnectionError(
            f"could not reach {host}: {untrusted_certificate(exc)}", code=CERTIFICATE_UNTRUSTED
        )
    if proxy_refused(exc):
        return ProviderConnectionError(
            f"could not reach {host}: the proxy asked for credentials (407 Proxy Authentication "
            "Required); check the user and password in the proxy's URL (HTTPS_PROXY, HTTP_PROXY)",
            code=PROXY_REFUSED,
        )
    if unreadable_answer(exc):  # answered, so perhaps done: not sent again
        return unreadable(request, exc)
    why = f"{type(exc).__name__}: {exc}"
    if maybe_taken(request, exc):  # said in the message too: an app may log nothing else
        failure = ProviderConnectionError(
            f"lost the connection to {host} ({why}); if it happens every time, check the "
            "provider's base URL if one is set",
            retryable=True,
        )
        failure.add_billing_note(DROPPED)
        failure.dropped = True
        return failure
    return ProviderConnectionError(
        f"could not reach {host}: {why}; check the network, and the provider's base URL if one "
        "is set",
        retryable=True,
    )


def proxy_refused(exc: Exception) -> bool:
    """Whether ``exc`` is a proxy's 407: it wants credentials, or others than were sent."""
    aiohttp, _ = client_modules()
    return isinstance(exc, aiohttp.ClientHttpProxyError) and exc.status == 407


def unreadable_answer(exc: Exception) -> bool:
    """Whether ``exc`` is aiohttp failing to read an HTTP answer that came (a header over its
    limit), not a failure to reach the provider: a proxy that refused to connect, or a port
    that speaks no HTTP (a TLS port named with http://), whose first line is no status line."""
    aiohttp, _ = client_modules()
    return (
        isinstance(exc, aiohttp.ClientResponseError)
        and not isinstance(exc, aiohttp.ClientHttpProxyError)
        and not str(exc.message).startswith("Bad status line")
    )


def unreadable(request: WireRequest, exc: Exception) -> ProviderError:
    """The error of an answer aiohttp could not read: the request went out and was answered,
    so the provider may have done, and may bill, the work."""
    said = " ".join(str(getattr(exc, "message", "") or type(exc).__name__).split())
    said = said if len(said) <= 80 else said[:79] + "…"  # (aiohttp quotes what it could not read)
    failure = ProviderError(
        f"the provider answered, but its answer could not be read ({said})", retryable=False
    )
    failure.submitted = does_work(request)
    if failure.submitted:
        failure.add_billing_note("the provider may have made, and may bill, what it answered")
    return failure


def host_of(url: str) -> str:
    """The host (and port) of ``url``, for messages: never the credentials of a
    ``user:password@`` part."""
    return url.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]


def does_work(request: WireRequest) -> bool:
    """Whether ``request`` asks the provider to do (and bill) work: not a read (a poll)."""
    return request.method not in ("GET", "HEAD")


MAYBE_TAKEN = "the provider may have taken it, and may bill the images it makes"
"""Said of a request that may have been taken though no answer says so."""

DROPPED = f"the connection dropped after the request went out: {MAYBE_TAKEN}"


def maybe_taken(request: WireRequest, exc: Exception) -> bool:
    """Whether a lost connection may have come after the provider took ``request``: a POST that
    the server closed on, or reset, once connected (a stale pooled connection looks the same,
    and is the common case; so it is retried, and said)."""
    aiohttp, _ = client_modules()
    lost = (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError)
    return (
        does_work(request)
        and isinstance(exc, lost)
        and not isinstance(exc, aiohttp.ClientConnectorError)  # never connected: never sent
    )
