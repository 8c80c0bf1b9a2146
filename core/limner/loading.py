"""Loading plugins into a pluggy manager: installed ones from their entry points (group
``limner``), others given in code, with every mistake pluggy would accept in silence, or report
without naming the plugin, refused as a :class:`~limner.errors.PluginError` that says which plugin
and how to go on without it (``LIMNER_DISABLE_PLUGINS``)."""

from __future__ import annotations

import difflib
import inspect
import logging
import os
import warnings
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

import pluggy

from . import default_hooks, hookspecs
from .errors import PluginError
from .hookspecs import PROJECT
from .provider import Provider
from .suggest import did_you_mean
from .typos import one_slip_apart

__all__ = [
    "DISABLE_ENV",
    "PluginWarning",
    "disable_hint",
    "invalid_plugin",
    "left_out_model",
    "load_entry_points",
    "make_manager",
    "misspelled_members",
    "module_of",
    "plugin_label",
    "raised_in",
    "register_plugin",
    "warn_misspelled_methods",
]

DISABLE_ENV = "LIMNER_DISABLE_PLUGINS"

log = logging.getLogger(__name__)


def make_manager(
    plugins: Iterable[object],
    disable: Iterable[str],
    entry_points: bool,
    environ: Mapping[str, str] | None = None,
) -> tuple[pluggy.PluginManager, frozenset[str], frozenset[str]]:
    """The plugin manager, the names blocked (``disable`` and ``environ``'s
    ``LIMNER_DISABLE_PLUGINS``, the process's environment by default), and the names of the
    entry points loaded."""
    manager = pluggy.PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(default_hooks, name="limner.default_hooks")
    if isinstance(disable, str):  # one name, or several as the environment variable takes them
        disable = disable.split(",")
    asked = {name.strip() for name in disable if name.strip()}
    from_env = listed_disabled(os.environ if environ is None else environ)
    blocked = asked | from_env
    for name in blocked:
        manager.set_blocked(name)
    loaded = load_entry_points(manager) if entry_points else frozenset()
    if entry_points:
        _check_disabled_names(asked, "disable_plugins")
        _check_disabled_names(from_env, DISABLE_ENV)
    try:
        for plugin in plugins:
            if manager.is_registered(plugin):  # installed too, and loaded by its entry point
                continue
            register_plugin(manager, plugin)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:  # installed plugins were checked on loading
        raise invalid_plugin(exc, None) from exc
    return manager, frozenset(blocked), loaded


def listed_disabled(environ: Mapping[str, str]) -> set[str]:
    """The plugin names ``environ``'s ``LIMNER_DISABLE_PLUGINS`` lists."""
    return {name.strip() for name in environ.get(DISABLE_ENV, "").split(",") if name.strip()}


def _check_disabled_names(asked: Iterable[str], where: str) -> None:
    """Warn of a name in ``disable_plugins`` or ``LIMNER_DISABLE_PLUGINS`` (``where``) that no
    installed plugin has: a typo, or a provider's name where the plugin's is meant (the two
    may differ), would leave the plugin on. A warning, not an
    error: a test suite or an environment may disable plugins that some machines lack."""
    if not asked:  # the common case: no second read of the installed plugins
        return
    import importlib.metadata

    installed = sorted({entry.name for entry in importlib.metadata.entry_points(group=PROJECT)})
    for name in sorted(asked):
        if name not in installed:
            hint = did_you_mean(name, installed)
            warnings.warn(
                f"{where}: no installed plugin is called {name!r} (installed: "
                f"{', '.join(installed) or 'none'}; these are plugin names, which may differ "
                f"from provider names){hint}",
                UserWarning,
                stacklevel=5,
            )


