"""HEIC, HEIF and AVIF input images: read through Pillow (HEIF with pillow-heif, registered when
limner first meets one), refused with what to install when pillow-heif is missing."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

import limner
from limner import InvalidRequestError
from limner.heif import _registered, heif_mime
from limner.images import sniff, to_png


def heif(image: Image.Image, **options: object) -> bytes:
    """``image`` saved as HEIC by Pillow, through pillow-heif (its opener registered, as
    limner registers it to read one)."""
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    image.save(out, format="HEIF", **options)
    return out.getvalue()


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    """An ``ftyp`` box: size, type, major brand, minor version, compatible brands."""
    body = b"ftyp" + major + b"\0\0\0\0" + b"".join(compatible)
    return (len(body) + 4).to_bytes(4, "big") + body + b"\0\0\0\x08meta"


@pytest.mark.parametrize(
    ("header", "mime"),
    [
        (ftyp(b"heic", b"mif1", b"heic"), "image/heic"),
        (ftyp(b"mif1", b"heic", b"miaf"), "image/heic"),  # the major brand is generic
        (ftyp(b"hevc", b"msf1"), "image/heic"),  # an image sequence (burst, live photo)
        (ftyp(b"mif1", b"miaf"), "image/heif"),
        (ftyp(b"avif", b"mif1", b"miaf"), None),  # AVIF shares the container: Pillow's own
        (ftyp(b"mif1", b"avif"), None),
        (ftyp(b"isom", b"mp41"), None),  # a video
        (b"\x89PNG\r\n\x1a\n" + bytes(32), None),
        (b"", None),
    ],
)
def test_heif_files_are_told_by_their_brands(header: bytes, mime: str | None) -> None:
    assert heif_mime(header) == mime


def test_a_heic_image_is_read_as_heic() -> None:
    image = sniff(heif(Image.new("RGBA", (20, 10), (1, 2, 3, 0))), param="images[0]")
    assert (image.mime, image.width, image.height) == ("image/heic", 20, 10)
    assert image.has_alpha
    assert image.filename == "image.heic"


def test_a_heic_photo_is_sized_as_it_shows() -> None:
    # A HEIC file turns its pixels with an irot box, as phones write them (pillow-heif writes an
    # EXIF orientation so), which pillow-heif applies when it reads the file: the size is the
    # shown one, as a mask drawn for the photo is
    photo = Image.new("RGB", (20, 10))
    exif = photo.getexif()
    exif[0x0112] = 6  # turned 90°
    image = sniff(heif(photo, exif=exif.tobytes()), param="image")
    assert (image.width, image.height) == (10, 20)


def test_a_heic_image_converts_to_the_same_pixels_as_png() -> None:
    source = Image.new("RGB", (16, 8), (200, 40, 40))
    source.paste((10, 200, 30), (0, 0, 8, 8))
    data = heif(source, quality=-1)  # lossless
    with Image.open(io.BytesIO(data)) as decoded:  # what pillow-heif decodes
        expected = decoded.convert("RGB").tobytes()
    png, how = to_png(sniff(data, param="images[0]", filename="IMG_0001.HEIC"), "images[0]")
    assert (png.mime, png.filename, how) == (
        "image/png",
        "IMG_0001.png",
        "re-encoded losslessly as PNG (the same pixels)",
    )
    assert png.data is not None
    with Image.open(io.BytesIO(png.data)) as converted:
        assert converted.convert("RGB").tobytes() == expected


def test_an_avif_image_is_read_as_avif() -> None:
    out = io.BytesIO()
    Image.new("RGB", (12, 6)).save(out, format="AVIF")
    image = sniff(out.getvalue(), param="images[0]")
    assert (image.mime, image.width, image.height) == ("image/avif", 12, 6)


@pytest.fixture
def no_pillow_heif(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pillow-heif as if not installed (``import pillow_heif`` fails)."""
    monkeypatch.setitem(sys.modules, "pillow_heif", None)
    _registered.cache_clear()
    yield
    _registered.cache_clear()


@pytest.mark.usefixtures("no_pillow_heif")
def test_without_pillow_heif_a_heic_image_is_refused_saying_what_to_install() -> None:
    data = heif(Image.new("RGB", (8, 8)))
    with pytest.raises(InvalidRequestError) as caught:
        sniff(data, param="images[1]")
    assert (caught.value.param, caught.value.code) == ("images[1]", "invalid_image_format")
    assert str(caught.value) == (
        "images[1] is a HEIC image, which limner reads with pillow-heif: pip install pillow-heif "
        "(or convert the image to PNG or JPEG)"
    )


@pytest.mark.usefixtures("no_pillow_heif")
def test_without_pillow_heif_other_images_are_read() -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    assert sniff(out.getvalue(), param="image").mime == "image/png"


async def test_a_heic_image_goes_to_a_model_that_does_not_take_it_as_png() -> None:
    data = heif(Image.new("RGB", (64, 64), (90, 90, 200)))
    async with limner.AsyncClient(providers={"openai": {"api_key": "sk-test"}}) as client:
        plan = await client.images.edit(
            model="openai/gpt-image-1.5", prompt="add a hat", image=data, dry_run=True
        )
    (upload,) = plan.requests[0]["files"]
    assert (upload["field"], upload["filename"], upload["content_type"]) == (
        "image",
        "image.png",
        "image/png",
    )
    assert [(a.param, a.requested, a.applied) for a in plan.adjustments] == [
        ("images[0]", "image/heic", "image/png")
    ]


def test_limner_registers_pillow_heif_itself(tmp_path: Path) -> None:
    """In a fresh interpreter, where nothing registered pillow-heif's opener with Pillow."""
    photo = tmp_path / "IMG_0001.HEIC"
    photo.write_bytes(heif(Image.new("RGB", (20, 10))))
    script = (
        "import sys; from limner.images import sniff; "
        "image = sniff(open(sys.argv[1], 'rb').read(), param='image'); "
        "print(image.mime, image.width, image.height)"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script, str(photo)], capture_output=True, text=True, check=False
    )
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "image/heic 20 10\n", "")


@pytest.mark.parametrize("kind", ["HEIF", "AVIF"])
def test_a_heic_or_avif_cut_short_is_refused_naming_the_parameter(kind: str) -> None:
    """Pillow opens one from its header alone, and a model that takes it as it is would get it
    broken: the boxes its sizes declare must all be in the file."""
    import os

    picture = Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3))
    whole = heif(picture) if kind == "HEIF" else _avif(picture)
    assert sniff(whole, param="images[0]").width == 64
    assert sniff(whole + b"\0\0\0", param="images[0]").width == 64  # (a few bytes after)
    # a Samsung motion photo's video and trailer follow the boxes, in none
    trailer = b"MotionPhoto_Data" + os.urandom(64) + b"SEFH" + bytes(12) + b"SEFT"
    assert sniff(whole + trailer, param="images[0]").width == 64
    for cut in (len(whole) // 2, len(whole) - 1):
        with pytest.raises(InvalidRequestError) as caught:
            sniff(whole[:cut], param="images[0]")
        assert (caught.value.param, caught.value.code) == ("images[0]", "invalid_image")


def _avif(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="AVIF")
    return out.getvalue()
