"""Downloading remote images safely: https only, no private or local addresses unless allowed,
a size cap, and the real format sniffed from the bytes."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from .client_defaults import DEFAULT_MAX_DOWNLOAD_BYTES
from .client_limits import DOWNLOAD_TIMEOUT
from .errors import (
    InvalidRequestError,
    PayloadTooLargeError,
    ProviderConnectionError,
    ProviderError,
)
from .http import pin_url
from .images import byte_count

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "DownloadPolicy",
    "PrivateAddressError",
    "download",
    "is_public",
    "public_address",
]


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
) -> bytes:
    """The bytes at ``url``, under ``policy``. Errors name ``param``. A refused or failed
    download is the caller's :class:`InvalidRequestError` (an input image they pointed at), or a
    :class:`ProviderError` when ``provider_url`` (a result URL the provider answered with).
    ``timeout`` applies to this download, its name lookup included, whatever the session's own
    default."""
    import aiohttp

    total = timeout.total if timeout is not None else None
    try:
        async with asyncio.timeout(total):
            return await _fetch(session, url, policy, param, provider_url, timeout)
    except aiohttp.ConnectionTimeoutError as exc:  # before TimeoutError: it is one too
        raise ProviderConnectionError(
            f"{param}: could not connect to download {url} in time", param=param
        ) from exc
    except TimeoutError as exc:  # the whole download's time ran out
        within = f" within {total:g} s" if total else ""
        failure = ProviderConnectionError(f"{param}: timed out downloading {url}{within}")
        failure.param, failure.limit = param, DOWNLOAD_TIMEOUT if total else None
        raise failure from exc
    except aiohttp.ClientError as exc:
        raise ProviderConnectionError(
            f"{param}: could not download {url}: {exc}", param=param
        ) from exc


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    policy: DownloadPolicy,
    param: str,
    provider_url: bool,
    timeout: aiohttp.ClientTimeout | None,
) -> bytes:
    refusal = ProviderError if provider_url else InvalidRequestError
    pinned = await _check_url(url, policy, param=param, refusal=refusal)
    target, extra = (url, {}) if pinned is None else pin_url(url, pinned)
    if timeout is not None:
        extra["timeout"] = timeout
    # a session passed in may raise for a status itself: limner reads the status
    extra["raise_for_status"] = False
    async with session.get(target, allow_redirects=False, **extra) as response:
        if response.status != 200:
            raise refusal(
                f"{param}: {url} answered HTTP {response.status}",
                param=param,
                code="download_failed",
            )
        declared = response.content_length
        if declared is not None and declared > policy.max_bytes:
            raise _too_large(param, policy)
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(1 << 16):
            total += len(chunk)
            if total > policy.max_bytes:
                raise _too_large(param, policy)
            chunks.append(chunk)
        return b"".join(chunks)


async def _check_url(
    url: str,
    policy: DownloadPolicy,
    *,
    param: str,
    refusal: type[InvalidRequestError] | type[ProviderError],
) -> str | None:
    """Refuse what the policy forbids; return the public address checked, which the download
    then connects to (so a name cannot resolve to a private address a moment later: DNS
    rebinding). ``None`` when private networks are allowed (no pinning)."""
    parts = _split(url, param=param, refusal=refusal)
    allowed = ("https", "http") if policy.allow_private_networks else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise refusal(
            f"{param}: only https URLs can be downloaded, got {url!r}",
            param=param,
            code="invalid_url",
        )
    if policy.allow_private_networks:
        return None
    try:
        return await public_address(parts.hostname, parts.port or 443)
    except UnicodeError:  # an empty or over-long label: "a..b", 64 characters
        raise refusal(
            f"{param}: {parts.hostname!r} is not a valid host name", param=param, code="invalid_url"
        ) from None
    except PrivateAddressError as exc:
        raise refusal(
            f"{param}: {parts.hostname} resolves to a private or local address ({exc.address}); "
            "limner refuses to fetch it unless the client allows private networks",
            param=param,
            code="invalid_url",
        ) from None
    except OSError as exc:
        raise ProviderConnectionError(
            f"{param}: cannot resolve {parts.hostname}", param=param
        ) from exc


class PrivateAddressError(Exception):
    """A host name resolved to a private or local ``address``."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


async def public_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: the first it resolves to, once every address it
    resolves to is found public. Raises :class:`PrivateAddressError` otherwise,
    ``UnicodeError`` for a name that cannot be one, and ``OSError`` when it does not resolve:
    the caller must not connect then, or the name would be resolved again (DNS rebinding). An
    international name is looked up in the ASCII form the request sends (IDNA 2008, as in its
    Host header), not in Python's older one (``faß.de`` is ``xn--fa-hia.de``, not ``fass.de``)."""
    from yarl import URL

    with contextlib.suppress(ValueError):  # not a name yarl can encode: the lookup says why
        host = URL.build(scheme="https", host=host).raw_host or host
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        if not is_public(ipaddress.ip_address(info[4][0])):
            raise PrivateAddressError(str(info[4][0]))
    if not infos:
        raise OSError(f"{host} resolves to no address")
    return str(infos[0][4][0])


# IPv6 ranges whose last 32 bits are an IPv4 address: NAT64's well-known prefix (RFC 6052) and
# SIIT's IPv4-translated addresses (RFC 2765)
_CARRY_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))
# NAT64's local-use prefix (RFC 8215): the IPv4 address sits where the operator chose; local
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is public, and so is any IPv4 address an IPv6 one carries (mapped,
    6to4, NAT64, SIIT, IPv4-compatible), which Python's ``is_global`` does not look into:
    through them ``64:ff9b::a9fe:a9fe`` reaches 169.254.169.254."""
    if not address.is_global or address.is_multicast:  # Python 3.11 calls multicast global
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local or address in _LOCAL_NAT64:  # fec0::/10: routed inside sites
            return False
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and (
            any(address in carrier for carrier in _CARRY_IPV4) or int(address) < 2**32
        ):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not inner.is_global:
            return False
    return True


def _split(
    url: str, *, param: str, refusal: type[InvalidRequestError] | type[ProviderError]
) -> SplitResult:
    """``url`` in parts, refusing one that cannot be read (a bad port, a broken IPv6 address) or
    that carries credentials (``user:password@``). The URL is not quoted back: it may hold one."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # the port is parsed (and checked) only when read
    except ValueError as exc:
        reason = "" if "@" in str(exc) else f" ({exc})"
        raise refusal(
            f"{param}: not a valid URL{reason}; check its host and port",
            param=param,
            code="invalid_url",
        ) from None
    if "@" in parts.netloc:
        raise refusal(
            f"{param}: the URL carries credentials (user:password@), which limner does not "
            "send; use a URL that needs none, or pass the image itself",
            param=param,
            code="invalid_url",
        )
    return parts


def _too_large(param: str, policy: DownloadPolicy) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"{param}: the download is over the {byte_count(policy.max_bytes)} limit", param=param
    )
