"""A mask with a soft edge, for the plugins' mask tests."""

from __future__ import annotations

import io

from PIL import Image


def soft_mask(width: int, height: int) -> bytes:
    """An RGBA PNG mask: opaque, a fully transparent square at x, y in [w/4, w/2) (the area to
    edit), and beside it a soft edge: the column x = w/2, y in [h/4, h/2), at alpha 128
    (``height // 4`` partly transparent pixels)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    for y in range(height // 4, height // 2):
        for x in range(width // 4, width // 2):
            image.putpixel((x, y), (0, 0, 0, 0))
        image.putpixel((width // 2, y), (0, 0, 0, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
