"""The text of a Gemini answer, as the message's content and the images' revised prompt."""

from __future__ import annotations

from typing import Any

__all__ = ["answer_text"]


def answer_text(parts: list[dict[str, Any]]) -> str:
    """The text of an answer's ``parts`` (as its state keeps them), as the message's content:
    its text parts in order, a blank line where an image stood between two (an illustrated
    story's captions would run together otherwise), thoughts left out."""
    texts: list[str] = []
    imaged = False  # an image since the last text
    for part in parts:
        if "image" in part:
            imaged = True
        elif isinstance(part.get("text"), str) and not part.get("thought"):
            if texts and imaged:
                texts.append("\n\n")
            texts.append(part["text"])
            imaged = False
    return "".join(texts)
