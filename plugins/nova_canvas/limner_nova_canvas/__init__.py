"""limner plugin for Amazon Nova Canvas on Amazon Bedrock Runtime (provider ``amazon``)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import limner
from limner import ModelInfo, Usage

from .models import CANVAS_V1, MODELS, nova_canvas_model
from .options import NovaCanvasOptions
from .pricing import price_images
from .provider import NovaCanvasProvider
from .settings import NovaCanvasSettings

__all__ = [
    "CANVAS_V1",
    "MODELS",
    "NovaCanvasOptions",
    "NovaCanvasProvider",
    "NovaCanvasSettings",
    "nova_canvas_model",
    "price_call",
    "register_providers",
]


@limner.hookimpl
def register_providers(register: Callable[[limner.Provider], None]) -> None:
    """Register the Amazon Bedrock (Nova Canvas) provider."""
    register(NovaCanvasProvider())


@limner.hookimpl(tryfirst=True)
def price_call(
    model: ModelInfo,
    operation: str,
    images: int,
    quality: str | None,
    size: str | None,
    usage: Usage | None,
    edit_mode: str | None,
) -> Decimal | None:
    """Nova bills per returned image by size band, which the sheet's exact-size rows cannot
    express; ``edit_mode`` (the one translate used) matches rows as core matches it. Other
    providers' models are left alone."""
    return price_images(model, operation, images, quality, size, edit_mode)
