"""Credentials, backend and endpoint for the Google provider, chosen as the google-genai SDK does.

* Gemini API (default): ``https://generativelanguage.googleapis.com/v1beta/models/{m}:{method}``
  with ``x-goog-api-key`` from ``GOOGLE_API_KEY`` or ``GEMINI_API_KEY`` (the SDK prefers
  ``GOOGLE_API_KEY`` when both are set), base URL override ``GOOGLE_GEMINI_BASE_URL``.
* Vertex AI (``vertexai=True`` or ``GOOGLE_GENAI_USE_VERTEXAI=true``): with a project,
  ``{host}/v1beta1/projects/{p}/locations/{loc}/publishers/google/models/{m}:{method}`` and an
  OAuth token from Application Default Credentials (``google-auth``, the ``vertex`` extra);
  location ``global`` by default; host ``aiplatform.googleapis.com`` for ``global``,
  ``aiplatform.{us|eu}.rep.googleapis.com`` for multi-regions, ``{loc}-aiplatform...`` otherwise;
  with no project configured, the one ADC name (``google.auth.default()``), read before the
  first call is sent [SDK ``_api_client.py`` ``BaseApiClient.__init__``, ``load_auth``]. (The SDK
  skips that for a custom base URL and then leaves the project out of the path; limner keeps
  one path shape, and ``vertex_base_url`` only replaces the host.) With an API key and no
  project: express mode, ``https://aiplatform.googleapis.com/v1beta1/publishers/google/models/{m}:{method}``;
  with an API key and a project both given to the client, the project's path and the key.

A model that lists Vertex locations (``capabilities.regions``) is called where it is served:
:func:`endpoint_for` moves a call for a ``global``-only model to ``global`` and says so.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator

from limner import Adjustment, ModelInfo, ProviderSettings

__all__ = [
    "ADC_PROJECT",
    "GEMINI_BASE_URL",
    "Endpoint",
    "GoogleSettings",
    "awaits_adc_project",
    "endpoint",
    "endpoint_for",
    "resolve_backend",
]

GEMINI_BASE_URL = "https://generativelanguage.googleapis.com"
GEMINI_API_VERSION = "v1beta"
VERTEX_API_VERSION = "v1beta1"
MULTI_REGIONS = frozenset({"us", "eu"})
PROJECT_PARAM = "providers.google.project"
SET_PROJECT = "set GOOGLE_CLOUD_PROJECT"
ADC_PROJECT = "{project}"
"""The project in a Vertex AI URL before it is read from Application Default Credentials, as
the google-genai SDK reads it when none is configured; dry runs show it."""

Backend = Literal["gemini", "vertex"]
Auth = Literal["api_key", "adc"]


class RefreshLock:
    """The lock a client's token refreshes share; copies of the settings share it too, and a
    deep copy or a pickle of them works (a bare ``threading.Lock`` can be neither)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def __deepcopy__(self, memo: dict[int, object]) -> RefreshLock:
        return self

    def __reduce__(self) -> tuple[type[RefreshLock], tuple[()]]:
        return (RefreshLock, ())


_LOCATION = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class GoogleSettings(ProviderSettings):
    """``api_key`` and ``base_url`` (Gemini API), plus Vertex AI's ``vertexai``, ``project``,
    ``location``, ``vertex_base_url`` and optional ``credentials`` (a ``google.auth`` credentials
    object; Application Default Credentials are used when it is not given)."""

    vertexai: bool = False
    project: str | None = None
    location: str | None = None
    vertex_base_url: str | None = None
    api_version: str | None = None
    credentials: Any = Field(default=None, repr=False, exclude=True)
    _adc: Any = PrivateAttr(default=None)
    _token_lock: RefreshLock = PrivateAttr(default_factory=lambda: RefreshLock())

    @field_validator("location")
    @classmethod
    def _a_location(cls, value: str | None) -> str | None:
        """A location is part of the host name (``{location}-aiplatform.googleapis.com``):
        anything but a location's lowercase letters, digits and hyphens would send the call,
        and its credential, to another host."""
        if value is not None and not _LOCATION.fullmatch(value):
            raise ValueError(
                f"{value!r} is no Vertex AI location: give one such as us-central1, "
                "europe-west4 or global"
            )
        return value

    @property
    def known_project(self) -> str | None:
        """The project set, or else the one given credentials carry (a service account's):
        known without I/O."""
        own = getattr(self.credentials, "project_id", None)
        return self.project or (own if isinstance(own, str) and own else None)

    @property
    def backend(self) -> Backend:
        return "vertex" if self.vertexai else "gemini"

    @property
    def auth(self) -> Auth:
        """Vertex uses ADC unless it has an API key: express mode (no project), or a key and a
        project both given to the client."""
        if self.vertexai and (self.credentials is not None or self.api_key is None):
            return "adc"
        return "api_key"


