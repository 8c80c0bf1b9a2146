"""Proxies named by the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and
``NO_PROXY``, in either case, the lower-case name first, as ``urllib`` reads them), for calls to
providers on the client's own session, as the providers' SDKs use them. Read once, when the client
is made. Downloads (input image URLs, result links) connect directly: limner checks the address
each one connects to, which a proxy would choose instead."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = ["EnvProxies"]

log = logging.getLogger(__name__)

_NONE: dict[str, Any] = {}


@dataclass(frozen=True)
class _Proxy:
    """One proxy: its password, and what ``session.request`` is given for it (its URL, with the
    credentials)."""

    password: str | None = field(repr=False)
    request: dict[str, Any] = field(repr=False)


class EnvProxies:
    """The proxies one client sends through, by URL scheme, with the hosts that bypass them."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        found: dict[str, str] = {}
        for name in sorted(environ, key=str.islower):  # upper case first: lower case wins
            value = environ[name]
            if value and name.lower().endswith("_proxy"):
                found[name.lower().removesuffix("_proxy")] = value
        self._found = found  # (NO_PROXY as "no", which urllib's bypass check reads)
        self._by_scheme: dict[str, _Proxy] = {}
        for scheme in ("http", "https"):
            url = found.get(scheme) or found.get("all")
            proxy = _proxy(url) if url else None
            if proxy is not None:
                self._by_scheme[scheme] = proxy

    def __bool__(self) -> bool:
        return bool(self._by_scheme)

    def secrets(self) -> list[str]:
        """The passwords in the proxies' URLs, for error messages to leave out."""
        return [p.password for p in self._by_scheme.values() if p.password]

    def for_url(self, url: str) -> dict[str, Any]:
        """``session.request``'s ``proxy`` for ``url``, or nothing: no proxy for its scheme, or
        its host is in ``NO_PROXY``."""
        if not self._by_scheme:  # the common case: nothing to look at
            return _NONE
        parts = urlsplit(url)
        chosen = self._by_scheme.get(parts.scheme)
        if chosen is None or _bypass(parts.hostname or "", self._found):
            return _NONE
        return chosen.request


def _bypass(host: str, found: Mapping[str, str]) -> bool:
    """Whether ``NO_PROXY`` (``found["no"]``) names ``host``: urllib's own reading, which its
    ``getproxies`` callers use (undocumented, so typeshed leaves it out)."""
    bypass: Any = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    return bool(bypass(host, found))


def _proxy(given: str) -> _Proxy | None:
    """A proxy's URL (``proxy:3128`` read as curl reads it, ``http://``); aiohttp sends the
    credentials in it as ``Proxy-Authorization``. ``None`` for a proxy aiohttp cannot send
    through (SOCKS), with a warning."""
    from yarl import URL

    parsed = URL(given if "://" in given else f"http://{given}")
    if parsed.scheme not in ("http", "https"):
        log.warning(
            "the %s proxy at %s is not used: limner sends through HTTP proxies only",
            parsed.scheme,
            parsed.host,
        )
        return None
    return _Proxy(parsed.password, {"proxy": str(parsed)})
