"""Reading a provider's answer: at most two copies of a large JSON body alive at once, and no
more than :data:`MAX_ANSWER_BYTES` of any body (as decompressed), however it is sent."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from .exchange_failures import unreadable
from .images import byte_count
from .wire import WireRequest, WireResponse, loads

if TYPE_CHECKING:  # aiohttp is imported on first use, to keep `import limner` fast
    import aiohttp

__all__ = ["MAX_ANSWER_BYTES", "read_answer"]

MAX_ANSWER_BYTES = 1024 * 1024 * 1024
"""The most of an answer limner reads: far more than any image answer takes (ten 4K images,
base64 in JSON, are a few hundred MiB), far less than a compressed body can grow to."""

_SMALL_BODY = 256 * 1024
"""Uncompressed bodies up to this size are read in one piece: copies of them cost little."""


class _TooLarge(Exception):
    def __init__(self) -> None:
        self.message = f"it ran past {byte_count(MAX_ANSWER_BYTES)}, more than images take"
        super().__init__(self.message)


def read_answer(
    response: aiohttp.ClientResponse, status: int, headers: dict[str, str], request: WireRequest
) -> Coroutine[Any, Any, WireResponse]:
    """The answer to ``request``, to await: a JSON body decoded (see :func:`_read_json`), any
    other as bytes. A body past :data:`MAX_ANSWER_BYTES` is a
    :class:`~limner.errors.ProviderError` (not retried: the provider may have done, and may
    bill, the work). (A function handing back the reading coroutine, not a coroutine awaiting
    it: one coroutine less for every answer.)"""
    if "json" in headers.get("content-type", ""):
        return _read_json(response, status, headers, request)
    return _read_bytes(response, status, headers, request)


async def _read_bytes(
    response: aiohttp.ClientResponse, status: int, headers: dict[str, str], request: WireRequest
) -> WireResponse:
    return WireResponse(status, headers, bytes(await _read_all(response, request)), request.url)


async def _read_all(response: aiohttp.ClientResponse, request: WireRequest) -> bytearray:
    buffer = bytearray()
    async for chunk in response.content.iter_any():
        buffer += chunk
        if len(buffer) > MAX_ANSWER_BYTES:
            raise unreadable(request, _TooLarge())
    return buffer


async def _read_json(
    response: aiohttp.ClientResponse, status: int, headers: dict[str, str], request: WireRequest
) -> WireResponse:
    """Read and decode a JSON body so that at most two copies of it are alive at once (bytes then
    text, text then objects): image payloads are large. A small body is read whole."""
    url = request.url
    length = response.content_length  # on the wire: a compressed body may grow on reading
    if length is not None and length <= _SMALL_BODY and "content-encoding" not in headers:
        body = await response.read()
        try:
            return WireResponse(status, headers, body[:1024], url, parsed=loads(body))
        except ValueError:  # not UTF-8, not JSON, nested past any use: kept
            return WireResponse(status, headers, body, url)  # as bytes, for the error message
    buffer = await _read_all(response, request)
    head = bytes(buffer[:1024])
    try:
        text = buffer.decode("utf-8")
    except UnicodeDecodeError:
        return WireResponse(status, headers, bytes(buffer), url)
    del buffer
    try:
        parsed = loads(text)
    except ValueError:
        return WireResponse(status, headers, text.encode(), url)
    return WireResponse(status, headers, head, url, parsed=parsed)
