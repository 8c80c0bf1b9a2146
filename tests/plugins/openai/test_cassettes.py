"""End to end through the client against vcrpy cassettes (replayed offline, record mode none).

The cassettes were built from public recordings of the real API (see each cassette's
``provenance`` and build_cassettes.py); the request side is matched field by field, so these
tests fail if limner's wire request changes.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import limner

from ..cassettes import keyed_client

INPUTS = Path(__file__).parent / "data" / "cassette_inputs"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.vcr


@pytest.fixture
async def client() -> AsyncIterator[limner.AsyncClient]:
    async with keyed_client("openai", "OPENAI_API_KEY") as client:
        yield client


async def test_generate_dall_e_2_b64(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model="openai/dall-e-2",
        prompt="sleepy capybara with monkey on top",
        size="256x256",
        response_format="b64_json",
        user="ddtrace-test",
    )
    assert result.created == 1685642324
    assert len(result.data) == 1
    assert result.data[0].url is None
    assert base64.b64decode(result.data[0].b64_json or "").startswith(PNG_MAGIC)
    assert result.provider == "openai"
    assert result.model == "openai/dall-e-2"
    assert result.size == "256x256"
    assert result.cost == limner.money.to_usd("0.016")
    assert result.usage is None


async def test_generate_dall_e_2_url(client: limner.AsyncClient) -> None:
    result = await client.images.generate(
        model="dall-e-2",
        prompt="sleepy capybara with monkey on top",
        size="256x256",
        response_format="url",
        user="ddtrace-test",
    )
    assert result.created == 1685630540
    assert result.data[0].b64_json is None
    assert (result.data[0].url or "").startswith(
        "https://oaidalleapiprodscus.blob.core.windows.net/private/"
    )
    assert result.cost == limner.money.to_usd("0.016")


async def test_edit_dall_e_2_mask(client: limner.AsyncClient) -> None:
    result = await client.images.edit(
        model="openai/dall-e-2",
        prompt="A sunlit indoor lounge area with a pool containing a flamingo",
        image=INPUTS / "edit_image.png",
        mask=INPUTS / "edit_mask.png",
        size="1024x1024",
        response_format="url",
    )
    assert result.created == 1684519635
    assert len(result.data) == 1
    assert "img-JZJycFtXcnu07lLRp9D2k36a.png" in (result.data[0].url or "")
    assert result.cost == limner.money.to_usd("0.020")
    # the recording's mask has no fully transparent pixel: OpenAI answered it, limner says so
    assert "mask_marks_nothing" in [w.code for w in result.warnings]


async def test_edit_gpt_image_1(client: limner.AsyncClient) -> None:
    """A GPT image model's multipart edit, and its answer's echoed settings (no usage here:
    the cost is the per-image table's estimate, and said so)."""
    result = await client.images.edit(
        model="openai/gpt-image-1",
        prompt="A sunlit indoor lounge area with a pool containing a flamingo",
        image=INPUTS / "edit_image.png",
        size="1024x1024",
        quality="high",
    )
    assert result.created == 1770935251
    assert base64.b64decode(result.data[0].b64_json or "").startswith(PNG_MAGIC)
    assert (result.output_format, result.quality, result.size, result.background) == (
        "png",
        "high",
        "1024x1024",
        "opaque",
    )
    assert result.usage is None
    assert result.cost == limner.money.to_usd("0.167")
    assert "cost_estimated" in [w.code for w in result.warnings]


async def test_variation_dall_e_2(client: limner.AsyncClient) -> None:
    result = await client.images.create_variation(
        model="openai/dall-e-2",
        image=INPUTS / "variation_image.png",
        size="1024x1024",
        response_format="url",
    )
    assert result.created == 1684532718
    assert "img-Fwdl1X6lbcUCH1oS7rVAEEmq.png" in (result.data[0].url or "")
    assert result.cost == limner.money.to_usd("0.020")


@pytest.mark.replay_only
async def test_changed_request_does_not_match_the_cassette(client: limner.AsyncClient) -> None:
    """The body matcher is real: a different prompt finds no recorded answer, and record mode
    none refuses to reach the network."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    with pytest.raises(CannotOverwriteExistingCassetteException):
        await client.images.generate(
            model="openai/dall-e-2",
            prompt="a different prompt",
            size="256x256",
            response_format="url",
            user="ddtrace-test",
        )
