"""Request schemas, shaped like OpenAI's Images API plus the cross-provider fields.

Unknown top-level fields are kept (``model_extra``) and forwarded to the provider unchanged. A
field limner knows for another operation (``input_fidelity`` on a generation, ``quality`` on a
variation) is not unknown: :func:`set_aside_misplaced` takes it out of the request and reports it as
dropped (or refuses input images an operation cannot take).
Input images stay as the user gave them here; :mod:`limner.images` loads and checks them.
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .errors import InvalidRequestError, UnsupportedFeatureError
from .kinds import BYTES_LIKE
from .responses import Adjustment
from .values import Count, Integer, ProviderOptions, read_flag

__all__ = [
    "EditRequest",
    "GenerateRequest",
    "ImageConfig",
    "ImageRef",
    "ImageRequest",
    "VariationRequest",
    "set_aside_misplaced",
]

SIZE_PATTERN = r"^(auto|[1-9][0-9]{1,4}x[1-9][0-9]{1,4})$"
ASPECT_PATTERN = r"^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$"


class ImageConfig(BaseModel):
    """Aspect ratio and resolution class, for providers that think in those terms."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    aspect_ratio: str | None = Field(default=None, pattern=ASPECT_PATTERN, examples=["16:9"])
    image_size: str | None = Field(default=None, min_length=1, examples=["1K", "2K", "4K"])


def is_file_tuple(value: Any) -> bool:
    """Whether ``value`` is one image in the OpenAI SDK's tuple form, ``(filename, content)``
    or ``(filename, content, mime[, headers])`` with bytes or a binary file as the content, and
    not a tuple of images."""
    if not isinstance(value, tuple) or not 2 <= len(value) <= 4:
        return False
    name, content, *rest = value
    return (
        (name is None or isinstance(name, str))
        and (
            isinstance(content, bytes | bytearray | memoryview | os.PathLike)
            or callable(getattr(content, "read", None))
        )
        and (not rest or rest[0] is None or isinstance(rest[0], str))  # the MIME type
        and (len(rest) < 2 or isinstance(rest[1], Mapping))  # the part's headers
    )


def _is_several(value: Any) -> bool:
    """Whether ``value`` is a sequence of images (a list, or a tuple that is not one file)."""
    return isinstance(value, list) or (isinstance(value, tuple) and not is_file_tuple(value))


def url_scheme_lowered(text: str) -> str:
    """``text`` with the scheme of a ``data:``, ``https:`` or ``http:`` URL in lower case
    (``DATA:image/png;base64,...``): a scheme is case-insensitive [RFC 3986 3.1], and limner
    reads these three by their lower-case prefix. Other text is returned as it is."""
    scheme, colon, rest = text[:6].partition(":")
    if colon and scheme.lower() in ("data", "https", "http") and not scheme.islower():
        return f"{scheme.lower()}:{rest}{text[6:]}"
    return text


