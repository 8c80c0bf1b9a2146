"""The provider contract's records keep their written-out ``__init__`` true to their fields."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from limner.provider import ProviderCall, ProviderResult, Translation
from limner.wire import NOT_PARSED, WireRequest, WireResponse

RECORDS = [ProviderCall, Translation, ProviderResult, WireRequest, WireResponse]


@pytest.mark.parametrize("record", RECORDS, ids=lambda cls: cls.__name__)
def test_init_takes_the_fields_in_order_with_their_defaults(record: type[Any]) -> None:
    parameters = list(inspect.signature(record.__init__).parameters.values())[1:]
    fields = dataclasses.fields(record)
    assert [p.name for p in parameters] == [f.name for f in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        assert parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        if field.default is not dataclasses.MISSING:
            assert parameter.default == field.default, field.name
        elif field.default_factory is not dataclasses.MISSING:
            assert parameter.default is None, field.name  # None stands for a fresh value
        else:
            assert parameter.default is inspect.Parameter.empty, field.name


def _values(record: type[Any]) -> dict[str, Any]:
    """A distinct stand-in per field, so a field stored under the wrong name shows."""
    return {field.name: f"<{field.name}>" for field in dataclasses.fields(record)}


@pytest.mark.parametrize("record", RECORDS, ids=lambda cls: cls.__name__)
def test_every_field_is_stored_and_frozen(record: type[Any]) -> None:
    values = _values(record)
    if record is WireRequest:
        values["headers"], values["secret_headers"] = {}, frozenset()
    made = record(**values)
    assert {f.name: getattr(made, f.name) for f in dataclasses.fields(record)} == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(record)[0].name, "changed")
    copy = dataclasses.replace(made)
    assert copy == made
    assert copy is not made


@pytest.mark.parametrize("record", RECORDS, ids=lambda cls: cls.__name__)
def test_defaults_fill_the_rest(record: type[Any]) -> None:
    required = {
        f.name: f"<{f.name}>"
        for f in dataclasses.fields(record)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    made = record(**required)
    for field in dataclasses.fields(record):
        if field.default is not dataclasses.MISSING:
            assert getattr(made, field.name) == field.default
        elif field.default_factory is not dataclasses.MISSING:
            assert getattr(made, field.name) == field.default_factory()


def test_mutable_defaults_are_fresh() -> None:
    first, second = ProviderResult(images=[]), ProviderResult(images=[])
    assert first.warnings == [] and first.warnings is not second.warnings
    assert WireRequest("GET", "u").headers is not WireRequest("GET", "u").headers


def test_wire_request_lowercases_header_names() -> None:
    request = WireRequest(
        "POST", "https://x", headers={"X-Api-Key": "k"}, secret_headers=frozenset({"X-Api-Key"})
    )
    assert request.headers == {"x-api-key": "k"}
    assert request.secret_headers == frozenset({"x-api-key"})
    assert request.redacted_headers() == {"x-api-key": "<redacted>"}


def test_wire_response_is_not_parsed_by_default() -> None:
    response = WireResponse(200, {}, b'{"a": 1}')
    assert response.parsed is NOT_PARSED
    assert response.json() == {"a": 1}


def test_a_dataclass_subclass_of_wire_request_still_lowercases() -> None:
    @dataclasses.dataclass(frozen=True)
    class Tagged(WireRequest):
        tag: str = "t"

    made = Tagged("GET", "u", headers={"X-Api-Key": "k"}, tag="x")
    assert made.headers == {"x-api-key": "k"} and made.tag == "x"


def test_a_json_body_is_encoded_once_for_signing_and_every_attempt() -> None:
    request = WireRequest(method="POST", url="https://example.com/v1", json={"prompt": "a fox"})
    encoded = request.json_bytes()
    assert encoded == b'{"prompt":"a fox"}'
    signed = request.with_headers({"authorization": "Bearer k"}, secret=True)
    assert signed.json_bytes() is encoded  # authorize's copy reuses it
    assert request.json_bytes() is encoded  # and so does the next attempt
    assert signed == request.with_headers({"authorization": "Bearer k"}, secret=True)
