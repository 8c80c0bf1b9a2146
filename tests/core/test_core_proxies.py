"""Proxies from the environment: calls to providers go through HTTPS_PROXY / HTTP_PROXY /
ALL_PROXY, unless NO_PROXY names the host, as the providers' SDKs send them; downloads connect
directly (limner checks the address they connect to)."""

from __future__ import annotations

import asyncio
import base64
import logging
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web

import limner
from limner.proxies import DIRECT, EnvProxies, Route

from .support import IMAGE, client_kwargs, ok_body


@dataclass
class Proxy:
    """A loopback HTTP proxy that answers every request itself, as the provider would."""

    url: str
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)
    """Each request: method, the absolute URL it asked for, its Proxy-Authorization."""


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    app = web.Application()
    found = Proxy("")

    async def answer(request: web.Request) -> web.StreamResponse:
        found.seen.append(
            (request.method, str(request.url), request.headers.get("Proxy-Authorization"))
        )
        if request.url.path.endswith(".png"):
            return web.Response(body=IMAGE, content_type="image/png")
        return web.json_response(ok_body(1))

    app.router.add_route("*", "/{path:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    found.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield found
    await runner.cleanup()


def _client(environ: dict[str, str]) -> limner.AsyncClient:
    settings = {"fake": {"api_key": "sk-fake-key-123456", "base_url": "http://api.example/v1"}}
    return limner.AsyncClient(**client_kwargs(None, providers=settings, environ=environ))


async def test_provider_calls_go_through_the_environments_proxy(proxy: Proxy) -> None:
    """``api.example`` resolves nowhere: only the proxy can reach it."""
    async with _client({"HTTP_PROXY": proxy.url}) as client:
        result = await client.images.generate(model="alpha", prompt="a fox")
    assert len(result.data) == 1
    assert proxy.seen == [("POST", "http://api.example/v1/images", None)]


async def test_credentials_sent_over_plain_http_to_another_host_are_warned_of_once(
    proxy: Proxy,
) -> None:
    """``http://api.example``: the key crosses the network unencrypted (through the proxy, and
    past it), said once for the two calls ``n=4`` is split into."""
    async with _client({"HTTP_PROXY": proxy.url}) as client:
        result = await client.images.generate(model="alpha", prompt="a fox", n=4)
    assert [seen[1] for seen in proxy.seen] == ["http://api.example/v1/images"] * 2
    in_clear = [w for w in result.warnings if w.code == "credentials_in_clear"]
    assert in_clear == [
        limner.Notice(
            code="credentials_in_clear",
            message="the fake credential goes unencrypted to api.example (its base URL is "
            "http://): anyone on the network in between can read and reuse it; use an https:// "
            "base URL (providers.fake.base_url or FAKE_BASE_URL)",
            param="providers.fake.base_url",
        )
    ]


async def test_a_proxy_password_goes_as_a_header_and_is_a_secret(proxy: Proxy) -> None:
    with_user = proxy.url.replace("http://", "http://ann:s3cret-proxy-pw@")
    async with _client({"http_proxy": with_user}) as client:
        await client.images.generate(model="alpha", prompt="a fox")
        assert "s3cret-proxy-pw" in client.secret_values()
    expected = "Basic " + base64.b64encode(b"ann:s3cret-proxy-pw").decode()
    assert proxy.seen[0][2] == expected


async def test_no_proxy_hosts_connect_directly(proxy: Proxy) -> None:
    environ = {"HTTP_PROXY": proxy.url, "NO_PROXY": "localhost,.example"}
    async with _client(environ) as client:
        with pytest.raises(limner.ProviderConnectionError):  # api.example: not resolved
            await client.images.generate(model="alpha", prompt="a fox", max_retries=0)
    assert proxy.seen == []


async def test_downloads_connect_directly(proxy: Proxy) -> None:
    """The image URL's host is checked and connected to by limner, not by the proxy."""
    async with _client({"HTTP_PROXY": proxy.url}) as client:
        with pytest.raises(limner.LimnerError) as caught:  # images.example: not resolved
            await client.images.edit(
                model="alpha", prompt="a hat", image="http://images.example/a.png", max_retries=0
            )
    assert "images.example" in str(caught.value)
    assert [method for method, _, _ in proxy.seen] == []


def test_which_proxy_for_which_url() -> None:
    proxies = EnvProxies(
        {
            "HTTPS_PROXY": "http://upper:3128",
            "https_proxy": "http://lower:3128",  # the lower-case name wins, as urllib reads it
            "ALL_PROXY": "proxy.corp:8080",  # no scheme: http://, as curl reads it
            "NO_PROXY": "internal.example, .corp, localhost:8443",
        }
    )
    assert proxies.for_url("https://api.openai.com/v1/x") == Route("http://lower:3128")
    assert proxies.for_url("http://api.openai.com/v1/x") == Route("http://proxy.corp:8080")
    assert proxies.for_url("https://internal.example/v1") is DIRECT
    assert proxies.for_url("https://a.b.corp/v1") is DIRECT
    assert proxies.for_url("https://localhost:8443/v1") is DIRECT  # a port, as urllib reads it
    assert proxies.for_url("https://localhost:9443/v1") == Route("http://lower:3128")
    assert not EnvProxies({"PATH": "/bin", "NO_PROXY": "*"})


@pytest.mark.parametrize(
    ("environ", "proxy"),
    [
        ({"HTTPS_PROXY": "http://upper:3128", "https_proxy": ""}, None),  # unset, as urllib
        ({"https_proxy": "http://lower:3128", "HTTPS_PROXY": ""}, "http://lower:3128"),
        ({"HTTP_PROXY": "http://p:3128", "REQUEST_METHOD": "GET"}, None),  # CGI: httpoxy
        ({"http_proxy": "http://p:3128", "REQUEST_METHOD": "GET"}, "http://p:3128"),
    ],
)
def test_the_variables_are_read_as_urllib_reads_them(
    environ: dict[str, str], proxy: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    scheme = "https" if any("https" in name.lower() for name in environ) else "http"
    urllib_says = urllib.request.getproxies_environment().get(scheme)
    assert urllib_says == proxy  # (os.environ holds only these: the tests drop the machine's)
    assert EnvProxies(environ).for_url(f"{scheme}://api.example/v1").proxy == proxy


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({"HTTPS_PROXY": "http://ann:s3cret-proxy-pw@[::1"}, "HTTPS_PROXY"),  # no "]"
        ({"https_proxy": "http://ann:s3cret-proxy-pw@proxy.corp:99999"}, "https_proxy"),
        ({"ALL_PROXY": "ann:s3cret-proxy-pw@proxy.corp:port"}, "ALL_PROXY"),
        ({"HTTP_PROXY": "http://ann:s3cret-proxy-pw@"}, "HTTP_PROXY"),  # no host
        ({"HTTP_PROXY": "http://proxy.corp:0"}, "HTTP_PROXY"),
        ({"HTTPS_PROXY": "http://proxy.corp:3128", "https_proxy": "http://[::1"}, "https_proxy"),
    ],
)
def test_a_malformed_proxy_is_an_error_naming_its_variable(
    environ: dict[str, str], name: str
) -> None:
    """Said when the client is made, naming the variable (the lower-case one, where both are
    set, as urllib reads them), and quoting none of its value: it may hold a password."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        _client(environ)
    assert caught.value.message == (
        f"{name} is not a proxy URL limner can read: write it as http://HOST:PORT (an IPv6 "
        f"address in brackets, a port from 1 to 65535), or unset {name} to connect directly"
    )
    assert caught.value.param == name
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert "s3cret-proxy-pw" not in f"{caught.value} {caught.value!r} {caught.value.to_openai()}"


def test_a_socks_proxy_is_not_used_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    proxies = EnvProxies({"ALL_PROXY": "socks5://user:pw@socks.corp:1080"})
    assert proxies.for_url("https://api.openai.com/v1/x") is DIRECT
    assert [r.getMessage() for r in caplog.records] == [
        "the socks5 proxy at socks.corp is not used: limner sends through HTTP proxies only"
    ] * 2  # (once per scheme it would have served)


async def test_a_session_passed_in_keeps_its_own_proxy_settings(proxy: Proxy) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        client = _client({"HTTP_PROXY": proxy.url})
        mine = limner.AsyncClient(
            **client_kwargs(
                None,
                providers={"fake": {"api_key": "k" * 16, "base_url": "http://api.example/v1"}},
                environ={"HTTP_PROXY": proxy.url},
                session=session,
            )
        )
        with pytest.raises(limner.ProviderConnectionError):
            await mine.images.generate(model="alpha", prompt="a fox", max_retries=0)
        await mine.close()
        await client.close()
    assert proxy.seen == []


@pytest.fixture
async def refusing_proxy() -> AsyncIterator[str]:
    """A proxy that answers every request, a CONNECT included, 407: credentials wanted."""
    asked: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    server.close()
    assert len(asked) == 1, asked  # not sent again: a 407 does not get better
    assert b"Proxy-Authorization: Basic " in asked[0]  # the credentials went, as a header


@pytest.mark.parametrize("password", ["s3cret-proxy-pw", "p%40ss%2Fw0rd-long"])
@pytest.mark.parametrize("scheme", ["https", "http"])
async def test_a_proxys_refusal_is_said_without_its_password_and_not_retried(
    refusing_proxy: str, password: str, scheme: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"fake": {"api_key": "sk-fake-key-123456", "base_url": f"{scheme}://api.example/v1"}}
    environ = {f"{scheme.upper()}_PROXY": f"http://ann:{password}@{refusing_proxy}"}
    caplog.set_level(logging.DEBUG)
    async with limner.AsyncClient(**client_kwargs(None, providers=settings, environ=environ)) as c:
        with pytest.raises(limner.ProviderConnectionError) as caught:
            await c.images.generate(model="alpha", prompt="a fox")
        secrets = c.secret_values()
    assert str(caught.value) == (
        "could not reach api.example: the proxy asked for credentials (407 Proxy Authentication "
        "Required); check the user and password in the proxy's URL (HTTPS_PROXY, HTTP_PROXY)"
    )
    assert caught.value.code == "proxy_authentication_required"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert password not in logged and "ann:" not in logged
    assert password in secrets  # as written, for the gateway's scrubbing (and decoded)


@pytest.mark.parametrize(
    ("no_proxy", "url", "direct"),
    [
        ("2001:db8::1", "https://[2001:db8::1]/v1", True),
        ("2001:db8::1", "https://[2001:db8::1:443]/v1", False),  # another address, no port
        ("[::1]", "http://[::1]:8080/v1", True),
        ("[::1]:8080", "http://[::1]:8080/v1", True),
        ("[::1]:9090", "http://[::1]:8080/v1", False),
        ("::1", "http://[::1]/v1", True),
        ("*", "http://[::1]/v1", True),
    ],
)
def test_ipv6_addresses_in_no_proxy(no_proxy: str, url: str, direct: bool) -> None:
    """As curl reads them, bracketed or not: urllib's check reads an address's last group as a
    port."""
    proxies = EnvProxies({"ALL_PROXY": "http://p:3128", "NO_PROXY": no_proxy})
    assert (proxies.for_url(url) is DIRECT) == direct


@pytest.mark.parametrize("user", ["bob", "alice", "ann"])  # the pair's base64 at each alignment
async def test_a_proxy_echoing_its_credentials_is_quoted_without_them(user: str) -> None:
    """A proxy's error page may quote the request's headers, its own ``Proxy-Authorization``
    among them: neither the password nor the ``user:password`` pair's base64 reaches the error
    (or the secrets the gateway scrubs its answers with)."""
    app = web.Application()

    async def echo(request: web.Request) -> web.Response:
        said = f"proxy error for {request.headers.get('Proxy-Authorization')}"
        return web.Response(status=502, text=said)

    app.router.add_route("*", "/{path:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    password = "PROXYPASSLEAK0123"
    environ = {"HTTP_PROXY": f"http://{user}:{password}@127.0.0.1:{runner.addresses[0][1]}"}
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    try:
        async with _client(environ) as client:
            with pytest.raises(limner.LimnerError) as caught:
                await client.with_options(max_retries=0).images.generate(
                    model="alpha", prompt="a fox"
                )
            secrets = limner.redaction.Scrubber(client.secret_values())
    finally:
        await runner.cleanup()
    said = str(caught.value)
    assert "proxy error for Basic <redacted>" in said, said
    assert password not in said and encoded not in said
    assert secrets(f"Basic {encoded}") == "Basic <redacted>"
