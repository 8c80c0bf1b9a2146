"""A client's life: its settings checked when made, one session per event loop, nothing sent
once closed, and connections that cannot be made in time retried."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import math
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiohttp import web

import limner
from limner.http import RetryPolicy
from limner.plugins import Registry

from .fakeprovider import FakePlugin
from .support import IMAGE_B64, FakeServer, client_kwargs


class _Answers(BaseHTTPRequestHandler):
    """Any POST gets one fake image (a server on its own thread, so it outlives event loops),
    on a connection kept open for the next request, as providers keep them."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        body = json.dumps({"data": [{"b64_json": IMAGE_B64}]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def threaded_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def _kwargs(url: str, **overrides: Any) -> dict[str, Any]:
    kwargs = client_kwargs(None, **overrides)
    kwargs["providers"] = {"fake": {"api_key": "k", "base_url": url}}
    return kwargs


def test_a_client_serves_the_event_loop_it_first_sent_from(threaded_url: str) -> None:
    """``asyncio.run`` twice with one client: its connections belong to the first loop, so the
    second is refused with a typed error saying what to do (not aiohttp's 'Event loop is
    closed')."""
    client = limner.AsyncClient(**_kwargs(threaded_url))

    async def one() -> int:
        return len((await client.images.generate(model="alpha", prompt="x")).data)

    first = asyncio.new_event_loop()
    try:
        assert first.run_until_complete(one()) == 1
        with pytest.raises(limner.LimnerError) as caught:
            asyncio.run(one())
        assert caught.value.code == "event_loop_mismatch"
        assert "make one client per event loop" in caught.value.message
        assert first.run_until_complete(one()) == 1  # its own loop still works
    finally:
        first.run_until_complete(client.close())
        first.close()


@pytest.mark.parametrize("then", ["reuse", "close"])
def test_a_client_whose_loop_was_closed_serves_the_next_one(
    threaded_url: str, caplog: pytest.LogCaptureFixture, then: str
) -> None:
    """A loop asyncio.run did not make, used and then closed with the client still open: the
    next loop starts afresh (the ended loop's session detached, no 'Unclosed client session'),
    as after asyncio.run; refusing would leave the client unusable for good."""
    client = limner.AsyncClient(**_kwargs(threaded_url))

    async def one() -> int:
        return len((await client.images.generate(model="alpha", prompt="x")).data)

    first = asyncio.new_event_loop()
    assert first.run_until_complete(one()) == 1
    first.close()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if then == "reuse":
            assert asyncio.run(one()) == 1
            assert asyncio.run(one()) == 1
        asyncio.run(client.close())  # (after reuse, or straight after the loop was closed)
        gc.collect()
    said = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert [line for line in said if "Unclosed" in line] == []


def test_a_client_outlives_asyncio_run_without_leaking_its_connections(
    threaded_url: str,
) -> None:
    """``asyncio.run`` closes the client's session as its loop shuts down: a later
    ``asyncio.run`` uses the client on a new session, and closing it from yet another one
    leaves no connection open (aiohttp could not close them on the ended loop)."""
    client = limner.AsyncClient(**_kwargs(threaded_url))

    async def one() -> int:
        return len((await client.images.generate(model="alpha", prompt="x")).data)

    with warnings.catch_warnings():  # what earlier tests left behind is not counted
        warnings.simplefilter("ignore")
        gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert asyncio.run(one()) == 1
        assert asyncio.run(one()) == 1
        asyncio.run(client.close())
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []


def test_a_loop_still_running_elsewhere_keeps_its_client(threaded_url: str) -> None:
    client = limner.AsyncClient(**_kwargs(threaded_url))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        first = client.images.generate(model="alpha", prompt="x")
        assert asyncio.run_coroutine_threadsafe(first, loop).result(10).data

        async def from_here() -> None:
            await client.images.generate(model="alpha", prompt="x")

        with pytest.raises(limner.LimnerError) as caught:
            asyncio.run(from_here())
        assert caught.value.code == "event_loop_mismatch"
        assert "make one client per event loop" in caught.value.message
    finally:
        asyncio.run(client.close())  # from here: the session is closed on its own loop
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


