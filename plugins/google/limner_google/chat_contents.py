"""A chat turn as Gemini ``contents``: text and images in order, and an assistant turn Google made
replayed part by part from its stored state (see :mod:`limner_google.chat`)."""

from __future__ import annotations

from typing import Any

from limner import Changes, InvalidRequestError
from limner.chat import ChatTurn

from .common import gemini_image_part

__all__ = ["content"]


def content(body: Changes, turn: ChatTurn) -> dict[str, Any]:
    where = f"messages[{turn.index}]"
    if turn.role == "assistant":
        parts = _replay(body, turn) if turn.state is not None else None
        if parts is None:
            images = iter(range(len(turn.images)))
            parts = [
                {"text": p.text}
                if p.image is None
                else gemini_image_part(
                    body, p.image, f"{where}.images[{next(images)}].image_url.url"
                )
                for p in turn.parts
            ]
        return {"role": "model", "parts": parts}
    return {  # a user turn's parts are its content's items, in order
        "role": "user",
        "parts": [
            {"text": part.text}
            if part.image is None
            else gemini_image_part(body, part.image, f"{where}.content[{number}].image_url.url")
            for number, part in enumerate(turn.parts)
        ],
    }


def _replay(body: Changes, turn: ChatTurn) -> list[dict[str, Any]]:
    """The model's parts as Google returned them, image bytes put back from the message."""
    param = f"messages[{turn.index}].limner.state"
    state = turn.state
    parts = state.get("parts") if isinstance(state, dict) else None
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        raise InvalidRequestError(
            f"{param} is not Google's state ({{'parts': [...]}}); send the assistant message back "
            "as limner returned it, or drop its 'limner' field",
            param=param,
        )
    out = []
    for number, part in enumerate(parts):
        part = dict(part)
        for key, images, where in (
            ("image", turn.images, f"messages[{turn.index}].images"),
            ("thought_image", turn.thought_images, f"messages[{turn.index}].limner.thought_images"),
        ):
            if key in part:
                at = part.pop(key)
                if not isinstance(at, int) or not 0 <= at < len(images):
                    raise InvalidRequestError(
                        f"{param}.parts[{number}].{key} refers to no image of the message "
                        f"({len(images)} given)",
                        param=f"{param}.parts[{number}].{key}",
                    )
                part.update(gemini_image_part(body, images[at], f"{where}[{at}].image_url.url"))
        out.append(part)
    return out
