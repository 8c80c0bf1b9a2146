"""Auth: SigV4 against botocore's own InvokeModel, the percent-encoded path on the wire, bearer
keys, re-signing per attempt, dry runs without credentials, and no secret in any output."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

import pytest

import limner
from limner_nova_canvas import NovaCanvasProvider

from .conftest import MakeCall
from .support import (
    ACCESS_KEY,
    CANVAS,
    KEYS,
    RAW_PATH,
    SECRET_KEY,
    SESSION_TOKEN,
    BedrockServer,
    aws_error,
    client,
    expected_signature,
    images_reply,
)


class _Stop(Exception):
    pass


def boto3_request(body: bytes, token: str | None) -> Any:
    """What boto3's own bedrock-runtime client sends for InvokeModel (captured before sending)."""
    import boto3  # type: ignore[import-untyped]

    captured: list[Any] = []

    def grab(request: Any, **kwargs: Any) -> None:
        captured.append(request)
        raise _Stop

    runtime = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=token,
    )
    runtime.meta.events.register("before-send.bedrock-runtime.InvokeModel", grab)
    with pytest.raises(_Stop):
        runtime.invoke_model(
            modelId="amazon.nova-canvas-v1:0",
            body=body,
            contentType="application/json",
            accept="application/json",
        )
    return captured[0]


@pytest.mark.parametrize("token", [None, SESSION_TOKEN])
def test_sigv4_matches_boto3_invoke_model(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    fixed_clock: dt.datetime,
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    monkeypatch.delenv("AWS_BEARER_TOKEN_BEDROCK", raising=False)
    extra = {"aws_session_token": token} if token else {}
    settings = provider.load_settings({"region": "us-east-1", **KEYS, **extra}, {})
    wire = provider.translate(make_call(prompt="a fox on the moon", n=2, seed=5)).request
    signed = provider.authorize(wire, settings)
    oracle = boto3_request(wire.json_bytes(), token)
    assert signed.url == oracle.url
    # boto3 was handed limner's body (the oracle here is the URL and the signature, not the
    # body): what limner signs must be those bytes, unchanged by authorize
    assert signed.json_bytes() == oracle.body
    theirs = {
        k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in oracle.headers.items()
    }
    assert signed.headers["x-amz-date"] == theirs["x-amz-date"] == "20260102T030405Z"
    assert signed.headers["authorization"] == theirs["authorization"]
    assert signed.headers.get("x-amz-security-token") == theirs.get("x-amz-security-token")
    assert "SignedHeaders=accept;content-type;host;x-amz-date" in signed.headers["authorization"]
    # The same canonical request, with the path double-encoded as AWS expects (%3A → %253A).
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, token), "bedrock", "us-east-1")
    names = signed.headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    names.remove("host")
    ours = AWSRequest(
        "POST", signed.url, {n: signed.headers[n] for n in names}, data=signed.json_bytes()
    )
    boto = AWSRequest("POST", oracle.url, {n: theirs[n] for n in names}, data=oracle.body)
    ours.context["timestamp"] = boto.context["timestamp"] = "20260102T030405Z"
    canonical = signer.canonical_request(ours)
    assert canonical == signer.canonical_request(boto)
    assert canonical.splitlines()[1] == "/model/amazon.nova-canvas-v1%253A0/invoke"
    assert signed.secret_headers >= {"authorization"} | (
        {"x-amz-security-token"} if token else set()
    )


async def test_server_receives_the_encoded_path_and_a_valid_signature(
    bedrock: BedrockServer, fixed_clock: dt.datetime
) -> None:
    async with client(bedrock, aws_session_token=SESSION_TOKEN) as limner_client:
        result = await limner_client.images.generate(model=CANVAS, prompt="a fox")
    [received] = bedrock.received
    assert received.raw_path == RAW_PATH
    assert received.method == "POST"
    assert received.json == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a fox"},
        "imageGenerationConfig": {"numberOfImages": 1},
    }
    assert received.headers["x-amz-security-token"] == SESSION_TOKEN
    assert received.headers["authorization"] == expected_signature(received, bedrock.url)
    assert len(result.data) == 1


async def test_botocore_logs_no_session_token_while_limner_signs(
    bedrock: BedrockServer, fixed_clock: dt.datetime, caplog: pytest.LogCaptureFixture
) -> None:
    """botocore.auth logs the canonical request it signs, session token included, at DEBUG:
    those lines are dropped while limner signs, and only then."""
    caplog.set_level(logging.DEBUG)
    async with client(bedrock, aws_session_token=SESSION_TOKEN) as limner_client:
        await limner_client.images.generate(model=CANVAS, prompt="a fox")
    assert bedrock.received[0].headers["x-amz-security-token"] == SESSION_TOKEN  # it was signed
    assert SESSION_TOKEN not in caplog.text
    assert SECRET_KEY not in caplog.text
    caplog.clear()
    boto3_request(b"{}", SESSION_TOKEN)  # botocore signing for itself still logs
    assert "CanonicalRequest" in caplog.text