class _StallsUntilStopped(BaseHTTPRequestHandler):
    """Any POST waits until the server is told to stop: a call stays in flight."""

    def do_POST(self) -> None:
        self.server.stop.wait(10)  # type: ignore[attr-defined]

    def log_message(self, *args: Any) -> None:
        pass


def test_closing_from_another_loop_as_the_clients_loop_ends_returns() -> None:
    """A worker thread's loop (its own asyncio.run) made the client's session; the main thread
    closes the client. The worker's call fails as closed, its loop ends and cancels the
    closing it was running: close() raised that CancelledError though nobody cancelled it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StallsUntilStopped)
    server.stop = threading.Event()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    said: list[str] = []
    try:
        for _ in range(3):
            client = limner.AsyncClient(**_kwargs(url))
            sending = threading.Event()

            async def call(
                client: limner.AsyncClient = client, sending: threading.Event = sending
            ) -> None:
                sending.set()
                try:
                    await client.images.generate(model="alpha", prompt="x")
                except limner.LimnerError as error:
                    said.append(error.code or "")

            worker = threading.Thread(target=asyncio.run, args=(call(),))
            worker.start()
            assert sending.wait(10)
            time.sleep(0.2)  # the request is in flight
            asyncio.run(client.close())
            worker.join(10)
    finally:
        server.stop.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
    assert said == ["client_closed"] * 3


async def test_a_closed_async_client_sends_nothing(threaded_url: str) -> None:
    client = limner.AsyncClient(**_kwargs(threaded_url))
    await client.images.generate(model="alpha", prompt="x")
    await client.close()
    with pytest.raises(limner.LimnerError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert caught.value.code == "client_closed"


def test_a_closed_sync_client_says_so(threaded_url: str, recwarn: pytest.WarningsRecorder) -> None:
    client = limner.Client(**_kwargs(threaded_url))
    assert client.images.generate(model="alpha", prompt="x").data
    client.close()
    client.close()  # twice is fine
    for dry_run in (False, True):
        with pytest.raises(limner.LimnerError) as caught:
            client.images.generate(model="alpha", prompt="x", dry_run=dry_run)
        assert caught.value.code == "client_closed"
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_a_sync_client_made_before_a_fork_works_in_the_child(threaded_url: str) -> None:
    """A module-level client in a prefork server (gunicorn --preload, Celery, a multiprocessing
    Pool on Linux) refused every call in the children (``client_forked``): each now runs its
    own loop, and makes its own connections; the parent's client goes on working."""
    client = limner.Client(**_kwargs(threaded_url))
    try:
        assert client.images.generate(model="alpha", prompt="x").data

        def in_the_child() -> None:
            assert client.images.generate(model="alpha", prompt="x").data
            assert client.images.generate(model="alpha", prompt="y", n=2).data
            client.close()

        assert _in_a_forked_child(in_the_child) == 0
        assert client.images.generate(model="alpha", prompt="x").data
    finally:
        client.close()


def test_a_sync_client_never_used_starts_no_thread(threaded_url: str) -> None:
    """Its thread made a later fork warn (Python 3.12: "This process is multi-threaded")."""
    client = limner.Client(**_kwargs(threaded_url))
    assert client._runner._thread is None
    assert client.images.generate(model="alpha", prompt="x", dry_run=True).requests
    assert client._runner._thread is not None and client._runner._thread.is_alive()
    client.close()
    assert not client._runner._thread.is_alive()
    unused = limner.Client(**_kwargs(threaded_url))
    unused.close()  # never started: closes at once
    assert unused._runner._thread is None


def _in_a_forked_child(run: Any) -> int:
    """The exit status of a child forked here that calls ``run()`` (0: it returned)."""
    import multiprocessing
    import os

    def child() -> None:
        try:
            run()
        except BaseException:
            os._exit(3)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(30)
    if process.is_alive():
        process.kill()
        return -1
    assert process.exitcode is not None
    return process.exitcode