def resolve_backend(settings: GoogleSettings, overrides: Mapping[str, Any]) -> GoogleSettings:
    """Apply the SDK's precedence on Vertex: explicit credentials beat an API key; an API key
    given to the client beats a project or location from the environment (express mode); an
    API key given with a project or a location is used with them (the key authorizes, the
    project, from the client or the environment, and the location make the path, as
    google-genai 3.6 sends them); otherwise a project, or a location, beats an API key from the
    environment (the project then comes from ADC when none is set)."""
    if not settings.vertexai:
        return settings
    explicit_key = overrides.get("api_key") is not None
    explicit_place = any(overrides.get(k) is not None for k in ("project", "location"))
    if settings.credentials is not None:
        return settings.model_copy(update={"api_key": None})
    if explicit_key and not explicit_place:
        return settings.model_copy(update={"project": None, "location": None})
    if explicit_key:  # with a project or location given too: both used, as the SDK does
        return settings
    if settings.project is not None or (settings.location is not None and not explicit_key):
        return settings.model_copy(update={"api_key": None})
    return settings


@dataclass(frozen=True)
class Endpoint:
    """Where one model's calls go."""

    backend: Backend
    auth: Auth
    prefix: str
    """Everything before ``{model}:{method}``, ending in ``/``."""
    location: str | None = None
    """The Vertex AI location in the path (``None`` on the Gemini API and in express mode)."""

    def url(self, model: str, method: str) -> str:
        return f"{self.prefix}{model}:{method}"


def endpoint(settings: GoogleSettings) -> Endpoint:
    """The endpoint for these settings. A missing Vertex AI project (with ADC) is the placeholder
    :data:`ADC_PROJECT`, which the provider's ``complete_settings`` replaces before sending."""
    beta = settings.api_version in (None, "beta")  # "beta", as the SDK reads it: each API's own
    if settings.backend == "gemini":
        base = (settings.base_url or GEMINI_BASE_URL).rstrip("/")
        version = GEMINI_API_VERSION if beta else settings.api_version
        return Endpoint("gemini", "api_key", f"{base}/{version}/models/")
    version = VERTEX_API_VERSION if beta else settings.api_version
    if settings.auth == "api_key" and settings.project is None:  # express mode
        base = (settings.vertex_base_url or "https://aiplatform.googleapis.com").rstrip("/")
        return Endpoint("vertex", "api_key", f"{base}/{version}/publishers/google/models/")
    project = settings.known_project
    if not project:
        project = ADC_PROJECT  # read from the credentials before the first call is sent
    location = settings.location or "global"
    base = (settings.vertex_base_url or _vertex_host(location)).rstrip("/")
    return Endpoint(
        "vertex",
        settings.auth,
        f"{base}/{version}/projects/{project}/locations/{location}/publishers/google/models/",
        location,
    )


def awaits_adc_project(url: str) -> bool:
    """Whether ``url`` still holds the placeholder for the project ADC will name."""
    return f"/projects/{ADC_PROJECT}/" in url


def endpoint_for(settings: GoogleSettings, model: ModelInfo) -> tuple[Endpoint, Adjustment | None]:
    """The endpoint for one model, and the :class:`~limner.Adjustment` when the configured Vertex
    location had to change.

    The notes give one Vertex location for the Gemini image models: "Gemini 3 image models are
    served at ``location=global`` (``https://aiplatform.googleapis.com/``)" [shared/providers/
    google.md §(c) Endpoints, citing SKILL; pydantic-ai's real Vertex recordings call
    ``.../locations/global/...``]. They document no regional endpoint for these models, so a call
    sent to ``us-central1`` as configured would be a guess: a model whose
    ``capabilities.regions`` offers ``global`` but not the configured location goes to ``global``
    (the configured project, API version and base-URL override are kept) and the change is
    reported. Express mode and the Gemini API have no location; models that list no regions
    (Imagen) go where configured.
    """
    place = endpoint(settings)
    regions = model.capabilities.regions
    if place.location is None or place.location in regions or "global" not in regions:
        return place, None
    moved = endpoint(settings.model_copy(update={"location": "global"}))
    return moved, Adjustment(
        param="location",
        requested=place.location,
        applied="global",
        reason=f"{model.id} is served on Vertex AI at location 'global'; no regional "
        "endpoint is documented for it",
    )


def _vertex_host(location: str) -> str:
    if location == "global":
        return "https://aiplatform.googleapis.com"
    if location in MULTI_REGIONS:
        return f"https://aiplatform.{location}.rep.googleapis.com"
    return f"https://{location}-aiplatform.googleapis.com"
