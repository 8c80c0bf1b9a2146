"""Each built-in provider's ``provider_options`` in its models' request schemas: the JSON Schema
of its options model, under each of its names, agreeing with what limner accepts."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any, ClassVar, Literal, NamedTuple

import jsonschema
import pytest
from PIL import Image
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, create_model

import limner
from limner.inputs import provider_options as read_options

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
    """A value pydantic reads in lax mode that JSON Schema types strictly: 0 or 1 as a boolean,
    digits as a number (multipart forms carry every value as text). ``true`` is no number in
    either (:data:`limner.values.Number`)."""
    return (type(value) is int and value in (0, 1)) or (isinstance(value, str) and value.isdigit())


def _document(
    model: str, operation: limner.Operation, options: dict[str, Any] | None
) -> dict[str, Any]:
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
    model_schema = provider.options_model.model_json_schema()
    for own in published.values():
        assert own["additionalProperties"] is False
        assert own["description"] == f"options only {provider.display_name} understands"
        assert set(own["properties"]) == set(provider.options_model.model_fields)
        for field, prop in own["properties"].items():
            assert prop.get("description") == model_schema["properties"][field].get("description")
            assert jsonschema.Draft202012Validator(prop).is_valid(None)  # null: unset
    assert options["additionalProperties"] == {"type": ["object", "null"]}  # other providers
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_schema_and_the_options_model_agree(name: str) -> None:
    """Every value the schema takes, limner takes; every value the schema refuses, limner refuses
    too, except the lax forms pydantic reads (:func:`_lax`). ``null`` is unset, in both."""
    model, operation = MODELS[name]
    with limner.Client(environ={}) as client:
        registry = client.registry
        provider = registry.provider_for(client.models.retrieve(model))
        schema = client.models.schema(model, operation)
    validator = jsonschema.Draft202012Validator(schema)
    fields = schema["properties"]["provider_options"]["properties"][name]["properties"]
    checked = refused = 0
    for field, prop in fields.items():
        enums = [value for part in prop.get("anyOf", [prop]) for value in part.get("enum", [])]
        for value in [*GRID, *enums]:
            options = {field: value}
            in_schema = validator.is_valid(_document(model, operation, {name: options}))
            request = limner.GenerateRequest(
                model=model, prompt="x", provider_options={name: options}
            )
            try:
                read_options(request, provider, registry)
                in_limner = True
            except limner.InvalidRequestError:
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
    unset: Any = None  # null is unset, for provider_options as for every optional field
    assert validator.is_valid(_document(model, operation, unset))


class _Published(NamedTuple):
    model: str
    schema: dict[str, Any]
    provider: limner.Provider
    registry: limner.plugins.Registry


def _fake_schema(options_model: type[BaseModel] | None) -> _Published:
    """The test suite's fake model, and its generate schema as published for a provider whose
    options model is ``options_model``: how a third-party plugin's options are published."""
    from limner.schema import request_schema

    from ..core.fakeprovider import FakePlugin, FakeProvider

    class WithOptions(FakeProvider):
        pass

    WithOptions.options_model = options_model
    registry = limner.plugins.Registry([FakePlugin()], entry_points=False)
    model = next(model for model in registry.models() if model.provider == FakeProvider.name)
    provider = WithOptions()
    schema = request_schema(model, "generate", provider)
    jsonschema.Draft202012Validator.check_schema(schema)
    return _Published(model.id, schema, provider, registry)


def test_a_provider_without_options_takes_none_in_the_schema() -> None:
    from ..core.fakeprovider import FakeOptions

    model, with_options, _, _ = _fake_schema(FakeOptions)
    without = _fake_schema(None).schema
    document = {"model": model, "prompt": "x", "provider_options": {"fake": {}}}
    assert jsonschema.Draft202012Validator(with_options).is_valid(document)
    assert not jsonschema.Draft202012Validator(without).is_valid(document)
    assert jsonschema.Draft202012Validator(without).is_valid({**document, "provider_options": {}})


