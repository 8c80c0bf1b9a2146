"""Credentials, region and endpoint for Bedrock Runtime."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urlsplit

from pydantic import Field, SecretStr, field_validator

from limner import ProviderSettings

__all__ = ["DEFAULT_REGION", "NovaCanvasSettings", "invoke_url", "is_loopback"]

DEFAULT_REGION = "us-east-1"


_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


class NovaCanvasSettings(ProviderSettings):
    """Bedrock Runtime settings, as ``providers={"amazon": {...}}`` or from the environment.

    ``api_key`` is a Bedrock API key (``AWS_BEARER_TOKEN_BEDROCK``), sent as
    ``Authorization: Bearer`` without signing; otherwise requests are SigV4-signed with
    ``aws_access_key_id``/``aws_secret_access_key``/``aws_session_token`` when set, else with
    botocore's credential chain (``profile``, SSO, instance roles). ``base_url`` overrides the
    endpoint (``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``).
    """

    region: str | None = None
    profile: str | None = None
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None
    credential_chain: bool = Field(
        default=True, description="fall back on botocore's credential chain when no key is set"
    )
    model_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Bedrock model id or ARN to invoke per model (keyed by its Bedrock id, its "
        "limner id or an alias), e.g. a successor model, an inference profile or a "
        "provisioned-throughput ARN",
    )

    @field_validator("region")
    @classmethod
    def _a_region(cls, value: str | None) -> str | None:
        """A region is part of the endpoint's host name and of the signature's scope."""
        if value is not None and not _REGION.fullmatch(value):
            raise ValueError(f"{value!r} is no AWS region: give one such as us-east-1 or eu-west-1")
        return value

    def signing_region(self) -> str:
        return self.region or DEFAULT_REGION

    def endpoint(self) -> str:
        """The endpoint without a trailing slash (endpoint rules: ``bedrock-runtime.{Region}``
        on the partition's DNS suffix)."""
        if self.base_url:
            return self.base_url.rstrip("/")
        region = self.signing_region()
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        return f"https://bedrock-runtime.{region}.{suffix}"

    def has_keys(self) -> bool:
        return self.aws_access_key_id is not None or self.aws_secret_access_key is not None


def invoke_url(settings: NovaCanvasSettings, model_id: str) -> str:
    """``{endpoint}/model/{modelId}/invoke`` with the id percent-encoded as one path segment
    (``:`` → ``%3A``), exactly as botocore renders the ``modelId`` label."""
    return f"{settings.endpoint()}/model/{quote(model_id, safe='')}/invoke"


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
