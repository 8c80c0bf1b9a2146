"""What crosses the provider contract for chat: the conversation as core hands it over
(:class:`ChatCall`, with every image loaded) and what a provider's answer held
(:class:`ChatResult`).

A provider serves chat for a model by listing ``"chat"`` in its ``Capabilities.operations`` and
overriding :meth:`~limner.Provider.translate_chat` and
:meth:`~limner.Provider.parse_chat_response` (optionally ``parse_chat_error``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from ..capabilities import ModelInfo
from ..images import InputImage
from ..provider import ProviderSettings
from ..responses import Notice, Usage
from .response import FinishReason
from .schema import ChatRequest

__all__ = ["ChatCall", "ChatPart", "ChatResult", "ChatTurn"]


@dataclass(frozen=True)
class ChatPart:
    """One piece of a turn: text or a loaded image (exactly one is set). ``detail`` is the
    OpenAI hint an image part gave (``low``, ``high`` or ``auto``), for the plugin to map or
    to report as not sent."""

    text: str | None = None
    image: InputImage | None = None
    detail: str | None = None


@dataclass(frozen=True)
class ChatTurn:
    """One message of the conversation, images loaded and checked.

    ``index`` is its position in ``messages`` (for error ``param`` names). For an assistant turn,
    ``parts`` are its text then its final images (in ``message.images`` order), ``images`` those
    images alone, ``thought_images`` the interim ones, and ``state`` the provider's own state from
    ``message.limner`` when this provider made the turn (else ``None``: a turn from elsewhere, or
    one whose state was stripped), and ``state_model`` the id of the model that made it.
    ``name`` is the message's participant name, if it gave one, for the plugin to send or to
    report as not sent.
    """

    role: Literal["system", "user", "assistant"]
    parts: tuple[ChatPart, ...]
    index: int
    images: tuple[InputImage, ...] = ()
    thought_images: tuple[InputImage, ...] = ()
    state: Any = None
    state_model: str | None = None
    name: str | None = None

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts if part.text is not None)


@dataclass(frozen=True)
class ChatCall:
    """One HTTP call's worth of a chat request. ``index`` is the choice it makes (``n`` fans out
    into that many calls); ``options`` is the provider's validated ``provider_options``
    namespace."""

    model: ModelInfo
    request: ChatRequest
    settings: ProviderSettings
    turns: tuple[ChatTurn, ...]
    options: BaseModel | None = None
    index: int = 0


@dataclass(frozen=True)
class ChatResult:
    """What a provider's 2xx chat answer held.

    ``images`` and ``thought_images`` are ``data:`` (or https) URLs; ``text`` is what the model
    said (``None`` when nothing); ``state`` is JSON-serialisable provider state that core stores in
    ``message.limner.state`` and hands back in :attr:`ChatTurn.state` on the next turn.
    ``usage`` is priced with the model's token prices; ``reasoning_tokens`` (thinking) are
    already counted in ``usage.output_tokens`` (and in its output text tokens, which priced
    them); ``cached_tokens`` are the prompt tokens the provider read from its context cache,
    counted in ``usage.input_tokens``.
    """

    text: str | None
    images: list[str] = field(default_factory=list)
    thought_images: list[str] = field(default_factory=list)
    state: Any = None
    finish_reason: FinishReason = "stop"
    usage: Usage | None = None
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    id: str | None = None
    created: int | None = None
    warnings: list[Notice] = field(default_factory=list)
    request_id: str | None = None
    """The provider's id for the answer; core fills it in from its headers when left out."""
    billed_usd: Decimal | None = None
    """What the answer says this choice cost, in USD (see ``ProviderResult.billed_usd``)."""