def test_a_sync_client_closes_at_once_in_a_forked_child(threaded_url: str) -> None:
    """Closing (or leaving a ``with`` block) in the child waited forever for a loop that no
    thread runs there; the parent's client goes on working."""
    client = limner.Client(**_kwargs(threaded_url))
    try:
        assert client.images.generate(model="alpha", prompt="x").data
        assert _in_a_forked_child(client.close) == 0
        assert client.images.generate(model="alpha", prompt="x").data
    finally:
        client.close()


async def test_an_async_client_starts_afresh_in_a_forked_child(threaded_url: str) -> None:
    """Forked while its loop runs (a process pool started from async code): the child makes
    its own connections and closes them, leaving the parent's, which it shares, alone, also
    when it ends (the parent's next call goes out on a kept connection, and hears its answer)."""
    client = limner.AsyncClient(**_kwargs(threaded_url))
    try:
        assert (await client.images.generate(model="alpha", prompt="x")).data

        inherited = client._transport.connections._session
        assert inherited is not None and inherited.connector is not None

        async def in_the_child() -> None:
            # as the child's interpreter ends, used or not: the parent's connector is finalized,
            # and must not take the parent's connections out of the selector they share
            inherited.connector.__del__()  # type: ignore[union-attr]
            assert (await client.images.generate(model="alpha", prompt="x")).data
            await client.close()

        loop = asyncio.get_running_loop()
        forked = loop.run_in_executor(None, _in_a_forked_child, lambda: asyncio.run(in_the_child()))
        assert await forked == 0
        assert (await client.images.generate(model="alpha", prompt="x")).data
    finally:
        await client.close()


class _Stalls(BaseHTTPRequestHandler):
    """Reads the request, then answers nothing for a long while."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        time.sleep(3)

    def log_message(self, *args: Any) -> None:
        pass


def test_closing_a_sync_client_ends_the_calls_other_threads_are_waiting_on() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stalls)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = limner.Client(**_kwargs(f"http://127.0.0.1:{server.server_address[1]}/v1"))
    outcome: list[str] = []

    def call() -> None:
        try:
            client.images.generate(model="alpha", prompt="x")
            outcome.append("answered")
        except limner.LimnerError as error:
            outcome.append(error.code or "")

    waiting = threading.Thread(target=call)
    waiting.start()
    time.sleep(0.3)  # the call is in flight
    client.close()
    waiting.join(5)
    assert not waiting.is_alive() and outcome == ["client_closed"]
    server.shutdown()
    server.server_close()


class _FirstAnswers(_Stalls):
    """The first POST gets two images at once; the later ones stall, as :class:`_Stalls`."""

    answered = 0

    def do_POST(self) -> None:
        if type(self).answered:
            return super().do_POST()
        type(self).answered += 1
        body = json.dumps({"data": [{"b64_json": IMAGE_B64}] * 2}).encode()
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_closing_a_sync_client_keeps_the_images_a_split_call_had_made() -> None:
    """As an AsyncClient's closing does: the call that answered keeps its (billed) images and
    the one still out is a failed call, possibly billed; cancelling would lose both."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FirstAnswers)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = limner.Client(**_kwargs(f"http://127.0.0.1:{server.server_address[1]}/v1"))
    outcome: list[limner.ImagesResponse | limner.LimnerError] = []

    def call() -> None:
        try:
            outcome.append(client.images.generate(model="alpha", prompt="x", n=4))
        except limner.LimnerError as error:
            outcome.append(error)

    waiting = threading.Thread(target=call)
    waiting.start()
    time.sleep(0.5)  # the first call answered, the second is in flight
    client.close()
    waiting.join(5)
    assert not waiting.is_alive()
    (response,) = outcome
    assert isinstance(response, limner.ImagesResponse), response
    assert len(response.data) == 2
    (failed,) = response.failures
    assert failed.code == "client_closed" and failed.submitted is True
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("timeout", 0),
        ("timeout", float("inf")),
        ("connect_timeout", -1.0),
        ("max_retries", -1),
        ("max_download_bytes", -5),
        ("timeout", None),  # the OpenAI SDK's "no timeout"
        ("timeout", "30"),
        ("timeout", True),
        ("max_retries", 2.5),
    ],
)
def test_client_settings_that_would_mean_something_else_are_refused(
    setting: str, value: float
) -> None:
    settings: dict[str, Any] = {setting: value}
    with pytest.raises(limner.InvalidRequestError) as caught:
        limner.AsyncClient(**settings)
    assert caught.value.param == setting


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("initial_delay", math.inf),  # would wait forever between attempts
        ("max_delay", math.nan),
        ("max_retry_after", -1.0),
        ("max_delay", "5"),
        ("max_retries", -1),
        ("max_retries", 1.5),
    ],
)
def test_a_retry_policy_that_would_hang_or_mean_nothing_is_refused(
    setting: str, value: object
) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        RetryPolicy(**{setting: value})  # type: ignore[arg-type]
    assert caught.value.param == f"retry.{setting}"
    assert RetryPolicy(max_retries=0, initial_delay=0, max_delay=0).max_retries == 0


