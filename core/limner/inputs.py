"""Preparing a request before translation: provider options and input images (extra headers:
:mod:`limner.extra_headers`)."""

from __future__ import annotations

import asyncio
import functools
import io
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import AliasChoices, BaseModel, ValidationError

from .capabilities import ModelInfo
from .download import sharing_cap
from .errors import InvalidRequestError, LimnerError, UnsupportedFeatureError
from .images import InputImage, read_local, sniff
from .input_errors import invalid_input
from .outcomes import gather_or_cancel
from .provider import Provider
from .requests import EditRequest, ImageRef, ImageRequest, VariationRequest
from .responses import Adjustment, Notice
from .unknown_names import takes_unknown_names, top_level_forbidding

if TYPE_CHECKING:
    from .plugins import Registry

__all__ = [
    "load_image",
    "load_images",
    "namespace_of",
    "provider_options",
]

Fetch = Callable[[str, str], Awaitable[bytes]]
T = TypeVar("T")


class _Settable(Protocol):
    """What the checks below read: an images request or a chat request."""

    @property
    def extra_headers(self) -> dict[str, str] | None: ...
    @property
    def provider_options(self) -> dict[str, dict[str, Any]] | None: ...


def namespace_of(given: Mapping[str, T], provider: Provider, param: str) -> T | None:
    """What ``given`` holds for ``provider``, under its name or one of its aliases; ``None``
    when nothing. Two of its names at once are refused: merging them could drop a setting."""
    names = [name for name in (provider.name, *provider.aliases) if name in given]
    if len(names) > 1:
        raise InvalidRequestError(
            f"{param} has {' and '.join(repr(name) for name in names)}, which name one "
            f"provider ({provider.name}); put its settings under one of them",
            param=param,
        )
    return given[names[0]] if names else None


OPTIONS = "provider_options"


def provider_options(
    request: _Settable, provider: Provider, registry: Registry
) -> BaseModel | None:
    """Validate the provider's own ``provider_options`` namespace. Namespaces of other registered
    providers are left for them (a request can carry options for several); unknown namespaces are
    refused as the client's ``providers`` settings are (:meth:`Registry.check_provider_names`),
    since they are most likely typos. An option set to ``null`` is unset, as a request field is."""
    options = request.provider_options
    if not options:
        return None
    registry.check_provider_names(options, param="provider_options")
    mine = namespace_of(options, provider, "provider_options")
    if mine is None:
        return None
    spelled = spelling(options, provider, OPTIONS) or f"{OPTIONS}.{provider.name}"
    if provider.options_model is None:
        raise InvalidRequestError(f"{provider.name} takes no provider_options", param=spelled)
    mine = {name: value for name, value in mine.items() if value is not None}  # null: unset
    model = provider.options_model
    try:
        if takes_unknown_names(model):  # the plugin takes unknown names somewhere: its rules
            if model.model_config.get("extra") != "allow":  # but not at the top
                top_level_forbidding(model).model_validate(mine)
            return model.model_validate(mine)
        # unknown names refused at every depth, where pydantic's default would ignore them (an
        # unknown option, or one in a nested option's object, dropped without a word)
        return model.model_validate(mine, extra="forbid")
    except ValidationError as exc:
        raise invalid_input(exc, prefix=f"{spelled}.", fields=_option_names(model)) from None


@functools.cache
def _option_names(model: type[BaseModel]) -> tuple[str, ...]:
    """The names ``model`` takes, for messages: each field's alias or validation aliases, else
    its name (and its name too, where the model validates by name)."""
    config = model.model_config
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    names: list[str] = []
    for name, field in model.model_fields.items():
        aliases = [field.alias] if isinstance(field.alias, str) else []
        choices = field.validation_alias
        if isinstance(choices, str):
            aliases.append(choices)
        elif isinstance(choices, AliasChoices):
            aliases += [choice for choice in choices.choices if isinstance(choice, str)]
        names += [*aliases, name] if by_name or not aliases else aliases
    return tuple(sorted(set(names)))


def spelling(given: Mapping[str, object] | None, provider: Provider, field: str) -> str | None:
    """``<field>.<alias>`` when ``given`` (a request's ``provider_options``, a client's
    ``providers``) holds ``provider``'s entry under one of its aliases, else ``None``. Plugins
    and settings models name the entry by the provider's name; core renames it in errors,
    adjustments and notices to the caller's spelling (:func:`respell_error`,
    :func:`respelled`), so a tool finds the field it sent."""
    if not given or provider.name in given:
        return None
    return next((f"{field}.{alias}" for alias in provider.aliases if alias in given), None)


