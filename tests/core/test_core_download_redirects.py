"""Downloads follow redirects, each hop checked as the first URL is (https only, public
addresses only, pinned to the address checked), and try again what may pass: a 503, a lost
connection. Result links and input images both download this way."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import limner
from limner import download as download_module
from limner.download import MAX_REDIRECTS, DownloadPolicy, download
from limner.http import RetryPolicy, pin_url
from limner.lifetime import Pauses

from .support import IMAGE, FakeServer, MakeClient, Recorded, ok_body

OPEN = DownloadPolicy(allow_private_networks=True)
RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.01)


def moved(location: str, status: int = 302) -> web.Response:
    return web.Response(status=status, headers={"Location": location})


def image() -> web.Response:
    return web.Response(body=IMAGE, content_type="image/png")


async def _download(url: str, policy: DownloadPolicy = OPEN, **options: Any) -> bytes:
    async with aiohttp.ClientSession() as session:
        return await download(session, url, policy, param="images[0]", **options)


def _paths(server: FakeServer) -> list[str]:
    return [r.path for r in server.requests]


# ---- redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_followed(server: FakeServer, status: int) -> None:
    server.reply(moved(f"{server.url}/files/a.png", status))
    assert await _download(f"{server.url}/result/1") == server.files["/files/a.png"]
    assert _paths(server) == ["/result/1", "/files/a.png"]


@pytest.mark.parametrize(
    ("location", "reached"),
    [
        ("/files/a.png", "/files/a.png"),
        ("a.png", "/files/a.png"),
        ("../files/a.png", "/files/a.png"),
    ],
)
async def test_a_relative_location_is_joined_to_the_url_redirected(
    server: FakeServer, location: str, reached: str
) -> None:
    server.reply(moved(location))
    assert await _download(f"{server.url}/files/result") == server.files[reached]
    assert _paths(server) == ["/files/result", reached]


async def test_a_result_link_redirected_to_storage_is_delivered_as_bytes(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """A provider's result URL answering 302 to a signed storage link: the image is delivered,
    no adjustment says the link was kept."""
    server.reply(
        web.json_response(ok_body(1, url=f"{server.url}/result/1")),
        moved(f"{server.url}/files/a.png?signature=s3cret"),
    )
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert result.data[0].url is None
    assert base64.b64decode(result.data[0].b64_json or "") == server.files["/files/a.png"]
    assert result.adjustments == []
    assert _paths(server)[-2:] == ["/result/1", "/files/a.png"]


async def test_too_many_redirects_are_refused(server: FakeServer) -> None:
    server.reply(*(moved(f"/hop/{i + 1}") for i in range(MAX_REDIRECTS + 1)))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/hop/0", retry=RETRY)
    assert info.value.param == "images[0]" and info.value.code == "download_failed"
    assert info.value.message == (
        f"images[0]: {server.url}/hop/0 redirected more than {MAX_REDIRECTS} times (the last to "
        f"{server.url}/hop/{MAX_REDIRECTS + 1}); limner follows {MAX_REDIRECTS} at most"
    )
    assert _paths(server) == [f"/hop/{i}" for i in range(MAX_REDIRECTS + 1)]  # not retried


async def test_redirects_in_a_loop_are_refused(server: FakeServer) -> None:
    server.reply(moved("/b"), moved("/a?token=s3cret"))
    with pytest.raises(limner.ProviderError) as info:
        async with aiohttp.ClientSession() as session:
            await download(
                session,
                f"{server.url}/a?token=s3cret",
                OPEN,
                param="data[0].url",
                provider_url=True,
            )
    assert info.value.code == "download_failed" and info.value.param == "data[0].url"
    assert "loop" in info.value.message
    assert _paths(server) == ["/a", "/b"]


async def test_a_redirect_without_a_location_is_refused(server: FakeServer) -> None:
    server.reply(web.Response(status=302))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/result/1")
    assert info.value.message == (
        f"images[0]: {server.url}/result/1 answered a redirect without a Location"
    )


async def test_a_hop_that_fails_names_the_hop_without_its_query(server: FakeServer) -> None:
    """A storage link's query may hold its signature: messages show the hop without it."""
    server.reply(moved("/storage/a.png?X-Signature=s3cret"), web.Response(status=404))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/result/1")
    assert info.value.message == (
        f"images[0]: {server.url}/result/1 redirected to {server.url}/storage/a.png, which "
        "answered HTTP 404"
    )
    assert "s3cret" not in str(info.value)


