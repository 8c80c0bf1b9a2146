"""Response schemas: OpenAI's ``ImagesResponse`` plus ``cost``, ``provider``, ``model``,
``adjustments`` and ``warnings``; helpers to get image bytes and save files. (The token usage
classes, in :mod:`limner.token_usage`, are importable from here too.)"""

from __future__ import annotations

import base64
import binascii
import os
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, PrivateAttr

from .errors import LimnerError, ProviderError
from .money import Usd
from .shaped import OpenAIShaped
from .token_usage import InputTokensDetails, OutputTokensDetails, Usage, reported_usage
from .writing import write_all

__all__ = [
    "Adjustment",
    "ImageData",
    "ImageFormatWarning",
    "ImagesResponse",
    "InputTokensDetails",
    "Notice",
    "OpenAIShaped",
    "OutputTokensDetails",
    "Usage",
    "built_response",
    "file_extension",
    "known_format",
    "reported_usage",
    "save_paths",
]

_EXTENSIONS = {
    "png": "png",
    "jpeg": "jpg",
    "jpg": "jpg",
    "webp": "webp",
    "gif": "gif",
    "svg": "svg",
}
_FORMATS = {"png": "png", "jpeg": "jpeg", "jpg": "jpeg", "webp": "webp", "gif": "gif", "svg": "svg"}
_NAMED = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP", ".gif": "GIF"}
_HELD = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WebP", "image/gif": "GIF"}


class ImageFormatWarning(UserWarning):
    """:meth:`ImagesResponse.save` wrote image bytes under a name whose extension says another
    format (``fox.jpg`` holding PNG data). The file is written as the provider sent it."""


class Adjustment(OpenAIShaped):
    """A setting limner changed or dropped to fit the model, and why. ``applied`` is ``None`` when
    the setting was dropped."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    param: str
    requested: Any = None
    applied: Any = None
    reason: str


CONTENT_FILTERED = "content_filtered"
"""``Notice.code`` of an image the provider's safety filter blurred or withheld."""

NO_IMAGES = "no_images"
"""``Notice.code`` of a call that answered without its images for another reason, which the
message gives (the provider's finish reason, the text it wrote instead)."""

CALL_FAILED = "call_failed"
"""``Notice.code`` of one call of a split ``n`` that failed while others made images: those
images, made and billed, are returned, and the notice quotes the failed call's error."""

RESENT = "resent"
"""``Notice.code`` of a call whose connection dropped after its request went out, which limner
sent again (as it retries lost connections): the provider may have made, and bill, both."""

FIELD_KEPT_OUT = "field_kept_out"
"""``Notice.code`` of an answer holding fields named like the response's own (``cost``,
``provider``, ``warnings``...) besides those its plugin maps: limner's values are kept, and the
notice names the provider's fields left out."""

TRANSPARENCY_NOT_USED_AS_MASK = "transparency_not_used_as_mask"
"""``Notice.code`` of an edit without a mask whose image has transparent pixels, which the
provider reworks as a whole rather than taking them as the area to edit (an explicit inpaint
mode does that)."""


