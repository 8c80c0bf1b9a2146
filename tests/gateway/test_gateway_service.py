"""Auth on and off, models, files, health, the OpenAPI document, the log line, disconnects, and
the ``limner serve`` command."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from aiohttp import web
from openapi_spec_validator import validate

import limner
from limner.cli.main import main
from limner.gateway import GatewayConfig, LocalFileStore, keys_from
from limner.gateway.owners import owner_tag
from limner.gateway.server import serve

from ..core.support import FakeServer, error_reply, ok_body
from .conftest import MakeGateway
from .support import GATEWAY_KEY, UPSTREAM_KEY, Gateway, png


async def test_auth_on_requires_one_of_the_keys(gateway: Gateway) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        await gateway.sdk(api_key="wrong-key-0123456789").models.list()
    assert caught.value.code == "invalid_api_key"
    assert "wrong-key" not in caught.value.response.text
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{gateway.base_url}/models") as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "missing_api_key"
        async with session.get(f"{gateway.origin}/healthz") as response:
            assert response.status == 200  # health checks need no key
            health = await response.json()
    listed = (await gateway.sdk(api_key=GATEWAY_KEY).models.list()).data
    assert listed
    assert health == {"status": "ok", "models": len(listed)}  # counted as listed
    assert len(listed) < len(gateway.client.models.list())  # (some serve nothing here)


async def test_one_key_given_as_a_string_is_one_key(make_gateway: MakeGateway) -> None:
    """Each of its characters was a key: the key itself was refused, "Bearer g" let in."""
    gateway = await make_gateway(GatewayConfig(api_keys=GATEWAY_KEY))
    assert (await gateway.sdk(api_key=GATEWAY_KEY).models.list()).data
    with pytest.raises(openai.AuthenticationError):
        await gateway.sdk(api_key=GATEWAY_KEY[0]).models.list()
    listed = await make_gateway(GatewayConfig(api_keys=[GATEWAY_KEY]))  # a list, as a tuple
    assert (await listed.sdk(api_key=GATEWAY_KEY).models.list()).data
    read = GatewayConfig(api_keys=[f"{GATEWAY_KEY}\n", f" {GATEWAY_KEY}"])  # from a file
    assert read.api_keys == (GATEWAY_KEY,)
    for wrong in ([GATEWAY_KEY, ""], [GATEWAY_KEY, "  "], [GATEWAY_KEY, 5], 5):
        with pytest.raises(limner.InvalidRequestError) as caught:
            GatewayConfig(api_keys=wrong)  # type: ignore[arg-type]
        assert caught.value.param == "api_keys"


async def test_a_key_of_undecodable_bytes_is_a_wrong_key_not_a_bug(gateway: Gateway) -> None:
    """A header of bytes that are not UTF-8 (aiohttp keeps them as surrogates) is a 401, not an
    internal error with a traceback in the log."""
    host, port = gateway.origin.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        b"GET /v1/models HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
        b"Authorization: Bearer \xff\xfe\r\nConnection: close\r\n\r\n"
    )
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert b'"invalid_api_key"' in answer


async def test_auth_off_takes_any_key(make_gateway: MakeGateway) -> None:
    gateway = await make_gateway()
    assert (await gateway.sdk(api_key="anything").models.list()).data


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ({}, False),
        ({"Host": "localhost:9"}, False),
        ({"Host": "[::1]:9"}, False),
        ({"Origin": "http://127.0.0.1:3000"}, False),  # a local page: this machine's
        ({"Host": "rebound.evil.example:9"}, True),  # DNS rebinding: the page's own name
        ({"Origin": "https://evil.example"}, True),  # a cross-site form post
        ({"Origin": "null"}, True),  # a sandboxed frame, a file: page
        # a proxy on this machine (nginx's proxy_pass: Host 127.0.0.1) for a client elsewhere
        ({"X-Forwarded-For": "203.0.113.9"}, True),
        ({"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}, True),
        ({"X-Real-IP": "2001:db8::1"}, True),
        ({"Forwarded": 'for="[2001:db8::1]:4711";proto=https'}, True),
        ({"Forwarded": "for=_hidden"}, True),  # obfuscated: no address of this machine
        ({"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1:5000"}, False),
    ],
)
async def test_a_gateway_without_keys_serves_this_machine_only(
    make_gateway: MakeGateway, headers: dict[str, str], refused: bool
) -> None:
    """Without keys, any web page could use the gateway through its visitor's browser: a form
    posts cross-site without asking, and a rebound name reads the answers. Programs send no
    Origin and address 127.0.0.1 or localhost."""
    gateway = await make_gateway()
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{gateway.base_url}/models", headers=headers) as response:
            body = await response.json()
            status = response.status
        async with session.get(f"{gateway.origin}/healthz", headers=headers) as health:
            assert health.status == 200  # liveness tells nothing
    if refused:
        assert status == 403 and body["error"]["code"] == "gateway_local_only"
        assert "LIMNER_API_KEYS" in body["error"]["message"]
    else:
        assert status == 200 and body["data"]


@pytest.mark.parametrize(
    ("public_url", "refused"),
    [
        ("https://img.example", True),  # behind a proxy others reach: anyone would spend
        ("http://192.168.1.20:8080", True),
        ("http://localhost:8080", False),
        ("http://127.0.0.1:8080", False),
    ],
)
def test_a_public_url_other_machines_reach_needs_keys(public_url: str, refused: bool) -> None:
    """As --host does: a keyless gateway serves its own machine only, which a public_url
    elsewhere contradicts (a proxy forwarding the public's requests with their Host)."""
    if not refused:
        assert GatewayConfig(public_url=public_url).public_url == public_url
        return
    with pytest.raises(limner.InvalidRequestError) as info:
        GatewayConfig(public_url=public_url)
    assert info.value.param == "api_keys"
    assert info.value.message == (
        f"public_url {public_url} says other machines reach the gateway, but it has no API "
        "keys, so anyone who reaches it could spend your provider credits; give it keys "
        "(LIMNER_API_KEYS or --api-key), or leave public_url out"
    )
    assert GatewayConfig(public_url=public_url, api_keys=(GATEWAY_KEY,)).public_url


async def test_a_gateway_with_keys_serves_any_host(make_gateway: MakeGateway) -> None:
    """A key is what a browser cannot send cross-site without the gateway's consent (CORS)."""
    gateway = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,)))
    headers = {"Host": "img.example", "Authorization": f"Bearer {GATEWAY_KEY}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{gateway.base_url}/models", headers=headers) as response,
    ):
        assert response.status == 200


