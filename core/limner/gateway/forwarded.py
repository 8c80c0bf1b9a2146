"""The clients a proxy says it forwards a request for (``Forwarded``, read by aiohttp;
``X-Forwarded-For`` and ``X-Real-IP``): a gateway without keys serves only its own machine, and
a proxy on that machine makes every request look local."""

from __future__ import annotations

from aiohttp import web

__all__ = ["forwarded_for"]


def forwarded_for(request: web.Request) -> list[str]:
    """Each client address the request's forwarding headers name, brackets and ports taken
    off: empty when none is sent. An obfuscated one (``for=_hidden``, ``unknown``) is kept as
    it is: it names no address of this machine."""
    found = [_address(entry["for"]) for entry in request.forwarded if "for" in entry]
    for name in ("X-Forwarded-For", "X-Real-IP"):
        for value in request.headers.getall(name, []):
            found += [_address(part) for part in value.split(",") if part.strip()]
    return found


def _address(text: str) -> str:
    """``[::1]:8080`` -> ``::1``; ``127.0.0.1:80`` -> ``127.0.0.1``; others as they are."""
    text = text.strip()
    if text.startswith("["):
        return text[1:].partition("]")[0]
    if text.count(":") == 1:  # an IPv4 address (or a name) with a port
        return text.partition(":")[0]
    return text
