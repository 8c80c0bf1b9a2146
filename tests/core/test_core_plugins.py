"""The plugin system, every hook, model resolution and per-model JSON Schema."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pydantic
import pytest

import limner
from limner import hookspecs
from limner.loading import PluginWarning
from limner.plugins import Registry

from .fakeprovider import ALPHA, BETA, FakePlugin, FakeProvider
from .support import FakeServer, MakeClient


def fake_registry(*plugins: object) -> Registry:
    return Registry([FakePlugin(), *plugins], entry_points=False)


# ---- discovery and blocking ----------------------------------------------------------------


def test_openai_entry_point_is_discovered() -> None:
    names = {ep.name for ep in importlib.metadata.entry_points(group="limner")}
    assert "openai" in names
    module = importlib.import_module("limner_openai")
    assert hasattr(module, "register_providers")
    registry = Registry()
    assert registry.manager.get_plugin("openai") is module
    assert "openai" in registry.providers
    assert any(model.provider == "openai" for model in registry.models())


def test_an_installed_plugin_passed_in_plugins_too_is_registered_once() -> None:
    """As a plugin's own tests do, where its package is installed (or its egg-info is on the
    path): the module its entry point loads is the same object, so nothing is registered
    twice."""
    module = importlib.import_module("limner_openai")
    registry = Registry([module])
    assert registry.manager.get_plugin("openai") is module
    assert list(registry.providers).count("openai") == 1


def test_two_plugins_of_one_provider_are_told_how_to_keep_one() -> None:
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry([FakePlugin(), FakePlugin()], entry_points=False).providers
    assert "disable_plugins=[its entry-point name]" in caught.value.message


def test_disable_plugins_blocks_entry_point() -> None:
    registry = Registry([FakePlugin()], disable_plugins=["openai"])
    assert registry.manager.is_blocked("openai")
    assert registry.manager.get_plugin("openai") is None
    assert "fake" in registry.providers
    assert "openai" not in registry.providers


def test_env_disable_plugins_blocks_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIMNER_DISABLE_PLUGINS", " something-else , openai")
    with pytest.warns(UserWarning, match="no installed plugin is called 'something-else'"):
        registry = Registry([FakePlugin()])
    assert registry.manager.is_blocked("openai")
    assert registry.manager.get_plugin("openai") is None
    assert "openai" not in registry.providers


def test_client_disable_plugins_reaches_registry() -> None:
    client = limner.AsyncClient(plugins=[FakePlugin()], disable_plugins=["openai"])
    assert client.registry.manager.is_blocked("openai")
    ids = [m.id for m in client.models.list()]
    assert {"fake/alpha-1", "fake/beta-2", "fake/old-0"} <= set(ids)
    assert not any(model_id.startswith("openai/") for model_id in ids)


def test_models_list_reads_like_the_openai_sdks_page_too() -> None:
    """``client.models.list()`` is a list, and has the OpenAI SDK page's ``data`` and
    ``object``, so code written for that SDK's ``models.list().data`` works unchanged."""
    client = limner.Client(plugins=[FakePlugin()], disable_plugins=["openai"], environ={})
    models = client.models.list()
    assert isinstance(models, list) and models.object == "list"
    assert models.data is models and "fake/alpha-1" in [model.id for model in models.data]


def test_misspelled_hookimpl_is_plugin_error() -> None:
    class Typo:
        @limner.hookimpl
        def register_provider(self, register: Any) -> None:  # missing "s"
            register(FakeProvider())

    with pytest.raises(limner.PluginError, match="register_provider"):
        Registry([Typo()], entry_points=False)


def test_misspelled_hookimpl_registered_later_is_rejected_and_removed() -> None:
    class Typo:
        @limner.hookimpl
        def price_calls(self) -> None: ...

    registry = fake_registry()
    typo = Typo()
    with pytest.raises(limner.PluginError):
        registry.register(typo)
    assert not registry.manager.is_registered(typo)
    assert "fake" in registry.providers


def test_hookimpl_with_unknown_argument_is_plugin_error() -> None:
    class BadArgs:
        @limner.hookimpl
        def price_call(self, modle: Any) -> None: ...

    with pytest.raises(limner.PluginError):
        Registry([BadArgs()], entry_points=False)
    registry = fake_registry()
    with pytest.raises(limner.PluginError):
        registry.register(BadArgs())


def test_an_unknown_argument_is_not_called_a_misspelled_hook() -> None:
    class BadArgs:
        @limner.hookimpl
        def price_call(self, num_images: Any) -> None: ...

    with pytest.raises(limner.PluginError) as caught:
        Registry([BadArgs()], entry_points=False)
    assert "num_images" in caught.value.message
    assert "misspelled hook name" not in caught.value.message
    # pluggy's lines joined into one (the CLI shows one line), the plugin by its class's name,
    # not by the id() pluggy names an object registered without a name by
    assert ".BadArgs' for hook 'price_call'; hookimpl definition: " in caught.value.message
    assert "\n" not in caught.value.message


def _install_entry_point(root: Path, name: str, module: str, source: str | None) -> None:
    """A plugin distribution as pip leaves one: a module (none when ``source`` is None) and a
    dist-info with its entry point."""
    if source is not None:
        path = root.joinpath(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    info = root / f"limner_test_{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: limner-test-{name}\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(f"[limner]\n{name} = {module}\n")


def _installed(
    root: Path, monkeypatch: pytest.MonkeyPatch, name: str, module: str, source: str | None
) -> None:
    """:func:`_install_entry_point`, importable from ``root`` and not yet imported."""
    _install_entry_point(root, name, module, source)
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delitem(sys.modules, module, raising=False)


@pytest.mark.parametrize(
    ("source", "says"),
    [
        (  # a hook function without @limner.hookimpl: pluggy would skip the plugin in silence
            "def register_providers(register):\n    pass\n",
            "the limner plugin 'acmetest' (limner_acmetest_plugin) has no limner hooks: mark",
        ),
        (
            "import no_such_module_here\n",
            "the limner plugin 'acmetest' (limner_acmetest_plugin) failed to load "
            "(ModuleNotFoundError: No module named 'no_such_module_here')",
        ),
        ("def broken(:\n", "failed to load (SyntaxError"),
        (None, "failed to load (ModuleNotFoundError: No module named 'limner_acmetest_plugin')"),
        (
            "import limner\n@limner.hookimpl\ndef register_provider(register):\n    pass\n",
            "unknown hook 'register_provider' in plugin",
        ),
        (  # crashes while registering: named by the frames it was raised in
            "import limner\n@limner.hookimpl\ndef register_providers(register):\n"
            "    raise RuntimeError('no config file')\n",
            "the limner plugin 'acmetest' (limner_acmetest_plugin) failed in register_providers "
            "(RuntimeError: no config file)",
        ),
    ],
    ids=[
        "no-hooks",
        "import-error",
        "syntax-error",
        "no-module",
        "misspelled-hook",
        "crash",
    ],
)
def test_an_installed_plugin_that_cannot_work_is_refused_naming_its_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str | None, says: str
) -> None:
    _installed(tmp_path, monkeypatch, "acmetest", "limner_acmetest_plugin", source)
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry().providers
    assert says in caught.value.message
    assert "LIMNER_DISABLE_PLUGINS=acmetest (or disable_plugins=['acmetest'])" in (
        caught.value.message
    )
    skipping = Registry(disable_plugins=["acmetest"])  # the hint works: loads without it
    assert skipping.manager.is_blocked("acmetest") and "openai" in skipping.providers