def _see_through_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (512, 512), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("spelled", ["stability", "stabilityai"])
def test_errors_and_adjustments_name_the_options_as_the_caller_spelt_them(spelled: str) -> None:
    """Options under an alias are named under that alias: in a refusal of the options model, in
    a refusal by the plugin (param and message) and in an adjustment."""
    model, image = "stabilityai/sd3.5-large", _see_through_png()
    with limner.Client(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as invalid:
            client.images.generate(
                model=model, prompt="x", provider_options={spelled: {"cfg_scale": 50}}, dry_run=True
            )
        with pytest.raises(limner.InvalidRequestError) as refused:
            client.images.edit(
                model=model,
                prompt="x",
                image=image,
                edit_mode="search-and-replace",
                provider_options={spelled: {}},
                dry_run=True,
            )
        adjusted = client.images.edit(
            model=model,
            prompt="x",
            image=image,
            edit_mode="inpaint",
            provider_options={spelled: {"left": 10}},
            dry_run=True,
        )
    assert invalid.value.param == f"provider_options.{spelled}.cfg_scale"
    assert refused.value.param == f"provider_options.{spelled}.search_prompt"
    assert f"needs provider_options.{spelled}.search_prompt" in refused.value.message
    assert [a.param for a in adjusted.adjustments] == [f"provider_options.{spelled}.left"]


def test_warnings_and_quoted_values_under_an_alias() -> None:
    """A notice names the options as the caller spelt them; a value quoted back is left as
    given, even when it reads like an option's name."""
    model, image = "stabilityai/sd3.5-large", _see_through_png()
    with limner.Client(environ={}) as client:
        result = client.images.edit(
            model=model,
            prompt="x",
            image=image,
            edit_mode="image-to-image",
            provider_options={"stability": {"cfg_scale": 5}},
            dry_run=True,
        )
        with pytest.raises(limner.InvalidRequestError) as quoted:
            client.images.generate(
                model="amazon/amazon.nova-canvas-v1:0",
                prompt="x",
                image_config={"image_size": "provider_options.amazon"},
                provider_options={"nova_canvas": {}},
                dry_run=True,
            )
    notices = [w for w in result.warnings if w.param and w.param.startswith("provider_options")]
    assert notices and all(
        (w.param or "").startswith("provider_options.stability.") for w in notices
    )
    assert all("provider_options.stabilityai" not in w.message for w in notices)
    assert any("provider_options.stability." in w.message for w in notices)
    assert "'provider_options.amazon'" in quoted.value.message


def test_a_providers_options_set_to_null_are_unset() -> None:
    with limner.Client(environ={}) as client:
        result = client.images.generate(
            model="google/gemini-2.5-flash-image",
            prompt="x",
            provider_options={"google": None, "openai": None},
            dry_run=True,
        )
        schema = client.models.schema("google/gemini-2.5-flash-image")
    assert not result.adjustments
    document = {"model": "m", "prompt": "x", "provider_options": {"google": None, "openai": None}}
    assert jsonschema.Draft202012Validator(schema).is_valid(document)


def test_an_option_set_to_null_is_unset() -> None:
    with limner.Client(environ={}) as client:
        plain, nulls = (
            client.images.generate(
                model="google/gemini-2.5-flash-image",
                prompt="x",
                provider_options=options,
                dry_run=True,
            )
            for options in (None, {"google": {"response_modalities": None, "temperature": None}})
        )
    assert nulls.requests[0]["json"] == plain.requests[0]["json"]
    assert nulls.adjustments == plain.adjustments


def test_an_options_model_with_nested_models_keeps_its_references() -> None:
    """A third-party options model that nests models: their definitions are lifted to the
    schema's top-level ``$defs``, where the references point."""

    class Region(BaseModel):
        x: float = Field(ge=0, le=1)

    class Nested(BaseModel):
        model_config = ConfigDict(extra="forbid")

        region: Region | None = None
        regions: list[Region] = []
        home: Region = Region(x=0)  # a $ref with a default: null unsets it
        mode: Literal["fast", "slow"] = "fast"  # an enum with a type: null unsets it

    model, schema, provider, registry = _fake_schema(Nested)
    assert "Region" in schema["$defs"]
    validator = jsonschema.Draft202012Validator(schema)

    def document(options: dict[str, Any]) -> dict[str, Any]:
        return {"model": model, "prompt": "x", "provider_options": {"fake": options}}

    assert validator.is_valid(document({"region": {"x": 0.5}, "regions": [{"x": 1}]}))
    assert not validator.is_valid(document({"region": {"x": 2}}))
    assert not validator.is_valid(document({"regions": [{"x": -1}]}))
    nulls = {"region": None, "regions": None, "home": None, "mode": None}
    assert validator.is_valid(document(nulls))  # unset, as limner reads them:
    request = limner.GenerateRequest(model=model, prompt="x", provider_options={"fake": nulls})
    assert read_options(request, provider, registry) == Nested()
    assert not validator.is_valid(document({"mode": "medium"}))


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (
            {"nova_canvas": {"colors": ["red"]}},
            "provider_options.nova_canvas.colors[0]: 'red' is not a #RRGGBB color, such as #FF8800",
        ),
        ({"amazon": 3}, "provider_options.amazon: should be an object (a JSON object)"),
    ],
)
def test_option_errors_are_worded_in_json_terms(options: dict[str, Any], says: str) -> None:
    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(
            model="amazon/amazon.nova-canvas-v1:0",
            prompt="x",
            provider_options=options,
            dry_run=True,
        )
    assert caught.value.message == says


def test_unknown_options_are_refused_even_where_the_model_would_ignore_them() -> None:
    """An options model without ``extra="forbid"`` (pydantic's default ignores unknown names):
    core refuses an unknown option all the same, listing the names the model takes (its
    aliases)."""
    from limner.inputs import provider_options as read

    from ..core.fakeprovider import FakePlugin, FakeProvider

    class Loose(BaseModel):
        cfg_scale: float | None = Field(None, alias="cfgScale")

    class WithLoose(FakeProvider):
        options_model: ClassVar[type[BaseModel] | None] = Loose

    registry = limner.plugins.Registry([FakePlugin()], entry_points=False)

    def options(given: dict[str, Any]) -> BaseModel | None:
        request = limner.GenerateRequest(model="m", prompt="x", provider_options={"fake": given})
        return read(request, WithLoose(), registry)

    assert options({"cfgScale": 3}) == Loose(cfgScale=3)
    for unknown in ("colour", "cfg_scale"):
        with pytest.raises(limner.InvalidRequestError) as caught:
            options({unknown: 3})
        assert caught.value.param == f"provider_options.fake.{unknown}"
        assert caught.value.message.endswith("not a setting here; the settings are cfgScale")