def test_keys_from_flag_and_environment() -> None:
    assert keys_from(["a-key", " "], {"LIMNER_API_KEYS": "b-key, a-key,,c-key"}) == (
        "a-key",
        "b-key",
        "c-key",
    )
    assert keys_from([], {}) == ()
    # a file of keys, one per line ("$(cat keys.txt)"): one key holding a newline, before
    keys = "# the teams' keys\nteam-one-key\nteam-two-key, team-three-key\n"
    assert keys_from([], {"LIMNER_API_KEYS": keys}) == (
        "team-one-key",
        "team-two-key",
        "team-three-key",
    )
    # a line "name key" stays one key, refused at start (no word of it becomes a key)
    assert keys_from([], {"LIMNER_API_KEYS": "team-one key-one"}) == ("team-one key-one",)


@pytest.mark.parametrize(
    "key", ["team one key", "team-one\nteam-two", "key\x00", "clé-de-l-équipe-0123456789"]
)
def test_a_key_no_client_can_send_is_refused_at_start(key: str) -> None:
    """Every team got 401 from a gateway whose one key held a line break: no HTTP client can
    send it. The message does not quote the key."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        GatewayConfig(api_keys=[key])
    assert caught.value.param == "api_keys" and key not in caught.value.message


async def test_a_gateway_serving_some_providers_lists_only_theirs(
    make_gateway: MakeGateway,
) -> None:
    """The README's recipe: the other providers' plugins disabled, the gateway lists and serves
    only the rest."""
    disabled = {"LIMNER_DISABLE_PLUGINS": "google,stability,nova_canvas"}
    # (`limner serve` reads the process's environment; the tests' clients read environ=)
    gateway = await make_gateway(GatewayConfig(api_keys=(GATEWAY_KEY,)), environ=disabled)
    sdk = gateway.sdk()
    owners = {model.owned_by for model in (await sdk.models.list()).data}
    assert owners == {"openai"}
    with pytest.raises(openai.NotFoundError):
        await sdk.images.generate(model="google/gemini-3-pro-image", prompt="x")


async def test_models_list_and_retrieve(gateway: Gateway) -> None:
    sdk = gateway.sdk()
    models = {model.id: model for model in (await sdk.models.list()).data}
    assert models["openai/gpt-image-1"].owned_by == "openai"
    extra = models["openai/gpt-image-1"].model_extra or {}
    assert "edit" in extra["capabilities"]["operations"] and extra["pricing"]["per_image"]
    one = await sdk.models.retrieve("openai/dall-e-3")
    assert one.id == "openai/dall-e-3"
    assert one.shutdown_date == "2026-05-12"  # the SDK's field, from lifecycle.shutdown_on
    assert models["openai/gpt-image-2"].shutdown_date is None  # none announced
    images = await sdk.get("/images/models", cast_to=dict[str, Any])
    assert {m["id"] for m in images["data"]} == set(models)
    with pytest.raises(openai.NotFoundError):
        await sdk.models.retrieve("openai/no-such-model")
    # as the gateway's client reaches them: this one is set up for the Gemini API
    gemini = (models["google/gemini-3-pro-image"].model_extra or {})["capabilities"]
    assert (gemini["output_formats"], gemini["per_backend"]) == ([], {})
    one = await sdk.models.retrieve("google/imagen-3.0-capability-001")
    assert (one.model_extra or {})["capabilities"]["operations"] == []  # Vertex AI only
    assert one.id not in models  # so not listed: it serves nothing here
    assert "google/imagen-4.0-generate-001" in models


async def test_a_model_with_its_request_schemas(gateway: Gateway) -> None:
    sdk = gateway.sdk()
    plain = await sdk.models.retrieve("openai/dall-e-2")
    assert "request_schemas" not in (plain.model_extra or {})
    one = await sdk.models.retrieve("openai/dall-e-2", extra_query={"include": "request_schemas"})
    schemas = (one.model_extra or {})["request_schemas"]
    async with limner.AsyncClient(environ={}) as client:
        assert schemas == {
            operation: client.models.schema("openai/dall-e-2", operation)
            for operation in ("generate", "edit", "variation")
        }
    assert schemas["generate"]["properties"]["provider_options"]["properties"]["openai"]
    as_a_list = await sdk.models.retrieve(  # sent as include[]=request_schemas
        "openai/dall-e-2", extra_query={"include": ["request_schemas"]}
    )
    assert (as_a_list.model_extra or {})["request_schemas"] == schemas
    with pytest.raises(openai.BadRequestError) as listed:
        await sdk.models.retrieve("openai/dall-e-2", extra_query={"include": ["pricing"]})
    assert listed.value.param == "include"
    with pytest.raises(openai.BadRequestError) as caught:
        await sdk.models.retrieve("openai/dall-e-2", extra_query={"include": "pricing"})
    assert caught.value.param == "include"
    assert "request_schemas" in caught.value.message


async def test_the_request_schemas_are_the_served_models(gateway: Gateway) -> None:
    """On the Gemini API (this gateway's Google backend) the Vertex-only model serves nothing:
    its schemas say so, as its capabilities beside them do, not the model as declared."""
    model = "google/imagen-3.0-capability-001"
    one = await gateway.sdk().models.retrieve(model, extra_query={"include": "request_schemas"})
    extra = one.model_extra or {}
    assert extra["capabilities"]["operations"] == []
    assert extra["request_schemas"] == {}
    async with limner.AsyncClient(environ={}) as client:
        assert set(client.models.schemas(model)) == {"edit"}  # as declared
    async with limner.AsyncClient(environ={"GOOGLE_API_KEY": "k"}) as client:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            client.models.schema(model, "edit", served=True)
    assert "(it supports: none, where this client reaches it)" in caught.value.message


async def test_files_upload_retrieve_content_delete(gateway: Gateway) -> None:
    sdk = gateway.sdk()
    payload = png(5, 5)
    made = await sdk.files.create(file=("a.png", payload, "image/png"), purpose="user_data")
    assert (await sdk.files.retrieve(made.id)).bytes == len(payload)
    content = await sdk.files.content(made.id)
    assert content.content == payload
    assert content.response.headers["content-type"] == "image/png"
    assert (await sdk.files.delete(made.id)).deleted is True
    with pytest.raises(openai.NotFoundError):
        await sdk.files.retrieve(made.id)
    assert not [p for p in gateway.store.directory.iterdir() if p.suffix == ".part"]


async def test_expired_and_oversized_files(make_gateway: MakeGateway) -> None:
    gateway = await make_gateway(ttl=0.0, max_file_bytes=64)
    sdk = gateway.sdk()
    with pytest.raises(openai.APIStatusError) as caught:
        await sdk.files.create(
            file=("a.bin", b"x" * 65, "application/octet-stream"), purpose="user_data"
        )
    assert caught.value.status_code == 413
    made = await sdk.files.create(
        file=("a.bin", b"x" * 8, "application/octet-stream"), purpose="user_data"
    )
    with pytest.raises(openai.NotFoundError):
        await sdk.files.retrieve(made.id)  # ttl 0: expired at once


async def test_store_never_shows_a_half_written_file(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    made = await store.put(b"abc", filename="../../x.txt", purpose="p", content_type="text/plain")
    assert made.filename == "x.txt"
    (tmp_path / f"{made.id}.json").unlink()  # content without metadata: not a file yet
    assert await store.read(made.id) is None
    assert await store.get("../etc/passwd") is None


async def test_openapi_document_validates(gateway: Gateway) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{gateway.origin}/openapi.json") as response,
    ):
        assert response.status == 200
        document = await response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert {"/v1/images/generations", "/v1/images/edits", "/v1/files"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert "prompt" in schemas["GenerateRequest"]["properties"]
    assert "cost" in schemas["ImagesResponse"]["properties"]
    answer = schemas["ImagesResponse"]["properties"]  # values within OpenAI's enums, or:
    assert answer["size"]["enum"] == ["1024x1024", "1024x1536", "1536x1024"]
    assert answer["outside_spec"] == {"$ref": "#/components/schemas/OutsideSpec"}
    for name in ("GenerateRequest", "EditJSON", "EditForm"):  # a blank prompt is refused
        assert schemas[name]["properties"]["prompt"]["pattern"] == "\\S", name
    # an edit may leave it out, in the modes a model lists (edit_modes_without_prompt)
    assert "prompt" in schemas["GenerateRequest"]["required"]
    assert "prompt" not in schemas["EditJSON"]["required"]
    assert "prompt" not in schemas["EditForm"]["required"]
    # a file's bytes open with a key or as a signed link, in the media type stored
    content = document["paths"]["/v1/files/{file_id}/content"]["get"]
    assert content["security"] == [{"bearer": []}, {}]
    assert [p["name"] for p in content["parameters"]] == ["file_id", "expires", "signature"]
    assert list(content["responses"]["200"]["content"]) == ["*/*"]


async def test_one_log_line_per_request_without_secrets(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="limner.gateway")
    await gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox", quality="low")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "limner.gateway"]
    assert line.startswith("POST /v1/images/generations model=openai/gpt-image-1 status=200")
    assert "latency_ms=" in line and "cost=0.0" in line
    assert f" key={owner_tag(GATEWAY_KEY)[:8]} request_id=" in line  # which key: by its tag
    assert GATEWAY_KEY not in caplog.text and UPSTREAM_KEY not in caplog.text


async def test_a_client_cannot_forge_a_log_line(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="limner.gateway")
    forged = "\n2026-01-01 limner.gateway POST /v1/images/generations status=200\u2028"
    url = f"{gateway.base_url}/x%0A2026-01-01%20forged"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 401  # no key: refused, and still logged
    with pytest.raises(openai.NotFoundError):
        await gateway.sdk().images.generate(model=f"nope{forged}", prompt="a fox")
    lines = [r.getMessage() for r in caplog.records if r.name == "limner.gateway"]
    assert len(lines) == 2
    assert not any(mark in line for line in lines for mark in ("\n", "\r", "\u2028"))
    assert lines[0].startswith("GET /v1/x\\u000a2026-01-01 forged model=- status=401")
    assert "model=nope\\u000a2026-01-01 limner.gateway" in lines[1]


SIGNED = "expires=9999999999&signature=SIGNATURE0123456789"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (f"Authorization : Bearer {GATEWAY_KEY}\r\n", "BadHttpMessage"),  # a space before ':'
        (f"Authorization: Bearer {GATEWAY_KEY}\x01\r\n", "BadHttpMessage"),  # a control char
        (f"GET /v1/files/file-x/content?{SIGNED} HTTP/1.1\x00\r\n", "BadStatusLine"),
    ],
    ids=["space-before-colon", "control-character", "request-line"],
)
async def test_a_request_that_is_not_valid_http_is_logged_without_its_text(
    gateway: Gateway, caplog: pytest.LogCaptureFixture, raw: str, kind: str
) -> None:
    """aiohttp logged its exception, which quotes the line it could not read: the key of an
    Authorization header, or a signed link's signature."""
    caplog.set_level(logging.DEBUG)
    head = raw if raw.startswith("GET ") else f"GET /v1/models HTTP/1.1\r\n{raw}"
    host, port = gateway.origin.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"{head}Host: 127.0.0.1\r\n\r\n".encode())
    answer = await asyncio.wait_for(reader.read(), 5)  # aiohttp closes the connection
    writer.close()
    assert answer.startswith(b"HTTP/1.0 400 Bad Request\r\n")
    logged = [r for r in caplog.records if r.name.startswith("aiohttp.server")]
    assert [(r.getMessage(), r.exc_info, r.levelno) for r in logged] == [
        (
            f"a request from 127.0.0.1 that is not valid HTTP ({kind}), answered 400",
            None,
            logging.ERROR,
        )
    ]
    assert GATEWAY_KEY not in caplog.text and "SIGNATURE0123456789" not in caplog.text


