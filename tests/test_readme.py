"""The README's offline examples run as written (no key, no network)."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import limner

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)

OFFLINE = [b for b in BLOCKS if b.startswith("import limner\n") and "limner.Client()" in b]


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_every_example_is_python_that_runs_as_a_file(block: str) -> None:
    """Copied into a file, each example compiles (no await outside a function, say); those
    that need a key or a server are run elsewhere or not at all."""
    compile(textwrap.dedent(block), str(README), "exec")  # (a list item's is indented)


def test_readme_has_offline_examples() -> None:
    assert len(OFFLINE) >= 2


@pytest.mark.parametrize("block", OFFLINE, ids=[f"block{i}" for i in range(len(OFFLINE))])
def test_offline_example_runs(
    block: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    namespace: dict[str, object] = {}
    exec(compile(block, str(README), "exec"), namespace)
    client = namespace.get("client")
    close = getattr(client, "close", None)
    if callable(close):
        close()
    assert capsys.readouterr().out.strip()


def test_the_capabilities_example_prints_what_its_comments_say(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (block,) = [b for b in BLOCKS if "nova.quality_map" in b]
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    exec(compile(block, str(README), "exec"), {})
    assert capsys.readouterr().out.splitlines()[-2:] == ["premium", "()"]


def test_sizing_example_prints_what_its_comments_say(capsys: pytest.CaptureFixture[str]) -> None:
    (block,) = [b for b in BLOCKS if "from limner.sizing import" in b]
    exec(compile(block, str(README), "exec"), {})
    promised = [line.split("# ")[1] for line in block.splitlines() if line.startswith("print(")]
    assert capsys.readouterr().out.splitlines() == promised


def test_the_plugin_examples_translation_reports_what_it_drops() -> None:
    """The README's AcmeProvider, completed with a model, in a dry run: its translate builds the
    request and reports the seed it drops."""
    (block,) = [b for b in BLOCKS if "class AcmeProvider(limner.Provider)" in b]
    namespace: dict[str, Any] = {}
    exec(compile(block, str(README), "exec"), namespace)
    model = limner.ModelInfo(
        id="acme/a1",
        provider="acme",
        name="a1",
        capabilities=limner.Capabilities(operations=("generate",), seed=False),
    )
    acme = type("Acme", (namespace["AcmeProvider"],), {"models": lambda self: [model]})

    class Plugin:
        @limner.hookimpl
        def register_providers(self, register: Any) -> None:
            register(acme())

    with limner.Client(plugins=[Plugin()], environ={}) as client:
        plan = client.images.generate(model="acme/a1", prompt="a fox", seed=3, dry_run=True)
        extra = client.images.generate(
            model="acme/a1", prompt="a fox", extra_body={"acme_finish": 7}, dry_run=True
        )
    (sent,) = plan.requests
    assert (sent["url"], sent["json"]) == (
        "https://api.acme.example/v1/images",
        {"model": "a1", "prompt": "a fox", "n": 1, "size": "1024x1024"},
    )
    assert [(a.param, a.requested, a.applied) for a in plan.adjustments] == [("seed", 3, None)]
    assert extra.requests[0]["json"]["acme_finish"] == 7  # an unknown field, forwarded as given


async def test_the_job_example_polls_a_job_to_its_image() -> None:
    """The README's job provider, completed with the test double's models, translation and
    authorization, against a server shaped like Black Forest Labs' job API."""
    from .core.jobsprovider import KEY, Jobs, JobsProvider
    from .core.support import FakeServer

    (block,) = [b for b in BLOCKS if "class FluxProvider(limner.Provider)" in b]
    namespace: dict[str, Any] = {}
    exec(compile(textwrap.dedent(block), str(README), "exec"), namespace)

    readme_provider: type[limner.Provider] = namespace["FluxProvider"]
    flux = type("Flux", (readme_provider, JobsProvider), {})  # the README's methods first

    class Plugin:
        @limner.hookimpl
        def register_providers(self, register: Any) -> None:
            register(flux())

    server = FakeServer()
    await server.start()
    server.reply(Jobs(server, polls=1))
    settings = {"api_key": KEY, "base_url": f"{server.url}/v1"}
    client = limner.AsyncClient(
        plugins=[Plugin()], providers={"jobs": settings}, environ={}, allow_private_networks=True
    )
    try:
        started = time.monotonic()
        result = await client.images.generate(model="jobs/flux-test", prompt="a fox")
        waited = time.monotonic() - started
    finally:
        await client.close()
        await server.stop()
    assert [item.url for item in result.data] == [f"{server.url}/files/a.png?job=job-1"]
    assert [r.method for r in server.api_calls] == ["POST", "GET", "GET"]
    assert waited >= 0.5 + 1.0  # the backoff it describes


async def test_the_gateway_embedding_example_serves_the_openai_routes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiohttp import ClientSession, web

    (block,) = [b for b in BLOCKS if "create_app(client, store" in b]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "readme"}  # not __main__: it does not serve forever
    exec(compile(block, str(README), "exec"), namespace)
    runner: web.AppRunner = namespace["gateway"]()
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}/v1/models"
        async with ClientSession() as session, session.get(url) as answer:
            listed = await answer.json()
    finally:
        await runner.cleanup()  # close_client=True: the client closes with the app
    assert answer.status == 200
    assert "openai/gpt-image-2" in [model["id"] for model in listed["data"]]
