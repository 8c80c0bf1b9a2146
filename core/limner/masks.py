"""Masks in OpenAI's convention (fully transparent pixels, alpha 0, mark the area to edit): the
warning for one that marks nothing, its conversion to the black-and-white masks several
providers take (with the adjustment that says when soft edges were made hard), or to a greyscale
mask of per-pixel strength for a provider that reads one."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

from .errors import InvalidRequestError
from .responses import Notice

if TYPE_CHECKING:
    from PIL.Image import Image

    from .changes import Changes
    from .images import InputImage

__all__ = [
    "MASK_MARKS_NOTHING",
    "mask_notices",
    "mask_to_binary",
    "mask_to_strength",
    "partly_transparent",
    "report_hard_edges",
]


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
    an edit known to change nothing (and billed). Partly transparent pixels are kept: say so
    with :func:`report_hard_edges`."""
    alpha = _marking_alpha(mask, param, "sent in black and white", "count as kept")
    return _png(alpha.point(lambda value: edit if value == 0 else keep).convert(mode))


def mask_to_strength(mask: bytes, *, param: str = "mask") -> bytes:
    """Turn a mask in limner's convention into a greyscale PNG of per-pixel edit strength, for
    a provider that reads one: white (full strength) where the mask is fully transparent, black
    where it is opaque, and a partly transparent pixel as grey as it is see-through
    (``255 - alpha``), so a mask's soft edges stay soft. A mask with no fully transparent pixel
    is refused, as :func:`mask_to_binary` refuses it: those mark the area, which partly
    transparent pixels only soften the edges of."""
    alpha = _marking_alpha(mask, param, "sent", "only soften the edges of that area")
    return _png(alpha.point(lambda value: 255 - value))


def partly_transparent(mask: InputImage) -> int:
    """How many pixels of ``mask`` are partly transparent (alpha 1 to 254): soft edges, which
    a black-and-white mask cannot carry. Counted once per image."""
    if mask.data is None or not mask.has_alpha:
        return 0
    return mask.derived(
        "partly_transparent", lambda image: sum(_alpha(image.data or b"").histogram()[1:255])
    )


def report_hard_edges(changes: Changes, mask: InputImage, param: str, takes: str) -> None:
    """Record, when ``mask`` (named ``param``) has partly transparent pixels, that the
    black-and-white mask sent keeps them: ``takes`` says why (``"Acme takes a mask of pure
    black and white"``)."""
    count = partly_transparent(mask)
    if count:
        changes.adjust(
            param,
            f"{count:,} partly transparent pixels",
            "kept",
            f"{takes}: only fully transparent pixels (alpha 0) mark the area to edit, so its "
            "soft edges are made hard",
        )


def _alpha(mask: bytes) -> Image:
    from PIL import Image

    with Image.open(io.BytesIO(mask)) as image:
        return image.convert("RGBA").getchannel("A")


def _marking_alpha(mask: bytes, param: str, sent: str, partly: str) -> Image:
    """The mask's alpha band; refused when no pixel is fully transparent: it marks no area to
    change, and ``sent`` so it would change nothing (``partly``: what partly see-through pixels
    do)."""
    alpha = _alpha(mask)
    if alpha.getextrema()[0] != 0:
        raise InvalidRequestError(
            f"{param} has no fully transparent pixel (alpha 0), and those mark the area to "
            f"change: {sent}, it would change nothing. Make the area to edit fully transparent "
            f"(partly see-through pixels {partly})",
            param=param,
            code="invalid_mask",
        )
    return alpha


def _png(image: Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
