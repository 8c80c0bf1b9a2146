"""Plugin discovery and the registry of providers and models.

Plugins come from entry points in group ``limner`` (built-in providers too). Set
``LIMNER_DISABLE_PLUGINS=a,b`` (or pass ``disable_plugins``) to block plugins by entry-point name.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any, cast

import pluggy

from . import default_hooks, hookspecs
from .capabilities import ModelInfo, Operation
from .errors import InvalidRequestError, LimnerError, NotFoundError, PluginError
from .hookspecs import PROJECT
from .money import to_usd
from .pricing import price_from_sheet
from .provider import Provider, ProviderCall, Translation
from .responses import Adjustment, Notice, Usage
from .wire import WireRequest

__all__ = ["Registry", "default_registry"]

DISABLE_ENV = "LIMNER_DISABLE_PLUGINS"


def _make_manager(
    plugins: Iterable[object], disable: Iterable[str], entry_points: bool
) -> tuple[pluggy.PluginManager, frozenset[str]]:
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(default_hooks, name="limner.default_hooks")
    blocked = {name.strip() for name in disable if name.strip()}
    blocked |= {n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
    for name in blocked:
        manager.set_blocked(name)
    try:
        if entry_points:
            _load_entry_points(manager)
        for plugin in plugins:
            _register(manager, plugin)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise _invalid_plugin(exc) from exc
    return manager, frozenset(blocked)


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    """Load the installed plugins (entry points of group ``limner``). A plugin that fails to
    import, or that has no hooks (a hook function without ``@limner.hookimpl``), is refused with
    its entry point's name, which is what disabling it takes."""
    try:
        manager.load_setuptools_entrypoints(PROJECT)
    except pluggy.PluginValidationError:
        raise
    except Exception as exc:
        raise PluginError(
            f"a limner plugin failed to load ({type(exc).__name__}: {exc}); "
            + _disable_hint(_entry_point_of(_modules_in(exc)))
        ) from exc
    for plugin, _ in manager.list_plugin_distinfo():
        if not manager.get_hookcallers(plugin):
            name = manager.get_name(plugin)
            raise PluginError(
                f"the limner plugin {name!r} ({_label(plugin)}) has no limner hooks: mark its "
                "hook functions with @limner.hookimpl; " + _disable_hint(name)
            )


def _invalid_plugin(exc: pluggy.PluginValidationError) -> PluginError:
    """pluggy's refusal of a plugin's hooks, with what to do next."""
    said = str(exc)
    hint = " (a misspelled hook name?)" if said.startswith("unknown hook") else ""
    plugin = exc.plugin
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    name = _entry_point_of([module])
    return PluginError(f"{said}{hint}" + (f"; {_disable_hint(name)}" if name else ""))


def _disable_hint(name: str | None) -> str:
    if name is None:
        return f"{DISABLE_ENV}=<name> disables an installed plugin"
    return f"to go on without it, set {DISABLE_ENV}={name} (or disable_plugins=[{name!r}])"


def _entry_point_of(modules: Iterable[str]) -> str | None:
    """The name of the ``limner`` entry point whose package holds the last of ``modules``
    that belongs to one (the plugin nearest to where an error was raised)."""
    import importlib.metadata

    packages = {
        ep.module.split(".")[0]: ep.name for ep in importlib.metadata.entry_points(group=PROJECT)
    }
    found = None
    for module in modules:
        found = packages.get(module.split(".")[0], found)
    return found


def _modules_in(exc: BaseException) -> list[str]:
    """The modules of the frames ``exc`` passed through, outermost first."""
    modules = []
    trace = exc.__traceback__
    while trace is not None:
        modules.append(str(trace.tb_frame.f_globals.get("__name__", "")))
        trace = trace.tb_next
    return modules


