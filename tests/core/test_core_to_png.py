"""limner.images.to_png: the PNG a plugin sends when a provider does not take the input's format."""

from __future__ import annotations

import io
import struct
import warnings
from typing import Any

import pytest
from PIL import Image

from limner import InputImage, InvalidRequestError
from limner.images import sniff, to_png


def encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def converted(data: bytes) -> Image.Image:
    png, _ = to_png(sniff(data, param="images[0]", filename="photo.jpg"), "images[0]")
    assert (png.mime, png.filename) == ("image/png", "photo.png")
    assert png.data is not None
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG"
    assert (png.width, png.height) == image.size
    return image


def test_the_stored_pixels_and_exif_orientation_are_kept() -> None:
    source = Image.new("RGB", (96, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: a viewer turns it 90° (to 32x96)
    image = converted(encode(source, "WEBP", lossless=True, exif=exif))
    assert image.size == (96, 32)  # not turned: a mask made for the file still lines up
    assert image.convert("RGB").tobytes() == source.tobytes()
    assert image.getexif()[0x0112] == 6


def test_palette_transparency_is_kept() -> None:
    source = Image.new("P", (8, 8), 1)
    source.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    source.paste(0, (0, 0, 4, 4))
    image = converted(encode(source, "GIF", transparency=0))
    rgba = image.convert("RGBA")
    assert rgba.getpixel((0, 0)) == (0, 0, 0, 0)
    assert rgba.getpixel((7, 7)) == (255, 0, 0, 255)


def test_cmyk_becomes_rgb_without_its_cmyk_profile() -> None:
    # A CMYK JPEG whose ICC profile lcms cannot use (a bare header): a plain conversion, and no
    # CMYK profile embedded in the RGB PNG (PNG profiles must be RGB or grey).
    header = bytearray(132)
    struct.pack_into(">I", header, 0, 132)
    header[12:16], header[16:20], header[20:24], header[36:40] = b"prtr", b"CMYK", b"Lab ", b"acsp"
    source = Image.new("CMYK", (8, 8), (0, 255, 255, 0))
    data = encode(source, "JPEG", icc_profile=bytes(header))
    _, how = to_png(sniff(data, param="images[0]"), "images[0]")
    assert how == "re-encoded as PNG, its CMYK colours converted to RGB"
    image = converted(data)
    assert image.mode == "RGB"
    assert image.info.get("icc_profile") is None
    red, green, blue = image.getpixel((4, 4))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


def test_a_gif_whose_transparent_index_is_past_its_colour_table_keeps_its_transparency() -> None:
    """Pillow writes such a GIF for a palette image saved with ``transparency=255``; a PNG
    palette written from it lost the transparency, while the adjustment said "the same
    pixels"."""
    source = Image.new("RGB", (64, 64), (200, 40, 40)).convert("P", colors=4)
    source.paste(255, (8, 8, 24, 24))
    data = encode(source, "GIF", transparency=255)
    shown = Image.open(io.BytesIO(data)).convert("RGBA")
    assert shown.getpixel((10, 10))[3] == 0  # type: ignore[index]
    rgba = converted(data).convert("RGBA")
    assert rgba.getpixel((10, 10))[3] == 0  # type: ignore[index]
    assert rgba.tobytes() == shown.tobytes()


@pytest.mark.parametrize(
    ("fmt", "mime"), [("GIF", "image/gif"), ("WEBP", "image/webp"), ("PNG", "image/png")]
)
def test_an_animated_image_is_refused_naming_the_parameter(fmt: str, mime: str) -> None:
    """As it is read, whatever the format (an APNG or an animated WebP needs no conversion,
    and went out as it was, to be read as its first frame or refused)."""
    frames = [Image.new("RGB", (8, 8), (60 * i, 0, 0)) for i in range(2)]
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:])
    with pytest.raises(InvalidRequestError) as caught:
        sniff(data, param="images[2]")
    assert (caught.value.param, caught.value.code) == ("images[2]", "invalid_image_format")
    assert f"animated {mime}" in caught.value.message
    with pytest.raises(InvalidRequestError) as caught:  # and where a plugin converts one
        to_png(InputImage(data=data, mime=mime), "images[2]")
    assert (caught.value.param, caught.value.code) == ("images[2]", "invalid_image_format")


