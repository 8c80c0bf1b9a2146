"""Delivering what the calls made as the request asked: the images checked to be images,
``response_format`` honoured (a URL the provider answered with downloaded into ``b64_json``, or
kept and said; bytes given where URLs were asked for, said), and the answer's size and format
where the provider did not say them."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from .base64_text import decode_data_url
from .calls import ProviderResult, Translation
from .errors import LimnerError, PluginError, ProviderError
from .image_header import looks_like_image_b64, probe_b64
from .images import InputImage, sniff
from .inputs import Fetch
from .outcomes import gather_or_cancel
from .responses import Adjustment, ImageData, Notice, known_format
from .status_errors import shown_url

__all__ = [
    "BYTES_NOT_URLS",
    "Delivered",
    "answered_shape",
    "deliver",
    "not_images",
    "unusable_images",
    "unusable_warnings",
]

BYTES_NOT_URLS = Adjustment(
    param="response_format",
    requested="url",
    applied="b64_json",
    reason="the provider returns image data, not URLs",
)
"""Said before the call when the model's capabilities give no URLs, and after it when an answer
held bytes where URLs were asked for."""


def not_images(
    images: Sequence[str | None], provider: str, model: str, request_id: str | None = None
) -> ProviderError | None:
    """The error for an answer (whose id is ``request_id``) whose base64 ``images`` (``None``
    for a URL) are not all images (text, an error page, what is not base64), or ``None``: each
    image's first bytes are read (see :func:`~limner.image_header.looks_like_image_b64`), so
    nothing broken is returned, or saved, as a picture. The error says what the data is but
    quotes none of it: a provider may answer a credential, or text echoing one, as image data,
    and a piece cut from it is no longer a secret the scrubbing recognises."""
    for index, encoded in enumerate(images):
        if encoded is not None and not looks_like_image_b64(encoded):
            return ProviderError(
                f"{model} answered image data that is not an image (image {index + 1} of "
                f"{len(images)}: {_described(encoded)}); the call may still be billed",
                provider=provider,
                model=model,
                request_id=request_id,
            )
    return None


def unusable_images(images: Sequence[object], provider: str) -> PluginError | None:
    """The plugin's error for an answer's images that nobody could use, or ``None``: an item
    that is no :class:`ImageData`, one with neither ``b64_json`` nor ``url`` (a slot the
    provider left empty is left out of ``ProviderResult.images``: core then warns of fewer
    images and prices those made), or a link that is not absolute (a path the provider gave
    relative to its own address). The provider answered, so the error says it may bill the
    images."""
    for item in images:
        if not isinstance(item, ImageData):
            wanted = "an ImageData in ProviderResult.images"
            error = PluginError.returned(f"the {provider} plugin", item, wanted)
        elif item.b64_json is None and item.url is None:
            error = PluginError(
                f"the {provider} plugin returned an image with neither b64_json nor url: leave "
                "a slot without an image out of ProviderResult.images"
            )
        elif item.url is not None and not _absolute(item.url):
            shown = shown_url(item.url)
            error = PluginError(
                f"the {provider} plugin returned an image link that is not absolute "
                f"({shown[:80] + '...' if len(shown) > 80 else shown!r}): join a relative one to "
                "the URL the call went to (urllib.parse.urljoin)"
            )
        else:
            continue
        error.add_billing_note("the provider answered, and may bill the images it made")
        return error
    return None


def unusable_warnings(warnings: Sequence[object], provider: str) -> PluginError | None:
    """The plugin's error for an answer's warnings holding what is no :class:`Notice` (a
    string), or ``None``: core reads each one's code and index. The provider answered, so the
    error says it may bill the images."""
    for item in warnings:
        if not isinstance(item, Notice):
            wanted = "a Notice in ProviderResult.warnings"
            error = PluginError.returned(f"the {provider} plugin", item, wanted)
            error.add_billing_note("the provider answered, and may bill the images it made")
            return error
    return None


def _absolute(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme.lower() == "data")


def _described(encoded: str) -> str:
    """What image data that is not an image holds, in words that quote none of it."""
    if not encoded:
        return "empty"
    head = encoded[:24]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4), validate=True)
    except ValueError:  # binascii.Error, or a character outside ASCII
        kind = "not base64"
    else:
        text = bool(decoded) and all(32 <= byte < 127 or byte in b"\t\r\n" for byte in decoded)
        kind = "base64 of text" if text else "base64 of bytes no image format begins with"
    return f"{kind}, not quoted as it may echo a credential"


Delivered = tuple[list[ImageData], InputImage | None]
"""The images as delivered, and the first of them as limner read it when it downloaded it."""


async def deliver(
    wanted: str | None, data: list[ImageData], adjustments: list[Adjustment], fetch: Fetch
) -> Delivered:
    """``data`` in the ``wanted`` response format, every change said in ``adjustments``.
    ``fetch(url, param)`` downloads a provider's result URL."""
    if wanted == "b64_json":
        inlined = await gather_or_cancel(
            [_inline(item, i, adjustments, fetch) for i, item in enumerate(data)]
        )
        return [item for item, _ in inlined], inlined[0][1] if inlined else None
    if wanted == "url":  # said before the call from the capabilities: true of the answer?
        bytes_given = any(item.url is None for item in data)
        if bytes_given and not any(a.param == "response_format" for a in adjustments):
            adjustments.append(BYTES_NOT_URLS)
        elif not bytes_given:  # URLs after all: no adjustment says otherwise
            adjustments[:] = [a for a in adjustments if not _said_bytes(a)]
    return data, None


