"""End to end through the client against vcrpy cassettes (replayed offline, record mode none).

No live recording of a Stability call exists: the cassettes were built by build_cassettes.py from
the v2beta spec's 200 shapes and from error bodies quoted from live calls (see each cassette's
``provenance``). The request side is matched field by field (multipart part by part), so these
tests fail if limner's wire request changes.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import limner

INPUTS = Path(__file__).parent / "data"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def generate(client: limner.AsyncClient, model: str, seed: int = 7) -> limner.ImagesResponse:
    """The generation every generate cassette recorded."""
    return await client.images.generate(
        model=model,
        prompt="a lighthouse at dusk",
        size="1536x1024",
        seed=seed,
        negative_prompt="blurry",
    )


pytestmark = pytest.mark.vcr


@pytest.fixture
async def client() -> AsyncIterator[limner.AsyncClient]:
    key = os.environ.get("STABILITY_API_KEY", "sk-replay-not-a-real-key")
    providers = {"stabilityai": {"api_key": key}}
    async with limner.AsyncClient(providers=providers, environ={}) as client:
        yield client


async def test_generate_sd35_large(client: limner.AsyncClient) -> None:
    result = await generate(client, "stabilityai/sd3.5-large")
    assert len(result.data) == 1
    assert result.images()[0].startswith(PNG_MAGIC)
    assert (result.provider, result.model) == ("stabilityai", "stabilityai/sd3.5-large")
    assert (result.output_format, result.size) == ("png", "1x1")
    assert result.cost == limner.money.to_usd("0.065")
    assert [d.seed for d in result.data] == [343940597]  # the seed in the answer, not the 7 sent
    assert [a.param for a in result.adjustments] == ["size"]
    assert result.warnings == []


async def test_content_filtered(client: limner.AsyncClient) -> None:
    result = await generate(client, "stability/stable-image-core")
    assert [(w.code, w.index) for w in result.warnings] == [("content_filtered", 0)]
    assert "seed 343940597" in result.warnings[0].message
    assert result.cost == limner.money.to_usd("0.03")


async def test_inpaint(client: limner.AsyncClient) -> None:
    result = await client.images.edit(
        model="stabilityai/sd3.5-large",
        prompt="a moon in the sky",
        image=INPUTS / "inpaint_image.png",
        mask=INPUTS / "inpaint_mask.png",
    )
    assert result.images()[0].startswith(PNG_MAGIC)
    assert result.cost == limner.money.to_usd("0.05")  # inpaint: 5 credits on any model
    assert result.warnings == []
    assert [d.seed for d in result.data] == [343940597]


async def test_content_moderation_403(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.ContentPolicyError) as info:
        await generate(client, "stabilityai/sd3.5-medium")
    assert info.value.code == "content_policy_violation"  # OpenAI's; the name is said
    assert info.value.request_id is None  # the live body has no id
    assert "you were not charged" in (info.value.reason or "")


async def test_unauthorized_401(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.AuthenticationError) as info:
        await generate(client, "stabilityai/stable-image-ultra")
    assert info.value.request_id == "fc0ade0f41d0b0fa7c563dd3d4ed714e"
    assert "authorization: invalid or missing header value" in info.value.message


@pytest.mark.replay_only
async def test_changed_request_does_not_match_the_cassette(client: limner.AsyncClient) -> None:
    """The body matcher is real: another seed finds no recorded answer, and record mode none
    refuses to reach the network."""
    from vcr.errors import CannotOverwriteExistingCassetteException

    with pytest.raises(CannotOverwriteExistingCassetteException):
        await generate(client, "stabilityai/sd3.5-large", seed=8)
