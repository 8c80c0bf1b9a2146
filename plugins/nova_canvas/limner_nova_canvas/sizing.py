"""Fit a requested ``WIDTHxHEIGHT`` or aspect ratio to Nova's size rules.

The rules (:data:`~limner_nova_canvas.models.SIZE_RULES`) are a region, not a list. A size whose
sides only need rounding to the nearest multiple of 16 is rounded; otherwise it is snapped to the
valid size closest in shape first, then in pixel count (the cost of a candidate is
``4·|ln(aspect ratio error)| + |ln(area error)|``).
"""

from __future__ import annotations

import math

from limner import SizeRules

__all__ = ["IMAGE_SIZE_LONG_SIDE", "parse_ratio", "size_for_aspect", "snap_size"]

_SHAPE_WEIGHT = 4.0
IMAGE_SIZE_LONG_SIDE = {"1K": 1024, "2K": 2048, "4K": 4096}
"""``image_config.image_size`` as the long side wanted (then fitted to the pixel limit)."""


def _candidates(ratio: float, rules: SizeRules) -> list[tuple[int, int]]:
    """Valid sizes near ``ratio``: for each allowed width, the two allowed heights around
    ``width / ratio``."""
    step = rules.multiple_of
    low = math.ceil(rules.min_side / step) * step
    found: list[tuple[int, int]] = []
    for width in range(low, rules.max_side + 1, step):
        ideal = width / ratio
        for height in {math.floor(ideal / step) * step, math.ceil(ideal / step) * step}:
            if not rules.violations(width, height):
                found.append((width, height))
    return found


def _clamp_ratio(ratio: float, rules: SizeRules) -> float:
    if rules.min_aspect is not None:
        ratio = max(ratio, rules.min_aspect)
    if rules.max_aspect is not None:
        ratio = min(ratio, rules.max_aspect)
    return ratio


def snap_size(width: int, height: int, rules: SizeRules) -> tuple[int, int]:
    """The valid size nearest ``width``x``height`` (itself when it is valid)."""
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
    target_ratio = _clamp_ratio(ratio, rules)
    area = float(width * height)
    candidates = _candidates(target_ratio, rules)

    def cost(size: tuple[int, int]) -> float:
        w, h = size
        return _SHAPE_WEIGHT * abs(math.log((w / h) / ratio)) + abs(math.log(w * h / area))

    return min(candidates, key=lambda size: (cost(size), size))


def parse_ratio(aspect: str) -> float:
    """``"16:9"`` → ``16 / 9`` (the request schema already checked the pattern)."""
    left, right = aspect.split(":")
    return int(left) / int(right)


def size_for_aspect(ratio: float, long_side: int, rules: SizeRules) -> tuple[int, int]:
    """A valid size of shape ``ratio`` whose long side is about ``long_side`` (smaller when the
    pixel limit requires)."""
    width: float = long_side if ratio >= 1 else long_side * ratio
    height: float = long_side / ratio if ratio >= 1 else long_side
    return snap_size(max(round(width), 1), max(round(height), 1), rules)
