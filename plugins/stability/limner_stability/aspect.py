"""``size`` and ``image_config.aspect_ratio`` → one of Stability's nine ``aspect_ratio`` values."""

from __future__ import annotations

import math
import re

from limner import InvalidRequestError

from .models import ASPECT_RATIOS

__all__ = ["nearest_aspect", "ratio_of"]

_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:x]\s*(\d+(?:\.\d+)?)\s*$")


def ratio_of(value: str, param: str) -> float:
    """``"16:9"`` or ``"1536x1024"`` as width / height."""
    match = _RATIO.match(value)
    if not match or float(match.group(1)) == 0 or float(match.group(2)) == 0:
        raise InvalidRequestError(
            f"{param} {value!r} is not WIDTH:HEIGHT (or WIDTHxHEIGHT)",
            param=param,
            provider="stabilityai",
        )
    return float(match.group(1)) / float(match.group(2))


def nearest_aspect(ratio: float) -> tuple[str, bool]:
    """The closest of the nine values on a log scale, and whether it is exact."""
    best = min(ASPECT_RATIOS, key=lambda candidate: abs(math.log(ratio / ratio_of(candidate, ""))))
    return best, math.isclose(ratio_of(best, ""), ratio, rel_tol=1e-9)
