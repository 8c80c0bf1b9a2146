"""A model a plugin changed with ``model_copy(update=...)`` (the documented way to correct a
built-in model) is checked as its constructor would check it: a value out of range, a dict
where a model belongs or a misspelt field is a PluginError when the registry is built, not a
ZeroDivisionError on every call or a price silently kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import limner
from limner.plugins import Registry

from .fakeprovider import ALPHA, FakePlugin


class Changes:
    """Registers ALPHA changed by ``update`` (top-level fields) or ``caps`` (capabilities)."""

    def __init__(self, update: dict[str, Any] | None = None, caps: dict[str, Any] | None = None):
        changed = dict(update or {})
        if caps is not None:
            changed["capabilities"] = ALPHA.capabilities.model_copy(update=caps)
        self.model = ALPHA.model_copy(update=changed)

    @limner.hookimpl
    def register_models(self, register: Callable[[limner.ModelInfo], None]) -> None:
        register(self.model)


def build(changes: Changes) -> Registry:
    registry = Registry([FakePlugin(), changes], entry_points=False)
    registry.models()  # (built when first asked)
    return registry


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        (
            Changes(caps={"max_images_per_call": 0}),
            "capabilities.max_images_per_call: Input should be greater than or equal to 1",
        ),
        (Changes(update={"pricing": {"source": "x"}}), "pricing.as_of: Field required"),
        (Changes(update={"prcing": None}), "prcing: no such field"),
        (Changes(caps={"max_imgs": 2}), "capabilities.max_imgs: no such field"),
    ],
)
def test_a_changed_model_that_its_constructor_would_refuse_is_a_plugin_error(
    changes: Changes, said: str
) -> None:
    with pytest.raises(limner.PluginError) as info:
        build(changes)
    assert f"model 'fake/alpha-1' is not valid ({said}" in info.value.message
    assert "model_copy(update=...)" in info.value.message


def test_a_valid_change_is_kept_and_a_dict_becomes_its_model() -> None:
    sheet = ALPHA.pricing
    assert sheet is not None
    cheaper = sheet.model_dump()
    cheaper["per_image"][0]["usd"] = "0.01"
    registry = build(Changes(update={"pricing": cheaper}))
    model = registry.resolve("fake/alpha-1")
    assert isinstance(model.pricing, limner.PriceSheet)
    assert str(model.pricing.per_image[0].usd) == "0.01"
    same = Changes(caps={"max_n": 2})
    assert build(same).resolve("fake/alpha-1") is same.model  # valid: the plugin's own object
