"""Image output through chat completions, with multi-turn image editing.

``client.chat.completions.create(model=..., messages=[...])`` returns an OpenAI
``chat.completion`` whose assistant message carries the images (``message.images``, and the first
image's data URL as ``content`` when the model said nothing). Append that message to ``messages``
and ask for a change: the provider's state for the turn (``message.limner``) goes back with it.

Providers serve it through optional methods of the provider contract
(:meth:`~limner.Provider.translate_chat`, :meth:`~limner.Provider.parse_chat_response`) for
models that list ``"chat"`` in their capabilities.
"""

from __future__ import annotations

from .contract import ChatCall, ChatPart, ChatResult, ChatTurn
from .engine import NOT_SUPPORTED, TEXT_ONLY, ChatEngine
from .messages import NO_STATE, build_chat_request
from .response import (
    ChatChoice,
    ChatCompletion,
    ChatUsage,
    CompletionTokensDetails,
    PromptTokensDetails,
)
from .schema import (
    AnswerMessage,
    ChatMessage,
    ChatRequest,
    ImagePart,
    ImageURL,
    MessageState,
    RefusalPart,
    SystemMessage,
    TextPart,
    UserMessage,
)

__all__ = [
    "NOT_SUPPORTED",
    "NO_STATE",
    "TEXT_ONLY",
    "AnswerMessage",
    "ChatCall",
    "ChatChoice",
    "ChatCompletion",
    "ChatEngine",
    "ChatMessage",
    "ChatPart",
    "ChatRequest",
    "ChatResult",
    "ChatTurn",
    "ChatUsage",
    "CompletionTokensDetails",
    "ImagePart",
    "ImageURL",
    "MessageState",
    "PromptTokensDetails",
    "RefusalPart",
    "SystemMessage",
    "TextPart",
    "UserMessage",
    "build_chat_request",
]
