"""Translations that may take long run in a worker thread, not on the event loop.

A plugin's translation is synchronous and usually takes microseconds, but one given image
bytes may decode, convert or re-encode them (a GIF to PNG, a mask to black and white): for a
large image, seconds, in which every other request on the loop would wait (a gateway's
included). Such a translation runs in a worker thread (``asyncio.to_thread``); the others
run at once, as a thread costs more than they do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .images import InputImage

__all__ = ["OPTION_TEXT_LIMIT", "carries_image_data", "run_translation"]

C = TypeVar("C")
T = TypeVar("T")

OPTION_TEXT_LIMIT = 4096
"""Characters past which a provider option's text is taken for image data (base64)."""


def carries_image_data(
    images: Iterable[InputImage | None], options: Mapping[str, Any] | None = None
) -> bool:
    """Whether a translation is given image bytes, and so runs in a worker thread: a loaded
    input image (not a URL or file id the provider fetches), or a provider option holding
    bytes or long text (an image an option takes as base64)."""
    for image in images:  # (a loop: no generator's function per request)
        if image is not None and image.data is not None:
            return True
    for namespace in (options or {}).values():
        values = namespace.values() if isinstance(namespace, Mapping) else (namespace,)
        for value in values:
            if isinstance(value, bytes | bytearray) or (
                isinstance(value, str) and len(value) > OPTION_TEXT_LIMIT
            ):
                return True
    return False


async def run_translation(translate: Callable[[C], T], calls: C, *, heavy: bool) -> T:
    """``translate(calls)``: in a worker thread when ``heavy`` (:func:`carries_image_data`),
    else at once."""
    return await asyncio.to_thread(translate, calls) if heavy else translate(calls)
