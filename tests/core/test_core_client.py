"""Dry runs and secrets, the sync client, and saving results."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Unpack

import pytest
from aiohttp import web
from PIL import Image

import limner
from limner.params import ChatParams, GenerateParams
from limner.wire import REDACTED, WireRequest

from .fakeprovider import API_KEY, FakePlugin, FakeProvider
from .support import (
    IMAGE,
    FakeServer,
    MakeClient,
    Recorded,
    client_kwargs,
    error_reply,
    png,
)

# ---- dry run ---------------------------------------------------------------------------------


async def test_dry_run_needs_no_credentials_and_sends_nothing(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(providers={}, environ={})
    dry = await client.images.generate(model="alpha", prompt="a fox", n=5, dry_run=True)
    assert isinstance(dry, limner.DryRun)
    assert server.requests == []
    assert (dry.model, dry.provider) == ("fake/alpha-1", "fake")
    assert len(dry.requests) == 3
    assert [r["json"]["n"] for r in dry.requests] == [2, 2, 1]
    first = dry.requests[0]
    assert first["method"] == "POST"
    assert first["url"] == "https://fake.example/v1/images"
    assert first["headers"]["authorization"] == REDACTED
    assert first["headers"]["x-fake-key"] == REDACTED
    assert first["headers"]["content-type"] == "application/json"
    assert dry.estimated_cost_usd == Decimal("0.10")  # 5 × 0.02


def _in_clear(host: str) -> limner.Notice:
    return limner.Notice(
        code="credentials_in_clear",
        message=f"the fake credential goes unencrypted to {host} (its base URL is http://): "
        "anyone on the network in between can read and reuse it; use an https:// base URL "
        "(providers.fake.base_url or FAKE_BASE_URL)",
        param="providers.fake.base_url",
    )


async def test_credentials_over_plain_http_to_another_host_are_warned_of_once(
    make_client: MakeClient, server: FakeServer
) -> None:
    """An internal proxy may be meant: not refused, but said, once for the three calls."""
    client = make_client(providers={"fake": {"api_key": API_KEY, "base_url": "http://10.1.2.3/v1"}})
    dry = await client.images.generate(model="alpha", prompt="a fox", n=5, dry_run=True)
    assert len(dry.requests) == 3
    assert dry.warnings == [_in_clear("10.1.2.3")]
    assert server.requests == []
    client = make_client(providers={"fake": {"api_key": API_KEY, "base_url": "http://h:81/v1"}})
    dry = await client.images.generate(model="alpha", prompt="a fox", dry_run=True)
    assert dry.warnings == [_in_clear("h:81")]


@pytest.mark.parametrize(
    "base_url",
    [
        "https://10.1.2.3/v1",
        "http://127.0.0.1:8080/v1",
        "http://127.9.8.7/v1",
        "http://[::1]:8080/v1",
        "http://LocalHost/v1",
    ],
)
async def test_https_or_this_machines_loopback_is_no_credential_in_clear(
    make_client: MakeClient, base_url: str
) -> None:
    client = make_client(providers={"fake": {"api_key": API_KEY, "base_url": base_url}})
    dry = await client.images.generate(model="alpha", prompt="a fox", n=3, dry_run=True)
    assert dry.warnings == []


async def test_a_call_to_the_loopback_over_http_warns_of_nothing(
    client: limner.AsyncClient,
) -> None:
    result = await client.images.generate(model="alpha", prompt="a fox", n=3)
    assert (len(result.data), result.warnings) == (3, [])


async def test_a_dry_run_without_the_key_says_a_real_call_would_need_it(
    make_client: MakeClient,
) -> None:
    """Said once, not per call, by a provider whose authorize asks ``api_key(dry_run=True)``."""

    class Keyed(FakeProvider):
        def authorize(
            self, request: WireRequest, settings: Any, *, dry_run: bool = False
        ) -> WireRequest:
            key = self.api_key(settings, dry_run=dry_run)
            return request.with_headers({"authorization": f"Bearer {key}"}, secret=True)

    plugins = [FakePlugin(Keyed)]
    bare = make_client(providers={}, environ={}, plugins=plugins)
    dry = await bare.images.generate(model="alpha", prompt="a fox", n=5, dry_run=True)
    assert [(w.code, w.param, w.message) for w in dry.warnings] == [
        (
            "missing_credentials",
            "api_key",
            "No Fake Images credential: set FAKE_API_KEY before a real call (this dry run shows "
            "a placeholder)",
        )
    ]
    keyed = make_client(environ={}, plugins=plugins)
    planned = await keyed.images.generate(model="alpha", prompt="a fox", dry_run=True)
    assert "missing_credentials" not in [w.code for w in planned.warnings]


async def test_dry_run_never_shows_the_key(client: limner.AsyncClient, server: FakeServer) -> None:
    dry = await client.images.generate(
        model="alpha",
        prompt="a fox",
        n=3,
        quality="high",
        seed=1,
        extra_headers={"X-Trace": "abc"},
        dry_run=True,
    )
    assert server.requests == []
    dumped = dry.model_dump_json()
    assert API_KEY not in dumped
    assert API_KEY not in repr(dry) and API_KEY not in str(dry)
    for request in dry.requests:
        assert all(name == name.lower() for name in request["headers"])
        assert request["headers"]["x-trace"] == "abc"
        assert request["headers"]["authorization"] == REDACTED
    assert dry.estimated_cost_usd == Decimal("0.126")
    assert '"estimated_cost_usd":0.126' in dumped
    assert [a.param for a in dry.adjustments] == ["seed"]


async def test_dry_run_redacts_mixed_case_secret_headers(
    make_client: MakeClient, server: FakeServer
) -> None:
    class RawHeaders:
        @limner.hookimpl
        def translate_request(
            self, provider: limner.Provider, call: limner.ProviderCall
        ) -> limner.Translation:
            base = provider.translate(call)
            wire = WireRequest(
                method="POST",
                url=base.request.url,
                headers={"X-Api-Key": API_KEY, "Content-Type": "application/json"},
                json=base.request.json,
            )
            return limner.Translation(request=wire)

    client = make_client(plugins=[FakePlugin(), RawHeaders()])
    dry = await client.images.generate(model="alpha", prompt="x", dry_run=True)
    headers = dry.requests[0]["headers"]
    assert headers["x-api-key"] == REDACTED
    assert all(name == name.lower() for name in headers)
    assert API_KEY not in dry.model_dump_json()
    await client.images.generate(model="alpha", prompt="x")
    assert server.api_calls[0].headers["x-api-key"] == API_KEY


async def test_dry_run_multipart_edit(client: limner.AsyncClient, server: FakeServer) -> None:
    mask = png(4, 4, alpha=True)
    dry = await client.images.edit(
        model="alpha", prompt="hat", image=[IMAGE, IMAGE], mask=mask, n=3, dry_run=True
    )
    assert server.requests == []
    assert len(dry.requests) == 2
    first = dry.requests[0]
    assert first["url"].endswith("/images/edits")
    assert first["headers"]["content-type"] == "multipart/form-data"
    assert first["form"]["prompt"] == "hat"
    assert first["form"]["n"] == "2"
    assert "json" not in first
    assert first["files"] == [
        {
            "field": "image",
            "filename": "image.png",
            "content_type": "image/png",
            "size": len(IMAGE),
        },
        {
            "field": "image",
            "filename": "image.png",
            "content_type": "image/png",
            "size": len(IMAGE),
        },
        {"field": "mask", "filename": "mask.png", "content_type": "image/png", "size": len(mask)},
    ]
    assert dry.estimated_cost_usd == Decimal("0.06")
    assert "base64" not in dry.model_dump_json()


async def test_dry_run_unknown_price(client: limner.AsyncClient) -> None:
    dry = await client.images.generate(model="fake/beta-2", prompt="x", dry_run=True)
    assert dry.estimated_cost_usd is None
    assert [w.code for w in dry.warnings] == ["price_unknown"]
    assert '"estimated_cost_usd":null' in dry.model_dump_json()


async def test_dry_run_lifecycle_warning(client: limner.AsyncClient) -> None:
    dry = await client.images.generate(model="fake/old-0", prompt="x", dry_run=True)
    assert [w.code for w in dry.warnings] == ["model_shut_down"]


async def test_dry_run_still_validates(client: limner.AsyncClient, server: FakeServer) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x", n=9, dry_run=True)
    assert info.value.param == "n"


async def test_secrets_absent_from_reprs_and_errors(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    server.reply(error_reply(401, "invalid key"))
    with pytest.raises(limner.AuthenticationError) as info:
        await client.images.generate(model="alpha", prompt="x")
    error = info.value
    for text in (str(error), repr(error), repr(error.to_openai()), repr(error.body)):
        assert API_KEY not in text
    assert API_KEY not in repr(client)
    settings = client._engine.settings._loaded["fake"]
    assert settings.api_key is not None
    assert settings.api_key.get_secret_value() == API_KEY
    assert API_KEY not in repr(settings) and API_KEY not in str(settings)
    assert API_KEY not in settings.model_dump_json()
    assert API_KEY not in repr(client._engine.options)
    provider = client.registry.providers["fake"]
    wire = provider.authorize(WireRequest(method="POST", url="https://x"), settings)
    assert wire.headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in repr(wire)
    assert API_KEY not in str(wire.describe())


async def test_credentials_in_a_base_url_are_refused(
    make_client: MakeClient, server: FakeServer
) -> None:
    """``user:password@`` in a base URL would show in errors, debug logs and dry runs: refused
    when the settings load, naming the setting, without quoting the password."""
    with_credentials = server.url.replace("://", "://user:hunter2@") + "/v1"
    given = make_client(providers={"fake": {"api_key": API_KEY, "base_url": with_credentials}})
    from_env = make_client(
        providers={"fake": {"api_key": API_KEY}}, environ={"FAKE_BASE_URL": with_credentials}
    )
    for client in (given, from_env):
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.generate(model="alpha", prompt="x", dry_run=True)
        with pytest.raises(limner.InvalidRequestError) as sent:
            await client.images.generate(model="alpha", prompt="x")
        for error in (info.value, sent.value):
            assert error.param == "providers.fake.base_url"
            assert "api_key" in error.message
            assert "hunter2" not in str(error) and "hunter2" not in repr(error)
    assert server.requests == []


async def test_a_query_in_a_base_url_is_refused_without_quoting_it(
    make_client: MakeClient, server: FakeServer
) -> None:
    """limner adds the API's paths to a base URL: a query would end up in the middle of them,
    and a token in it would show in dry runs."""
    client = make_client(
        providers={"fake": {"api_key": API_KEY, "base_url": f"{server.url}/v1?token=QSECRET"}}
    )
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x", dry_run=True)
    assert info.value.param == "providers.fake.base_url"
    assert "takes no query" in info.value.message
    assert "QSECRET" not in str(info.value) and "QSECRET" not in repr(info.value)
    schemeless = make_client(
        providers={"fake": {"api_key": API_KEY, "base_url": "api.example/v1?token=QSECRET"}}
    )
    with pytest.raises(limner.InvalidRequestError) as missing:
        await schemeless.images.generate(model="alpha", prompt="x", dry_run=True)
    assert "'api.example/v1' is not an http(s) URL" in missing.value.message
    assert "QSECRET" not in str(missing.value)
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:99999/v1", "Port out of range"),
        ("http://127.0.0.1:abc/v1", "Port could not be cast"),
        ("http://[::1/v1", "Invalid IPv6 URL"),
        ("http:///v1", "names no host"),
    ],
)
async def test_a_base_url_that_cannot_be_sent_to_is_refused_before_any_call(
    make_client: MakeClient, server: FakeServer, url: str, says: str
) -> None:
    """Refused as a setting (exit 2 on the command line, 503 at a gateway), not a bare
    ValueError from the HTTP library at the first send, nor a retried connection error."""
    client = make_client(providers={"fake": {"api_key": API_KEY, "base_url": url}})
    for dry_run in (True, False):
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(model="alpha", prompt="x", dry_run=dry_run)
        assert caught.value.param == "providers.fake.base_url"
        assert says in caught.value.message
    assert server.requests == []


@pytest.mark.parametrize(
    ("providers", "param", "says"),
    [
        ({"fake": "sk-x"}, "providers.fake", "providers['fake'] must be a dict of settings"),
        (["fake"], "providers", "providers must map provider names to their settings"),
    ],
)
def test_providers_of_the_wrong_shape_are_refused_at_once(
    providers: Any, param: str, says: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        limner.AsyncClient(providers=providers, plugins=[FakePlugin()])
    assert (info.value.param, info.value.message.startswith(says)) == (param, True)
    assert "sk-x" not in info.value.message


async def test_extra_body_of_the_wrong_shape_is_refused(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        not_a_dict: Any = "x"
        await client.images.generate(model="alpha", prompt="x", extra_body=not_a_dict, dry_run=True)
    assert info.value.param == "extra_body"


async def test_an_image_file_object_already_read_says_so(client: limner.AsyncClient) -> None:
    """The same open file passed to a second call gives no bytes: not 'not an image'."""
    image = io.BytesIO(png())
    await client.images.edit(model="alpha", prompt="x", image=image, dry_run=True)
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(model="alpha", prompt="x", image=image, dry_run=True)
    assert info.value.param == "images[0]"
    assert "already read to its end" in info.value.message
    with pytest.raises(limner.InvalidRequestError) as empty:
        await client.images.edit(model="alpha", prompt="x", image=b"", dry_run=True)
    assert empty.value.message == "images[0] is empty (0 bytes)"


# ---- the sync client -------------------------------------------------------------------------


def test_sync_client(threaded_server: FakeServer) -> None:
    with limner.Client(**client_kwargs(threaded_server)) as client:
        result = client.images.generate(model="alpha", prompt="x", n=3)
        assert len(result.data) == 3
        assert result.cost == Decimal("0.06")
        dry = client.images.generate(model="alpha", prompt="x", n=3, dry_run=True)
        assert len(dry.requests) == 2
        edited = client.images.edit(model="alpha", prompt="x", image=IMAGE)
        assert len(edited.data) == 1
        varied = client.images.create_variation(model="alpha", image=IMAGE)
        assert len(varied.data) == 1
        assert client.models.retrieve("alpha").id == "fake/alpha-1"
        with pytest.raises(limner.InvalidRequestError):
            client.images.generate(model="alpha", prompt="")
    assert len(threaded_server.api_calls) == 4
    client.close()  # closing twice is harmless


async def test_sync_client_inside_running_loop(threaded_server: FakeServer) -> None:
    client = limner.Client(**client_kwargs(threaded_server))
    try:
        # blocking call from within a running event loop: limner runs its own loop thread
        result = client.images.generate(model="alpha", prompt="x")
        assert len(result.data) == 1
        # and from a worker thread
        other = await asyncio.to_thread(client.images.generate, model="alpha", prompt="y", n=2)
        assert len(other.data) == 2
    finally:
        client.close()
    assert not any(t.name == "limner" and t.is_alive() for t in threading.enumerate())


def test_an_interrupted_sync_call_is_cancelled(threaded_server: FakeServer) -> None:
    """Ctrl-C while the sync client waits stops the call on limner's loop (no further attempts or
    retries) before the ``KeyboardInterrupt`` goes on. The interrupt is sent once the request has
    reached the server, which then never answers."""
    main = threading.main_thread().ident
    assert main is not None and main == threading.get_ident()

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    async def stall_then_interrupt(recorded: Recorded) -> web.StreamResponse:
        signal.pthread_kill(main, signal.SIGUSR1)
        return await threaded_server.stall(recorded)

    async def still_running() -> list[str]:
        """The loop's other tasks, once the cancelled call has wound down (a loaded machine may
        take longer than the sync client's grace to get there)."""
        for _ in range(200):
            tasks = asyncio.all_tasks() - {asyncio.current_task()}
            if not tasks:
                break
            await asyncio.sleep(0.05)
        return [task.get_coro().__qualname__ for task in tasks]  # type: ignore[union-attr]

    threaded_server.reply(stall_then_interrupt)
    previous = signal.signal(signal.SIGUSR1, interrupt)
    client = limner.Client(**client_kwargs(threaded_server))
    try:
        with pytest.raises(KeyboardInterrupt):
            client.images.generate(model="alpha", prompt="x")
        loop = client._runner.loop
        assert loop is not None
        left = asyncio.run_coroutine_threadsafe(still_running(), loop).result()
    finally:
        signal.signal(signal.SIGUSR1, previous)
        client.close()
    assert left == []
    assert len(threaded_server.api_calls) == 1