async def test_a_redirect_to_a_url_with_credentials_is_refused(server: FakeServer) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    server.reply(moved(f"http://user:hunter2@127.0.0.1:{port}/files/a.png"))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/result/1")
    assert info.value.code == "invalid_url"
    assert info.value.message.startswith(
        f"images[0]: {server.url}/result/1 redirected to {server.url}/files/a.png; the URL "
        "carries credentials"
    )
    assert "hunter2" not in str(info.value)
    assert _paths(server) == ["/result/1"]


def _first_url_checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let the first URL (``http://images.example:<port>/...``, a name that does not exist)
    pass as if it resolved to a public address, which is this loopback server's; every later
    hop meets the real check. Returns the URLs checked."""
    checked: list[str] = []
    real = download_module._check_url

    async def first_passes(url: str, policy: DownloadPolicy, **kwargs: Any) -> str | None:
        checked.append(url)
        if len(checked) == 1:
            return "127.0.0.1"
        return await real(url, policy, **kwargs)

    def plain_http(url: str, address: str) -> tuple[str, dict[str, Any]]:
        target, extra = pin_url(url, address)
        extra.pop("server_hostname")  # the loopback server speaks plain http
        return target, extra

    monkeypatch.setattr(download_module, "_check_url", first_passes)
    monkeypatch.setattr(download_module, "pin_url", plain_http)
    return checked


async def test_a_redirect_to_plain_http_is_refused_at_that_hop(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    checked = _first_url_checked(monkeypatch)
    server.reply(moved(f"http://cdn.example:{port}/files/a.png?sig=s3cret"))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"http://images.example:{port}/result/1", DownloadPolicy(), retry=RETRY)
    assert info.value.code == "invalid_url"
    assert info.value.message == (
        f"images[0]: http://images.example:{port}/result/1 redirected to "
        f"http://cdn.example:{port}/files/a.png; only https URLs can be downloaded"
    )
    assert len(checked) == 2
    assert _paths(server) == ["/result/1"]  # the hop refused before any connection


async def test_a_redirect_to_a_private_address_is_refused_at_that_hop(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    _first_url_checked(monkeypatch)
    server.reply(moved(f"https://169.254.169.254:{port}/latest/meta-data"))
    with pytest.raises(limner.ProviderError) as info:
        async with aiohttp.ClientSession() as session:
            await download(
                session,
                f"http://images.example:{port}/result/1",
                DownloadPolicy(),
                param="data[0].url",
                provider_url=True,
            )
    assert info.value.code == "invalid_url"
    assert "169.254.169.254 resolves to a private or local address" in info.value.message
    assert _paths(server) == ["/result/1"]


async def test_each_hop_connects_to_the_address_checked_for_its_own_host(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every hop's name is checked (and would be refused if private) and connected to at the
    address checked, its own name in the Host header: a name does not get looked up again."""
    port = int(server.url.rsplit(":", 1)[1])
    checked: list[str] = []

    async def resolved(url: str, policy: DownloadPolicy, **_: object) -> str:
        checked.append(url)
        return "127.0.0.1"

    def plain_http(url: str, address: str) -> tuple[str, dict[str, Any]]:
        target, extra = pin_url(url, address)
        extra.pop("server_hostname")
        return target, extra

    monkeypatch.setattr(download_module, "_check_url", resolved)
    monkeypatch.setattr(download_module, "pin_url", plain_http)
    server.reply(moved(f"http://cdn.example:{port}/files/a.png"))
    data = await _download(f"http://images.example:{port}/result/1", DownloadPolicy())
    assert data == server.files["/files/a.png"]
    assert checked == [
        f"http://images.example:{port}/result/1",
        f"http://cdn.example:{port}/files/a.png",
    ]
    first, second = server.requests
    assert first.headers["host"] == f"images.example:{port}"
    assert second.headers["host"] == f"cdn.example:{port}"


# ---- retries ---------------------------------------------------------------------------------


async def test_a_503_then_the_image_is_retried(server: FakeServer) -> None:
    server.reply(web.Response(status=503), image())
    assert await _download(f"{server.url}/flaky.png", retry=RETRY) == IMAGE
    assert _paths(server) == ["/flaky.png", "/flaky.png"]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 504, 520])
