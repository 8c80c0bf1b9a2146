"""Plugin discovery and the registry of providers and models.

Plugins come from entry points in group ``limner`` (built-in providers too). Set
``LIMNER_DISABLE_PLUGINS=a,b`` (or pass ``disable_plugins``) to block plugins by entry-point name.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pluggy

from . import default_hooks
from .capabilities import ModelInfo, Operation
from .errors import InvalidRequestError, LimnerError, NotFoundError, PluginError
from .loading import (
    DISABLE_ENV,
    disable_hint,
    invalid_plugin,
    left_out_model,
    make_manager,
    module_of,
    plugin_label,
    raised_in,
    register_plugin,
    warn_misspelled_methods,
)
from .plugin_failures import raise_from_plugin, raised_through
from .pricing import forget_sheet_basis, hook_cost, price_from_sheet
from .provider import Provider, ProviderCall, Translation
from .registered import checked_model
from .responses import Usage
from .translation_check import checked_translation, translation_problem
from .typos import one_slip
from .unknown_model import unknown_model
from .unsendable import refuse_unsendable

if TYPE_CHECKING:
    from .chat.contract import ChatCall

__all__ = ["Registry", "default_registry"]


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
        environ: Mapping[str, str] | None = None,
    ) -> None:
        # blocked: the entry-point names disable_plugins or the environment (``environ``, else
        # the process's) blocked
        self.manager, self.blocked, self._entry_points = make_manager(
            plugins, disable_plugins, entry_points, environ
        )
        self._read_entry_points = entry_points
        self._providers: dict[str, Provider] | None = None
        self._models: dict[str, ModelInfo] = {}
        self._aliases: dict[str, str] = {}
        self._folded: dict[str, str] = {}  # lowercased model ids and aliases, to their spelling

    def register(self, plugin: object, name: str | None = None) -> None:
        """Add a plugin (module or object with hook implementations) and rebuild the registry."""
        try:
            register_plugin(self.manager, plugin, name)
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            if self.manager.is_registered(plugin):
                self.manager.unregister(plugin)
            raise invalid_plugin(exc, None) from exc
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

    def replacement(self, model: ModelInfo) -> ModelInfo | None:
        """The model ``model``'s lifecycle names as its replacement, when this registry has it."""
        named = model.lifecycle.replacement
        return self._models.get(named) if named else None

    def resolve(self, model: str) -> ModelInfo:
        """The model for ``provider/name``, a provider alias prefix, or a registered bare alias.
        Raises :class:`NotFoundError` with close suggestions."""
        _ = self.providers
        key = model.strip()
        if not key:  # as the request schema refuses ""
            raise InvalidRequestError(
                "model: must not be empty", param="model", code="invalid_value"
            )
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
            folded = self._folded.get(key.lower())  # "Model-X-1.5" most likely meant model-x-1.5
            if folded is not None and folded != key:
                return self.resolve(folded)
            raise self._unknown(key)
        return found

    def check_provider_names(self, names: Iterable[str], param: str = "providers") -> None:
        """Refuse a name that is no provider's name or alias (most likely a typo: the settings
        would be ignored, and the provider's environment used instead). While plugins are
        blocked, whose provider names are unknown, only a name close to a known one is refused
        (``paitner`` for ``painter``): any other may be a blocked plugin's."""
        known = {name for p in self.providers.values() for name in (p.name, *p.aliases)}
        for name in names:
            if name in known:
                continue
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            if self.blocked and (name in self.blocked or not one_slip(name, close)):
                continue
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

    @property
    def no_plugins_installed(self) -> bool:
        """Whether no model is served because no plugin is installed (limner-core alone): the
        entry points were read, none was disabled, and none registered a model."""
        _ = self.providers  # (built: the plugins' models registered)
        return self._read_entry_points and not self.blocked and not self._models

    def _unknown(self, key: str) -> NotFoundError:
        names = [*self._models, *self._aliases]
        return unknown_model(key, names, self._aliases, self.blocked, self.no_plugins_installed)

    # ---- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        providers: dict[str, Provider] = {}
        owners: dict[str, str] = {}

        def add_provider(provider: Provider) -> None:
            _refuse_unfit(provider, owners)
            warn_misspelled_methods(provider)
            providers[provider.name] = provider
            owners[provider.name] = type(provider).__module__

        with self._plugin_step("register_providers"):
            self.manager.hook.register_providers(register=add_provider)
        models: dict[str, ModelInfo] = {}
        for provider in providers.values():
            with self._plugin_step(f"{type(provider).__name__}.models"):
                listed = provider.models()
            if not isinstance(listed, list | tuple):
                step = f"{type(provider).__name__}.models()"
                raise PluginError.returned(step, listed, "a list of ModelInfo")
            for model in listed:
                model = checked_model(model, providers)
                if model.provider != provider.name:
                    raise PluginError(
                        f"{type(provider).__name__}.models() listed {model.id!r}, a model of "
                        f"{model.provider!r}, not of {provider.name!r}; a plugin adds models to "
                        "another provider with the register_models hook"
                    )
                models[model.id] = model

        def add_model(model: ModelInfo) -> None:
            if self.blocked and isinstance(model, ModelInfo) and model.provider not in providers:
                # most likely a change to a disabled plugin's model (a price, a capability):
                # nothing to change
                left_out_model(model, self.blocked, providers)
                return
            model = checked_model(model, providers)
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
        :class:`PluginError` naming the plugin (the one nearest to where it was raised) and, for
        an installed one, how to go on without it."""
        try:
            yield
        except PluginError as exc:  # a registration core refused: say whose
            plugin = raised_in(exc, self.manager.get_plugins())
            if plugin is not None:
                who, hint = self._who(plugin)
                lead = "" if exc.code == _TWICE else f"{who}, in {step}: "  # (a clash: both)
                exc.message = f"{lead}{exc.message}{hint}"
            raise
        except LimnerError:
            raise
        except Exception as exc:
            plugin = raised_in(exc, self.manager.get_plugins())
            who, hint = self._who(plugin) if plugin is not None else ("a limner plugin", "")
            from .redaction import environment_secrets  # (rare: not imported at discovery)

            scrub = environment_secrets()  # (no settings yet: a plugin may quote a key)
            raise PluginError(
                scrub(f"{who} failed in {step} ({type(exc).__name__}: {exc}); ")
                + f"this is a bug in the plugin: report it to its authors{hint}"
            ) from scrub.cause(exc)

    def _who(self, plugin: object) -> tuple[str, str]:
        """How messages name ``plugin``, and for an installed one how to go on without it."""
        name = self.manager.get_name(plugin)
        if name in self._entry_points:
            return f"the limner plugin {name!r} ({module_of(plugin)})", f"; {disable_hint(name)}"
        return f"the plugin {module_of(plugin)}", ""

    # ---- hooks -------------------------------------------------------------------------------

    def translate(self, provider: Provider, call: ProviderCall) -> Translation:
        """The translation of ``call``. A :class:`LimnerError` raised on the way names the
        provider and the model, whether or not the plugin said them."""
        try:
            return self._translate(provider, call)
        except LimnerError as error:  # (a plugin's words may quote a secret: scrubbed)
            raise_from_plugin(provider, call.settings, call.model.id, error, "translate")
        except Exception as exc:  # a plugin's bug: still one of limner's errors, naming it
            refuse_unsendable(call.request)  # unless the caller's text made it fail
            culprit = self._translators(provider, exc)
            raise_from_plugin(
                provider, call.settings, call.model.id, exc, "translate", culprit=culprit
            )

    def _translate(self, provider: Provider, call: ProviderCall) -> Translation:
        hook = self.manager.hook.translate_request
        result: Any
        if len(hook.get_hookimpls()) > 1:
            result = hook(provider=provider, call=call)
        else:  # only core's own: skip the hook machinery
            result = default_hooks.translate_request(provider, call)
        if isinstance(result, Translation) and translation_problem(result) is None:
            return result  # the common case, without building the culprit's name
        refuse_unsendable(call.request)  # the caller's text, not the plugin, when it is that
        who = self._translators(provider) or f"the {provider.name} plugin"
        return checked_translation(result, f"translate ({who})")

    def _translators(self, provider: Provider, raised: BaseException | None = None) -> str:
        """Who may have made a translation: the provider's plugin, and the plugins with a
        ``translate_request`` hook when there are any ("" when only the provider's); of what
        ``raised``, only the hooks it was raised through (one that returned ``None`` and let
        the provider translate did not fail)."""
        every = self.manager.hook.translate_request.get_hookimpls()
        impls = [impl for impl in every if impl.plugin is not default_hooks]
        if raised is not None:
            impls = raised_through(impls, every, raised)
        if not impls:
            return ""
        hooks = ", ".join(plugin_label(impl.plugin) for impl in impls)
        return f"the {provider.name} plugin or a translate_request hook of {hooks}"

    def pricers(self) -> list[str]:
        """The plugins with a ``price_call`` hook of their own (core's prices from the sheet
        when none answers), by name."""
        return self._overriding("price_call")

    def _overriding(self, hook: str) -> list[str]:
        """The plugins implementing ``hook`` besides core's own implementation, by name."""
        return [
            plugin_label(impl.plugin)
            for impl in getattr(self.manager.hook, hook).get_hookimpls()
            if impl.plugin is not default_hooks
        ]

    def price(
        self,
        model: ModelInfo,
        operation: Operation,
        images: int,
        quality: str | None,
        size: str | None,
        usage: Usage | None,
        edit_mode: str | None = None,
        *,
        call: ProviderCall | ChatCall | None = None,
    ) -> Decimal | None:
        """The cost of one call in USD, ``None`` when nothing prices it: the first
        ``price_call`` hook's answer, core's own (the price sheet) last. ``call`` is the call
        priced, for hooks whose price depends on its options (``None`` prices the settings
        alone).
        :func:`~limner.pricing.sheet_basis` then says whether, and how, the sheet priced it."""
        hook = self.manager.hook.price_call
        forget_sheet_basis()  # the sheet sets it when it gives a price, and only then
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
                call=call,
            )
        if result is None:
            return None
        return hook_cost(result)


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of every installed plugin, built on first use and shared."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Registry()
    return _DEFAULT


