"""The chat-completions response: OpenAI's ``chat.completion`` plus ``cost``, ``provider``,
``adjustments`` and ``warnings``, with token usage broken down OpenAI's way."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, field_validator

from ..errors import LimnerError
from ..money import Usd
from ..responses import Adjustment, Notice, OpenAIShaped, Usage
from .schema import AnswerMessage, ChatMessage

__all__ = [
    "ChatChoice",
    "ChatCompletion",
    "ChatUsage",
    "CompletionTokensDetails",
    "FinishReason",
    "PromptTokensDetails",
]

FinishReason = Literal["stop", "length", "content_filter"]


class PromptTokensDetails(OpenAIShaped):
    text_tokens: int = 0
    image_tokens: int = 0
    cached_tokens: int = 0


class CompletionTokensDetails(OpenAIShaped):
    text_tokens: int = 0
    image_tokens: int = 0
    reasoning_tokens: int = Field(
        default=0, description="thinking tokens (counted in completion_tokens)"
    )


class ChatUsage(OpenAIShaped):
    """OpenAI's chat usage. ``completion_tokens`` includes reasoning and image tokens."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails = Field(default_factory=PromptTokensDetails)
    completion_tokens_details: CompletionTokensDetails = Field(
        default_factory=CompletionTokensDetails
    )

    @classmethod
    def from_usage(
        cls, usage: Usage, reasoning_tokens: int = 0, cached_tokens: int = 0
    ) -> ChatUsage:
        """From the provider's :class:`~limner.Usage` (the one core prices), whose output text
        tokens include the ``reasoning_tokens`` (priced as text): OpenAI's breakdown gives them
        apart."""
        out = usage.output_tokens_details
        image_out = out.image_tokens if out is not None else 0
        text_out = out.text_tokens if out is not None else usage.output_tokens
        text_out = max(text_out - reasoning_tokens, 0)
        return cls(
            prompt_tokens=usage.input_tokens,
            completion_tokens=usage.output_tokens,
            total_tokens=usage.total_tokens or usage.input_tokens + usage.output_tokens,
            prompt_tokens_details=PromptTokensDetails(
                text_tokens=usage.input_tokens_details.text_tokens,
                image_tokens=usage.input_tokens_details.image_tokens,
                cached_tokens=min(cached_tokens, usage.input_tokens),
            ),
            completion_tokens_details=CompletionTokensDetails(
                text_tokens=text_out, image_tokens=image_out, reasoning_tokens=reasoning_tokens
            ),
        )

    def __add__(self, other: ChatUsage) -> ChatUsage:
        def add(a: BaseModel, b: BaseModel) -> dict[str, int]:
            theirs = b.model_dump()
            return {key: value + theirs[key] for key, value in a.model_dump().items()}

        return ChatUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
            prompt_tokens_details=PromptTokensDetails(
                **add(self.prompt_tokens_details, other.prompt_tokens_details)
            ),
            completion_tokens_details=CompletionTokensDetails(
                **add(self.completion_tokens_details, other.completion_tokens_details)
            ),
        )


class ChatChoice(OpenAIShaped):
    index: int
    message: AnswerMessage
    finish_reason: FinishReason = "stop"
    logprobs: None = None

    @field_validator("message", mode="before")
    @classmethod
    def _any_assistant_message(cls, value: object) -> object:
        """A :class:`ChatMessage` made by hand (a test's stand-in answer) is taken as its
        fields; its content must then be text, as an answer's is."""
        if isinstance(value, ChatMessage) and not isinstance(value, AnswerMessage):
            return value.model_dump(exclude_unset=True)
        return value


class ChatCompletion(OpenAIShaped):
    """OpenAI's ``chat.completion``, plus what limner adds (``cost`` in USD: a ``Decimal`` in
    Python, a number in JSON)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: ChatUsage | None = None
    cost: Usd | None = Field(default=None, description="USD; null when the price is unknown")
    provider: str
    request_id: str | None = Field(
        default=None,
        description="the provider's id for the answer (the first choice's call's), for a "
        "support request to the provider",
    )
    adjustments: list[Adjustment] = Field(default_factory=list)
    warnings: list[Notice] = Field(default_factory=list)
    _failures: tuple[LimnerError, ...] = PrivateAttr(default=())

    @property
    def failures(self) -> tuple[LimnerError, ...]:
        """The errors of the choices (one call each) that failed while others answered, in
        order; each is also a ``call_failed`` (or ``content_filtered``) warning quoting it."""
        return self._failures

    @property
    def message(self) -> AnswerMessage:
        """The first choice's message."""
        return self.choices[0].message
