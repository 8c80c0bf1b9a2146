"""Masks in OpenAI's convention (fully transparent pixels, alpha 0, mark the area to edit): the
warning for one that marks nothing, and its conversion to the black-and-white masks several
providers take."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

from .errors import InvalidRequestError
from .responses import Notice

if TYPE_CHECKING:
    from .images import InputImage

__all__ = ["MASK_MARKS_NOTHING", "mask_notices", "mask_to_binary"]


MASK_MARKS_NOTHING = "mask_marks_nothing"
"""``Notice.code`` of a mask without a fully transparent pixel."""


def mask_notices(mask: InputImage | None) -> list[Notice]:
    """A warning when ``mask`` marks nothing to edit: no pixel is fully transparent, so under
    OpenAI's convention the edit changes nothing, or what the provider picks. It is sent all the
    same: OpenAI has answered such a mask with an image."""
    if mask is None or mask.data is None or mask.alpha_floor("mask") == 0:
        return []
    return [
        Notice(
            code=MASK_MARKS_NOTHING,
            message="mask has no fully transparent pixel (alpha 0), and those mark the area to "
            "change: the edit may change nothing",
            param="mask",
        )
    ]


def mask_to_binary(
    mask: bytes,
    *,
    edit: int = 255,
    keep: int = 0,
    mode: Literal["L", "RGB"] = "L",
    param: str = "mask",
) -> bytes:
    """Turn a mask in limner's convention (alpha 0 = edit) into a black-and-white PNG where
    edited pixels are ``edit`` and kept pixels ``keep`` — the form several providers expect —
    greyscale, or ``mode="RGB"`` for providers that take only RGB. A mask with no fully
    transparent pixel is refused, naming ``param``: it would become a mask that marks nothing,
    an edit known to change nothing (and billed)."""
    from PIL import Image

    with Image.open(io.BytesIO(mask)) as image:
        alpha = image.convert("RGBA").getchannel("A")
    if alpha.getextrema()[0] != 0:
        raise InvalidRequestError(
            f"{param} has no fully transparent pixel (alpha 0), and those mark the area to "
            "change: sent in black and white, it would change nothing. Make the area to edit "
            "fully transparent (partly see-through pixels count as kept)",
            param=param,
            code="invalid_mask",
        )
    binary = alpha.point(lambda value: edit if value == 0 else keep).convert(mode)
    out = io.BytesIO()
    binary.save(out, format="PNG")
    return out.getvalue()
