"""A provider's answer is read up to ``MAX_ANSWER_BYTES`` (as decompressed): a body past it, a
gzip bomb say, is an error that names the limit, not a process out of memory."""

from __future__ import annotations

import gzip
import json

import pytest
from aiohttp import web

import limner
from limner import answer_bodies

from .support import FakeServer, MakeClient, ok_body

LIMIT = 64 * 1024


@pytest.mark.parametrize("content_type", ["application/json", "image/png"])
async def test_an_answer_past_the_limit_is_an_error_naming_it(
    make_client: MakeClient,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    content_type: str,
) -> None:
    monkeypatch.setattr(answer_bodies, "MAX_ANSWER_BYTES", LIMIT)
    bomb = gzip.compress(b" " * (LIMIT * 4))  # small on the wire, four times the limit inflated
    server.reply(
        web.Response(body=bomb, headers={"Content-Type": content_type, "Content-Encoding": "gzip"})
    )
    client = make_client()
    with pytest.raises(limner.ProviderError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert caught.value.message == (
        "the provider answered, but its answer could not be read (it ran past 64 KiB, more "
        "than images take); the provider may have made, and may bill, what it answered"
    )
    assert (caught.value.retryable, caught.value.submitted) == (False, True)
    assert len(server.api_calls) == 1  # not sent again


@pytest.mark.parametrize(("size", "read"), [(LIMIT, True), (LIMIT + 1, False)])
async def test_the_limit_is_on_the_inflated_bytes(
    make_client: MakeClient,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    size: int,
    read: bool,
) -> None:
    monkeypatch.setattr(answer_bodies, "MAX_ANSWER_BYTES", LIMIT)
    body = json.dumps(ok_body(1)).encode()
    body += b" " * (size - len(body))  # (whitespace after JSON is still JSON)
    server.reply(
        web.Response(
            body=gzip.compress(body),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    )
    client = make_client()
    if read:
        assert len((await client.images.generate(model="alpha", prompt="x")).data) == 1
    else:
        with pytest.raises(limner.ProviderError, match="ran past 64 KiB"):
            await client.images.generate(model="alpha", prompt="x")
