"""The response core builds without validating again is the one the constructor makes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from limner.errors import ProviderError
from limner.responses import (
    Adjustment,
    ImageData,
    ImagesResponse,
    Notice,
    Usage,
    built_response,
)


def _fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "created": 1700000000,
        "data": [ImageData(b64_json="aGk=")],
        "output_format": "png",
        "size": "1024x1024",
        "quality": "low",
        "background": None,
        "usage": Usage(input_tokens=10, output_tokens=272, total_tokens=282),
        "cost": Decimal("0.00821"),
        "provider": "openai",
        "model": "openai/gpt-image-2",
        "adjustments": [Adjustment(param="size", requested="1x1", applied=None, reason="r")],
        "warnings": [Notice(code="c", message="m", index=0)],
        "request_id": "req_1",
    }
    return {**fields, **changes}


def _same(built: ImagesResponse, made: ImagesResponse) -> None:
    assert built == made
    assert repr(built) == repr(made)
    assert built.model_fields_set == made.model_fields_set
    assert built.model_extra == made.model_extra
    assert built.model_dump() == made.model_dump()
    assert built.to_json() == made.to_json()
    assert built.failures == made.failures


class _Text(str):
    pass


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"cost": None, "usage": None, "warnings": [], "adjustments": [], "request_id": None},
        {"created": True},  # validated: 1
        {"size": _Text("1024x1024")},  # validated: a str
        {"usage": {"input_tokens": 3}},  # validated: a Usage
    ],
)
def test_built_as_the_constructor_makes_it(changes: dict[str, Any]) -> None:
    failures = (ProviderError("call 2 failed"),)
    built = built_response(_fields(**changes), failures)
    made = ImagesResponse(**_fields(**changes))
    made._failures = failures
    _same(built, made)
    assert type(built.size) is str and type(built.created) is int


@pytest.mark.parametrize(
    "changes",
    [
        {"created": "soon"},
        {"cost": Decimal("NaN")},
        {"warnings": [object()]},
        {"data": [None]},
        {"provider": None},
    ],
)
def test_refused_as_the_constructor_refuses_it(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as built:
        built_response(_fields(**changes))
    with pytest.raises(ValidationError) as made:
        ImagesResponse(**_fields(**changes))
    assert str(built.value) == str(made.value)


OTHERS = {"svg_usage": {"input_tokens": 9, "model": "m"}, "safety_identifier": None, "_x": 1}


@pytest.mark.parametrize(
    ("changes", "extra"),
    [
        ({}, OTHERS),
        ({}, {}),
        ({"created": True}, OTHERS),  # validated: 1, the others kept as they are
    ],
)
def test_a_providers_other_fields_are_kept_as_the_constructor_keeps_them(
    changes: dict[str, Any], extra: dict[str, Any]
) -> None:
    built = built_response(_fields(**changes), (), dict(extra))
    made = ImagesResponse(**_fields(**changes), **extra)
    _same(built, made)
    assert built.model_extra == extra
    assert getattr(built, "svg_usage", None) is extra.get("svg_usage")  # not copied
    assert list(built.model_dump())[len(ImagesResponse.model_fields) :] == list(extra)


def test_a_providers_field_named_no_str_is_refused_as_validation_refuses_it() -> None:
    with pytest.raises(ValidationError) as built:
        built_response(_fields(), (), {3: "x"})  # type: ignore[dict-item]
    with pytest.raises(ValidationError) as made:
        ImagesResponse.model_validate({**_fields(), 3: "x"})
    assert str(built.value) == str(made.value)


def test_the_unvalidated_way_knows_every_field_and_skips_no_validator() -> None:
    """``built_response`` checks each field's type by hand: a field, a validator or a setting
    for extra fields added to ``ImagesResponse`` must be added there too (this fails until the
    list below, and the check, are brought up to date)."""
    assert list(ImagesResponse.model_fields) == list(_fields())
    found = ImagesResponse.__pydantic_decorators__
    assert not (found.validators or found.field_validators or found.root_validators)
    assert not (found.model_validators or found.field_serializers or found.model_serializers)
    # other fields are kept as they come (built_response takes them as they are): none is typed
    assert ImagesResponse.model_config.get("extra") == "allow"
    assert "__pydantic_extra__" not in ImagesResponse.__annotations__
