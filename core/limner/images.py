"""Input images: load what the user gave, sniff the real format from the bytes, check masks.

Everything here runs before any call to a provider, so bad input fails with an
:class:`~limner.errors.InvalidRequestError` that names the parameter.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import functools
import io
import re
import struct
from collections.abc import Callable, Collection, Hashable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .base64_text import decode_base64 as decode_base64, decode_data_url
from .errors import InvalidRequestError, PayloadTooLargeError
from .heif import heif_mime, require_heif
from .image_header import MIME_BY_FORMAT, READ_FORMATS, check_pixels
from .integrity import check_whole
from .masks import mask_to_binary as mask_to_binary
from .requests import ImageRef
from .safe_text import CONTROL_CHARACTERS, is_lone_surrogate

if TYPE_CHECKING:  # Pillow is imported on first use, to keep `import limner` fast
    from PIL import Image

    from .changes import Changes

__all__ = [
    "InputImage",
    "accepted_image",
    "decode_base64",
    "decode_data_url",
    "mask_to_binary",
    "sniff",
    "to_png",
]

T = TypeVar("T")

_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True)
class InputImage:
    """A loaded input image. ``data`` is ``None`` only for a remote ``url`` or a ``file_id`` the
    provider takes as is."""

    data: bytes | None = field(default=None, repr=False)
    mime: str | None = None
    width: int | None = None
    height: int | None = None
    has_alpha: bool = False
    filename: str = "image"
    url: str | None = None
    file_id: str | None = None

    @functools.cached_property
    def b64(self) -> str:
        """The bytes as base64 text, encoded once however many split calls send them."""
        if self.data is None:
            raise ValueError("this image has no bytes")
        return base64.b64encode(self.data).decode()

    def alpha_floor(self, param: str) -> int:
        """The lowest alpha of any pixel: 0 when some pixel is fully transparent (what marks the
        area to edit under OpenAI's convention), 255 when none is see-through or the image has
        no alpha (nor bytes). Decodes the image once (the split calls of a request share the
        answer); an image that cannot be decoded is an :class:`InvalidRequestError` naming
        ``param``."""
        if self.data is None or not self.has_alpha:
            return 255
        return self.derived("alpha_floor", lambda image: _alpha_floor(image, param))

    def has_transparent_pixels(self, param: str) -> bool:
        """Whether some pixel is fully transparent (see :meth:`alpha_floor`)."""
        return self.alpha_floor(param) == 0

    def shown_size(self, param: str) -> tuple[int | None, int | None]:
        """Width and height as the image shows: an EXIF orientation of 5 to 8 turns it a
        quarter (a photo stored 4032x3024 shows 3024x4032). Read once per request."""
        if self.data is None:
            return self.width, self.height
        return self.derived("shown_size", lambda image: _shown_size(image, param))

    def data_url(self) -> str:
        """``data:<mime>;base64,...`` for providers that take images inline in JSON."""
        return f"data:{self.mime};base64,{self.b64}"

    def derived(self, key: Hashable, make: Callable[[InputImage], T]) -> T:
        """``make(self)``, computed once per ``key``. The split calls of a request share its
        input images, so a conversion (to PNG, a mask to black and white) runs once per request
        instead of once per call. The result lives as long as the image: one request. ``make``
        raising stores nothing."""
        cache: dict[Hashable, Any] = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = make(self)
        return cast(T, cache[key])


def _shown_size(image: InputImage, param: str) -> tuple[int | None, int | None]:
    from PIL import ExifTags

    with _opened(image.data or b"", param, _undecodable(param)) as opened:
        exif = _exif(opened)
        turned = exif is not None and exif.get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
    return (image.height, image.width) if turned else (image.width, image.height)


def _exif(opened: Image.Image) -> Image.Exif | None:
    """The image's EXIF, ``None`` when it has a block Pillow cannot read (no TIFF header, cut
    short): metadata, which does not make the image unusable."""
    try:
        return opened.getexif()
    except (SyntaxError, ValueError, OSError, struct.error):
        return None


def _alpha_floor(image: InputImage, param: str) -> int:
    with _opened(image.data or b"", param, _undecodable(param)) as opened:
        if opened.mode in ("RGBA", "LA", "PA"):  # the alpha band's extrema: no copy
            extrema: Any = opened.getextrema()
        else:  # a palette's transparent entries: 8-bit images
            extrema = opened.convert("RGBA").getextrema()
    return int(extrema[-1][0])


@contextlib.contextmanager
def _opened(data: bytes, param: str, unreadable: str) -> Iterator[Image.Image]:
    """The image Pillow opens from ``data``; what it cannot read (here or while the caller
    decodes it) is an :class:`InvalidRequestError` naming ``param``, saying ``unreadable``."""
    from PIL import Image, UnidentifiedImageError

    require_heif(data, param)
    try:
        with Image.open(io.BytesIO(data)) as image:
            check_pixels(image, len(data))
            yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidRequestError(
            f"{param} has too many pixels to decode safely ({exc}); send a smaller image",
            param=param,
            code="image_too_large",
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidRequestError(unreadable, param=param, code="invalid_image") from exc


def _undecodable(param: str) -> str:
    """The message for an image that was sniffed but cannot be decoded (cut short, say)."""
    return f"{param} could not be decoded; send a complete {READ_FORMATS} image"


def byte_count(count: int) -> str:
    """``count`` bytes for messages: ``50 MiB``, ``512 KiB``, ``300 bytes``."""
    for unit, size in (("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def sniff(data: bytes, *, param: str, filename: str = "image", still: bool = True) -> InputImage:
    """Identify an image from its bytes (never from its name) with Pillow. An animated one is
    refused unless ``still`` is false (an answer's: an input must be one still image)."""
    unreadable = f"{param} is not an image limner can read ({READ_FORMATS} expected)"
    with _opened(data, param, unreadable) as image:
        kind = image.format or ""
        width, height = image.size
        # an alpha band, or a palette's transparent entries (a tRNS colour key in other
        # modes is not read: Pillow drops 16-bit keys when converting)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        # (a HEIF may hold a photo's burst)
        animated = still and kind != "HEIF" and _animated(image)
        check_whole(image, data, param, _undecodable(param))  # last: may leave it unusable
    mime = heif_mime(data) if kind == "HEIF" else MIME_BY_FORMAT.get(kind)
    if mime is None:
        raise InvalidRequestError(
            f"{param} is a {kind or 'unknown'} image; use {READ_FORMATS}",
            param=param,
            code="invalid_image_format",
        )
    if animated:  # (after the format: a TIFF's pages are no animation limner could take)
        raise _animation_refused(param, mime)
    stem = _printable(Path(filename).stem) or "image"
    ext = {"image/jpeg": "jpg"}.get(mime, mime.split("/")[1])
    return InputImage(
        data=data,
        mime=mime,
        width=width,
        height=height,
        has_alpha=has_alpha,
        filename=f"{stem}.{ext}",
    )


def _animated(image: Image.Image) -> bool:
    """Whether ``image`` has several frames (an MPO's second is a JPEG's stereo view)."""
    return bool(getattr(image, "n_frames", 1) > 1 and image.format != "MPO")


def _animation_refused(param: str, kind: str | None) -> InvalidRequestError:
    """An animated input: every model takes one still image, and sending the first frame
    would drop the rest."""
    return InvalidRequestError(
        f"{param} is an animated {kind}; the model takes one still image. Save the frame you "
        "want as a PNG",
        param=param,
        code="invalid_image_format",
    )


def _printable(name: str) -> str:
    """``name`` without the characters a multipart header cannot carry (control characters:
    a line break in a file name would end the header; lone surrogates, which no encoding
    writes, as a file name's undecodable bytes read) or that would need escaping in it."""
    return "".join(
        ch
        for ch in name
        if ord(ch) not in CONTROL_CHARACTERS and ch not in '"\\' and not is_lone_surrogate(ch)
    )


def read_local(ref: ImageRef, *, param: str, max_bytes: int) -> InputImage | None:
    """Load bytes, a path or a ``data:`` URL. ``None`` for remote URLs and file ids. Bytes
    without a file name are named after ``param`` ("mask", "markup" or "image")."""
    unnamed = param if param in ("mask", "markup") else "image"
    if ref.data is not None:
        data, name = ref.data, ref.filename or unnamed
    elif ref.path is not None:
        data, name = _read_file(ref.path, param=param, max_bytes=max_bytes), Path(ref.path).name
    elif ref.url is not None and ref.url.startswith("data:"):
        data, name = decode_data_url(ref.url, param=param), unnamed
    else:
        return None
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"{param} is over the {byte_count(max_bytes)} limit", param=param
        )
    if not data:
        raise InvalidRequestError(f"{param} is empty (0 bytes)", param=param, code="invalid_image")
    return sniff(data, param=param, filename=name)


