"""Image links a provider answers with: a ``data:`` URL holds the image itself, and a link that
is not absolute is the plugin's mistake, refused before anyone tries to use it."""

from __future__ import annotations

import base64
import io
from typing import Literal

import pytest
from aiohttp import web
from PIL import Image

import limner

from .support import IMAGE_B64, FakeServer, MakeClient, ok_body


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


@pytest.mark.parametrize(
    "url", ["HTTP://{host}/files/a.png", "gs://bucket/a.png", "Data:image/png;base64,{b64}"]
)
async def test_an_absolute_link_of_any_scheme_and_case_is_kept_or_inlined(
    make_client: MakeClient, server: FakeServer, url: str
) -> None:
    """Schemes are case-insensitive; a link limner cannot download (gs://) is returned as it
    is, said in an adjustment, as before."""
    link = url.format(host=server.url.removeprefix("http://"), b64=IMAGE_B64)
    server.reply(web.json_response(ok_body(1, url=link)))
    client = make_client(allow_private_networks=True)
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    inlined = not link.startswith("gs:")
    assert (result.data[0].b64_json is not None) is inlined
    assert [a.param for a in result.adjustments] == ([] if inlined else ["response_format"])


async def test_an_animated_image_answered_as_a_link_is_inlined(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Only an input must be one still image: a GIF a model made is delivered as made."""
    frames = [Image.new("RGB", (8, 8), (60 * i, 0, 0)) for i in range(2)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    server.files["/files/a.gif"] = out.getvalue()
    server.reply(web.json_response(ok_body(1, url=f"{server.url}/files/a.gif")))
    client = make_client(allow_private_networks=True)
    result = await client.images.generate(model="alpha", prompt="x", response_format="b64_json")
    assert result.images() == [out.getvalue()] and result.adjustments == []


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
    assert caught.value.message == (
        "the fake plugin returned an image link that is not absolute ('/files/x.png'): join a "
        "relative one to the URL the call went to (urllib.parse.urljoin); the provider "
        "answered, and may bill the images it made"
    )
    assert caught.value.billing_note == "the provider answered, and may bill the images it made"


async def test_a_relative_link_is_quoted_short(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """Base64 put where the link goes is quoted in 80 characters, not hundreds of thousands."""
    server.reply(web.json_response(ok_body(1, url=IMAGE_B64 * 50)))
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert len(caught.value.message) < 300