async def test_other_passing_failures_are_retried(server: FakeServer, status: int) -> None:
    server.reply(web.Response(status=status), image())
    assert await _download(f"{server.url}/flaky.png", retry=RETRY) == IMAGE


@pytest.mark.parametrize("status", [404, 403, 409])
async def test_a_failure_that_will_not_pass_is_not_retried(server: FakeServer, status: int) -> None:
    server.reply(web.Response(status=status), image())
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/missing.png", retry=RETRY)
    assert info.value.code == "download_failed" and not info.value.retryable
    assert _paths(server) == ["/missing.png"]


async def test_retries_stop_at_max_retries(server: FakeServer) -> None:
    server.reply(*(web.Response(status=503) for _ in range(5)))
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/down.png", retry=RETRY)
    assert info.value.message == f"images[0]: {server.url}/down.png answered HTTP 503"
    assert info.value.retryable
    assert len(server.requests) == 1 + RETRY.max_retries


async def test_a_wait_asked_for_longer_than_the_policy_waits_is_not_retried(
    server: FakeServer,
) -> None:
    server.reply(web.Response(status=503, headers={"Retry-After": "120"}), image())
    with pytest.raises(limner.InvalidRequestError) as info:
        await _download(f"{server.url}/busy.png", retry=RETRY)
    assert info.value.retry_after == 120
    assert len(server.requests) == 1


