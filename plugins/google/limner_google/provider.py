"""The Google provider: settings and backends, the model table, translation, parsing, auth."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from limner import (
    AuthenticationError,
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    ModelInfo,
    Notice,
    Provider,
    ProviderCall,
    ProviderConnectionError,
    ProviderResult,
    ProviderSetting,
    ProviderSettings,
    Translation,
    WireRequest,
    WireResponse,
)

from .errors import (
    answer_id,
    error_object,
    name_the_answer,
    parse_error,
    quota_used_up,
    wait_before_retry,
)
from .gemini import parse_gemini, translate_gemini
from .imagen import parse_imagen, translate_imagen
from .models import MODELS, family
from .options import GoogleOptions, options_of
from .plan import Plan
from .settings import (
    PROJECT_PARAM,
    SET_PROJECT,
    Endpoint,
    GoogleSettings,
    awaits_adc_project,
    endpoint_for,
    resolve_backend,
)
from .token_transport import token_request

if TYPE_CHECKING:  # the chat surface is imported on first use, to keep plugin discovery fast
    from limner.chat import ChatCall, ChatResult

__all__ = ["CLOUD_PLATFORM", "GoogleProvider"]

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
DRY_RUN_TOKEN = "dry-run-token"
_TRUE = ("true", "1")
PROJECT_FROM_ADC = Notice(
    code="project_from_credentials",
    message="no Vertex AI project is configured: the URL's {project} is the one Application "
    f"Default Credentials name, read when the call is sent ({SET_PROJECT}, or the 'project' "
    "setting, to choose it)",
)


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
        "api_version": ("GOOGLE_GENAI_API_VERSION",),
    }
    options_model: ClassVar[type[BaseModel] | None] = GoogleOptions
    credential_headers: ClassVar[frozenset[str]] = frozenset(
        {"x-goog-api-key", "authorization", "x-goog-user-project"}
    )
    authorize_blocks: ClassVar[bool] = True  # an ADC token refresh goes over the network

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def load_settings(
        self, overrides: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> ProviderSettings:
        """As the google-genai SDK: ``GOOGLE_GENAI_USE_ENTERPRISE``, else
        ``GOOGLE_GENAI_USE_VERTEXAI`` (``true``/``1``), picks Vertex AI; settings given in code
        that contradict each other are refused."""
        environ = os.environ if environ is None else environ
        flag = environ.get("GOOGLE_GENAI_USE_ENTERPRISE", environ.get("GOOGLE_GENAI_USE_VERTEXAI"))
        merged = dict(overrides)
        if flag is not None and merged.get("vertexai") is None:
            merged["vertexai"] = flag.strip().lower() in _TRUE
        settings = super().load_settings(merged, environ)
        assert isinstance(settings, GoogleSettings)
        given = {name for name, value in overrides.items() if value is not None}
        placed = [name for name in ("project", "location", "credentials") if name in given]
        if placed and not settings.vertexai:  # the SDK refuses them too (none from the env)
            raise InvalidRequestError(
                f"{' and '.join(placed)} are Vertex AI settings, and the Gemini API is in use: "
                "set vertexai=True (or GOOGLE_GENAI_USE_VERTEXAI=true) for Vertex AI, or leave "
                f"{'them' if len(placed) > 1 else 'it'} out",
                param=f"providers.google.{placed[0]}",
                provider=self.name,
            )
        credentials = settings.credentials
        if credentials is not None and not callable(getattr(credentials, "refresh", None)):
            raise InvalidRequestError(  # (a token, a key file's path: it failed at the call)
                f"credentials must be a google.auth credentials object, not a "
                f"{type(credentials).__name__}: load a service account key with "
                "google.oauth2.service_account.Credentials.from_service_account_file(...), or "
                "leave it out for Application Default Credentials",
                param="providers.google.credentials",
                provider=self.name,
            )
        if {"api_key", "credentials"} <= given:  # as the SDK: one or the other
            raise InvalidRequestError(
                "api_key and credentials were both given: give the API key (Vertex AI express "
                "mode or the Gemini API) or the credentials (Vertex AI), not both",
                param="providers.google.credentials",
                provider=self.name,
            )
        return resolve_backend(settings, overrides)

    def translate(self, call: ProviderCall) -> Translation:
        settings = call.settings
        assert isinstance(settings, GoogleSettings)
        options = options_of(call.options)
        place, moved = endpoint_for(settings, call.model)
        plan = Plan(call=call, endpoint=place, options=options)
        if moved is not None:
            plan.adjustments.append(moved)
        translate = translate_imagen if family(call.model) == "imagen" else translate_gemini
        return _said_price(_said_project(translate(plan)), place, call.model)

    def parse_response(self, call: ProviderCall, response: WireResponse) -> ProviderResult:
        failed = _error_answered(response)
        if failed is not None:
            raise parse_error(call, failed)
        try:
            parse = parse_imagen if family(call.model) == "imagen" else parse_gemini
            result = parse(call, response)
        except LimnerError as error:
            name_the_answer(error, response)
            raise
        if result.request_id is None:  # (an answer without images in a split request, too)
            result = replace(result, request_id=answer_id(response))
        return result

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
        translation = translate_chat(call, place, options, moved)
        return _said_price(_said_project(translation), place, call.model)

    def parse_chat_response(self, call: ChatCall, response: WireResponse) -> ChatResult:
        from .chat_parse import parse_chat

        failed = _error_answered(response)
        if failed is not None:
            raise parse_error(call, failed)
        try:
            return parse_chat(call, response)
        except LimnerError as error:
            name_the_answer(error, response)
            raise

    def parse_chat_error(self, call: ChatCall, response: WireResponse) -> LimnerError:
        return parse_error(call, response)

    def backend(self, settings: ProviderSettings) -> str | None:
        """``gemini`` (the Gemini API) or ``vertex`` (Vertex AI), as the models'
        ``per_backend`` name them."""
        return settings.backend if isinstance(settings, GoogleSettings) else None

    def retryable(self, response: WireResponse) -> bool:
        """Not a 429 whose quota no wait restores: a quota of 0 or a used-up daily quota
        (:func:`~.errors.quota_used_up`)."""
        if response.status != 429:
            return True
        error = error_object(response.json_or_none())
        return error is None or quota_used_up(error) is None

    def retry_after(self, response: WireResponse) -> float | None:
        """Google says how long to wait in the error body (``RetryInfo.retryDelay``, e.g.
        ``"34.4s"``); without it, the ``Retry-After`` headers."""
        return wait_before_retry(response)

    def authorize(
        self, request: WireRequest, settings: ProviderSettings, *, dry_run: bool = False
    ) -> WireRequest:
        assert isinstance(settings, GoogleSettings)
        if not dry_run and awaits_adc_project(request.url):  # core completes settings first
            raise InvalidRequestError(
                f"Vertex AI needs a project: {SET_PROJECT}",
                param=PROJECT_PARAM,
                provider=self.name,
                setting=ProviderSetting(self.name, "project"),
            )
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

    def complete_settings(self, settings: ProviderSettings) -> ProviderSettings:
        """Vertex AI with Application Default Credentials and no project: the project ADC name
        (``google.auth.default()``), as the google-genai SDK finds it. Given ``credentials`` are
        kept (and their own ``project_id``, a service account's, is used first); ADC's own are
        kept for the token when none were given. ``google.auth`` reads the process environment
        (``GOOGLE_CLOUD_PROJECT``, ``GOOGLE_APPLICATION_CREDENTIALS``), whatever ``environ`` the
        client was given."""
        assert isinstance(settings, GoogleSettings)
        if settings.auth != "adc" or settings.known_project:  # no I/O needed
            return settings
        given = settings.credentials
        try:
            with settings._token_lock:
                credentials, project = self._default_credentials()
        except MissingCredentialsError:
            if given is None:
                raise
            credentials, project = None, None  # the given credentials sign: only a project lacks
        if not isinstance(project, str) or not project:
            raise InvalidRequestError(
                "Vertex AI needs a project, and Application Default Credentials name none: "
                f"{SET_PROJECT}, or run 'gcloud config set project PROJECT_ID'",
                param=PROJECT_PARAM,
                provider=self.name,
                setting=ProviderSetting(self.name, "project"),
            )
        completed = settings.model_copy(update={"project": project})
        if given is None:
            completed._adc = credentials
        return completed

    def _token(self, settings: GoogleSettings) -> tuple[str, str | None]:
        """A fresh OAuth token from the given credentials or ADC (refreshed when expired)."""
        with settings._token_lock:  # a client's fanned-out calls share one refresh (other
            credentials = settings.credentials or settings._adc  # clients do not wait for it)
            if credentials is None:
                credentials, _ = self._default_credentials()
                settings._adc = credentials
            import google.auth.exceptions

            try:
                if not credentials.valid:
                    credentials.refresh(token_request())
            except google.auth.exceptions.GoogleAuthError as exc:
                raise self._unusable(exc) from None
            token = credentials.token
            quota = getattr(credentials, "quota_project_id", None)
        return str(token), quota if isinstance(quota, str) and quota else None

    def _default_credentials(self) -> tuple[Any, str | None]:
        """``google.auth.default()`` for Vertex AI: the credentials and the project they name."""
        try:
            import google.auth
            import google.auth.exceptions
        except ImportError as exc:
            raise MissingCredentialsError(
                "Vertex AI with Application Default Credentials needs google-auth: "
                "pip install 'limner-google[vertex]' (or use an API key in express mode)",
                param="credentials",
                provider=self.name,
            ) from exc
        try:
            credentials, project = google.auth.default(scopes=[CLOUD_PLATFORM])
        except google.auth.exceptions.GoogleAuthError as exc:
            raise self._unusable(exc) from None
        return credentials, project

    def _unusable(self, exc: Exception) -> LimnerError:
        """google-auth's failure as limner's: a token service not reached (a ``TransportError``,
        or a ``RefreshError`` wrapping one, as GCE's metadata credentials raise, or one
        google-auth marks retryable: the service's 5xx) is a failed connection (retried);
        credentials Google refused (a revoked key, an expired session), an authentication
        error; none found, missing ones. Each quotes google-auth's reason
        (a file not found, ``invalid_grant``), which names no secret."""
        import google.auth.exceptions

        first = exc.args[0] if exc.args else None
        if isinstance(first, BaseException):  # (a wrapped error: its words, not its repr)
            first = first.args[0] if first.args else str(first)
        said = first if isinstance(first, str) else str(exc)
        why = f"{type(exc).__name__}: {said}"
        wrapped = [exc.__cause__, *exc.args]  # (GCE's metadata credentials wrap the transport's)
        unreached = isinstance(exc, google.auth.exceptions.TransportError) or any(
            # one that carries the service's answer (a 404: no service account) was reached
            isinstance(inner, google.auth.exceptions.TransportError) and len(inner.args) < 2
            for inner in wrapped
        )
        if unreached or getattr(exc, "retryable", False) is True:  # (a token service's 5xx)
            return ProviderConnectionError(
                f"could not get a token from Google's token service for Vertex AI ({why}); "
                "check the network, or retry later",
                provider=self.name,
                retryable=True,
            )
        if isinstance(exc, google.auth.exceptions.RefreshError):
            return AuthenticationError(
                f"Google refused the Vertex AI credentials ({why}): renew them ('gcloud auth "
                "application-default login', a new service account key), or use an API key "
                "(express mode)",
                param="credentials",
                provider=self.name,
            )
        return MissingCredentialsError(
            f"No usable Google Cloud credentials for Vertex AI ({why}): run 'gcloud auth "
            "application-default login', set GOOGLE_APPLICATION_CREDENTIALS, or use an API "
            "key (express mode)",
            param="credentials",
            provider=self.name,
        )


def _error_answered(response: WireResponse) -> WireResponse | None:
    """A 2xx answer that holds only a Google error object (``{"error": {"code": 503, "status":
    "UNAVAILABLE", ...}}``, as a proxy may pass one on) as the error answer it is, with the
    error's own code as its status (502 when it gives none): its words were lost to "answered
    without an image"."""
    body = response.json_or_none()
    error = error_object(body)
    if error is None or (
        isinstance(body, dict) and ("candidates" in body or "predictions" in body)
    ):
        return None
    code = error.get("code")
    status = code if isinstance(code, int) and 400 <= code <= 599 else 502
    return WireResponse(status, response.headers, response.body, response.url, response.parsed)


PRICE_UNVERIFIED = "price_unverified"
"""``Notice.code`` of a call priced with a price not checked for where it goes."""


def _said_price(translation: Translation, place: Endpoint, model: ModelInfo) -> Translation:
    """``translation``, with a warning when it goes to Vertex AI, whose list prices for
    Google's image models were not found: limner prices them as on the Gemini API."""
    if place.backend != "vertex" or model.pricing is None:
        return translation
    notice = Notice(
        code=PRICE_UNVERIFIED,
        message=f"{model.id} is priced as on the Gemini API: its Vertex AI list price was not "
        "checked, and the cost may differ from Vertex's bill",
    )
    return replace(translation, warnings=(*translation.warnings, notice))


def _said_project(translation: Translation) -> Translation:
    """``translation``, with a warning when its URL still waits for ADC to name the project."""
    if not awaits_adc_project(translation.request.url):
        return translation
    return replace(translation, warnings=(*translation.warnings, PROJECT_FROM_ADC))
