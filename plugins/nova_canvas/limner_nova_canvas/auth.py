"""Credentials for Bedrock Runtime: a Bedrock API key (bearer) or SigV4 with botocore.

Order: ``api_key`` (``AWS_BEARER_TOKEN_BEDROCK``) → ``Authorization: Bearer``, no botocore;
explicit keys (``aws_access_key_id``/``aws_secret_access_key``/``aws_session_token``, from the
client or ``AWS_ACCESS_KEY_ID``/...) → SigV4; otherwise botocore's credential chain (profiles,
SSO, container and instance roles), resolved once and refreshed by botocore as it expires.

SigV4 signs exactly what core sends: the URL verbatim (the model id already percent-encoded),
the JSON body as ``WireRequest.json_bytes()`` and every header set so far. Signing is botocore's
``SigV4Auth`` with signing name ``bedrock`` [nova-canvas.md §1]; nothing here hand-rolls it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import importlib.util
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from limner import InvalidRequestError, MissingCredentialsError, ProviderSetting, WireRequest
from limner.credential_notes import note_missing

from .models import PROVIDER
from .settings import NovaCanvasSettings, is_loopback

if TYPE_CHECKING:
    from botocore.credentials import Credentials

__all__ = [
    "SIGNED_CREDENTIAL_HEADERS",
    "SIGNING_NAME",
    "AwsKeys",
    "CredentialChain",
    "authorize_request",
    "sign_sigv4",
]

SIGNING_NAME = "bedrock"
SIGNED_CREDENTIAL_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token")
INSTALL_HINT = (
    "SigV4 signing needs botocore: pip install 'limner-nova-canvas[aws]' (or set "
    "AWS_BEARER_TOKEN_BEDROCK to use a Bedrock API key, which needs no botocore)"
)
DRY_RUN_TOKEN = "bedrock-api-key-dry-run"


@dataclass(frozen=True)
class AwsKeys:
    """Frozen credentials for one signature (never shown: ``repr`` hides them)."""

    access_key: str
    secret_key: str
    token: str | None = None

    def __repr__(self) -> str:
        return "AwsKeys(<redacted>)"


def _missing(detail: str) -> MissingCredentialsError:
    return MissingCredentialsError(
        f"No AWS credential for Bedrock: {detail}. Set AWS_BEARER_TOKEN_BEDROCK (a Bedrock API "
        "key), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / an SSO or "
        "instance role (botocore's chain)",
        param="api_key",
        provider=PROVIDER,
        setting=ProviderSetting(PROVIDER, "api_key"),
    )


_SIGNING: contextvars.ContextVar[bool] = contextvars.ContextVar("nova_signing", default=False)


class _QuietWhileSigning(logging.Filter):
    """Drops ``botocore.auth``'s debug lines while limner signs: its canonical request quotes
    the ``x-amz-security-token`` header. botocore's own signing (boto3 in the same process)
    still logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _SIGNING.get()


logging.getLogger("botocore.auth").addFilter(_QuietWhileSigning())  # once, on import


def sign_sigv4(request: WireRequest, keys: AwsKeys, region: str) -> WireRequest:
    """``request`` with botocore's SigV4 headers (``authorization``, ``x-amz-date`` and, with a
    session token, ``x-amz-security-token``), the credential ones marked secret."""
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError as exc:
        raise MissingCredentialsError(INSTALL_HINT, param="api_key", provider=PROVIDER) from exc
    body = request.json_bytes() if request.json is not None else (request.content or b"")
    unsigned = {k: v for k, v in request.headers.items() if k not in SIGNED_CREDENTIAL_HEADERS}
    aws = AWSRequest(method=request.method, url=request.url, data=body, headers=unsigned)
    credentials = Credentials(keys.access_key, keys.secret_key, keys.token)
    signing = _SIGNING.set(True)
    try:
        SigV4Auth(credentials, SIGNING_NAME, region).add_auth(aws)
    finally:
        _SIGNING.reset(signing)
    signed = {name.lower(): str(value) for name, value in aws.headers.items()}
    date = {"x-amz-date": signed["x-amz-date"]}
    secret: dict[str, str] = {
        name: signed[name] for name in ("authorization", "x-amz-security-token") if name in signed
    }
    return request.with_headers(date).with_headers(secret, secret=True)


