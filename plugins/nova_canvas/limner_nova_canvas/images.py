"""Input images and masks in the form Nova takes: base64 PNG or JPEG, 8-bit RGB, masks of pure
black and pure white [AWS-ACCESS].

Everything here is pure (bytes in, bytes out) and reports each conversion as an
:class:`~limner.Adjustment`, so nothing about an input changes silently.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import struct
from typing import TYPE_CHECKING

from limner import Adjustment, InputImage, InvalidRequestError
from limner.masks import mask_to_binary

from .models import SIZE_RULES

if TYPE_CHECKING:  # Pillow is imported on first use, to keep plugin discovery fast
    from PIL.Image import Image

__all__ = ["BLACK", "WHITE", "decode_option_image", "nova_image", "nova_mask"]

BLACK, WHITE = 0, 255
_NATIVE = {"PNG": "image/png", "JPEG": "image/jpeg", "MPO": "image/jpeg"}  # MPO: a JPEG

INPUT_SIZE_RULES = SIZE_RULES.model_copy(update={"multiple_of": 1, "max_pixels": 4_194_304})
"""Input images follow the output sizes' rules. For "supported input image sizes" AWS refers
readers to its supported resolutions [AWS-ACCESS zh_cn, image-gen-access.html]: 320-4,096 px per
side, aspect 1:4 to 4:1, under 4,194,304 pixels [nova-canvas.md §2]. Sides need not be multiples
of 16 [SKILL]. AWS pages differ on whether exactly 4,194,304 pixels (2048x2048) is taken, and a
public walkthrough sends such an input, so it is let through: Nova's own refusal of it costs
nothing, while refusing it here would block a call that may work."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _convert(data: bytes, param: str, transparent: bool) -> tuple[bytes, str | None]:
    """The image as Nova takes it (a still, 8-bit RGB PNG or JPEG without transparent pixels),
    and why it had to change (``None`` when it did not); ``transparent``: some pixel is
    see-through (core's :meth:`InputImage.alpha_floor`)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or "unknown"
            mode = image.mode
            exif: bytes | None = image.info.get("exif")
            if getattr(image, "n_frames", 1) > 1 and kind != "MPO":
                raise InvalidRequestError(
                    f"{param} is an animated {kind}; Nova takes one still image. Save the frame "
                    "you want as a PNG",
                    param=param,
                    code="invalid_image_format",
                )
            deep = kind == "PNG" and len(data) > 24 and data[24] == 16  # IHDR bit depth
            keyed = mode in ("RGB", "L") and "transparency" in image.info  # a tRNS colour key
            if kind in _NATIVE and mode in ("RGB", "RGBA") and not (transparent or deep or keyed):
                return data, None
            if transparent or keyed:
                rgba = image.convert("RGBA")
                rgb = Image.new("RGB", image.size, (255, 255, 255))
                rgb.paste(rgba, mask=rgba.getchannel("A"))
            else:
                rgb = _eight_bit_rgb(image)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidRequestError(
            f"{param} is not an image limner can read", param=param, code="invalid_image"
        ) from exc
    out = io.BytesIO()
    try:  # its EXIF kept, orientation included, as core's own conversion keeps it
        rgb.save(out, format="PNG", exif=exif or b"")
    except (SyntaxError, ValueError, struct.error):  # an EXIF block Pillow cannot write
        out = io.BytesIO()
        rgb.save(out, format="PNG")
    if transparent or keyed:
        why = "Nova takes no transparent pixels: flattened onto white as an RGB PNG"
    elif deep:
        why = f"Nova takes 8-bit RGB: converted the 16-bit {kind} to an 8-bit RGB PNG"
    elif kind in _NATIVE:
        why = f"Nova takes 8-bit RGB: converted the {mode} {kind} to an RGB PNG"
    else:
        why = f"Nova takes PNG or JPEG: converted the {kind} image to an RGB PNG"
    return out.getvalue(), why


def _eight_bit_rgb(image: Image) -> Image:
    """``image`` as 8-bit RGB. 16-bit greyscale is scaled down (Pillow's own conversion clips
    it, turning most greys white); 16-bit colour Pillow already reads as 8-bit."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    return image.convert("RGB")


NOVA_PNG = "image/png (8-bit RGB)"
"""What a converted image is sent as: named so, since a PNG given may have been one too."""