class Notice(OpenAIShaped):
    """Something the user should know about the result (a filtered image, a retired model...)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    message: str
    param: str | None = None
    index: int | None = Field(default=None, description="index of the image it concerns, if one")


class ImageData(OpenAIShaped):
    """One image: base64 data or a URL, and the prompt the provider used if it rewrote it. Other
    fields the provider's answer gave the image are kept as it gave them, as the openai SDK keeps
    them (``image.generation_id``, and in ``model_extra`` and ``model_dump()``)."""

    model_config = ConfigDict(defer_build=True, extra="allow")

    b64_json: str | None = Field(default=None, repr=False)
    url: str | None = None
    revised_prompt: str | None = None
    seed: int | None = Field(default=None, description="the seed the provider used, when it says")

    def to_bytes(self) -> bytes:
        """The image's bytes. Raises ``ValueError`` for a URL-only image (ask for
        ``response_format="b64_json"`` to have limner download it), and
        :class:`~limner.ProviderError` for base64 data damaged past its first bytes (which
        limner checks on receiving it)."""
        if self.b64_json is None:
            raise ValueError(
                "this image is a URL only: request response_format='b64_json' to have limner "
                "download it (if you did, the response's adjustments say why the download "
                "failed), or download the URL yourself"
            )
        try:
            return base64.b64decode(self.b64_json)
        except binascii.Error as exc:
            raise ProviderError(f"the image's base64 data is damaged ({exc})") from None


class ImagesResponse(OpenAIShaped):
    """The OpenAI image response, plus what limner adds. Fields of the provider's answer that its
    plugin does not map onto these are kept as it gave them (the first call's, when ``n`` was
    split), as the openai SDK keeps them: ``response.svg_usage``, and in ``model_extra`` and
    ``model_dump()``. One named like a field here is kept out (see :data:`FIELD_KEPT_OUT`)."""

    model_config = ConfigDict(defer_build=True, extra="allow")

    created: int
    data: list[ImageData]
    output_format: str | None = None
    size: str | None = None
    quality: str | None = None
    background: str | None = None
    usage: Usage | None = None
    cost: Usd | None = Field(default=None, description="USD; null when the price is unknown")
    provider: str
    model: str
    adjustments: list[Adjustment] = Field(default_factory=list)
    warnings: list[Notice] = Field(default_factory=list)
    request_id: str | None = Field(
        default=None,
        description="the provider's id for the answer (the first call's, when n was split), "
        "for a support request to the provider",
    )
    _failures: tuple[LimnerError, ...] = PrivateAttr(default=())

    @property
    def failures(self) -> tuple[LimnerError, ...]:
        """The errors of the calls of a split ``n`` that failed while others made images, in
        call order; each is also a ``call_failed`` (or, for a refusal, ``content_filtered``)
        warning quoting it. Empty when every call answered."""
        return self._failures

    def images(self) -> list[bytes]:
        """Every image's bytes, in order."""
        return [item.to_bytes() for item in self.data]

    def file_format(self) -> str | None:
        """The format :meth:`save` names files for: ``output_format`` when it is one limner knows
        (see :func:`known_format`), or else the first image's, read from its bytes (``None``
        when neither says)."""
        known = known_format(self.output_format)
        if known is not None:
            return known
        first = [item.to_bytes() for item in self.data[:1] if item.b64_json is not None]
        return _sniffed(first)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
        """Write the images and return their paths.

        ``path`` is a directory (files ``image-1.png``, ...): one that exists, or a string
        ending in ``/`` (a ``Path`` drops that ``/``: make its directory first). Otherwise it
        is a file name; with several images a file name gets ``-1``, ``-2``... before its
        extension (the extension it picks follows
        ``output_format``, or the first image's bytes). All or nothing: every image is first
        written to a temporary file beside its name and flushed to disk, and only then are they
        all put in place, so a failure while writing (a full disk) leaves every existing file
        as it was, and a crash never leaves a half-written file under a final name. Existing
        files (and links) are refused before anything is written unless ``overwrite``, and so
        is one that appears meanwhile: the files this call had placed are then removed. With
        ``overwrite`` a directory standing at a name is refused first; the files are then
        renamed into place one by one (a rename the system refuses midway, for a permission
        or an I/O error, leaves those before it saved). Bytes are written as the provider
        sent them: a file whose extension names another format (``fox.jpg`` holding PNG data)
        gets an :class:`ImageFormatWarning` (ask for the format with ``output_format`` where the
        model takes it).
        """
        payloads = self.images()
        named = known_format(self.output_format) or _sniffed(payloads[:1])
        names = save_paths(path, len(self.data), named)
        _refuse_taken(names, overwrite=overwrite)
        write_all(names, payloads, overwrite=overwrite)
        for name, payload in zip(names, payloads, strict=True):
            misnamed = _misnamed(name, payload)
            if misnamed is not None:
                warnings.warn(misnamed, ImageFormatWarning, stacklevel=2)
        return names


def built_response(
    fields: dict[str, Any],
    failures: tuple[LimnerError, ...] = (),
    extra: dict[str, Any] | None = None,
) -> ImagesResponse:
    """``ImagesResponse.model_validate({**fields, **extra})`` with ``failures`` (``fields``:
    every field, in the class's order; ``extra``: the provider's other fields, none named like
    one of them; both are taken, not copied), without validating again what validation would
    keep as it is: the values limner built, and those of a provider's answer that have the
    types the fields take (extra fields are kept as they are). Anything else (a plugin's answer
    may hold any object) is validated, and converted or refused, as by the constructor."""
    if not (_kept_as_is(fields) and (not extra or _text_keys(extra))):
        response = ImagesResponse.model_validate({**fields, **extra} if extra else fields)
        response._failures = failures
        return response
    response = ImagesResponse.__new__(ImagesResponse)
    _object_setattr(response, "__dict__", fields)
    _object_setattr(
        response, "__pydantic_fields_set__", {*fields, *extra} if extra else set(fields)
    )
    _object_setattr(response, "__pydantic_extra__", extra if extra is not None else {})
    _object_setattr(response, "__pydantic_private__", {"_failures": failures})
    return response


_object_setattr = object.__setattr__


