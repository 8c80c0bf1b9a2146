"""Between OpenAI messages and the provider contract: load a conversation's images into
:class:`ChatTurn` objects, and make the assistant message from a :class:`ChatResult`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..arguments import build_request
from ..capabilities import ModelInfo
from ..download import sharing_cap
from ..errors import InvalidRequestError, UnsupportedFeatureError
from ..images import InputImage
from ..inputs import Fetch, load_image
from ..outcomes import gather_or_cancel
from ..requests import ImageRef
from ..responses import Notice
from .contract import ChatPart, ChatResult, ChatTurn
from .schema import (
    AnswerMessage,
    ChatMessage,
    ChatRequest,
    ImagePart,
    Message,
    MessageState,
    RefusalPart,
    SystemMessage,
    UserMessage,
)

__all__ = [
    "assistant_message",
    "build_chat_request",
    "load_turns",
]

NO_STATE = "no_provider_state"
"""Notice code: an assistant turn with images came back without limner's state for this
provider, so it is replayed as plain text and images (no thought signatures)."""


_ROLES = ("system", "developer", "user", "assistant")
_PART_TYPES = ("text", "image_url", "refusal")


def build_chat_request(fields: dict[str, Any]) -> ChatRequest:
    """Validate user input (keyword arguments or request JSON) into a :class:`ChatRequest`;
    ``extra_body`` entries join the top level. Errors name the parameter."""
    return build_request(ChatRequest, fields, locate=_without_role_branch)


def _without_role_branch(loc: list[str]) -> list[str]:
    """``messages[0].user.content`` → ``messages[0].content``, and
    ``messages[0].content[1].text.text`` → ``messages[0].content[1].text``: pydantic names the
    tagged unions' branches (a message's role, a content part's type), which are no parameter."""
    if len(loc) > 2 and loc[0] == "messages" and loc[2] in _ROLES:
        loc = [*loc[:2], *loc[3:]]
    if len(loc) > 5 and loc[2] == "content" and loc[4] in _PART_TYPES:
        loc = [*loc[:4], *loc[5:]]
    return loc


async def load_turns(
    request: ChatRequest, model: ModelInfo, provider: str, fetch: Fetch, *, max_bytes: int
) -> tuple[tuple[ChatTurn, ...], list[Notice]]:
    """Every message as a turn, its images read (``data:`` URLs) or downloaded (https, under the
    client's download rules) and sniffed. Provider state is kept only for turns ``provider``
    made."""
    _check_downloads(request, model, provider)
    # the images of all messages download side by side, within max_bytes in all; the first
    # failure cancels the rest
    with sharing_cap(max_bytes):
        turns = await gather_or_cancel(
            [
                _turn(message, index, model, provider, fetch, max_bytes)
                for index, message in enumerate(request.messages)
            ]
        )
    notices = [
        Notice(
            code=NO_STATE,
            message=f"messages[{turn.index}] carries no {provider} state (message.limner); its "
            "images are sent without thought signatures, so the model may not "
            "continue the same image",
            param=f"messages[{turn.index}].limner",
        )
        for turn in turns
        if turn.role == "assistant" and turn.images and turn.state is None
    ]
    return tuple(turns), notices


def _check_downloads(request: ChatRequest, model: ModelInfo, provider: str) -> None:
    """Refuse, before any download, a conversation with more image URLs to fetch than the model
    takes input images (``data:`` URLs cost no download): one request must not make limner
    fetch without bound (through a gateway, for anyone who can reach it)."""
    most = max(model.capabilities.max_input_images, 1)
    remote = [
        param
        for index, message in enumerate(request.messages)
        for param, part in _image_refs(message, index, provider)
        if not part.image_url.url.startswith("data:")
    ]
    if len(remote) > most:
        raise InvalidRequestError(
            f"the messages hold {len(remote)} image URLs to download; {model.id} takes {most} "
            f"input image(s), so limner fetches at most {most} per request: send the others as "
            "data: URLs (assistant messages as limner returned them hold their images so)",
            param=remote[most],
            code="too_many_image_urls",
        )


def _image_refs(message: Message, index: int, provider: str) -> list[tuple[str, ImagePart]]:
    """The images ``message`` holds, each with its parameter: a user message's content parts;
    an assistant message's images (or the one its content stands in with) and, when it holds
    ``provider``'s state, its thought images."""
    where = f"messages[{index}]"
    if isinstance(message, SystemMessage):
        return []
    if isinstance(message, UserMessage):
        return [
            (f"{where}.content[{number}].image_url.url", part)
            for number, part in enumerate(message.parts)
            if isinstance(part, ImagePart)
        ]
    refs = [
        (f"{where}.images[{number}].image_url.url" if message.images else f"{where}.content", part)
        for number, part in enumerate(message.image_parts)
    ]
    mine = _own_state(message, provider)
    if mine is not None:
        refs += [
            (f"{where}.limner.thought_images[{number}].image_url.url", part)
            for number, part in enumerate(mine.thought_images)
        ]
    return refs


