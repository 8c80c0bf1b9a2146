"""Google's JSON takes each field name in two spellings: camelCase and snake_case."""

from __future__ import annotations

from typing import Any

__all__ = ["camel", "field_of"]


def camel(name: str) -> str:
    """``generation_config`` -> ``generationConfig`` (Google's JSON takes either)."""
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def field_of(holder: Any, name: str) -> Any:
    """``holder[name]``, its key in either spelling (a field passed through keeps its own)."""
    if not isinstance(holder, dict):
        return None
    if name in holder:
        return holder[name]
    return next((value for key, value in holder.items() if camel(key) == name), None)
