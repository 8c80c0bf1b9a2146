"""Whether an image file is whole: a PNG read through to its end, a JPEG reaching its end marker.

A file cut short (an upload interrupted, a copy truncated) keeps its header, so it opens and
reports its size; a provider would refuse it only after the upload, or answer from half an
image. :func:`check_whole` finds it first, without decoding pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import InvalidRequestError

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["check_whole"]


def check_whole(image: Image.Image, data: bytes, param: str, damaged_message: str) -> None:
    """Refuse a PNG or JPEG that is cut short or damaged, which a provider would refuse after
    the upload (or answer from half an image): a PNG's chunks and checksums are read through to
    its end (Pillow's ``verify``, which decodes no pixels), a JPEG must reach its end marker.
    ``image`` is ``data`` as Pillow has just opened it, not loaded: a PNG's ``verify`` leaves it
    unusable. Other formats pass."""
    damaged = InvalidRequestError(damaged_message, param=param, code="invalid_image")
    kind = image.format
    if kind in ("JPEG", "MPO"):
        # An end marker (EOI) after the image's first scan (SOS): inside a scan a 0xFF byte is
        # always escaped, so a file cut short has none. What follows it is not read: phones
        # append a motion photo's video, or a second picture (MPO), there.
        scan = _jpeg_scan(data)
        if scan < 0 or data.find(b"\xff\xd9", scan) < 0:
            raise damaged
        return
    if kind == "PNG":
        try:
            image.verify()
        except Exception as exc:  # Pillow raises several kinds (SyntaxError for a bad chunk)
            raise damaged from exc


def _jpeg_scan(data: bytes) -> int:
    """Where a JPEG's first scan starts, found by walking its marker segments from the start
    (an EXIF thumbnail is a whole JPEG inside a segment: a search would find its scan); -1 when
    the segments do not lead to one."""
    at = 2  # after the start-of-image marker
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return -1
        marker = data[at + 1]
        if marker == 0xDA:
            return at
        if marker == 0xFF:  # fill byte
            at += 1
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            at += 2
        else:
            at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return -1
