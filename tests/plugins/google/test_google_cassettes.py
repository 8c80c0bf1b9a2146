"""End to end through the client against vcrpy cassettes (replayed offline, record mode none).

The answers are real Gemini calls recorded by pydantic-ai and Google's own Imagen mock answers
(see each cassette's ``provenance`` and build_cassettes.py); the request side is matched field by
field, so these tests fail if limner's wire request changes. The pydantic-ai cassettes also keep
the recorded request body, which limner's must equal.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

import limner

from ..cassettes import keyed_client
from .conftest import FakeCredentials

CASSETTES = Path(__file__).resolve().parents[3] / "cassettes" / "google" / "test_google_cassettes"
JPEG, PNG = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.vcr


@pytest.fixture
async def gemini() -> AsyncIterator[limner.AsyncClient]:
    async with keyed_client("google", "GEMINI_API_KEY") as client:
        yield client


def vertex(location: str = "global") -> limner.AsyncClient:
    google = {
        "vertexai": True,
        "project": "pydantic-ai",
        "location": location,
        "credentials": FakeCredentials(),
    }
    return limner.AsyncClient(providers={"google": google}, environ={})


def first_bytes(result: limner.ImagesResponse) -> bytes:
    return base64.b64decode(result.data[0].b64_json or "")


async def test_gemini_3_pro_image_with_text(gemini: limner.AsyncClient) -> None:
    result = await gemini.images.generate(
        model="google/gemini-3-pro-image-preview",
        prompt="Generate an illustrated two-sentence story about an axolotl.",
    )
    assert len(result.data) == 1
    assert first_bytes(result).startswith(JPEG)
    assert (result.data[0].revised_prompt or "").startswith("A little axolotl named Archie")
    assert result.output_format == "jpeg"
    assert result.cost == Decimal("0.138472")  # the notes' check 1, pydantic-ai's snapshot
    assert result.usage is not None
    assert result.usage.input_tokens == 14
    assert result.usage.output_tokens_details is not None
    assert result.usage.output_tokens_details.image_tokens == 1120
    assert result.usage.output_tokens_details.text_tokens == 163 + 174
    assert result.usage.total_tokens == 1471


async def test_gemini_text_only_answer(gemini: limner.AsyncClient) -> None:
    with pytest.raises(limner.NoImageGeneratedError) as caught:
        await gemini.images.generate(
            model="google/gemini-2.5-flash-image",
            prompt="Tell me a two-sentence story about an axolotl, no image please.",
        )
    assert (caught.value.text or "").startswith("In a hidden cave, a shy axolotl named Pip")
    assert caught.value.model == "google/gemini-2.5-flash-image"


async def test_gemini_2_5_flash_image(gemini: limner.AsyncClient) -> None:
    result = await gemini.images.generate(
        model="google/gemini-2.5-flash-image", prompt="Generate an image of an axolotl."
    )
    assert first_bytes(result).startswith(PNG)
    assert result.data[0].revised_prompt == "Here's an image of an axolotl for you!"
    # 10 x 0.30 + 1290 x 30 + 14 x 2.50 per million
    assert result.cost == Decimal("0.038738")
    assert [w.code for w in result.warnings] == ["model_deprecated"]


async def test_vertex_gemini_2_5_flash_image() -> None:
    async with vertex() as client:
        result = await client.images.generate(
            model="google/gemini-2.5-flash-image", prompt="Generate an image of an axolotl."
        )
    assert first_bytes(result).startswith(PNG)
    assert result.data[0].revised_prompt == "Here you go!"
    assert result.cost == Decimal("0.0387152")  # the notes' Vertex example


async def test_vertex_gemini_jpeg_output() -> None:
    async with vertex() as client:
        result = await client.images.generate(
            model="google/gemini-2.5-flash-image",
            prompt="Generate an image of an axolotl.",
            output_format="jpeg",
            output_compression=85,
        )
    assert first_bytes(result).startswith(JPEG)
    assert result.output_format == "jpeg"
    assert result.data[0].revised_prompt is None
    assert result.adjustments == []
    assert result.cost == Decimal("0.0387027")


async def test_vertex_imagen_four_images() -> None:
    async with vertex("us-central1") as client:
        result = await client.images.generate(
            model="google/imagen-4.0-generate-001", prompt="A red fox", n=4
        )
    assert len(result.data) == 4
    assert all(item.to_bytes().startswith(PNG) for item in result.data)
    assert result.cost == Decimal("0.16")
    shut = [w for w in result.warnings if w.code == "model_shut_down"]
    assert shut and "google/gemini-3.1-flash-image" in shut[0].message


async def test_vertex_imagen_some_filtered() -> None:
    async with vertex("us-central1") as client:
        result = await client.images.generate(
            model="google/imagen-4.0-generate-001", prompt="A red fox", n=4
        )
    assert len(result.data) == 2
    filtered = [w for w in result.warnings if w.code == "content_filtered"]
    assert len(filtered) == 1
    assert "filtered out 2 generated images" in filtered[0].message
    assert result.cost == Decimal("0.08")  # filtered images are not billed


async def test_vertex_imagen_enhanced_prompt() -> None:
    async with vertex("us-central1") as client:
        result = await client.images.generate(
            model="google/imagen-4.0-fast-generate-001",
            prompt="A red circle on a white background",
            n=2,
            provider_options={"google": {"enhance_prompt": True}},
        )
    assert (result.data[0].revised_prompt or "").startswith("A minimalist image featuring")
    assert (result.data[1].revised_prompt or "").startswith("A minimalist, bold image")
    assert result.cost == Decimal("0.04")


@pytest.mark.parametrize(
    ("name", "same"),
    [
        ("test_gemini_3_pro_image_with_text", True),
        ("test_vertex_gemini_2_5_flash_image", True),
        ("test_vertex_gemini_jpeg_output", True),
        ("test_gemini_2_5_flash_image", False),
        ("test_gemini_text_only_answer", False),
    ],
)
def test_limner_sends_what_was_recorded(name: str, same: bool) -> None:
    """The real recorded requests equal limner's, except that pydantic-ai's image-or-text test
    sent an empty generationConfig where limner asks for TEXT and IMAGE."""
    document = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text())
    if document["provenance"]["kind"] == "recorded live":  # recorded from limner's own request
        pytest.skip("a live recording holds the request limner sent")
    recorded: dict[str, Any] = document["provenance"]["recorded_request_body"]
    sent = json.loads(document["interactions"][0]["request"]["body"])
    if not same:
        assert recorded["generationConfig"] == {}
        recorded["generationConfig"] = {"responseModalities": ["TEXT", "IMAGE"]}
    assert sent == recorded


@pytest.mark.replay_only
async def test_changed_request_does_not_match_the_cassette(gemini: limner.AsyncClient) -> None:
    from vcr.errors import CannotOverwriteExistingCassetteException

    with pytest.raises(CannotOverwriteExistingCassetteException):
        await gemini.images.generate(
            model="google/gemini-2.5-flash-image", prompt="Generate an image of a newt."
        )
