"""Input images as the model takes them: the one place that decides whether an image is
converted, for multipart uploads and for the data URLs of a JSON edit alike.

[SPEC] ``CreateImageEditRequest.image``: "For the GPT image models ... each image should be a
png, webp, or jpg file less than 50MB" (``chatgpt-image-latest`` "follows the same input
constraints"); "For dall-e-2 ... a square png file less than 4MB"; ``.mask``: "a valid PNG
file, less than 4MB, and have the same dimensions as image";
``CreateImageVariationRequest.image``: "a valid PNG file, less than 4MB, and square".

What limner does with an input that does not fit:

* **A format the model does not take → re-encoded as PNG**, reported as an
  :class:`~limner.Adjustment` on the image's parameter: GIF for the GPT image models (they take
  PNG, JPEG and WebP, which are sent as given); JPEG, WebP or GIF for dall-e-2 (PNG only). This
  is honest: PNG is lossless, so OpenAI receives exactly the pixels decoded from the user's file,
  in the orientation they are stored (alpha, palette transparency, the ICC profile and the EXIF
  orientation kept as they were, so a mask made for the file still lines up). Only the container
  changes. An *animated* image is refused instead: sending its first frame would silently drop
  the rest (:func:`limner.images.to_png`).
* **dall-e-2, not square → refused** (:class:`~limner.InvalidRequestError`): squaring means
  cropping or padding, which changes what gets edited or varied; the user must choose how.
* **dall-e-2, 4 MB or more (after any conversion) → refused**
  (:class:`~limner.PayloadTooLargeError`); **a GPT image model's image, 50 MB or more (as
  sent, converted or not) → refused** the same way. "4MB" is read as 4 MiB and "50MB" as 50 MiB.
* **The mask is never converted**: its alpha channel is the edit area, and core already
  requires a PNG with alpha of the image's size. A mask of 4 MB or more is refused for every
  model (the spec's mask rule names no model); for dall-e-2 the PNG and size rules are checked
  again here too.
* Remote URLs and file ids have no bytes here and are sent as they are.

Pillow is imported inside the functions that need it, so importing the plugin stays fast.
"""

from __future__ import annotations

import io

from limner import InputImage, InvalidRequestError, PayloadTooLargeError
from limner.images import accepted_image, byte_count

from .plan import Plan

__all__ = [
    "ACCEPTED_INPUTS",
    "MAX_INPUT_BYTES",
    "MAX_UPLOAD_BYTES",
    "SQUARE_PNG_UPLOADS",
    "check_mask_bytes",
    "input_image",
    "prepare_uploads",
]

# Models whose edit and variation uploads must be one square PNG under MAX_UPLOAD_BYTES [SPEC].
SQUARE_PNG_UPLOADS = frozenset({"dall-e-2"})
MAX_UPLOAD_BYTES = 4 * 2**20
MAX_INPUT_BYTES = 50 * 2**20
"""GPT image models take input images "less than 50MB" [SPEC], checked as sent (converted or not):
the client's ``max_download_bytes``, which caps what limner reads, may be set higher."""

# Input image formats the GPT image models take: "png, webp, or jpg" [SPEC].
ACCEPTED_INPUTS = frozenset({"image/png", "image/jpeg", "image/webp"})
_PNG_ONLY = frozenset({"image/png"})


def prepare_uploads(
    plan: Plan, images: tuple[InputImage, ...], params: tuple[str, ...]
) -> tuple[tuple[InputImage, ...], InputImage | None]:
    """The images (named ``params``) and the mask to upload, each checked and, where honest,
    converted (see :func:`input_image`). The mask is returned unchanged."""
    ready = tuple(
        input_image(plan, image, param) for image, param in zip(images, params, strict=True)
    )
    mask = plan.call.mask
    if mask is not None and ready and plan.model_name in SQUARE_PNG_UPLOADS:
        _check_mask(plan, mask, ready[0])
    elif mask is not None:
        check_mask_bytes(plan, mask)
    return ready, mask


