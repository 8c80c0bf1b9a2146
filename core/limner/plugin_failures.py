"""What a provider's own code raised, as it leaves core: one of limner's errors, naming the
provider and the model, its words and its chain kept clear of the settings' secrets.

A plugin's code handles credentials (its settings, a token it fetched), so its exceptions may
quote one (``ValueError: bad region for key sk-...``); the caller, the command line and the
gateway's log would show it."""

from __future__ import annotations

import traceback
from typing import Any, NoReturn

from .errors import LimnerError, PluginError
from .provider import Provider, ProviderSettings
from .redaction import Scrubber

__all__ = ["raise_from_plugin", "raised_through"]


def raise_from_plugin(
    provider: Provider,
    settings: ProviderSettings,
    model_id: str,
    exc: Exception,
    step: str,
    *,
    culprit: str = "",
    failure: LimnerError | None = None,
) -> NoReturn:
    """Raise ``exc``, which ``provider``'s ``step`` raised, scrubbed of ``settings``' secrets
    and naming the provider and ``model_id``: one of limner's errors as it is; anything else as
    ``failure``, by default a :class:`~limner.errors.PluginError` saying the plugin (or
    ``culprit``) failed there. The chain keeps ``exc`` unless its words hold a secret."""
    scrub = Scrubber(provider.secret_values(settings))
    if isinstance(exc, LimnerError):
        raise scrub.error(exc.attribute(provider.name, model_id)) from scrub.cause(exc.__cause__)
    if failure is None:
        failure = PluginError.crashed(step, provider.name, model_id, exc, culprit)
    raise scrub.error(failure.attribute(provider.name, model_id)) from scrub.cause(exc)


def raised_through(impls: list[Any], every: list[Any], raised: BaseException) -> list[Any]:
    """Of ``impls``, the hook implementations (pluggy's) that ``raised`` was raised in or passed
    through: not one that returned ``None`` and let the next answer, nor a wrapper it only
    passed through from a hook inside it (a wrapper is named when the innermost hook of
    ``every`` the hook's implementations, it passed through is the wrapper itself)."""
    frames = [frame.f_code for frame, _ in traceback.walk_tb(raised.__traceback__)]
    hooks = {getattr(impl.function, "__code__", None) for impl in every} - {None}
    innermost = next((code for code in reversed(frames) if code in hooks), None)

    def through(impl: Any) -> bool:
        code = getattr(impl.function, "__code__", None)  # (a compiled hook has none)
        if getattr(impl, "wrapper", False) or getattr(impl, "hookwrapper", False):
            return code is not None and code is innermost
        return code in frames

    return [impl for impl in impls if through(impl)]