_TWICE = "provider_registered_twice"
"""``PluginError.code`` of two plugins registering one provider name: its message names both,
and neither is singled out as the one at fault."""


def _refuse_unfit(provider: Provider, owners: Mapping[str, str]) -> None:
    """Refuse a provider a plugin registers that cannot work: not a :class:`Provider`, without a
    name, under a name another plugin took (``owners``: name -> module), or with ``env``
    settings its ``settings_model`` lacks (found now, not at a user's first call)."""
    if not isinstance(provider, Provider):
        raise PluginError(f"register_providers got {provider!r}, not a limner Provider")
    if not isinstance(getattr(provider, "name", None), str) or not provider.name:
        raise PluginError(
            f"{type(provider).__name__} has no name: set the class attribute "
            "name = '<provider>' (the prefix of its model ids)"
        )
    if provider.name in owners:
        raise PluginError(
            f"two plugins register the provider {provider.name!r} "
            f"({owners[provider.name]} and {type(provider).__module__}): keep one. An "
            "installed plugin is left out with disable_plugins=[its entry-point name] "
            f"(or {DISABLE_ENV}), for instance to pass your own version in plugins=[...]",
            code=_TWICE,
        )
    unknown = sorted(set(provider.env) - set(provider.settings_model.model_fields))
    if unknown:
        raise PluginError(
            f"{type(provider).__name__}.env fills {', '.join(unknown)}, which its "
            f"settings_model ({provider.settings_model.__name__}) has no field for: give "
            "it a limner.ProviderSettings subclass with those fields"
        )
