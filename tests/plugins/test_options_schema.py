"""Each built-in provider's ``provider_options`` in its models' request schemas: the JSON Schema
of its options model, under each of its names, agreeing with what limner accepts."""

from __future__ import annotations

from typing import Any, ClassVar

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

import limner

MODELS: dict[str, tuple[str, limner.Operation]] = {
    "openai": ("openai/gpt-image-1", "generate"),
    "google": ("google/imagen-4.0-generate-001", "generate"),
    "stabilityai": ("stabilityai/sd3.5-large", "edit"),
    "amazon": ("amazon/amazon.nova-canvas-v1:0", "edit"),
}
GRID: list[Any] = [
    *(None, True, False, 0, 1, -1, 0.5, 1.05, 1.1, 2, 10, 10.5, 75, 76, 100, 101, 2000, 2001),
    *("", "x", "x" * 1025, "x" * 10001, "#ff0000", "red", "HIGH", "5"),
    *([], ["#ff0000"], ["#ff0000"] * 11, ["red"], {}),
]


def _lax(value: Any) -> bool:
    """A value pydantic reads in lax mode that JSON Schema types strictly: a boolean as a number,
    0 or 1 as a boolean, digits as a number (multipart forms carry every value as text)."""
    return (
        isinstance(value, bool) or value in (0, 1) or (isinstance(value, str) and value.isdigit())
    )


def _document(model: str, operation: limner.Operation, options: dict[str, Any]) -> dict[str, Any]:
    images = {"images": ["<image>"]} if operation == "edit" else {}
    return {"model": model, "prompt": "x", **images, "provider_options": options}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_providers_options_model_is_published_under_each_of_its_names(name: str) -> None:
    model, operation = MODELS[name]
    with limner.Client(environ={}) as client:
        provider = client.registry.provider_for(client.models.retrieve(model))
        schema = client.models.schema(model, operation)
    assert provider.options_model is not None
    options = schema["properties"]["provider_options"]
    published = options["properties"]
    assert set(published) == {provider.name, *provider.aliases}
    for own in published.values():
        assert own == provider.options_model.model_json_schema()
    assert options["additionalProperties"] == {"type": "object"}  # other providers' options
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_schema_and_the_options_model_agree(name: str) -> None:
    """Every value the schema takes, limner takes; every value the schema refuses, limner refuses
    too, except the lax forms pydantic reads (:func:`_lax`)."""
    model, operation = MODELS[name]
    with limner.Client(environ={}) as client:
        provider = client.registry.provider_for(client.models.retrieve(model))
        schema = client.models.schema(model, operation)
    assert provider.options_model is not None
    validator = jsonschema.Draft202012Validator(schema)
    fields = schema["properties"]["provider_options"]["properties"][name]["properties"]
    checked = refused = 0
    for field, prop in fields.items():
        enums = [value for part in prop.get("anyOf", [prop]) for value in part.get("enum", [])]
        for value in [*GRID, *enums]:
            options = {field: value}
            in_schema = validator.is_valid(_document(model, operation, {name: options}))
            try:
                provider.options_model.model_validate(options)
                in_limner = True
            except ValidationError:
                in_limner = False
            checked += 1
            refused += not in_schema
            if in_schema:
                assert in_limner, (field, value)
            elif in_limner:
                assert _lax(value), (field, value)
    assert refused > checked // 3  # the grid reaches both verdicts for each provider
    unknown = _document(model, operation, {name: {"no_such_option": 1}})
    assert not validator.is_valid(unknown)


def test_one_providers_options_under_two_of_its_names_are_refused_by_both() -> None:
    model, operation = MODELS["stabilityai"]
    with limner.Client(environ={}) as client:
        schema = client.models.schema(model, operation)
        with pytest.raises(limner.InvalidRequestError) as caught:
            client.images.edit(
                model=model,
                prompt="x",
                image=b"\x89PNG\r\n\x1a\n",
                provider_options={"stability": {}, "stabilityai": {}},
                dry_run=True,
            )
    assert caught.value.param == "provider_options"
    validator = jsonschema.Draft202012Validator(schema)
    both = _document(model, operation, {"stability": {}, "stabilityai": {}})
    assert not validator.is_valid(both)
    assert validator.is_valid(_document(model, operation, {"stability": {}, "openai": {}}))


def test_a_provider_without_options_takes_none_in_the_schema() -> None:
    from limner.schema import request_schema

    from ..core.fakeprovider import FakePlugin, FakeProvider

    class WithoutOptions(FakeProvider):
        options_model: ClassVar[type[BaseModel] | None] = None

    registry = limner.plugins.Registry([FakePlugin()], entry_points=False)
    model = next(model for model in registry.models() if model.provider == FakeProvider.name)
    document = {"model": model.id, "prompt": "x", "provider_options": {"fake": {}}}
    with_options = request_schema(model, "generate", registry.provider_for(model))
    without = request_schema(model, "generate", WithoutOptions())
    assert jsonschema.Draft202012Validator(with_options).is_valid(document)
    assert not jsonschema.Draft202012Validator(without).is_valid(document)
    assert jsonschema.Draft202012Validator(without).is_valid({**document, "provider_options": {}})
