"""What one operation of a model takes differently (``Capabilities.per_operation``): published as
data, in that operation's request schema, and in the warning core gives for a setting the
operation does not take that its plugin passed over."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

import limner
from limner.requests import EditRequest
from limner.unreported import unreported_settings

from ..core.support import png

NOVA = "amazon/amazon.nova-canvas-v1:0"


def test_an_operation_without_the_models_styles() -> None:
    with limner.Client(environ={}) as client:
        caps = client.models.retrieve(NOVA).capabilities
        generate = client.models.schema(NOVA, "generate")["properties"]["style"]
        edit = client.models.schema(NOVA, "edit")["properties"]["style"]
    assert caps.styles and caps.for_operation("generate") is caps
    assert caps.for_operation("edit").styles == () == caps.for_operation("variation").styles
    assert "PHOTOREALISM" in generate["enum"]
    assert edit == {
        "type": ["string", "null"],
        "description": "not taken by edit: dropped, and said",
    }


VARIED = [
    m
    for m in limner.plugins.default_registry().models()
    if "variation" in m.capabilities.operations
]
SETTINGS_OF_A_PROMPT = {  # the request field, its value, and the capability saying it is taken
    "quality": ("standard", "qualities"),
    "style": ("vivid", "styles"),
    "seed": (5, "seed"),
    "negative_prompt": ("fog", "negative_prompt"),
    "background": ("opaque", "backgrounds"),
    "output_format": ("png", "output_formats"),
    "moderation": ("low", "moderation"),
    "image_config": ({"aspect_ratio": "1:1", "image_size": "1K"}, "aspect_ratios"),
}


@pytest.mark.parametrize("model", VARIED, ids=[m.id for m in VARIED])
def test_a_variation_lists_none_of_the_settings_it_drops(model: limner.ModelInfo) -> None:
    """A variation takes no prompt, nor the settings that go with one: its capabilities list
    none of them (a form built from them shows no control whose value is thrown away), and a
    variation given each one drops it, saying so."""
    caps = model.capabilities.for_operation("variation")
    with limner.Client(environ={}) as client:
        for field, (value, capability) in SETTINGS_OF_A_PROMPT.items():
            assert not getattr(caps, capability), (field, getattr(caps, capability))
            vary: Any = client.images.create_variation  # (its signature has no such field)
            plan = vary(model=model.id, image=png(512, 512), dry_run=True, **{field: value})
            assert [a.applied for a in plan.adjustments if a.param == field] == [None], field
    assert (caps.image_sizes, caps.quality_map, caps.default_quality) == ((), {}, None)
    assert not (caps.output_compression or caps.streaming or caps.seed_range)


def test_a_style_on_an_edit_is_dropped_and_said() -> None:
    with limner.Client(environ={}) as client:
        plan = client.images.edit(
            model=NOVA,
            prompt="x",
            image=png(512, 512),
            edit_mode="variation",
            style="PHOTOREALISM",
            dry_run=True,
        )
    (dropped,) = [a for a in plan.adjustments if a.param == "style"]
    assert (dropped.requested, dropped.applied) == ("PHOTOREALISM", None)


def test_an_unreported_setting_counts_the_operations_capabilities() -> None:
    """A plugin that says nothing of a style an edit does not take: warned of on the edit."""
    caps = limner.Capabilities(
        operations=("generate", "edit"),
        styles=("vivid",),
        max_input_images=1,
        per_operation={"edit": limner.OperationCapabilities(styles=())},
    )
    model = limner.ModelInfo(id="acme/m", provider="acme", name="m", capabilities=caps)
    request = EditRequest(model="acme/m", prompt="x", images=[b"img"], style="vivid")
    assert unreported_settings(model, request) == []  # model-wide, it takes styles
    (notice,) = unreported_settings(model, request, operation="edit")
    assert notice.param == "style"


def test_per_operation_names_only_the_models_operations() -> None:
    with pytest.raises(pydantic.ValidationError, match="per_operation names edit, which the"):
        limner.Capabilities(per_operation={"edit": limner.OperationCapabilities(styles=())})


def test_an_operation_without_seed_or_negative_prompt_says_so_in_its_schema() -> None:
    from limner.schema import request_schema

    caps = limner.Capabilities(
        operations=("generate", "edit"),
        max_input_images=1,
        seed=True,
        seed_range=(0, 100),
        negative_prompt=True,
        max_negative_prompt_chars=50,
        per_operation={"edit": limner.OperationCapabilities(seed=False, negative_prompt=False)},
    )
    model = limner.ModelInfo(id="acme/m", provider="acme", name="m", capabilities=caps)
    generate = request_schema(model, "generate")["properties"]
    edit = request_schema(model, "edit")["properties"]
    assert (generate["seed"]["maximum"], generate["negative_prompt"]["maxLength"]) == (100, 50)
    for field in ("seed", "negative_prompt"):
        assert edit[field]["description"] == "not taken by edit: dropped, and said"
        assert "maximum" not in edit[field] and "maxLength" not in edit[field]


def test_an_end_user_id_carried_encoded_or_in_a_raw_body_counts_as_sent() -> None:
    """A plugin may put the id in a URL query (percent-encoded) or sign a raw JSON body; core
    finds it there, and warns only of one carried nowhere and reported by nothing."""
    import json

    from limner.requests import GenerateRequest
    from limner.unreported import unsent_end_users
    from limner.wire import WireRequest

    model = limner.ModelInfo(
        id="acme/m", provider="acme", name="m", capabilities=limner.Capabilities()
    )
    request = GenerateRequest(model="acme/m", prompt="x", user="josé k", safety_identifier="s-1")
    query = WireRequest("POST", "https://acme.example/v1/images?user=jos%C3%A9+k&sid=s-1")
    raw = WireRequest(
        "POST", "https://acme.example/v1/images", content=json.dumps({"u": "josé k"}).encode()
    )
    assert unsent_end_users(model, request, [query]) == []
    (notice,) = unsent_end_users(model, request, [raw])  # \u00e9 in the bytes: parsed
    assert notice.param == "safety_identifier"