def _register(manager: pluggy.PluginManager, plugin: object, name: str | None = None) -> None:
    """Register ``plugin`` (a module or an object with ``@limner.hookimpl`` methods), refusing
    the easy mistakes pluggy would accept in silence."""
    if isinstance(plugin, type):
        raise PluginError(
            f"{plugin.__name__} is a class: register an instance of it ({plugin.__name__}())"
        )
    if isinstance(plugin, Provider):
        raise PluginError(
            f"{type(plugin).__name__} is a Provider, not a plugin: register a module or object "
            "whose @limner.hookimpl register_providers(register) calls register(provider)"
        )
    try:
        manager.register(plugin, name=name)
    except ValueError as exc:  # pluggy: already registered, or the name is taken
        raise PluginError(f"cannot register {plugin!r}: {exc}") from exc
    if not manager.get_hookcallers(plugin):
        manager.unregister(plugin)
        raise PluginError(
            f"{plugin!r} has no limner hooks: mark its hook methods with @limner.hookimpl"
        )


class Registry:
    """The providers and models known to a set of plugins: a typed face over the pluggy hooks.

    Built lazily on first use; :meth:`refresh` rebuilds it after registering a plugin by hand.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        disable_plugins: Iterable[str] = (),
        entry_points: bool = True,
    ) -> None:
        # blocked: the entry-point names disable_plugins or the environment blocked
        self.manager, self.blocked = _make_manager(plugins, disable_plugins, entry_points)
        self._providers: dict[str, Provider] | None = None
        self._models: dict[str, ModelInfo] = {}
        self._aliases: dict[str, str] = {}
        self._folded: dict[str, str] = {}  # lowercased model ids and aliases, to their spelling

    def register(self, plugin: object, name: str | None = None) -> None:
        """Add a plugin (module or object with hook implementations) and rebuild the registry."""
        try:
            _register(self.manager, plugin, name)
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            if self.manager.is_registered(plugin):
                self.manager.unregister(plugin)
            raise _invalid_plugin(exc) from exc
        self.refresh()

    def refresh(self) -> None:
        self._providers = None

    # ---- lookups -----------------------------------------------------------------------------

    @property
    def providers(self) -> dict[str, Provider]:
        if self._providers is None:
            self._build()
        assert self._providers is not None
        return self._providers

    def models(self) -> list[ModelInfo]:
        """Every model, sorted by id."""
        _ = self.providers
        return sorted(self._models.values(), key=lambda model: model.id)

    def provider_for(self, model: ModelInfo) -> Provider:
        return self.providers[model.provider]

    def resolve(self, model: str) -> ModelInfo:
        """The model for ``provider/name``, a provider alias prefix, or a registered bare alias.
        Raises :class:`NotFoundError` with close suggestions."""
        _ = self.providers
        key = model.strip()
        found = self._models.get(key) or self._models.get(self._aliases.get(key, ""))
        if found is None and "/" in key:
            prefix, rest = key.split("/", 1)
            canonical = self._provider_alias(prefix)
            if canonical is not None:
                found = self._models.get(f"{canonical}/{rest}")
                if found is None:
                    found = self._models.get(self._aliases.get(rest, ""))
                    if found is not None and found.provider != canonical:
                        found = None
        if found is None:
            folded = self._folded.get(key.lower())  # "GPT-Image-1.5" most likely meant one
            if folded is not None and folded != key:
                return self.resolve(folded)
            raise self._unknown(key)
        return found

    def check_provider_names(self, names: Iterable[str], param: str = "providers") -> None:
        """Refuse a name that is no provider's name or alias (most likely a typo: the settings
        would be ignored, and the provider's environment used instead). Not checked while
        plugins are blocked, whose provider names are unknown."""
        if self.blocked:
            return
        known = {name for p in self.providers.values() for name in (p.name, *p.aliases)}
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise InvalidRequestError(
                    f"{param}: no provider is called {name!r} (installed: "
                    f"{', '.join(sorted(self.providers))}){hint}",
                    param=f"{param}.{name}",
                    code="unknown_provider",
                )

    def _provider_alias(self, prefix: str) -> str | None:
        for provider in self.providers.values():
            if prefix == provider.name or prefix in provider.aliases:
                return provider.name
        return None

    def _unknown(self, key: str) -> NotFoundError:
        names = list(self._models) + list(self._aliases)
        close = difflib.get_close_matches(key.lower(), names, n=3, cutoff=0.5)
        suggestions = tuple(dict.fromkeys(self._aliases.get(name, name) for name in close))
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        return NotFoundError(
            f"Unknown model {key!r}.{hint} Run 'limner models' to list the models.",
            param="model",
            suggestions=suggestions,
        )

    # ---- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        providers: dict[str, Provider] = {}
        owners: dict[str, str] = {}

        def add_provider(provider: Provider) -> None:
            if not isinstance(provider, Provider):
                raise PluginError(f"register_providers got {provider!r}, not a limner Provider")
            if not isinstance(getattr(provider, "name", None), str) or not provider.name:
                raise PluginError(
                    f"{type(provider).__name__} has no name: set the class attribute "
                    "name = '<provider>' (the prefix of its model ids)"
                )
            if provider.name in providers:
                raise PluginError(
                    f"two plugins register the provider {provider.name!r} "
                    f"({owners[provider.name]} and {type(provider).__module__})"
                )
            providers[provider.name] = provider
            owners[provider.name] = type(provider).__module__

        with self._plugin_step("register_providers"):
            self.manager.hook.register_providers(register=add_provider)
        models: dict[str, ModelInfo] = {}
        for provider in providers.values():
            with self._plugin_step(f"{type(provider).__name__}.models"):
                listed = provider.models()
            if not isinstance(listed, list | tuple):
                raise PluginError(
                    f"{type(provider).__name__}.models() returned {type(listed).__name__}, not a "
                    "list of ModelInfo"
                )
            for model in listed:
                self._check_model(model, providers)
                models[model.id] = model

        def add_model(model: ModelInfo) -> None:
            self._check_model(model, providers)
            models[model.id] = model

        with self._plugin_step("register_models"):
            self.manager.hook.register_models(register=add_model)
        aliases: dict[str, str] = {}
        for model in models.values():
            aliases.setdefault(model.name, model.id)
            for alias in model.aliases:
                aliases.setdefault(alias, model.id)
        folded: dict[str, str] = {}
        for name in [*models, *aliases]:
            folded.setdefault(name.lower(), name)
        self._models, self._aliases, self._providers = models, aliases, providers
        self._folded = folded

    @contextlib.contextmanager
    def _plugin_step(self, step: str) -> Iterator[None]:
        """Run a plugin's ``step``; anything but a :class:`LimnerError` it raises becomes a
        :class:`PluginError` naming the plugin (the installed one nearest to where it was
        raised) and how to go on without it."""
        try:
            yield
        except LimnerError:
            raise
        except Exception as exc:
            modules = _modules_in(exc)
            mine = {_package(plugin) for plugin in self.manager.get_plugins()} - {"limner"}
            culprit = next((m for m in reversed(modules) if m.split(".")[0] in mine), None)
            who = f"the plugin {culprit}" if culprit else "a limner plugin"
            raise PluginError(
                f"{who} failed in {step} ({type(exc).__name__}: {exc}); this is a bug in the "
                f"plugin: report it to its authors; {_disable_hint(_entry_point_of(modules))}"
            ) from exc

    @staticmethod
    def _check_model(model: object, providers: dict[str, Provider]) -> None:
        if not isinstance(model, ModelInfo):
            raise PluginError(f"a plugin registered {type(model).__name__}, not a ModelInfo")
        if model.provider not in providers:
            raise PluginError(
                f"model {model.id!r} names an unregistered provider {model.provider!r}"
            )
        if model.id != f"{model.provider}/{model.name}":
            raise PluginError(f"model id {model.id!r} must be '{model.provider}/{model.name}'")
        if model.capabilities.supports("chat") and not providers[model.provider].serves_chat:
            raise PluginError(
                f"model {model.id!r} lists 'chat' but provider {model.provider!r} does not "
                "implement translate_chat"
            )

    # ---- hooks -------------------------------------------------------------------------------

    def translate(self, provider: Provider, call: ProviderCall) -> Translation:
        """The translation of ``call``. A :class:`LimnerError` raised on the way names the
        provider and the model, whether or not the plugin said them."""
        try:
            return self._translate(provider, call)
        except LimnerError as error:
            raise error.attribute(provider.name, call.model.id) from error.__cause__
        except Exception as exc:  # a plugin's bug: still one of limner's errors, naming it
            overriding = [
                _label(impl.plugin)
                for impl in self.manager.hook.translate_request.get_hookimpls()
                if impl.plugin is not default_hooks
            ]
            culprit = (
                f"the {provider.name} plugin or a translate_request hook of {', '.join(overriding)}"
                if overriding
                else ""
            )
            raise PluginError.crashed(
                "translate", provider.name, call.model.id, exc, culprit
            ) from exc

    def _translate(self, provider: Provider, call: ProviderCall) -> Translation:
        hook = self.manager.hook.translate_request
        result: Any
        hooked = len(hook.get_hookimpls()) > 1
        if hooked:
            result = hook(provider=provider, call=call)
        else:  # only core's own: skip the hook machinery
            result = default_hooks.translate_request(provider, call)
        problem = translation_problem(result)
        if problem is not None:
            who = (
                "translate_request"
                if hooked
                else f"{type(provider).__name__}.translate ({_package(provider)})"
            )
            raise PluginError(
                f"{who} returned {problem}; this is a bug in the plugin: report it to its authors"
            )
        return cast(Translation, result)

    def price(
        self,
        model: ModelInfo,
        operation: Operation,
        images: int,
        quality: str | None,
        size: str | None,
        usage: Usage | None,
        edit_mode: str | None = None,
    ) -> Decimal | None:
        hook = self.manager.hook.price_call
        if len(hook.get_hookimpls()) == 1:  # only core's own: skip the hook machinery
            result: Any = price_from_sheet(
                model, operation, images, quality, size, usage, edit_mode
            )
        else:
            result = hook(
                model=model,
                operation=operation,
                images=images,
                quality=quality,
                size=size,
                usage=usage,
                edit_mode=edit_mode,
            )
        if result is None:
            return None
        cost = to_usd(result)
        if not cost.is_finite() or cost < 0:
            raise PluginError(f"price_call returned {result!r}: a cost is a finite amount >= 0")
        return cost


_STR_OR_NONE = frozenset({str, type(None)})


def translation_problem(result: object) -> str | None:
    """What is wrong with a translation a plugin returned (``None`` when nothing is): checked
    before anything is sent, so a plugin's mistake is a :class:`PluginError`, not a crash in
    core. The JSON body is encoded here, once (sending and signing reuse it)."""
    if not isinstance(result, Translation):
        return f"{type(result).__name__}, not a Translation"
    request = result.request
    if not isinstance(request, WireRequest):
        return f"a Translation whose request is {type(request).__name__}, not a WireRequest"
    if not isinstance(request.url, str) or not request.url.startswith(("https://", "http://")):
        return f"a WireRequest whose url {request.url!r} is not an absolute http(s) URL"
    if result.adjustments or result.warnings:  # most translations change nothing
        for name, kind in (("adjustments", Adjustment), ("warnings", Notice)):
            items = getattr(result, name)
            odd = [item for item in items if not isinstance(item, kind)]
            if odd or not isinstance(items, tuple | list):
                shown = type(odd[0]).__name__ if odd else type(items).__name__
                return f"{name} holding {shown}, not {kind.__name__}"
    if not _STR_OR_NONE.issuperset(
        (type(result.size), type(result.quality), type(result.edit_mode))
    ):
        for name in ("size", "quality", "edit_mode"):
            value = getattr(result, name)
            if value is not None and not isinstance(value, str):
                return f"a {name} of type {type(value).__name__}, not str"
    if request.json is not None:
        try:
            request.json_bytes()
        except (TypeError, ValueError) as exc:
            return f"a JSON body that cannot be encoded ({type(exc).__name__}: {exc})"
    return None


def _package(plugin: object) -> str:
    """The top-level package a plugin (module or object) comes from."""
    module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__module__
    return module.split(".")[0]


def _label(plugin: object) -> str:
    """A plugin's name for messages: its module's, or its class's."""
    return plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__qualname__


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of every installed plugin, built on first use and shared."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Registry()
    return _DEFAULT
