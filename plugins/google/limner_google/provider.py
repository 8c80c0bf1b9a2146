"""The Google provider: settings and backends, the model table, translation, parsing, auth."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from limner import (
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    ModelInfo,
    Provider,
    ProviderCall,
    ProviderResult,
    ProviderSettings,
    Translation,
    WireRequest,
    WireResponse,
)

from .errors import parse_error, wait_before_retry
from .gemini import parse_gemini, translate_gemini
from .imagen import parse_imagen, translate_imagen
from .models import MODELS, family
from .options import GoogleOptions, options_of
from .plan import Plan
from .settings import GoogleSettings, endpoint_for, resolve_backend

if TYPE_CHECKING:  # the chat surface is imported on first use, to keep plugin discovery fast
    from limner.chat import ChatCall, ChatResult

__all__ = ["CLOUD_PLATFORM", "GoogleProvider"]

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
DRY_RUN_TOKEN = "dry-run-token"
_TRUE = ("true", "1")
_LOCK = threading.Lock()


class GoogleProvider(Provider):
    """Gemini image models (``:generateContent``) and Imagen (``:predict``), on the Gemini API
    or Vertex AI."""

    name: ClassVar[str] = "google"
    display_name: ClassVar[str] = "Google"
    settings_model: ClassVar[type[ProviderSettings]] = GoogleSettings
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
        "base_url": ("GOOGLE_GEMINI_BASE_URL",),
        "vertex_base_url": ("GOOGLE_VERTEX_BASE_URL",),
        "project": ("GOOGLE_CLOUD_PROJECT",),
        "location": ("GOOGLE_CLOUD_LOCATION",),
    }
    options_model: ClassVar[type[BaseModel] | None] = GoogleOptions
    credential_headers: ClassVar[frozenset[str]] = frozenset(
        {"x-goog-api-key", "authorization", "x-goog-user-project"}
    )
    authorize_blocks: ClassVar[bool] = True  # an ADC token refresh goes over the network

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def load_settings(
        self, overrides: Mapping[str, Any], environ: Mapping[str, str] = os.environ
    ) -> ProviderSettings:
        """As the google-genai SDK: ``GOOGLE_GENAI_USE_VERTEXAI`` (``true``/``1``) picks Vertex."""
        flag = environ.get("GOOGLE_GENAI_USE_VERTEXAI")
        merged = dict(overrides)
        if flag is not None and merged.get("vertexai") is None:
            merged["vertexai"] = flag.strip().lower() in _TRUE
        settings = super().load_settings(merged, environ)
        assert isinstance(settings, GoogleSettings)
        return resolve_backend(settings, overrides)

    def translate(self, call: ProviderCall) -> Translation:
        settings = call.settings
        assert isinstance(settings, GoogleSettings)
        options = options_of(call.options)
        place, moved = endpoint_for(settings, call.model)
        plan = Plan(call=call, endpoint=place, options=options)
        if moved is not None:
            plan.adjustments.append(moved)
        if family(call.model) == "imagen":
            return translate_imagen(plan)
        return translate_gemini(plan)

    def parse_response(self, call: ProviderCall, response: WireResponse) -> ProviderResult:
        if family(call.model) == "imagen":
            return parse_imagen(call, response)
        return parse_gemini(call, response)

    def parse_error(self, call: ProviderCall, response: WireResponse) -> LimnerError:
        return parse_error(call, response)

    def translate_chat(self, call: ChatCall) -> Translation:
        """The Gemini image models on chat completions (see :mod:`limner_google.chat`)."""
        from limner.chat import NOT_SUPPORTED

        from .chat import translate_chat

        if family(call.model) == "imagen":  # Imagen models do not list "chat"; be safe anyway
            raise InvalidRequestError(NOT_SUPPORTED, param="model")
        settings = call.settings
        assert isinstance(settings, GoogleSettings)
        options = options_of(call.options)
        place, moved = endpoint_for(settings, call.model)
        return translate_chat(call, place, options, moved)

    def parse_chat_response(self, call: ChatCall, response: WireResponse) -> ChatResult:
        from .chat_parse import parse_chat

        return parse_chat(call, response)

    def parse_chat_error(self, call: ChatCall, response: WireResponse) -> LimnerError:
        return parse_error(call, response)

    def retry_after(self, response: WireResponse) -> float | None:
        """Google says how long to wait in the error body (``RetryInfo.retryDelay``, e.g.
        ``"34.4s"``); without it, the ``Retry-After`` headers."""
        return wait_before_retry(response)

    def authorize(
        self, request: WireRequest, settings: ProviderSettings, *, dry_run: bool = False
    ) -> WireRequest:
        assert isinstance(settings, GoogleSettings)
        if settings.auth == "api_key":
            key = self.api_key(settings, dry_run=dry_run)
            return request.with_headers({"x-goog-api-key": key}, secret=True)
        if dry_run:  # never touch Application Default Credentials in a dry run
            return request.with_headers({"authorization": f"Bearer {DRY_RUN_TOKEN}"}, secret=True)
        token, quota_project = self._token(settings)
        headers = {"authorization": f"Bearer {token}"}
        if quota_project:
            headers["x-goog-user-project"] = quota_project
        return request.with_headers(headers, secret=True)

    def _token(self, settings: GoogleSettings) -> tuple[str, str | None]:
        """A fresh OAuth token from the given credentials or ADC (refreshed when expired)."""
        try:
            import google.auth
            import google.auth.exceptions
            import google.auth.transport.requests
        except ImportError as exc:
            raise MissingCredentialsError(
                "Vertex AI with Application Default Credentials needs google-auth: "
                "pip install 'limner-google[vertex]' (or use an API key in express mode)",
                param="credentials",
                provider=self.name,
            ) from exc
        with _LOCK:  # fanned-out calls share one credentials object and one refresh
            credentials = settings.credentials or settings._adc
            try:
                if credentials is None:
                    credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM])
                    settings._adc = credentials
                if not credentials.valid:
                    credentials.refresh(google.auth.transport.requests.Request())
            except google.auth.exceptions.GoogleAuthError as exc:
                raise MissingCredentialsError(
                    f"No usable Google Cloud credentials for Vertex AI ({type(exc).__name__}): "
                    "run 'gcloud auth application-default login', set "
                    "GOOGLE_APPLICATION_CREDENTIALS, or use an API key (express mode)",
                    param="credentials",
                    provider=self.name,
                ) from None
            token = credentials.token
            quota = getattr(credentials, "quota_project_id", None)
        return str(token), quota if isinstance(quota, str) and quota else None
