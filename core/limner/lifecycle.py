"""What a model's lifecycle means for a call: warnings before it, a better 404 after it."""

from __future__ import annotations

import datetime as dt

from .capabilities import ModelInfo, Operation
from .errors import LimnerError, NotFoundError
from .responses import Notice
from .status_errors import ENDPOINT_NOT_FOUND

__all__ = ["lifecycle_notices", "name_replacement"]


_MADE = {"generate": "generations", "edit": "edits", "variation": "variations", "chat": "chats"}


def lifecycle_notices(
    model: ModelInfo, operation: Operation | None = None, replacement: ModelInfo | None = None
) -> list[Notice]:
    """A warning for a model past its shutdown date (the call still goes out: dates move) or
    deprecated, naming the replacement, and saying so when the ``replacement`` (the model, when
    the registry has it) does not do this ``operation``, or, for edits, takes no mask."""
    life = model.lifecycle
    successor = f"; use {life.replacement}" if life.replacement else ""
    if successor and operation and replacement:
        lacks = _lacks(model, replacement, operation)
        if lacks:
            successor += f" (which {lacks})"
    if life.shutdown_on is not None and life.is_past_shutdown(dt.date.today()):
        return [
            Notice(
                code="model_shut_down",
                message=f"{model.id} was due to shut down on {life.shutdown_on}{successor}",
                param="model",
            )
        ]
    if life.status in ("deprecated", "legacy", "retired", "shutdown"):
        when = f" (shutdown {life.shutdown_on})" if life.shutdown_on else ""
        return [
            Notice(
                code=f"model_{life.status}",
                message=f"{model.id} is {life.status}{when}{successor}",
                param="model",
            )
        ]
    return []


def _lacks(model: ModelInfo, replacement: ModelInfo, operation: Operation) -> str | None:
    """What the ``replacement`` does not do of what ``model`` does for ``operation``."""
    if not replacement.capabilities.supports(operation):
        return f"makes no {_MADE[operation]}"
    if operation == "edit" and model.capabilities.mask and not replacement.capabilities.mask:
        return "takes no mask"
    return None


def name_replacement(error: LimnerError, model: ModelInfo) -> LimnerError:
    """A provider's 404 for a model with a known successor names it (not a 404 of a URL that is
    not the provider's API, :data:`~limner.status_errors.ENDPOINT_NOT_FOUND`)."""
    replacement = model.lifecycle.replacement
    if (
        isinstance(error, NotFoundError)
        and error.code != ENDPOINT_NOT_FOUND
        and replacement
        and replacement not in error.message
    ):
        said = error.message.rstrip()
        said = said if said.endswith((".", "!", "?")) else f"{said}."
        error.message = f"{said} {model.id} may be retired; use {replacement}."
        error.replacement = replacement
    return error
