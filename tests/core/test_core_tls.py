"""A TLS certificate that does not verify (software that inspects TLS on the network, an expired
certificate): said as such, not retried, for provider calls and downloads; the SSL_CERT_FILE the
message points to is what makes it verify."""

from __future__ import annotations

import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web

import limner

from .fakeprovider import FakePlugin, FakeProvider
from .support import FakeServer, client_kwargs

HINT = (
    "its TLS certificate could not be verified (unable to get local issuer certificate); if a "
    "proxy or security software on this network inspects TLS, point SSL_CERT_FILE at its "
    "certificate authority"
)


@dataclass
class TLSServer:
    """An HTTPS server on loopback whose certificate a private authority signed."""

    url: str
    authority: trustme.CA
    hellos: list[str | None] = field(default_factory=list)
    """The TLS handshakes begun, by the name asked for."""


@pytest.fixture
async def tls_server() -> AsyncIterator[TLSServer]:
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    app = web.Application()

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"created": 1, "data": []})

    app.router.add_route("*", "/{path:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    server = TLSServer(f"https://127.0.0.1:{port}", authority)
    context.sni_callback = lambda _socket, name, _context: server.hellos.append(name)
    yield server
    await runner.cleanup()


async def test_a_provider_whose_certificate_does_not_verify_is_not_retried(
    tls_server: TLSServer,
) -> None:
    settings = {"fake": {"api_key": "sk-fake-key-123456", "base_url": f"{tls_server.url}/v1"}}
    async with limner.AsyncClient(**client_kwargs(None, providers=settings)) as client:
        with pytest.raises(limner.ProviderConnectionError) as caught:
            await client.images.generate(model="alpha", prompt="a fox")
    host = tls_server.url.removeprefix("https://")
    assert str(caught.value) == f"could not reach {host}: {HINT}"
    assert caught.value.code == "certificate_verify_failed"
    assert len(tls_server.hellos) == 1  # max_retries=2: retrying does not help


async def test_a_download_whose_certificate_does_not_verify_says_so(
    tls_server: TLSServer,
) -> None:
    url = f"{tls_server.url}/a.png"
    async with limner.AsyncClient(**client_kwargs(None)) as client:
        with pytest.raises(limner.ProviderConnectionError) as caught:
            await client.images.edit(model="alpha", prompt="a hat", image=url)
    assert str(caught.value) == f"images[0]: could not download {url}: {HINT}"
    assert (caught.value.param, caught.value.code) == ("images[0]", "certificate_verify_failed")
    assert len(tls_server.hellos) == 1


async def test_ssl_cert_file_makes_the_certificate_verify(
    tls_server: TLSServer, tmp_path: Path
) -> None:
    """What the message tells: Python reads SSL_CERT_FILE when it starts (a fresh process)."""
    authority = tmp_path / "authority.pem"
    tls_server.authority.cert_pem.write_to_path(str(authority))
    script = (
        "import sys, limner\n"
        "settings = {'openai': {'api_key': 'sk-test-key-123456', 'base_url': sys.argv[1]}}\n"
        "client = limner.Client(providers=settings, max_retries=0)\n"
        "try:\n"
        "    client.images.generate(model='openai/gpt-image-1', prompt='a fox')\n"
        "except limner.LimnerError as error:\n"
        "    print(type(error).__name__, error.code)\n"
    )
    ran = await _run(script, f"{tls_server.url}/v1", SSL_CERT_FILE=str(authority))
    # reached and answered (with no image), not a TLS failure
    assert ran == "NoImageGeneratedError no_image_generated\n"


async def _run(script: str, *args: str, **environ: str) -> str:
    import asyncio
    import os

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        *args,
        stdout=subprocess.PIPE,
        env={**os.environ, **environ},
    )
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    return out.decode()


async def test_a_plugins_own_connection_error_is_still_retried(server: FakeServer) -> None:
    """Only the failures that cannot get better (a certificate, a proxy's 407) are final, by
    their code: a plugin's ProviderConnectionError, which leaves ``retryable`` at its default,
    is retried as the README says."""
    tries: list[int] = []

    class Flaky(FakeProvider):
        def authorize(self, request: Any, settings: Any, *, dry_run: bool = False) -> Any:
            tries.append(1)
            if len(tries) == 1:
                raise limner.ProviderConnectionError("token service unreachable")
            return super().authorize(request, settings, dry_run=dry_run)

    async with limner.AsyncClient(**client_kwargs(server, plugins=[FakePlugin(Flaky)])) as client:
        result = await client.images.generate(model="alpha", prompt="a fox")
    assert (len(result.data), len(tries)) == (1, 2)