async def test_client_disconnect_cancels_the_upstream_call(
    gateway: Gateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="limner.gateway")
    cancelled = asyncio.Event()

    async def slow(recorded: Any) -> Any:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    server.reply(slow)
    call = asyncio.create_task(
        gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox")
    )
    while not server.api_calls:
        await asyncio.sleep(0.01)
    call.cancel()  # the SDK closes its connection to the gateway
    await asyncio.wait_for(cancelled.wait(), 5)
    assert cancelled.is_set()
    await asyncio.sleep(0.05)
    assert "status=499" in caplog.text


async def test_a_client_that_leaves_after_part_of_n_was_made_is_logged_with_its_cost(
    gateway: Gateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """dall-e-3 makes one image a call: the first call answered (billed), the others were
    cancelled with the client; the 499's log line gives what was billed, not ``cost=-``."""
    caplog.set_level(logging.INFO, logger="limner.gateway")

    async def made(recorded: Any) -> Any:
        return web.json_response(ok_body(1))

    async def slow(recorded: Any) -> Any:
        await asyncio.sleep(30)

    server.reply(made, slow, slow)
    call = asyncio.create_task(
        gateway.sdk().images.generate(model="openai/dall-e-3", prompt="a fox", n=3)
    )
    while len(server.api_calls) < 3:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # the first call's answer read
    call.cancel()
    for _ in range(100):
        if "status=499" in caplog.text:
            break
        await asyncio.sleep(0.02)
    (line,) = [r.getMessage() for r in caplog.records if "status=499" in r.getMessage()]
    assert "model=openai/dall-e-3" in line and "cost=0.040 " in line


async def test_an_error_whose_usage_may_be_billed_is_logged_with_its_cost(
    gateway: Gateway, server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A blocked Gemini call reported 7 prompt and 20 text tokens: no image, but the error
    carries their cost, and so do its message and the log line."""
    caplog.set_level(logging.INFO, logger="limner.gateway")
    blocked = {
        "candidates": [{"content": {"parts": [{"text": "No."}]}, "finishReason": "SAFETY"}],
        "usageMetadata": {
            "promptTokenCount": 7,
            "candidatesTokenCount": 20,
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 20}],
        },
    }

    async def answer(recorded: Any) -> Any:
        return web.json_response(blocked)

    server.reply(answer)
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().images.generate(model="google/gemini-2.5-flash-image", prompt="x")
    assert "may be billed ($0.0000521)" in caught.value.message
    (line,) = [r.getMessage() for r in caplog.records if r.name == "limner.gateway"]
    assert "status=400" in line and "cost=0.0000521 " in line


def test_serve_refuses_a_public_host_without_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "LIMNER_API_KEYS" in capsys.readouterr().err


def test_serve_refuses_short_keys_on_a_public_host(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIMNER_API_KEYS", "x")
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "1 key(s) shorter than 16 characters" in err and "token_urlsafe" in err
    assert "'x'" not in err  # the key itself is not shown
    # bound to loopback behind a proxy that others reach: as exposed
    assert main(["serve", "--public-url", "https://img.example", "--port", "0"]) == 2
    assert "--public-url img.example would guard" in capsys.readouterr().err


def test_serve_refuses_a_files_dir_it_cannot_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Found only on the first link answer, it would fail a call already paid for."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    status = main(["serve", "--port", "0", "--files-dir", str(blocker / "files")])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(f"limner: error: --files-dir {blocker / 'files'}: cannot create it")
    assert "choose a writable directory" in err


@pytest.mark.parametrize("url", ["not-a-url", "ftp://img.example", "https://", "img.example"])
def test_public_url_must_be_an_http_url(url: str) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        GatewayConfig(public_url=url)
    assert info.value.param == "public_url"
    keyed = GatewayConfig(public_url="https://img.example/", api_keys=(GATEWAY_KEY,))
    assert keyed.public_url == "https://img.example"


def test_serve_refuses_a_bad_public_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--public-url", "not-a-url"]) == 2
    assert "--public-url 'not-a-url' is not an http(s) URL" in capsys.readouterr().err


def test_serve_refuses_a_public_url_without_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--public-url", "https://img.example"]) == 2
    assert "has no API keys, so anyone who reaches it" in capsys.readouterr().err


@pytest.mark.parametrize(("max_retries", "calls"), [(None, 1), (1, 2)])
async def test_serve_leaves_retries_to_the_client_unless_told(
    tmp_path: Path,
    server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    max_retries: int | None,
    calls: int,
) -> None:
    """The SDKs retry a 429 themselves: a gateway retrying too would multiply upstream calls."""
    monkeypatch.setenv("OPENAI_API_KEY", UPSTREAM_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    busy = error_reply(429, "slow down", **{"Retry-After": "0"})
    server.reply(busy, busy)
    told = {} if max_retries is None else {"max_retries": max_retries}  # None: the default
    async with _serving(tmp_path, **told) as (base_url, _):
        body = {"model": "openai/gpt-image-1", "prompt": "a fox"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base_url}/images/generations", json=body) as response,
        ):
            assert response.status == 429
    assert len(server.api_calls) == calls


async def test_serve_answers_504_before_the_sdks_timeout_when_upstream_is_slow(
    tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upstream request gets ``timeout`` (300 s by default, under the SDKs' 600 s): the
    client hears a 504 that says not to retry, instead of resending (and paying) again."""
    monkeypatch.setenv("OPENAI_API_KEY", UPSTREAM_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")

    async def slow(recorded: Any) -> web.StreamResponse:
        await asyncio.sleep(5)
        return web.json_response({})

    server.reply(slow)
    async with _serving(tmp_path, timeout=0.2) as (base_url, _):
        body = {"model": "openai/gpt-image-1", "prompt": "a fox"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{base_url}/images/generations", json=body) as response,
        ):
            assert response.status == 504
            assert response.headers["x-should-retry"] == "false"
    assert inspect.signature(serve).parameters["timeout"].default == 300.0


async def test_serve_prints_the_base_url_and_answers(tmp_path: Path) -> None:
    async with _serving(tmp_path) as (base_url, text):
        assert "127.0.0.1 only" in text
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base_url}/models") as response,
        ):
            assert response.status == 200
            listed = len((await response.json())["data"])
    # as many models as /v1/models lists (not those the backend in use does not offer)
    assert f"limner gateway: {listed} models\n" in text


async def test_serve_says_at_start_which_providers_have_no_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else the first request to one of their models is where an operator learns it (a 503,
    the variable named in the log only)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-0123456789")
    monkeypatch.delenv("STABILITY_API_KEY", raising=False)
    async with _serving(tmp_path) as (_, text):
        assert (
            "limner gateway: No Stability AI credential: set STABILITY_API_KEY; stabilityai's "
            "models answer 503 until it is set\n"
        ) in text
        assert "OpenAI credential" not in text


async def test_serve_says_at_start_which_providers_settings_do_not_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A base URL carrying a password was refused on the first request only, as a 503 whose
    reason only the log gave."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-0123456789")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://user:pw@openai.example/v1")
    async with _serving(tmp_path) as (_, text):
        (line,) = [line for line in text.splitlines() if "providers.openai.base_url" in line]
        assert line.startswith(
            "limner gateway: providers.openai.base_url: a URL may not carry credentials"
        )
        assert line.endswith("; openai's models answer 503 until it is fixed")
        assert "pw@" not in text


