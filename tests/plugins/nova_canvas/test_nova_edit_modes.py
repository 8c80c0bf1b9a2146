"""The edit mode actually used: reported by translate (``Translation.edit_mode``), matched by
core's pricing against the price rows (and passed to any ``price_call`` hook), and the exact cost
of edits, estimated and billed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

import limner
from limner import ImagePrice
from limner.plugins import Registry
from limner_nova_canvas import NovaCanvasProvider, nova_canvas_model
from limner_nova_canvas.models import CANVAS_PRICES

from .conftest import MakeCall, png
from .support import CANVAS, KEYS, BedrockServer, images_reply


@pytest.mark.parametrize(
    ("operation", "fields", "edit_mode"),
    [
        ("generate", {}, None),
        ("variation", {}, None),
        ("edit", {"mask": True}, "inpaint"),
        ("edit", {"options": {"mask_prompt": "the sofa"}}, "inpaint"),
        ("edit", {"edit_mode": "erase", "options": {"mask_prompt": "the cat"}}, "erase"),
        ("edit", {"edit_mode": "outpaint", "mask": True}, "outpaint"),
        ("edit", {"edit_mode": "remove-background"}, "remove-background"),
        ("edit", {}, "variation"),
        ("edit", {"edit_mode": "variation"}, "variation"),
    ],
)
def test_translation_reports_the_edit_mode_used(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    operation: str,
    fields: dict[str, Any],
    edit_mode: str | None,
) -> None:
    extra = dict(fields)
    if extra.pop("mask", False):
        extra["mask"] = png(320, 320, mode="RGBA", hole=True)
    if operation != "generate":
        extra["images"] = [png(320, 320)]
    if operation != "variation":
        extra["prompt"] = "a lamp"
    assert provider.translate(make_call(operation, **extra)).edit_mode == edit_mode


def test_price_rows_match_the_edit_mode_and_the_size_band() -> None:
    """The sheet is data alone: rows keyed by edit mode come first, then the bands (smallest
    first), and core's pricing picks the first row that matches."""
    cheaper = nova_canvas_model(
        "amazon.nova-canvas-v2:0",
        pricing=CANVAS_PRICES.model_copy(
            update={
                "per_image": (
                    ImagePrice(usd=Decimal("0.01"), edit_mode="remove-background"),
                    *CANVAS_PRICES.per_image,
                )
            }
        ),
    )
    registry = Registry()
    canvas = registry.resolve(CANVAS)
    assert registry.price(canvas, "edit", 2, "premium", "2048x1024", None, "outpaint") == (
        Decimal("0.16")
    )
    assert registry.price(cheaper, "edit", 2, "standard", "64x64", None, "remove-background") == (
        Decimal("0.02")
    )
    assert registry.price(cheaper, "edit", 2, "standard", "64x64", None, "inpaint") == (
        Decimal("0.08")
    )
    assert registry.price(cheaper, "edit", 2, "standard", "64x64", None, None) == Decimal("0.08")


def _png(width: int, height: int, *, mask: bool = False) -> bytes:
    """A solid RGB image, or an RGBA mask whose left half is transparent (the area to edit)."""
    if mask:
        image = Image.new("RGBA", (width, height), (0, 0, 0, 255))
        image.paste((0, 0, 0, 0), (0, 0, width // 2, height))
    else:
        image = Image.new("RGB", (width, height), (40, 90, 160))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class EditModeSpy:
    """Records the edit mode core hands the ``price_call`` hook, leaving the price to others."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    @limner.hookimpl(wrapper=True)
    def price_call(self, edit_mode: str | None) -> Any:
        self.seen.append(edit_mode)
        return (yield)


@pytest.mark.parametrize(
    ("fields", "edit_mode", "usd"),
    [
        # 2 premium images up to 2048x2048 (the input's 2048x1024 is kept)
        (
            {
                "image": _png(2048, 1024),
                "mask": _png(2048, 1024, mask=True),
                "edit_mode": "outpaint",
                "quality": "premium",
                "n": 2,
            },
            "outpaint",
            "0.16",
        ),
        # 1 standard image up to 2048x2048: 1024x1040 is over 1,048,576 pixels
        (
            {"image": _png(1024, 1040), "edit_mode": "remove-background"},
            "remove-background",
            "0.06",
        ),
        # 3 standard images up to 1024x1024
        (
            {"image": _png(320, 320), "provider_options": {"amazon": {"mask_prompt": "a"}}, "n": 3},
            "inpaint",
            "0.12",
        ),
        # 7 standard variations up to 1024x1024, split 5 + 2
        ({"image": _png(320, 320), "size": "512x512", "n": 7}, "variation", "0.28"),
        # 2 standard inpaintings up to 1024x1024: the image's transparent half is the mask
        ({"image": _png(320, 320, mask=True), "n": 2, "edit_mode": "inpaint"}, "inpaint", "0.08"),
    ],
)
async def test_edit_cost_estimated_and_billed_exactly(
    bedrock: BedrockServer, fields: dict[str, Any], edit_mode: str, usd: str
) -> None:
    spy = EditModeSpy()
    bedrock.route = lambda received: images_reply(
        received.json.get("imageGenerationConfig", {}).get("numberOfImages", 1)
    )
    async with limner.AsyncClient(
        providers={"amazon": {"region": "us-east-1", "base_url": bedrock.url, **KEYS}},
        allow_private_networks=True,
        environ={},
        registry=Registry([spy]),
    ) as limner_client:
        plan = await limner_client.images.edit(
            model=CANVAS, prompt="a beach", dry_run=True, **fields
        )
        result = await limner_client.images.edit(model=CANVAS, prompt="a beach", **fields)
    assert plan.estimated_cost_usd == Decimal(usd)
    assert result.cost == Decimal(usd)
    assert len(result.data) == fields.get("n", 1)
    assert set(spy.seen) == {edit_mode}
    assert len(spy.seen) == 2 * len(plan.requests)  # every call estimated, then billed
    assert not any(w.code.startswith("price") for w in [*plan.warnings, *result.warnings])


def test_one_band_table_for_every_task() -> None:
    """AWS lists no per-task prices, so no row is keyed by operation or edit mode."""
    assert CANVAS_PRICES.as_of == dt.date(2026, 7, 9)
    assert [(row.operation, row.edit_mode) for row in CANVAS_PRICES.per_image] == [(None, None)] * 4
