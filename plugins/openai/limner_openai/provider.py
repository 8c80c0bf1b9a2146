"""The OpenAI provider: ties the model table, translation, parsing and credentials together."""

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
from .errors import parse_error, retryable, should_retry
from .models import MODELS
from .options import OpenAIOptions
from .responses import parse_images_response
from .settings import OpenAISettings

__all__ = ["OpenAIProvider"]


class OpenAIProvider(Provider):
    """OpenAI's Images API: ``/images/generations``, ``/images/edits`` and
    ``/images/variations`` for the gpt-image and DALL·E models."""

    name: ClassVar[str] = "openai"
    display_name: ClassVar[str] = "OpenAI"
    settings_model: ClassVar[type[ProviderSettings]] = OpenAISettings
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("OPENAI_API_KEY",),
        "base_url": ("OPENAI_BASE_URL",),
        "organization": ("OPENAI_ORG_ID",),
        "project": ("OPENAI_PROJECT_ID",),
    }
    options_model: ClassVar[type[BaseModel] | None] = OpenAIOptions
    credential_headers: ClassVar[frozenset[str]] = frozenset(
        {"authorization", "openai-organization", "openai-project"}
    )

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def translate(self, call: ProviderCall) -> Translation:
        return translate_call(call)

    def parse_response(self, call: ProviderCall, response: WireResponse) -> ProviderResult:
        return parse_images_response(call, response)

    def parse_error(self, call: ProviderCall, response: WireResponse) -> LimnerError:
        return parse_error(call, response)

    def retryable(self, response: WireResponse) -> bool:
        """Not a used-up quota or a billing problem: OpenAI sends ``insufficient_quota`` as a
        429, which retrying cannot fix."""
        return retryable(response)

    def retry_anyway(self, response: WireResponse) -> bool:
        """A 4xx whose answer says ``x-should-retry: true``, which OpenAI's SDKs retry."""
        return should_retry(response)

    def authorize(
        self, request: WireRequest, settings: ProviderSettings, *, dry_run: bool = False
    ) -> WireRequest:
        headers = {"authorization": f"Bearer {self.api_key(settings, dry_run=dry_run)}"}
        if isinstance(settings, OpenAISettings):
            if settings.organization:
                headers["openai-organization"] = settings.organization
            if settings.project:
                headers["openai-project"] = settings.project
        return request.with_headers(headers, secret=True)
