"""Images given as text: ``data:`` URLs read as RFC 2397 and 3986 say (the scheme and the
``;base64`` mark in any case), bad base64 refused naming the parameter, and text that is no path
refused without quoting all of it."""

from __future__ import annotations

import base64

import pytest

import limner
from limner.chat.schema import ImageURL

from .support import IMAGE, FakeServer, MakeClient

B64 = base64.b64encode(IMAGE).decode()


@pytest.mark.parametrize(
    "url",
    [
        f"DATA:image/png;base64,{B64}",
        f"data:image/png;BASE64,{B64}",
        f"Data:image/png;Base64,{B64}",
    ],
)
async def test_a_data_url_in_any_case_is_read(make_client: MakeClient, url: str) -> None:
    client = make_client()
    plan = await client.images.edit(model="alpha", prompt="x", image=url, dry_run=True)
    assert len(plan.requests) == 1
    chat = ImageURL(url=url)
    assert chat.url.startswith("data:")


@pytest.mark.parametrize(
    "payload",
    [
        B64[:8] + "é" + B64[8:],
        B64[:8] + "\u2028" + B64[8:],
        B64[:8] + "\n" + B64[8:].replace("+", " ").replace("/", " "),  # "+" URL-decoded
        B64[:8] + "\t" + B64[8:],
    ],
)
async def test_a_data_url_with_a_character_past_ascii_is_refused_naming_it(
    make_client: MakeClient, server: FakeServer, payload: str
) -> None:
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as caught:
        await client.images.edit(
            model="alpha", prompt="x", image=f"data:image/png;base64,{payload}", dry_run=True
        )
    assert caught.value.param == "images[0]"
    assert caught.value.message == "images[0] has invalid base64 data"


async def test_long_text_that_is_no_path_is_refused_without_quoting_it_all(
    make_client: MakeClient,
) -> None:
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as caught:
        await client.images.edit(model="alpha", prompt="x", image=B64 * 40, dry_run=True)
    assert caught.value.param == "images[0]"
    assert len(caught.value.message) < 400
    assert f"({len(B64) * 40:,} characters)" in caught.value.message


@pytest.mark.parametrize(
    "wrapped",
    [
        base64.encodebytes(IMAGE).decode(),
        "\r\n".join(B64[i : i + 64] for i in range(0, len(B64), 64)),
    ],
)
async def test_base64_wrapped_in_lines_is_read(make_client: MakeClient, wrapped: str) -> None:
    """``base64 FILE`` and MIME wrap their lines at 76 or 64 characters."""
    assert "\n" in wrapped
    assert limner.images.decode_base64(wrapped) == IMAGE
    client = make_client()
    plan = await client.images.edit(
        model="alpha", prompt="x", image=f"data:image/png;base64,{wrapped}", dry_run=True
    )
    assert len(plan.requests) == 1
