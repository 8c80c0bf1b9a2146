"""A chat's messages as Gemini ``contents`` and ``systemInstruction`` parts: text and images in
order, an assistant turn Google made replayed part by part from its stored state, what Gemini
cannot take left out and reported, and the input images counted (see
:mod:`limner_google.chat`)."""

from __future__ import annotations

import hashlib
from typing import Any

from limner import Changes, InputImage, InvalidRequestError
from limner.chat import NO_STATE, ChatCall, ChatTurn

from .answer_text import answer_text
from .chat_body import ChatBody
from .common import check_input_count, gemini_image_part

__all__ = [
    "STORED_KEYS",
    "content",
    "conversation",
    "count_images",
    "drop_name",
    "image_digest",
    "system_parts",
]


def system_parts(body: Changes, call: ChatCall) -> list[dict[str, Any]]:
    """The system messages as ``systemInstruction`` parts; an empty one is left out and
    reported (Google refuses a part without data)."""
    parts: list[dict[str, Any]] = []
    talked = False  # a user or assistant message came before
    for turn in call.turns:
        if turn.role != "system":
            talked = True
            continue
        drop_name(body, turn)
        texts = [part.text for part in turn.parts if part.text]
        if texts and talked:  # an instruction given mid-conversation loses its place
            body.adjust(
                f"messages[{turn.index}]",
                "a system message after the conversation began",
                "systemInstruction",
                "Gemini takes system text only in systemInstruction, before the conversation: "
                "it applies from the start, not from this turn",
            )
        if texts:  # a part each: the boundaries between a message's text parts are kept
            parts.extend({"text": text} for text in texts)
        else:
            body.drop(
                f"messages[{turn.index}]",
                "",
                "an empty system message: Google refuses a part without data, so it is left out",
            )
    return parts


def conversation(body: ChatBody, call: ChatCall) -> list[dict[str, Any]]:
    """The conversation's turns as Gemini ``contents``; an empty message (a stopped answer an
    app kept, ``content: ""``) is left out and reported, since Google refuses a turn without
    parts."""
    contents = []
    for turn in call.turns:
        if turn.role == "system":
            continue
        made = content(body, turn, call.model.id)
        if made["parts"]:
            contents.append(made)
        else:
            body.drop(
                f"messages[{turn.index}]",
                "",
                "an empty message: Google refuses a turn without parts, so it is left out",
            )
    if not contents:
        raise InvalidRequestError(
            "messages: no user or assistant message has any content; Gemini needs at least one",
            param="messages",
        )
    return contents


def count_images(body: Changes, call: ChatCall, *, on_vertex: bool) -> None:
    """The images the user's messages give (not the model's own earlier output, which the
    conversation replays). One message with more than the model's recommended number is checked
    as one images.edit call is (refused on Vertex, whose model card makes it a maximum; see
    :func:`~.common.check_input_count`); more across the conversation gets a notice only, since
    whether Vertex counts earlier messages' images is not documented."""
    user = [turn for turn in call.turns if turn.role == "user"]
    for turn in user if on_vertex else ():  # the Gemini API only recommends: one notice, below
        count = sum(part.image is not None for part in turn.parts)
        check_input_count(body, call.model, count, f"messages[{turn.index}]", on_vertex=True)
    count = sum(part.image is not None for turn in user for part in turn.parts)
    check_input_count(body, call.model, count, "messages", on_vertex=on_vertex, refuse=False)


def _warn_if_cut_to_text(body: Changes, turn: ChatTurn) -> None:
    """A Gemini answer always carries state: an assistant message with neither it nor images
    was cut to its text (OpenAI chat code keeps an answer's role and content), or written by
    hand; the model sees that text alone."""
    if turn.state is not None or turn.images or turn.thought_images:
        return
    where = f"messages[{turn.index}]"
    body.warn(
        NO_STATE,
        f"{where} is an assistant message with neither images nor limner state: the model "
        "sees its text alone, so a follow-up cannot edit an image it made; send the message "
        "back as limner returned it (images and limner too)",
        param=f"{where}.limner",
    )