def respell_error(error: LimnerError, provider: Provider, field: str, spelled: str) -> None:
    """``error`` naming ``provider``'s entry of ``field`` as ``spelled``, in its ``param`` and its
    message."""
    canonical = f"{field}.{provider.name}"
    error.rename_param(canonical, spelled)
    error.message = _respelled_text(error.message, canonical, spelled)


Noted = TypeVar("Noted", Adjustment, Notice)


def respelled(
    items: tuple[Noted, ...], provider: Provider, field: str, spelled: str
) -> tuple[Noted, ...]:
    """Adjustments or notices with ``provider``'s entry of ``field`` spelt ``spelled`` in their
    ``param`` (and a notice's message)."""
    canonical = f"{field}.{provider.name}"
    out: list[Noted] = []
    for item in items:
        update: dict[str, str] = {}
        param = item.param
        if param is not None and (param == canonical or param.startswith(canonical + ".")):
            update["param"] = spelled + param.removeprefix(canonical)
        if isinstance(item, Notice) and canonical in item.message:
            update["message"] = _respelled_text(item.message, canonical, spelled)
        out.append(item.model_copy(update=update) if update else item)
    return tuple(out)


def _respelled_text(text: str, canonical: str, spelled: str) -> str:
    """``canonical`` spelt ``spelled`` where limner's text names it, not inside a quoted value."""
    return re.sub(rf"(?<!['\w.]){re.escape(canonical)}\b", spelled, text)


@dataclass(frozen=True)
class LoadedImages:
    """The input images of an edit or variation, loaded and checked."""

    images: tuple[InputImage, ...] = ()
    mask: InputImage | None = None
    markup: InputImage | None = None


NO_INPUTS = LoadedImages()
"""What a request without input images (a generation) loads: nothing."""


def takes_inputs(request: ImageRequest) -> bool:
    """Whether ``request`` carries input images to load (an edit or a variation)."""
    return isinstance(request, _WITH_INPUTS)


_WITH_INPUTS = (EditRequest, VariationRequest)


async def load_images(
    request: ImageRequest, model: ModelInfo, fetch: Fetch, *, max_bytes: int
) -> LoadedImages:
    """Load the input images (and mask or markup) of an edit or variation. Remote URLs stay URLs
    when the model fetches them itself; otherwise limner downloads them."""
    if isinstance(request, EditRequest):
        refs = [(f"images[{i}]", ref) for i, ref in enumerate(request.images)]
        extras = {"mask": request.mask, "markup": request.markup}
    elif isinstance(request, VariationRequest):
        refs, extras = [("image", request.image)], {}
    else:
        return NO_INPUTS
    given = {param: ref for param, ref in extras.items() if ref is not None}
    refs += given.items()
    # a markup goes with the images as uploads: limner downloads what the model would fetch
    uploads = "markup" in given
    # remote ones download side by side, within max_bytes in all; the first failure cancels
    # the rest
    with sharing_cap(max_bytes):
        loaded = await gather_or_cancel(
            [
                load_image(ref, param, model, fetch, max_bytes, uploads=uploads)
                for param, ref in refs
            ]
        )
    images = tuple(loaded[: len(loaded) - len(given)])
    extra = dict(zip(given, loaded[len(images) :], strict=True))
    mask, markup = extra.get("mask"), extra.get("markup")
    if mask is not None:
        check_mask(mask, images[0], any_size=model.capabilities.mask_any_size)
        if mask.data is not None and mask.has_alpha:  # its alpha, kept on it for the checks
            await asyncio.to_thread(mask.alpha_floor, "mask")  # and conversions: off the loop
    if markup is not None:  # drawn over the first image as it shows
        check_mask(markup, images[0], param="markup", shown=True)
        clear = markup.data is None or await asyncio.to_thread(
            markup.has_transparent_pixels, "markup"
        )
        if not clear:
            raise InvalidRequestError(
                "markup has no transparent pixel: drawn over the image, it would hide all of "
                "it; leave transparent what is to stay as it is",
                param="markup",
                code="invalid_markup",
            )
    return LoadedImages(images, mask, markup)


