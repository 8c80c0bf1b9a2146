"""Calls to a current model that a maintainer records live (``-m live --record-mode=rewrite``
with ``OPENAI_API_KEY`` set); replayed offline once recorded, skipped until then. They assert
what any real answer holds, not one recording's values."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

import limner

from ..cassettes import keyed_client

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = [pytest.mark.vcr, pytest.mark.live("OPENAI_API_KEY")]


@pytest.fixture
async def client() -> AsyncIterator[limner.AsyncClient]:
    async with keyed_client("openai", "OPENAI_API_KEY") as client:
        yield client


async def test_live_generate_gpt_image_2(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model="openai/gpt-image-2",
        prompt="a small red circle on a white background",
        size="1024x1024",
        quality="low",
    )
    assert (result.provider, result.model) == ("openai", "openai/gpt-image-2")
    assert len(result.data) == 1
    assert base64.b64decode(result.data[0].b64_json or "").startswith(PNG_MAGIC)
    assert result.usage is not None and result.usage.output_tokens > 0
    assert result.cost is not None and result.cost > 0  # priced from the usage
    assert not [w for w in result.warnings if w.code == "call_failed"]
