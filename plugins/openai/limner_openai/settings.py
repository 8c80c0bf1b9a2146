"""Credentials and endpoint for the OpenAI provider."""

from __future__ import annotations

from limner import ProviderSettings

__all__ = ["DEFAULT_BASE_URL", "OpenAISettings"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAISettings(ProviderSettings):
    """``api_key`` and ``base_url``, plus the optional organization and project ids the official
    SDK sends as ``OpenAI-Organization`` and ``OpenAI-Project`` headers."""

    organization: str | None = None
    project: str | None = None

    def api_base(self) -> str:
        """The base URL without a trailing slash."""
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")