def test_one_plugin_name_given_as_a_string_is_one_name() -> None:
    """``disable_plugins="openai"`` is not the letters o, p, e, n, a, i."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "no installed plugin is called 'o'"
        client = limner.AsyncClient(disable_plugins="openai", environ={})
        registry = Registry(disable_plugins="openai")
    assert "openai" not in client.registry.providers
    assert "openai" not in registry.providers
    assert client.registry.manager.is_blocked("openai")


def test_retry_and_max_retries_together_are_refused() -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        limner.AsyncClient(retry=RetryPolicy(max_retries=1), max_retries=5)
    assert caught.value.param == "max_retries"


def test_a_misspelled_provider_in_providers_is_refused(recwarn: pytest.WarningsRecorder) -> None:
    """Ignored, the typo would send the provider's environment key to its real endpoint."""
    client = limner.Client(
        plugins=[FakePlugin()], providers={"fak": {"base_url": "http://proxy/v1"}}, environ={}
    )
    with client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(model="fake/alpha-1", prompt="x", dry_run=True)
    assert caught.value.param == "providers.fak"
    assert "no provider is called 'fak'" in caught.value.message
    assert "did you mean 'fake'?" in caught.value.message


def test_secret_values_refuse_a_misspelled_provider_rather_than_list_none() -> None:
    """The gateway scrubs its errors with this list: an empty one would be a quiet leak."""
    client = limner.AsyncClient(
        plugins=[FakePlugin()],
        providers={"fake": {"api_key": "sk-fake-0123456789"}, "stabilty": {"api_key": "x"}},
        environ={},
    )
    with pytest.raises(limner.InvalidRequestError) as caught:
        client.secret_values()
    assert caught.value.param == "providers.stabilty"


def test_a_base_url_without_a_scheme_is_refused() -> None:
    client = limner.Client(**_kwargs("127.0.0.1:8080/v1"))
    with client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(model="alpha", prompt="x", dry_run=True)
    assert caught.value.param == "providers.fake.base_url"
    assert "is not an http(s) URL" in caught.value.message


def _full_backlog() -> tuple[int, list[socket.socket]]:
    """A port whose listener's backlog is full: connecting to it hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    sockets = [listener]
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        sockets.append(filler)
    time.sleep(0.1)
    return port, sockets


async def test_a_connection_not_made_in_time_is_retried_as_a_connection_error() -> None:
    """A listener whose backlog is full drops new connections' SYNs: connecting hangs."""
    port, sockets = _full_backlog()
    client = limner.AsyncClient(
        **_kwargs(f"http://127.0.0.1:{port}/v1", connect_timeout=0.2, timeout=30.0)
    )
    try:
        with pytest.raises(limner.ProviderConnectionError) as caught:
            await client.images.generate(model="alpha", prompt="x")
    finally:
        await client.close()
        for sock in sockets:
            sock.close()
    assert caught.value.message == f"could not connect to 127.0.0.1:{port} within 0.2 s"
    assert caught.value.retryable is True


