"""The pieces of the standard tests that know nothing of providers: the offline guard, the
answers ``parse_error`` is tried on, and the checks on settings and options names."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pydantic import BaseModel

from ..errors import (
    AuthenticationError,
    LimnerError,
    ProviderError,
    RateLimitError,
    RequestTimeoutError,
)
from ..wire import WireRequest

__all__ = [
    "ANSWERS",
    "BY_STATUS",
    "NetworkUsed",
    "another_value",
    "body_fields",
    "credential_name",
    "is_local",
    "offline",
    "undescribed",
]

_SECRET_WORDS = frozenset(
    {"key", "apikey", "secret", "token", "bearer", "password", "passphrase", "credential"}
)
_NOT_SECRET = frozenset(
    {"url", "uri", "endpoint", "host", "id", "file", "path", "header", "name", "type", "env"}
)
_JSON = {"content-type": "application/json"}

ANSWERS: tuple[tuple[Mapping[str, str], bytes], ...] = (
    (_JSON, b'{"error": {"message": "no", "code": "x"}}'),
    (_JSON, b'{"error": "no"}'),
    (_JSON, b'{"message": "no"}'),
    (_JSON, b'{"detail": [{"msg": "no"}]}'),
    (_JSON, b'{"errors": ["no"]}'),
    (_JSON, b"[]"),
    (_JSON, b"null"),
    (_JSON, b'"no"'),
    (_JSON, b"{not json"),
    ({"content-type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"),
    ({}, b""),
)
"""Error bodies of every common shape, and none: ``parse_error`` must map each."""

BY_STATUS: tuple[tuple[int, type[LimnerError]], ...] = (
    (400, LimnerError),
    (401, AuthenticationError),
    (403, LimnerError),
    (404, LimnerError),
    (408, RequestTimeoutError),
    (409, ProviderError),
    (422, LimnerError),
    (429, RateLimitError),
    (500, ProviderError),
    (503, ProviderError),
)
"""The statuses ``parse_error`` is tried on, with the least each must become."""


class NetworkUsed(AssertionError):
    """A standard test tried to reach the network: translation and dry runs must not."""


def is_local(address: Any) -> bool:
    """A Unix socket path, or a loopback IP address (no name: names need a lookup)."""
    if isinstance(address, str | bytes):
        return True
    host = address[0] if isinstance(address, tuple) and address else None
    try:
        return isinstance(host, str) and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No connection (but to a loopback address) or name lookup while it runs: each attempt
    fails, and is reported at the end even when the plugin caught the failure."""
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(sock: socket.socket, address: Any, *args: Any) -> Any:
        if is_local(address):  # the event loop's own socket pair, on some systems
            return (real_connect_ex if args == ("ex",) else real_connect)(sock, address)
        attempts.append(f"a connection to {address!r}")
        raise NetworkUsed(f"{attempts[-1]} was attempted: the standard tests run offline")

    def connect_ex(sock: socket.socket, address: Any) -> Any:
        return connect(sock, address, "ex")

    real_lookup = socket.getaddrinfo

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if is_local((host,)):  # a loopback address needs no lookup
            return real_lookup(host, *args, **kwargs)
        attempts.append(f"a DNS lookup of {host!r}")
        raise NetworkUsed(f"{attempts[-1]} was attempted: the standard tests run offline")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    yield
    assert not attempts, f"the network was used: {'; '.join(attempts)}"


def credential_name(name: str) -> bool:
    """``api_key``, ``client_secret``, ``password``; not ``token_url``, ``token_endpoint``,
    ``access_key_id``."""
    words = name.lower().split("_")
    return words[-1] not in _NOT_SECRET and any(word in _SECRET_WORDS for word in words)


def undescribed(options: type[BaseModel]) -> list[str]:
    """The options (nested ones as ``parent.child``) whose JSON Schema has no description."""
    schema = options.model_json_schema()
    defs = schema.get("$defs", {})
    found: list[str] = []

    def walk(node: dict[str, Any], prefix: str, seen: frozenset[str]) -> None:
        for name, prop in node.get("properties", {}).items():
            if not prop.get("description"):
                found.append(prefix + name)
            for ref in _refs(prop):
                target = ref.rsplit("/", 1)[-1]
                if target in defs and target not in seen:
                    walk(defs[target], f"{prefix}{name}.", seen | {target})

    walk(schema, "", frozenset())
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def another_value(value: str | int | float | bool) -> str | int | float | bool:
    """A value of the same type that differs from ``value``."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}-other"


def body_fields(request: WireRequest) -> dict[str, Any] | None:
    """The top-level fields of a translated request's body: its JSON, its form's text fields,
    or a raw body that is a JSON object (as a signed one is sent); ``None`` for another raw
    body."""
    if request.json is not None:
        return dict(request.json) if isinstance(request.json, dict) else {}
    if request.form or request.files:
        return dict(request.form)
    if request.content is None:
        return {}
    try:
        parsed = json.loads(request.content)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
