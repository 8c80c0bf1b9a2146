"""Size snapping, table-driven: explicit sizes, aspect ratios and resolution classes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from limner.sizing import fit_size
from limner_nova_canvas import NovaCanvasProvider
from limner_nova_canvas.models import SIZE_RULES

from .conftest import MakeCall


@pytest.mark.parametrize(
    ("size", "sent"),
    [
        ("1024x1024", "1024x1024"),
        ("1280x720", "1280x720"),
        ("1792x1024", "1792x1024"),
        ("2048x1024", "2048x1024"),
        ("320x1280", "320x1280"),
        ("1000x1000", "1008x1008"),  # multiples of 16
        ("1920x1080", "1920x1088"),
        ("1024x1025", "1024x1024"),
        ("256x256", "320x320"),  # at least 320 per side
        ("100x400", "320x1280"),
        ("2048x2048", "2032x2032"),  # fewer than 4,194,304 pixels
        ("4096x4096", "2032x2032"),
        ("8000x1000", "4080x1024"),  # 8:1 → at most 4:1, within the pixel limit
        ("4096x320", "2304x576"),  # 12.8:1 → 4:1 at the same area
        ("300x5000", "608x2432"),
    ],
)
def test_explicit_size(
    provider: NovaCanvasProvider, make_call: MakeCall, size: str, sent: str
) -> None:
    translation = provider.translate(make_call(prompt="x", size=size))
    config = json.loads(translation.request.json_bytes())["imageGenerationConfig"]
    assert f"{config['width']}x{config['height']}" == sent
    assert translation.size == sent
    assert SIZE_RULES.violations(config["width"], config["height"]) == []
    adjustments = [(a.param, a.requested, a.applied) for a in translation.adjustments]
    assert adjustments == ([] if size == sent else [("size", size, sent)])


@pytest.mark.parametrize(
    ("aspect", "image_size", "sent"),
    [
        ("1:1", None, "1024x1024"),
        ("16:9", None, "1024x576"),
        ("9:16", None, "576x1024"),
        ("21:9", None, "1024x432"),
        ("1:8", None, "320x1280"),  # clamped to 1:4
        ("16:9", "2K", "2048x1152"),
        ("1:1", "2K", "2032x2032"),
        ("1:1", "4K", "2032x2032"),  # the same as 2K only at 1:1 (the pixel limit binds both)
        ("16:9", "4K", "2720x1536"),  # other shapes: the largest within the pixel limit
        ("4:1", "2K", "2048x512"),
        ("4:1", "4K", "4080x1024"),
        ("9:16", "4K", "1536x2720"),
        (None, "1K", "1024x1024"),
    ],
)
def test_aspect_ratio_and_image_size(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    aspect: str | None,
    image_size: str | None,
    sent: str,
) -> None:
    config_in = {"aspect_ratio": aspect, "image_size": image_size}
    translation = provider.translate(make_call(prompt="x", image_config=config_in))
    config = json.loads(translation.request.json_bytes())["imageGenerationConfig"]
    assert f"{config['width']}x{config['height']}" == sent
    reported = {a.param: a.applied for a in translation.adjustments}
    expected = {
        f"image_config.{key}": sent for key, value in config_in.items() if value is not None
    }
    assert reported == expected


def test_explicit_size_wins_over_image_config(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(
        make_call(prompt="x", size="512x512", image_config={"aspect_ratio": "16:9"})
    )
    config = json.loads(translation.request.json_bytes())["imageGenerationConfig"]
    assert (config["width"], config["height"]) == (512, 512)
    assert [(a.param, a.applied) for a in translation.adjustments] == [
        ("image_config.aspect_ratio", None)
    ]


def test_auto_size_is_the_default(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    translation = provider.translate(make_call(prompt="x", size="auto"))
    assert "width" not in json.loads(translation.request.json_bytes())["imageGenerationConfig"]
    assert [(a.param, a.applied) for a in translation.adjustments] == [("size", "1024x1024")]


def test_edit_sizes_are_dropped(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    from .conftest import png

    call = make_call(
        "edit",
        prompt="x",
        images=[png(480, 360)],
        options={"mask_prompt": "a"},
        size="512x512",
    )
    translation = provider.translate(call)
    assert "width" not in json.loads(translation.request.json_bytes())["imageGenerationConfig"]
    assert [(a.param, a.applied) for a in translation.adjustments] == [("size", None)]
    assert translation.size == "480x360"


def test_every_snap_is_valid() -> None:
    for width in range(1, 6000, 293):
        for height in range(1, 6000, 271):
            assert SIZE_RULES.violations(*fit_size(width, height, SIZE_RULES)) == []


@pytest.mark.parametrize(("image_size", "says_why"), [("4K", True), ("2K", True), ("1K", False)])
def test_an_image_size_beyond_the_pixel_limit_says_so(
    provider: NovaCanvasProvider, make_call: MakeCall, image_size: str, says_why: bool
) -> None:
    """4K (and 2K at 1:1) cannot be had within 4,194,303 pixels: the report says why."""
    translation = provider.translate(make_call(prompt="x", image_config={"image_size": image_size}))
    [adjustment] = translation.adjustments
    assert ("does not fit" in adjustment.reason) is says_why


def test_4k_is_taken_but_not_listed() -> None:
    """A tool choosing a model for 4K images must not pick Nova: under its pixel limit 4K is 2K
    at 1:1, and 4096 px long only at 4:1. Asked for, 4K is still not 2K under another name:
    away from 1:1 it sends the largest size of the shape within Nova's rules (4:1: 4080x1024,
    four times 2K's pixels and the dearer "up to 2048x2048" band), in a dry run's wire request
    and its estimate."""
    import limner

    model = "amazon/amazon.nova-canvas-v1:0"
    with limner.Client(environ={}) as client:
        assert client.models.retrieve(model).capabilities.image_sizes == ("1K", "2K")
        sent = {}
        for image_size in ("2K", "4K"):
            plan = client.images.generate(
                model=model,
                prompt="x",
                image_config={"image_size": image_size, "aspect_ratio": "4:1"},
                dry_run=True,
            )
            config = plan.requests[0]["json"]["imageGenerationConfig"]
            sent[image_size] = (config["width"], config["height"], plan.estimated_cost_usd)
    assert sent == {"2K": (2048, 512, Decimal("0.04")), "4K": (4080, 1024, Decimal("0.06"))}
