"""Input images as Nova takes them: converted to 8-bit RGB PNG when needed, and said so."""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from typing import Any

import pytest
from PIL import Image

import limner
from limner_nova_canvas import NovaCanvasProvider

from .conftest import MakeCall, png


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_inpaint_takes_one_image(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    call = make_call("edit", prompt="x", images=[png(320, 320), png(320, 320)], edit_mode="inpaint")
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        provider.translate(call)
    assert caught.value.param == "images"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (png(320, 320, fmt="WEBP"), "converted the WEBP image"),
        (png(320, 320, mode="L"), "converted the L PNG"),
        (png(320, 320, mode="RGBA", hole=True), "flattened onto white"),
    ],
)
def test_input_images_converted_to_rgb_png(
    provider: NovaCanvasProvider, make_call: MakeCall, data: bytes, reason: str
) -> None:
    translation = provider.translate(make_call("variation", images=[data]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"][0]
    with Image.open(io.BytesIO(base64.b64decode(sent))) as image:
        assert (image.format, image.mode) == ("PNG", "RGB")
        assert image.size == (320, 320)
        if "flattened" in reason:
            assert image.getpixel((100, 100)) == (255, 255, 255)  # the transparent square
            assert image.getpixel((0, 0)) == (200, 40, 40)
    [adjustment] = translation.adjustments
    assert adjustment.param == "image"
    assert adjustment.applied == "image/png (8-bit RGB)"
    assert reason in adjustment.reason


@pytest.mark.parametrize("fmt", ["WEBP", "PNG"])
def test_a_converted_image_keeps_its_exif_orientation(
    provider: NovaCanvasProvider, make_call: MakeCall, fmt: str
) -> None:
    """As core's own conversion keeps it: an unconverted JPEG goes with its orientation, so a
    converted photo must not lose it (a phone's portrait photo would arrive turned)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    Image.new("RGBA", (480, 320), (200, 40, 40, 0 if fmt == "PNG" else 255)).save(
        out, fmt, exif=exif
    )
    translation = provider.translate(make_call("variation", images=[out.getvalue()]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"][0]
    with Image.open(io.BytesIO(base64.b64decode(sent))) as image:
        assert (image.format, image.size) == ("PNG", (480, 320))
        assert image.getexif()[0x0112] == 6
    assert len(translation.adjustments) == 1


def test_opaque_rgba_png_and_jpeg_sent_unchanged(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    rgba, jpeg = png(320, 320, mode="RGBA"), png(320, 320, fmt="JPEG")
    translation = provider.translate(make_call("edit", prompt="x", images=[rgba, jpeg]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"]
    assert sent == [b64(rgba), b64(jpeg)]
    assert translation.adjustments == ()


@pytest.mark.parametrize(
    ("width", "height", "problem"),
    [
        (319, 320, "each side must be between 320 and 4096"),
        (4097, 1024, "each side must be between 320 and 4096"),
        (1284, 320, "aspect ratio (width/height) at most 4"),
        (320, 1284, "aspect ratio (width/height) at least 0.25"),
        (2048, 2049, "at most 4194304 pixels"),
    ],
)
def test_input_sizes_nova_refuses_are_refused_before_the_call(
    provider: NovaCanvasProvider, make_call: MakeCall, width: int, height: int, problem: str
) -> None:
    """Input images follow Nova's supported resolutions (images.INPUT_SIZE_RULES)."""
    cases: tuple[tuple[str, dict[str, Any], str], ...] = (
        ("variation", {}, "image"),
        ("edit", {"prompt": "x", "edit_mode": "remove-background"}, "images[0]"),
    )
    for operation, fields, param in cases:
        call = make_call(operation, images=[png(width, height)], **fields)
        with pytest.raises(limner.InvalidRequestError) as caught:
            provider.translate(call)
        assert (caught.value.param, caught.value.code) == (param, "invalid_image_size")
        assert f"{param} is {width}x{height}" in caught.value.message
        assert problem in caught.value.message


@pytest.mark.parametrize(("width", "height"), [(320, 320), (2048, 2048), (4096, 1024), (333, 517)])
def test_input_sizes_nova_takes(
    provider: NovaCanvasProvider, make_call: MakeCall, width: int, height: int
) -> None:
    """Sides need not be multiples of 16, and exactly 4,194,304 pixels is let through (AWS
    pages differ on it)."""
    image = png(width, height)
    translation = provider.translate(make_call("variation", images=[image]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"]
    assert sent == [b64(image)]


def test_option_images_are_size_checked_too(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    small = b64(png(256, 256))
    for options, name in (
        ({"condition_image": small}, "condition_image"),
        ({"colors": ["#FF9800"], "reference_image": small}, "reference_image"),
    ):
        call = make_call("generate", prompt="x", options=options)
        with pytest.raises(limner.InvalidRequestError) as caught:
            provider.translate(call)
        assert caught.value.param == f"provider_options.amazon.{name}"
        assert caught.value.code == "invalid_image_size"


@pytest.mark.parametrize(
    ("width", "height", "hint"),
    [
        (
            4032,
            3024,
            "12.2 MP), which Nova Canvas does not take as an input image (at most "
            "4194304 pixels): scale it down, to 2364x1773 or less",
        ),
        (300, 1000, "scale it up, to 320x1067 or more"),
        (4156, 1039, "scale it down, to 4092x1023 or less"),  # 4:1 kept despite rounding
        (1000, 5000, "crop or pad it to an aspect ratio between 1:4 and 4:1"),
    ],
)
def test_a_refused_input_size_says_what_would_do(
    provider: NovaCanvasProvider, make_call: MakeCall, width: int, height: int, hint: str
) -> None:
    """A phone photo is the common case: the message gives a size of its shape that fits."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call("variation", images=[png(width, height)]))
    assert hint in caught.value.message
    if "or less" in hint or "or more" in hint:
        size = hint.split("to ")[-1].split(" or")[0]
        fits = png(*map(int, size.split("x")))  # the size suggested is taken
        provider.translate(make_call("variation", images=[fits]))


def _png_16_bit_rgb(width: int, height: int, value: int) -> bytes:
    """A 16-bit-per-channel RGB PNG, written by hand (Pillow writes no such file)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    row = b"\x00" + value.to_bytes(2, "big") * 3 * width
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _saved(image: Image.Image, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=options.pop("format", "PNG"), **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason", "pixel"),
    [
        # Pillow's own conversion clips 16-bit grey: value 40000 came out white, not 156
        (_saved(Image.new("I;16", (320, 320), 40000)), "converted the 16-bit PNG", (156, 156, 156)),
        (_png_16_bit_rgb(320, 320, 0x9C40), "converted the 16-bit PNG", (156, 156, 156)),
        (
            _saved(Image.new("RGB", (320, 320), (9, 9, 9)), transparency=(9, 9, 9)),
            "flattened onto white",  # a tRNS colour key: transparent pixels all the same
            (255, 255, 255),
        ),
    ],
    ids=["16-bit-grey", "16-bit-rgb", "colour-key"],
)
def test_deep_and_colour_keyed_pngs_become_8_bit_rgb(
    provider: NovaCanvasProvider, make_call: MakeCall, data: bytes, reason: str, pixel: Any
) -> None:
    translation = provider.translate(make_call("variation", images=[data]))
    sent = json.loads(translation.request.json_bytes())["imageVariationParams"]["images"][0]
    raw = base64.b64decode(sent)
    assert raw[24] == 8  # the PNG's bit depth
    with Image.open(io.BytesIO(raw)) as image:
        assert (image.mode, image.getpixel((5, 5))) == ("RGB", pixel)
        assert "transparency" not in image.info
    [adjustment] = translation.adjustments
    assert reason in adjustment.reason


def test_an_animated_image_is_refused_as_every_provider_refuses_it(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    frames = [Image.new("RGB", (320, 320), colour) for colour in ("red", "blue")]
    gif = _saved(frames[0], format="GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call("variation", images=[gif]))
    assert caught.value.code == "invalid_image_format"
    assert "animated" in caught.value.message


@pytest.mark.parametrize("option", ["condition_image", "reference_image"])
async def test_an_option_given_as_bytes_leaves_a_bad_field_named(option: str) -> None:
    """The request's JSON Schema check reads an option's bytes as a stand-in: bytes are no
    text, and the option's own check reads them."""
    options: dict[str, Any] = {option: png(320, 320)}
    if option == "reference_image":
        options["colors"] = ["#112233"]
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model="amazon/amazon.nova-canvas-v1:0",
                prompt="a fox",
                output_format="jpeg",
                provider_options={"amazon": options},
                dry_run=True,
            )
    assert caught.value.param == "output_format"