# ---- saving ----------------------------------------------------------------------------------


def _response(n: int, output_format: str | None = "png") -> limner.ImagesResponse:
    data = [
        limner.ImageData(b64_json=base64.b64encode(f"img{i}".encode()).decode()) for i in range(n)
    ]
    return limner.ImagesResponse(
        created=1, data=data, provider="fake", model="fake/alpha-1", output_format=output_format
    )


def test_save_to_directory(tmp_path: Path) -> None:
    paths = _response(3, "jpeg").save(tmp_path)
    assert [p.name for p in paths] == ["image-1.jpg", "image-2.jpg", "image-3.jpg"]
    assert [p.read_bytes() for p in paths] == [b"img0", b"img1", b"img2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]


def test_save_file_pattern(tmp_path: Path) -> None:
    paths = _response(2).save(tmp_path / "out" / "fox.webp")
    assert [p.name for p in paths] == ["fox-1.webp", "fox-2.webp"]
    single = _response(1).save(tmp_path / "one.png")
    assert single == [tmp_path / "one.png"]
    assert single[0].read_bytes() == b"img0"
    no_suffix = _response(2, None).save(tmp_path / "plain")
    assert [p.name for p in no_suffix] == ["plain-1.png", "plain-2.png"]
    # one image named without an extension gets it too, as the numbered names do
    assert _response(1, None).save(tmp_path / "fox") == [tmp_path / "fox.png"]


def test_the_openai_sdks_helpers_on_responses_errors_and_models() -> None:
    """Code ported from the SDK: ``json.dumps(result.to_dict())``, ``result.to_json()``,
    ``error.type``, ``model.owned_by``..."""
    import json

    result = limner.ImagesResponse(
        created=1,
        data=[limner.ImageData(b64_json="aGk=")],
        provider="fake",
        model="fake/alpha-1",
        cost=Decimal("0.042"),
    )
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["cost"] == 0.042 and data["data"] == [{"b64_json": "aGk="}]
    assert "usage" not in data  # a field without a value is left out, as JSON answers do
    assert json.loads(result.to_json()) == data
    assert limner.RateLimitError("slow").type == "rate_limit_error"
    blocked = limner.ContentPolicyError("no", said_type="image_generation_user_error")
    assert blocked.type == "image_generation_user_error"
    with limner.Client(environ={}) as client:
        model = client.models.retrieve("openai/dall-e-3")
    assert (model.object, model.owned_by, model.shutdown_date) == ("model", "openai", "2026-05-12")
    assert model.created == 0  # as /v1/models says it: no release time is known


def test_every_response_object_has_the_sdks_to_dict_and_its_arguments() -> None:
    """``completion.choices[0].message.to_dict()``, ``result.data[0].to_dict()``, a dry run's
    ``to_dict()``: each part of a response, with the SDK's keyword arguments."""
    import json

    from limner.chat.response import ChatChoice

    image = limner.ImageData(b64_json="aGk=")
    assert image.to_dict() == {"b64_json": "aGk="}
    assert image.to_dict(exclude_none=False) == {
        "b64_json": "aGk=",
        "url": None,
        "revised_prompt": None,
        "seed": None,
    }
    choice = ChatChoice(index=0, message=limner.ChatMessage(content="hi"))
    assert choice.message.to_dict() == {"role": "assistant", "content": "hi", "images": []}
    dry = limner.DryRun(
        model="fake/alpha-1", provider="fake", requests=[], estimated_cost_usd=Decimal("0.5")
    )
    assert dry.to_dict()["estimated_cost_usd"] == 0.5  # JSON data by default
    assert dry.to_dict(mode="python")["estimated_cost_usd"] == Decimal("0.5")
    assert json.loads(dry.to_json(indent=None)) == dry.to_dict()
    usage = limner.Usage(input_tokens=3)
    assert usage.to_dict(exclude_defaults=True) == {"input_tokens": 3}


def test_damaged_base64_is_a_provider_error_and_nothing_is_written(tmp_path: Path) -> None:
    """Past the first bytes limner checks on receiving an image: a bare binascii.Error was a
    traceback on the command line."""
    damaged = limner.ImagesResponse(
        created=1,
        data=[limner.ImageData(b64_json="iVBORw0KGgoAB")],  # a PNG head, cut short
        provider="fake",
        model="fake/alpha-1",
        output_format="png",
    )
    with pytest.raises(limner.ProviderError, match="the image's base64 data is damaged"):
        damaged.images()
    with pytest.raises(limner.ProviderError):
        damaged.save(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_overwrite(tmp_path: Path) -> None:
    (tmp_path / "image-2.png").write_bytes(b"keep me")
    with pytest.raises(FileExistsError, match=r"image-2\.png") as caught:
        _response(2).save(tmp_path)
    assert str(caught.value).endswith(
        "save to another path, or pass overwrite=True (the images are still in this response)"
    )
    assert (tmp_path / "image-2.png").read_bytes() == b"keep me"
    assert not (tmp_path / "image-1.png").exists()  # nothing written when refusing
    _response(2).save(tmp_path, overwrite=True)
    assert (tmp_path / "image-2.png").read_bytes() == b"img1"
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*"))


def test_savers_racing_for_the_same_files_never_overwrite(tmp_path: Path) -> None:
    """Between the existence check and the write another saver may get there first: the link
    into place refuses then, and the loser takes back what it wrote."""
    responses = [_response(2) for _ in range(8)]
    outcomes: list[str] = []

    def save(response: limner.ImagesResponse) -> None:
        try:
            response.save(tmp_path)
            outcomes.append("saved")
        except FileExistsError:
            outcomes.append("refused")

    threads = [threading.Thread(target=save, args=(r,)) for r in responses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["saved"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image-1.png", "image-2.png"]


_FULL_DISK_SAVE = """
import base64, errno, resource, signal, sys
import limner
data = [limner.ImageData(b64_json=base64.b64encode(b).decode()) for b in (b"new", b"x" * 500)]
response = limner.ImagesResponse(
    created=1, data=data, provider="fake", model="fake/alpha-1", output_format="png"
)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))
try:
    response.save(sys.argv[1], overwrite=True)
except OSError as exc:
    print(errno.errorcode[exc.errno])
"""


def test_an_overwriting_save_that_fails_midway_leaves_every_file_as_it_was(
    tmp_path: Path,
) -> None:
    """The second image cannot be written (a file size limit, as a full disk): the first,
    already written, must not have replaced its old file meanwhile."""
    (tmp_path / "image-1.png").write_bytes(b"old one")
    (tmp_path / "image-2.png").write_bytes(b"old two")
    ran = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_SAVE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "EFBIG\n", "")
    assert (tmp_path / "image-1.png").read_bytes() == b"old one"
    assert (tmp_path / "image-2.png").read_bytes() == b"old two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image-1.png", "image-2.png"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_every_file_is_on_disk_before_any_takes_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overwrite: bool
) -> None:
    """Flushed first (a crash must leave no empty file under the final name), then placed."""
    steps: list[str] = []
    fsync, link, replace = os.fsync, os.link, os.replace

    def synced(fd: int) -> None:
        steps.append("fsync")
        fsync(fd)

    def placed(place: Any, step: str) -> Any:
        def run(source: Any, target: Any) -> None:
            steps.append(f"{step} {Path(target).name}")
            place(source, target)

        return run

    monkeypatch.setattr(os, "fsync", synced)
    monkeypatch.setattr(os, "link", placed(link, "place"))
    monkeypatch.setattr(os, "replace", placed(replace, "place"))
    paths = _response(2).save(tmp_path, overwrite=overwrite)
    assert steps == ["fsync", "fsync", "place image-1.png", "place image-2.png"]
    assert [p.read_bytes() for p in paths] == [b"img0", b"img1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image-1.png", "image-2.png"]


def test_an_overwriting_save_refuses_a_directory_before_writing(tmp_path: Path) -> None:
    """No file replaces a directory: found after the first image had replaced its file, the
    save would be half done."""
    (tmp_path / "fox-1.png").write_bytes(b"old one")
    (tmp_path / "fox-2.png").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        _response(2).save(tmp_path / "fox.png", overwrite=True)
    assert str(caught.value) == (
        f"cannot save over {tmp_path / 'fox-2.png'}: a directory has that name; save to "
        "another path (the images are still in this response)"
    )
    assert (tmp_path / "fox-1.png").read_bytes() == b"old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fox-1.png", "fox-2.png"]


def test_saved_files_get_the_users_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        (path,) = _response(1).save(tmp_path / "fox.png")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_save_expands_the_home_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _response(1).save("~/fox.png") == [tmp_path / "fox.png"]
    assert (tmp_path / "fox.png").read_bytes() == b"img0"


def test_save_url_only_image_fails_cleanly(tmp_path: Path) -> None:
    response = limner.ImagesResponse(
        created=1,
        data=[limner.ImageData(url="https://cdn.example/a.png")],
        provider="fake",
        model="fake/alpha-1",
    )
    with pytest.raises(ValueError, match="b64_json"):
        response.data[0].to_bytes()
    with pytest.raises(ValueError):
        response.save(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_response_json_shape() -> None:
    response = _response(1)
    response.cost = Decimal("0.042")
    dumped: dict[str, Any] = response.model_dump(mode="json")
    assert dumped["cost"] == 0.042
    assert dumped["data"][0]["b64_json"] == base64.b64encode(b"img0").decode()
    assert {"created", "data", "provider", "model", "adjustments", "warnings"} <= set(dumped)
    assert "b64_json" not in repr(response.data[0])


async def test_secret_values_hold_the_credentials_given_and_from_the_environment(
    make_client: MakeClient,
) -> None:
    given = make_client(providers={"fk": {"api_key": "sk-given"}}, environ={})
    from_env = make_client(providers={}, environ={"FAKE_API_KEY": "sk-from-env"})
    assert "sk-given" in given.secret_values()  # through the alias, as requests use it
    assert from_env.secret_values() == ["sk-from-env"]
    assert make_client(providers={}, environ={}).secret_values() == []


async def test_missing_credentials_name_what_to_set_for_each_provider_without_one() -> None:
    """Found offline, as a dry run finds them (the installed plugins here: a credential chain,
    such as AWS's for Nova Canvas, is not looked for)."""
    async with limner.AsyncClient(environ={}) as bare:
        lacking = {e.provider: (e.message, e.param) for e in bare.missing_credentials()}
    assert lacking["openai"] == ("No OpenAI credential: set OPENAI_API_KEY", "api_key")
    assert lacking["stabilityai"][0] == "No Stability AI credential: set STABILITY_API_KEY"
    async with limner.AsyncClient(environ={"OPENAI_API_KEY": "sk-0123456789"}) as keyed:
        assert "openai" not in {e.provider for e in keyed.missing_credentials()}
    given = {"stabilityai": {"api_key": "sk-0123456789"}}
    async with limner.AsyncClient(providers=given, environ={}) as keyed:
        assert "stabilityai" not in {e.provider for e in keyed.missing_credentials()}


def test_settings_errors_say_which_providers_settings_do_not_load() -> None:
    """Offline, one per provider: what each of its calls would fail with."""
    bad = {"OPENAI_BASE_URL": "not a url", "STABILITY_API_KEY": "sk-0123456789"}
    (error,) = limner.Client(environ=bad).settings_errors()
    assert (error.provider, error.param) == ("openai", "providers.openai.base_url")
    assert limner.Client(environ={}).settings_errors() == []  # (a missing key is no such error)


async def test_a_credential_authorize_refuses_even_in_a_dry_run_is_missing_too() -> None:
    """Noted or raised: a provider that raises its missing-credentials error in a dry run too."""
    from .fakeprovider import ALPHA, FakePlugin, FakeProvider

    class Strict(FakeProvider):
        name = "strict"
        aliases = ()
        env: ClassVar[Mapping[str, tuple[str, ...]]] = {"api_key": ("STRICT_API_KEY",)}

        def models(self) -> list[limner.ModelInfo]:
            return [ALPHA.model_copy(update={"id": "strict/alpha-1", "provider": "strict"})]

        def authorize(
            self,
            request: limner.WireRequest,
            settings: limner.ProviderSettings,
            *,
            dry_run: bool = False,
        ) -> limner.WireRequest:
            if settings.api_key is None:
                raise self.missing_credentials()
            return request

    plugins = [FakePlugin(Strict)]
    async with limner.AsyncClient(plugins=plugins, environ={}) as client:
        assert "strict" in {e.provider for e in client.missing_credentials()}
    async with limner.AsyncClient(plugins=plugins, environ={"STRICT_API_KEY": "k"}) as client:
        assert "strict" not in {e.provider for e in client.missing_credentials()}


async def test_one_provider_under_two_of_its_names_is_refused(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Merging them, or taking one, could drop a setting: both are refused, naming the two."""
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(
            model="alpha",
            prompt="x",
            provider_options={"fake": {"steps": 2}, "fk": {"steps": 3}},
        )
    assert info.value.param == "provider_options"
    assert info.value.message == (
        "provider_options has 'fake' and 'fk', which name one provider (fake); put its "
        "settings under one of them"
    )
    twice = make_client(providers={"fake": {"api_key": "a"}, "fk": {"api_key": "b"}})
    with pytest.raises(limner.InvalidRequestError) as info:
        await twice.images.generate(model="alpha", prompt="x")
    assert info.value.param == "providers"
    assert server.requests == []


def _image_response(fmt: str) -> limner.ImagesResponse:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(out, format=fmt)
    item = limner.ImageData(b64_json=base64.b64encode(out.getvalue()).decode())
    return limner.ImagesResponse(created=1, data=[item], provider="fake", model="fake/alpha-1")


def test_save_warns_when_the_name_says_another_format(tmp_path: Path) -> None:
    """Bytes are written as sent; a name naming another format gets an ImageFormatWarning."""
    png = _image_response("PNG")
    with pytest.warns(limner.ImageFormatWarning) as caught:
        [path] = png.save(tmp_path / "fox.jpg")
    assert [str(w.message) for w in caught] == [
        f"{tmp_path / 'fox.jpg'} holds PNG data, not the JPEG its name says"
    ]
    assert path.read_bytes() == png.images()[0]
    with pytest.warns(
        limner.ImageFormatWarning,
        match=r"holds PNG data, written as sent whatever the extension \.tiff",
    ):
        png.save(tmp_path / "fox.tiff")  # not converted: said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png.save(tmp_path / "fox.PNG")  # the extension's case does not matter
        png.save(tmp_path / "fox")  # no extension: nothing to compare
        _image_response("JPEG").save(tmp_path / "fox.jpeg")
        _response(1).save(tmp_path / "odd.webp")  # bytes of no known format


def test_save_names_files_by_the_bytes_when_the_response_does_not_say(tmp_path: Path) -> None:
    jpeg = _image_response("JPEG")
    assert jpeg.output_format is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a name limner picks never draws a format warning
        [path] = jpeg.save(tmp_path)
    assert path.name == "image-1.jpg"


def test_an_output_format_limner_does_not_know_names_no_file(tmp_path: Path) -> None:
    """A response's ``output_format`` may come from elsewhere (a gateway's answer): one that is
    no format limner knows is not put in a file name; the bytes say the format instead."""
    jpeg = _image_response("JPEG").model_copy(update={"output_format": "png/../../evil.sh"})
    assert jpeg.file_format() == "jpeg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        [path] = jpeg.save(tmp_path / "fox")
    assert path == tmp_path / "fox.jpg"
    assert [p.name for p in tmp_path.iterdir()] == ["fox.jpg"]


@pytest.mark.parametrize(
    "method",
    [
        "limner.client:AsyncImages.generate",
        "limner.client:AsyncImages.edit",
        "limner.client:AsyncImages.create_variation",
        "limner.sync_client:Images.generate",
        "limner.sync_client:Images.edit",
        "limner.sync_client:Images.create_variation",
        "limner.chat.client:AsyncCompletions.create",
        "limner.chat.client:Completions.create",
    ],
)
def test_a_dry_run_flag_passed_through_as_a_bool_type_checks(method: str) -> None:
    """``dry_run=args.dry_run`` (a bool, not a literal) matches an overload that returns
    either result, so user code type-checks under mypy --strict."""
    import importlib
    import inspect
    import typing

    module, _, qualname = method.partition(":")
    owner, name = qualname.split(".")
    function = getattr(getattr(importlib.import_module(module), owner), name)
    kinds = [
        (
            inspect.signature(o).parameters["dry_run"].annotation,
            inspect.signature(o).return_annotation,
        )
        for o in typing.get_overloads(function)
    ]
    assert ("bool", kinds[0][1] + " | DryRun") in kinds, kinds


def _planned(client: limner.Client, **options: Unpack[GenerateParams]) -> limner.DryRun:
    """Options forwarded from a typed wrapper: mypy --strict gave the call ``Any`` (the
    TypedDict's ``Any`` values let ``**options`` stand for ``dry_run`` too), not ``DryRun``."""
    return client.images.generate(model="alpha", prompt="x", dry_run=True, **options)


def _planned_chat(client: limner.Client, **options: Unpack[ChatParams]) -> limner.DryRun:
    return client.chat.completions.create(model="alpha", messages=[], dry_run=True, **options)


def test_a_dry_run_with_options_forwarded_from_a_typed_wrapper_is_a_dry_run() -> None:
    """(Checked by mypy, which reads this file: see the two functions above.)"""
    with limner.Client(**client_kwargs(None)) as client:
        assert isinstance(_planned(client, size="256x256"), limner.DryRun)


def test_a_path_ending_in_a_slash_is_a_folder_where_the_separator_is_a_backslash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows (os.sep a backslash), "out/" was taken for a file: out-1.png, out-2.png."""
    from limner.responses import save_paths

    monkeypatch.setattr(os, "sep", "\\")
    folder = tmp_path / "out"
    assert save_paths(f"{folder}/", 2) == [folder / "image-1.png", folder / "image-2.png"]


def test_summed_usage_keeps_the_output_of_calls_without_a_breakdown() -> None:
    """One call of a split n reporting output_tokens_details and another not: the other's
    output tokens are image tokens, as pricing reads them, not lost from the sum."""
    detailed = limner.Usage(
        input_tokens=10,
        output_tokens=110,
        total_tokens=120,
        output_tokens_details={"text_tokens": 10, "image_tokens": 100},
    )
    plain = limner.Usage(input_tokens=10, output_tokens=200, total_tokens=210)
    for total in (detailed + plain, plain + detailed):
        assert total.output_tokens == 310
        assert total.output_tokens_details is not None
        assert (
            total.output_tokens_details.text_tokens,
            total.output_tokens_details.image_tokens,
        ) == (
            10,
            300,
        )


def test_environ_decides_which_plugins_are_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """``environ=`` stands for the process's environment: its ``LIMNER_DISABLE_PLUGINS`` counts,
    and the machine's does not (``environ={}`` keeps the machine's settings out)."""
    monkeypatch.setattr(limner.plugins, "_DEFAULT", None)  # as in a new process
    monkeypatch.setenv("LIMNER_DISABLE_PLUGINS", "openai")
    process = limner.AsyncClient().registry
    assert "openai" not in process.providers
    kept = limner.AsyncClient(environ={})
    assert "openai" in kept.registry.providers and not kept.registry.blocked
    closed = limner.AsyncClient(environ={"LIMNER_DISABLE_PLUGINS": "openai"})
    assert closed.registry is process  # the same plugins disabled: the process's, shared
