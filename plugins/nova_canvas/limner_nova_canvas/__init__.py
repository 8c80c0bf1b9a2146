"""limner plugin for Amazon Nova Canvas on Amazon Bedrock Runtime (provider ``amazon``)."""

from __future__ import annotations

from collections.abc import Callable

import limner

from .models import CANVAS_V1, MODELS, nova_canvas_model
from .options import NovaCanvasOptions
from .provider import NovaCanvasProvider
from .settings import NovaCanvasSettings

__all__ = [
    "CANVAS_V1",
    "MODELS",
    "NovaCanvasOptions",
    "NovaCanvasProvider",
    "NovaCanvasSettings",
    "nova_canvas_model",
    "register_providers",
]


@limner.hookimpl
def register_providers(register: Callable[[limner.Provider], None]) -> None:
    """Register the Amazon Bedrock (Nova Canvas) provider."""
    register(NovaCanvasProvider())