async def load_image(
    ref: ImageRef,
    param: str,
    model: ModelInfo,
    fetch: Fetch,
    max_bytes: int,
    *,
    uploads: bool = False,
) -> InputImage:
    """One image: bytes, a path or a ``data:`` URL read and sniffed; a remote URL kept when the
    model fetches it itself (unless the request's images go as ``uploads``), else downloaded
    under the client's download rules."""
    if ref.path is not None or len(ref.data or b"") > _BIG or len(ref.url or "") > _BIG:
        local = await asyncio.to_thread(read_local, ref, param=param, max_bytes=max_bytes)
    else:  # small: checked at once, as a thread would cost more than it saves
        local = read_local(ref, param=param, max_bytes=max_bytes)
    if local is not None:
        return local
    caps = model.capabilities
    if ref.file_id is not None:
        if not caps.file_ids:
            raise UnsupportedFeatureError(
                f"{model.id} cannot take an uploaded file id; pass the image's bytes, path or URL",
                param=param,
            )
        return InputImage(file_id=ref.file_id)
    assert ref.url is not None
    if caps.remote_image_urls and ref.url.startswith("https://") and not uploads:
        return InputImage(url=ref.url)
    data = await fetch(ref.url, param)
    name = ref.url.rsplit("/", 1)[-1].split("?")[0] or "image"
    return await _sniffed(data, param, name)


_BIG = 2**20
"""Image bytes past which a check runs in a worker thread: reading a large image through (a
PNG's every chunk) would hold up every other request on the event loop meanwhile."""


async def _sniffed(data: bytes, param: str, name: str) -> InputImage:
    if len(data) <= _BIG:
        return sniff(data, param=param, filename=name)
    return await asyncio.to_thread(sniff, data, param=param, filename=name)


MASK_PIXELS_OVER_IMAGE = 4
"""How many times the image's pixels a mask the provider resizes may have (twice its width
and height)."""

_TRANSPARENT = {
    "mask": "transparent pixels mark the area to edit",
    "markup": "transparent where the image is left as it is",
}


_COLOUR_KEY = (
    "; this one makes a colour transparent (a tRNS colour key), which is no alpha channel: "
    "save it as RGBA"
)


def _colour_keyed(data: bytes) -> bool:
    """Whether a PNG without an alpha band makes one colour transparent (asked only of a mask
    being refused, for its message)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return "transparency" in image.info


def check_mask(
    mask: InputImage,
    image: InputImage,
    *,
    any_size: bool = False,
    param: str = "mask",
    shown: bool = False,
) -> None:
    """A mask (or a markup: ``param``) must be a PNG with an alpha channel and, unless the
    provider resizes it (``any_size``), the same size as the (first) image: as stored, or as it
    shows (``shown``: its EXIF orientation applied). One the provider resizes may have at most
    :data:`MASK_PIXELS_OVER_IMAGE` times the image's pixels, checked from its header: a larger
    one gains nothing, and decoding it (limner reads its transparent pixels) could take
    hundreds of MB (a 9400x9400 mask is a 171 KB PNG)."""
    if mask.data is None:
        return
    if mask.mime != "image/png" or not mask.has_alpha:
        raise InvalidRequestError(
            f"{param} must be a PNG with an alpha channel ({_TRANSPARENT[param]})"
            + (_COLOUR_KEY if mask.mime == "image/png" and _colour_keyed(mask.data) else ""),
            param=param,
            code=f"invalid_{param}",
        )
    if image.width is None or image.height is None:
        return
    if any_size:
        pixels = (mask.width or 0) * (mask.height or 0)
        if pixels > MASK_PIXELS_OVER_IMAGE * image.width * image.height:
            raise InvalidRequestError(
                f"{param} is {mask.width}x{mask.height}, far larger than the image "
                f"({image.width}x{image.height}), to which the provider resizes it: give it "
                "the image's size",
                param=param,
                code=f"{param}_size_mismatch",
            )
        return
    width, height = image.shown_size("images[0]") if shown else (image.width, image.height)
    if (mask.width, mask.height) != (width, height):
        said = f"{param} is {mask.width}x{mask.height} but the image is {width}x{height}"
        if not shown and (mask.width, mask.height) == image.shown_size("images[0]"):
            said += (  # a phone photo's mask, drawn as the photo shows rather than as stored
                " as stored, which the provider gets (it shows turned by its EXIF orientation); "
                "they must be the same size: draw the mask on the image as stored, or save the "
                "image turned first (PIL.ImageOps.exif_transpose)"
            )
        else:
            said += "; they must be the same size"
        raise InvalidRequestError(
            said,
            param=param,
            code=f"{param}_size_mismatch",
        )