_CHAIN_OFF = (
    "no key is set and credential_chain is off (a client given its own environ= leaves "
    "botocore's chain, which reads the machine's environment and ~/.aws, off unless "
    "credential_chain=True)"
)


class CredentialChain:
    """botocore's credential chain, resolved once per profile and shared across threads
    (botocore refreshes temporary credentials itself), until :meth:`forget` drops a profile's
    (Bedrock refused them: a file rewritten with fresh keys is read again)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._resolved: dict[str | None, Credentials] = {}

    def forget(self, profile: str | None) -> None:
        """Resolve ``profile``'s credentials again on the next call."""
        with self._lock:
            self._resolved.pop(profile, None)

    def keys(self, profile: str | None) -> AwsKeys:
        try:
            import botocore.exceptions
            import botocore.session
        except ImportError as exc:
            raise MissingCredentialsError(INSTALL_HINT, param="api_key", provider=PROVIDER) from exc
        with self._lock:
            credentials = self._resolved.get(profile)
            if credentials is None:
                try:
                    session = botocore.session.Session(profile=profile)
                    found = session.get_credentials()
                except botocore.exceptions.BotoCoreError as exc:
                    raise _missing(f"botocore's chain failed ({exc})") from exc
                if found is None:
                    raise _missing("botocore's credential chain found none")
                credentials = self._resolved[profile] = found
        try:
            frozen = credentials.get_frozen_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise _missing(f"refreshing the credentials failed ({exc})") from exc
        if not frozen.access_key or not frozen.secret_key:
            raise _missing("botocore's credential chain gave an incomplete key")
        return AwsKeys(frozen.access_key, frozen.secret_key, frozen.token)


def _explicit_keys(settings: NovaCanvasSettings) -> AwsKeys:
    key_id, secret = settings.aws_access_key_id, settings.aws_secret_access_key
    if key_id is None or secret is None:
        missing = "aws_access_key_id" if key_id is None else "aws_secret_access_key"
        raise _missing(f"{missing} is not set (AWS_ACCESS_KEY_ID needs AWS_SECRET_ACCESS_KEY)")
    token = settings.aws_session_token
    return AwsKeys(
        key_id.get_secret_value(),
        secret.get_secret_value(),
        token.get_secret_value() if token is not None else None,
    )


@functools.cache
def _can_sign() -> bool:
    """Whether botocore, which signs, is installed (found, not imported: a dry run stays
    cheap)."""
    return importlib.util.find_spec("botocore") is not None


def authorize_request(
    request: WireRequest,
    settings: NovaCanvasSettings,
    chain: CredentialChain,
    *,
    dry_run: bool = False,
) -> WireRequest:
    """Add Bedrock credentials to ``request``. A dry run touches neither the chain nor botocore:
    it shows the same headers with placeholder values (credentials shown as ``<redacted>``)."""
    if settings.api_key is not None:
        if not request.url.startswith("https://") and not is_loopback(request.url):
            raise InvalidRequestError(
                "a Bedrock API key is sent in clear text: the endpoint must be https",
                param=f"providers.{PROVIDER}.base_url",
            )
        token = DRY_RUN_TOKEN if dry_run else settings.api_key.get_secret_value()
        return request.with_headers({"authorization": f"Bearer {token}"}, secret=True)
    if dry_run:  # what a real call would fail on first, noted as a missing credential is
        try:
            if settings.has_keys():  # half a pair
                _explicit_keys(settings)
            elif not settings.credential_chain:
                raise _missing(_CHAIN_OFF)
            if not _can_sign():  # then signing, which needs botocore
                raise MissingCredentialsError(INSTALL_HINT, param="api_key", provider=PROVIDER)
        except MissingCredentialsError as lacking:
            note_missing(lacking)
        now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        secret = {"authorization": "AWS4-HMAC-SHA256 <dry run>"}
        if settings.aws_session_token is not None:
            secret["x-amz-security-token"] = "<dry run>"
        return request.with_headers({"x-amz-date": now}).with_headers(secret, secret=True)
    if settings.has_keys():
        keys = _explicit_keys(settings)
    elif settings.credential_chain:
        keys = chain.keys(settings.profile)
    else:
        raise _missing(_CHAIN_OFF)
    return sign_sigv4(request, keys, settings.signing_region())
