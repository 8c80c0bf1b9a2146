"""The Amazon Bedrock provider for Nova Canvas: ties models, translation, parsing and
credentials together."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel

from limner import (
    AuthenticationError,
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

from .auth import CredentialChain, authorize_request
from .errors import parse_error
from .models import MODELS, PROVIDER
from .options import NovaCanvasOptions
from .responses import parse_invoke_response
from .settings import NovaCanvasSettings
from .translate import translate_call

__all__ = ["NovaCanvasProvider"]


class NovaCanvasProvider(Provider):
    """Amazon Nova Canvas through Bedrock Runtime ``InvokeModel``."""

    name: ClassVar[str] = PROVIDER
    display_name: ClassVar[str] = "Amazon Bedrock"
    aliases: ClassVar[tuple[str, ...]] = ("nova_canvas",)
    settings_model: ClassVar[type[ProviderSettings]] = NovaCanvasSettings
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "api_key": ("AWS_BEARER_TOKEN_BEDROCK",),
        "base_url": ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"),
        "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
        "profile": ("AWS_PROFILE",),
        "aws_access_key_id": ("AWS_ACCESS_KEY_ID",),
        "aws_secret_access_key": ("AWS_SECRET_ACCESS_KEY",),
        "aws_session_token": ("AWS_SESSION_TOKEN",),
    }
    options_model: ClassVar[type[BaseModel] | None] = NovaCanvasOptions
    credential_headers: ClassVar[frozenset[str]] = frozenset(
        {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}
    )
    authorize_blocks: ClassVar[bool] = True  # botocore's chain may refresh over the network

    def __init__(self) -> None:
        self._chain = CredentialChain()

    def models(self) -> list[ModelInfo]:
        return list(MODELS)

    def translate(self, call: ProviderCall) -> Translation:
        return translate_call(call)

    def parse_response(self, call: ProviderCall, response: WireResponse) -> ProviderResult:
        return parse_invoke_response(call, response)

    def parse_error(self, call: ProviderCall, response: WireResponse) -> LimnerError:
        error = parse_error(call, response)
        if isinstance(error, AuthenticationError):  # expired or refused: read them again next
            profile = getattr(call.settings, "profile", None)  # time, as a new boto3 client does
            self._chain.forget(profile if isinstance(profile, str) else None)
        return error

    def authorize(
        self, request: WireRequest, settings: ProviderSettings, *, dry_run: bool = False
    ) -> WireRequest:
        if not isinstance(settings, NovaCanvasSettings):
            settings = NovaCanvasSettings.model_validate(settings.model_dump())
        return authorize_request(request, settings, self._chain, dry_run=dry_run)

    def load_settings(
        self, overrides: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> ProviderSettings:
        """Settings from ``overrides``, then the environment (but keys given in ``overrides``
        take no session token from the environment, and a ``profile`` given there without keys
        takes no keys from it: botocore's explicit profile passes over the environment's keys,
        so both sign as the profile's identity); the region falls back on the
        profile's (``~/.aws/config``) when botocore is installed and the chain is in use, with a
        custom endpoint too (botocore signs for the profile's region whatever the endpoint)."""
        settings = super().load_settings(overrides, environ)
        assert isinstance(settings, NovaCanvasSettings)
        own_environ = environ is not None and environ is not os.environ
        if own_environ and "credential_chain" not in overrides and settings.profile is None:
            # botocore's chain reads the process's environment and ~/.aws, which a client given
            # its own environ (environ={} in tests, say) keeps out: on only when asked, or when
            # a profile is named (the chain is the only way to read one)
            settings = settings.model_copy(update={"credential_chain": False})
        if "aws_access_key_id" in overrides and "aws_session_token" not in overrides:
            # keys given in code are a set of their own: an AWS_SESSION_TOKEN left in the
            # environment (an older session's) is not theirs, as boto3 decides too
            settings = settings.model_copy(update={"aws_session_token": None})
        if overrides.get("profile") is not None and overrides.get("aws_access_key_id") is None:
            keys = dict.fromkeys(
                ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
            )
            settings = settings.model_copy(update=keys)
        if settings.region is None and settings.credential_chain:
            region = _profile_region(settings.profile)
            if region is not None:
                settings = settings.model_copy(update={"region": region})
        return settings


def _profile_region(profile: str | None) -> str | None:
    try:
        import botocore.exceptions
        import botocore.session
    except ImportError:
        return None
    try:
        region = botocore.session.Session(profile=profile).get_config_variable("region")
    except botocore.exceptions.BotoCoreError:
        return None
    return region if isinstance(region, str) and region else None
