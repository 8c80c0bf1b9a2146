"""A lost connection is retried, as the issue and the OpenAI SDKs do; when it was lost after the
request went out, the provider may have taken it, so the answer says the call was sent again."""

from __future__ import annotations

import dataclasses

import pytest
from aiohttp import web

import limner
from limner.responses import RESENT

from .support import FAST_RETRY, FakeServer, MakeClient, Recorded, error_reply

ONE_RETRY = dataclasses.replace(FAST_RETRY, max_retries=1)


async def _hang_up(recorded: Recorded) -> web.StreamResponse:
    """The whole request read, then the connection closed without an answer."""
    request = recorded.request
    assert request is not None and request.transport is not None
    request.transport.close()
    return web.Response()


async def test_a_post_resent_after_its_connection_dropped_says_so(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(_hang_up)
    result = await make_client().images.generate(model="fake/alpha-1", prompt="x")
    assert len(result.data) == 1 and len(server.api_calls) == 2
    notes = [w for w in result.warnings if w.code == RESENT]
    assert [w.message for w in notes] == [
        "attempt 1: the connection dropped after the request went out: the provider may have "
        "taken it, and may bill the images it makes; limner sent it again"
    ]


async def test_every_attempts_drop_is_in_the_error(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The last attempt's, and each earlier one's that was sent again: each may be billed."""
    server.reply(_hang_up, _hang_up, _hang_up)
    with pytest.raises(limner.ProviderConnectionError) as info:
        await make_client(retry=dataclasses.replace(FAST_RETRY, max_retries=2)).images.generate(
            model="fake/alpha-1", prompt="x"
        )
    assert info.value.retryable is True and len(server.api_calls) == 3
    dropped = (
        "the connection dropped after the request went out: the provider may have taken it, "
        "and may bill the images it makes"
    )
    assert info.value.billing_note == (
        f"attempt 1: {dropped}; limner sent it again; attempt 2: {dropped}; limner sent it "
        f"again; {dropped}"
    )


async def test_a_connection_never_made_is_resent_without_a_word(make_client: MakeClient) -> None:
    """Nothing went out: nothing to say (and nothing billed)."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(
        providers={"fake": {"api_key": "k" * 20, "base_url": f"http://127.0.0.1:{port}"}},
        retry=ONE_RETRY,
    )
    with pytest.raises(limner.ProviderConnectionError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="x")
    assert info.value.billing_note == ""


async def test_a_resend_that_ends_in_an_error_says_so_in_the_error(
    make_client: MakeClient, server: FakeServer
) -> None:
    server.reply(_hang_up, error_reply(429, "busy"))
    with pytest.raises(limner.RateLimitError) as info:
        await make_client(retry=ONE_RETRY).images.generate(model="fake/alpha-1", prompt="x")
    assert len(server.api_calls) == 2
    assert info.value.billing_note.startswith("attempt 1: the connection dropped after")


def test_a_cause_whose_words_cannot_be_read_is_not_chained() -> None:
    from limner.redaction import Scrubber

    class Bad:
        def __repr__(self) -> str:
            raise RuntimeError("repr boom")

    assert Scrubber(["sk-secret-0123456789"]).cause(ValueError(Bad())) is None


async def test_an_answer_aiohttp_cannot_read_is_not_sent_again(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A header over aiohttp's limit (a proxy's large cookie): the provider took the request
    and answered, so sending it again could pay twice; the error says what may be billed."""

    async def big_header(recorded: Recorded) -> web.StreamResponse:
        return web.json_response({"created": 1, "data": []}, headers={"x-big": "a" * 20_000})

    server.reply(big_header, big_header, big_header)
    with pytest.raises(limner.ProviderError) as caught:
        await make_client().images.generate(model="fake/alpha-1", prompt="x")
    assert len(server.api_calls) == 1
    error = caught.value
    assert not isinstance(error, limner.ProviderConnectionError) and not error.retryable
    assert error.message.startswith("the provider answered, but its answer could not be read (")
    assert error.billing_note == "the provider may have made, and may bill, what it answered"