@contextlib.asynccontextmanager
async def _serving(tmp_path: Path, **options: Any) -> AsyncIterator[tuple[str, str]]:
    """``serve`` running until the block ends: its base URL and what it printed."""
    out = io.StringIO()
    task = asyncio.create_task(
        serve(GatewayConfig(), port=0, files_dir=tmp_path, out=out, **options)
    )
    try:
        while "base URL" not in out.getvalue():
            await asyncio.sleep(0.01)
        text = out.getvalue()
        yield text.split("base URL: ", 1)[1].split()[0], text
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.mark.parametrize(
    ("argv", "setting", "expected"),
    [
        ([], "timeout", 300.0),
        (["--timeout", "45"], "timeout", 45.0),
        ([], "poll_timeout", 300.0),
        (["--poll-timeout", "45"], "poll_timeout", 45.0),
    ],
)
def test_serve_waits_less_than_the_sdks_timeout(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], setting: str, expected: float
) -> None:
    """The OpenAI SDKs give up after 600 s and send the request again: a new generation, or a
    new job, billed again. One upstream request and the wait for a job default to 300 s."""
    seen: dict[str, Any] = {}

    async def fake_serve(config: GatewayConfig, **kwargs: Any) -> None:
        seen.update(kwargs)

    monkeypatch.setattr("limner.gateway.server.serve", fake_serve)
    assert main(["serve", "--port", "0", *argv]) == 0
    assert seen[setting] == expected
    assert inspect.signature(serve).parameters[setting].default == 300.0


