"""The multipart request being built for one call, and every change made on the way."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from limner import Changes, FilePart, ProviderCall

__all__ = ["Plan", "form_value"]


def form_value(value: Any) -> str:
    """A multipart text part: whole numbers without a decimal point, other scalars as given,
    anything else as compact JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


@dataclass
class Plan(Changes):
    """Fields (in order), files, adjustments and notices of one call to ``endpoint`` (the path
    under ``/v2beta/stable-image/``)."""

    call: ProviderCall
    endpoint: str
    mode: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[FilePart] = field(default_factory=list)

    @property
    def model_name(self) -> str:
        return self.call.model.name

    @property
    def what(self) -> str:
        """The endpoint for messages: ``/generate/sd3``, ``/edit/inpaint``..."""
        return f"/{self.endpoint}"

    def set(self, name: str, value: Any) -> None:
        self.fields[name] = form_value(value)
