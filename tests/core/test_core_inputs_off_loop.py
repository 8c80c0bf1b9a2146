"""Input images are read off the event loop when they are large: decoding one (a PNG read
through, a mask's every alpha value) would hold up every other request meanwhile."""

from __future__ import annotations

import io
import os
import threading
from typing import Any

import pytest
from PIL import Image

import limner
import limner.images
import limner.inputs
from limner.inputs import load_images

from .fakeprovider import ALPHA


def noise_png(side: int, mode: str = "RGBA") -> bytes:
    """A PNG of random pixels (over a MiB at 640 px: random pixels do not compress), its
    top-left pixel transparent."""
    picture = Image.frombytes(mode, (side, side), os.urandom(side * side * len(mode)))
    if mode == "RGBA":
        picture.putpixel((0, 0), (0, 0, 0, 0))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


async def test_a_large_image_and_a_masks_alpha_are_read_in_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop_thread = threading.get_ident()
    sniffed: list[int] = []
    alpha: list[int] = []
    real_sniff, real_alpha = limner.images.sniff, limner.images._alpha_floor

    def sniff(*args: Any, **kwargs: Any) -> limner.InputImage:
        sniffed.append(threading.get_ident())
        return real_sniff(*args, **kwargs)

    def alpha_floor(*args: Any) -> int:
        alpha.append(threading.get_ident())
        return real_alpha(*args)

    monkeypatch.setattr(limner.images, "sniff", sniff)
    monkeypatch.setattr(limner.images, "_alpha_floor", alpha_floor)
    big, small = noise_png(640), noise_png(8)
    assert len(big) > limner.inputs._BIG > len(small)
    request = limner.EditRequest(model="fake/alpha-1", prompt="x", images=[big], mask=big)

    async def no_fetch(url: str, param: str) -> bytes:
        raise AssertionError("nothing to download")

    loaded = await load_images(request, ALPHA, no_fetch, max_bytes=50 * 2**20)
    images, mask = loaded.images, loaded.mask
    assert [image.width for image in images] == [640]
    assert mask is not None and mask.alpha_floor("mask") == 0  # computed once, kept
    assert len(sniffed) == 2 and loop_thread not in sniffed
    assert len(alpha) == 1 and alpha[0] != loop_thread
    sniffed.clear()
    request = limner.EditRequest(model="fake/alpha-1", prompt="x", images=[small])
    await load_images(request, ALPHA, no_fetch, max_bytes=50 * 2**20)
    assert sniffed == [loop_thread]  # small: at once, a thread would cost more