def content(body: ChatBody, turn: ChatTurn, model_id: str) -> dict[str, Any]:
    """``turn`` as a Gemini content for a call to ``model_id``. What Gemini cannot take is left
    out and reported: an empty text beside other parts (Google refuses a part without data), a
    participant ``name``, an image's ``detail`` hint; and an assistant turn's stored state when
    another model made it (its thought signatures are that model's)."""
    where = f"messages[{turn.index}]"
    drop_name(body, turn)
    if turn.role == "assistant":
        for number, part in enumerate(p for p in turn.parts if p.image is not None):
            if part.detail is not None:
                at = f"{where}.images[{number}].image_url.detail"
                body.drop(at, part.detail, "Gemini takes no detail hint")
        parts = None
        _warn_if_cut_to_text(body, turn)
        if _replayable(body, turn, model_id):
            stored = _checked_state(turn)
            if _changed(turn, stored):  # an app's edit of the answer is meant
                body.warn(
                    NO_STATE,
                    f"messages[{turn.index}] is not the answer its limner.state records (its "
                    "text or images were changed): it is sent as written, without its thought "
                    "signatures, so the model may not continue the same image",
                    param=f"messages[{turn.index}].limner",
                )
            else:
                parts = _replay(body, turn, stored)
        if parts is None:
            images = iter(range(len(turn.images)))
            parts = [
                {"text": p.text}
                if p.image is None
                else _image_part(body, p.image, f"{where}.images[{next(images)}].image_url.url")
                for p in turn.parts
            ]
        return {"role": "model", "parts": parts}
    # blank text (spaces) says nothing: as an empty one, and as a blank prompt on the images path
    given = [part for part in turn.parts if part.image is not None or (part.text or "").strip()]
    out = []  # a user turn's parts are its content's items, in order
    for number, part in enumerate(turn.parts):
        at = f"{where}.content[{number}]"
        if part.image is not None:
            if part.detail is not None:
                body.drop(f"{at}.image_url.detail", part.detail, "Gemini takes no detail hint")
            out.append(_image_part(body, part.image, f"{at}.image_url.url"))
        elif part.text is not None and part.text.strip():
            out.append({"text": part.text})
        elif given:  # all empty: the whole message is left out (and reported) by the caller
            body.drop(at, part.text, "an empty text: Google refuses a part without data")
    return {"role": "user", "parts": out}


def drop_name(body: Changes, turn: ChatTurn) -> None:
    """Report ``turn``'s participant name, if it has one, as not sent."""
    if turn.name is not None:
        where = f"messages[{turn.index}].name"
        body.drop(where, turn.name, "Gemini's contents carry no participant names")


def _replayable(body: Changes, turn: ChatTurn, model_id: str) -> bool:
    """Whether ``turn``'s stored state goes back: only to the model that made it (another
    Gemini model may refuse its thought signatures as invalid), else a notice says so when the
    turn holds images."""
    if turn.state is None:
        return False
    if turn.state_model is None or turn.state_model == model_id:
        return True
    if turn.images:  # as core says of a turn without state: only its images can suffer
        body.warn(
            NO_STATE,
            f"messages[{turn.index}] was made by {turn.state_model}: its thought signatures "
            f"are not sent to {model_id}, which may refuse another model's, so the model may "
            "not continue the same image",
            param=f"messages[{turn.index}].limner",
        )
    return False


