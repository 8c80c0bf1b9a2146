"""Core's own hook implementations, registered like any plugin and run last, so every other
plugin can override them."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .capabilities import ModelInfo, Operation
from .hookspecs import hookimpl
from .pricing import price_from_sheet
from .provider import Provider, ProviderCall, Translation
from .responses import Usage

if TYPE_CHECKING:
    from .chat.contract import ChatCall


@hookimpl(trylast=True)
def translate_request(provider: Provider, call: ProviderCall) -> Translation:
    return provider.translate(call)


@hookimpl(trylast=True)
def price_call(
    model: ModelInfo,
    operation: Operation,
    images: int,
    quality: str | None,
    size: str | None,
    usage: Usage | None,
    edit_mode: str | None,
    call: ProviderCall | ChatCall | None,
) -> Decimal | None:
    del call  # the sheet prices the settings alone
    return price_from_sheet(model, operation, images, quality, size, usage, edit_mode)
