"""A call's keyword arguments (or a request's JSON) as a request model: ``extra_body`` merged,
the OpenAI SDK's per-request options refused, errors naming the parameter. The Python clients,
the chat surface and the standard tests build their requests here."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InvalidRequestError
from .input_errors import invalid_input
from .requests import EditRequest, fields_elsewhere
from .values import not_json

__all__ = ["build_request", "edit_request", "sdk_unset"]

_Model = TypeVar("_Model", bound=BaseModel)


_NOT_FIELDS = {
    "timeout": "is not a request field but a client setting: AsyncClient(timeout=...), or "
    "client.with_options(timeout=...), or timeout= on a call of the Python client",
    "max_retries": "is not a request field but a client setting: AsyncClient(max_retries=...), "
    "or client.with_options(max_retries=...), or max_retries= on a call of the Python client",
    "extra_query": "is not supported: limner builds each provider's URL itself",
    "api_key": "is not a request field (it would be sent to the provider in the body) but a "
    "provider setting: AsyncClient(providers={PROVIDER: {'api_key': ...}}), or the provider's "
    "environment variable",
    "base_url": "is not a request field but a provider setting: "
    "AsyncClient(providers={PROVIDER: {'base_url': ...}}), or the provider's environment "
    "variable",
}
"""OpenAI SDK per-request options, and its client's credential and base URL (which its calls
refuse), which would otherwise be forwarded to the provider as body fields (unknown fields are;
inside ``extra_body`` they are, as the caller asked)."""


_SDK_UNSET = frozenset({"NotGiven", "Omit"})
"""The openai SDK's markers for an argument left out (``openai.NOT_GIVEN``, ``openai.omit``),
which code written for the SDK passes on: limner reads them as left out too."""


def sdk_unset(value: object) -> bool:
    kind = type(value)
    return kind.__name__ in _SDK_UNSET and kind.__module__.startswith("openai")


def _without_sdk_unset(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if not sdk_unset(value)}


def _headers_without_sdk_unset(headers: Any) -> Any:
    """``extra_headers`` without the headers set to one of the SDK's markers: left out, as the
    SDK leaves them out (what is no dict is left for validation to refuse)."""
    if isinstance(headers, Mapping) and any(sdk_unset(value) for value in headers.values()):
        return _without_sdk_unset(headers)
    return headers


def build_request(
    cls: type[_Model],
    fields: Mapping[str, Any],
    *,
    locate: Callable[[list[str]], list[str]] | None = None,
) -> _Model:
    """Validate user input (keyword arguments or request JSON) into a request model;
    ``extra_body`` entries join the top level. Errors name the parameter (``locate`` may reshape
    pydantic's location of it)."""
    values = dict(fields)
    if "openai" in sys.modules and any(sdk_unset(value) for value in values.values()):
        values = _without_sdk_unset(values)  # (no SDK imported: none of its markers here)
    extra = values.pop("extra_body", None)
    if extra is not None and not isinstance(extra, Mapping):
        raise InvalidRequestError(
            f"extra_body must be a dict of request fields, not a {type(extra).__name__}",
            param="extra_body",
        )
    if not values.keys().isdisjoint(_NOT_FIELDS):  # (the common case: none of them)
        _drop_sdk_options(values)
    if extra:
        values.update(_extra_fields(extra, values))
    if "openai" in sys.modules and values.get("extra_headers"):
        values["extra_headers"] = _headers_without_sdk_unset(values["extra_headers"])
    if None in values.values():  # null means unset: a forwarded field set to None is not sent
        values = _without_unknown_nulls(values, _field_names(cls))
    if len(values) > MAX_FORWARDED:  # (the common case: a dozen fields, none looked at)
        _check_forwarded_count(cls, values)
    try:
        request = cls.model_validate(values)
    except ValidationError as exc:
        raise invalid_input(exc, locate=locate) from None
    if request.model_extra:  # forwarded as given: JSON must be able to carry them
        elsewhere = fields_elsewhere(cls)  # another operation's fields: set aside, not sent
        for name, value in request.model_extra.items():
            found = None if name in elsewhere else not_json(value, name)
            if found is not None:
                where, why = found
                raise InvalidRequestError(
                    f"{where}: {why}; give a string, a number, a boolean, a list or an object",
                    param=where,
                )
    return request


def _without_unknown_nulls(values: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """``values`` without the fields set to ``None`` that are not ``known`` (apart from
    :func:`build_request`: its comprehension's closure is made only for a null)."""
    return {name: value for name, value in values.items() if value is not None or name in known}


def _drop_sdk_options(values: dict[str, Any]) -> None:
    """Take the OpenAI SDK's per-request options out of ``values``: one set to ``None`` is
    unset, as in the SDKs; any other value is refused, naming where it goes instead.
    (``extra_body``'s own fields are the user's call.)"""
    misplaced = {name for name in values.keys() & _NOT_FIELDS.keys() if values[name] is not None}
    for name in values.keys() & _NOT_FIELDS.keys() - misplaced:
        del values[name]
    if misplaced:
        name = min(misplaced)
        raise InvalidRequestError(f"{name} {_NOT_FIELDS[name]}", param=name)


def _extra_fields(extra: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``extra_body``'s fields that join ``values``: those set (an extra set to ``None``
    unsets nothing: it is left out); one given with another value in ``values`` too is
    refused, as neither may win silently."""
    fields = {
        name: value for name, value in extra.items() if value is not None and not sdk_unset(value)
    }
    twice = sorted(
        name for name in fields.keys() & values.keys() if values[name] not in (None, fields[name])
    )
    if twice:
        raise InvalidRequestError(
            f"{twice[0]} is given twice, as an argument and in extra_body, with different "
            "values; give it once",
            param=twice[0],
        )
    return fields


def edit_request(
    model: str, prompt: str | None, image: Any, params: Mapping[str, Any]
) -> EditRequest:
    """``images.edit``'s arguments as a request: the images are ``image`` (one image or a list,
    as the OpenAI SDK takes them) or ``images`` (a list, as the request's JSON Schema names
    them), given once. A ``None`` prompt is none, as the schema's null is (for the edit modes
    that need none; a model that needs one says so)."""
    prompt = "" if prompt is None else prompt
    images = params.get("images")  # None: unset
    image = None if sdk_unset(image) else image
    images = None if sdk_unset(images) else images
    if image is not None and images is not None:
        raise InvalidRequestError(
            "images: give the images once, as image= (one image or a list) or images= (a list)",
            param="images",
        )
    if image is None and images is None:
        raise InvalidRequestError(
            "image: give the image(s) to edit, as image= (one image or a list) or images= (a list)",
            param="image",
            code="missing_required_parameter",
        )
    rest = {name: value for name, value in params.items() if name != "images"}
    given = image if image is not None else images
    return build_request(EditRequest, {"model": model, "prompt": prompt, "images": given, **rest})


MAX_FORWARDED = 64
"""Unknown top-level fields a request may carry, forwarded to the provider: more is no request a
provider takes, and each costs a look for a typo (a gateway body with a million keys held its
event loop for most of a minute)."""


def _check_forwarded_count(cls: type[BaseModel], values: Mapping[str, Any]) -> None:
    known = _field_names(cls)
    unknown = [name for name in values if name not in known]
    if len(unknown) > MAX_FORWARDED:
        first = ", ".join(str(name)[:40] for name in unknown[:3])
        raise InvalidRequestError(
            f"{len(unknown)} fields limner does not know ({first}, ...): at most "
            f"{MAX_FORWARDED} are forwarded to the provider; check the field names",
            param=str(unknown[0])[:40],
        )


@functools.cache
def _field_names(cls: type[BaseModel]) -> frozenset[str]:
    """The names ``cls`` reads as its own fields (their aliases too)."""
    fields = cls.model_fields
    return frozenset({*fields, *(field.alias for field in fields.values() if field.alias)})