def _own_state(message: ChatMessage, provider: str) -> MessageState | None:
    """The limner state of an assistant message, when ``provider`` made it."""
    return message.limner if message.limner and message.limner.provider == provider else None


async def _turn(
    message: Message, index: int, model: ModelInfo, provider: str, fetch: Fetch, max_bytes: int
) -> ChatTurn:
    if isinstance(message, SystemMessage):  # a part each, as a user message's text parts
        texts = [message.content] if isinstance(message.content, str) else message.content
        parts = tuple(ChatPart(text=t if isinstance(t, str) else t.text) for t in texts)
        return ChatTurn("system", parts, index, name=message.name)
    if isinstance(message, UserMessage):
        return await _user_turn(message, index, model, fetch, max_bytes)
    return await _assistant_turn(message, index, model, provider, fetch, max_bytes)


async def _user_turn(
    message: UserMessage, index: int, model: ModelInfo, fetch: Fetch, max_bytes: int
) -> ChatTurn:
    where = f"messages[{index}]"
    parts = message.parts
    refs = _image_refs(message, index, provider="")  # a user's message holds no state
    most = model.capabilities.max_input_images
    if refs and most == 0:
        raise UnsupportedFeatureError(
            f"{model.id} takes no input images", param=_content_part(refs[0][0])
        )
    if len(refs) > most:  # per message: what one images.edit call would take
        raise UnsupportedFeatureError(
            f"{model.id} takes at most {most} input image(s); {where} has {len(refs)}",
            param=_content_part(refs[most][0]),
        )
    images = iter(
        await gather_or_cancel(
            [_load(part, param, model, fetch, max_bytes) for param, part in refs]
        )
    )
    return ChatTurn(
        "user",
        tuple(
            ChatPart(text=part.text)
            if part.type == "text"
            else ChatPart(image=next(images), detail=part.image_url.detail)
            for part in parts
        ),
        index,
        name=message.name,
    )


def _content_part(param: str) -> str:
    """``messages[0].content[1].image_url.url`` → ``messages[0].content[1]``: the part."""
    return param.removesuffix(".image_url.url")


async def _assistant_turn(
    message: ChatMessage,
    index: int,
    model: ModelInfo,
    provider: str,
    fetch: Fetch,
    max_bytes: int,
) -> ChatTurn:
    mine = _own_state(message, provider)
    # its images (or the image content stands in with) and this provider's thought images
    final = message.image_parts
    refs = _image_refs(message, index, provider)
    loaded = await gather_or_cancel(
        [_load(part, param, model, fetch, max_bytes) for param, part in refs]
    )
    images, thoughts = loaded[: len(final)], loaded[len(final) :]
    # what the model said, a refusal too (OpenAI's assistant messages carry it apart)
    listed = message.content if isinstance(message.content, list) else ()
    parted = [p.refusal for p in listed if isinstance(p, RefusalPart)]
    texts = list(dict.fromkeys(t for t in (message.text, message.refusal, *parted) if t))
    parts = [ChatPart(text=text) for text in texts] + [
        ChatPart(image=image, detail=part.image_url.detail)
        for image, part in zip(images, final, strict=True)
    ]
    return ChatTurn(
        "assistant",
        tuple(parts),
        index,
        images=tuple(images),
        thought_images=tuple(thoughts),
        state=None if mine is None else mine.state,
        state_model=None if mine is None else mine.model,
        name=message.name,
    )


async def _load(
    part: ImagePart, param: str, model: ModelInfo, fetch: Fetch, max_bytes: int
) -> InputImage:
    return await load_image(
        ImageRef(url=part.image_url.url), param, model, fetch, max_bytes=max_bytes
    )


def assistant_message(result: ChatResult, provider: str, model: str) -> AnswerMessage:
    """The OpenAI assistant message for one answer: ``images`` with every final image,
    ``content`` the text or else the first image's data URL, ``limner`` the state to replay."""
    text = result.text if result.text and result.text.strip() else None
    content = text if text is not None else (result.images[0] if result.images else None)
    state = None
    if result.state is not None or result.thought_images:
        state = MessageState(
            provider=provider,
            model=model,
            state=result.state,
            thought_images=_parts(result.thought_images),
        )
    return AnswerMessage(content=content, images=_parts(result.images), limner=state)


def _parts(urls: Sequence[str]) -> list[ImagePart]:
    return [ImagePart.of(url) for url in urls]
