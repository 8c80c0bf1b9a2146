"""limner plugin for Google's image models: Gemini image models and Imagen, on the Gemini API
and Vertex AI."""

from __future__ import annotations

from collections.abc import Callable

import limner

from .options import GoogleOptions
from .provider import GoogleProvider
from .settings import GoogleSettings

__all__ = ["GoogleOptions", "GoogleProvider", "GoogleSettings", "register_providers"]


@limner.hookimpl
def register_providers(register: Callable[[limner.Provider], None]) -> None:
    """Register the Google provider."""
    register(GoogleProvider())