def _read_file(given: str, *, param: str, max_bytes: int) -> bytes:
    """The bytes of the file at ``given``, read no further than the limit allows; whatever keeps
    it from being read is refused naming ``param``, with the system's reason."""
    path = Path(given).expanduser()
    shown = repr(given) if len(given) <= 300 else f"{given[:100]!r}... ({len(given):,} characters)"
    try:
        kind = _file_kind(path)
        if kind != "file":
            if kind == "directory":
                said = f"{shown} is a directory, not an image file"
            elif kind == "other":
                said = f"{shown} is not a regular file (a device or a pipe): save the image first"
            elif scheme := _URL_SCHEME.match(given):  # gs://, s3://: not a path either
                said = (
                    f"{shown} is a {scheme[1]}:// URL, which limner does not fetch; give an "
                    "https URL, a data: URL, the image's bytes or a path"
                )
            elif len(given) > 300 or given.startswith(_BASE64_HEADS):  # base64 text, likely
                said = (
                    f"no such file {shown}; an image given as text is a path, a data: URL "
                    "(data:image/png;base64,...) or an https URL"
                )
            else:
                said = f"no such file {shown}"
            raise InvalidRequestError(f"{param}: {said}", param=param, code="file_not_found")
        if path.stat().st_size > max_bytes:
            raise PayloadTooLargeError(
                f"{param}: {given} is over the {byte_count(max_bytes)} limit", param=param
            )
        with path.open("rb") as handle:  # a size the system misreports (/proc) is capped too
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidRequestError(
            f"{param}: cannot read {shown} ({exc.strerror or exc})",
            param=param,
            code="file_unreadable",
        ) from exc