async def test_a_retry_waits_as_long_as_retry_after_asks(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def recorded(self: Pauses, seconds: float) -> bool:
        waits.append(seconds)
        return True

    monkeypatch.setattr(Pauses, "sleep", recorded)
    server.reply(web.Response(status=429, headers={"Retry-After": "3"}), image())
    assert await _download(f"{server.url}/busy.png", retry=RETRY, pauses=Pauses()) == IMAGE
    assert waits == [3.0]


async def test_a_connection_lost_mid_download_is_retried(server: FakeServer) -> None:
    async def cut_off(recorded: Recorded) -> web.StreamResponse:
        assert recorded.request is not None and recorded.request.transport is not None
        response = web.StreamResponse(status=200, headers={"content-type": "image/png"})
        response.content_length = 10_000
        await response.prepare(recorded.request)
        await response.write(IMAGE[:8])
        recorded.request.transport.close()
        return response

    server.reply(cut_off, image())
    assert await _download(f"{server.url}/cut.png", retry=RETRY) == IMAGE
    assert _paths(server) == ["/cut.png", "/cut.png"]


async def test_a_redirected_download_is_retried_from_its_first_url(server: FakeServer) -> None:
    """A signed link may have expired by the retry: the first URL gives a fresh one."""
    server.reply(moved("/storage/1"), web.Response(status=503), moved("/storage/2"), image())
    assert await _download(f"{server.url}/result/1", retry=RETRY) == IMAGE
    assert _paths(server) == ["/result/1", "/storage/1", "/result/1", "/storage/2"]


async def test_a_closed_client_cuts_the_back_off_short(server: FakeServer) -> None:
    pauses = Pauses()
    pauses.end()
    server.reply(web.Response(status=503), image())
    with pytest.raises(limner.LimnerError) as info:
        await _download(f"{server.url}/flaky.png", retry=RETRY, pauses=pauses)
    assert info.value.code == "client_closed"
    assert len(server.requests) == 1


async def test_a_result_link_is_retried_with_the_clients_policy(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(
        web.json_response(ok_body(1, url=f"{server.url}/result/1")),
        web.Response(status=503),
        image(),
    )
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert result.data[0].b64_json == base64.b64encode(IMAGE).decode()
    assert result.adjustments == []
    assert _paths(server)[-2:] == ["/result/1", "/result/1"]


async def test_an_input_image_is_retried_and_redirected(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    server.reply(web.Response(status=502), moved("/files/a.png"))
    result = await client.images.edit(model="alpha", prompt="x", image=f"{server.url}/in.png")
    assert len(result.data) == 1
    assert _paths(server)[:3] == ["/in.png", "/in.png", "/files/a.png"]
    (call,) = server.api_calls
    assert call.files and call.files[0][3] == len(server.files["/files/a.png"])


@pytest.mark.parametrize(
    "location",
    [
        "http://a..b/x?sig=s3cret",
        "http://ex\u00e4mple\u3002\u3002com/x?sig=s3cret",
        "http://[::1%25zz]/x?sig=s3cret",
        "http://127.0.0.1:1/x?sig=s3cret",
    ],
)
async def test_a_redirect_to_a_url_that_cannot_be_read_is_refused_without_its_query(
    server: FakeServer, location: str
) -> None:
    """With private networks allowed no host is checked before the request: a host that cannot
    be encoded is limner's error, not a raw UnicodeError, and no message quotes the query."""
    server.reply(web.Response(status=302, headers={"Location": location}))
    with pytest.raises(limner.LimnerError) as info:
        async with aiohttp.ClientSession() as session:
            await download(session, f"{server.url}/r", OPEN, param="data[0].url", provider_url=True)
    assert "s3cret" not in str(info.value) and info.value.param == "data[0].url"


async def test_a_result_link_redirected_to_an_unreadable_url_is_kept_as_the_link(
    make_client: MakeClient, server: FakeServer
) -> None:
    link = f"{server.url}/result/1"
    server.reply(
        web.json_response(ok_body(1, url=link)),
        web.Response(status=302, headers={"Location": "http://a..b/x.png"}),
    )
    client = make_client(allow_private_networks=True)
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert result.data[0].url == link and result.data[0].b64_json is None
    assert any(a.param == "response_format" for a in result.adjustments)


async def test_the_first_url_is_named_without_its_query_too(server: FakeServer) -> None:
    """A result link's query holds the provider's signature: messages, which reach logs and
    the gateway's clients, name it without, as they name each hop."""
    with pytest.raises(limner.InvalidRequestError) as refused:
        await _download("http://cdn.example/a.png?sig=s3cret", DownloadPolicy())
    assert refused.value.message == (
        "images[0]: only https URLs can be downloaded, got 'http://cdn.example/a.png'"
    )
    with pytest.raises(limner.InvalidRequestError) as hostless:  # its scheme is what is wrong
        await _download("file:///tmp/cat.png?v=2", DownloadPolicy())
    assert hostless.value.message.endswith(", got 'file:///tmp/cat.png'")
    server.reply(web.Response(status=404), moved("/gone?sig=s3cret"), web.Response(status=404))
    for path in ("/result/1", "/result/2"):
        with pytest.raises(limner.InvalidRequestError) as failed:
            await _download(f"{server.url}{path}?sig=s3cret", retry=RETRY)
        assert "s3cret" not in failed.value.message
        assert failed.value.message.startswith(f"images[0]: {server.url}{path} ")


async def test_a_failed_hops_signed_query_is_not_quoted_nor_chained() -> None:
    """aiohttp's ClientResponseError quotes the hop's URL (url='...?X-Amz-Signature=...'):
    the message quoted it whole, and the error kept it as its __cause__."""
    secret = "X-Amz-Signature=TOPSECRETSIG"

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if head.startswith(b"GET /start"):
            moved_to = f"Location: /final?{secret}\r\nContent-Length: 0\r\n\r\n"
            writer.write(f"HTTP/1.1 302 Found\r\n{moved_to}".encode())
        else:  # a header aiohttp cannot read
            writer.write(b"HTTP/1.1 200 OK\r\nX-Bad: a\x00b\r\nContent-Length: 3\r\n\r\nabc")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(limner.LimnerError) as caught:
            await _download(f"http://127.0.0.1:{port}/start?first=SIGNED", retry=RETRY)
    finally:
        server.close()
    error = caught.value
    assert "could not download" in error.message
    assert "TOPSECRETSIG" not in error.message and "SIGNED" not in error.message
    assert error.__cause__ is None and error.__suppress_context__
