"""Pure mapping helpers: sizes, aspect ratios, resolution classes and quality vocabularies.

Nothing here knows about HTTP; :mod:`limner_openai.fields` uses these to build the body and to
explain every change as an :class:`~limner.Adjustment`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from limner import InvalidRequestError, SizeRules
from limner.requests import parse_size
from limner.sizing import size_for_ratio

__all__ = [
    "KNOWN_QUALITIES",
    "STANDARD_SIZES",
    "map_quality",
    "parse_image_size",
    "size_for_aspect",
]

STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
"""The GPT image models' listed sizes, from which their size ``auto`` picks."""

# Every quality word the Images API knows, across models [SPEC CreateImageRequest.quality; the
# openai 3.54.0 SDK adds xhigh and max, for the gpt-image-2.5 models].
KNOWN_QUALITIES = ("standard", "hd", "low", "medium", "high", "xhigh", "max", "auto")

_IMAGE_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[kK]\s*$")

# Long side used for a gpt-image-2 aspect ratio that is not one of the standard sizes, when no
# resolution class is given. 1536 is the long side of the standard sizes and of the spec's own
# free-size example ("1536x864" for 16:9) [SPEC CreateImageRequest.size].
DEFAULT_LONG_SIDE = 1536


def parse_image_size(value: str) -> int:
    """A resolution class (``"1K"``, ``"2K"``, ``"4K"``) as the long side in pixels (n × 1024);
    ``"512"``, the half class other providers name, is 512."""
    if value.strip() == "512":
        return 512
    match = _IMAGE_SIZE.match(value)
    if not match or float(match.group(1)) <= 0:
        raise InvalidRequestError(
            f"image_config.image_size {value!r} is not a resolution class; use 1K, 2K or 4K",
            param="image_config.image_size",
        )
    return round(float(match.group(1)) * 1024)


def size_for_aspect(
    ratio: float, long_side: int | None, standard: Sequence[str], rules: SizeRules
) -> str:
    """A free-form ``WxH`` for ``ratio``: the standard size with exactly that ratio when no long
    side is asked, else ``long_side`` (default 1536) on the longer edge; fitted to ``rules``."""
    if long_side is None:
        for size in standard:
            wh = parse_size(size)
            if wh is not None and math.isclose(wh[0] / wh[1], ratio, rel_tol=1e-9):
                return size
        long_side = DEFAULT_LONG_SIDE
    w, h = size_for_ratio(ratio, long_side, rules)
    return f"{w}x{h}"


def map_quality(requested: str, allowed: Sequence[str]) -> str:
    """Translate a quality word into the model's vocabulary.

    * DALL·E 2 knows only ``standard``.
    * DALL·E 3 (``standard``/``hd``): ``high``, ``xhigh``, ``max`` → ``hd``; ``low``,
      ``medium``, ``auto`` → ``standard`` (its default).
    * GPT image models (``low``/``medium``/``high``/``auto``): ``hd``, ``xhigh``, ``max`` →
      ``high``, their highest; ``standard`` → ``medium``, the tier closest in price to DALL·E 3
      standard (1024x1024: $0.042 gpt-image-1 medium vs $0.040 dall-e-3 standard; ``high`` is
      $0.167).

    ``requested`` must be in :data:`KNOWN_QUALITIES` and not in ``allowed``. Through limner's
    client, core refuses ``xhigh`` and ``max`` for a model that does not list them (they are
    not among its portable qualities), so they come here only from a direct call.
    """
    if "hd" in allowed:
        return "hd" if requested in ("high", "xhigh", "max") else "standard"
    if "high" in allowed:
        return {"hd": "high", "xhigh": "high", "max": "high", "standard": "medium"}.get(
            requested, "auto"
        )
    return allowed[0]