_BASE64_HEADS = ("iVBORw0KGgo", "/9j/", "R0lGOD", "UklGR")
"""How the base64 of a PNG, a JPEG, a GIF and a WebP (RIFF) begins."""


def _file_kind(path: Path) -> str:
    """``file``, ``directory``, ``other`` (a device, a pipe) or ``missing``; a name too long for
    the system (base64 text, most likely) names no file either, where ``Path.is_file`` raises."""
    try:
        if path.is_file():
            return "file"
        if path.is_dir():
            return "directory"
        return "other" if path.exists() else "missing"
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return "missing"
        raise


# Image modes a PNG holds as they are; anything else (CMYK, YCbCr, F...) becomes RGB(A).
_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})


def _to_rgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB(A) for a mode PNG cannot hold: colour-managed to sRGB through the image's own ICC
    profile when it has a usable one, else Pillow's plain conversion."""
    from PIL import ImageCms

    mode = "RGBA" if "A" in image.getbands() else "RGB"
    if icc is not None and mode == "RGB":
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            return converted
    return image.convert(mode)


def accepted_image(
    changes: Changes, image: InputImage, param: str, accepted: Collection[str], takes: str
) -> InputImage:
    """``image`` (named ``param``) as given when its MIME type is in ``accepted`` (or it has no
    bytes: a URL or file id); otherwise re-encoded with :func:`to_png` and the change recorded in
    ``changes``, whose reason is ``takes`` (what the model takes) and how it was re-encoded."""
    if image.data is None or image.mime in accepted:
        return image
    converted, how = to_png(image, param)
    changes.adjust(param, image.mime, converted.mime, f"{takes}; {how}")
    return converted


def to_png(image: InputImage, param: str) -> tuple[InputImage, str]:
    """The image as a PNG, for a provider that does not take its format, and how it was made
    (:data:`LOSSLESS`, or what changed), for the adjustment the caller reports.

    PNG is lossless, so the pixels are the ones stored in the file, in the same orientation (an
    EXIF orientation is kept as metadata, not applied, so a mask made for the file still lines
    up), with alpha, palette transparency and the ICC profile kept. A mode PNG cannot hold
    (CMYK, YCbCr...) becomes RGB, through its ICC profile when it has one (then the PNG is
    sRGB). An animated image is refused, naming ``param``: sending its first frame would drop
    the rest. Converted once per request (:meth:`InputImage.derived`)."""
    return image.derived("png", lambda source: _png_of(source, param))


LOSSLESS = "re-encoded losslessly as PNG (the same pixels)"
"""What :func:`to_png` says of a conversion that kept every pixel."""


def _png_of(image: InputImage, param: str) -> tuple[InputImage, str]:
    """The conversion :func:`to_png` runs (once per image)."""
    assert image.data is not None, "to_png needs the image's bytes"
    with _opened(image.data, param, _undecodable(param)) as opened:
        if _animated(opened):  # (sniff refuses most: a HEIF's image sequence is let through)
            raise _animation_refused(param, image.mime)
        icc: bytes | None = opened.info.get("icc_profile")
        exif = _exif(opened)
        still: Image.Image = opened
        how = LOSSLESS
        if opened.mode not in _PNG_MODES:
            still, icc = _to_rgb(opened, icc), None
            how = f"re-encoded as PNG, its {opened.mode} colours converted to {still.mode}"
        elif opened.mode == "P" and "transparency" in opened.info:
            # as RGBA: a GIF's transparent index may lie past its colour table, and a PNG
            # palette written from it would drop the transparency
            still = opened.convert("RGBA")
        out = io.BytesIO()
        try:
            still.save(out, format="PNG", icc_profile=icc, exif=exif)
        except (SyntaxError, ValueError, struct.error):  # a tag of the wrong type, say
            exif, out = None, io.BytesIO()
            still.save(out, format="PNG", icc_profile=icc)
        if exif is None and "exif" in opened.info:
            how += "; its EXIF, which could not be read, left out"
    png = replace(
        image,
        data=out.getvalue(),
        mime="image/png",
        width=still.width,
        height=still.height,
        filename=f"{Path(image.filename).stem or 'image'}.png",
    )
    return png, how
