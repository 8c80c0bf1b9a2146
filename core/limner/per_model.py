"""A value worked out once per declared model (a compiled schema, say)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from .capabilities import ModelInfo

__all__ = ["PerModel"]

T = TypeVar("T")


class PerModel(Generic[T]):
    """A value worked out by ``make`` once per model object. Models are immutable (a replaced
    model is a new object), so a value never goes stale; the few models a process makes are
    kept."""

    def __init__(self, make: Callable[[ModelInfo], T]) -> None:
        self._make = make
        self._values: dict[int, tuple[ModelInfo, T]] = {}

    def __call__(self, model: ModelInfo) -> T:
        entry = self._values.get(id(model))
        if entry is None or entry[0] is not model:  # an id reused by a newer object
            entry = self._values[id(model)] = (model, self._make(model))
        return entry[1]
