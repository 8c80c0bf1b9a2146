"""A lost connection is retried, as the issue and the OpenAI SDKs do; when it was lost after the
request went out, the provider may have taken it, so the answer says the call was sent again."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from aiohttp import web

import limner
from limner.responses import RESENT

from .fakeprovider import API_KEY
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


async def test_a_split_call_resent_is_named(make_client: MakeClient, server: FakeServer) -> None:
    """As in an error's billing note: the warning said "attempt 1" of no call in particular."""
    server.reply(_hang_up)
    result = await make_client().images.generate(model="fake/alpha-1", prompt="x", n=4)
    assert len(result.data) == 4 and len(server.api_calls) == 3
    (note,) = [w.message for w in result.warnings if w.code == RESENT]
    assert note.startswith(("call 1 of 2: attempt 1: ", "call 2 of 2: attempt 1: "))
    assert note.endswith(
        "the connection dropped after the request went out: the provider may "
        "have taken it, and may bill the images it makes; limner sent it again"
    )


@pytest.mark.parametrize(("status", "what"), [(524, "a proxy"), (504, "a gateway")])
async def test_a_post_resent_after_a_timed_out_front_says_so(
    make_client: MakeClient, server: FakeServer, status: int, what: str
) -> None:
    """A CDN's 524, a gateway's 504: the provider had the request and may still make (and
    bill) its images."""
    server.reply(error_reply(status), error_reply(502))
    result = await make_client().images.generate(model="fake/alpha-1", prompt="x")
    assert len(result.data) == 1 and len(server.api_calls) == 3
    assert [w.message for w in result.warnings if w.code == RESENT] == [
        f"attempt 1: HTTP {status} ({what} in front of the provider stopped waiting for its "
        "answer): the provider may have taken it, and may bill the images it makes; limner "
        "sent it again"
    ]  # (the 502 after it is retried without a word)


