"""Warnings about the gateway's own settings (its provider credential sent unencrypted) are the
operator's: said at start-up and once in the log, never in the answers its clients read (they
cannot change them, and they named the upstream's address)."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path
from typing import Any

import pytest

import limner
from limner.gateway import GatewayConfig
from limner.gateway.owners import owner_tag
from limner.gateway.server import credentials_in_clear, serve

from ..core.support import FakeServer
from .support import UPSTREAM_KEY, start_gateway

UPSTREAM = "http://upstream.example:8000/v1"  # plain http, another machine: reached by a proxy
CLEAR = (
    "the openai credential goes unencrypted to upstream.example:8000 (its base URL is "
    "http://): anyone on the network in between can read and reuse it; use an https:// base "
    "URL (providers.openai.base_url or OPENAI_BASE_URL)"
)


async def test_the_clear_credential_warning_is_logged_once_not_answered(
    server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    providers = {"openai": {"api_key": UPSTREAM_KEY, "base_url": UPSTREAM}}
    gateway = await start_gateway(
        server, tmp_path, providers=providers, environ={"HTTP_PROXY": server.url}
    )
    try:
        direct = await gateway.client.images.generate(model="openai/gpt-image-2", prompt="a")
        assert [w.message for w in direct.warnings] == [CLEAR]  # (the library's callers see it)
        answers: list[Any] = []
        with caplog.at_level(logging.INFO, logger="limner.gateway"):
            for _ in range(2):
                raw = await gateway.sdk().images.with_raw_response.generate(
                    model="openai/gpt-image-2", prompt="a"
                )
                answers.append(raw.http_response.json())
    finally:
        await gateway.stop()
    assert len(server.api_calls) == 3
    for answer in answers:
        assert "upstream.example" not in str(answer)
        assert answer.get("warnings", []) == []
    logged = [r.getMessage() for r in caplog.records if "credentials_in_clear" in r.getMessage()]
    assert logged == [f"credentials_in_clear: {CLEAR}"]
    assert [r.levelname for r in caplog.records if "credentials_in_clear" in r.getMessage()] == [
        "WARNING"
    ]


async def test_serve_says_at_start_that_a_credential_goes_unencrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-upstream-0123456789")
    monkeypatch.setenv("OPENAI_BASE_URL", UPSTREAM)
    said = await _start_output(GatewayConfig(), tmp_path)
    assert f"limner gateway: {CLEAR}\n" in said
    assert "sk-upstream" not in said


async def _start_output(config: GatewayConfig, files: Path) -> str:
    """What ``limner serve`` prints until it names its base URL (it is then stopped)."""
    out = io.StringIO()
    task = asyncio.create_task(serve(config, port=0, files_dir=files, out=out))
    try:
        while "base URL" not in out.getvalue():
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return out.getvalue()


async def test_serve_names_the_keys_as_the_log_will(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several team keys, the log names which one each request came with, by a tag: the
    start lists the keys' tags in order, never the keys."""
    keys = ("team-a-key-0123456789abcdef", "team-b-key-0123456789abcdef")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-upstream-0123456789")
    said = await _start_output(GatewayConfig(api_keys=keys), tmp_path)
    tags = [owner_tag(key)[:8] for key in keys]
    assert f"limner gateway: the log names the keys, in order, {tags[0]}, {tags[1]}\n" in said
    assert not any(key in said for key in keys)


async def test_no_clear_credential_warning_for_https_or_this_machine() -> None:
    for base_url in ("https://upstream.example/v1", "http://127.0.0.1:9/v1"):
        client = limner.AsyncClient(
            providers={"openai": {"api_key": "sk-x", "base_url": base_url}}, environ={}
        )
        async with client:
            assert await credentials_in_clear(client) == []


async def test_links_made_behind_a_proxy_without_a_public_url_are_said_once(
    server: FakeServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Behind a TLS proxy without --public-url the links were http:// on the proxy's Host,
    and nothing said so."""
    gateway = await start_gateway(server, tmp_path)
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "img.example"}
    try:
        with caplog.at_level(logging.INFO, logger="limner.gateway"):
            for _ in range(2):
                result = await gateway.sdk().images.generate(
                    model="openai/gpt-image-1",
                    prompt="a fox",
                    response_format="url",
                    extra_headers=proxied,
                )
    finally:
        await gateway.stop()
    (item,) = result.data or []
    assert item.url is not None and item.url.startswith(gateway.origin)  # (not trusted)
    said = [r.getMessage() for r in caplog.records if "--public-url is not set" in r.getMessage()]
    assert said == [
        "requests come through a proxy (X-Forwarded-Proto, X-Forwarded-Host) but --public-url "
        f"is not set: image links point at {gateway.origin}; set --public-url to the address "
        "clients reach (https://...)"
    ]