async def test_a_timeout_that_runs_out_while_connecting_is_retried_without_a_billing_note(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``timeout`` shorter than ``connect_timeout``: the time ran out before the request had a
    connection, so it never left. Not "the provider may have taken it": retried."""
    port, sockets = _full_backlog()
    client = limner.AsyncClient(
        **_kwargs(
            f"http://127.0.0.1:{port}/v1",
            connect_timeout=30.0,
            timeout=0.3,
            retry=RetryPolicy(max_retries=1, initial_delay=0.001),
        )
    )
    try:
        with caplog.at_level("DEBUG", "limner.http"), pytest.raises(Exception) as caught:
            await client.images.generate(model="alpha", prompt="x")
    finally:
        await client.close()
        for sock in sockets:
            sock.close()
    error = caught.value
    assert isinstance(error, limner.ProviderConnectionError), repr(error)
    assert error.message == (
        f"no connection to 127.0.0.1:{port} within 0.3 s; the request was not sent"
    )
    assert (error.retryable, error.submitted, error.billing_note) == (True, False, "")
    assert error.status_code is None
    attempts = [r for r in caplog.records if "failed (attempt" in r.getMessage()]
    assert len(attempts) == 2


async def test_closing_the_client_ends_a_call_still_connecting_at_once() -> None:
    """It ended only at ``connect_timeout``: aiohttp's closing leaves a connection being made
    (a SYN unanswered, a TLS handshake, a proxy) to run into its timeout."""
    port, sockets = _full_backlog()
    client = limner.AsyncClient(**_kwargs(f"http://127.0.0.1:{port}/v1", connect_timeout=30.0))
    call = asyncio.create_task(client.images.generate(model="alpha", prompt="x"))
    try:
        await asyncio.sleep(0.2)  # connecting
        started = time.monotonic()
        await client.close()
        with pytest.raises(limner.LimnerError) as caught:
            await call
        took = time.monotonic() - started
    finally:
        call.cancel()
        for sock in sockets:
            sock.close()
    assert took < 1
    assert caught.value.code == "client_closed"
    assert "nothing more was sent" in caught.value.message
    assert caught.value.billing_note == ""


async def test_closing_the_client_while_a_result_link_connects_keeps_the_paid_result(
    server: FakeServer,
) -> None:
    """The link's download was cut as the call's own connection is, but the download did not
    tell the cut from a cancellation: the paid result was lost as a bare CancelledError."""
    port, sockets = _full_backlog()
    link = f"http://127.0.0.1:{port}/img.png"
    server.reply(web.json_response({"data": [{"url": link}]}))
    client = limner.AsyncClient(**client_kwargs(server, connect_timeout=30.0))
    call = asyncio.create_task(
        client.images.generate(model="fake/alpha-1", prompt="x", response_format="b64_json")
    )
    try:
        while not server.requests:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the link's download is connecting
        started = time.monotonic()
        await client.close()
        result = await asyncio.wait_for(call, 5)
        took = time.monotonic() - started
    finally:
        call.cancel()
        for sock in sockets:
            sock.close()
    assert took < 1 and not call.cancelled()
    assert [item.url for item in result.data] == [link]  # the link kept, as on any failure
    (kept,) = [a for a in result.adjustments if a.param == "response_format"]
    assert kept.applied == "url" and "the client was closed" in kept.reason


async def test_a_call_cancelled_while_connecting_is_cancelled_even_as_the_client_closes() -> None:
    """Closing tells its own cut from the call's cancellation: the caller's stays a
    cancellation (a TaskGroup or a timeout around the call relies on it)."""
    port, sockets = _full_backlog()
    client = limner.AsyncClient(**_kwargs(f"http://127.0.0.1:{port}/v1", connect_timeout=30.0))
    call = asyncio.create_task(client.images.generate(model="alpha", prompt="x"))
    try:
        await asyncio.sleep(0.2)
        call.cancel()
        await client.close()
        with pytest.raises(asyncio.CancelledError):
            await call
    finally:
        for sock in sockets:
            sock.close()
    assert call.cancelled()


async def test_a_call_waiting_for_a_free_connection_was_not_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every connection busy (one, here): the call that waited out its time for one never left;
    the one whose request went out, unanswered, may have been taken."""
    monkeypatch.setattr(limner.connections, "MAX_CONNECTIONS", 1)
    received: list[bytes] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(65536))
        await asyncio.sleep(30)  # never answers

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = limner.AsyncClient(
        **_kwargs(f"http://127.0.0.1:{port}/v1", retry=RetryPolicy(max_retries=0))
    )
    try:
        slow = asyncio.create_task(
            client.with_options(timeout=1.0).images.generate(model="alpha", prompt="x")
        )
        await asyncio.sleep(0.1)  # it holds the one connection
        with pytest.raises(limner.ProviderConnectionError) as waited:
            await client.with_options(timeout=0.3).images.generate(model="alpha", prompt="x")
        with pytest.raises(limner.RequestTimeoutError) as sent:
            await slow
    finally:
        await client.close()
        server.close()
    assert waited.value.message.endswith("within 0.3 s; the request was not sent")
    assert waited.value.billing_note == ""
    assert sent.value.billing_note == (
        "the provider may have taken the request, and may still bill it"
    )
    assert len(received) == 1 and received[0].startswith(b"POST ")