@pytest.mark.parametrize(("status", "what"), [(524, "a proxy"), (504, "a gateway")])
async def test_a_timed_out_front_that_ends_the_call_says_it_may_be_billed(
    make_client: MakeClient, server: FakeServer, status: int, what: str
) -> None:
    """With no retry left (or none allowed: a gateway's default), the last 504 or 524 says what
    a resend would have said, so whoever sends it again (an SDK behind the gateway) knows."""
    server.reply(error_reply(status), error_reply(status))
    with pytest.raises(limner.ProviderError) as info:
        await make_client(retry=ONE_RETRY).images.generate(model="fake/alpha-1", prompt="x")
    taken = (
        f"HTTP {status} ({what} in front of the provider stopped waiting for its answer): the "
        "provider may have taken it, and may bill the images it makes"
    )
    assert info.value.billing_note == f"attempt 1: {taken}; limner sent it again; {taken}"
    assert str(info.value).endswith(f"; {taken}")


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
    host = server.url.removeprefix("http://")  # and the message says it, not "could not reach"
    assert str(info.value) == (
        f"lost the connection to {host} (ServerDisconnectedError: Server disconnected); if it "
        f"happens every time, check the provider's base URL if one is set; {dropped}"
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


async def test_a_port_that_speaks_no_http_could_not_be_reached(make_client: MakeClient) -> None:
    """A base URL naming another service's port (TLS, SSH): its first line is no status line,
    so nothing answered; said as the base URL to check, and retried as a connection is."""

    async def banner(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await writer.drain()
        writer.close()

    listening = await asyncio.start_server(banner, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        base = f"http://127.0.0.1:{port}/v1"
        client = make_client(providers={"fake": {"api_key": API_KEY, "base_url": base}})
        with pytest.raises(limner.ProviderConnectionError) as caught:
            await client.images.generate(model="fake/alpha-1", prompt="x")
    finally:
        listening.close()
        await listening.wait_closed()
    assert caught.value.retryable
    assert caught.value.message.startswith(f"could not reach 127.0.0.1:{port}: ")
    assert caught.value.message.endswith(
        "check the network, and the provider's base URL if one is set"
    )


async def test_a_bug_under_the_transport_keeps_its_frames_locals(
    make_client: MakeClient, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a cancellation's frames lose their locals (they held the request's headers):
    a bug's traceback keeps what debugging it needs."""

    async def buggy(*args: object) -> None:
        clue = "kept"
        raise KeyError(clue)

    monkeypatch.setattr(limner.http, "read_answer", buggy)
    with pytest.raises(KeyError) as caught:
        await make_client().images.generate(model="fake/alpha-1", prompt="x")
    frames = []
    tb = caught.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    assert [frame.f_locals.get("clue") for frame in frames if frame.f_code.co_name == "buggy"] == [
        "kept"
    ]


async def test_an_answer_without_images_after_a_resend_says_the_resend(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The answer's resent warning was lost when no image came: the error said nothing of the
    first submission, which may be billed too."""
    server.reply(_hang_up, web.json_response({"created": 1, "data": []}))
    with pytest.raises(limner.NoImageGeneratedError) as caught:
        await make_client().images.generate(model="fake/alpha-1", prompt="x")
    assert len(server.api_calls) == 2
    assert caught.value.billing_note == (
        "attempt 1: the connection dropped after the request went out: the provider may have "
        "taken it, and may bill the images it makes; limner sent it again"
    )
    assert caught.value.message.endswith(caught.value.billing_note)


def test_a_failed_calls_notice_says_what_its_billing_note_says() -> None:
    """A split request's failed call is a notice quoting its error; a resend was said only in
    the error's billing note, and was lost."""
    from limner.outcomes import failed_call_notice

    error = limner.RequestTimeoutError(
        "call 1 of 2 (1 image(s)) failed: no answer within 0.3 s; the provider may have taken "
        "the request, and may still bill it"
    )
    error.billing_note = (
        "attempt 1: the connection dropped; limner sent it again; the provider may have taken "
        "the request, and may still bill it"
    )
    assert failed_call_notice(error).message == (
        f"{error.message}; attempt 1: the connection dropped; limner sent it again"
    )


async def test_closing_the_client_ends_a_call_reading_its_answer(
    make_client: MakeClient, server: FakeServer
) -> None:
    """aiohttp's closing of its connections left a read of a body already begun waiting until
    the call's timeout (ten minutes by default); the call ends now, as taken (it may be billed)."""
    server.reply(server.stall_mid_body)
    client = make_client(timeout=60.0)
    call = asyncio.create_task(client.images.generate(model="fake/alpha-1", prompt="x"))
    while not server.api_calls:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # the status and the body's first bytes are in
    await client.close()
    with pytest.raises(limner.LimnerError) as caught:
        await asyncio.wait_for(call, 5)
    assert caught.value.code == "client_closed"
    assert caught.value.submitted
    assert caught.value.billing_note == "the provider may have taken the request, and bill it"


async def test_closing_the_client_ends_a_call_waiting_for_a_free_connection(
    make_client: MakeClient, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the connector cancels aiohttp's wait for a pooled connection: the call ends as
    ``client_closed``, not with a bare CancelledError that ``except Exception`` misses (and a
    TaskGroup drops without a word)."""
    monkeypatch.setattr("limner.connections.MAX_CONNECTIONS", 1)
    server.reply(server.stall)
    client = make_client(timeout=60.0)
    first = asyncio.create_task(client.images.generate(model="fake/alpha-1", prompt="x"))
    waiting = asyncio.create_task(client.images.generate(model="fake/alpha-1", prompt="y"))
    while not server.api_calls:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)
    await client.close()
    outcomes = await asyncio.wait_for(asyncio.gather(first, waiting, return_exceptions=True), 5)
    assert [getattr(o, "code", o) for o in outcomes] == ["client_closed", "client_closed"]
    assert [o.submitted for o in outcomes] == [True, False]  # type: ignore[union-attr]
    assert str(outcomes[1]) == (
        "the client was closed while this call waited (for a connection, a retry or a job's "
        "next poll); nothing more was sent for it"
    )
    assert len(server.api_calls) == 1


async def test_each_calls_resend_is_named_when_no_call_made_an_image(
    make_client: MakeClient, server: FakeServer
) -> None:
    empty = web.json_response({"created": 1, "data": []})
    server.reply(_hang_up, _hang_up, empty, web.json_response({"created": 1, "data": []}))
    with pytest.raises(limner.NoImageGeneratedError) as caught:
        await make_client().images.generate(model="fake/alpha-1", prompt="x", n=3)
    assert len(server.api_calls) == 4
    resent = (
        "the provider may have taken it, and may bill the images it makes; limner sent it again"
    )
    assert caught.value.billing_note == (
        f"call 1 of 2: attempt 1: the connection dropped after the request went out: {resent}; "
        f"call 2 of 2: attempt 1: the connection dropped after the request went out: {resent}"
    )


async def test_calls_that_may_bill_alike_are_said_together(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Every call of a split request dropped after it went out: what they may bill was said
    once per call, the same words each time (ten times for ten calls)."""
    server.reply(_hang_up, _hang_up, _hang_up)
    no_retry = dataclasses.replace(FAST_RETRY, max_retries=0)
    with pytest.raises(limner.ProviderConnectionError) as caught:
        await make_client(retry=no_retry).images.generate(model="fake/alpha-1", prompt="x", n=5)
    dropped = (
        "the connection dropped after the request went out: the provider may have taken it, "
        "and may bill the images it makes"
    )
    assert caught.value.billing_note == (
        f"{dropped}; call 2 of 3 (2 image(s)), call 3 of 3 (1 image(s)): {dropped}"
    )
    said = str(caught.value)
    assert said.endswith(f"; call 2 of 3 (2 image(s)), call 3 of 3 (1 image(s)): {dropped}")
    assert said.count(dropped) == 2  # the first call's, and the others' together


def test_a_read_on_a_loop_closed_without_ending_it_is_let_go() -> None:
    """An embedder's loop closed with its tasks pending: the read's entry held the body, its
    task and the loop for the life of the client."""
    from limner.lifetime import Pauses

    pauses = Pauses()
    loop = asyncio.new_event_loop()

    async def reading() -> None:
        pauses.start_reading(object())  # type: ignore[arg-type]

    loop.run_until_complete(reading())
    loop.close()
    asyncio.run(reading())  # a later call, on another loop
    assert len(pauses._reading) == 1
    pauses.end()  # (that loop is closed now too)
    assert pauses._reading == {}
