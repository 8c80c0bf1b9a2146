"""limner.sizing: the size arithmetic plugins share, with rules passed in."""

from __future__ import annotations

import pytest

from limner import InvalidRequestError, SizeRules
from limner.sizing import fit_size, nearest_ratio, nearest_size, parse_ratio, size_for_ratio

RULES = SizeRules(
    min_side=256,
    max_side=2048,
    multiple_of=64,
    min_pixels=262_144,
    max_pixels=2_097_152,
    min_aspect=0.5,
    max_aspect=2.0,
)


@pytest.mark.parametrize(
    ("text", "ratio"), [("16:9", 16 / 9), ("1:1", 1.0), ("9:21", 9 / 21), (" 2.35 : 1 ", 2.35)]
)
def test_parse_ratio(text: str, ratio: float) -> None:
    assert parse_ratio(text) == pytest.approx(ratio)


@pytest.mark.parametrize("text", ["wide", "16x9", "0:1", "1:0", "16:", ""])
def test_parse_ratio_refuses_naming_the_parameter(text: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_ratio(text, "provider_options.acme.ratio")
    assert caught.value.param == "provider_options.acme.ratio"
    assert "WIDTH:HEIGHT" in caught.value.message


def test_nearest_ratio_is_measured_on_a_log_scale() -> None:
    # On a linear scale 2:1 and 1:1 are both 0.5 from 1.5; on a log scale 2:1 is nearer
    # (ln 4/3 < ln 3/2).
    assert nearest_ratio(1.5, ("1:1", "2:1")) == "2:1"
    assert nearest_ratio(0.5, ("1:1", "2:1", "1:2")) == "1:2"
    assert nearest_ratio(16 / 9, ("4:3", "16:9", "21:9")) == "16:9"


def test_nearest_ratio_ties_go_to_the_earlier_entry() -> None:
    assert nearest_ratio(1.0, ("2:1", "1:2")) == "2:1"
    assert nearest_ratio(1.0, ("1:2", "2:1")) == "1:2"


LISTED = ("auto", "256x256", "512x512", "1024x1024", "1792x1024", "1024x1792")


@pytest.mark.parametrize(
    ("wanted", "nearest"),
    [
        ((1000, 1000), "1024x1024"),  # the shape ties: then the area, not the first listed
        ((300, 300), "256x256"),
        ((1920, 1080), "1792x1024"),
        ((1024, 576), "1792x1024"),  # the shape first: 1024x1024 is nearer in area
        ((1080, 1920), "1024x1792"),
        ((1536, 1024), "1792x1024"),
    ],
)
def test_nearest_size_is_the_nearest_shape_then_area(wanted: tuple[int, int], nearest: str) -> None:
    assert nearest_size(*wanted, LISTED) == nearest


def test_nearest_size_needs_a_size_to_choose() -> None:
    with pytest.raises(ValueError, match="no WIDTHxHEIGHT size"):
        nearest_size(1, 1, ("auto",))


def test_nearest_ratio_needs_a_choice() -> None:
    with pytest.raises(ValueError, match="no aspect ratio"):
        nearest_ratio(1.0, ())


@pytest.mark.parametrize(
    ("wanted", "fitted"),
    [
        ((1024, 1024), (1024, 1024)),  # valid: unchanged
        ((1000, 1000), (1024, 1024)),  # only the multiple breaks: rounded, half up
        ((992, 992), (1024, 1024)),  # 992 / 64 = 15.5 rounds up, not to the even 15
        ((4096, 4096), (1408, 1408)),  # too many pixels: the largest square under 2,097,152
        ((128, 128), (512, 512)),  # too few: the smallest valid square
        ((3000, 1000), (2048, 1024)),  # 3:1 clamped to 2:1, at the pixel limit
    ],
)
def test_fit_size(wanted: tuple[int, int], fitted: tuple[int, int]) -> None:
    assert fit_size(*wanted, RULES) == fitted
    assert RULES.violations(*fitted) == []


def test_every_fitted_size_is_valid() -> None:
    for width in range(1, 5000, 177):
        for height in range(1, 5000, 163):
            assert RULES.violations(*fit_size(width, height, RULES)) == []


SIDES_ONLY = SizeRules(min_side=256, max_side=2048, multiple_of=64)
PIXELS_ONLY = SizeRules(min_side=64, max_side=2048, multiple_of=64, min_pixels=1024 * 1024)


@pytest.mark.parametrize(
    ("rules", "wanted", "fitted"),
    [
        (SIDES_ONLY, (4096, 64), (2048, 256)),  # as wide as the sides allow
        (SIDES_ONLY, (64, 4096), (256, 2048)),
        (PIXELS_ONLY, (4096, 64), (2048, 512)),  # as wide as 1 MP on a 2048 side allows
    ],
)
def test_fit_size_without_aspect_limits_stops_at_the_shapes_the_rules_imply(
    rules: SizeRules, wanted: tuple[int, int], fitted: tuple[int, int]
) -> None:
    assert fit_size(*wanted, rules) == fitted
    assert size_for_ratio(wanted[0] / wanted[1], 1024, rules) == fitted


@pytest.mark.parametrize("rules", [SIDES_ONLY, PIXELS_ONLY], ids=["sides", "pixels"])
def test_every_size_fits_rules_without_aspect_limits(rules: SizeRules) -> None:
    for width in range(1, 9000, 311):
        for height in range(1, 9000, 293):
            assert rules.violations(*fit_size(width, height, rules)) == []


@pytest.mark.parametrize(
    "impossible",
    [
        SizeRules(min_side=100, max_side=200, multiple_of=1, max_pixels=50),
        SizeRules(max_side=32, multiple_of=64),  # no side is a multiple of 64 up to 32
    ],
)
def test_fit_size_says_when_no_size_can_satisfy_the_rules(impossible: SizeRules) -> None:
    with pytest.raises(ValueError, match="no size satisfies"):
        fit_size(150, 150, impossible)


@pytest.mark.parametrize(
    ("ratio", "long_side", "size"),
    [
        (1.0, 1024, (1024, 1024)),
        (16 / 9, 1024, (1024, 576)),
        (9 / 16, 1024, (576, 1024)),
        (1.0, 4096, (1408, 1408)),  # the long side shrinks to the pixel limit
        (4.0, 1024, (768, 384)),  # clamped to the rules' 2:1, keeping 1024x256's pixel count
    ],
)
def test_size_for_ratio(ratio: float, long_side: int, size: tuple[int, int]) -> None:
    assert size_for_ratio(ratio, long_side, RULES) == size


def test_a_side_of_no_pixels_is_a_violation_not_a_division_by_zero() -> None:
    """A size scaled down past a pixel (5000x1 to fit 4096 pixels a side) has no aspect."""
    from limner.capabilities import SizeRules

    rules = SizeRules(min_side=320, max_side=4096, min_aspect=0.25, max_aspect=4.0)
    assert rules.violations(4096, 0) == ["both sides must be at least 1 pixel"]
