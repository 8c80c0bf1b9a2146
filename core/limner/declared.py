"""The base of what a plugin declares about its models: frozen data that refuses fields it does
not know, and the operations a model may support; and its check again, for data a plugin made
with ``model_copy(update=...)``, which validates nothing."""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = ["Frozen", "Operation", "revalidated"]

Operation = Literal["generate", "edit", "variation", "chat"]


class Frozen(BaseModel):
    """Declared data: immutable, and a misspelt field is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


DataT = TypeVar("DataT", bound=BaseModel)


def revalidated(data: DataT) -> DataT:
    """``data`` checked as its constructor would have checked it: itself when valid, or the
    converted copy (a dict given for a nested model becomes that model). Raises ``ValueError``
    naming the first field that is unknown (a misspelling) or invalid."""
    unknown = _unknown(data, "")
    if unknown:
        raise ValueError(f"{unknown[0]}: no such field")
    try:
        checked = type(data).model_validate(data.model_dump(warnings=False, round_trip=True))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    return data if checked == data else checked  # the plugin's own object, when it was valid


def _unknown(value: object, path: str) -> list[str]:
    """The dotted names of fields set on ``value`` (a model, or a list, tuple or dict of them)
    that its class does not declare."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        found = [f"{path}{key}" for key in vars(value) if key not in fields]
        for key in fields:
            found += _unknown(getattr(value, key), f"{path}{key}.")
        return found
    if isinstance(value, list | tuple):
        return [name for i, item in enumerate(value) for name in _unknown(item, f"{path}{i}.")]
    if isinstance(value, dict):
        return [name for k, item in value.items() for name in _unknown(item, f"{path}{k}.")]
    return []
