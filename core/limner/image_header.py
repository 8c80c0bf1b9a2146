"""What an image's header says, read without decoding its pixels: its format and size (for a
plugin to say what a provider's answer holds, and for the gateway to serve a file as what it is),
and whether it is over Pillow's pixel limit (a decompression bomb)."""

from __future__ import annotations

import base64
import binascii
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow is imported on first use, to keep `import limner` fast
    from PIL import Image

__all__ = [
    "MIME_BY_FORMAT",
    "READ_FORMATS",
    "check_pixels",
    "image_mime",
    "looks_like_image_b64",
    "probe",
    "probe_b64",
]

MIME_BY_FORMAT = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a JPEG carrying more pictures after its own (phones' Ultra HDR)
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "AVIF": "image/avif",  # Pillow 11.3 and later
}
"""Pillow's format names, and the media types limner takes for them (HEIF is read by
:mod:`limner.heif`: its media type depends on its coding)."""

READ_FORMATS = "PNG, JPEG, WebP, GIF, AVIF or HEIC"
"""The input image formats limner reads, for messages."""


BOMB_PIXELS = 16_000_000
"""Past this many pixels, an image whose file is tiny for its size is refused as a bomb."""
BOMB_RATIO = 2000
"""Pixels per byte of file past which an image that large is a bomb: no PNG gets there (deflate
stops near 1,032 to 1 of three or four bytes a pixel), a photo takes a byte or more a pixel, and
a 46-byte lossless WebP of 9000x9000 is 1.7 million to 1 (1.3 GB to decode and convert)."""


def check_pixels(image: Image.Image, size: int | None = None) -> None:
    """Raise Pillow's ``DecompressionBombError`` for an image over ``MAX_IMAGE_PIXELS`` (past
    it Pillow only warns, and decodes, up to twice as many), or, given the file's ``size`` in
    bytes, for one over :data:`BOMB_PIXELS` that holds more than :data:`BOMB_RATIO` pixels a
    byte. (Run with ``-W error``, the warning itself is raised, by ``Image.open``: callers catch
    both.)"""
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    pixels = image.width * image.height
    if limit is not None and pixels > limit:
        raise Image.DecompressionBombError(f"{image.width}x{image.height} is over {limit:,} pixels")
    if size is not None and pixels > BOMB_PIXELS and pixels > size * BOMB_RATIO:
        raise Image.DecompressionBombError(
            f"{image.width}x{image.height} from {size:,} bytes, more than {BOMB_RATIO:,} pixels "
            "a byte"
        )


def image_mime(data: bytes) -> str | None:
    """The media type of image bytes as Pillow reads them (PNG, JPEG, WebP, GIF), or ``None``."""
    kind = probe(data)[1]
    return None if kind is None else f"image/{kind}"


_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"BM",  # BMP
    b"II*\x00",  # TIFF, little- and big-endian
    b"MM\x00*",
    b"\x00\x00\x00\x0cjP  ",  # JPEG 2000
)
"""How image files begin; WebP (``RIFF....WEBP``) and the ISO media formats (AVIF, HEIC:
``....ftyp``) are checked at their offsets."""


def looks_like_image_b64(encoded: str) -> bool:
    """Whether base64 ``encoded`` begins as an image file does (PNG, JPEG, WebP, GIF, AVIF, HEIC,
    BMP, TIFF, JPEG 2000, SVG): its first 18 bytes are decoded, nothing more, so every image a
    provider answers can be checked at the cost of a few microseconds. ``False`` for text, HTML,
    an error message or what is not base64 at all."""
    try:  # 24 characters are 18 bytes; a shorter string is padded
        head = binascii.a2b_base64(
            encoded[:24] if len(encoded) >= 24 else encoded + "=" * (-len(encoded) % 4)
        )
    except ValueError:  # binascii.Error, or a character outside ASCII
        return False
    if head.startswith(_SIGNATURES):
        return True
    if (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or head[4:8] == b"ftyp":
        return True
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):  # markup: an SVG, or a page
        return b"<svg" in _markup_head(encoded)
    return False


def _markup_head(encoded: str) -> bytes:
    """The first kilobyte of base64 markup (an SVG's root element follows its XML declaration,
    comments and DOCTYPE there)."""
    chars = encoded[:1368]
    try:
        return binascii.a2b_base64(chars + "=" * (-len(chars) % 4))
    except ValueError:
        return b""


_HEADER_CHARS = 64 * 1024
"""Base64 characters :func:`probe_b64` decodes: an image's header, not the whole image."""


def probe_b64(encoded: str) -> tuple[str | None, str | None]:
    """:func:`probe` of base64 image data, decoding only its head (a header is in the first
    few kilobytes; a 4K image's base64 is megabytes)."""
    head = encoded[:_HEADER_CHARS]
    try:
        data = base64.b64decode(head[: len(head) - len(head) % 4])
    except binascii.Error:
        return None, None
    return probe(data)


def probe(data: bytes) -> tuple[str | None, str | None]:
    """The ``WIDTHxHEIGHT`` and format (``png``, ``jpeg``, ``webp``, ``gif``) of image bytes,
    read from their header (the pixels are not decoded: the first few kilobytes do); ``None``
    for what cannot be read. For a plugin to say what a provider's answer holds
    (``ProviderResult.size`` and ``output_format``)."""
    from PIL import Image, UnidentifiedImageError

    bombs = (Image.DecompressionBombError, Image.DecompressionBombWarning)
    try:
        with Image.open(io.BytesIO(data)) as image:
            check_pixels(image)  # a bomb's header is not trusted
            width, height = image.size
            mime = MIME_BY_FORMAT.get(image.format or "")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, *bombs):
        return None, None
    return f"{width}x{height}", None if mime is None else mime.split("/", 1)[1]
