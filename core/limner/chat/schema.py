"""Chat-completions request and message schemas: plain pydantic models that validate the OpenAI
JSON (``POST /v1/chat/completions``) and dump it back.

The assistant message is one class for both directions (:class:`ChatMessage`), so a response's
``choices[0].message`` (the object or its JSON) can be appended to ``messages`` as it is. It carries
two fields beyond OpenAI's:

* ``images``: the images the model made, ``[{"type": "image_url", "image_url": {"url":
  "data:image/png;base64,..."}}]`` (the OpenRouter convention);
* ``limner``: a :class:`MessageState` holding the provider's opaque state for this turn (signatures
  a model attaches to its text and image parts, say) and the interim "thought" images, kept apart
  from the final ones. Send the message back unchanged, from Python or stored JSON, and the next
  turn continues the same image.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from ..requests import ImageConfig, url_scheme_lowered
from ..shaped import OpenAIShaped
from ..values import Count, Integer, Number, ProviderOptions

__all__ = [
    "AnswerMessage",
    "ChatMessage",
    "ChatRequest",
    "ContentPart",
    "ImagePart",
    "ImageURL",
    "Message",
    "MessageState",
    "RefusalPart",
    "SystemMessage",
    "TextPart",
    "UserMessage",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _unset(value: Any) -> bool:
    return value is None


def _omitted(default: Any = None, **kwargs: Any) -> Any:
    """An optional field left out of dumps while unset (``None``)."""
    return Field(default=default, exclude_if=_unset, **kwargs)


class TextPart(_Strict):
    """``{"type": "text", "text": ...}``"""

    type: Literal["text"] = "text"
    text: str


class RefusalPart(_Strict):
    """``{"type": "refusal", "refusal": ...}``: an assistant message's refusal, as OpenAI's
    assistant content may give it."""

    type: Literal["refusal"] = "refusal"
    refusal: str


AssistantPart = Annotated[TextPart | RefusalPart, Field(discriminator="type")]


class ImageURL(_Strict):
    """An image as a ``data:`` URL or an https URL (``detail`` is OpenAI's hint, accepted)."""

    url: Annotated[str, AfterValidator(url_scheme_lowered)] = Field(repr=False)
    detail: Literal["auto", "low", "high"] | None = _omitted()


class ImagePart(_Strict):
    """``{"type": "image_url", "image_url": {"url": ...}}``"""

    type: Literal["image_url"] = "image_url"
    image_url: ImageURL

    @classmethod
    def of(cls, url: str) -> ImagePart:
        return cls(image_url=ImageURL(url=url))


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class SystemMessage(_Strict):
    """A system (or ``developer``) message: the provider's system instruction."""

    role: Literal["system", "developer"]
    content: str | list[TextPart]
    name: str | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class UserMessage(_Strict):
    """A user message: text, or a list of text and image parts."""

    role: Literal["user"]
    content: str | list[ContentPart]
    name: str | None = None

    @property
    def parts(self) -> list[TextPart | ImagePart]:
        if isinstance(self.content, str):
            return [TextPart(text=self.content)]
        return list(self.content)


class MessageState(_Strict):
    """limner's namespaced field on an assistant message (``message.limner``).

    ``provider`` and ``model`` say who made the turn; ``state`` is that provider's opaque JSON
    (only the same provider gets it back; it may refer to the message's ``images`` and
    ``thought_images`` by position); ``thought_images`` are interim images the model drew while
    thinking, never part of ``images``.
    """

    provider: str
    model: str
    state: Any = None
    thought_images: list[ImagePart] = Field(default_factory=list)


def _is_image_data_url(text: str) -> bool:
    """Whether ``text`` is a base64 ``data:image/...`` URL, as an answer's ``content`` is when it
    stands in for the first image (an SVG one is text: limner reads no vector images)."""
    head = text[:100].lower()
    if not head.startswith("data:image/") or ";base64," not in head:
        return False
    media_type = head[len("data:") :].split(";", 1)[0]  # (only it: base64 may spell "svg")
    return "svg" not in media_type


class ChatMessage(OpenAIShaped):
    """The assistant message, in responses and in ``messages``.

    ``content`` is the model's text or, when it said nothing, the first image's data URL.
    OpenAI's other response fields are accepted when empty, so SDK-made dumps validate. The
    reasoning other OpenAI-compatible services add to their assistant messages (``reasoning``,
    ``reasoning_details``, ``reasoning_content``) is accepted too, so such a conversation can
    continue here; it is another model's thinking, and is not sent on.
    """

    model_config = ConfigDict(extra="forbid")

    role: Literal["assistant"] = "assistant"
    content: str | list[AssistantPart] | None = None
    images: list[ImagePart] = Field(default_factory=list)
    limner: MessageState | None = _omitted()
    refusal: str | None = None
    name: str | None = _omitted()
    annotations: list[Any] | None = _omitted()
    audio: None = _omitted()
    function_call: None = _omitted()
    tool_calls: Annotated[list[Any], Field(max_length=0)] | None = _omitted()
    reasoning: str | None = _omitted()
    reasoning_details: list[Any] | None = _omitted()
    reasoning_content: str | None = _omitted()

    @property
    def text(self) -> str | None:
        """The text content (``None`` when the content is only the image stand-in)."""
        content = self.content
        if isinstance(content, list):
            content = "".join(part.text for part in content if isinstance(part, TextPart))
        if content is None:
            return None
        images = self.image_parts
        if images and content == images[0].image_url.url:
            return None
        return content

    @property
    def image_parts(self) -> list[ImagePart]:
        """The final images: ``images``, or, when a message comes back without them (an app
        that keeps only OpenAI's ``role`` and ``content``), the first image's data URL that
        ``content`` stands in with."""
        if self.images:
            return self.images
        content = self.content
        if isinstance(content, list):
            content = "".join(part.text for part in content if isinstance(part, TextPart))
        if content is not None and _is_image_data_url(content):
            return [ImagePart.of(content)]
        return []

    def image_bytes(self) -> list[bytes]:
        """The bytes of every (final) image given as a ``data:`` URL."""
        from ..base64_text import decode_data_url

        return [  # image_parts: content may stand in for the only image
            decode_data_url(
                part.image_url.url, param=f"images[{index}]" if self.images else "content"
            )
            for index, part in enumerate(self.image_parts)
            if part.image_url.url.startswith("data:")
        ]

    def to_param(self) -> dict[str, Any]:
        """The message as JSON, ready to append to ``messages`` (or to store)."""
        return self.model_dump(mode="json", exclude_none=True)


Message = Annotated[SystemMessage | UserMessage | ChatMessage, Field(discriminator="role")]

UNSUPPORTED_FIELDS = {
    "tools": "tool calls",
    "tool_choice": "tool calls",
    "functions": "function calls",
    "function_call": "function calls",
    "parallel_tool_calls": "tool calls",
    "logprobs": "log probabilities",
    "top_logprobs": "log probabilities",
    "audio": "audio output",
    "prediction": "predicted outputs",
    "web_search_options": "web search",
}
"""OpenAI fields limner's chat surface cannot honour for any provider yet: refused by name."""


class AnswerMessage(ChatMessage):
    """The assistant's message in a completion limner returns: ``content`` is its text, or the
    first image's data URL standing in for it, never a list of parts (OpenAI's response
    message types it ``str | None`` too)."""

    content: str | None = None


class ChatRequest(BaseModel):
    """``chat.completions.create``: OpenAI's request plus ``image_config`` and limner's
    ``provider_options``. Fields limner does not know go to the plugin's translation
    (:attr:`forwarded`), which sends those the provider reads and refuses the rest by name; every
    known field is sent, adjusted (listed in ``adjustments``) or refused by name. A field set to
    ``None`` is unset."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    model: str = Field(min_length=1, examples=["provider/model"])
    messages: list[Message] = Field(min_length=1)
    modalities: list[Literal["text", "image"]] | None = Field(
        default=None,
        description="what the answer may hold; ['image', 'text'] as OpenRouter sends it",
    )
    image_config: ImageConfig | None = None
    n: Count = Field(
        default=1, ge=1, le=10, description="choices, made by that many concurrent calls"
    )
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    temperature: Number = Field(default=None, ge=0, le=2)
    top_p: Number = Field(default=None, ge=0, le=1)
    max_tokens: Integer = Field(default=None, ge=1)
    max_completion_tokens: Integer = Field(default=None, ge=1)
    seed: Integer = None
    stop: str | list[str] | None = None
    frequency_penalty: Number = Field(default=None, ge=-2, le=2)
    presence_penalty: Number = Field(default=None, ge=-2, le=2)
    logit_bias: dict[str, float] | None = None
    response_format: dict[str, Any] | None = None
    reasoning_effort: str | None = None
    user: str | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    service_tier: str | None = None
    tools: list[Any] | None = None
    tool_choice: Any = None
    functions: list[Any] | None = None
    function_call: Any = None
    parallel_tool_calls: bool | None = None
    logprobs: bool | None = None
    top_logprobs: Integer = None
    audio: Any = None
    prediction: Any = None
    web_search_options: dict[str, Any] | None = None
    extra_headers: dict[str, str] | None = Field(default=None, repr=False)
    provider_options: ProviderOptions = Field(
        default=None, description="settings for one provider, under its name: {'<provider>': {...}}"
    )

    @field_validator("messages", mode="before")
    @classmethod
    def _plain_messages(cls, value: Any) -> Any:
        """Accept message objects of any pydantic class (an SDK's, say) as their JSON."""
        if isinstance(value, list | tuple):
            return [
                item.model_dump(mode="json", exclude_none=True)
                if isinstance(item, BaseModel) and not isinstance(item, ChatMessage)
                else item
                for item in value
            ]
        return value

    @property
    def forwarded(self) -> dict[str, Any]:
        """Unknown top-level fields, for the plugin to send or refuse."""
        return dict(self.model_extra or {})

    @property
    def max_output_tokens(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens
