"""The quick constraint check and the model's JSON Schema (checked by jsonschema) agree, for every
installed model and operation, over a grid of valid and invalid values."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema
import pytest

import limner
from limner.capabilities import ModelInfo, Operation
from limner.client import build_request
from limner.plugins import Registry
from limner.schema import model_constraints, request_schema, satisfies

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
        if operation == "variation":
            document["image"] = "<image>"
        assert satisfies(request, rules) == validator.is_valid(document), fields
        checked += 1
    assert checked >= 4
