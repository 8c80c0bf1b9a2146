"""Proxies named by the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and
``NO_PROXY``, read as ``urllib`` reads them: either case, a lower-case name winning, an empty one
unsetting), for calls to providers on the client's own session, as the providers' SDKs use them.
Read once, when the client is made. Downloads (input image URLs, result links) connect directly:
limner checks the address each one connects to, which a proxy would choose instead.

A proxy's credentials never travel in its URL, which aiohttp quotes in its errors: they go as a
``Proxy-Authorization`` header, on the ``CONNECT`` of an https URL, or on the request itself for
an http one (which the proxy receives whole)."""

from __future__ import annotations

import base64
import ipaddress
import logging
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .errors import InvalidRequestError

if TYPE_CHECKING:
    from yarl import URL

__all__ = ["DIRECT", "EnvProxies", "Route"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """How one request goes: through ``proxy`` (``None``: directly), with ``proxy_headers`` on
    its ``CONNECT`` and ``headers`` on the request itself."""

    proxy: str | None = None
    proxy_headers: Mapping[str, str] | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


DIRECT = Route()
"""A request sent straight to its host."""


@dataclass(frozen=True)
class _Proxy:
    """One proxy: the routes through it, and the forms of its password to keep out of text."""

    https: Route
    http: Route
    secrets: tuple[str, ...] = field(default=(), repr=False)


class EnvProxies:
    """The proxies one client sends through, by URL scheme, with the hosts that bypass them."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        named = _read(environ)
        # (NO_PROXY as "no", which urllib's bypass check reads)
        self._found = {key: value for key, (_, value) in named.items()}
        self._by_scheme: dict[str, Route] = {}
        self._secrets: list[str] = []
        for scheme in ("http", "https"):
            given = named.get(scheme) or named.get("all")
            proxy = _proxy(*given) if given else None
            if proxy is not None:
                self._by_scheme[scheme] = proxy.https if scheme == "https" else proxy.http
                self._secrets += [s for s in proxy.secrets if s not in self._secrets]

    def __bool__(self) -> bool:
        return bool(self._by_scheme)

    def secrets(self) -> list[str]:
        """The passwords in the proxies' URLs (as written and decoded, and as the
        ``user:password`` pair their ``Proxy-Authorization`` header encodes), for text to
        leave out."""
        return list(self._secrets)

    def for_url(self, url: str) -> Route:
        """How to send to ``url``: through its scheme's proxy, or :data:`DIRECT` (none for its
        scheme, or its host, with or without its port, is in ``NO_PROXY``)."""
        if not self._by_scheme:  # the common case: nothing to look at
            return DIRECT
        parts = urlsplit(url)
        route = self._by_scheme.get(parts.scheme)
        if route is None:
            return DIRECT
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 address: urllib's check reads its last group as a port
            return DIRECT if _bypass_ipv6(host, parts.port, self._found) else route
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return DIRECT if _bypass(host, self._found) else route


def _read(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """The ``*_proxy`` variables as ``urllib.request.getproxies_environment`` reads them (from
    ``environ``): any case first, then the lower-case names over them, an empty one unsetting;
    ``HTTP_PROXY`` is not read where ``REQUEST_METHOD`` says this runs as a CGI script. Each
    is keyed by its name's first word (``https``, ``no``...), with the name it was read from
    (for a message) and its value."""
    found: dict[str, tuple[str, str]] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower().removesuffix("_proxy")] = (name, value)
    if "REQUEST_METHOD" in environ:
        found.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):
            key = name.lower().removesuffix("_proxy")
            if value:
                found[key] = (name, value)
            else:
                found.pop(key, None)
    return found


def _bypass(host: str, found: Mapping[str, str]) -> bool:
    """Whether ``NO_PROXY`` (``found["no"]``) names ``host``: urllib's own reading, which its
    ``getproxies`` callers use (undocumented, so typeshed leaves it out)."""
    bypass: Any = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    return bool(bypass(host, found))


def _bypass_ipv6(address: str, port: int | None, found: Mapping[str, str]) -> bool:
    """Whether ``NO_PROXY`` names the IPv6 ``address`` (and ``port``): an entry as written
    (``::1``) or bracketed (``[::1]``, ``[::1]:8080``), as curl reads them; ``*`` names all."""
    try:
        wanted = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in (e.strip() for e in found.get("no", "").split(",")):
        if entry == "*":
            return True
        named, _, entry_port = entry.removeprefix("[").partition("]")
        if not entry.startswith("["):
            named, entry_port = entry, ""
        if entry_port and entry_port.removeprefix(":") != str(port):
            continue
        try:
            if ipaddress.ip_address(named) == wanted:
                return True
        except ValueError:
            continue
    return False


def _proxy(name: str, given: str) -> _Proxy | None:
    """The proxy the variable ``name`` gives (``proxy:3128`` read as curl reads it,
    ``http://``), its credentials taken out of its URL into a ``Proxy-Authorization`` header;
    ``None`` for a proxy aiohttp cannot send through (SOCKS), with a warning."""
    parsed = _parsed(name, given)
    if parsed.scheme not in ("http", "https"):
        log.warning(
            "the %s proxy at %s is not used: limner sends through HTTP proxies only",
            parsed.scheme,
            parsed.host,
        )
        return None
    if parsed.user is None and parsed.password is None:
        return _Proxy(Route(str(parsed)), Route(str(parsed)))
    bare = str(parsed.with_user(None))
    pair = f"{parsed.user or ''}:{parsed.password or ''}".encode()
    auth = {"Proxy-Authorization": f"Basic {base64.b64encode(pair).decode()}"}  # RFC 7617
    secrets = tuple(  # the pair too: its base64 is what the header carries
        s for s in {parsed.password, parsed.raw_password, pair.decode()} if s and s != ":"
    )
    return _Proxy(Route(bare, proxy_headers=auth), Route(bare, headers=auth), secrets)


def _parsed(name: str, given: str) -> URL:
    """``given``, the value of the variable ``name``, as a URL with a host; one that is not
    (an unclosed ``[``, a port of 0 or past 65535, no host) is an error naming the variable
    and quoting nothing of its value, which may hold a password."""
    from yarl import URL

    try:
        parsed: URL | None = URL(given if "://" in given else f"http://{given}")
    except ValueError:  # an unclosed "[", a port that is no number or past 65535
        parsed = None
    if parsed is None or not parsed.host or parsed.port == 0:
        raise InvalidRequestError(
            f"{name} is not a proxy URL limner can read: write it as http://HOST:PORT (an IPv6 "
            f"address in brackets, a port from 1 to 65535), or unset {name} to connect directly",
            param=name,
        )
    return parsed
