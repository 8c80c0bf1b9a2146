"""A plugin given in code with a function named as a hook but not marked ``@limner.hookimpl``:
pluggy would pass it over in silence, so limner refuses the plugin and names the function."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

import limner
from limner.plugins import Registry


class _HalfMarked:
    @limner.hookimpl
    def register_models(self, register: Any) -> None: ...

    def price_call(self, call: Any, translation: Any, usage: Any) -> None: ...

    def translate_request(self, provider: Any, call: Any) -> None: ...


def test_an_unmarked_hook_method_refuses_the_plugin() -> None:
    plugin = _HalfMarked()
    with pytest.raises(limner.PluginError) as caught:
        Registry([plugin], entry_points=False)
    assert caught.value.message.endswith(
        "price_call, translate_request are hook names, but not marked @limner.hookimpl, so "
        "limner would never call them: add the marker (or rename a helper)"
    )


def test_an_unmarked_hook_is_refused_on_register_and_the_plugin_left_out() -> None:
    registry = Registry([], entry_points=False)
    plugin = _HalfMarked()
    with pytest.raises(limner.PluginError, match="are hook names, but not marked"):
        registry.register(plugin)
    assert not registry.manager.is_registered(plugin)


def test_a_marked_plugin_with_other_helpers_is_taken() -> None:
    @limner.hookimpl
    def register_models(register: Any) -> None: ...

    def price_calls(call: Any) -> None: ...  # a helper whose name is not a hook's

    plugin = SimpleNamespace(
        register_models=register_models, price_calls=price_calls, price_call=3
    )  # (an attribute that is not a function is not a hook either)
    assert Registry([plugin], entry_points=False).manager.is_registered(plugin)
