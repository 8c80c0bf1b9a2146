"""``size`` and ``image_config.aspect_ratio`` → one of Stability's nine ``aspect_ratio`` values."""

from __future__ import annotations

import math

from limner.requests import parse_size
from limner.sizing import nearest_ratio, parse_ratio

from .models import ASPECT_RATIOS

__all__ = ["nearest_aspect", "size_ratio"]


def nearest_aspect(ratio: float) -> tuple[str, bool]:
    """The closest of the nine values on a log scale, and whether it is exact."""
    best = nearest_ratio(ratio, ASPECT_RATIOS)
    return best, math.isclose(parse_ratio(best), ratio, rel_tol=1e-9)


def size_ratio(size: str) -> float:
    """``"1536x1024"`` as width / height (the request schema checked the pattern; not ``auto``)."""
    wh = parse_size(size)
    assert wh is not None
    return wh[0] / wh[1]
