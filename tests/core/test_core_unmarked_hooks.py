"""A plugin given in code with a function named as a hook but not marked ``@limner.hookimpl``:
pluggy would pass it over in silence, so limner warns, naming the function, and keeps the
plugin (a module may import a helper of that name for its own use)."""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any

import pytest

import limner
from limner.loading import PluginWarning
from limner.plugins import Registry


class _HalfMarked:
    @limner.hookimpl
    def register_models(self, register: Any) -> None: ...

    def price_call(self, model: Any) -> None: ...

    def translate_request(self, provider: Any, call: Any) -> None: ...


def test_an_unmarked_hook_method_is_warned_about_and_the_plugin_kept() -> None:
    plugin = _HalfMarked()
    with pytest.warns(PluginWarning) as said:
        registry = Registry([plugin], entry_points=False)
    assert registry.manager.is_registered(plugin)
    assert str(said[0].message) == (
        f"{__name__}: price_call, translate_request are hook names, but not marked "
        "@limner.hookimpl, so limner never calls them: add the marker (or rename a helper of "
        "that name)"
    )


def test_registering_one_later_warns_too() -> None:
    registry = Registry([], entry_points=False)
    with pytest.warns(PluginWarning, match="are hook names, but not marked"):
        registry.register(_HalfMarked())


def test_a_marked_plugin_with_other_helpers_is_not_warned_about() -> None:
    @limner.hookimpl
    def register_models(register: Any) -> None: ...

    def price_calls(call: Any) -> None: ...  # a helper whose name is not a hook's

    plugin = SimpleNamespace(
        register_models=register_models, price_calls=price_calls, price_call=3
    )  # (an attribute that is not a function is not a hook either)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Registry([plugin], entry_points=False).manager.is_registered(plugin)


def test_the_warning_comes_before_registering_so_an_error_leaves_nothing_registered() -> None:
    """Under ``-W error`` (a plugin's CI) the warning raises: the plugin is not left half in."""
    registry = Registry([], entry_points=False)
    plugin = _HalfMarked()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(PluginWarning):
            registry.register(plugin)
    assert not registry.manager.is_registered(plugin)


@pytest.mark.parametrize(
    ("provider", "warned"),
    [("opneai", True), ("OpenAI", True), ("azure_openai", False), ("acme", False)],
)
def test_a_model_left_out_is_warned_of_only_when_its_provider_looks_misspelt(
    provider: str, warned: bool
) -> None:
    """One slip of the keyboard, or of case, from a registered provider's name; not another
    provider whose name holds one (``azure_openai``), nor one of a disabled plugin."""
    from limner_openai import OpenAIProvider

    model = OpenAIProvider().models()[0]

    class Adds:
        @limner.hookimpl
        def register_models(self, register: Any) -> None:
            update = {"id": f"{provider}/{model.name}", "provider": provider}
            register(model.model_copy(update=update))

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        registry = Registry([Adds()], disable_plugins=["stability"])
        assert provider not in registry.providers
    left = [w for w in said if issubclass(w.category, PluginWarning)]
    assert bool(left) is warned
    if warned:
        assert str(left[0].message).endswith("did you mean 'openai'?")
