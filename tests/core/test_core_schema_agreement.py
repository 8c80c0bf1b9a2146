"""The quick constraint check and the model's JSON Schema (checked by jsonschema) agree, for every
installed model and operation, over a grid of valid and invalid values."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema
import pytest

import limner
from limner.arguments import build_request
from limner.capabilities import ModelInfo, Operation
from limner.plugins import Registry
from limner.schema import model_constraints, request_schema
from limner.validation import satisfies

from .fakeprovider import FakePlugin

REGISTRY = Registry([FakePlugin()])
CASES = [
    (model, operation)
    for model in REGISTRY.models()
    for operation in model.capabilities.operations
    if operation in ("generate", "edit", "variation")
]
QUALITIES = ["auto", "low", "high", "hd", "standard", "ultra", None]
FORMATS = ["png", "jpeg", "webp", "gif", None]
PROMPTS = ["x", "y" * 1001, "z" * 4001, None]
NS = [1, 2, 5, 10]


def _requests(operation: Operation) -> list[dict[str, Any]]:
    if operation == "variation":
        return [{"n": n} for n in NS]
    out = []
    for quality, fmt, prompt, n in itertools.product(QUALITIES, FORMATS, PROMPTS, NS):
        fields: dict[str, Any] = {"n": n, "prompt": prompt or "p"}
        if quality:
            fields["quality"] = quality
        if fmt:
            fields["output_format"] = fmt
        out.append(fields)
    return out


@pytest.mark.parametrize(("model", "operation"), CASES, ids=[f"{m.id}:{op}" for m, op in CASES])
def test_quick_check_agrees_with_jsonschema(model: ModelInfo, operation: Operation) -> None:
    schema = request_schema(model, operation)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    rules = model_constraints(model, operation)
    kinds: dict[str, type[limner.GenerateRequest | limner.EditRequest | limner.VariationRequest]]
    kinds = {
        "generate": limner.GenerateRequest,
        "edit": limner.EditRequest,
        "variation": limner.VariationRequest,
    }
    checked = 0
    for fields in _requests(operation):
        fields["model"] = model.id
        if operation == "edit":
            fields["images"] = [b"img"]
        if operation == "variation":
            fields["image"] = b"img"
        request = build_request(kinds[operation], fields)
        document = request.model_dump(
            mode="json", exclude={"images", "image", "mask"}, exclude_none=True
        )
        if operation == "edit":
            document["images"] = ["<image>"]
            caps = model.capabilities
            if caps.edit_modes_needing_mask and not caps.mask_from_alpha:  # (it needs one)
                document["mask"] = "<image>"
        if operation == "variation":
            document["image"] = "<image>"
        assert satisfies(request, rules) == validator.is_valid(document), fields
        checked += 1
    assert checked >= 4


# ---- rules between fields ------------------------------------------------------------------------

RULES = (
    limner.FieldRule(
        when="output_format", values=("jpeg",), then="quality", allowed=("low",), reason="r1"
    ),
    limner.FieldRule(when="quality", values=("high",), then="mask", reason="r2"),
    limner.FieldRule(when="output_format", values=("png",), then="n", allowed=(1, 2), reason="r3"),
)
RULED = REGISTRY.resolve("fake/alpha-1").model_copy(
    update={
        "id": "fake/ruled-1",
        "capabilities": REGISTRY.resolve("fake/alpha-1").capabilities.model_copy(
            update={"field_rules": RULES}
        ),
    }
)


def test_field_rules_in_the_schema_only_where_the_operation_has_both_fields() -> None:
    edit = request_schema(RULED, "edit")["allOf"]
    assert edit[0] == {
        "description": "r1",
        "if": {"properties": {"output_format": {"enum": ["jpeg"]}}, "required": ["output_format"]},
        "then": {"properties": {"quality": {"enum": ["low", None]}}},
    }
    assert edit[1]["then"] == {"properties": {"mask": {"enum": [None]}}}  # null: unset
    assert [rule["description"] for rule in edit] == ["r1", "r2", "r3"]
    generate = request_schema(RULED, "generate")["allOf"]
    assert [rule["description"] for rule in generate] == ["r1", "r3"]  # no mask there
    assert "allOf" not in request_schema(RULED, "variation")  # no prompt fields at all


@pytest.mark.parametrize("operation", ["generate", "edit"])
def test_field_rules_check_agrees_with_jsonschema(operation: Operation) -> None:
    """validate_request refuses exactly the requests the published schema refuses."""
    from limner.validation import validate_request

    validator = jsonschema.Draft202012Validator(request_schema(RULED, operation))
    kind = limner.EditRequest if operation == "edit" else limner.GenerateRequest
    refused = 0
    masks = [None, b"mask"] if operation == "edit" else [None]
    for quality, fmt, n, mask in itertools.product(
        ["low", "high", None], ["png", "jpeg", None], [1, 2, 3], masks
    ):
        fields: dict[str, Any] = {"model": RULED.id, "prompt": "p", "n": n}
        if quality:
            fields["quality"] = quality
        if fmt:
            fields["output_format"] = fmt
        if operation == "edit":
            fields["images"] = [b"img"]
            if mask:
                fields["mask"] = mask
        request = build_request(kind, fields)
        document = request.model_dump(mode="json", exclude={"images", "mask"}, exclude_none=True)
        if operation == "edit":
            document["images"] = ["<image>"]
            if mask:
                document["mask"] = "<image>"
        try:
            validate_request(RULED, operation, request)
        except limner.UnsupportedFeatureError as error:
            assert error.param in ("quality", "mask", "n")
            assert not validator.is_valid(document), fields
            refused += 1
        else:
            assert validator.is_valid(document), fields
    assert refused >= 6


def test_a_field_rule_names_known_fields_only() -> None:
    with pytest.raises(ValueError, match="when"):
        limner.FieldRule(when="colour", values=("red",), then="n", reason="r")
    with pytest.raises(ValueError, match="values"):
        limner.FieldRule(when="n", values=(), then="mask", reason="r")


@pytest.mark.parametrize(("model", "operation"), CASES, ids=[f"{m.id}:{op}" for m, op in CASES])
def test_safety_identifier_and_partial_images_in_the_schema_as_in_the_request_model(
    model: ModelInfo, operation: Operation
) -> None:
    """OpenAI's bounds (partial_images 0 to 3), where the pydantic model has them too: on
    generations and edits, not on variations (the openai SDK's create_variation takes neither)."""
    properties = request_schema(model, operation)["properties"]
    if operation == "variation":
        assert not {"safety_identifier", "partial_images"} & set(properties)
        return
    assert properties["safety_identifier"] == {"type": ["string", "null"]}
    partial = properties["partial_images"]
    assert (partial["type"], partial["minimum"], partial["maximum"]) == (["integer", "null"], 0, 3)
    validator = jsonschema.Draft202012Validator(request_schema(model, operation))
    base: dict[str, Any] = {"model": model.id, "prompt": "p"}
    if operation == "edit":
        base["images"] = ["<image>"]
        if model.capabilities.edit_modes_needing_mask and not model.capabilities.mask_from_alpha:
            base["mask"] = "<image>"
    for fields, valid in (
        ({"safety_identifier": "s" * 200, "partial_images": 3}, True),
        ({"safety_identifier": 7}, False),
        ({"partial_images": 4}, False),
        ({"partial_images": -1}, False),
    ):
        assert validator.is_valid({**base, **fields}) is valid, fields