def test_a_sync_client_dropped_unclosed_frees_its_thread() -> None:
    """Clients made per request and never closed (harmless with the OpenAI SDK) must not leave
    a thread, an event loop and a session behind each."""

    def limner_threads() -> int:
        return sum(thread.name == "limner" for thread in threading.enumerate())

    before = limner_threads()
    for _ in range(3):
        client = limner.Client(environ={})
        client.images.generate(model="openai/gpt-image-1.5", prompt="x", dry_run=True)
        del client
    gc.collect()
    deadline = time.monotonic() + 5  # the loops stop soon after, not at once
    while limner_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert limner_threads() == before


def test_a_sync_client_dropped_after_a_call_closes_its_session(
    threaded_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The dropped client's session is closed on its loop before the loop stops: aiohttp
    reports no unclosed session or connector (an asyncio error log and a ResourceWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = limner.Client(**client_kwargs(threaded_server))
        client.images.generate(model="alpha", prompt="x")
        thread = client._runner._thread
        assert thread is not None  # (started by the first call)
        del client
        gc.collect()
        thread.join(5)
        assert not thread.is_alive()
        gc.collect()  # the session object itself goes now
    assert len(threaded_server.api_calls) == 1
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []
    assert not [r for r in caplog.records if "Unclosed" in r.getMessage()]


def test_a_sync_clients_images_keep_it_open() -> None:
    """The client object may be gone while its images (or chat) are still used."""
    images = limner.Client(environ={}).images
    gc.collect()
    plan = images.generate(model="openai/gpt-image-1.5", prompt="x", dry_run=True)
    assert plan.model == "openai/gpt-image-1.5"
    assert (
        limner.Client(environ={})
        .images.generate(model="openai/gpt-image-1.5", prompt="x", dry_run=True)
        .requests
    )


def test_a_sync_client_collected_on_its_own_loop_thread_does_not_hang() -> None:
    """A collection may run the clean-up on the loop's own thread: it must not wait there."""
    done = threading.Event()

    class Holder:
        pass

    def in_a_cycle() -> None:
        holder = Holder()
        holder.me = holder  # type: ignore[attr-defined]
        holder.client = limner.Client(environ={})  # type: ignore[attr-defined]
        holder.client.images.generate(  # type: ignore[attr-defined]  # (its thread started)
            model="openai/gpt-image-1.5", prompt="x", dry_run=True
        )
        holder.client._runner.loop.call_soon_threadsafe(gc.collect)  # type: ignore[attr-defined]
        del holder

    in_a_cycle()
    gc.collect()  # may run here instead: either way nothing may block

    def collect() -> None:
        gc.collect()
        done.set()

    worker = threading.Thread(target=collect)
    worker.start()
    worker.join(10)
    assert done.is_set()


def test_the_sync_client_takes_the_async_clients_arguments_by_name() -> None:
    sync = set(inspect.signature(limner.Client).parameters)
    asynchronous = set(inspect.signature(limner.AsyncClient).parameters)
    assert sync == asynchronous - {"session"}  # a session belongs to another event loop
    with pytest.raises(TypeError):
        limner.Client(timout=5)  # type: ignore[call-arg]


def test_the_sync_methods_document_themselves_as_the_async_ones_do() -> None:
    from limner.chat.client import AsyncCompletions, Completions
    from limner.client import AsyncImages
    from limner.sync_client import Images

    for name in ("generate", "edit", "create_variation"):
        assert getattr(Images, name).__doc__ == getattr(AsyncImages, name).__doc__
    assert Completions.create.__doc__ == AsyncCompletions.create.__doc__
    assert "tuples" in (Images.edit.__doc__ or "")


async def test_a_session_passed_in_and_closed_is_an_error_not_silently_replaced(
    server: FakeServer,
) -> None:
    """A closed session the caller passed in was replaced by a default one, dropping its
    settings (trace configs, proxy, TLS context) without a word: the call is refused."""
    import aiohttp

    traced: list[str] = []

    async def on_start(*args: Any) -> None:
        traced.append("sent")

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    session = aiohttp.ClientSession(trace_configs=[trace])
    async with limner.AsyncClient(**client_kwargs(server, session=session)) as client:
        await client.images.generate(model="fake/alpha-1", prompt="x")
        await session.close()
        with pytest.raises(limner.LimnerError) as info:
            await client.images.generate(model="fake/alpha-1", prompt="x")
    assert info.value.code == "session_closed"
    assert traced == ["sent"] and len(server.api_calls) == 1


def test_a_session_passed_in_from_another_event_loop_is_a_typed_error(threaded_url: str) -> None:
    """Not aiohttp's "Timeout context manager should be used inside a task", which names
    neither the session nor what to do."""
    import aiohttp

    async def make() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    other = asyncio.new_event_loop()
    session = other.run_until_complete(make())
    client = limner.AsyncClient(**_kwargs(threaded_url, session=session))

    async def one() -> None:
        await client.images.generate(model="alpha", prompt="x")

    try:
        with pytest.raises(limner.LimnerError) as caught:
            asyncio.run(one())
        assert caught.value.code == "event_loop_mismatch"
        assert "make the session inside the event loop that uses the client" in str(caught.value)
    finally:
        other.run_until_complete(session.close())
        other.close()


@pytest.mark.parametrize("name", ["api_key", "base_url"])
@pytest.mark.parametrize("make", [limner.AsyncClient, limner.Client])
def test_the_openai_sdks_client_arguments_point_to_providers(name: str, make: Any) -> None:
    """A client migrated from the openai SDK passes ``api_key=`` first: the error says where
    limner's settings go, without quoting the value; ``None`` (an unset variable) passes."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        make(environ={}, **{name: "sk-secret-value-0123456789"})
    assert caught.value.param == name
    assert f"providers={{'<provider>': {{{name!r}: ...}}}}" in str(caught.value)
    assert "sk-secret" not in str(caught.value)
    made = make(environ={}, **{name: None})
    assert isinstance(made, limner.AsyncClient | limner.Client)  # (nothing opened: no close)


def test_a_sync_client_closed_or_called_on_its_own_thread_does_not_hang(threaded_url: str) -> None:
    """A ``__del__`` that closes the client, run by a collection on the client's thread (or a
    plugin's hook that calls it): its wait for its own thread stopped the loop for good, and
    calls in flight hung past their timeout."""
    client = limner.Client(**_kwargs(threaded_url))
    assert client.images.generate(model="alpha", prompt="x").data
    said: list[str] = []
    done = threading.Event()

    def on_its_thread() -> None:
        try:
            client.images.generate(model="alpha", prompt="x", dry_run=True)
        except limner.LimnerError as error:
            said.append(error.code or "")
        client.close()
        done.set()

    loop = client._runner.loop
    assert loop is not None  # (started by the first call)
    loop.call_soon_threadsafe(on_its_thread)
    assert done.wait(5)
    assert said == ["client_reentered"]
    thread = client._runner._thread
    assert thread is not None
    thread.join(5)
    assert not thread.is_alive()  # the loop stopped, its session closed
    with pytest.raises(limner.LimnerError) as caught:
        client.images.generate(model="alpha", prompt="x")
    assert caught.value.code == "client_closed"