def check_mask_bytes(plan: Plan, mask: InputImage) -> None:
    """Every model, in either edit form: a mask of "less than 4MB" [SPEC]."""
    if mask.data is not None:
        _check_bytes(plan, mask.data, "mask", MAX_UPLOAD_BYTES)


def input_image(plan: Plan, image: InputImage, param: str) -> InputImage:
    """``image`` (named ``param``) in a format the model takes: PNG, JPEG or WebP as given (PNG
    only for dall-e-2, which must also be square and under 4 MiB); anything else re-encoded as
    PNG and reported. An image without bytes (remote URL, file id) is returned as is."""
    if image.data is None:
        return image
    square_png = plan.model_name in SQUARE_PNG_UPLOADS
    if square_png:
        _check_square(plan, image, param)
    accepted = _PNG_ONLY if square_png else ACCEPTED_INPUTS
    takes = "only PNG uploads" if square_png else "PNG, JPEG or WebP input images"
    ready = accepted_image(plan, image, param, accepted, f"{plan.model_name} takes {takes}")
    assert ready.data is not None  # (checked as sent: core's cap is the caller's to raise)
    limit = MAX_UPLOAD_BYTES if square_png else MAX_INPUT_BYTES
    _check_bytes(plan, ready.data, param, limit, as_png=square_png or ready is not image)
    return ready


def _check_square(plan: Plan, image: InputImage, param: str) -> None:
    width, height = _dimensions(image)
    if width != height:
        raise _invalid(
            plan,
            f"{param} is {width}x{height}; {plan.model_name} takes only a square image. Crop or "
            "pad it to a square yourself, or use a GPT image model",
            param,
            "image_not_square",
        )


def _check_mask(plan: Plan, mask: InputImage, image: InputImage) -> None:
    if mask.data is None:
        return
    if mask.mime != "image/png":
        raise _invalid(
            plan,
            f"mask must be a PNG for {plan.model_name} (its alpha channel marks the area to edit)",
            "mask",
            "invalid_mask",
        )
    if _dimensions(mask) != _dimensions(image):
        mw, mh = _dimensions(mask)
        iw, ih = _dimensions(image)
        raise _invalid(
            plan,
            f"mask is {mw}x{mh} but the image is {iw}x{ih}; they must be the same size",
            "mask",
            "mask_size_mismatch",
        )
    _check_bytes(plan, mask.data, "mask", MAX_UPLOAD_BYTES)


def _check_bytes(plan: Plan, data: bytes, param: str, limit: int, *, as_png: bool = True) -> None:
    """``data`` must be under ``limit`` (the spec's "less than"); ``as_png``: the message says
    the size is the PNG's (converted, or a PNG the model requires)."""
    if len(data) >= limit:
        # a GPT image model takes larger images, but no larger mask
        gpt = limit == MAX_UPLOAD_BYTES and param != "mask"
        other = ", or use a GPT image model" if gpt else ""
        kind = "a mask" if param == "mask" else "an image"
        raise PayloadTooLargeError(
            f"{param} is {len(data):,} bytes{' as PNG' if as_png else ''}; {plan.model_name} "
            f"takes {kind} of less than "
            f"{byte_count(limit)} ({limit:,} bytes). Send a smaller image{other}",
            param=param,
            provider="openai",
            model=plan.call.model.id,
        )


def _invalid(plan: Plan, message: str, param: str, code: str) -> InvalidRequestError:
    return InvalidRequestError(
        message, param=param, code=code, provider="openai", model=plan.call.model.id
    )


def _dimensions(image: InputImage) -> tuple[int, int]:
    if image.width is not None and image.height is not None:
        return image.width, image.height
    from PIL import Image

    assert image.data is not None
    with Image.open(io.BytesIO(image.data)) as opened:
        return opened.size
