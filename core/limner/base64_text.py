"""Base64 text as users give it: plain, wrapped in lines, or in a ``data:`` URL."""

from __future__ import annotations

import base64
import binascii

from .errors import InvalidRequestError

__all__ = ["decode_base64", "decode_data_url"]

_LINE_BREAKS = str.maketrans("", "", "\r\n")  # (not spaces: a "+" that URL-encoding made one)


def decode_data_url(url: str, *, param: str) -> bytes:
    """The bytes of a base64 ``data:`` URL."""
    header, _, payload = url.partition(",")
    if not header.lower().endswith(";base64") or not payload:
        raise InvalidRequestError(
            f"{param} is a data: URL without base64 content", param=param, code="invalid_image"
        )
    try:
        return decode_base64(payload)
    except (binascii.Error, ValueError) as exc:  # (a character past ASCII: ValueError)
        raise InvalidRequestError(
            f"{param} has invalid base64 data", param=param, code="invalid_image"
        ) from exc


def decode_base64(text: str) -> bytes:
    """Standard base64, as ``base64 FILE`` and MIME write it too: wrapped in lines, which are
    taken apart. Any other character outside the alphabet raises :class:`binascii.Error`."""
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        unwrapped = text.translate(_LINE_BREAKS)  # (after a failure: a clean text is not copied)
        if len(unwrapped) == len(text):
            raise
        return base64.b64decode(unwrapped, validate=True)
