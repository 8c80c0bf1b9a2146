"""Calls to a current model that a maintainer records live (``-m live --record-mode=rewrite``
with ``STABILITY_API_KEY`` set); replayed offline once recorded, skipped until then. They
assert what any real answer holds, not one recording's values."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

import limner

from ..cassettes import keyed_client

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")

pytestmark = [pytest.mark.vcr, pytest.mark.live("STABILITY_API_KEY")]


@pytest.fixture
async def client() -> AsyncIterator[limner.AsyncClient]:
    async with keyed_client("stabilityai", "STABILITY_API_KEY") as client:
        yield client


async def test_live_generate_sd3_5_large(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model="stabilityai/sd3.5-large",
        prompt="a small red circle on a white background",
        image_config={"aspect_ratio": "1:1"},
    )
    assert (result.provider, result.model) == ("stabilityai", "stabilityai/sd3.5-large")
    assert len(result.data) == 1
    assert base64.b64decode(result.data[0].b64_json or "").startswith(IMAGE_MAGIC)
    assert result.cost == limner.money.to_usd("0.065")  # 6.5 credits