async def test_retries_re_sign_with_a_fresh_date(
    bedrock: BedrockServer, ticking_clock: list[dt.datetime]
) -> None:
    bedrock.reply(
        aws_error(429, "ThrottlingException", "Too many requests, please wait"),
        aws_error(503, "ServiceUnavailableException", "Service unavailable"),
        images_reply(1),
    )
    async with client(bedrock) as limner_client:
        result = await limner_client.images.generate(model=CANVAS, prompt="a fox")
    assert len(result.data) == 1
    assert len(bedrock.received) == 3
    dates = [r.headers["x-amz-date"] for r in bedrock.received]
    assert dates == ["20260102T030405Z", "20260102T030406Z", "20260102T030407Z"]
    signatures = {r.headers["authorization"] for r in bedrock.received}
    assert len(signatures) == 3
    for received in bedrock.received:
        assert received.headers["authorization"] == expected_signature(received, bedrock.url)


async def test_bearer_token_mode(bedrock: BedrockServer) -> None:
    async with limner.AsyncClient(
        providers={"amazon": {"base_url": bedrock.url, "region": "us-east-1"}},
        allow_private_networks=True,
        environ={"AWS_BEARER_TOKEN_BEDROCK": "bedrock-api-key-123"},
    ) as limner_client:
        await limner_client.images.generate(model=CANVAS, prompt="a fox")
    [received] = bedrock.received
    assert received.headers["authorization"] == "Bearer bedrock-api-key-123"
    assert "x-amz-date" not in received.headers
    assert received.raw_path == RAW_PATH


