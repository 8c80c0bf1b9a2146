"""A ``:generateContent`` answer as a chat result: the text, the final images, the interim
("thought") images apart, and the model's turn as state to replay (see :mod:`limner_google.chat`).
"""

from __future__ import annotations

import binascii
import datetime as dt
from typing import Any, TypeVar

from limner import (
    ContentPolicyError,
    InvalidRequestError,
    LimnerError,
    NoImageGeneratedError,
    Notice,
    WireResponse,
)
from limner.chat import ChatCall, ChatResult
from limner.chat.response import FinishReason
from limner.image_header import looks_like_image_b64
from limner.responses import CONTENT_FILTERED, NO_IMAGES

from .answer_text import answer_text
from .chat_contents import STORED_KEYS, image_digest
from .common import fail, flagged_categories
from .errors import answer_id
from .gemini import ACCOUNT_LIMITED, SAFETY_FINISH, account_limited
from .options import options_of, response_modalities
from .passthrough import as_sent
from .usage import cached_at_full_price, priced_as_on_demand, usage_from_metadata

__all__ = ["parse_chat"]

_FINISH: dict[str, FinishReason] = {"STOP": "stop", "MAX_TOKENS": "length"}


class _Turn:
    """An answer's parts read: its text, its images (and thought images) as data URLs, and the
    state a next turn sends back: the parts as Google gave them, images by their index, and
    only what :data:`~.chat_contents.STORED_KEYS` allows (``left_out`` names the rest)."""

    def __init__(self) -> None:
        self.images: list[str] = []
        self.thought_images: list[str] = []
        self.parts: list[dict[str, Any]] = []
        self.left_out: set[str] = set()

    def read(self, part: Any) -> None:
        if not isinstance(part, dict):
            return
        kept = dict(part)
        inline = kept.pop("inlineData", None) or kept.pop("inline_data", None)
        if isinstance(inline, dict):
            mime = str(inline.get("mimeType") or inline.get("mime_type") or "").strip().lower()
            data = inline.get("data")
            if not isinstance(data, str) or not data:  # nothing to show, nor to send back
                self.left_out.add("inlineData without data")
                return
            thought = part.get("thought") is True
            if mime.startswith("image/") and thought and not _an_image(data):
                self.left_out.add("a thought image that is no image")  # (it could not go back)
                return
            if mime.startswith("image/"):
                url = f"data:{mime};base64,{data}"
                target = self.thought_images if thought else self.images
                kept["thought_image" if target is self.thought_images else "image"] = len(target)
                if not thought:  # so that an image the app swaps for another is seen
                    kept["image_digest"] = image_digest(binascii.a2b_base64(data))
                target.append(url)
            else:
                kept["inlineData"] = {"mimeType": mime, "data": data}  # not an image: replayed
        foreign = [key for key in kept if key not in STORED_KEYS and key != "inlineData"]
        for key in foreign:  # what limner does not send back (a file to read, a tool call)
            self.left_out.add(key)
            del kept[key]
        if set(kept) - {"thought", "thoughtSignature"}:
            self.parts.append(kept)
        elif not foreign:  # Google refuses a part without data
            self.left_out.add("a part without data")

    def notices(self) -> list[Notice]:
        """The notice of the parts, or fields, left out of the state."""
        if not self.left_out:
            return []
        said = ", ".join(sorted(self.left_out))
        return [
            Notice(
                code=STATE_INCOMPLETE,
                message=f"Gemini's answer held what limner does not keep in a turn's state "
                f"({said}): a next turn sends the answer without it",
            )
        ]


def _an_image(data: str) -> bool:
    """Whether base64 ``data`` decodes, and as an image begins (core checks final images so;
    a thought image is kept only to be sent back, where it is read in full)."""
    try:
        binascii.a2b_base64(data, strict_mode=True)
    except ValueError:
        return False
    return looks_like_image_b64(data)


STATE_INCOMPLETE = "state_incomplete"
"""``Notice.code`` of an answer some of whose parts a next turn does not send back."""


