"""limner plugin for OpenAI's Images API (gpt-image and DALL·E models)."""

from __future__ import annotations

from collections.abc import Callable

import limner

from .options import OpenAIOptions
from .provider import OpenAIProvider
from .settings import OpenAISettings

__all__ = ["OpenAIOptions", "OpenAIProvider", "OpenAISettings", "register_providers"]


@limner.hookimpl
def register_providers(register: Callable[[limner.Provider], None]) -> None:
    """Register the OpenAI provider."""
    register(OpenAIProvider())
