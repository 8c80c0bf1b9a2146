"""Free-form ``WIDTHxHEIGHT`` sizes as rules (:attr:`limner.Capabilities.size_rules`)."""

from __future__ import annotations

from pydantic import Field

from .declared import Frozen

__all__ = ["SizeRules"]


class SizeRules(Frozen):
    """Free-form ``WIDTHxHEIGHT`` sizes a model accepts, as rules instead of a list."""

    min_side: int = 1
    max_side: int
    multiple_of: int = 1
    min_pixels: int | None = None
    max_pixels: int | None = None
    min_aspect: float | None = Field(
        default=None, description="smallest width/height ratio, e.g. 1/3"
    )
    max_aspect: float | None = Field(default=None, description="largest width/height ratio, e.g. 3")

    def violations(self, width: int, height: int) -> list[str]:
        """Reasons a size breaks these rules; empty when it fits."""
        if width <= 0 or height <= 0:  # (a size scaled down past a pixel: no aspect to read)
            return ["both sides must be at least 1 pixel"]
        problems = []
        for side in (width, height):
            if side < self.min_side or side > self.max_side:
                problems.append(f"each side must be between {self.min_side} and {self.max_side}")
                break
        if width % self.multiple_of or height % self.multiple_of:
            problems.append(f"both sides must be multiples of {self.multiple_of}")
        pixels = width * height
        if self.max_pixels is not None and pixels > self.max_pixels:
            problems.append(f"at most {self.max_pixels} pixels")
        if self.min_pixels is not None and pixels < self.min_pixels:
            problems.append(f"at least {self.min_pixels} pixels")
        aspect = width / height
        if self.min_aspect is not None and aspect < self.min_aspect - 1e-9:
            problems.append(f"aspect ratio (width/height) at least {self.min_aspect:.4g}")
        if self.max_aspect is not None and aspect > self.max_aspect + 1e-9:
            problems.append(f"aspect ratio (width/height) at most {self.max_aspect:.4g}")
        return problems