def _changed(turn: ChatTurn, parts: list[dict[str, Any]]) -> bool:
    """Whether an assistant message differs from the answer its state's ``parts`` record: its
    text (as :func:`answer_text` joins it, or joined without breaks, as a message stored before
    images broke the text has it), or which of its images they show."""
    texts = [p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought")]
    said = {answer_text(parts).strip(), "".join(texts).strip()}
    written = "".join(part.text for part in turn.parts if part.image is None and part.text)
    shown = {part["image"] for part in parts if "image" in part}
    if written.strip() not in said or shown != set(range(len(turn.images))):
        return True
    return any(  # an image swapped for another (a state stored before digests has none)
        "image_digest" in part and part["image_digest"] != _digest_of(turn.images[part["image"]])
        for part in parts
        if "image" in part
    )


def image_digest(data: bytes) -> str:
    """A short digest of an answer's image, kept in the turn's state: a next turn that sends
    another image in its place is then an edited message (sent as written), not the answer."""
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _digest_of(image: InputImage) -> str | None:
    return None if image.data is None else image_digest(image.data)


STORED_KEYS = frozenset(
    {"text", "thought", "thoughtSignature", "image", "image_digest", "thought_image"}
)
"""What a part of the state :mod:`limner_google.chat_parse` stores may hold (besides a
non-image ``inlineData``, ``{"mimeType", "data"}``): it keeps nothing else, so that all it
keeps can be sent back."""


def _check_stored(part: dict[str, Any], param: str) -> None:
    """Refuse a replayed part limner would not have stored. The state comes back from the
    client: a ``fileData`` part would have Google read a file with the operator's credentials
    (a ``gs://`` object, an upload of the operator's project), and raw image bytes would pass
    by the checks input images get."""
    foreign = sorted(
        key
        for key in part
        if key not in STORED_KEYS and not (key == "inlineData" and _stored_inline(part[key]))
    )
    if foreign:
        raise InvalidRequestError(
            f"{param} holds {', '.join(map(repr, foreign))}, which limner does not store in a "
            "turn's state; send the assistant message back as limner returned it (images go in "
            "the message's content, as image_url parts of a user turn)",
            param=param,
        )


def _stored_inline(inline: Any) -> bool:
    """Whether ``inline`` is an ``inlineData`` as limner stores one: a non-image, spelt so."""
    if not isinstance(inline, dict) or set(inline) != {"mimeType", "data"}:
        return False
    mime = inline["mimeType"]
    return isinstance(mime, str) and not mime.strip().lower().startswith("image/")


def _checked_state(turn: ChatTurn) -> list[dict[str, Any]]:
    """The parts of ``turn``'s state, refused unless limner could have stored them (each part's
    fields, and the images they point to)."""
    param = f"messages[{turn.index}].limner.state"
    state = turn.state
    parts = state.get("parts") if isinstance(state, dict) else None
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        raise InvalidRequestError(
            f"{param} is not Google's state ({{'parts': [...]}}); send the assistant message back "
            "as limner returned it, or drop its 'limner' field",
            param=param,
        )
    for number, part in enumerate(parts):
        _check_stored(part, f"{param}.parts[{number}]")
        for key, images in (("image", turn.images), ("thought_image", turn.thought_images)):
            if key not in part:
                continue
            at = part[key]
            # (an image past the message's is one the app took out: an edit, which _changed says)
            if not isinstance(at, int) or at < 0 or (key == "thought_image" and at >= len(images)):
                raise InvalidRequestError(
                    f"{param}.parts[{number}].{key} refers to no image of the message "
                    f"({len(images)} given)",
                    param=f"{param}.parts[{number}].{key}",
                )
    return parts


def _replay(body: ChatBody, turn: ChatTurn, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The model's parts as Google returned them, image bytes put back from the message."""
    out = []
    for part in parts:
        part = dict(part)
        for key, images, where in (
            ("image", turn.images, f"messages[{turn.index}].images"),
            ("thought_image", turn.thought_images, f"messages[{turn.index}].limner.thought_images"),
        ):
            if key in part:
                at = part.pop(key)
                part.update(_image_part(body, images[at], f"{where}[{at}].image_url.url"))
        part.pop("image_digest", None)  # limner's own: not Google's
        out.append(part)
    return out


def _image_part(body: ChatBody, image: InputImage, param: str) -> dict[str, Any]:
    return gemini_image_part(body, image, param, model=body.call.model, on_vertex=body.on_vertex)
