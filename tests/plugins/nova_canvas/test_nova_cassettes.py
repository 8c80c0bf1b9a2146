"""End to end through the client against vcrpy cassettes (record mode none, never the network).

The cassettes are built (build_cassettes.py): requests made by limner, responses from the
documented wire format or, for the 403, the real recorded Bedrock error — each cassette's
``provenance`` says which. Requests are matched on method, URL (the percent-encoded path) and JSON
body, so a change in what limner sends fails these tests.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from PIL import Image

import limner

from ..cassettes import CASSETTES, TINY_PNG
from .support import CANVAS, KEYS

pytestmark = pytest.mark.vcr
HERE = CASSETTES / "nova_canvas" / Path(__file__).stem


@pytest.fixture
async def client() -> AsyncIterator[limner.AsyncClient]:
    # the built cassettes' keys, whatever the machine's AWS_PROFILE: these are not recorded live
    async with limner.AsyncClient(
        providers={"amazon": {"region": "us-east-1", **KEYS}}, environ={}
    ) as client:
        yield client


def image() -> bytes:
    """The input image: Nova takes none under 320 px a side."""
    out = io.BytesIO()
    Image.new("RGB", (320, 320), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


async def test_text_image(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model=CANVAS, prompt="a lighthouse at dusk", size="1280x720", quality="premium", n=2
    )
    assert [item.b64_json for item in result.data] == [TINY_PNG, TINY_PNG]
    assert (result.size, result.quality) == ("1280x720", "premium")
    assert result.cost == Decimal("0.12")  # 2 x premium, up to 1024x1024 (921,600 px)


async def test_inpaint_mask_prompt(client: limner.AsyncClient) -> None:
    result = await client.images.edit(
        model=CANVAS,
        prompt="a red leather sofa",
        image=image(),
        provider_options={"amazon": {"mask_prompt": "the sofa"}},
    )
    assert len(result.data) == 1
    assert result.size == "320x320"
    assert result.cost == Decimal("0.04")


async def test_partial_content_filter(client: limner.AsyncClient) -> None:
    result = await client.images.generate(model=CANVAS, prompt="a crowd at a concert", n=3)
    assert len(result.data) == 1
    assert [w.index for w in result.warnings if w.code == "content_filtered"] == [None, None]
    assert result.cost == Decimal("0.04")


async def test_expired_token(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.AuthenticationError) as caught:
        await client.images.generate(model=CANVAS, prompt="a fox")
    assert caught.value.code == "ExpiredTokenException"
    assert caught.value.request_id == "402bd639-607f-433b-aa01-2852fc75287a"


def test_cassettes_are_scrubbed_and_say_where_they_come_from() -> None:
    paths = sorted(HERE.glob("*.yaml"))
    assert len(paths) == 5
    for path in paths:
        data = yaml.safe_load(path.read_text())
        kind = data["provenance"]["kind"]
        assert kind.startswith(("built from", "response recorded", "recorded live"))
        for interaction in data["interactions"]:
            headers = interaction["request"]["headers"]
            for name in ("authorization", "x-amz-date", "x-amz-security-token"):
                assert headers.get(name, ["<redacted>"]) == ["<redacted>"]
        text = path.read_text()
        assert KEYS["aws_secret_access_key"] not in text
        assert "AKIDEXAMPLE" not in text


@pytest.mark.replay_only
async def test_changed_request_does_not_match(client: limner.AsyncClient) -> None:
    from vcr.errors import CannotOverwriteExistingCassetteException

    with pytest.raises(CannotOverwriteExistingCassetteException):
        await client.images.generate(model=CANVAS, prompt="a different fox")
