"""``safety_identifier`` (``user``'s successor) and ``partial_images``: the openai SDK's
``images.generate`` and ``images.edit`` take both, ``images.create_variation`` neither.
``safety_identifier`` is sent on generations and edits; ``partial_images`` only shapes a streamed
response, which limner does not make, so it is reported as not sent."""

from __future__ import annotations

from typing import Any

import pytest

import limner
from limner import Adjustment, FilePart
from limner_openai import OpenAIProvider

PARTIAL_IMAGES_UNSENT = (
    "OpenAI sends partial images only in a streamed response, and limner does not stream images"
)


def partial_images_dropped(value: int) -> Adjustment:
    return Adjustment(
        param="partial_images", requested=value, applied=None, reason=PARTIAL_IMAGES_UNSENT
    )


@pytest.mark.parametrize("partial_images", [0, 3])
def test_generation_sends_safety_identifier_and_not_partial_images(
    provider: OpenAIProvider, make_call: Any, partial_images: int
) -> None:
    call = make_call(
        "gpt-image-1.5",
        prompt="a fox",
        user="u-1",
        safety_identifier="sid-1",
        partial_images=partial_images,
    )
    t = provider.translate(call)
    assert t.request.json == {
        "model": "gpt-image-1.5",
        "prompt": "a fox",
        "n": 1,
        "safety_identifier": "sid-1",
        "user": "u-1",
    }
    assert t.adjustments == (partial_images_dropped(partial_images),)


def test_dall_e_generation_sends_safety_identifier(
    provider: OpenAIProvider, make_call: Any
) -> None:
    """The SDK's ``images.generate`` takes it whatever the model."""
    t = provider.translate(make_call("dall-e-3", prompt="a fox", safety_identifier="sid-1"))
    assert t.request.json == {
        "model": "dall-e-3",
        "prompt": "a fox",
        "n": 1,
        "safety_identifier": "sid-1",
    }
    assert t.adjustments == ()


def test_multipart_edit_sends_safety_identifier_and_not_partial_images(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "gpt-image-1.5",
        "edit",
        images=[png],
        prompt="add a hat",
        safety_identifier="sid-2",
        partial_images=2,
    )
    t = provider.translate(call)
    assert t.request.json is None
    assert t.request.form == (
        ("model", "gpt-image-1.5"),
        ("prompt", "add a hat"),
        ("n", "1"),
        ("safety_identifier", "sid-2"),
    )
    assert t.request.files == (FilePart("image", "image.png", "image/png", png),)
    assert t.adjustments == (partial_images_dropped(2),)


def test_json_edit_sends_safety_identifier_and_not_partial_images(
    provider: OpenAIProvider, make_call: Any
) -> None:
    call = make_call(
        "gpt-image-1.5",
        "edit",
        images=[{"file_id": "file-1"}],
        prompt="add a hat",
        safety_identifier="sid-3",
        partial_images=1,
    )
    t = provider.translate(call)
    assert t.request.json == {
        "model": "gpt-image-1.5",
        "prompt": "add a hat",
        "n": 1,
        "safety_identifier": "sid-3",
        "images": [{"file_id": "file-1"}],
    }
    assert t.adjustments == (partial_images_dropped(1),)


def test_a_variation_is_sent_neither(png: bytes) -> None:
    """``images.create_variation`` has neither field (the SDK's takes ``user`` only): core sets
    them aside and says so, and the form carries ``user`` alone."""
    with limner.Client(environ={}) as client:
        plan = client.images.create_variation(
            model="openai/dall-e-2",
            image=png,
            user="u-1",
            dry_run=True,
            extra_body={"safety_identifier": "sid-4", "partial_images": 2},
        )
    assert plan.requests[0]["form"] == {"model": "dall-e-2", "n": "1", "user": "u-1"}
    assert [(a.param, a.requested, a.applied, a.reason) for a in plan.adjustments] == [
        (
            name,
            value,
            None,
            f"{name} is a setting of images.generate and images.edit, not of "
            "images.create_variation; not sent",
        )
        for name, value in (("safety_identifier", "sid-4"), ("partial_images", 2))
    ]
