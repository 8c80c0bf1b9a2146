"""Rules between two request fields (:attr:`limner.Capabilities.field_rules`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .declared import Frozen

__all__ = ["FieldRule", "RuleField"]


RuleField = Literal[
    "n",
    "size",
    "quality",
    "response_format",
    "style",
    "background",
    "output_format",
    "output_compression",
    "moderation",
    "seed",
    "negative_prompt",
    "edit_mode",
    "mask",
    "input_fidelity",
]
"""The request fields a :class:`FieldRule` can name."""


class FieldRule(Frozen):
    """A rule between two request fields that the model's plugin enforces: when ``when`` is one
    of ``values``, ``then`` must be one of ``allowed``, or be left unset when ``allowed`` is
    empty. Core checks it before translation (refusing with an error naming ``then``) and
    publishes it in the model's request schema as ``if``/``then``, for every operation that has
    both fields."""

    when: RuleField
    values: tuple[str | int, ...] = Field(min_length=1)
    then: RuleField
    allowed: tuple[str | int, ...] = Field(default=(), description="empty: leave the field unset")
    reason: str = Field(description="why, in a few words, for the error and the schema")
