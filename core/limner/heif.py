"""HEIC and HEIF input images, phones' usual photo format. Pillow reads them through
``pillow-heif``, an optional dependency (the ``heif`` extra of ``limner-core``; the ``limner``
distribution brings it), whose opener limner registers with Pillow the first time it meets one.
Without it, such an image is refused with a message saying how to send it. AVIF, which shares
the container, is Pillow's own format and is not handled here."""

from __future__ import annotations

import functools

from .errors import InvalidRequestError

__all__ = ["HEIC_BRANDS", "HEIF_BRANDS", "heif_mime", "require_heif"]

HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
"""``ftyp`` brands of HEVC-coded HEIF, the ``image/heic`` files (ISO/IEC 23008-12, annex B)."""
HEIF_BRANDS = frozenset({b"mif1", b"msf1", b"mif2"})
"""``ftyp`` brands of HEIF files of any coding, ``image/heif``."""
_AVIF_BRANDS = frozenset({b"avif", b"avis"})


def _brands(data: bytes) -> frozenset[bytes]:
    """The major and compatible brands of an ISO media file's ``ftyp`` box, if it starts so."""
    if data[4:8] != b"ftyp":
        return frozenset()
    end = min(int.from_bytes(data[:4], "big"), len(data), 4096)
    compatible = (data[at : at + 4] for at in range(16, end - 3, 4))
    return frozenset({data[8:12], *compatible})


def heif_mime(data: bytes) -> str | None:
    """``image/heic`` or ``image/heif`` for the bytes of a HEIF file (by its ``ftyp`` brands),
    ``None`` for anything else, AVIF included."""
    brands = _brands(data)
    if not brands or brands & _AVIF_BRANDS:
        return None
    if brands & HEIC_BRANDS:
        return "image/heic"
    return "image/heif" if brands & HEIF_BRANDS else None


def require_heif(data: bytes, param: str) -> None:
    """Make Pillow able to open ``data`` when it is a HEIF file: register ``pillow-heif``'s
    opener (once per process), or, without it, raise an :class:`InvalidRequestError` naming
    ``param`` and what to do. Other bytes pass untouched."""
    mime = heif_mime(data)
    if mime is None or _registered():
        return
    kind = mime.removeprefix("image/").upper()
    raise InvalidRequestError(
        f"{param} is a {kind} image, which limner reads with pillow-heif: pip install pillow-heif "
        "(or convert the image to PNG or JPEG)",
        param=param,
        code="invalid_image_format",
    )


@functools.cache
def _registered() -> bool:
    """Whether pillow-heif is installed, its opener now registered with Pillow."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True
