"""``Expect: 100-continue``: the gateway says ``100 Continue`` only to a request that passes the
checks needing no body (the key, the declared size); a refused client hears so before it sends
the body, on a connection then closed."""

from __future__ import annotations

import asyncio
import json

from limner.gateway import GatewayConfig

from ..core.support import FakeServer
from .conftest import MakeGateway
from .support import GATEWAY_KEY, Gateway

BODY = json.dumps({"model": "openai/gpt-image-1", "prompt": "a fox"}).encode()


async def _ask(
    gateway: Gateway, headers: str, length: int, expect: str = "100-continue"
) -> tuple[asyncio.StreamReader, bytes]:
    """Send a POST's head with ``Expect: 100-continue`` (or ``expect``), no body yet; the first
    answer's head."""
    host, port = gateway.origin.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"POST /v1/images/generations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + f"Content-Type: application/json\r\nExpect: {expect}\r\n".encode()
        + headers.encode()
        + f"Content-Length: {length}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    reader.writer = writer  # type: ignore[attr-defined]  # kept open for the body
    return reader, head.lower()


async def test_a_request_without_a_key_is_refused_before_its_body(
    gateway: Gateway, server: FakeServer
) -> None:
    reader, head = await _ask(gateway, "", 50 * 2**20)
    assert head.startswith(b"http/1.1 401 ")
    assert b"\r\nconnection: close" in head and b"\r\nx-request-id: req_" in head
    length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
    rest = await asyncio.wait_for(reader.readexactly(length), 5)
    assert json.loads(rest)["error"]["code"] == "missing_api_key"
    reader.writer.close()  # type: ignore[attr-defined]  # as the answer said: no body sent
    assert server.api_calls == []


async def test_a_body_declared_too_large_is_refused_before_it_is_sent(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,), max_body_bytes=1000))
    auth = f"Authorization: Bearer {GATEWAY_KEY}\r\n"
    reader, head = await _ask(gateway, auth, 5000)
    assert head.startswith(b"http/1.1 413 ")
    assert b"\r\nconnection: close" in head
    reader.writer.close()  # type: ignore[attr-defined]  # as the answer said: no body sent
    assert server.api_calls == []


async def test_a_request_that_passes_hears_continue_and_is_served(
    gateway: Gateway, server: FakeServer
) -> None:
    auth = f"Authorization: Bearer {GATEWAY_KEY}\r\n"
    reader, head = await _ask(gateway, auth, len(BODY))
    assert head == b"http/1.1 100 continue\r\n\r\n"
    reader.writer.write(BODY)  # type: ignore[attr-defined]
    answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert answer.lower().startswith(b"http/1.1 200 ")
    assert len(server.api_calls) == 1
    reader.writer.close()  # type: ignore[attr-defined]


async def test_an_unknown_expectation_is_a_417_in_openais_shape(
    gateway: Gateway, server: FakeServer
) -> None:
    """aiohttp's own 417 was text/plain, without x-should-retry or a request id."""
    auth = f"Authorization: Bearer {GATEWAY_KEY}\r\n"
    reader, head = await _ask(gateway, auth, len(BODY), expect="weird")
    assert head.startswith(b"http/1.1 417 ")
    assert b"\r\ncontent-type: application/json" in head
    assert b"\r\nx-should-retry: false\r\n" in head and b"\r\nx-request-id: req_" in head
    assert b"\r\nconnection: close" in head
    length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
    rest = await asyncio.wait_for(reader.readexactly(length), 5)
    assert json.loads(rest) == {
        "error": {
            "message": "Unknown Expect: weird",
            "type": "invalid_request_error",
            "param": None,
            "code": "expectation_failed",
        }
    }
    reader.writer.close()  # type: ignore[attr-defined]
    assert server.api_calls == []