@pytest.mark.parametrize(
    ("field", "config", "taken", "listed"),
    [
        (Field(None, validation_alias="cfgScale"), ConfigDict(), ["cfgScale"], "cfgScale"),
        (
            Field(None, validation_alias=AliasChoices("cfgScale", "cfg")),
            ConfigDict(),
            ["cfgScale", "cfg"],
            "cfg, cfgScale",
        ),
        (
            Field(None, alias="cfgScale"),
            ConfigDict(validate_by_name=True),
            ["cfgScale", "cfg_scale"],
            "cfgScale, cfg_scale",
        ),
    ],
)
def test_unknown_options_follow_pydantics_own_names(
    field: Any, config: ConfigDict, taken: list[str], listed: str
) -> None:
    """Every name pydantic takes is taken (validation aliases, names where the model validates
    by name); the rest are refused, listing those names."""
    from limner.inputs import provider_options as read

    from ..core.fakeprovider import FakePlugin, FakeProvider

    named = create_model("Named", __config__=config, cfg_scale=(float | None, field))

    class WithNamed(FakeProvider):
        options_model: ClassVar[type[BaseModel] | None] = named

    registry = limner.plugins.Registry([FakePlugin()], entry_points=False)

    def options(given: dict[str, Any]) -> Any:
        request = limner.GenerateRequest(model="m", prompt="x", provider_options={"fake": given})
        return read(request, WithNamed(), registry)

    for name in taken:
        assert options({name: 3}).cfg_scale == 3
    with pytest.raises(limner.InvalidRequestError) as caught:
        options({"colour": 3})
    assert caught.value.message.endswith(f"not a setting here; the settings are {listed}")


class _Floaty:
    """A value with ``__float__``, as numpy's scalars have."""

    def __float__(self) -> float:
        return float("nan")


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), "nan", "1e400", Decimal("NaN"), _Floaty()]
)
def test_a_number_that_json_cannot_spell_is_refused(value: Any) -> None:
    with limner.Client(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as option:
            client.images.generate(
                model="stabilityai/sd3.5-large",
                prompt="x",
                provider_options={"stability": {"cfg_scale": value}},
                dry_run=True,
            )
        with pytest.raises(limner.InvalidRequestError) as forwarded:
            client.images.generate(
                model="stabilityai/sd3.5-large",
                prompt="x",
                extra_body={"tuning": {"steps": (1, float(value))}},
                dry_run=True,
            )
    assert option.value.param == "provider_options.stability.cfg_scale"
    assert "should be a finite number" in option.value.message
    assert forwarded.value.param == "tuning.steps[1]"
    assert "NaN and infinity cannot be sent as JSON" in forwarded.value.message


def test_a_forwarded_value_json_cannot_carry_is_refused_naming_it() -> None:
    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(
            model="stabilityai/sd3.5-large",
            prompt="x",
            extra_body={"tuning": [{"weight": Decimal("1.5")}]},
            dry_run=True,
        )
    assert caught.value.param == "tuning[0].weight"
    assert "a Decimal cannot be sent as JSON" in caught.value.message


def test_a_long_integer_is_an_integer_not_an_infinite_number() -> None:
    digits = "9" * 400
    assert limner.GenerateRequest(model="m", prompt="x", seed=digits).seed == int(digits)


def test_a_plugin_that_puts_nan_in_a_body_is_told_so() -> None:
    from limner.translation_check import translation_problem

    request = limner.WireRequest("POST", "https://example.test/v1", json={"w": float("nan")})
    problem = translation_problem(limner.Translation(request=request))
    assert problem is not None and "cannot be encoded" in problem


class _Rec(BaseModel):
    """Options that refer to themselves: pydantic puts the whole model in ``$defs``."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["a", "b"] = "a"
    fallback: _Rec | None = None


def test_an_options_model_that_refers_to_itself_publishes_its_options() -> None:
    model, schema, _, _ = _fake_schema(_Rec)
    validator = jsonschema.Draft202012Validator(schema)
    own = schema["properties"]["provider_options"]["properties"]["fake"]
    assert set(_non_null_branch(own)["properties"]) == {"mode", "fallback"}

    def document(options: dict[str, Any]) -> dict[str, Any]:
        return {"model": model, "prompt": "x", "provider_options": {"fake": options}}

    assert validator.is_valid(document({"mode": None, "fallback": {"mode": "b"}}))
    assert not validator.is_valid(document({"fallback": {"mode": "c"}}))
    assert not validator.is_valid(document({"colour": "red"}))


def _non_null_branch(prop: dict[str, Any]) -> dict[str, Any]:
    return prop if "properties" in prop else prop["anyOf"][0]