class ImageRef(BaseModel):
    """One input image as given: exactly one of ``data``, ``path``, ``url`` (https or ``data:``) or
    ``file_id``."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    data: bytes | None = Field(default=None, repr=False)
    path: str | None = None
    url: str | None = Field(default=None, repr=False)
    file_id: str | None = None
    filename: str | None = None

    @classmethod
    def coerce(cls, value: Any) -> ImageRef:
        """Accept bytes, a path, a file object, a ``data:`` or https URL, ``{"file_id": ...}``,
        ``{"image_url": ...}``, the OpenAI SDK's file tuple (``(filename, content[, mime])``)
        or an ``ImageRef``."""
        if isinstance(value, ImageRef):
            return value
        if is_file_tuple(value):
            image = cls._from_file(value[1])
            if image.data is None:  # a path: loaded under its own name
                return image
            return image.model_copy(update={"filename": value[0] or image.filename})
        if isinstance(value, BYTES_LIKE):
            return cls(data=bytes(value))
        if isinstance(value, os.PathLike):
            return cls(path=os.fspath(value))
        if isinstance(value, str):
            url = url_scheme_lowered(value)
            if url.startswith(("data:", "https://", "http://")):
                return cls(url=url)
            return cls(path=value)
        if isinstance(value, dict):
            return cls._from_object(value)
        if callable(getattr(value, "read", None)):
            return cls._from_file(value)
        raise ValueError(
            "an image must be bytes, a path, a binary file object, a data: or https URL, "
            f"or {{'file_id': ...}}; got {type(value).__name__}"
        )

    @classmethod
    def _from_object(cls, value: dict[str, Any]) -> ImageRef:
        """``{"file_id": ...}`` or ``{"image_url": ...}`` (a URL, or OpenAI's ``{"url": ...}``)."""
        if set(value) == {"file_id"} and isinstance(value["file_id"], str):
            return cls(file_id=value["file_id"])
        if set(value) == {"image_url"}:
            inner = value["image_url"]
            url = inner.get("url") if isinstance(inner, dict) else inner
            if isinstance(url, str):
                url = url_scheme_lowered(url)
                return cls.coerce(url) if url.startswith(("data:", "http")) else cls(url=url)
        raise ValueError("an image object needs exactly one of 'file_id' or 'image_url'")

    @classmethod
    def _from_file(cls, value: Any) -> ImageRef:
        """The bytes of a binary file object (or the bytes or path a file tuple holds)."""
        if isinstance(value, BYTES_LIKE):
            return cls(data=bytes(value))
        if isinstance(value, os.PathLike):
            return cls(path=os.fspath(value))
        if isinstance(value, io.TextIOBase):  # read() would fail to decode an image first
            raise ValueError("open image files in binary mode ('rb')")
        content = value.read()
        if isinstance(content, str):
            raise ValueError("open image files in binary mode ('rb')")
        if not content:  # most likely read already, by an earlier call
            raise ValueError(
                "the file object gave no bytes: it is empty or already read to its end (by an "
                "earlier call?); pass the path, or call seek(0) first"
            )
        name = getattr(value, "name", None)
        filename = os.path.basename(name) if isinstance(name, str) else None
        return cls(data=bytes(content), filename=filename)

    def describe(self) -> str:
        """A short, secret-free description for messages."""
        if self.path:
            return self.path
        if self.file_id:
            return f"file {self.file_id}"
        if self.url:
            return self.url.split(",", 1)[0] if self.url.startswith("data:") else self.url
        return self.filename or f"{len(self.data or b'')} bytes"


class ImageRequest(BaseModel):
    """Fields shared by every image request. Unknown fields are forwarded to the provider."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    model: str = Field(min_length=1, examples=["provider/model"])
    n: Count = Field(default=1, ge=1, le=10)
    size: str | None = Field(default=None, pattern=SIZE_PATTERN, examples=["1024x1024", "auto"])
    response_format: Literal["url", "b64_json"] | None = None
    user: str | None = None
    extra_headers: dict[str, str] | None = Field(default=None, repr=False)
    provider_options: ProviderOptions = Field(
        default=None, description="settings for one provider, under its name: {'<provider>': {...}}"
    )

    @property
    def forwarded(self) -> dict[str, Any]:
        """Unknown top-level fields, sent to the provider unchanged."""
        return dict(self.model_extra or {})


class _PromptRequest(ImageRequest):
    prompt: str = Field(min_length=1, max_length=32000, json_schema_extra={"pattern": r"\S"})
    quality: str | None = Field(
        default=None, examples=["auto", "low", "medium", "high", "standard", "hd"]
    )
    style: str | None = None
    background: str | None = Field(default=None, examples=["auto", "transparent", "opaque"])
    output_format: str | None = Field(default=None, examples=["png", "jpeg", "webp"])
    output_compression: Integer = Field(default=None, ge=0, le=100)
    moderation: str | None = None
    seed: Integer = None
    negative_prompt: str | None = None
    metadata: dict[str, str] | None = None
    image_config: ImageConfig | None = None
    safety_identifier: str | None = None  # (no bound: OpenAI's image endpoints state none)
    partial_images: Integer = Field(default=None, ge=0, le=3)

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the prompt is blank")
        return value


class GenerateRequest(_PromptRequest):
    """``images.generate``: a prompt to new images."""


class EditRequest(_PromptRequest):
    """``images.edit``: a prompt applied to 1 to 16 input images, with an optional mask whose
    transparent pixels mark the area to change (OpenAI's convention), or a markup drawn over the
    first image to guide the edit."""

    images: list[Annotated[ImageRef, BeforeValidator(ImageRef.coerce)]] = Field(
        min_length=1, max_length=16
    )
    mask: ImageRef | None = None
    markup: ImageRef | None = Field(
        default=None,
        description="a PNG drawn over the first image to guide the edit (strokes, arrows, "
        "notes; transparent elsewhere), the size of that image; not with a mask, and only on a "
        "model whose capabilities.markup is true",
    )
    prompt: str = Field(
        default="",
        max_length=32000,
        description="what to change; may be left out (empty) only for an edit_mode the model "
        "lists in capabilities.edit_modes_without_prompt (removing a background, say)",
    )
    input_fidelity: Literal["high", "low"] | None = Field(
        default=None,
        description="how closely to keep the input images' details (OpenAI's two values)",
    )
    edit_mode: str | None = Field(
        default=None,
        description="which kind of edit, for providers with several: inpaint, outpaint, "
        "image-to-image, erase, search-and-replace, search-and-recolor, remove-background, "
        "variation (the model's capabilities list its own)",
        examples=["inpaint", "outpaint", "remove-background"],
    )

    @field_validator("images", mode="before")
    @classmethod
    def _coerce_images(cls, value: Any) -> list[Any]:
        """One image or a list; the items are coerced one by one, so that an error names the
        item (``images[0]``). A file tuple (``(filename, bytes)``) is one image."""
        return list(value) if _is_several(value) else [value]

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        """Empty is left out (whether the edit may do without is the model's to say, see
        :func:`limner.validation.validate_request`); blank is a mistake."""
        if value and not value.strip():
            raise ValueError("the prompt is blank")
        return value

    @field_validator("mask", "markup", mode="before")
    @classmethod
    def _coerce_mask(cls, value: Any) -> ImageRef | None:
        return None if value is None else ImageRef.coerce(value)


class VariationRequest(ImageRequest):
    """``images.create_variation``: variations of one image."""

    image: ImageRef

    @field_validator("image", mode="before")
    @classmethod
    def _coerce_image(cls, value: Any) -> ImageRef:
        if _is_several(value):
            if len(value) != 1:
                raise ValueError("variations take exactly one image")
            value = value[0]
        return ImageRef.coerce(value)


_OPERATIONS: dict[type[ImageRequest], str] = {
    GenerateRequest: "images.generate",
    EditRequest: "images.edit",
    VariationRequest: "images.create_variation",
}
INPUT_FIELDS = frozenset({"images", "image", "mask", "markup"})
"""The request fields that hold input images."""
_INPUTS_HINT: dict[type[ImageRequest], str] = {
    GenerateRequest: "images.generate takes no {name}; send input images with images.edit "
    "(or images.create_variation for one image)",
    EditRequest: "images.edit takes its input images as images (image= in the Python client) and "
    "a mask as mask; {name} is not one of its fields",
    VariationRequest: "images.create_variation takes one image as image, and no {name}; use "
    "images.edit for several images or a mask",
}
STREAMING_NOT_SUPPORTED = "streaming_not_supported"
"""``LimnerError.code`` of a request that asks to stream, on every surface."""

RequestT = TypeVar("RequestT", bound=ImageRequest)


@functools.cache
def known_request_fields() -> frozenset[str]:
    """Every field an images request knows, whatever its operation."""
    return frozenset(set().union(*(other.model_fields for other in _OPERATIONS)))


def fields_elsewhere(kind: type[BaseModel]) -> frozenset[str]:
    """The fields of the other operations' requests that ``kind`` does not have (none for a
    request that is not an images request): :func:`set_aside_misplaced` deals with them."""
    if not issubclass(kind, ImageRequest):
        return frozenset()
    return frozenset(known_request_fields() - set(kind.model_fields))


def set_aside_misplaced(
    request: RequestT, *, variation_edit: bool = False
) -> tuple[RequestT, list[Adjustment]]:
    """``request`` without the fields limner knows for another operation only, and each of them
    reported as dropped: a provider would refuse it as unknown, or take it as something else.
    ``variation_edit`` (the model offers ``edit_mode="variation"``) adds to a variation's reasons
    that an edit in that mode takes them.
    Input images given to an operation without inputs are refused instead, since leaving them
    out would change what the call makes. ``stream`` is read as chat reads it (``"no"`` and ``0``
    are false), refused when true (no provider's images are streamed yet) and set aside when
    false, which is what leaving it out means. A request without such fields is returned as is."""
    extra = request.model_extra  # (without nulls: build_request leaves unknown ones out)
    if not extra:
        return request, []
    return _set_aside(request, extra, variation_edit=variation_edit)


def _set_aside(
    request: RequestT, extra: dict[str, Any], *, variation_edit: bool
) -> tuple[RequestT, list[Adjustment]]:
    """:func:`set_aside_misplaced` of a request with extra fields (apart: its comprehensions'
    closures are made only for one)."""
    if "stream" in extra and read_flag(extra["stream"], "stream"):
        raise UnsupportedFeatureError(
            "limner does not stream images yet; leave out stream",
            param="stream",
            code=STREAMING_NOT_SUPPORTED,
        )
    kind = type(request)
    elsewhere = fields_elsewhere(kind)
    found = [name for name in extra if name in elsewhere or name == "stream"]
    if not found:
        return request, []
    operation = _OPERATIONS.get(kind, kind.__name__)
    for name in found:
        if name in INPUT_FIELDS:
            raise InvalidRequestError(_INPUTS_HINT[kind].format(name=name), param=name)
    dropped = []
    for name in found:
        if name == "stream":  # false: what leaving it out means, and not every provider's field
            continue
        users = [op for other, op in _OPERATIONS.items() if name in other.model_fields]
        dropped.append(
            Adjustment(
                param=name,
                requested=extra[name],
                reason=f"{name} is a setting of {' and '.join(users)}, not of {operation}; "
                "not sent" + (_AS_EDIT if variation_edit and kind is VariationRequest else ""),
            )
        )
    return _without(request, found), dropped


_AS_EDIT = (
    " (this model also makes variations as an edit: images.edit with edit_mode='variation' "
    "takes it)"
)


def _without(request: RequestT, names: list[str]) -> RequestT:
    """A copy of ``request`` without the extra fields ``names``."""
    extra = request.model_extra or {}
    kept = request.model_copy()
    kept.__pydantic_extra__ = {name: v for name, v in extra.items() if name not in names}
    kept.__pydantic_fields_set__ = request.model_fields_set - set(names)
    return kept


SIZE_RE = re.compile(r"^(\d+)x(\d+)$")


def parse_size(size: str) -> tuple[int, int] | None:
    """``"1536x1024"`` → ``(1536, 1024)``; ``None`` for ``"auto"``."""
    match = SIZE_RE.match(size)
    return (int(match.group(1)), int(match.group(2))) if match else None