def parse_chat(call: ChatCall, response: WireResponse) -> ChatResult:
    body = response.json_or_none()
    if not isinstance(body, dict):
        raise fail(call, response, "the body is not a JSON object")
    candidates = body.get("candidates") or []
    feedback = body.get("promptFeedback")
    if isinstance(feedback, dict) and (feedback.get("blockReason") or not candidates):
        reason = feedback.get("blockReason") or feedback.get("blockReasonMessage") or "blocked"
        flagged = flagged_categories(feedback.get("safetyRatings"))
        raise _blocked(call, response, f"prompt blocked ({reason})", str(reason), "input", flagged)
    candidate = candidates[0] if isinstance(candidates, list) and candidates else {}
    if not isinstance(candidate, dict):
        raise fail(call, response, "the candidate is not an object")
    finish = str(candidate.get("finishReason") or "STOP")
    turn = _Turn()
    content = candidate.get("content")
    for part in content.get("parts") or [] if isinstance(content, dict) else []:
        turn.read(part)
    text = answer_text(turn.parts) or None
    warnings: list[Notice] = turn.notices()
    if not turn.images and not (text or "").strip():
        warnings.extend(_without_output(call, response, candidate, finish))
    elif finish == "MAX_TOKENS" and not turn.images and _asked_for_images(call):
        warnings.append(_cut_short(call))  # text came back, but the budget left no image
    elif finish not in SAFETY_FINISH and not turn.images and _asked_for_images(call):
        why = "" if finish == "STOP" else f"; finishReason {finish}"  # (NO_IMAGE, IMAGE_OTHER)
        message = f"the model answered with text alone (message.images is empty{why})"
        warnings.append(Notice(code=NO_IMAGES, message=message, index=call.index))
    if finish in SAFETY_FINISH and not turn.images and _asked_for_images(call):  # withheld
        said = candidate.get("finishMessage")
        why = f"finishReason {finish}" + (f": {said}" if isinstance(said, str) and said else "")
        warnings.append(Notice(code=CONTENT_FILTERED, message=f"Gemini withheld the image ({why})"))
    elif finish not in ("STOP", "MAX_TOKENS"):
        said = _said(candidate)
        warnings.append(
            Notice(code="finish_reason", message=f"Gemini finished with {finish}{said}")
        )
    meta = body.get("usageMetadata")
    thoughts = meta.get("thoughtsTokenCount") if isinstance(meta, dict) else None
    cached, said_cached = cached_at_full_price(meta)
    warnings.extend(said_cached)
    warnings.extend(priced_as_on_demand(meta))
    response_id = answer_id(response)
    return ChatResult(
        text=text,
        images=turn.images,
        thought_images=turn.thought_images,
        state={"parts": turn.parts},
        finish_reason="content_filter" if finish in SAFETY_FINISH else _FINISH.get(finish, "stop"),
        usage=usage_from_metadata(meta, images=len(turn.images) + len(turn.thought_images)),
        reasoning_tokens=thoughts if isinstance(thoughts, int) and thoughts > 0 else 0,
        cached_tokens=cached,
        id=response_id,
        request_id=response_id,  # Google sends no request-id header: as for images
        created=_created(body.get("createTime")),
        warnings=warnings,
    )


def _cut_short(call: ChatCall) -> Notice:
    limit = call.request.max_output_tokens
    return Notice(
        code="max_tokens",
        message=f"{call.model.id} used its whole output budget"
        + (f" ({limit} tokens)" if limit is not None else "")
        + " before it made an image: an image model's output counts its images (over 1000 "
        "tokens each) and its thinking; raise max_tokens or leave it out",
        param="max_tokens",
        index=call.index,  # (with n, the choice it speaks of)
    )


def _without_output(
    call: ChatCall, response: WireResponse, candidate: dict[str, Any], finish: str
) -> list[Notice]:
    """An answer with neither text nor an image: the error it means, or the notice of a turn
    cut short by its output budget."""
    if finish == ACCOUNT_LIMITED:
        raise account_limited(call.model.id, response)
    if finish in SAFETY_FINISH:
        message = candidate.get("finishMessage") or finish
        flagged = flagged_categories(candidate.get("safetyRatings"))
        raise _blocked(call, response, f"finishReason {message}", finish, "output", flagged)
    if finish == "MAX_TOKENS":
        return [_cut_short(call)]
    if finish == MISSING_SIGNATURE:
        raise _signature_missing(call, response)
    empty = NoImageGeneratedError(
        f"{call.model.id} answered with neither text nor an image (finishReason "
        f"{finish}{_said(candidate)})",
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )
    raise _with_usage(empty, response)


def _said(candidate: dict[str, Any]) -> str:
    """``: <finishMessage>``, Google's words on why it finished so, when it gave some."""
    said = candidate.get("finishMessage")
    return f": {said}" if isinstance(said, str) and said else ""


MISSING_SIGNATURE = "MISSING_THOUGHT_SIGNATURE"
"""Gemini API's finishReason for a replayed model turn without its thought signature
[google-genai types.FinishReason]."""


def _signature_missing(call: ChatCall, response: WireResponse) -> InvalidRequestError:
    return InvalidRequestError(
        f"{call.model.id} refused the conversation: an assistant turn lacks its thought "
        f"signature (finishReason {MISSING_SIGNATURE}); send each assistant message back as "
        "limner returned it, with its limner.state, or start the conversation again",
        param="messages",
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )


def _asked_for_images(call: ChatCall) -> bool:
    """Whether the call's response modalities include IMAGE (a text-only chat asks for none,
    so a safety finish there withheld no image): those passed through as Google's own field,
    which win, else the request's and the options'."""
    passed, _ = as_sent(dict(call.request.forwarded))
    if passed is not None:
        return "IMAGE" in passed
    return "IMAGE" in response_modalities(call.request.modalities, options_of(call.options))


def _blocked(
    call: ChatCall,
    response: WireResponse,
    said: str,
    reason: str,
    stage: str,
    categories: tuple[str, ...],
) -> ContentPolicyError:
    """The refusal, carrying the usage Google reported for it."""
    error = ContentPolicyError(
        f"Google blocked the request: {said} — rephrase the prompt or change the input images",
        reason=reason,
        stage=stage,
        categories=categories,
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )
    return _with_usage(error, response)


E = TypeVar("E", bound=LimnerError)


def _with_usage(error: E, response: WireResponse) -> E:
    """``error`` carrying the usage Google reported with it (core prices it: it may be
    billed)."""
    body = response.json_or_none()
    error.usage = usage_from_metadata(body.get("usageMetadata") if isinstance(body, dict) else None)
    return error


def _created(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(dt.datetime.fromisoformat(value).timestamp())
    except ValueError:
        return None