def test_a_multi_page_tiff_is_refused_as_a_format_not_as_an_animation() -> None:
    pages = [Image.new("RGB", (8, 8), (60 * i, 0, 0)) for i in range(2)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    with pytest.raises(InvalidRequestError) as caught:
        sniff(data, param="images[0]")
    assert caught.value.message.startswith("images[0] is a TIFF image; use ")


def test_derived_work_runs_once_per_image_and_key() -> None:
    image = InputImage(data=b"x", mime="image/png")
    calls: list[str] = []

    def make(key: str) -> Any:
        def run(source: InputImage) -> str:
            calls.append(key)
            return f"{key}:{source.data!r}"

        return run

    assert image.derived("a", make("a")) == image.derived("a", make("a")) == "a:b'x'"
    assert image.derived("b", make("b")) == "b:b'x'"
    assert calls == ["a", "b"]
    assert InputImage(data=b"x", mime="image/png").derived("a", make("a")) == "a:b'x'"
    assert calls == ["a", "b", "a"]  # another image (another request) computes its own


def test_derived_stores_nothing_when_the_work_fails() -> None:
    image = InputImage(data=b"x", mime="image/png")

    def fail(source: InputImage) -> str:
        raise InvalidRequestError("no", param="images[0]")

    with pytest.raises(InvalidRequestError):
        image.derived("k", fail)
    assert image.derived("k", lambda source: "ok") == "ok"


def test_to_png_converts_an_image_once() -> None:
    gif = sniff(encode(Image.new("RGB", (8, 8), (1, 2, 3)), "GIF"), param="images[0]")
    assert to_png(gif, "images[0]")[0] is to_png(gif, "images[0]")[0]


def _with_alpha(mode: str, alpha: int) -> bytes:
    image = Image.new("RGBA", (16, 16), (10, 20, 30, 255))
    image.putpixel((3, 4), (10, 20, 30, alpha))
    if mode == "P":
        return encode(image.convert("P"), "PNG", transparency=image.convert("P").getpixel((3, 4)))
    return encode(image.convert(mode), "PNG")


def _trns_rgb() -> bytes:
    """An RGB PNG without an alpha band whose tRNS chunk makes one colour see-through: limner
    reads no alpha from it (Pillow drops 16-bit keys), as masks and edits did before."""
    image = Image.new("RGB", (16, 16), (10, 20, 30))
    image.putpixel((3, 4), (0, 0, 0))
    return encode(image, "PNG", transparency=(0, 0, 0))


@pytest.mark.parametrize(
    ("data", "floor"),
    [
        pytest.param(_with_alpha("RGBA", 0), 0, id="one transparent pixel"),
        pytest.param(_with_alpha("RGBA", 1), 1, id="nearly transparent only"),
        pytest.param(_with_alpha("RGBA", 255), 255, id="alpha channel, all opaque"),
        pytest.param(_with_alpha("LA", 0), 0, id="grey with alpha"),
        pytest.param(_with_alpha("P", 0), 0, id="palette transparency"),
        pytest.param(_trns_rgb(), 255, id="RGB with a tRNS colour key: not read as alpha"),
        pytest.param(_with_alpha("RGB", 0), 255, id="no alpha"),
    ],
)
def test_alpha_floor_and_transparent_pixels(data: bytes, floor: int) -> None:
    image = sniff(data, param="images[0]")
    assert image.alpha_floor("images[0]") == floor
    assert image.has_transparent_pixels("images[0]") is (floor == 0)


def test_an_image_without_bytes_has_no_transparent_pixels() -> None:
    remote = InputImage(url="https://example.com/a.png", has_alpha=True)
    assert remote.alpha_floor("images[0]") == 255


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused_naming_the_parameter(kind: str) -> None:
    """sniff reads a PNG's chunks through to its end, and looks for a JPEG's end marker: a
    file cut short is refused before anything is sent (it used to pass, its header intact)."""
    noise = Image.frombytes("RGBA", (64, 64), bytes(range(256)) * 64)
    whole = encode(noise if kind == "PNG" else noise.convert("RGB"), kind)
    assert sniff(whole, param="images[0]").width == 64
    with pytest.raises(InvalidRequestError) as caught:
        sniff(whole[: len(whole) // 2], param="images[0]")
    assert (caught.value.param, caught.value.code) == ("images[0]", "invalid_image")


def test_an_image_with_too_many_pixels_to_decode_is_refused_naming_the_parameter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pillow's decompression-bomb guard (twice MAX_IMAGE_PIXELS) is an invalid request, not a
    crash."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(InvalidRequestError) as caught:
        sniff(encode(Image.new("RGB", (64, 64)), "PNG"), param="images[0]")
    assert (caught.value.param, caught.value.code) == ("images[0]", "image_too_large")


def test_an_image_past_pillows_pixel_limit_is_refused_where_pillow_only_warns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between MAX_IMAGE_PIXELS and twice that, Pillow warns and decodes: a small file that
    would take hundreds of MB to check a mask's alpha. limner refuses it, and a provider's
    answer that size gives no size (its header is not trusted)."""
    from limner.image_header import probe

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 3000)
    data = encode(Image.new("RGBA", (64, 64)), "PNG")  # 4,096 pixels: over, not twice over
    with pytest.raises(InvalidRequestError) as caught, pytest.warns(Image.DecompressionBombWarning):
        sniff(data, param="mask")
    assert (caught.value.param, caught.value.code) == ("mask", "image_too_large")
    assert "64x64 is over 3,000 pixels" in caught.value.message
    with pytest.warns(Image.DecompressionBombWarning):
        assert probe(data) == (None, None)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # twice over: Pillow's own error
    assert probe(data) == (None, None)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 3000)
    with warnings.catch_warnings():  # -W error: the warning is raised, as a bomb is refused
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        assert probe(data) == (None, None)
        with pytest.raises(InvalidRequestError) as raised:
            sniff(data, param="mask")
    assert raised.value.code == "image_too_large"


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_an_images_size_is_read_from_the_head_of_its_base64(kind: str) -> None:
    """Only the head is decoded: an image far larger than it still gives its size (random
    pixels do not compress). A response whose answer says no size is given this one."""
    import base64
    import os

    from limner.image_header import probe_b64

    picture = Image.frombytes("RGB", (640, 360), os.urandom(640 * 360 * 3))
    data = base64.b64encode(encode(picture, kind)).decode()
    assert len(data) > 2 * 64 * 1024
    assert probe_b64(data) == ("640x360", kind.lower())
    assert probe_b64("not base64!") == (None, None)


def test_a_file_name_loses_what_a_multipart_header_cannot_carry() -> None:
    """A line break would end the part's header (aiohttp refuses it with a bare ValueError); a
    quote or backslash would need escaping."""
    data = encode(Image.new("RGB", (8, 8)), "PNG")
    image = sniff(data, param="images[0]", filename='a"\r\nX: 1\r\n\\b\x00.png')
    assert image.filename == "aX: 1b.png"
    assert sniff(data, param="images[0]", filename="\r\n.png").filename == "image.png"


def test_a_jpeg_cut_after_its_header_is_refused() -> None:
    """Its header parses, so Pillow opens it; its end marker is missing."""
    noise = Image.frombytes("RGB", (256, 256), bytes(range(256)) * 768)
    whole = encode(noise, "JPEG")
    with pytest.raises(InvalidRequestError) as caught:
        sniff(whole[: len(whole) - 2000], param="mask")
    assert caught.value.message == (
        "mask could not be decoded; send a complete PNG, JPEG, WebP, GIF, AVIF or HEIC image"
    )


def test_a_jpeg_with_data_after_its_end_is_whole() -> None:
    """A motion photo: the phone appends a video after the JPEG's end marker."""
    photo = encode(Image.new("RGB", (64, 64), "red"), "JPEG")
    assert sniff(photo + b"\x00" * 10 + b"ftypmp42" + bytes(200_000), param="image").width == 64
    progressive = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(progressive, "JPEG", progressive=True)
    assert sniff(progressive.getvalue(), param="image").height == 64


def test_a_cut_photo_with_an_exif_thumbnail_is_refused_and_a_multi_picture_jpeg_taken() -> None:
    """A camera's EXIF thumbnail is a whole JPEG inside a segment: the check walks the
    segments to the photo's own scan. A multi-picture JPEG (MPO, phones' Ultra HDR) is a JPEG."""
    thumbnail = encode(Image.new("RGB", (16, 16), "red"), "JPEG")
    exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00" + thumbnail
    out = io.BytesIO()
    Image.frombytes("RGB", (512, 512), bytes(range(256)) * 3072).save(out, "JPEG", exif=exif)
    photo = out.getvalue()
    assert sniff(photo, param="image").width == 512
    with pytest.raises(InvalidRequestError):
        sniff(photo[: len(photo) // 2], param="image")
    multi = io.BytesIO()
    first, second = Image.new("RGB", (64, 64), "red"), Image.new("RGB", (64, 64), "blue")
    first.save(multi, "MPO", save_all=True, append_images=[second])
    image = sniff(multi.getvalue(), param="image")
    assert (image.mime, image.width) == ("image/jpeg", 64)
    assert to_png(image, "image")[0].mime == "image/png"  # its first picture, not "animated"


@pytest.mark.parametrize(("alpha", "warned"), [(255, True), (128, True), (0, False)])
def test_a_mask_that_marks_nothing_is_a_warning(alpha: int, warned: bool) -> None:
    """Fully transparent pixels mark the area to change; a mask without one is still sent."""
    from limner.masks import MASK_MARKS_NOTHING, mask_notices

    mask = sniff(encode(Image.new("RGBA", (8, 8), (0, 0, 0, alpha)), "PNG"), param="mask")
    assert [n.code for n in mask_notices(mask)] == ([MASK_MARKS_NOTHING] if warned else [])
    assert mask_notices(None) == []


@pytest.mark.parametrize("alpha", [255, 128, 1])
def test_a_mask_that_marks_nothing_is_refused_where_it_becomes_black_and_white(
    alpha: int,
) -> None:
    """Turned black and white, it would mark nothing: an edit known to change nothing, billed."""
    from limner.masks import mask_to_binary

    mask = Image.new("RGBA", (8, 8), (0, 0, 0, alpha))
    with pytest.raises(InvalidRequestError) as caught:
        mask_to_binary(encode(mask, "PNG"), param="images[0]")
    assert (caught.value.param, caught.value.code) == ("images[0]", "invalid_mask")
    mask.putpixel((2, 3), (0, 0, 0, 0))
    binary = Image.open(io.BytesIO(mask_to_binary(encode(mask, "PNG"), edit=200, keep=7)))
    assert (binary.getpixel((2, 3)), binary.getpixel((0, 0))) == (200, 7)


_NOT_TIFF = b"XX*\x00" + b"\x00" * 20  # an EXIF block without its TIFF header
_ASCII_ORIENTATION = (  # Orientation (0x0112) typed ASCII: Pillow reads it, cannot write it
    b"II*\x00\x08\x00\x00\x00\x01\x00"
    + struct.pack("<HHI", 0x0112, 2, 4)
    + b"abc\x00"
    + b"\x00" * 4
)


def _with_exif(fmt: str, exif: bytes) -> bytes:
    out = io.BytesIO()
    if fmt != "JPEG":
        Image.new("RGB", (64, 64), (9, 9, 9)).save(out, fmt, exif=exif)
        return out.getvalue()
    Image.new("RGB", (64, 64), (9, 9, 9)).save(out, "JPEG")
    data, app1 = out.getvalue(), b"Exif\x00\x00" + exif  # an APP1 segment written by hand
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + data[2:]


@pytest.mark.parametrize(
    ("fmt", "exif"),
    [("WEBP", _NOT_TIFF), ("JPEG", _ASCII_ORIENTATION), ("WEBP", _ASCII_ORIENTATION)],
)
def test_exif_that_cannot_be_read_or_written_is_left_out_and_said(fmt: str, exif: bytes) -> None:
    """Metadata does not make an image unusable: it crashed the conversion (SyntaxError,
    struct.error), which the plugin reported as its own bug."""
    data = _with_exif(fmt, exif)
    png, how = to_png(sniff(data, param="images[0]"), "images[0]")
    assert Image.open(io.BytesIO(png.data or b"")).size == (64, 64)
    assert how.endswith("; its EXIF, which could not be read, left out")


def test_the_shown_size_of_an_image_with_broken_exif_is_its_stored_size() -> None:
    """A markup is checked against it: a SyntaxError escaped there."""
    image = sniff(_with_exif("PNG", _NOT_TIFF), param="images[0]")
    assert image.shown_size("images[0]") == (64, 64)


def test_a_tiny_file_declaring_a_huge_image_is_refused_before_it_is_decoded() -> None:
    """46 bytes of lossless WebP declaring 9000x9000, under Pillow's own limit: decoded, it took
    1.3 GB and seconds (through a gateway, for anyone who can reach it)."""
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (1, 2, 3, 4)).save(out, "WEBP", lossless=True)
    data = bytearray(out.getvalue())
    at = data.index(b"VP8L") + 8  # the VP8L width and height fields, rewritten
    kept = int.from_bytes(data[at + 1 : at + 5], "little") & ~((1 << 28) - 1)
    data[at + 1 : at + 5] = ((9000 - 1) | ((9000 - 1) << 14) | kept).to_bytes(4, "little")
    with pytest.raises(InvalidRequestError) as caught:  # as it is read, before any use
        sniff(bytes(data), param="images[0]")
    assert caught.value.code == "image_too_large" and caught.value.param == "images[0]"
    assert "9000x9000 from " in caught.value.message
