"""Calls to a current model that a maintainer records live (``-m live --record-mode=rewrite``
with ``GEMINI_API_KEY`` or ``GOOGLE_API_KEY`` set); replayed offline once recorded, skipped
until then. They assert what any real answer holds, not one recording's values."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

import limner

from ..cassettes import keyed_client

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")

pytestmark = [pytest.mark.vcr, pytest.mark.live("GEMINI_API_KEY", "GOOGLE_API_KEY")]


@pytest.fixture
async def client() -> AsyncIterator[limner.AsyncClient]:
    async with keyed_client("google", "GOOGLE_API_KEY", "GEMINI_API_KEY") as client:
        yield client


async def test_live_generate_gemini_3_1_flash_image(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model="google/gemini-3.1-flash-image",
        prompt="a small red circle on a white background",
        image_config={"aspect_ratio": "1:1", "image_size": "1K"},
    )
    assert (result.provider, result.model) == ("google", "google/gemini-3.1-flash-image")
    assert len(result.data) == 1
    assert base64.b64decode(result.data[0].b64_json or "").startswith(IMAGE_MAGIC)
    assert result.usage is not None and result.usage.output_tokens > 0
    assert result.cost is not None and result.cost > 0
