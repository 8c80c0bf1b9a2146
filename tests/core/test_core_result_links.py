"""Image links a provider answers with: a ``data:`` URL holds the image itself, and a link that
is not absolute is the plugin's mistake, refused before anyone tries to use it."""

from __future__ import annotations

import base64
from typing import Literal

import pytest
from aiohttp import web

import limner

from .support import IMAGE_B64, FakeServer, ok_body


async def test_a_data_url_answered_is_decoded_for_b64_json(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """It needs no download (and no downloading rule applies): the adjustment said "only
    https URLs can be downloaded" and returned the link."""
    server.reply(web.json_response(ok_body(1, url=f"data:image/png;base64,{IMAGE_B64}")))
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert (result.data[0].b64_json, result.data[0].url) == (IMAGE_B64, None)
    assert result.images() == [base64.b64decode(IMAGE_B64)]
    assert result.adjustments == [] and result.output_format == "png"
    assert len(server.api_calls) == 1


@pytest.mark.parametrize("response_format", ["b64_json", "url", None])
async def test_a_relative_image_link_is_the_plugins_error(
    client: limner.AsyncClient,
    server: FakeServer,
    response_format: Literal["url", "b64_json"] | None,
) -> None:
    """Nobody can download ``/files/x.png``, the user included: the plugin must join it to the
    provider's address."""
    server.reply(web.json_response(ok_body(1, url="/files/x.png?token=secret")))
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x", response_format=response_format)
    assert caught.value.message.startswith(
        "the fake plugin returned an image URL that is not absolute ('/files/x.png'): join a "
        "relative one to the URL the call went to (urllib.parse.urljoin)"
    )
