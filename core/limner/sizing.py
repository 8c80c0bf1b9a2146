"""Size arithmetic for provider plugins: aspect ratios and free-form sizes under :class:`SizeRules`.

Providers think about image size in different terms: a list of sizes, a ``W:H`` aspect ratio from
a fixed set, or any ``WIDTHxHEIGHT`` within rules. These helpers move between those terms; they
know no provider, so every list and rule comes in as an argument. ``WIDTHxHEIGHT`` strings are
read with :func:`limner.requests.parse_size`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .errors import InvalidRequestError
from .size_rules import SizeRules

__all__ = ["fit_size", "nearest_ratio", "nearest_size", "parse_ratio", "size_for_ratio"]

_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")

_SHAPE_WEIGHT = 4.0
"""How much more a wrong shape costs than a wrong pixel count, when :func:`fit_size` must move a
size (both measured as the absolute log of the ratio of wanted to given)."""


def parse_ratio(value: str, param: str = "image_config.aspect_ratio") -> float:
    """``"16:9"`` as width / height (``1.777…``). A value that is not ``WIDTH:HEIGHT`` with two
    positive numbers raises :class:`InvalidRequestError` naming ``param``."""
    match = _RATIO.match(value)
    if match is None or float(match.group(1)) == 0 or float(match.group(2)) == 0:
        raise InvalidRequestError(
            f"{param} {value!r} is not WIDTH:HEIGHT (two positive numbers, such as 16:9)",
            param=param,
        )
    return float(match.group(1)) / float(match.group(2))


def nearest_ratio(ratio: float, allowed: Sequence[str]) -> str:
    """The ``W:H`` entry of ``allowed`` closest to ``ratio`` on a log scale (so 2:1 and 1:2 are
    equally far from 1:1). Ties go to the earlier entry: list the preferred ratio first."""
    if not allowed:
        raise ValueError("no aspect ratio to choose from")
    target = math.log(ratio)
    return min(allowed, key=lambda entry: round(abs(math.log(parse_ratio(entry)) - target), 9))


def nearest_size(width: float, height: float, sizes: Sequence[str]) -> str:
    """The ``WIDTHxHEIGHT`` entry of ``sizes`` closest to ``width`` x ``height``: in aspect
    ratio first, then in area (both on a log scale; ties to the earlier entry), so that
    1000x1000 is 1024x1024, not a smaller size listed first. ``"auto"`` is never chosen; a
    list without a ``WIDTHxHEIGHT`` entry raises ``ValueError``."""
    from .requests import parse_size

    sized = [(size, wh) for size in sizes if (wh := parse_size(size)) is not None]
    if not sized:
        raise ValueError("no WIDTHxHEIGHT size to choose from")
    ratio, area = width / height, width * height

    def distance(item: tuple[str, tuple[int, int]]) -> tuple[float, float]:
        w, h = item[1]
        return (round(abs(math.log(ratio * h / w)), 9), abs(math.log(area / (w * h))))

    return min(sized, key=distance)[0]


def fit_size(width: int, height: int, rules: SizeRules) -> tuple[int, int]:
    """The size that ``rules`` accept nearest ``width`` x ``height``: the size itself when it is
    valid; its sides rounded to ``multiple_of`` when that is enough; otherwise the valid size
    closest in shape first, then in pixel count (the cost of a candidate is
    ``4·|ln(aspect ratio error)| + |ln(pixel count error)|``)."""
    if not rules.violations(width, height):
        return width, height
    step = rules.multiple_of
    rounded = (
        max(math.floor(width / step + 0.5), 1) * step,
        max(math.floor(height / step + 0.5), 1) * step,
    )
    if not rules.violations(*rounded):
        return rounded
    ratio = width / height
    area = float(width * height)

    def cost(size: tuple[int, int]) -> float:
        w, h = size
        return _SHAPE_WEIGHT * abs(math.log((w / h) / ratio)) + abs(math.log(w * h / area))

    candidates = _candidates(_clamp_ratio(ratio, rules), rules)
    if not candidates:
        raise ValueError(f"no size satisfies {rules!r}")
    return min(candidates, key=lambda size: (cost(size), size))


def size_for_ratio(ratio: float, long_side: int, rules: SizeRules) -> tuple[int, int]:
    """A size that ``rules`` accept, of shape ``ratio`` (width / height), whose long side is
    about ``long_side``; fitted by :func:`fit_size`, so a shape outside the rules' aspect range
    is clamped keeping the pixel count, and the pixel limits win over ``long_side``."""
    width: float = long_side if ratio >= 1 else long_side * ratio
    height: float = long_side / ratio if ratio >= 1 else long_side
    return fit_size(max(round(width), 1), max(round(height), 1), rules)


def _clamp_ratio(ratio: float, rules: SizeRules) -> float:
    """``ratio`` within the shapes ``rules`` allow: their aspect limits, and the limits their
    sides and pixel counts imply (2048 by 256 is as wide as sides of 256 to 2048 can go)."""
    step = rules.multiple_of
    short = math.ceil(rules.min_side / step) * step
    long = rules.max_side // step * step
    if long < short:  # no side fits the rules: no size does (the caller says so)
        return ratio
    widest = long / short
    if rules.min_pixels is not None:  # the short side cannot go below min_pixels / long
        widest = min(widest, long * long / rules.min_pixels)
    if rules.max_pixels is not None:  # the long side cannot go above max_pixels / short
        widest = min(widest, rules.max_pixels / (short * short))
    low, high = 1 / widest, widest
    if rules.min_aspect is not None:
        low = max(low, rules.min_aspect)
    if rules.max_aspect is not None:
        high = min(high, rules.max_aspect)
    return min(max(ratio, low), high)


def _candidates(ratio: float, rules: SizeRules) -> list[tuple[int, int]]:
    """Valid sizes near ``ratio``: for each allowed width, the allowed heights just below and
    above ``width / ratio``, or the nearest allowed height when that is out of reach."""
    step = rules.multiple_of
    low = math.ceil(rules.min_side / step) * step
    found: list[tuple[int, int]] = []
    for width in range(low, rules.max_side + 1, step):
        shortest, tallest = _height_range(width, rules)
        if shortest > tallest:
            continue
        ideal = min(max(width / ratio, shortest), tallest)
        for height in {math.floor(ideal / step) * step, math.ceil(ideal / step) * step}:
            if height > 0 and not rules.violations(width, height):
                found.append((width, height))
    return found


def _height_range(width: int, rules: SizeRules) -> tuple[int, int]:
    """The lowest and highest multiples of the step that ``rules`` could allow as the height
    for ``width`` (an empty range when the first is larger)."""
    step = rules.multiple_of
    lowest: float = rules.min_side
    highest: float = rules.max_side
    if rules.min_pixels is not None:
        lowest = max(lowest, rules.min_pixels / width)
    if rules.max_pixels is not None:
        highest = min(highest, rules.max_pixels / width)
    if rules.max_aspect is not None:
        lowest = max(lowest, width / rules.max_aspect - 1e-6)
    if rules.min_aspect is not None:
        highest = min(highest, width / rules.min_aspect + 1e-6)
    return math.ceil(lowest / step) * step, math.floor(highest / step) * step