async def _inline(
    item: ImageData, index: int, adjustments: list[Adjustment], fetch: Fetch
) -> tuple[ImageData, InputImage | None]:
    """The image's bytes in ``b64_json``, and the image as read; the URL kept (and said) when
    it cannot be downloaded, since the image is made and paid for."""
    if item.b64_json is not None or item.url is None:
        return item, None
    param = f"data[{index}].url"
    try:  # (a data: URL holds the image itself: nothing to download)
        if item.url[:5].lower() == "data:":
            payload = decode_data_url(item.url, param=param)
        else:
            payload = await fetch(item.url, param)
        # the bytes must be an image, whatever the label (an answer's may be animated: a GIF)
        read = sniff(payload, param=param, still=False)
    except LimnerError as failure:
        reason = f"{failure.message}; the provider's URL is returned instead"
        adjustments.append(
            Adjustment(param="response_format", requested="b64_json", applied="url", reason=reason)
        )
        return item, None
    inlined = item.model_copy(update={"b64_json": base64.b64encode(payload).decode(), "url": None})
    return inlined, read


def _said_bytes(adjustment: Adjustment) -> bool:
    """Whether ``adjustment`` says image data are given instead of the URLs asked for."""
    return adjustment.param == "response_format" and adjustment.applied == "b64_json"


def answered_shape(
    first: ProviderResult, sent: Translation, data: Sequence[ImageData], read: InputImage | None
) -> tuple[str | None, str | None]:
    """The size and output format the answer says (a format only when limner knows it: see
    :func:`~limner.responses.known_format`; the provider's text is not passed on as a format).
    Else the size is the pixels sent, and what is still unknown (a size ``auto`` or a
    resolution class such as ``2K``; a format an answer given as URLs did not say, or named
    as no format limner knows) comes from the first image: as limner ``read`` it when it
    downloaded it, else from its header; ``None`` when neither can say (a URL kept)."""
    size, kind = first.size, known_format(first.output_format)
    if size is None and sent.size is not None and _PIXELS.fullmatch(sent.size):
        size = sent.size
    if size is not None and kind is not None:
        return size, kind
    if read is not None and read.mime is not None:
        known: tuple[str | None, str | None] = (
            f"{read.width}x{read.height}",
            read.mime.split("/", 1)[1],
        )
    else:
        encoded = data[0].b64_json if data else None
        known = probe_b64(encoded) if encoded else (None, None)
    return size or known[0], kind or known[1]


_PIXELS = re.compile(r"[1-9][0-9]*x[1-9][0-9]*")
