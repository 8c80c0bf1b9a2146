"""The warning for credentials sent unencrypted: a request whose secret headers go over plain
``http://`` to another machine than this one. Not refused (an internal proxy may be meant), but
said, in the response's warnings and in the dry run's."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import urlsplit

from .addresses import is_loopback_host
from .authorizing import authorized
from .provider import Provider, ProviderSettings
from .responses import Notice
from .wire import GENERIC_SECRET_HEADERS, WireRequest

__all__ = ["CREDENTIALS_IN_CLEAR", "clear_credentials"]

CREDENTIALS_IN_CLEAR = "credentials_in_clear"
"""``Notice.code`` of a request that sends the provider's credential unencrypted (its base URL is
``http://`` and names another machine), where anyone on the network in between may read it."""


def clear_credentials(
    provider: Provider,
    settings: ProviderSettings,
    model_id: str,
    requests: Iterable[WireRequest],
) -> list[Notice]:
    """The ``credentials_in_clear`` warning, once for all of a request's calls, when any of
    ``requests``, authorized, carries a secret header (one the provider marks secret, or one
    limner always hides) to an ``http://`` URL whose host is not this machine's loopback. Only
    a request to such a URL is authorized here, and as a dry run authorizes: the same headers
    as a real call (the provider contract's rule), with placeholders, so no credential is
    fetched for it; an https call costs a prefix check."""
    hosts: dict[str, str] = {}  # each host, and the setting whose URL names it
    for request in requests:
        if _plain_remote_host(request.url) is None:
            continue
        signed = authorized(provider, request, settings, model_id, dry_run=True)
        host = _plain_remote_host(signed.url)
        if host is not None and _carries_secrets(signed):
            hosts.setdefault(host, _url_setting(settings, signed.url))
    return [_notice(provider, hosts)] if hosts else []


def _plain_remote_host(url: str) -> str | None:
    """The host (with its port, if any; never a ``user:password@`` part) of an ``http://`` URL
    that does not name this machine's loopback (``localhost``, 127.0.0.0/8, ``::1``); ``None``
    for any other URL."""
    if url[:7].lower() != "http://":
        return None
    host = url[7:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    return None if _loopback(host) else host


@functools.lru_cache(maxsize=64)
def _loopback(host: str) -> bool:
    """Whether ``host`` (``name:port``, ``[v6]:port``) is this machine's loopback: worked out
    once per host, as every call to a base URL asks again."""
    return is_loopback_host(urlsplit(f"http://{host}").hostname or "")


def _carries_secrets(request: WireRequest) -> bool:
    """Whether ``request`` has a header a dry run shows as ``<redacted>``, with a value."""
    hidden = request.secret_headers | GENERIC_SECRET_HEADERS
    return any(request.headers.get(name) for name in hidden)


def _url_setting(settings: ProviderSettings, url: str) -> str:
    """The URL setting ``url`` starts with: ``base_url``, or a plugin's own ``..._url``
    (a second API's, say); ``base_url`` when none does."""
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        is_url = name == "base_url" or name.endswith("_url")
        if is_url and isinstance(value, str) and value and url.startswith(value.rstrip("/")):
            return name
    return "base_url"


def _notice(provider: Provider, hosts: dict[str, str]) -> Notice:
    """The warning naming each host, and the first one's setting (by its name in ``providers=``
    and its environment variables)."""
    name = next(iter(hosts.values()))
    setting = f"providers.{provider.name}.{name}"
    where = " or ".join([setting, *provider.env.get(name, ())])
    return Notice(
        code=CREDENTIALS_IN_CLEAR,
        message=f"the {provider.name} credential goes unencrypted to {', '.join(hosts)} (its "
        "base URL is http://): anyone on the network in between can read and reuse it; use "
        f"an https:// base URL ({where})",
        param=setting,
    )
