"""What the registry checks of each model a plugin registers, before it serves it."""

from __future__ import annotations

from collections.abc import Mapping

from .capabilities import ModelInfo
from .declared import revalidated
from .errors import PluginError
from .provider import Provider

__all__ = ["checked_model"]


def checked_model(model: object, providers: Mapping[str, Provider]) -> ModelInfo:
    """``model``, validated again (``model_copy(update=...)``, the way a plugin changes a
    built-in model, checks nothing) and fit for the providers registered."""
    if not isinstance(model, ModelInfo):
        raise PluginError(f"a plugin registered {type(model).__name__}, not a ModelInfo")
    try:
        model = revalidated(model)
    except ValueError as exc:
        raise PluginError(
            f"model {model.id!r} is not valid ({exc}); check the fields it was built or "
            "changed (model_copy(update=...)) with"
        ) from None
    if model.provider not in providers:
        raise PluginError(
            f"model {model.id!r} names an unregistered provider {model.provider!r}: the plugin "
            f"that registers {model.provider!r} must be loaded too (installed and not disabled; "
            "in a plugin's standard tests, named in builds_on)"
        )
    if model.id != f"{model.provider}/{model.name}":
        raise PluginError(f"model id {model.id!r} must be '{model.provider}/{model.name}'")
    if model.capabilities.supports("chat") and not providers[model.provider].serves_chat:
        raise PluginError(
            f"model {model.id!r} lists 'chat' but provider {model.provider!r} does not "
            "implement translate_chat"
        )
    return model