def nova_image(image: InputImage, param: str, adjustments: list[Adjustment]) -> str:
    """Base64 of ``image`` as Nova takes it; a conversion is reported in ``adjustments``."""
    if image.data is None:  # core downloads every URL for this model; a file id cannot occur
        raise InvalidRequestError(f"{param}: Nova needs the image's bytes", param=param)
    _check_size(image, param)

    def as_nova(source: InputImage) -> tuple[str, str | None]:
        # alpha_floor decodes once and is cached: the transparency hints reuse it
        transparent = source.alpha_floor(param) < 255
        data, why = _convert(source.data or b"", param, transparent)
        return (source.b64 if why is None else _b64(data)), why

    encoded, why = image.derived("nova", as_nova)  # once per request, not per split call
    if why is not None:
        adjustments.append(
            Adjustment(param=param, requested=image.mime, applied=NOVA_PNG, reason=why)
        )
    return encoded


def _check_size(image: InputImage, param: str) -> None:
    """Refuse an input image Nova would refuse for its size (:data:`INPUT_SIZE_RULES`)."""
    if image.width is None or image.height is None:
        return
    width, height = image.width, image.height
    problems = INPUT_SIZE_RULES.violations(width, height)
    if not problems:
        return
    rules = INPUT_SIZE_RULES
    assert rules.max_pixels is not None
    shrink = min((rules.max_pixels / (width * height)) ** 0.5, rules.max_side / max(width, height))
    smaller = _fitted(int(width * shrink), int(height * shrink))
    grow = rules.min_side / min(width, height)
    larger = (math.ceil(width * grow), math.ceil(height * grow))
    if shrink < 1 and not rules.violations(*smaller):  # too large, of a shape it takes
        hint = f"scale it down, to {smaller[0]}x{smaller[1]} or less"
    elif grow > 1 and not rules.violations(*larger):  # too small, of a shape it takes
        hint = f"scale it up, to {larger[0]}x{larger[1]} or more"
    else:
        hint = "crop or pad it to an aspect ratio between 1:4 and 4:1, then scale it to fit"
    raise InvalidRequestError(
        f"{param} is {width}x{height} ({width * height / 1e6:.1f} MP), which Nova Canvas does "
        f"not take as an input image ({'; '.join(problems)}): {hint}",
        param=param,
        code="invalid_image_size",
    )


def _fitted(width: int, height: int) -> tuple[int, int]:
    """``width`` x ``height`` (a scaled-down size) made to fit the rules: rounding down may leave
    a shape just past 4:1 (4156x1039 scales to 4096x1023), so the side that makes it too long is
    trimmed by a pixel at a time."""
    rules = INPUT_SIZE_RULES
    for _ in range(8):  # a pixel or two is all rounding can cost
        if min(width, height) < rules.min_side or not rules.violations(width, height):
            break
        if width >= height:
            width -= 1
        else:
            height -= 1
    return width, height


def nova_mask(mask: InputImage, *, edit_is_white: bool) -> str:
    """Base64 of an RGB PNG mask from OpenAI's convention (alpha 0 = edit): Nova inpainting
    edits black pixels, outpainting white ones [AWS-ACCESS; nova-canvas.md §2 Masks]. ``mask``
    is the request's mask, or an edit's image whose transparent pixels mark the area."""
    assert mask.data is not None  # a loaded mask, or an image nova_image has already read
    edit, keep = (WHITE, BLACK) if edit_is_white else (BLACK, WHITE)
    return mask.derived(
        ("nova_mask", edit),
        lambda source: _b64(mask_to_binary(source.data or b"", edit=edit, keep=keep, mode="RGB")),
    )


def decode_option_image(value: bytes | str, param: str) -> InputImage:
    """An image given in ``provider_options`` as bytes, base64 text or a ``data:`` URL."""
    from limner.base64_text import decode_base64, decode_data_url
    from limner.images import sniff

    if isinstance(value, str):
        if value.startswith("data:"):
            data = decode_data_url(value, param=param)
        else:
            try:
                data = decode_base64(value)
            except (binascii.Error, ValueError) as exc:  # (past ASCII: ValueError)
                raise InvalidRequestError(
                    f"{param} must be image bytes, base64 text or a data: URL",
                    param=param,
                    code="invalid_image",
                ) from exc
    else:
        data = value
    return sniff(data, param=param)
