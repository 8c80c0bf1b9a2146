"""Token usage as providers report it: a response's ``usage``, summed over split calls."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import ConfigDict, Field

from .shaped import OpenAIShaped

__all__ = ["InputTokensDetails", "OutputTokensDetails", "Usage", "reported_usage"]


class InputTokensDetails(OpenAIShaped):
    model_config = ConfigDict(defer_build=True)

    text_tokens: int = 0
    image_tokens: int = 0


class OutputTokensDetails(OpenAIShaped):
    model_config = ConfigDict(defer_build=True)

    text_tokens: int = 0
    image_tokens: int = 0


class Usage(OpenAIShaped):
    """Token usage as the provider reported it (summed over split calls)."""

    model_config = ConfigDict(defer_build=True)

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: InputTokensDetails = Field(default_factory=InputTokensDetails)
    output_tokens_details: OutputTokensDetails | None = None

    def __add__(self, other: Usage) -> Usage:
        out: OutputTokensDetails | None = None
        if self.output_tokens_details or other.output_tokens_details:
            # no breakdown: every output token is an image's, as pricing reads it
            mine = self.output_tokens_details or OutputTokensDetails(
                image_tokens=self.output_tokens
            )
            theirs = other.output_tokens_details or OutputTokensDetails(
                image_tokens=other.output_tokens
            )
            out = OutputTokensDetails(
                text_tokens=mine.text_tokens + theirs.text_tokens,
                image_tokens=mine.image_tokens + theirs.image_tokens,
            )
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            input_tokens_details=InputTokensDetails(
                text_tokens=self.input_tokens_details.text_tokens
                + other.input_tokens_details.text_tokens,
                image_tokens=self.input_tokens_details.image_tokens
                + other.input_tokens_details.image_tokens,
            ),
            output_tokens_details=out,
        )


def reported_usage(outcomes: Iterable[object]) -> Usage | None:
    """The usage every outcome reported, summed (a result's, or a failed call's error's): what
    the provider may bill for a request that raises, whatever its calls made."""
    usages = [usage for o in outcomes if (usage := getattr(o, "usage", None)) is not None]
    return sum(usages[1:], usages[0]) if usages else None
