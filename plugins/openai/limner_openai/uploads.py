"""Uploads for models that take only a square PNG under 4 MB (DALL·E 2 edits and variations).

[SPEC] ``CreateImageEditRequest.image``: "For dall-e-2 ... a square png file less than 4MB";
``.mask``: "a valid PNG file, less than 4MB, and have the same dimensions as image";
``CreateImageVariationRequest.image``: "a valid PNG file, less than 4MB, and square".

What limner does with an input that does not fit:

* **JPEG, WebP or GIF → re-encoded as PNG**, reported as an :class:`~limner.Adjustment` on the
  image's parameter. This is honest: PNG is lossless, so OpenAI receives exactly the pixels
  decoded from the user's file (alpha, palette transparency and any ICC profile kept; an EXIF
  rotation applied, since PNG carries none, so the picture is the one a viewer shows). Only the
  container changes. An *animated* image is refused instead: sending its first frame would
  silently drop the rest.
* **Not square → refused** (:class:`~limner.InvalidRequestError`): squaring means cropping or
  padding, which changes what gets edited or varied; the user must choose how.
* **4 MB or more (after any conversion) → refused** (:class:`~limner.PayloadTooLargeError`).
  "4MB" is read as 4 MiB, as core reads the spec's "50MB" input limit as 50 MiB.
* **The mask** must already be a PNG of the image's size under 4 MB (core checks the first
  two; repeated here because a mask cannot be converted honestly: its alpha is the edit area).

Pillow is imported inside the functions that need it, so importing the plugin stays fast.
"""

from __future__ import annotations

import io

from limner import InputImage, InvalidRequestError, PayloadTooLargeError
from limner.images import to_png

from .plan import Plan

__all__ = ["MAX_UPLOAD_BYTES", "SQUARE_PNG_UPLOADS", "square_png_uploads"]

# Models whose edit and variation uploads must be one square PNG under MAX_UPLOAD_BYTES [SPEC].
SQUARE_PNG_UPLOADS = frozenset({"dall-e-2"})
MAX_UPLOAD_BYTES = 4 * 2**20


def square_png_uploads(
    plan: Plan, images: tuple[InputImage, ...], params: tuple[str, ...]
) -> tuple[tuple[InputImage, ...], InputImage | None]:
    """The images (named ``params``) and mask to upload, checked and, where honest, converted.
    Unchanged unless the model is in :data:`SQUARE_PNG_UPLOADS`."""
    mask = plan.call.mask
    if plan.model_name not in SQUARE_PNG_UPLOADS:
        return images, mask
    ready = tuple(
        _square_png(plan, image, param) for image, param in zip(images, params, strict=True)
    )
    if mask is not None and ready:
        _check_mask(plan, mask, ready[0])
    return ready, mask


def _square_png(plan: Plan, image: InputImage, param: str) -> InputImage:
    assert image.data is not None  # multipart is chosen only when every image has bytes
    width, height = _dimensions(image)
    if width != height:
        raise _invalid(
            plan,
            f"{param} is {width}x{height}; {plan.model_name} takes only a square image. Crop or "
            "pad it to a square yourself, or use a GPT image model",
            param,
            "image_not_square",
        )
    if image.mime != "image/png":
        converted = to_png(image, param)
        plan.adjust(
            param,
            image.mime,
            "image/png",
            f"{plan.model_name} takes only PNG uploads; re-encoded losslessly as PNG "
            "(the same pixels)",
        )
        image = converted
    assert image.data is not None
    _check_bytes(plan, image.data, param)
    return image


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
    _check_bytes(plan, mask.data, "mask")


def _check_bytes(plan: Plan, data: bytes, param: str) -> None:
    if len(data) >= MAX_UPLOAD_BYTES:
        raise PayloadTooLargeError(
            f"{param} is {len(data):,} bytes as PNG; {plan.model_name} takes less than 4 MiB "
            f"({MAX_UPLOAD_BYTES:,} bytes). Send a smaller image, or use a GPT image model",
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
