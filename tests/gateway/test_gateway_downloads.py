"""Input images the gateway downloads: a request takes one of ``max_concurrency`` download
shares before its first download and holds it to its end, so the image bytes held for waiting
requests are bounded however many come at once (each request's own up to the client's
``max_download_bytes``); requests without downloads do not wait for one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web

import limner.engine
from limner.gateway import GatewayConfig

from ..core.support import FakeServer, ok_body
from .conftest import MakeGateway
from .support import GATEWAY_KEY, data_url, png

URL = "https://images.example"


@dataclass
class SlowImages:
    """Stands in for limner's download of input images: each answers a PNG once ``release`` is
    set; ``asked`` lists the URLs asked for."""

    asked: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def images(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowImages]:
    found = SlowImages()

    async def download(session: Any, url: str, *args: Any, **kwargs: Any) -> bytes:
        found.asked.append(url)
        await found.release.wait()
        return png(64, 64)

    monkeypatch.setattr(limner.engine, "download", download)
    yield found
    found.release.set()  # (a download a failed test left waiting)


def _edit(image_url: str) -> dict[str, Any]:
    return {"model": "openai/dall-e-2", "prompt": "a moon", "images": [{"image_url": image_url}]}


async def _post(
    session: aiohttp.ClientSession, url: str, body: dict[str, Any], key: str | None = None
) -> tuple[int, Any]:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    async with session.post(f"{url}/images/edits", json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_downloads_wait_for_a_share_and_others_do_not(
    make_gateway: MakeGateway, server: FakeServer, images: SlowImages
) -> None:
    server.reply(*[web.json_response(ok_body(1)) for _ in range(3)])
    config = GatewayConfig(max_concurrency=1, queue_timeout=0.3)
    gateway = await make_gateway(config)
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(_post(session, gateway.base_url, _edit(f"{URL}/a.png")))
        while images.asked != [f"{URL}/a.png"]:  # the first request downloads, holding the share
            assert not first.done(), first.result()
            await asyncio.sleep(0.01)
        status, busy = await _post(session, gateway.base_url, _edit(f"{URL}/b.png"))
        assert status == 429, busy
        assert busy["error"]["code"] == "gateway_busy"
        assert busy["error"]["message"] == (
            "all 1 of the gateway's input-image download shares stayed busy for 0.3 s; retry later"
        )
        assert images.asked == [f"{URL}/a.png"]  # the second never began downloading
        # a request with its image in the body downloads nothing: it does not wait
        status, made = await _post(session, gateway.base_url, _edit(data_url(png(64, 64))))
        assert status == 200, made
        images.release.set()
        status, made = await first
        assert status == 200, made
        # the share is given back when the request ends
        status, made = await _post(session, gateway.base_url, _edit(f"{URL}/c.png"))
    assert status == 200, made
    assert images.asked == [f"{URL}/a.png", f"{URL}/c.png"]


async def test_a_url_that_can_never_be_downloaded_is_refused_at_once(
    make_gateway: MakeGateway, images: SlowImages
) -> None:
    """Not a 429 after waiting for a share (which an SDK would send twice more)."""
    config = GatewayConfig(max_concurrency=1, queue_timeout=5.0)
    gateway = await make_gateway(config, allow_private_networks=False)
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(_post(session, gateway.base_url, _edit(f"{URL}/a.png")))
        while not images.asked:  # holding the only share
            assert not first.done(), first.result()
            await asyncio.sleep(0.01)
        started = asyncio.get_running_loop().time()
        status, refused = await _post(session, gateway.base_url, _edit("https://127.0.0.1:9/x"))
        waited = asyncio.get_running_loop().time() - started
        first.cancel()
    assert status == 400, refused
    assert (refused["error"]["param"], refused["error"]["code"]) == ("images[0]", "invalid_url")
    assert waited < 2.0  # (the share would have taken 5 s)


async def test_one_key_holds_at_most_half_the_download_shares(
    make_gateway: MakeGateway, server: FakeServer, images: SlowImages
) -> None:
    """With several keys, one key's downloading requests cannot lock the others' out, as with
    upstream slots."""
    keys = (GATEWAY_KEY, "gw-key-second-0123456789")
    server.reply(*[web.json_response(ok_body(1)) for _ in range(2)])
    gateway = await make_gateway(GatewayConfig(api_keys=keys, max_concurrency=2, queue_timeout=0.3))
    async with aiohttp.ClientSession() as session:
        first = asyncio.create_task(
            _post(session, gateway.base_url, _edit(f"{URL}/a.png"), keys[0])
        )
        while not images.asked:
            await asyncio.sleep(0.01)
        status, busy = await _post(session, gateway.base_url, _edit(f"{URL}/b.png"), keys[0])
        assert status == 429, busy
        assert busy["error"]["message"].startswith(
            "all 1 of this key's input-image download shares stayed busy"
        )
        other = asyncio.create_task(
            _post(session, gateway.base_url, _edit(f"{URL}/c.png"), keys[1])
        )
        while len(images.asked) < 2:  # the other key's share is free: it downloads
            assert not other.done(), other.result()
            await asyncio.sleep(0.01)
        images.release.set()
        assert [(await task)[0] for task in (first, other)] == [200, 200]
    assert images.asked == [f"{URL}/a.png", f"{URL}/c.png"]
