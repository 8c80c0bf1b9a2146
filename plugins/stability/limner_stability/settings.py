"""Credentials and endpoint for the Stability AI provider."""

from __future__ import annotations

from limner import ProviderSettings

__all__ = ["DEFAULT_BASE_URL", "StabilitySettings", "api_base"]

DEFAULT_BASE_URL = "https://api.stability.ai"


class StabilitySettings(ProviderSettings):
    """``api_key`` (``STABILITY_API_KEY``) and ``base_url`` (``STABILITY_BASE_URL``, default
    ``https://api.stability.ai``; the ``/v2beta/...`` paths are appended). Client settings go
    under either spelling, ``providers={"stabilityai": {...}}`` or ``providers={"stability":
    {...}}``; given both, a call is refused (neither would win in silence)."""


def api_base(settings: ProviderSettings) -> str:
    """The base URL without a trailing slash."""
    return (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
