"""Input images as Nova takes them: converted to 8-bit RGB PNG when needed, and said so."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

import limner
from limner_nova_canvas import NovaCanvasProvider

from .conftest import MakeCall, png


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_inpaint_takes_one_image(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    call = make_call("edit", prompt="x", images=[png(64, 64), png(64, 64)], edit_mode="inpaint")
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        provider.translate(call)
    assert caught.value.param == "images"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (png(32, 32, fmt="WEBP"), "converted the WEBP image"),
        (png(32, 32, mode="L"), "converted the L PNG"),
        (png(32, 32, mode="RGBA", hole=True), "flattened onto white"),
    ],
)
def test_input_images_converted_to_rgb_png(
    provider: NovaCanvasProvider, make_call: MakeCall, data: bytes, reason: str
) -> None:
    translation = provider.translate(make_call("variation", images=[data]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"][0]
    with Image.open(io.BytesIO(base64.b64decode(sent))) as image:
        assert (image.format, image.mode) == ("PNG", "RGB")
        assert image.size == (32, 32)
        if "flattened" in reason:
            assert image.getpixel((10, 10)) == (255, 255, 255)  # the transparent square
            assert image.getpixel((0, 0)) == (200, 40, 40)
    [adjustment] = translation.adjustments
    assert adjustment.param == "image"
    assert adjustment.applied == "image/png"
    assert reason in adjustment.reason


def test_opaque_rgba_png_and_jpeg_sent_unchanged(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    rgba, jpeg = png(32, 32, mode="RGBA"), png(32, 32, fmt="JPEG")
    translation = provider.translate(make_call("edit", prompt="x", images=[rgba, jpeg]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"]
    assert sent == [b64(rgba), b64(jpeg)]
    assert translation.adjustments == ()