@pytest.mark.parametrize(
    "source",
    [
        "import os\nraise RuntimeError('cannot start with key ' + os.environ['ACME_API_KEY'])\n",
        "import limner, os\n@limner.hookimpl\ndef register_providers(register):\n"
        "    raise RuntimeError('cannot start with key ' + os.environ['ACME_API_KEY'])\n",
    ],
    ids=["loading", "registering"],
)
def test_a_plugin_quoting_a_key_from_the_environment_as_it_fails_is_refused_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    """No provider's settings are known yet to scrub its words by: the environment's
    variables named like secrets are, and the plugin's exception is not chained."""
    key = "sk-acme-0123456789abcdef"
    monkeypatch.setenv("ACME_API_KEY", key)
    _installed(tmp_path, monkeypatch, "acmetest", "limner_acmetest_plugin", source)
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry().providers
    assert "(RuntimeError: cannot start with key <redacted>)" in caught.value.message
    assert key not in str(caught.value) and caught.value.__cause__ is None


def test_an_installed_plugin_with_an_unmarked_hook_function_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One hook marked, another not: pluggy passes the second over in silence."""
    source = (
        "import limner\n@limner.hookimpl\ndef register_models(register):\n    pass\n"
        "def price_call(model, operation, images, quality, size, usage, edit_mode):\n"
        "    return None\n"
    )
    _installed(tmp_path, monkeypatch, "acmetest", "limner_acmetest_plugin", source)
    with pytest.warns(PluginWarning) as said:
        registry = Registry()
        assert "openai" in registry.providers  # the plugin is loaded all the same
    assert str(said[0].message) == (
        "the limner plugin 'acmetest' (limner_acmetest_plugin): price_call is a hook name, but "
        "not marked @limner.hookimpl, so limner never calls it: add the marker (or rename a "
        "helper of that name)"
    )


def test_a_crash_in_a_helper_two_plugins_share_names_the_plugin_that_called_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frame in a plugin's own module wins over a helper module of the same package,
    whichever order the plugins come in."""
    hook = (
        "import limner\nfrom acme_pkg import util\n"
        "@limner.hookimpl\ndef register_models(register):\n"
    )
    (tmp_path / "acme_pkg").mkdir()
    (tmp_path / "acme_pkg" / "__init__.py").write_text("")
    (tmp_path / "acme_pkg" / "util.py").write_text("def helper():\n    raise LookupError('x')\n")
    _install_entry_point(tmp_path, "acme_one", "acme_pkg.plug_one", hook + "    pass\n")
    _install_entry_point(tmp_path, "acme_two", "acme_pkg.plug_two", hook + "    util.helper()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("acme_pkg", "acme_pkg.util", "acme_pkg.plug_one", "acme_pkg.plug_two"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry().providers
    assert "the limner plugin 'acme_two' (acme_pkg.plug_two) failed in register_models" in (
        caught.value.message
    )
    assert "LIMNER_DISABLE_PLUGINS=acme_two" in caught.value.message


@pytest.mark.parametrize(
    ("target", "says"),
    [
        (
            "limner_acmeobj_plugin:Plugin",
            "Plugin is a class: register an instance of it (Plugin())",
        ),
        ("limner_openai", "loads limner_openai, which the entry point "),
    ],
    ids=["class", "module-twice"],
)
def test_an_entry_point_to_a_class_or_to_a_loaded_module_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, says: str
) -> None:
    module = "limner_acmeobj_plugin"
    source = (
        "import limner\nclass Plugin:\n"
        "    @limner.hookimpl\n    def register_models(self, register):\n        pass\n"
    )
    _install_entry_point(tmp_path, "zz_acme", module, source)
    (tmp_path / "limner_test_zz_acme-0.1.dist-info" / "entry_points.txt").write_text(
        f"[limner]\nzz_acme = {target}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry().providers
    said = caught.value.message
    assert says in said
    if target == "limner_openai":  # whichever is found first, the message names both
        assert "'zz_acme'" in said and "'openai'" in said and "LIMNER_DISABLE_PLUGINS=" in said
    else:
        assert "LIMNER_DISABLE_PLUGINS=zz_acme" in said


def test_registering_under_a_disabled_name_is_a_plugin_error() -> None:
    registry = Registry([], disable_plugins=["mine"], entry_points=False)
    with pytest.raises(limner.PluginError, match="the plugin name 'mine' is disabled"):
        registry.register(FakePlugin(), name="mine")


def test_two_plugins_in_one_package_are_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fine = "import limner\n@limner.hookimpl\ndef register_models(register):\n    pass\n"
    crashing = (
        "import limner\n@limner.hookimpl\ndef register_models(register):\n    raise KeyError(1)\n"
    )
    (tmp_path / "acme_pkg").mkdir()
    (tmp_path / "acme_pkg" / "__init__.py").write_text("")
    _install_entry_point(tmp_path, "acme_one", "acme_pkg.plug_one", crashing)
    _install_entry_point(tmp_path, "acme_two", "acme_pkg.plug_two", fine)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("acme_pkg", "acme_pkg.plug_one", "acme_pkg.plug_two"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry().providers
    assert caught.value.message.startswith(
        "the limner plugin 'acme_one' (acme_pkg.plug_one) failed in register_models (KeyError"
    )
    assert caught.value.message.endswith(
        "LIMNER_DISABLE_PLUGINS=acme_one (or disable_plugins=['acme_one'])"
    )


@pytest.mark.parametrize(
    ("listed", "says"),
    [
        (None, "Odd.models() returned NoneType, not a list of ModelInfo"),
        (["fake/x"], "a plugin registered str, not a ModelInfo"),
    ],
)
def test_models_that_are_no_model_infos_are_a_plugin_error(listed: Any, says: str) -> None:
    """The README's skeleton leaves models() as ``...``: that must be a clear PluginError."""

    class Odd(FakeProvider):
        def models(self) -> list[limner.ModelInfo]:
            return listed  # type: ignore[no-any-return]

    with pytest.raises(limner.PluginError, match=re.escape(says)):
        _ = Registry([FakePlugin(Odd)], entry_points=False).providers


def test_a_method_that_looks_like_a_misspelled_provider_method_is_warned_about() -> None:
    """``authorise`` leaves Provider.authorize alone: calls would go out without credentials."""

    class British(limner.Provider):
        name = "british"

        def models(self) -> list[limner.ModelInfo]:
            return []

        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            raise NotImplementedError

        def parse_response(self, call: Any, response: Any) -> Any:
            raise NotImplementedError

        def authorise(self, request: Any, settings: Any) -> Any:
            return request

        def translate_call(self, call: Any) -> None:  # a helper, not close enough to warn
            return None

    class Registers:
        @limner.hookimpl
        def register_providers(self, register: Callable[[Any], None]) -> None:
            register(British())

    with pytest.warns(PluginWarning) as caught:
        _ = Registry([Registers()], entry_points=False).providers
    (warning,) = caught
    assert str(warning.message).startswith(
        "British.authorise looks like a misspelling of Provider.authorize, which British does "
        "not define"
    )


def _provider_class(**members: Any) -> type[limner.Provider]:
    def models(self: Any) -> list[limner.ModelInfo]:
        return []

    def translate(self: Any, call: Any) -> Any:
        raise NotImplementedError

    def parse_response(self: Any, call: Any, response: Any) -> Any:
        raise NotImplementedError

    body = {"name": "mine", "models": models, "translate": translate}
    body["parse_response"] = parse_response
    return type("Mine", (limner.Provider,), {**body, **members})


@pytest.mark.parametrize(
    ("members", "warned"),
    [
        ({"credential_header": frozenset({"x-key"})}, "Mine.credential_header"),
        ({"authorise": classmethod(lambda cls, request: request)}, "Mine.authorise"),
        ({"reauthorize": lambda self: None}, None),  # contains the real name: a helper
        ({"api_keys": lambda self: []}, None),
        ({"translated": lambda self: None}, None),
        (  # retry_after overridden as a classmethod: a close helper name is no misspelling
            {"retry_after": classmethod(lambda cls, r: None), "retry_afer": lambda self: 1},
            None,
        ),
    ],
    ids=["attribute", "classmethod", "reauthorize", "api_keys", "translated", "overridden"],
)
def test_which_provider_members_are_taken_for_misspellings(
    members: dict[str, Any], warned: str | None
) -> None:
    import warnings

    from limner.loading import warn_misspelled_methods

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_misspelled_methods(_provider_class(**members)())
    said = [str(w.message) for w in caught]
    if warned is None:
        assert said == []
    else:
        (message,) = said
        assert message.startswith(f"{warned} looks like a misspelling of Provider.")


def test_a_provider_overriding_the_method_itself_is_not_warned_about() -> None:
    class Both(FakeProvider):
        def authorize(self, request: Any, settings: Any, *, dry_run: bool = False) -> Any:
            return super().authorize(request, settings, dry_run=dry_run)

        def authorise(self, request: Any) -> Any:  # a helper beside the real one
            return request

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _ = Registry([FakePlugin(Both)], entry_points=False).providers


def test_a_provider_that_cannot_be_made_is_a_plugin_error_naming_the_plugin() -> None:
    class Broken(limner.Provider):  # parse_response misspelled: still abstract
        name = "broken"

        def models(self) -> list[limner.ModelInfo]:
            return []

        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            raise NotImplementedError

        def parse_respons(self, call: Any, response: Any) -> Any: ...

    class Registers:
        @limner.hookimpl
        def register_providers(self, register: Callable[[Any], None]) -> None:
            register(Broken())  # type: ignore[abstract]

    with pytest.raises(limner.PluginError) as caught:
        _ = Registry([Registers()], entry_points=False).providers
    said = caught.value.message
    assert said.startswith(f"the plugin {__name__} failed in register_providers (TypeError: ")
    assert "abstract method" in said and "parse_response" in said
    assert isinstance(caught.value.__cause__, TypeError)


def test_duplicate_provider_name_is_plugin_error() -> None:
    registry = Registry([FakePlugin(), FakePlugin()], entry_points=False)
    with pytest.raises(limner.PluginError, match="'fake'"):
        _ = registry.providers


def test_an_env_setting_the_settings_model_lacks_is_a_plugin_error() -> None:
    """Found when the plugin registers, not at the first call as a user's wrong setting."""

    class Unsettled(FakeProvider):
        env: ClassVar[Mapping[str, tuple[str, ...]]] = {"account_file": ("ACME_ACCOUNT",)}

    with pytest.raises(limner.PluginError) as caught:
        _ = Registry([FakePlugin(Unsettled)], entry_points=False).providers
    assert "Unsettled.env fills account_file" in caught.value.message
    assert "ProviderSettings subclass" in caught.value.message


def test_registering_a_non_provider_is_plugin_error() -> None:
    class Wrong:
        @limner.hookimpl
        def register_providers(self, register: Callable[[Any], None]) -> None:
            register("fake")

    with pytest.raises(limner.PluginError, match="not a limner Provider"):
        _ = Registry([Wrong()], entry_points=False).providers


@pytest.mark.parametrize(
    ("plugin", "says"),
    [
        (FakeProvider(), "FakeProvider is a Provider, not a plugin"),
        (FakePlugin, r"FakePlugin is a class: register an instance of it \(FakePlugin\(\)\)"),
        # not "register an instance", which the line above would then refuse
        (
            FakeProvider,
            r"FakeProvider is a Provider, not a plugin: .* register\(FakeProvider\(\)\)",
        ),
        (object(), "has no limner hooks"),
    ],
    ids=["provider", "class", "provider-class", "no-hooks"],
)
def test_what_is_not_a_plugin_is_refused_when_registered(plugin: object, says: str) -> None:
    with pytest.raises(limner.PluginError, match=says):
        limner.AsyncClient(plugins=[plugin], environ={})
    registry = fake_registry()
    with pytest.raises(limner.PluginError, match=says):
        registry.register(plugin)
    assert not registry.manager.is_registered(plugin)
    assert "fake" in registry.providers


def test_registering_a_plugin_twice_is_plugin_error() -> None:
    plugin = FakePlugin()
    registry = Registry([plugin], entry_points=False)
    with pytest.raises(limner.PluginError, match="cannot register"):
        registry.register(plugin, name="again")


def test_a_provider_without_a_name_is_plugin_error() -> None:
    class Nameless(FakeProvider):
        name = ""

    class Registers:
        @limner.hookimpl
        def register_providers(self, register: Callable[[Any], None]) -> None:
            register(Nameless())

    with pytest.raises(limner.PluginError, match="Nameless has no name: set the class attribute"):
        _ = Registry([Registers()], entry_points=False).providers


def test_registry_register_rebuilds() -> None:
    registry = Registry([], entry_points=False)
    assert registry.providers == {}
    registry.register(FakePlugin())
    assert "fake" in registry.providers
    assert registry.resolve("alpha").id == "fake/alpha-1"


# ---- one test per hook (see test_every_hook_is_documented_and_tested) -----------------------


def test_hook_register_providers() -> None:
    registry = fake_registry()
    provider = registry.providers["fake"]
    assert isinstance(provider, FakeProvider)
    assert registry.provider_for(ALPHA) is provider
    assert {m.id for m in registry.models()} == {"fake/alpha-1", "fake/beta-2", "fake/old-0"}


class ExtraModels:
    GAMMA = limner.ModelInfo(
        id="fake/gamma-3",
        provider="fake",
        name="gamma-3",
        aliases=("gamma",),
        capabilities=limner.Capabilities(max_images_per_call=4, max_n=4),
    )
    BETA_FIXED = BETA.model_copy(
        update={"capabilities": BETA.capabilities.model_copy(update={"max_n": 3})}
    )

    @limner.hookimpl
    def register_models(self, register: Callable[[limner.ModelInfo], None]) -> None:
        register(self.GAMMA)
        register(self.BETA_FIXED)


def test_hook_register_models() -> None:
    registry = fake_registry(ExtraModels())
    assert registry.resolve("gamma") == ExtraModels.GAMMA
    assert registry.resolve("fake/gamma-3").capabilities.max_images_per_call == 4
    # replaces the built-in entry
    assert registry.resolve("fake/beta-2").capabilities.max_n == 3
    assert len([m for m in registry.models() if m.id == "fake/beta-2"]) == 1


async def test_hook_register_models_model_is_usable(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(plugins=[FakePlugin(), ExtraModels()])
    result = await client.images.generate(model="gamma", prompt="x", n=3)
    assert len(result.data) == 3
    assert [c.json["n"] for c in server.api_calls] == [3]
    assert [c.json["model"] for c in server.api_calls] == ["gamma-3"]
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/beta-2", prompt="x", n=4)
    assert info.value.param == "n"


def test_a_provider_listing_another_providers_model_is_a_plugin_error() -> None:
    """A provider's own models() lists its own: another's (a copy-paste slip) would be served by
    the wrong plugin. Adding models to another provider is register_models' job."""

    class Copycat(FakeProvider):
        name = "copycat"

    class Plugin:
        @limner.hookimpl
        def register_providers(self, register: Callable[[limner.Provider], None]) -> None:
            register(Copycat())

    with pytest.raises(limner.PluginError) as caught:
        _ = fake_registry(Plugin()).providers
    assert "Copycat.models() listed 'fake/alpha-1', a model of 'fake', not of 'copycat'" in (
        caught.value.message
    )
    assert "register_models hook" in caught.value.message


def test_register_models_for_unknown_provider_is_plugin_error() -> None:
    class Orphan:
        @limner.hookimpl
        def register_models(self, register: Callable[[limner.ModelInfo], None]) -> None:
            register(ALPHA.model_copy(update={"id": "nobody/alpha-1", "provider": "nobody"}))

    with pytest.raises(limner.PluginError) as caught:
        _ = fake_registry(Orphan()).providers
    assert caught.value.message == (
        f"the plugin {__name__}, in register_models: model 'nobody/alpha-1' names an "
        "unregistered provider 'nobody': the plugin that registers 'nobody' must be loaded too "
        "(installed and not disabled; in a plugin's standard tests, named in builds_on)"
    )


def test_a_misspelled_plugin_to_disable_is_warned_of() -> None:
    """A typo would leave the plugin on, silently; a warning, not an error, since a plugin's
    test suite may disable plugins some machines lack."""
    with pytest.warns(UserWarning) as caught:
        registry = Registry(disable_plugins=["opnai"])
    [warning] = caught
    said = str(warning.message)
    assert said.startswith("disable_plugins: no installed plugin is called 'opnai' (installed: ")
    assert said.endswith("); did you mean 'openai'?")
    assert "openai" in registry.providers


def test_a_provider_name_in_the_environment_to_disable_is_warned_of(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LIMNER_DISABLE_PLUGINS takes plugin names; a provider's name (stabilityai, of the plugin
    stability) would leave the plugin on, silently."""
    monkeypatch.setenv("LIMNER_DISABLE_PLUGINS", "stabilityai")
    with pytest.warns(UserWarning) as caught:
        registry = Registry()
        providers = registry.providers
    [warning] = caught
    said = str(warning.message)
    assert said.startswith(
        "LIMNER_DISABLE_PLUGINS: no installed plugin is called 'stabilityai' (installed: "
    )
    assert "plugin names, which may differ from provider names" in said
    assert said.endswith("did you mean 'stability'?")
    assert "stabilityai" in providers


def test_an_unknown_model_says_which_plugins_are_disabled() -> None:
    registry = Registry(disable_plugins=["openai"])
    with pytest.raises(limner.NotFoundError) as caught:
        registry.resolve("openai/gpt-image-1.5")
    assert "The plugin openai is disabled (disable_plugins or LIMNER_DISABLE_PLUGINS)" in (
        caught.value.message
    )
    with pytest.raises(limner.NotFoundError) as plain:
        Registry().resolve("openai/gpt-image-99")
    assert "disabled" not in plain.value.message


def test_a_change_to_a_disabled_plugins_model_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed plugin that reprices a built-in model (the README's recipe) does not break
    every call when the user disables the built-in plugin; an unknown provider stays an error
    when nothing is disabled, naming the installed plugin and how to go on without it."""
    source = (
        "import limner\nfrom decimal import Decimal\nfrom limner_openai import OpenAIProvider\n"
        "@limner.hookimpl\ndef register_models(register):\n"
        "    for model in OpenAIProvider().models():\n"
        "        if model.name == 'dall-e-2':\n"
        "            pricing = model.pricing.model_copy(update={'source': 'our contract'})\n"
        "            register(model.model_copy(update={'pricing': pricing}))\n"
    )
    _installed(tmp_path, monkeypatch, "rates", "limner_rates_plugin", source)
    pricing = Registry().resolve("openai/dall-e-2").pricing
    assert pricing is not None and pricing.source == "our contract"
    without = Registry(disable_plugins=["openai"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # in silence: the disabled plugin serves the provider
        assert "openai" not in without.providers
    assert not [m for m in without.models() if m.provider == "openai"]
    assert without.resolve("google/imagen-4.0-generate-001").provider == "google"


def test_a_disabled_plugin_whose_provider_is_named_otherwise_leaves_its_models_out_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nova_canvas`` serves ``amazon``: a model added to it while it is disabled is left out
    without a word, as no registered provider's name is close to ``amazon``."""
    source = (
        "import limner\nfrom limner_nova_canvas import NovaCanvasProvider\n"
        "@limner.hookimpl\ndef register_models(register):\n"
        "    model = NovaCanvasProvider().models()[0]\n"
        "    register(model.model_copy(update={'id': 'amazon/my-nova'}))\n"
    )
    _installed(tmp_path, monkeypatch, "mynova", "limner_mynova_plugin", source)
    without = Registry(disable_plugins=["nova_canvas"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "amazon" not in without.providers
    assert "amazon/my-nova" not in [m.id for m in without.models()]


def test_an_installed_plugins_model_for_no_provider_names_the_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        "import limner\nfrom limner_openai import OpenAIProvider\n"
        "@limner.hookimpl\ndef register_models(register):\n"
        "    model = OpenAIProvider().models()[0]\n"
        "    typo = {'id': 'opneai/' + model.name, 'provider': 'opneai'}\n"
        "    register(model.model_copy(update=typo))\n"
    )
    _installed(tmp_path, monkeypatch, "typo", "limner_typo_plugin", source)
    with pytest.warns(PluginWarning) as said:  # another plugin disabled: left out, said
        assert "opneai" not in Registry(disable_plugins=["stability"]).providers
    assert str(said[0].message).startswith(
        "left out the model 'opneai/gpt-image-2.6-sunburst', registered for the provider "
        "'opneai', which no plugin registers (disabled: stability); did you mean 'openai'?"
    )
    with pytest.raises(limner.PluginError) as caught:
        _ = Registry().providers
    assert caught.value.message.startswith(
        "the limner plugin 'typo' (limner_typo_plugin), in register_models: model 'opneai/"
    )
    assert caught.value.message.endswith(
        "names an unregistered provider 'opneai': the plugin that registers 'opneai' must be "
        "loaded too (installed and not disabled; in a plugin's standard tests, named in "
        "builds_on); to go on without it, set LIMNER_DISABLE_PLUGINS=typo (or "
        "disable_plugins=['typo'])"
    )


def test_register_models_bad_id_is_plugin_error() -> None:
    class BadId:
        @limner.hookimpl
        def register_models(self, register: Callable[[limner.ModelInfo], None]) -> None:
            register(ALPHA.model_copy(update={"id": "fake/other-name"}))

    with pytest.raises(limner.PluginError, match="must be 'fake/alpha-1'"):
        _ = fake_registry(BadId()).providers


class NegotiatedRates:
    def __init__(self, value: Any = Decimal("0.5")) -> None:
        self.value = value
        self.calls: list[dict[str, Any]] = []

    @limner.hookimpl(tryfirst=True)
    def price_call(
        self, model: limner.ModelInfo, operation: str, images: int, quality: str | None
    ) -> Any:
        self.calls.append(
            {"model": model.id, "operation": operation, "images": images, "quality": quality}
        )
        return None if model.id != "fake/alpha-1" else self.value * images


async def test_hook_price_call(make_client: MakeClient) -> None:
    rates = NegotiatedRates()
    client = make_client(plugins=[FakePlugin(), rates])
    result = await client.images.generate(model="alpha", prompt="x", n=3, quality="high")
    assert result.cost == Decimal("1.5")
    assert sorted(c["images"] for c in rates.calls) == [1, 2]
    assert {c["quality"] for c in rates.calls} == {"high"}
    # None from the plugin falls through to core's price sheet
    old = await client.images.generate(model="fake/old-0", prompt="x", quality="low")
    assert old.cost == Decimal("0.011")


async def test_price_call_float_result_is_exact(make_client: MakeClient) -> None:
    client = make_client(plugins=[FakePlugin(), NegotiatedRates(0.1)])
    result = await client.images.generate(model="alpha", prompt="x", n=1)
    assert result.cost == Decimal("0.1")


@pytest.mark.parametrize(
    "rate", [-0.01, float("nan"), "cheap", True, object(), Decimal("9E+999999"), 10**13]
)
async def test_a_price_no_bill_can_have_is_a_warning_not_a_cost(
    make_client: MakeClient, rate: Any
) -> None:
    """Pricing never fails a call: a plugin's impossible price is an unknown cost, said why."""

    class Fixed:
        @limner.hookimpl(tryfirst=True)
        def price_call(self) -> Any:
            return rate

    client = make_client(plugins=[FakePlugin(), Fixed()])
    result = await client.images.generate(model="alpha", prompt="x", n=3)  # (summed: 2 calls)
    assert result.cost is None
    (notice,) = [w for w in result.warnings if w.code == "price_failed"]
    assert notice.message.startswith("pricing fake/alpha-1 failed in a plugin (PluginError: ")
    assert f"price_call returned {rate!r}: a cost is an amount in USD, >= 0" in notice.message
    assert len(result.data) == 3


async def test_a_negative_zero_price_is_zero(make_client: MakeClient) -> None:
    client = make_client(plugins=[FakePlugin(), NegotiatedRates(-0.0)])
    result = await client.images.generate(model="alpha", prompt="x", n=1)
    assert result.cost == 0 and not result.cost.is_signed()


class CustomTranslation:
    @limner.hookimpl
    def translate_request(
        self, provider: limner.Provider, call: limner.ProviderCall
    ) -> limner.Translation | None:
        if call.model.id != "fake/alpha-1":
            return None
        base = provider.translate(call)
        wire = base.request
        url = wire.url.replace("/images", "/custom-images")
        body = {**wire.json, "custom": True}
        return limner.Translation(
            request=limner.WireRequest(method="PUT", url=url, json=body),
            size=base.size,
            quality=base.quality,
        )


async def test_hook_translate_request(make_client: MakeClient, server: FakeServer) -> None:
    client = make_client(plugins=[FakePlugin(), CustomTranslation()])
    await client.images.generate(model="alpha", prompt="x")
    await client.images.generate(model="beta-2", prompt="y")
    first, second = server.api_calls
    assert (first.method, first.path) == ("PUT", "/v1/custom-images")
    assert first.json["custom"] is True
    assert first.headers["authorization"].startswith("Bearer ")
    assert (second.method, second.path) == ("POST", "/v1/images")
    assert "custom" not in second.json


def test_translate_request_returning_wrong_type_is_plugin_error() -> None:
    class Broken:
        @limner.hookimpl
        def translate_request(self) -> object:
            return {"url": "x"}

    registry = fake_registry(Broken())
    call = limner.ProviderCall(
        operation="generate",
        model=ALPHA,
        request=limner.GenerateRequest(model="fake/alpha-1", prompt="x"),
        settings=limner.ProviderSettings(),
    )
    with pytest.raises(limner.PluginError, match="not a Translation"):
        registry.translate(registry.providers["fake"], call)


def _translation_with(**changes: Any) -> Any:
    request = limner.WireRequest(method="POST", url="https://fake.example/v1/images", json={})
    fields: dict[str, Any] = {"request": request, **changes}
    return limner.Translation(**fields)


@pytest.mark.parametrize(
    ("returned", "says"),
    [
        ({"url": "x"}, "returned dict, not a Translation"),
        (None, "returned NoneType, not a Translation"),
        (_translation_with(request={"url": "x"}), "request is dict, not a WireRequest"),
        (
            _translation_with(request=limner.WireRequest(method="POST", url="/v1/images")),
            "url '/v1/images' is not an absolute http(s) URL",
        ),
        (_translation_with(adjustments=({"param": "size"},)), "adjustments holding dict"),
        (_translation_with(adjustments=5), "adjustments as int, not a tuple of Adjustment"),
        (_translation_with(warnings=None), "warnings as NoneType, not a tuple of Notice"),
        (_translation_with(warnings=("late",)), "warnings holding str, not Notice"),
        (_translation_with(size=1024), "a size of type int, not str"),
        (
            _translation_with(
                request=limner.WireRequest(method="POST", url="https://x.example", json={"a": {1j}})
            ),
            "a JSON body that cannot be encoded (TypeError",
        ),
    ],
    ids=[
        "dict",
        "none",
        "request",
        "relative-url",
        "adjustment",
        "adjustments-not-a-tuple",
        "warnings-none",
        "warning",
        "size",
        "json",
    ],
)
async def test_a_malformed_translation_is_a_plugin_error_before_anything_is_sent(
    make_client: MakeClient, server: FakeServer, returned: Any, says: str
) -> None:
    """Checked whether or not any translate_request hook is installed, in a dry run too."""

    class Malformed(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            return returned  # type: ignore[no-any-return]

    client = make_client(plugins=[FakePlugin(Malformed)])
    for dry_run in (True, False):
        with pytest.raises(limner.PluginError) as caught:
            await client.images.generate(model="alpha", prompt="x", dry_run=dry_run)
        error = caught.value
        assert error.message.startswith("translate (the fake plugin) returned ")
        assert says in error.message
        assert "this is a bug in the plugin" in error.message
        assert (error.provider, error.model) == ("fake", "fake/alpha-1")
    assert server.api_calls == []


async def test_a_url_scheme_in_capitals_is_still_a_url(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Settings take HTTPS://... (schemes are case-insensitive), so the check of a translation's
    URL must too."""

    class Shouting(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            translation = super().translate(call)
            loud = translation.request.url.replace("http://", "HTTP://", 1)
            return replace(translation, request=replace(translation.request, url=loud))

    client = make_client(plugins=[FakePlugin(Shouting)])
    await client.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 1


async def test_a_malformed_translation_under_a_translate_request_hook_names_both(
    make_client: MakeClient,
) -> None:
    class Observer:  # defers to the provider: returns None
        @limner.hookimpl
        def translate_request(self) -> None:
            return None

    class Malformed(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            return None  # type: ignore[return-value]

    client = make_client(plugins=[FakePlugin(Malformed), Observer()])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x", dry_run=True)
    assert caught.value.message.startswith(
        "translate (the fake plugin or a translate_request hook of "
    )
    assert "Observer) returned NoneType, not a Translation" in caught.value.message


async def test_a_translation_that_crashes_is_a_plugin_error_naming_the_plugin(
    make_client: MakeClient, server: FakeServer
) -> None:
    class Crashing(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            raise ValueError("no size satisfies the rules")

    client = make_client(plugins=[FakePlugin(Crashing)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    error = caught.value
    assert (error.provider, error.model) == ("fake", "fake/alpha-1")
    assert "the fake plugin failed in translate (ValueError: no size satisfies" in error.message
    assert isinstance(error.__cause__, ValueError)  # the plugin's traceback is kept
    assert error.to_openai()["error"]["code"] == "plugin_error"
    assert server.api_calls == []


async def test_a_crash_with_translate_request_hooks_names_them_too(
    make_client: MakeClient, server: FakeServer
) -> None:
    class Overriding:
        @limner.hookimpl
        def translate_request(self) -> object:
            raise KeyError("size")

    client = make_client(plugins=[FakePlugin(), Overriding()])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert caught.value.message.startswith(
        "the fake plugin or a translate_request hook of "
        "test_a_crash_with_translate_request_hooks_names_them_too.<locals>.Overriding "
        "failed in translate (KeyError: 'size')"
    )


async def test_a_crash_names_no_hook_that_let_the_provider_translate(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A hook that returned None for the provider (not one of its own) was named as the
    possible cause of the provider's own crash."""

    class Observer:
        @limner.hookimpl
        def translate_request(self) -> None:
            return None

    caught = await _provider_crash_beside(make_client, Observer())
    assert caught.message.startswith("the fake plugin failed in translate (KeyError")


class _CrashingTranslate(FakeProvider):
    def translate(self, call: limner.ProviderCall) -> limner.Translation:
        raise KeyError("size")


async def _provider_crash_beside(make_client: MakeClient, other: object) -> limner.PluginError:
    """The error of a provider whose translate crashes, beside another plugin's hook."""
    client = make_client(plugins=[FakePlugin(_CrashingTranslate), other])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    return caught.value


def _hook_names() -> list[str]:
    return [
        name
        for name, value in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(value, "limner_spec")
    ]


def test_every_hook_is_documented_and_tested() -> None:
    names = _hook_names()
    assert set(names) >= {"register_providers", "register_models", "translate_request"}
    module = sys.modules[__name__]
    for name in names:
        spec = getattr(hookspecs, name)
        assert inspect.getdoc(spec), f"hook {name} has no docstring"
        test = getattr(module, f"test_hook_{name}", None)
        assert callable(test), f"no test_hook_{name} in {__name__}"
    manager_hooks = {
        name for name in dir(Registry([], entry_points=False).manager.hook) if name[0] != "_"
    }
    assert set(names) <= manager_hooks


# ---- model resolution ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given",
    ["fake/alpha-1", "  fake/alpha-1 ", "alpha-1", "alpha", "fk/alpha-1", "fk/alpha", "fake/alpha"],
)
def test_resolve(given: str) -> None:
    assert fake_registry().resolve(given) is ALPHA


def test_resolve_alias_of_other_provider_under_prefix_is_not_found() -> None:
    class Other(FakeProvider):
        name = "other"
        aliases = ()
        credential_headers = frozenset()

        def models(self) -> list[limner.ModelInfo]:
            return []

    registry = fake_registry(FakePlugin(Other))
    with pytest.raises(limner.NotFoundError):
        registry.resolve("other/alpha")


def test_unknown_model_suggests_close_ids() -> None:
    with pytest.raises(limner.NotFoundError) as info:
        fake_registry().resolve("fake/alpah-1")
    error = info.value
    assert error.param == "model"
    assert "fake/alpha-1" in error.suggestions
    assert "fake/alpha-1" in error.message
    assert error.http_status == 404
    assert error.to_openai()["error"]["param"] == "model"


def test_unknown_model_without_close_match_has_no_suggestions() -> None:
    with pytest.raises(limner.NotFoundError) as info:
        fake_registry().resolve("zzzzzzzzzzzzzzzz")
    assert info.value.suggestions == ()


def test_a_model_id_in_other_case_resolves(client: limner.AsyncClient) -> None:
    assert client.models.retrieve("Fake/Alpha-1") is client.models.retrieve("fake/alpha-1")
    assert client.models.retrieve("ALPHA").id == "fake/alpha-1"
    with pytest.raises(limner.NotFoundError) as caught:
        client.models.retrieve("FAKE/ALPHA-9")
    assert "fake/alpha-1" in caught.value.suggestions


def test_a_mixed_case_model_id_resolves_from_any_case() -> None:
    mixed = ALPHA.model_copy(update={"id": "fake/FLUX.1-Dev", "name": "FLUX.1-Dev", "aliases": ()})

    class Adds:
        @limner.hookimpl
        def register_models(self, register: Callable[[Any], None]) -> None:
            register(mixed)

    registry = fake_registry(Adds())
    assert registry.resolve("fake/flux.1-dev") is mixed
    assert registry.resolve("FAKE/FLUX.1-DEV") is mixed


def test_models_retrieve_and_list(client: limner.AsyncClient) -> None:
    assert client.models.retrieve("fk/beta-2") is BETA
    assert [m.id for m in client.models.list()] == sorted(m.id for m in client.models.list())
    with pytest.raises(limner.NotFoundError):
        client.models.retrieve("fake/nothing")


# ---- JSON Schema -----------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["generate", "edit", "variation"])
def test_schema_is_valid_draft_2020_12(client: limner.AsyncClient, operation: Any) -> None:
    schema = client.models.schema("fake/alpha-1", operation)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "model" in schema["required"]


def test_schemas_give_every_image_operation_of_a_model(client: limner.AsyncClient) -> None:
    assert client.models.schemas("alpha") == {
        operation: client.models.schema("fake/alpha-1", operation)
        for operation in ("generate", "edit", "variation")
    }


def test_schema_reflects_capabilities(client: limner.AsyncClient) -> None:
    schema = client.models.schema("alpha")
    props = schema["properties"]
    assert props["n"]["maximum"] == 8
    assert props["prompt"]["maxLength"] == 200
    assert props["quality"]["enum"][:2] == ["low", "high"]
    assert "hd" in props["quality"]["enum"]
    assert props["output_format"]["enum"] == ["png", "jpeg", None]  # null: unset
    edit = client.models.schema("alpha", "edit")
    assert edit["properties"]["images"]["maxItems"] == 2
    assert set(edit["required"]) == {"model", "prompt", "images"}
    beta = client.models.schema("fake/beta-2")
    assert beta["properties"]["n"]["maximum"] == 10
    assert beta["properties"]["quality"] == {"type": ["string", "null"]}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"model": "fake/alpha-1", "prompt": "x", "n": 8})
    assert not validator.is_valid({"model": "fake/alpha-1", "prompt": "x", "n": 9})
    assert not validator.is_valid({"model": "fake/alpha-1", "prompt": "x" * 201})
    assert not validator.is_valid({"model": "fake/alpha-1", "prompt": " \n "})  # blank: refused
    # an optional field set to null is unset, as the request models read it; a required one is not
    nulls = {"quality": None, "size": None, "image_config": None, "output_format": None}
    assert validator.is_valid({"model": "fake/alpha-1", "prompt": "x", **nulls})
    assert limner.GenerateRequest(model="fake/alpha-1", prompt="x", **nulls).quality is None
    assert not validator.is_valid({"model": "fake/alpha-1", "prompt": None})
    inner_nulls = {"image_config": {"aspect_ratio": None, "image_size": None}}
    assert validator.is_valid({"model": "fake/alpha-1", "prompt": "x", **inner_nulls})
    assert limner.GenerateRequest(model="fake/alpha-1", prompt="x", **inner_nulls).image_config
    empty = {"image_config": {"image_size": ""}}  # no resolution class, refused by both
    assert not validator.is_valid({"model": "fake/alpha-1", "prompt": "x", **empty})
    with pytest.raises(pydantic.ValidationError):
        limner.GenerateRequest(model="fake/alpha-1", prompt="x", **empty)
    edit_validator = jsonschema.Draft202012Validator(edit)
    assert edit_validator.is_valid(
        {"model": "fake/alpha-1", "prompt": "x", "images": ["https://x/y.png"], "mask": None}
    )
    assert not validator.is_valid({"model": "fake/alpha-1", "prompt": "x", "quality": "ultra"})


@pytest.mark.parametrize("operation", ["variation", "bogus"])
def test_no_schema_for_an_operation_the_model_does_not_offer(
    client: limner.AsyncClient, operation: Any
) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        client.models.schema("fake/beta-2", operation)
    assert caught.value.param == "operation"
    assert f"fake/beta-2 does not support {operation} (it supports: generate, edit)" in str(
        caught.value
    )


def test_a_misspelt_operation_is_named_as_meant(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        client.models.schema("fake/beta-2", "edits")  # type: ignore[arg-type]
    assert str(caught.value).endswith("(it supports: generate, edit); did you mean edit?")


def test_chat_has_no_per_model_schema(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.UnsupportedFeatureError, match="chat completions body") as caught:
        client.models.schema("google/gemini-2.5-flash-image", "chat")
    assert caught.value.param == "operation"


def test_the_edit_schema_refuses_what_the_model_refuses(client: limner.AsyncClient) -> None:
    """beta-2 takes no mask and has one kind of edit: core refuses both, so the schema does."""
    validator = jsonschema.Draft202012Validator(client.models.schema("fake/beta-2", "edit"))
    edit = {"model": "fake/beta-2", "prompt": "x", "images": [{"image_url": "https://a/b.png"}]}
    assert validator.is_valid(edit)
    assert not validator.is_valid({**edit, "mask": {"image_url": "https://a/m.png"}})
    assert not validator.is_valid({**edit, "edit_mode": "inpaint"})
    assert validator.is_valid({**edit, "mask": None, "edit_mode": None, "n": None})  # as core
    alpha = client.models.schema("fake/alpha-1", "edit")
    assert alpha["properties"]["mask"] != False  # noqa: E712 (a JSON Schema, not a boolean test)


def test_schema_is_a_copy(client: limner.AsyncClient) -> None:
    schema = client.models.schema("alpha")
    schema["properties"]["n"]["maximum"] = 1000
    assert client.models.schema("alpha")["properties"]["n"]["maximum"] == 8


def test_a_translation_takes_a_changes_lists() -> None:
    """A plugin that builds its changes with limner.Changes passes its lists as they are."""
    changes = limner.Changes()
    changes.adjust("size", "1x1", "2x2", "why")
    changes.warn("w", "said")
    translation = limner.Translation(
        limner.WireRequest("POST", "https://x.example/v1"), changes.adjustments, changes.warnings
    )
    assert translation.adjustments == tuple(changes.adjustments)
    assert translation.warnings == tuple(changes.warnings)
    assert isinstance(translation.adjustments, tuple) and isinstance(translation.warnings, tuple)


@pytest.mark.parametrize("name", ["translate_request", "price_call"])
def test_core_implements_each_hook_with_the_specs_own_parameter_types(name: str) -> None:
    """A plugin author copies a hook's signature from ``hookspecs``; core's own implementation,
    which passes its arguments on to core's typed functions (``price_from_sheet`` takes an
    ``Operation``), must type-check with those same annotations."""
    import inspect

    from limner import default_hooks, hookspecs

    spec = inspect.signature(getattr(hookspecs, name)).parameters
    impl = inspect.signature(getattr(default_hooks, name)).parameters
    assert {key: p.annotation for key, p in spec.items()} == {
        key: p.annotation for key, p in impl.items()
    }


def test_two_plugins_registering_one_provider_are_both_named() -> None:
    """Neither is singled out as the one at fault: the user may mean either."""

    class Mine(FakeProvider):  # a version of one's own, under the same name
        pass

    class MinePlugin:
        @limner.hookimpl
        def register_providers(self, register: Any) -> None:
            register(Mine())

    with pytest.raises(limner.PluginError) as caught:
        Registry([FakePlugin(), MinePlugin()], entry_points=False).models()
    assert caught.value.code == "provider_registered_twice"
    assert caught.value.message.startswith("two plugins register the provider 'fake' (")
    assert "tests.core.fakeprovider" in caught.value.message


async def test_a_crash_names_no_wrapper_it_only_passed_through(
    make_client: MakeClient, server: FakeServer
) -> None:
    class Timing:  # a wrapper around every translation: the crash passes through it
        @limner.hookimpl(wrapper=True)
        def translate_request(self) -> Any:
            return (yield)

    caught = await _provider_crash_beside(make_client, Timing())
    assert caught.message.startswith("the fake plugin failed in translate (KeyError")


async def test_a_wrapper_whose_own_code_crashes_is_named(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A wrapper failing in a library it calls after the inner hooks answered (json, here) was
    left out: the provider's plugin alone was blamed."""
    import json

    class Stamping:
        @limner.hookimpl(wrapper=True)
        def translate_request(self) -> Any:
            result = yield
            json.dumps({"t": object()})  # (TypeError, raised in json's own frames)
            return result

    client = make_client(plugins=[FakePlugin(), Stamping()])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    assert "a translate_request hook of" in caught.value.message
    assert "Stamping failed in translate (TypeError" in caught.value.message
