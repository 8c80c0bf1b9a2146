"""Names a plugin's options model does not declare: pydantic ignores them by default, so an
unknown option (or one in a nested option's object) would be dropped without a word. Core
refuses them, by validation and in the published JSON Schema, unless the plugin takes unknown
names somewhere (``extra="allow"``), where it keeps its own rules below the top level."""

from __future__ import annotations

import functools
from typing import Any, get_args

from pydantic import BaseModel

__all__ = ["forbid_in_schema", "takes_unknown_names", "top_level_forbidding"]


@functools.cache
def takes_unknown_names(model: type[BaseModel]) -> bool:
    """Whether ``model``, or a model it holds at any depth, takes names it does not declare
    (``extra="allow"``): refusing them everywhere would refuse what the plugin means to take."""
    seen: set[type[BaseModel]] = set()
    pending = [model]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        if current.model_config.get("extra") == "allow":
            return True
        for field in current.model_fields.values():
            pending += _models_in(field.annotation)
    return False


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models a field's type names, inside unions, lists and dicts too."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


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
    the top one alone when the plugin takes unknown names below it."""
    if model.model_config.get("extra") == "allow":
        return
    objects = [own] if takes_unknown_names(model) else [own, *(defs or {}).values()]
    for schema in objects:
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