def load_entry_points(manager: pluggy.PluginManager) -> frozenset[str]:
    """Load and register the installed plugins (entry points of group ``limner``) one at a time,
    and return their names. A plugin that fails to import, cannot be registered, has no hooks (a
    hook function without ``@limner.hookimpl``) or misspells one is refused by its entry point's
    name, which is what disabling it takes: pluggy's ``load_setuptools_entrypoints`` runs the
    same loop without saying which entry point failed."""
    import importlib.metadata

    loaded: set[str] = set()
    for entry in importlib.metadata.entry_points(group=PROJECT):
        if manager.is_blocked(entry.name) or manager.has_plugin(entry.name):
            continue
        where = f"the limner plugin {entry.name!r} ({entry.value})"
        try:
            plugin = entry.load()
        except Exception as exc:  # (its words may quote a key from the environment)
            from .redaction import environment_secrets  # (rare: not imported at discovery)

            scrub = environment_secrets()
            raise PluginError(
                scrub(f"{where} failed to load ({type(exc).__name__}: {exc}); ")
                + disable_hint(entry.name)
            ) from scrub.cause(exc)
        not_a_plugin = _not_a_plugin(plugin)
        if not_a_plugin is not None:
            raise PluginError(
                f"{where}: {not_a_plugin} (or point the entry point at a module with "
                f"@limner.hookimpl functions); {disable_hint(entry.name)}"
            )
        if manager.is_registered(plugin):
            raise PluginError(
                f"{where} loads {module_of(plugin)}, which the entry point "
                f"{manager.get_name(plugin)!r} loaded already: uninstall one of the two "
                f"distributions, or {disable_hint(entry.name)}"
            )
        warn_unmarked_hooks(plugin, where)  # (before registering: an error under -W error)
        try:
            manager.register(plugin, name=entry.name)
        except pluggy.PluginValidationError as exc:
            raise invalid_plugin(exc, entry.name) from exc
        if not manager.get_hookcallers(plugin):
            raise PluginError(
                f"{where} has no limner hooks: mark its hook functions with @limner.hookimpl; "
                + disable_hint(entry.name)
            )
        loaded.add(entry.name)
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise invalid_plugin(exc, manager.get_name(exc.plugin)) from exc
    return frozenset(loaded)


def invalid_plugin(exc: pluggy.PluginValidationError, entry_point: str | None) -> PluginError:
    """pluggy's refusal of a plugin's hooks, with what to do next (for an installed plugin,
    the entry point name that disables it)."""
    said = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    plugin = exc.plugin
    if not isinstance(plugin, ModuleType) and plugin is not None:  # pluggy names it by id()
        said = said.replace(f"Plugin {str(id(plugin))!r}", f"Plugin {plugin_label(plugin)!r}")
    hint = " (a misspelled hook name?)" if said.startswith("unknown hook") else ""
    return PluginError(f"{said}{hint}" + (f"; {disable_hint(entry_point)}" if entry_point else ""))


def disable_hint(name: str) -> str:
    return f"to go on without it, set {DISABLE_ENV}={name} (or disable_plugins=[{name!r}])"


def plugin_label(plugin: object) -> str:
    """A plugin's name for messages: its module's, or its class's."""
    return plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__qualname__


def module_of(plugin: object) -> str:
    """The module a plugin (a module, or an object with hook methods) comes from."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return plugin.__module__ if isinstance(plugin, type) else type(plugin).__module__


def raised_in(exc: BaseException, plugins: Iterable[object]) -> object | None:
    """The plugin nearest to where ``exc`` was raised: the innermost frame in a plugin's own
    module (or below it), the longest such module winning; failing that, the one plugin whose
    top-level package holds a frame (a helper module beside the plugin). ``None`` when that
    does not single one out. Core's own hooks (in ``limner``) are never the culprit."""
    homes = [(plugin, module_of(plugin)) for plugin in plugins]
    homes = [(p, m) for p, m in homes if m.split(".")[0] != "limner"]
    frames = []
    trace = exc.__traceback__
    while trace is not None:
        frames.append(str(trace.tb_frame.f_globals.get("__name__", "")))
        trace = trace.tb_next
    for module in reversed(frames):
        inside = [(len(m), p) for p, m in homes if module == m or module.startswith(m + ".")]
        if inside:
            longest = max(length for length, _ in inside)
            best = [p for length, p in inside if length == longest]
            return best[0] if len(best) == 1 else None
    packages = {module.split(".")[0] for module in frames}
    sharing = [p for p, m in homes if m.split(".")[0] in packages]
    return sharing[0] if len(sharing) == 1 else None


def _not_a_plugin(plugin: object) -> str | None:
    """What is wrong when ``plugin`` is one of the easy mistakes (a class, a Provider)."""
    if isinstance(plugin, type) and not issubclass(plugin, Provider):
        return f"{plugin.__name__} is a class: register an instance of it ({plugin.__name__}())"
    if isinstance(plugin, Provider) or (isinstance(plugin, type) and issubclass(plugin, Provider)):
        name = plugin.__name__ if isinstance(plugin, type) else type(plugin).__name__
        return (
            f"{name} is a Provider, not a plugin: register a module or object whose "
            f"@limner.hookimpl register_providers(register) calls register({name}())"
        )
    return None


