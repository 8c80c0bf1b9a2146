"""The settings model every provider's settings derive from: credentials and endpoint, with the
checks that keep secrets out of URLs and HTTP headers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationInfo, field_validator

__all__ = ["ProviderSetting", "ProviderSettings"]


@dataclass(frozen=True)
class ProviderSetting:
    """A client setting that would fix an error: Python passes it as
    ``providers={provider: {name: example}}``. The command line and the gateway read settings
    from the environment only, which the error's message names."""

    provider: str
    name: str
    example: str = "..."

    def python(self) -> str:
        """How to pass it from Python."""
        return (
            f"pass providers={{{self.provider!r}: {{{self.name!r}: {self.example}}}}} "
            "to limner.Client or AsyncClient"
        )


class ProviderSettings(BaseModel):
    """Credentials and endpoint for one provider. Subclass to add fields; secrets are ``SecretStr``
    so they never show in reprs or logs. No URL setting (``base_url`` or a subclass's) may carry
    credentials (``user:password@``): they would show wherever the URL does."""

    # hide_input_in_errors: a refused value may hold a secret (pydantic would quote it)
    model_config = ConfigDict(extra="forbid", defer_build=True, hide_input_in_errors=True)

    api_key: SecretStr | None = None
    base_url: str | None = None

    @field_validator("*")
    @classmethod
    def _no_credentials_in_urls(cls, value: Any) -> Any:
        if isinstance(value, str) and "://" in value and "@" in _authority(value):
            raise ValueError(
                "a URL may not carry credentials (user:password@): they would show in logs, "
                "errors and dry runs; give the URL without them and put the key in api_key"
            )
        return value

    multiline_secrets: ClassVar[frozenset[str]] = frozenset()
    """Secret fields that may hold line breaks (a PEM key); the others go into HTTP headers or
    signatures, which cannot hold one."""

    @field_validator("*")
    @classmethod
    def _trimmed_secrets(cls, value: Any, info: ValidationInfo) -> Any:
        """A secret without the spaces and line break around it (a key file read whole ends in
        one, and an HTTP header cannot hold it), as the providers' SDKs trim keys. A blank one
        is no secret: unset, where the field may be."""
        if not isinstance(value, SecretStr):
            return value
        secret = value.get_secret_value().strip()
        name = info.field_name or ""
        if name not in cls.multiline_secrets and any(
            ord(char) < 32 or ord(char) == 127 for char in secret
        ):
            raise ValueError("holds a control character (a line break?): give the secret alone")
        if not secret and not cls.model_fields[name].is_required():
            return None
        return SecretStr(secret)

    @field_validator("*")
    @classmethod
    def _http_url(cls, value: Any, info: ValidationInfo) -> Any:
        """``base_url``, and any setting named ``..._url`` (a plugin's ``upload_base_url``, say): an
        http(s) URL with a host and a valid port, and no query or fragment."""
        name = info.field_name or ""
        if not isinstance(value, str) or not (name == "base_url" or name.endswith("_url")):
            return value
        shown = value.split("?", 1)[0].split("#", 1)[0]  # a query may hold a key
        if not value.lower().startswith(("https://", "http://")):
            raise ValueError(
                f"{shown!r} is not an http(s) URL: give the scheme too, such as "
                "https://api.example.com/v1"
            )
        if "?" in value or "#" in value:  # not quoted: it may hold a key
            raise ValueError(
                "a base URL takes no query or fragment (?... or #...): limner adds the API's "
                "paths to it; put a key in api_key"
            )
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (reading it checks it: out of range, not a number)
        except ValueError as exc:
            raise ValueError(f"{shown!r} is not a valid URL ({exc})") from None
        if not parts.hostname:
            raise ValueError(f"{shown!r} names no host, such as https://api.example.com/v1")
        return value


# The three records below (and wire.WireRequest, wire.WireResponse) are frozen dataclasses built
# for every provider call. Their __init__ is written out: the generated one of a frozen dataclass
# makes one object.__setattr__ call per field, several times slower than filling __dict__ at
# once. tests/core/test_core_records.py holds each __init__ to its fields (names, order,
# defaults).


def _authority(url: str) -> str:
    """The ``user:password@host:port`` part of ``url`` (empty when it has none)."""
    after_scheme = url.split("://", 1)[1]
    for end in "/?#":
        after_scheme = after_scheme.split(end, 1)[0]
    return after_scheme
