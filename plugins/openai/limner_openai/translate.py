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

__all__ = [
    "KNOWN_QUALITIES",
    "aspect_of",
    "fit_free_size",
    "map_quality",
    "nearest_size",
    "parse_image_size",
    "size_for_aspect",
]

# Every quality word the Images API knows, across models [SPEC CreateImageRequest.quality].
KNOWN_QUALITIES = ("standard", "hd", "low", "medium", "high", "auto")

_ASPECT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")
_IMAGE_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[kK]\s*$")

# Long side used for a gpt-image-2 aspect ratio that is not one of the standard sizes, when no
# resolution class is given. 1536 is the long side of the standard sizes and of the spec's own
# free-size example ("1536x864" for 16:9) [SPEC CreateImageRequest.size].
DEFAULT_LONG_SIDE = 1536


def aspect_of(ratio: str) -> float:
    """``"16:9"`` → ``1.777…`` (width / height)."""
    match = _ASPECT.match(ratio)
    if not match or float(match.group(2)) == 0 or float(match.group(1)) == 0:
        raise InvalidRequestError(
            f"image_config.aspect_ratio {ratio!r} is not WIDTH:HEIGHT",
            param="image_config.aspect_ratio",
        )
    return float(match.group(1)) / float(match.group(2))


def parse_image_size(value: str) -> int:
    """A resolution class (``"1K"``, ``"2K"``, ``"4K"``) as the long side in pixels (n × 1024)."""
    match = _IMAGE_SIZE.match(value)
    if not match or float(match.group(1)) <= 0:
        raise InvalidRequestError(
            f"image_config.image_size {value!r} is not a resolution class; use 1K, 2K or 4K",
            param="image_config.image_size",
        )
    return round(float(match.group(1)) * 1024)


def nearest_size(width: float, height: float, candidates: Sequence[str]) -> str:
    """The candidate closest in aspect ratio, then in area (both compared on a log scale).
    ``"auto"`` is never chosen."""
    concrete = [(size, parse_size(size)) for size in candidates]
    sized = [(size, wh) for size, wh in concrete if wh is not None]
    if not sized:
        raise ValueError("no WIDTHxHEIGHT size to choose from")
    ratio, area = width / height, width * height

    def distance(item: tuple[str, tuple[int, int]]) -> tuple[float, float]:
        w, h = item[1]
        return (round(abs(math.log(ratio * h / w)), 9), abs(math.log(area / (w * h))))

    return min(sized, key=distance)[0]


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
    if ratio >= 1:
        width, height = float(long_side), long_side / ratio
    else:
        width, height = long_side * ratio, float(long_side)
    w, h = fit_free_size(width, height, rules)
    return f"{w}x{h}"


def fit_free_size(width: float, height: float, rules: SizeRules) -> tuple[int, int]:
    """The size closest to ``width`` x ``height`` that satisfies ``rules``: the aspect ratio
    clamped (area kept), then scaled into the side and pixel limits, then rounded to the
    required multiple."""
    ratio = width / height
    if rules.min_aspect is not None:
        ratio = max(ratio, rules.min_aspect)
    if rules.max_aspect is not None:
        ratio = min(ratio, rules.max_aspect)
    area = width * height
    w, h = math.sqrt(area * ratio), math.sqrt(area / ratio)
    shrink = min(
        1.0,
        rules.max_side / max(w, h),
        math.sqrt(rules.max_pixels / (w * h)) if rules.max_pixels else 1.0,
    )
    grow = max(
        1.0,
        rules.min_side / min(w, h),
        math.sqrt(rules.min_pixels / (w * h)) if rules.min_pixels else 1.0,
    )
    scale = shrink if shrink < 1 else grow
    step = rules.multiple_of
    wi = max(step, round(w * scale / step) * step)
    hi = max(step, round(h * scale / step) * step)
    return _nudge(wi, hi, rules)


def _nudge(width: int, height: int, rules: SizeRules) -> tuple[int, int]:
    """Step a rounded size by ``multiple_of`` until it fits (rounding can overshoot a limit)."""
    step = rules.multiple_of
    for _ in range(4096):
        if not rules.violations(width, height):
            return width, height
        pixels = width * height
        too_big = max(width, height) > rules.max_side or (
            rules.max_pixels is not None and pixels > rules.max_pixels
        )
        too_small = min(width, height) < rules.min_side or (
            rules.min_pixels is not None and pixels < rules.min_pixels
        )
        if too_big:
            width, height = (width - step, height) if width >= height else (width, height - step)
        elif too_small:
            width, height = (width + step, height) if width <= height else (width, height + step)
        elif rules.max_aspect is not None and width / height > rules.max_aspect:
            height += step
        else:
            width += step
    raise ValueError(f"no size fits {rules!r}")  # pragma: no cover - rules are satisfiable


def map_quality(requested: str, allowed: Sequence[str]) -> str:
    """Translate a quality word into the model's vocabulary.

    * DALL·E 2 knows only ``standard``.
    * DALL·E 3 (``standard``/``hd``): ``high`` → ``hd``; ``low``, ``medium``, ``auto`` →
      ``standard`` (its default).
    * GPT image models (``low``/``medium``/``high``/``auto``): ``hd`` → ``high``;
      ``standard`` → ``medium``, the tier closest in price to DALL·E 3 standard (1024x1024:
      $0.042 gpt-image-1 medium vs $0.040 dall-e-3 standard; ``high`` is $0.167).

    ``requested`` must be in :data:`KNOWN_QUALITIES` and not in ``allowed``.
    """
    if "hd" in allowed:
        return "hd" if requested == "high" else "standard"
    if "high" in allowed:
        return {"hd": "high", "standard": "medium"}.get(requested, "auto")
    return allowed[0]
