"""Secrets never come back in errors: a provider that echoes the key (as some do in a 401) has
it replaced by ``<redacted>`` in the message, the body and the OpenAI error body."""

from __future__ import annotations

import pytest
from aiohttp import web

import limner
from limner.redaction import Scrubber, secret_header_values

from .fakeprovider import API_KEY
from .support import FakeServer, MakeClient, Recorded


async def test_an_echoed_key_is_redacted_from_the_error(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def echo(recorded: Recorded) -> web.StreamResponse:
        payload = {"error": {"message": f"Incorrect API key provided: {API_KEY}", "type": "x"}}
        return web.json_response(payload, status=401)

    server.reply(echo)
    client = make_client()
    with pytest.raises(limner.AuthenticationError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    error = info.value
    assert API_KEY not in error.message
    assert "<redacted>" in error.message
    assert API_KEY not in str(error) and API_KEY not in repr(error)
    assert API_KEY not in str(error.to_openai())
    assert API_KEY not in str(error.body)


async def test_a_key_echoed_in_param_or_request_id_is_redacted(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def echo(recorded: Recorded) -> web.StreamResponse:
        payload = {"error": {"message": "bad", "param": f"key {API_KEY}"}}
        return web.json_response(payload, status=400, headers={"x-request-id": API_KEY})

    server.reply(echo)
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    error = info.value
    assert (error.param, error.request_id) == ("key <redacted>", "<redacted>")
    assert API_KEY not in str(error.to_openai())


async def test_a_key_in_an_unreadable_body_is_redacted_too(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def html(recorded: Recorded) -> web.StreamResponse:
        return web.Response(text=f"<html>bad gateway for key {API_KEY}</html>", status=400)

    server.reply(html)
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert API_KEY not in info.value.message
    assert "<redacted>" in info.value.message


def test_secret_header_values_include_the_token_inside() -> None:
    request = limner.WireRequest(method="POST", url="https://x").with_headers(
        {"authorization": "Bearer tok-1234567890abcdef"}, secret=True
    )
    values = secret_header_values(request)
    assert "Bearer tok-1234567890abcdef" in values
    assert "tok-1234567890abcdef" in values
    scrub = Scrubber(values)
    assert scrub("denied tok-1234567890abcdef!") == "denied <redacted>!"
    assert scrub.value({"a": ["x tok-1234567890abcdef"]}) == {"a": ["x <redacted>"]}


def test_short_values_are_not_scrubbed() -> None:
    assert Scrubber(["abc"])("abc abc") == "abc abc"
