"""Whether an image file is whole: a PNG read through to its end, a JPEG reaching its end marker,
a HEIF or AVIF whose image boxes (``meta``, ``mdat``) end inside the file.

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
    unusable. A HEIF or AVIF (ISO base media boxes) must hold its image boxes whole, as their
    sizes declare them: the image data comes last, so a file cut short ends inside it. Other
    formats pass."""
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
    elif kind in ("HEIF", "AVIF") and not _boxes_whole(data):
        raise damaged


def _boxes_whole(data: bytes) -> bool:
    """Whether an ISO base media file (HEIF, AVIF) holds its ``meta`` and ``mdat`` boxes whole
    (the image's description and data): each top-level box starts with its size (32 bits; 1: a
    64-bit size follows the type; 0: to the file's end) and its type. What follows both is not
    read: phones append a motion photo's video and trailers there, in no box."""
    at, seen = 0, set[bytes]()
    while at + 8 <= len(data) and not {b"meta", b"mdat"} <= seen:
        size = int.from_bytes(data[at : at + 4], "big")
        kind, header = data[at + 4 : at + 8], 8
        if size == 1:
            size, header = int.from_bytes(data[at + 8 : at + 16], "big"), 16
        if size == 0:
            return True
        if size < header or at + size > len(data):
            return False
        seen.add(kind)
        at += size
    return True  # (a file without them is Pillow's to refuse)


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
