"""Downloads connect to the very address that was checked, so a name cannot resolve to a
private address a moment after the check (DNS rebinding)."""

from __future__ import annotations

import aiohttp
import pytest

from limner import download as download_module
from limner.download import DownloadPolicy, download
from limner.http import pin_url

from .support import FakeServer


async def test_the_download_connects_to_the_checked_address(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name ``images.example`` is checked once (pretending it resolved to this loopback
    server's address); the connection goes to that address, with the name in the Host header.
    If the name were resolved again it would fail: it does not exist."""
    port = int(server.url.rsplit(":", 1)[1])
    checked: list[str] = []

    async def resolved_once(url: str, policy: DownloadPolicy, *, param: str, **_: object) -> str:
        checked.append(url)
        return "127.0.0.1"

    monkeypatch.setattr(download_module, "_check_url", resolved_once)
    original = pin_url

    def plain_http(url: str, address: str) -> tuple[str, dict[str, object]]:
        target, extra = original(url, address)
        extra.pop("server_hostname")  # the loopback server speaks plain http
        return target, extra

    monkeypatch.setattr(download_module, "pin_url", plain_http)
    async with aiohttp.ClientSession() as session:
        data = await download(
            session, f"http://images.example:{port}/files/a.png", DownloadPolicy(), param="image"
        )
    assert data == server.files["/files/a.png"]
    assert checked == [f"http://images.example:{port}/files/a.png"]
    (recorded,) = server.requests
    assert recorded.headers["host"] == f"images.example:{port}"


def test_pin_keeps_the_name_for_host_and_tls() -> None:
    url, extra = pin_url("https://img.example.com/a.png?x=1", "93.184.216.34")
    assert url == "https://93.184.216.34/a.png?x=1"
    assert extra == {"headers": {"host": "img.example.com"}, "server_hostname": "img.example.com"}
    url, _ = pin_url("https://img.example.com:8443/a.png", "2606:2800:220:1::1")
    assert url == "https://[2606:2800:220:1::1]:8443/a.png"


def test_pin_builds_the_host_header_from_the_name_alone() -> None:
    """Never from the URL's ``user:password@`` part (downloads refuse such URLs anyway)."""
    _, extra = pin_url("https://u:hunter2@img.example.com:8443/a.png", "93.184.216.34")
    assert extra["headers"] == {"host": "img.example.com:8443"}
    _, extra = pin_url("https://[2606:2800:220:1::1]/a.png", "2606:2800:220:1::1")
    assert extra["headers"] == {"host": "[2606:2800:220:1::1]"}


def test_pin_sends_an_international_name_in_its_ascii_form() -> None:
    """The Host header and TLS name of ``bücher.example`` are ``xn--bcher-kva.example``, as an
    unpinned request (and every HTTP server) has them."""
    _, extra = pin_url("https://Bücher.example:8443/a.png", "93.184.216.34")
    assert extra == {
        "headers": {"host": "xn--bcher-kva.example:8443"},
        "server_hostname": "xn--bcher-kva.example",
    }


async def test_an_international_name_is_looked_up_as_it_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The address checked is the one of the name in the Host header: ``faß.de`` is
    ``xn--fa-hia.de`` (IDNA 2008), which Python's own codec would look up as ``fass.de``."""
    import asyncio
    import socket

    from limner.addresses import public_address

    asked: list[str] = []

    async def lookup(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", lookup)
    assert await public_address("faß.de", 443) == "93.184.216.34"
    assert await public_address("img.example.com", 443) == "93.184.216.34"
    assert asked == ["xn--fa-hia.de", "img.example.com"]


async def test_allowed_private_networks_are_not_pinned(server: FakeServer) -> None:
    policy = DownloadPolicy(allow_private_networks=True)
    async with aiohttp.ClientSession() as session:
        data = await download(session, f"{server.url}/files/a.png", policy, param="images[0]")
    assert data == server.files["/files/a.png"]