def test_bearer_refuses_plain_http_to_a_remote_host(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    settings = provider.load_settings({"api_key": "k", "base_url": "http://example.com"}, {})
    wire = provider.translate(make_call(prompt="x", settings=settings)).request
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.authorize(wire, settings)
    assert caught.value.param == "providers.amazon.base_url"
    assert "k" not in str(caught.value).split(":")[-1].split()


def test_bearer_needs_no_botocore(
    provider: NovaCanvasProvider, make_call: MakeCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "botocore" or m.startswith("botocore.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)
    bearer = provider.load_settings({"api_key": "key-1", "region": "us-east-1"}, {})
    wire = provider.translate(make_call(prompt="x", settings=bearer)).request
    assert provider.authorize(wire, bearer).headers["authorization"] == "Bearer key-1"
    keys = provider.load_settings({"region": "us-east-1", **KEYS}, {})
    with pytest.raises(limner.MissingCredentialsError) as caught:
        provider.authorize(wire, keys)
    assert "pip install 'limner-nova-canvas[aws]'" in caught.value.message
    assert "AWS_BEARER_TOKEN_BEDROCK" in caught.value.message


async def test_a_dry_run_without_botocore_says_a_signed_call_would_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It showed the signed headers without a word, and the real call then failed."""
    from limner_nova_canvas import auth

    monkeypatch.setattr(auth, "_can_sign", lambda: False)  # (found nowhere)
    given = {"amazon": {"region": "us-east-1", **KEYS}}
    async with limner.AsyncClient(providers=given, environ={}) as client:
        plan = await client.images.generate(
            model="amazon/amazon.nova-canvas-v1:0", prompt="x", dry_run=True
        )
    (said,) = [w.message for w in plan.warnings if w.code == "missing_credentials"]
    assert "pip install 'limner-nova-canvas[aws]'" in said
    bearer = {"amazon": {"region": "us-east-1", "api_key": "key-1"}}  # needs no botocore
    async with limner.AsyncClient(providers=bearer, environ={}) as client:
        plan = await client.images.generate(
            model="amazon/amazon.nova-canvas-v1:0", prompt="x", dry_run=True
        )
    assert [w for w in plan.warnings if w.code == "missing_credentials"] == []


def test_missing_credentials_names_the_ways(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    settings = provider.load_settings({"region": "us-east-1", "credential_chain": False}, {})
    wire = provider.translate(make_call(prompt="x", settings=settings)).request
    with pytest.raises(limner.MissingCredentialsError) as caught:
        provider.authorize(wire, settings)
    for name in ("AWS_BEARER_TOKEN_BEDROCK", "AWS_ACCESS_KEY_ID", "AWS_PROFILE"):
        assert name in caught.value.message
    assert "providers=" not in caught.value.message  # what the command line and gateway show
    assert caught.value.setting == limner.ProviderSetting("amazon", "api_key")
    half = provider.load_settings({"aws_access_key_id": "AKID", "region": "eu-west-1"}, {})
    with pytest.raises(limner.MissingCredentialsError, match="aws_secret_access_key"):
        provider.authorize(wire, half)


async def test_a_dry_run_without_keys_or_the_chain_says_a_call_would_lack_them() -> None:
    """Found offline: the dry run's warning, and the client's missing_credentials() (which
    limner serve prints at start)."""
    given = {"amazon": {"region": "us-east-1", "credential_chain": False}}
    async with limner.AsyncClient(providers=given, environ={}) as client:
        plan = await client.images.generate(
            model="amazon/amazon.nova-canvas-v1:0", prompt="x", dry_run=True
        )
        lacking = [e for e in client.missing_credentials() if e.provider == "amazon"]
    assert [w.code for w in plan.warnings if w.code == "missing_credentials"] == [
        "missing_credentials"
    ]
    assert [e.message.split(".")[0] for e in lacking] == [
        "No AWS credential for Bedrock: no key is set and credential_chain is off (a client "
        "given its own environ= leaves botocore's chain, which reads the machine's environment "
        "and ~/"
    ]
    half = {"AWS_ACCESS_KEY_ID": "AKIA0123456789", "AWS_REGION": "us-east-1"}
    async with limner.AsyncClient(environ=half) as client:
        lacking = [e for e in client.missing_credentials() if e.provider == "amazon"]
    assert len(lacking) == 1 and "aws_secret_access_key" in lacking[0].message


def test_credential_chain_reads_the_environment(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    fixed_clock: dt.datetime,
) -> None:
    """Without keys in the settings, botocore's chain resolves them (here from its env
    provider; config files pointed at nothing, instance metadata off)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIDCHAIN",
        "AWS_SECRET_ACCESS_KEY": "chain-secret",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    fresh = NovaCanvasProvider()
    # limner's environ: empty (a client given environ= uses the chain only when asked)
    settings = fresh.load_settings({"region": "us-east-1", "credential_chain": True}, {})
    wire = fresh.translate(make_call(prompt="x", settings=settings)).request
    signed = fresh.authorize(wire, settings)
    assert signed.headers["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDCHAIN/20260102/us-east-1/bedrock/aws4_request"
    )


def test_keys_given_in_code_take_no_session_token_from_the_environment(
    provider: NovaCanvasProvider,
) -> None:
    environ = {"AWS_SESSION_TOKEN": "old-session-token", "AWS_REGION": "us-east-1"}
    given = {"aws_access_key_id": "AKIDNEW", "aws_secret_access_key": "new-secret"}
    settings = provider.load_settings(given, environ)
    assert settings.aws_session_token is None  # type: ignore[attr-defined]
    with_token = provider.load_settings({**given, "aws_session_token": "mine"}, environ)
    assert with_token.aws_session_token.get_secret_value() == "mine"  # type: ignore[attr-defined]
    from_env = provider.load_settings(
        {}, {**environ, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"}
    )
    assert from_env.aws_session_token.get_secret_value() == "old-session-token"  # type: ignore[attr-defined]


def test_a_custom_endpoint_is_signed_for_the_profile_region(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    fixed_clock: dt.datetime,
) -> None:
    """botocore signs for the profile's region whatever the endpoint, so limner does too."""
    config = tmp_path / "config"
    config.write_text("[profile work]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    endpoint = "https://vpce-0abc.bedrock-runtime.eu-west-1.vpce.amazonaws.com"
    settings = provider.load_settings(
        {
            "base_url": endpoint,
            "credential_chain": True,
            "profile": "work",
            "aws_access_key_id": "AKIDEXAMPLE",
            "aws_secret_access_key": "secret",
        },
        {},
    )
    translation = provider.translate(make_call(prompt="x", settings=settings))
    assert translation.request.url.startswith(f"{endpoint}/model/")
    assert translation.warnings == ()
    signed = provider.authorize(translation.request, settings)
    assert signed.headers["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/eu-west-1/bedrock/aws4_request"
    )


def test_a_profile_given_in_code_signs_as_the_profile_as_boto3_does(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    fixed_clock: dt.datetime,
) -> None:
    """boto3's ``Session(profile_name=...)`` passes over the keys in the environment: limner
    given a profile signs with the profile's keys too, not with the environment's beside the
    profile's region (two identities in one request). AWS_PROFILE from the environment leaves
    the environment's keys first, as botocore's chain does."""
    import botocore.session

    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[dev]\naws_access_key_id = AKIAPROFILEDEV\naws_secret_access_key = profile-secret\n"
    )
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = eu-west-1\n")
    environ = {
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_CONFIG_FILE": str(config),
        "AWS_ACCESS_KEY_ID": "AKIAENVKEY",
        "AWS_SECRET_ACCESS_KEY": "env-secret",
        "AWS_SESSION_TOKEN": "env-token",
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    oracle = botocore.session.Session(profile="dev").get_credentials()
    assert oracle is not None and oracle.access_key == "AKIAPROFILEDEV"

    settings = provider.load_settings({"profile": "dev", "credential_chain": True}, environ)
    signed = provider.authorize(
        provider.translate(make_call(prompt="x", settings=settings)).request, settings
    )
    assert signed.headers["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=AKIAPROFILEDEV/20260102/eu-west-1/bedrock/aws4_request"
    )
    assert "x-amz-security-token" not in signed.headers  # the environment's token is not its
    from_env = provider.load_settings({}, {**environ, "AWS_PROFILE": "dev"})
    assert from_env.aws_access_key_id.get_secret_value() == "AKIAENVKEY"  # type: ignore[attr-defined]


async def test_dry_run_needs_no_credentials_and_hides_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import botocore.session

    def forbidden(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a dry run touched the credential chain")

    monkeypatch.setattr(botocore.session.Session, "get_credentials", forbidden)
    async with limner.AsyncClient(
        providers={"amazon": {"region": "eu-west-1", "aws_session_token": "tok-secret"}},
        environ={},
    ) as limner_client:
        plan = await limner_client.images.generate(
            model=CANVAS, prompt="a fox", n=7, quality="premium", dry_run=True
        )
    assert len(plan.requests) == 2
    first = plan.requests[0]
    assert first["url"] == (
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/amazon.nova-canvas-v1%3A0/invoke"
    )
    assert first["headers"]["authorization"] == "<redacted>"
    assert first["headers"]["x-amz-security-token"] == "<redacted>"
    assert len(first["headers"]["x-amz-date"]) == 16
    assert first["json"]["imageGenerationConfig"]["numberOfImages"] == 5
    assert plan.estimated_cost_usd == limner.money.to_usd("0.42")
    assert "tok-secret" not in plan.model_dump_json()


def test_secrets_never_in_reprs_or_errors(
    provider: NovaCanvasProvider, make_call: MakeCall, fixed_clock: dt.datetime
) -> None:
    settings = provider.load_settings(
        {"region": "us-east-1", **KEYS, "aws_session_token": SESSION_TOKEN, "api_key": None}, {}
    )
    signed = provider.authorize(provider.translate(make_call(prompt="x")).request, settings)
    shown = repr(settings) + repr(signed) + json.dumps(signed.describe())
    for secret in (SECRET_KEY, SESSION_TOKEN, signed.headers["authorization"].split("=")[-1]):
        assert secret not in shown


def test_credentials_bedrock_refuses_are_read_again_on_the_next_call(
    make_call: MakeCall,
) -> None:
    """A profile's expired session keys, rewritten in ~/.aws/credentials, were used for the rest
    of the process: the chain kept them, though the error said to refresh them and retry."""
    fresh = NovaCanvasProvider()
    chain = fresh._chain
    for profile in ("work", None):
        chain._resolved[profile] = object()  # type: ignore[assignment]
    settings = fresh.load_settings({"profile": "work", "region": "us-east-1"})
    expired = limner.WireResponse(
        403,
        {"x-amzn-errortype": "ExpiredTokenException:http://internal.amazon.com/"},
        b'{"message": "The security token included in the request is expired"}',
    )
    error = fresh.parse_error(make_call(prompt="x", settings=settings), expired)
    assert isinstance(error, limner.AuthenticationError)
    assert set(chain._resolved) == {None}


async def test_a_client_given_its_own_environ_does_not_sign_with_the_machines_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """botocore's chain reads the process's environment and ~/.aws: environ={} keeps them out
    (the chain is on again with credential_chain=True)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAMACHINE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "machine-secret")
    given = {"amazon": {"region": "us-east-1", "base_url": "https://bedrock.invalid"}}
    async with limner.AsyncClient(providers=given, environ={}) as client:
        with pytest.raises(limner.MissingCredentialsError) as caught:
            await client.images.generate(model=CANVAS, prompt="a fox")
        assert [e.provider for e in client.missing_credentials()].count("amazon") == 1
    assert "credential_chain=True" in caught.value.message


def test_a_profile_named_with_a_clients_own_environ_keeps_the_chain() -> None:
    """The chain is the only way to read a profile: naming one, in code or in the environ
    given, asks for it."""
    provider = NovaCanvasProvider()
    assert provider.load_settings({"profile": "dev"}, {}).credential_chain is True  # type: ignore[attr-defined]
    named = provider.load_settings({}, {"AWS_PROFILE": "dev"})
    assert named.credential_chain is True  # type: ignore[attr-defined]
    assert provider.load_settings({}, {}).credential_chain is False  # type: ignore[attr-defined]
