"""Edit prices as data rows keyed by ``edit_mode``, and exact edit costs end to end: through the
loopback Stability for every mode, and as a dry run's estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import limner
from limner.params import EditParams
from limner.plugins import Registry
from limner_stability.prices import EDIT_CREDITS, GENERATE_CREDITS, SHEETS, edit_credits

from .conftest import Loopback, png

IMAGE = png(64, 64)
HOLED = png(64, 64, mode="RGBA", hole=True)
EDITING = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash", "stable-image-ultra"]
EDIT_USD = {
    "inpaint": "0.05",
    "outpaint": "0.04",
    "erase": "0.05",
    "search-and-replace": "0.05",
    "search-and-recolor": "0.05",
    "remove-background": "0.05",
}


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


@pytest.mark.parametrize("name", EDITING)
def test_edit_rows_per_mode(registry: Registry, name: str) -> None:
    info = registry.resolve(f"stabilityai/{name}")
    generation = GENERATE_CREDITS[name] / 100
    for mode, usd in EDIT_USD.items():
        assert registry.price(info, "edit", 2, None, None, None, mode) == Decimal(usd) * 2, mode
        assert edit_credits(name, mode) == EDIT_CREDITS[mode]
    assert registry.price(info, "edit", 1, None, None, None, "image-to-image") == generation
    assert registry.price(info, "edit", 1, None, None, None, None) is None  # no mode, no guess
    assert registry.price(info, "edit", 1, None, None, None, "unheard-of") is None
    assert registry.price(info, "generate", 1, None, None, None, None) == generation


def test_sheet_rows_are_data() -> None:
    rows = [
        (row.operation, row.edit_mode, str(row.usd), row.note)
        for row in SHEETS["sd3.5-medium"].per_image
    ]
    assert rows == [
        ("generate", None, "0.035", "3.5 credits per call"),
        (
            "edit",
            "image-to-image",
            "0.035",
            "3.5 credits per call: a /generate call, priced per model (Jan 2026 spec)",
        ),
        ("edit", "inpaint", "0.05", "5 credits per call (Jan 2026 spec)"),
        ("edit", "outpaint", "0.04", "4 credits per call (Jan 2026 spec)"),
        ("edit", "erase", "0.05", "5 credits per call (Jan 2026 spec)"),
        ("edit", "search-and-replace", "0.05", "5 credits per call (Jan 2026 spec)"),
        ("edit", "search-and-recolor", "0.05", "5 credits per call (Jan 2026 spec)"),
        ("edit", "remove-background", "0.05", "5 credits per call (Jan 2026 spec)"),
    ]
    assert "not computed" not in (SHEETS["sd3.5-medium"].notes or "")


def test_core_has_no_edit_prices(registry: Registry) -> None:
    info = registry.resolve("stabilityai/stable-image-core")
    assert info.pricing is not None
    assert [row.operation for row in info.pricing.per_image] == ["generate"]
    assert registry.price(info, "edit", 1, None, None, None, "inpaint") is None


# (model, edit_mode, mask, options, n, path, cost, warning codes)
EDITS: list[tuple[str, str | None, bool, dict[str, Any], int, str, str, list[str]]] = [
    ("sd3.5-large", None, True, {}, 1, "edit/inpaint", "0.05", []),
    ("sd3.5-large", None, False, {}, 1, "generate/sd3", "0.065", ["default_applied"]),
    (
        "stable-image-ultra",
        "image-to-image",
        False,
        {"strength": 0.5},
        1,
        "generate/ultra",
        "0.08",
        [],
    ),
    ("sd3.5-flash", "image-to-image", False, {"strength": 0.9}, 2, "generate/sd3", "0.05", []),
    ("stable-image-ultra", "inpaint", True, {}, 1, "edit/inpaint", "0.05", []),
    ("sd3.5-medium", "outpaint", False, {"left": 64}, 1, "edit/outpaint", "0.04", []),
    ("sd3.5-medium", "erase", True, {}, 3, "edit/erase", "0.15", []),
    (
        "sd3.5-medium",
        "search-and-replace",
        False,
        {"search_prompt": "boat"},
        1,
        "edit/search-and-replace",
        "0.05",
        [],
    ),
    (
        "sd3.5-medium",
        "search-and-recolor",
        False,
        {"select_prompt": "roof"},
        1,
        "edit/search-and-recolor",
        "0.05",
        [],
    ),
    ("sd3.5-medium", "remove-background", False, {}, 1, "edit/remove-background", "0.05", []),
]


def params(mode: str | None, mask: bool, options: dict[str, Any], n: int) -> EditParams:
    chosen: EditParams = {"n": n, "provider_options": {"stability": options}}
    if mode is not None:
        chosen["edit_mode"] = mode
    if mask:
        chosen["mask"] = HOLED
    return chosen


@pytest.mark.parametrize(
    ("name", "mode", "mask", "options", "n", "path", "cost", "codes"),
    EDITS,
    ids=[f"{case[0]}-{case[1] or ('masked' if case[2] else 'unmasked')}" for case in EDITS],
)
async def test_edit_cost_through_the_client(
    loopback: Loopback,
    name: str,
    mode: str | None,
    mask: bool,
    options: dict[str, Any],
    n: int,
    path: str,
    cost: str,
    codes: list[str],
) -> None:
    async with loopback.client() as client:
        result = await client.images.edit(
            model=f"stabilityai/{name}",
            prompt="a moon",
            image=IMAGE,
            **params(mode, mask, options, n),
        )
    assert [seen.path for seen in loopback.seen] == [f"/v2beta/stable-image/{path}"] * n
    assert len(result.data) == n
    assert result.cost == limner.money.to_usd(cost)
    assert isinstance(result.cost, Decimal)
    assert [w.code for w in result.warnings] == codes


@pytest.mark.parametrize(
    ("name", "mode", "mask", "options", "n", "path", "cost", "codes"),
    EDITS,
    ids=[f"{case[0]}-{case[1] or ('masked' if case[2] else 'unmasked')}" for case in EDITS],
)
async def test_edit_cost_in_a_dry_run(
    name: str,
    mode: str | None,
    mask: bool,
    options: dict[str, Any],
    n: int,
    path: str,
    cost: str,
    codes: list[str],
) -> None:
    async with limner.AsyncClient(environ={"STABILITY_API_KEY": "sk-test"}) as client:
        plan = await client.images.edit(
            model=f"stability/{name}",
            prompt="a moon",
            image=IMAGE,
            dry_run=True,
            **params(mode, mask, options, n),
        )
    assert [r["url"] for r in plan.requests] == [
        f"https://api.stability.ai/v2beta/stable-image/{path}"
    ] * n
    assert plan.estimated_cost_usd == limner.money.to_usd(cost)
    assert [w.code for w in plan.warnings] == codes