def register_plugin(manager: pluggy.PluginManager, plugin: object, name: str | None = None) -> None:
    """Register ``plugin`` (a module or an object with ``@limner.hookimpl`` methods), refusing
    the easy mistakes pluggy would accept in silence."""
    not_a_plugin = _not_a_plugin(plugin)
    if not_a_plugin is not None:
        raise PluginError(not_a_plugin)
    if name is not None and manager.is_blocked(name):
        raise PluginError(
            f"the plugin name {name!r} is disabled ({DISABLE_ENV} or disable_plugins): "
            "register the plugin under another name, or stop disabling that one"
        )
    warn_unmarked_hooks(plugin, module_of(plugin))  # (before: an error under -W error)
    try:
        manager.register(plugin, name=name)
    except ValueError as exc:  # pluggy: already registered, or the name is taken
        raise PluginError(f"cannot register {plugin!r}: {exc}") from exc
    if not manager.get_hookcallers(plugin):
        manager.unregister(plugin)
        raise PluginError(
            f"{plugin!r} has no limner hooks: mark its hook methods with @limner.hookimpl"
        )


_HOOK_NAMES = tuple(
    sorted(name for name, spec in vars(hookspecs).items() if hasattr(spec, f"{PROJECT}_spec"))
)


def warn_unmarked_hooks(plugin: object, where: str) -> None:
    """A :class:`PluginWarning` when ``plugin`` (said as ``where``) holds a function named as a
    hook but not marked ``@limner.hookimpl``: pluggy passes it over in silence (a price
    override that never applies). A warning, not a refusal: a plugin module may import a
    helper of that name for its own use."""
    unmarked = [
        name
        for name in _HOOK_NAMES
        if inspect.isroutine(attribute := getattr(plugin, name, None))
        and not hasattr(attribute, f"{PROJECT}_impl")
    ]
    if not unmarked or not _marks_any(plugin):
        return  # (none marked: "has no limner hooks" says it)
    one = len(unmarked) == 1
    warnings.warn(
        f"{where}: {', '.join(unmarked)} {'is a hook name' if one else 'are hook names'}, but "
        f"not marked @limner.hookimpl, so limner never calls {'it' if one else 'them'}: add "
        "the marker (or rename a helper of that name)",
        PluginWarning,
        stacklevel=2,
    )


class PluginWarning(UserWarning):
    """A plugin does something that is most likely a mistake, but may be meant."""


def _marks_any(plugin: object) -> bool:
    """Whether ``plugin`` has a function marked ``@limner.hookimpl``."""
    return any(
        hasattr(getattr(plugin, name, None), f"{PROJECT}_impl")
        for name in dir(plugin)
        if not name.startswith("__")
    )


def left_out_model(model: Any, disabled: Iterable[str], providers: Iterable[str]) -> None:
    """A model registered (``register_models``) for a provider no plugin left registers, while
    plugins are disabled: left out, most likely a change to a disabled plugin's model (whose
    provider's name may differ from the plugin's). With a :class:`PluginWarning` when the
    name is one slip of the keyboard (or of case) from one of the ``providers`` registered:
    then it is most likely misspelt."""
    typed = str(model.provider).lower()
    meant = [p for p in providers if typed == p.lower() or one_slip_apart(typed, p.lower())]
    if not meant:
        log.debug("left out %s: no plugin left registers its provider", model.id)
        return
    warnings.warn(
        f"left out the model {model.id!r}, registered for the provider {model.provider!r}, "
        f"which no plugin registers (disabled: {', '.join(sorted(disabled))}); did you mean "
        f"{meant[0]!r}?",
        PluginWarning,
        stacklevel=2,
    )


_MEMBERS = frozenset(name for name in dir(Provider) if not name.startswith("_"))


def misspelled_members(cls: type[Provider]) -> list[tuple[str, str]]:
    """``(member, meant)`` for each member of ``cls`` that looks like a misspelling of a
    :class:`Provider` member the class leaves alone (``authorise`` for ``authorize``,
    ``credential_header`` for ``credential_headers``): the default is used instead, in silence
    (an ``authorize`` that adds no credential, say). A name that contains the real one
    (``reauthorize``, ``api_keys``) is a helper, not a misspelling."""
    own = {
        name
        for klass in cls.__mro__
        if klass not in (Provider, object)
        for name in vars(klass)
        if not name.startswith("_")
    }
    left_alone = sorted(
        name
        for name in _MEMBERS
        if inspect.getattr_static(cls, name, None) is inspect.getattr_static(Provider, name)
    )
    found = []
    for name in sorted(own - _MEMBERS):
        close = difflib.get_close_matches(name, left_alone, n=1, cutoff=0.88)
        if close and close[0] not in name:
            found.append((name, close[0]))
    return found


def warn_misspelled_methods(provider: Provider) -> None:
    """Warn about each of :func:`misspelled_members` of ``provider``'s class."""
    cls = type(provider)
    for name, meant in misspelled_members(cls):
        warnings.warn(
            f"{cls.__name__}.{name} looks like a misspelling of Provider.{meant}, which "
            f"{cls.__name__} does not define, so limner's default {meant} is used; "
            "rename it (or rename the helper to silence this warning)",
            PluginWarning,
            stacklevel=2,
        )