def test_serve_refuses_a_poll_timeout_of_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["serve", "--port", "0", "--files-dir", str(tmp_path), "--poll-timeout", "0"]
    assert main(argv) == 2
    assert "--poll-timeout must be a positive number of seconds" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "expected"), [([], 8), (["--max-concurrency", "32"], 32)])
def test_serve_sets_the_upstream_slots(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: int
) -> None:
    """A provider's job keeps its slot while it runs: operators of such providers raise it."""
    seen: list[GatewayConfig] = []

    async def fake_serve(config: GatewayConfig, **kwargs: Any) -> None:
        seen.append(config)

    monkeypatch.setattr("limner.gateway.server.serve", fake_serve)
    assert main(["serve", "--port", "0", *argv]) == 0
    assert seen[0].max_concurrency == expected


def test_serve_help_states_the_gateways_own_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    """The command's help repeats two of GatewayConfig's defaults: they must not drift apart."""
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    config = GatewayConfig()
    assert f"(default {config.max_concurrency};" in shown
    assert f"others wait up to {config.queue_timeout:g} s, then get 429" in shown


@pytest.mark.parametrize("value", ["0", "-3"])
def test_serve_refuses_no_upstream_slots(
    value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def fake_serve(config: GatewayConfig, **kwargs: Any) -> None:
        raise AssertionError("served with no slots")

    monkeypatch.setattr("limner.gateway.server.serve", fake_serve)
    assert main(["serve", "--port", "0", "--max-concurrency", value]) == 2
    assert "--max-concurrency must be a whole number, 1 or more" in capsys.readouterr().err


def test_serve_on_a_port_in_use_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """And logs no stop of requests it never took ("stopping: 0 request(s) in flight")."""
    caplog.set_level(logging.INFO, logger="limner.gateway")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["serve", "--port", str(port), "--files-dir", str(tmp_path)])
    assert status == 2
    assert capsys.readouterr().err == (
        f"limner: error: port {port} on 127.0.0.1 is in use (another program, or a gateway "
        "already running): stop it, or choose another with --port\n"
    )
    assert not [r for r in caplog.records if "stopping" in r.getMessage()]
