"""The clients a proxy says it forwards a request for (``Forwarded``, ``X-Forwarded-For``,
``X-Real-IP``): a gateway without keys serves only its own machine, and a proxy on that machine
makes every request look local."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["forwarded_for"]

_FOR = re.compile(r'(?i)(?:^|[;,\s])for\s*=\s*("[^"]*"|[^;,\s]*)')


def forwarded_for(headers: Mapping[str, str]) -> list[str]:
    """Each client address the request's forwarding headers name, as written (brackets and
    ports taken off): empty when none is sent. An obfuscated one (``for=_hidden``,
    ``unknown``) is kept as it is: it names no address of this machine."""
    found: list[str] = []
    for value in _all(headers, "Forwarded"):
        found += [_address(match.group(1).strip('"')) for match in _FOR.finditer(value)]
    for name in ("X-Forwarded-For", "X-Real-IP"):
        for value in _all(headers, name):
            found += [_address(part) for part in value.split(",") if part.strip()]
    return found


def _all(headers: Mapping[str, str], name: str) -> list[str]:
    getall = getattr(headers, "getall", None)  # (a multidict: each time the header was sent)
    if getall is not None:
        values: list[str] = getall(name, [])
        return values
    value = headers.get(name)
    return [] if value is None else [value]


def _address(text: str) -> str:
    """``[::1]:8080`` -> ``::1``; ``127.0.0.1:80`` -> ``127.0.0.1``; others as they are."""
    text = text.strip()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    if text.count(":") == 1:  # an IPv4 address (or a name) with a port
        return text.partition(":")[0]
    return text
