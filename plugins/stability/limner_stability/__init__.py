"""limner plugin for Stability AI's v2beta Stable Image API (SD 3.5, Core, Ultra, edits)."""

from __future__ import annotations

from collections.abc import Callable

import limner

from .options import StabilityOptions
from .provider import StabilityProvider
from .settings import StabilitySettings

__all__ = ["StabilityOptions", "StabilityProvider", "StabilitySettings", "register_providers"]


@limner.hookimpl
def register_providers(register: Callable[[limner.Provider], None]) -> None:
    """Register the Stability AI provider."""
    register(StabilityProvider())
