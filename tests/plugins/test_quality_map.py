"""The portable qualities a built-in model takes under another name (``Capabilities.quality_map``):
published as data and in the request schema, and what the translation really sends, so a tool
that prices or shows a portable quality through the map is right."""

from __future__ import annotations

import pydantic
import pytest

import limner
from limner.capabilities import PORTABLE_QUALITIES

MODELS = limner.plugins.default_registry().models()
CASES = [
    (model.id, portable, sent)
    for model in MODELS
    if "generate" in model.capabilities.operations
    for portable, sent in model.capabilities.quality_map.items()
]


def test_every_model_with_qualities_maps_each_portable_one_it_lacks() -> None:
    for model in MODELS:
        caps = model.capabilities
        if caps.qualities:
            lacked = {q for q in PORTABLE_QUALITIES if q not in caps.qualities}
            assert set(caps.quality_map) == lacked, model.id


@pytest.mark.parametrize(("model", "portable", "sent"), CASES)
def test_a_portable_quality_is_sent_as_the_map_says(model: str, portable: str, sent: str) -> None:
    """The translation's adjustment and the quality priced are the map's."""
    with limner.Client(environ={}) as client:
        plan = client.images.generate(model=model, prompt="x", quality=portable, dry_run=True)
    (adjustment,) = [a for a in plan.adjustments if a.param == "quality"]
    assert (adjustment.requested, adjustment.applied) == (portable, sent)
    assert {estimate.quality for estimate in plan.estimates} == {sent}


def test_the_schema_says_the_map() -> None:
    with limner.Client(environ={}) as client:
        quality = client.models.schema("amazon/amazon.nova-canvas-v1:0", "generate")["properties"][
            "quality"
        ]
    assert quality["description"] == (
        "mapped onto the model's: auto as standard, low as standard, medium as standard, high as "
        "premium, hd as premium"
    )


@pytest.mark.parametrize(
    ("quality_map", "said"),
    [
        ({"ultra": "premium"}, "maps 'ultra', which is not a portable quality the model lacks"),
        ({"standard": "premium"}, "maps 'standard', which is not a portable quality the model"),
        ({"high": "best"}, "maps 'high' to 'best', which is not one of its qualities"),
    ],
)
def test_a_map_outside_the_two_vocabularies_is_refused(
    quality_map: dict[str, str], said: str
) -> None:
    with pytest.raises(pydantic.ValidationError, match=said):
        limner.Capabilities(qualities=("standard", "premium"), quality_map=quality_map)
