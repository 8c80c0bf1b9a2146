"""A JSON edit (``moderation`` set, or images given as URLs or file ids) lists its sizes, where
the multipart edit of a free-size model takes any: ``image_config`` there is sent as the size
the multipart form would compute when the list has it, else as the listed size nearest it,
reported as such (not dropped as if the model had fixed sizes)."""

from __future__ import annotations

from typing import Any

import pytest

from limner import Adjustment, ImageConfig
from limner_openai import OpenAIProvider

COMPUTED = "OpenAI takes a WIDTHxHEIGHT size: computed one (sides multiples of 16)"
LISTED = "gpt-image-2 accepts only 1024x1024, 1536x1024, 1024x1536 in a JSON edit"


@pytest.mark.parametrize(
    ("config", "size", "reasons"),
    [
        ({"image_size": "1K"}, "1024x1024", {"image_config.image_size": COMPUTED}),
        (
            {"aspect_ratio": "3:2", "image_size": "1.5K"},
            "1536x1024",
            {"image_config.aspect_ratio": COMPUTED, "image_config.image_size": COMPUTED},
        ),
        (
            {"aspect_ratio": "2:3", "image_size": "2K"},
            "1024x1536",
            {
                "image_config.aspect_ratio": f"{LISTED}: sent the one nearest 1360x2048, the "
                "size computed",
                "image_config.image_size": f"{LISTED}: sent the one nearest 1360x2048, the "
                "size computed",
            },
        ),
    ],
)
def test_image_config_in_a_json_edit_becomes_a_listed_size(
    provider: OpenAIProvider,
    make_call: Any,
    config: dict[str, str],
    size: str,
    reasons: dict[str, str],
) -> None:
    call = make_call(
        "gpt-image-2",
        "edit",
        images=[{"file_id": "file-1"}],
        prompt="x",
        image_config=ImageConfig(**config),
    )
    t = provider.translate(call)
    assert t.request.json is not None and t.request.json["size"] == size
    assert {a.param: a.reason for a in t.adjustments} == reasons
    assert all(a.applied == size for a in t.adjustments)
    assert t.size == size


def test_moderation_keeps_an_image_size_the_json_edit_lists(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    """``moderation`` takes the JSON form only when it keeps the call as asked: 1K is
    1024x1024 in both forms, so the size is sent, not dropped for ``auto``."""
    call = make_call(
        "gpt-image-2",
        "edit",
        images=[png],
        prompt="x",
        moderation="low",
        image_config=ImageConfig(image_size="1K"),
    )
    t = provider.translate(call)
    assert t.request.json is not None
    assert (t.request.json["size"], t.request.json["moderation"]) == ("1024x1024", "low")
    assert t.adjustments == (
        Adjustment(
            param="image_config.image_size", requested="1K", applied="1024x1024", reason=COMPUTED
        ),
    )