_TEXT_OR_NONE = ("output_format", "size", "quality", "background", "request_id")


def _kept_as_is(fields: dict[str, Any]) -> bool:
    """Whether validating ``fields`` as an :class:`ImagesResponse`'s would keep every value as
    it is: exact types (validation turns ``True`` into ``1``, a ``str`` subclass into a
    ``str``), and instances of a field's models (which are not validated again)."""
    usage, cost = fields["usage"], fields["cost"]
    if not (
        type(fields["created"]) is int
        and type(fields["provider"]) is str
        and type(fields["model"]) is str
        and (usage is None or isinstance(usage, Usage))
        and (cost is None or (type(cost) is Decimal and cost.is_finite()))
    ):
        return False
    for name in _TEXT_OR_NONE:
        value = fields[name]
        if value is not None and type(value) is not str:
            return False
    for items, kind in (
        (fields["data"], ImageData),
        (fields["adjustments"], Adjustment),
        (fields["warnings"], Notice),
    ):
        if type(items) is not list:
            return False
        for item in items:
            if not isinstance(item, kind):
                return False
    return True


def _text_keys(extra: dict[str, Any]) -> bool:
    """Whether every name in ``extra`` is a ``str`` (validation refuses any other)."""
    return all(type(name) is str for name in extra)


def known_format(value: object) -> str | None:
    """The image format ``value`` names when it is one limner names files for (``png``,
    ``jpeg`` or ``jpg``, ``webp``, ``gif``, ``svg``, in any case), as ``jpeg`` for both JPEG
    spellings; ``None`` for anything else, which is no name to trust in a file name."""
    return _FORMATS.get(value.lower()) if isinstance(value, str) else None


def file_extension(output_format: str | None) -> str:
    """The extension, without its dot, of a file holding ``output_format`` (``jpg`` for JPEG);
    ``png`` for ``None`` or a format limner does not know."""
    return _EXTENSIONS.get((output_format or "png").lower(), "png")


def _sniffed(payloads: list[bytes]) -> str | None:
    """The format of the first image, when the response does not say (for the names
    :meth:`ImagesResponse.save` picks)."""
    from .image_header import image_mime

    mime = image_mime(payloads[0]) if payloads else None
    return mime.split("/")[1] if mime else None


def _misnamed(path: Path, payload: bytes) -> str | None:
    """Why ``path``'s extension does not fit the image in ``payload``; ``None`` when it does,
    when the name has no extension, or when the bytes are no image limner knows."""
    from .image_header import image_mime

    named = _NAMED.get(path.suffix.lower())
    held = _HELD.get(image_mime(payload) or "")
    if held is None or named == held or not path.suffix:
        return None
    if named is None:  # fox.tiff, fox.txt: a format limner does not convert to
        return f"{path} holds {held} data, written as sent whatever the extension {path.suffix}"
    return f"{path} holds {held} data, not the {named} its name says"


def save_paths(
    path: str | os.PathLike[str], count: int, output_format: str | None = None
) -> list[Path]:
    """The files :meth:`ImagesResponse.save` writes for ``count`` images in ``output_format``
    (``None``: png): ``path/image-1.png``... for a directory; for one image ``path`` itself,
    with the format's extension added when it has none (``fox`` is ``fox.png``); else
    ``stem-1.ext``, ``stem-2.ext``..."""
    target = Path(path).expanduser()
    ext = file_extension(output_format)
    if target.is_dir() or str(path).endswith(("/", os.sep)):  # (Windows: "\\" or "/")
        return [target / f"image-{i + 1}.{ext}" for i in range(count)]
    if count == 1:
        return [target if target.suffix else target.with_name(f"{target.name.rstrip('.')}.{ext}")]
    suffix = target.suffix or f".{ext}"
    return [target.with_name(f"{target.stem}-{i + 1}{suffix}") for i in range(count)]


def _refuse_taken(names: list[Path], *, overwrite: bool) -> None:
    """Refuse, before anything is written, names :meth:`ImagesResponse.save` may not write:
    any that exists (a link too) without ``overwrite``; with it, a directory, which no file
    replaces (found only after the others were replaced, it would leave them half saved)."""
    if not overwrite:
        existing = [str(name) for name in names if os.path.lexists(name)]
        if existing:
            raise FileExistsError(
                f"refusing to overwrite {', '.join(existing)}: save to another path, or "
                "pass overwrite=True (the images are still in this response)"
            )
        return
    folders = [str(name) for name in names if name.is_dir() and not name.is_symlink()]
    if folders:
        raise IsADirectoryError(
            f"cannot save over {', '.join(folders)}: a directory has that name; save to another "
            "path (the images are still in this response)"
        )
