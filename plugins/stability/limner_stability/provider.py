"""The Stability AI provider: ties the model table, translation, parsing and credentials
together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel

from limner import (
    LimnerError,
    ModelInfo,
    Provider,
    ProviderCall,
    ProviderResult,
    ProviderSettings,
    Translation,
    WireRequest,
    WireResponse,
)

from .body import translate_call
from .errors import parse_error, wait_before_retry
from .models import MODELS, PROVIDER
from .options import StabilityOptions
from .responses import parse_image_response
from .settings import StabilitySettings

__all__ = ["StabilityProvider"]


class StabilityProvider(Provider):
    """Stability AI's v2beta Stable Image API: ``/generate/{sd3,core,ultra}`` and the
    ``/edit/*`` services. Model ids ``stabilityai/<model>``; ``stability/<model>`` works too."""

    name: ClassVar[str] = PROVIDER
    display_name: ClassVar[str] = "Stability AI"
    aliases: ClassVar[tuple[str, ...]] = ("stability",)
    settings_model: ClassVar[type[ProviderSettings]] = StabilitySettings
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("STABILITY_API_KEY",),
        "base_url": ("STABILITY_BASE_URL",),
    }
    options_model: ClassVar[type[BaseModel] | None] = StabilityOptions
    credential_headers: ClassVar[frozenset[str]] = frozenset({"authorization"})
    # form fields of Stability's own, forwarded as given (aspect_ratio when no size is set,
    # mode on /generate/sd3), whose names are close to limner's
    own_fields: ClassVar[frozenset[str]] = frozenset({"aspect_ratio", "mode"})

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def translate(self, call: ProviderCall) -> Translation:
        return translate_call(call)

    def parse_response(self, call: ProviderCall, response: WireResponse) -> ProviderResult:
        return parse_image_response(call, response)

    def parse_error(self, call: ProviderCall, response: WireResponse) -> LimnerError:
        return parse_error(call, response)

    def retry_after(self, response: WireResponse) -> float | None:
        return wait_before_retry(response)

    def authorize(
        self, request: WireRequest, settings: ProviderSettings, *, dry_run: bool = False
    ) -> WireRequest:
        key = self.api_key(settings, dry_run=dry_run)
        return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)
