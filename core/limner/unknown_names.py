"""Names a plugin's options model does not declare: pydantic ignores them by default, so an
unknown option (or one in a nested option's object) would be dropped without a word. Core
refuses them, by validation and in the published JSON Schema, unless the plugin takes unknown
names somewhere (``extra="allow"``), where it keeps its own rules below the top level."""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, get_args

from pydantic import BaseModel
from typing_extensions import is_typeddict

__all__ = [
    "forbid_in_schema",
    "takes_other_names",
    "takes_unknown_names",
    "top_level_forbidding",
]


@functools.cache
def takes_unknown_names(model: type[BaseModel]) -> bool:
    """Whether ``model``, or a model, dataclass or ``TypedDict`` it holds at any depth, takes
    names it does not declare (``extra="allow"``): refusing them everywhere would refuse what
    the plugin means to take. A type whose fields cannot be read counts as taking them."""
    return any(_config(kind).get("extra") == "allow" for kind in _kinds_in(model))


@functools.cache
def takes_other_names(model: type[BaseModel]) -> bool:
    """Whether a model in ``model`` takes a field under a name its JSON Schema does not list
    (``AliasChoices``, an ``AliasPath``, or its Python name beside its alias): closing the
    schema's objects would refuse names validation takes."""
    for kind in _kinds_in(model):
        config = _config(kind)
        if config.get("populate_by_name") or config.get("validate_by_name"):
            return True
        fields = getattr(kind, "model_fields", None) or getattr(kind, "__pydantic_fields__", None)
        for field in (fields or {}).values():
            alias = getattr(field, "validation_alias", None)
            if alias is not None and not isinstance(alias, str):
                return True
    return False


def _config(kind: type) -> Mapping[str, Any]:
    config = getattr(kind, "model_config", None) or getattr(kind, "__pydantic_config__", None)
    return config if isinstance(config, Mapping) else {}


@functools.cache
def _kinds_in(model: type) -> tuple[type, ...]:
    """``model`` and every model, dataclass and ``TypedDict`` its fields name, at any depth.
    A type whose field types cannot be read stands for one that takes anything (a
    ``_Unreadable``)."""
    seen: list[type] = []
    pending: list[type] = [model]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.append(current)
        try:
            hints = typing.get_type_hints(current)
        except Exception:  # (a forward reference it cannot resolve)
            seen.append(_Unreadable)
            continue
        for annotation in hints.values():
            pending += _kinds(annotation)
    return tuple(seen)


class _Unreadable:
    __pydantic_config__: ClassVar[Mapping[str, Any]] = {"extra": "allow"}


def _kinds(annotation: Any) -> list[type]:
    """The models, dataclasses and ``TypedDict`` types an annotation names, inside unions,
    lists and dicts too."""
    if isinstance(annotation, type) and (
        issubclass(annotation, BaseModel)
        or dataclasses.is_dataclass(annotation)
        or is_typeddict(annotation)  # (typing's misses typing_extensions' on 3.11)
    ):
        return [annotation]
    return [kind for arg in get_args(annotation) for kind in _kinds(arg)]


@functools.cache
def top_level_forbidding(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` refusing names it does not take at its top level."""
    config = {**model.model_config, "extra": "forbid"}
    forbidding: type[BaseModel] = type(model.__name__, (model,), {"model_config": config})
    return forbidding


def forbid_in_schema(
    model: type[BaseModel], own: dict[str, Any], defs: dict[str, Any] | None
) -> None:
    """Say in ``model``'s JSON Schema (``own``, and the ``defs`` it refers to) what validation
    refuses: ``additionalProperties: false`` on each object that declares its properties, or on
    the top one alone when the plugin takes unknown names below it; on none when a model takes
    names the schema does not list (:func:`takes_other_names`)."""
    if model.model_config.get("extra") == "allow" or takes_other_names(model):
        return
    objects = [own] if takes_unknown_names(model) else [own, *(defs or {}).values()]
    for schema in objects:
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
