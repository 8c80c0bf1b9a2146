"""Input images are read off the event loop when they are large, and translations given image
bytes run off it: decoding or converting one (a PNG read through, a mask's every alpha value,
a GIF made a PNG) would hold up every other request meanwhile."""

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
from limner.chat import ChatCall
from limner.inputs import load_images
from limner.off_loop import OPTION_TEXT_LIMIT, carries_image_data

from .fakeprovider import ALPHA, FakeProvider
from .support import FakeServer, MakeClient
from .test_core_chat import URL, PainterProvider, client as painter_client


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


async def test_a_translation_given_image_bytes_runs_in_a_worker_thread(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin may convert the images it is given (seconds for a large one), so such a
    translation runs off the loop; one without image bytes, the common case, runs at once."""
    threads: list[int] = []
    real = FakeProvider.translate

    def translate(self: FakeProvider, call: limner.ProviderCall) -> limner.Translation:
        threads.append(threading.get_ident())
        return real(self, call)

    monkeypatch.setattr(FakeProvider, "translate", translate)
    loop_thread = threading.get_ident()
    client = make_client()
    await client.images.edit(model="alpha", prompt="x", image=noise_png(8), dry_run=True)
    assert len(threads) == 1 and threads[0] != loop_thread
    threads.clear()
    await client.images.generate(model="alpha", prompt="x", dry_run=True)
    assert threads == [loop_thread]


async def test_a_chat_translation_given_image_bytes_runs_in_a_worker_thread(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    real = PainterProvider.translate_chat

    def translate_chat(self: PainterProvider, call: ChatCall) -> limner.Translation:
        threads.append(threading.get_ident())
        return real(self, call)

    monkeypatch.setattr(PainterProvider, "translate_chat", translate_chat)
    loop_thread = threading.get_ident()
    image = [{"type": "image_url", "image_url": {"url": URL}}]
    async with painter_client(server) as painter:
        for content in (image, "a fox"):
            await painter.chat.completions.create(
                model="painter/chat-1",
                messages=[{"role": "user", "content": content}],
                dry_run=True,
            )
    assert len(threads) == 2 and threads[0] != loop_thread and threads[1] == loop_thread


@pytest.mark.parametrize(
    ("options", "heavy"),
    [
        (None, False),
        ({"nova": {"steps": 3, "preset": "x" * 100}}, False),
        ({"nova": {"condition_image": b"\x89PNG"}}, True),
        ({"nova": {"condition_image": "A" * (OPTION_TEXT_LIMIT + 1)}}, True),
    ],
)
def test_an_option_holding_image_data_counts_as_image_bytes(
    options: dict[str, Any] | None, heavy: bool
) -> None:
    assert carries_image_data([None, limner.InputImage(url="https://a.example/x.png")]) is False
    assert carries_image_data([], options) is heavy
