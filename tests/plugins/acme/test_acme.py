"""The example plugin's tests, as its author would keep them: limner's standard tests, calls to a
loopback server playing the Acme API, its distribution's entry point, and another plugin
correcting one of its prices.

This folder is the example distribution's root, not a package of the test suite (no
``__init__.py``): pytest puts it on ``sys.path``, so ``import limner_acme`` works as it would
with the distribution installed."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import textwrap
import tomllib
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from PIL import Image

import limner
import limner_acme
from limner.plugins import Registry
from limner.testing import ProviderTests

HERE = Path(__file__).parent
README = HERE.parents[2] / "README.md"
KEY = "acme-test-key-0123456789"
INSTALLED = ["openai", "google", "stability", "nova_canvas"]  # plugins installed beside it: out


class TestAcmeStandard(ProviderTests):
    plugin = limner_acme  # the module or object with the @limner.hookimpl functions

    @property
    def settings(self) -> dict[str, Any]:  # as a user gives them, every secret included
        return {"api_key": "acme-test-key-0123456789"}


# ---- a loopback server playing the Acme API -----------------------------------------------------


def tiny_png() -> str:
    """An 8x8 PNG, base64."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 90, 200)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


class AcmeServer:
    """Records each request's JSON body and authorization header; answers with the next
    scripted error (status, Acme's error body), else with the ``n`` images asked for, in the
    size asked for unless ``says`` has another (and a bill where it has ``cost_usd``)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.keys: list[str | None] = []
        self.errors: list[tuple[int, dict[str, Any]]] = []
        self.says: dict[str, Any] = {}

    async def images(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.bodies.append(body)
        self.keys.append(request.headers.get("authorization"))
        if self.errors:
            status, error = self.errors.pop(0)
            return web.json_response(error, status=status, headers={"retry-after": "0"})
        images = [{"b64": tiny_png()}] * body["n"]
        return web.json_response({"images": images, "size": body["size"], **self.says})


@pytest.fixture
async def acme() -> AsyncIterator[tuple[AcmeServer, limner.AsyncClient]]:
    server = AcmeServer()
    app = web.Application()
    app.router.add_post("/v1/images", server.images)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    client = limner.AsyncClient(
        plugins=[limner_acme],
        providers={"acme": {"api_key": KEY, "base_url": f"http://127.0.0.1:{port}"}},
        environ={},  # the machine's ACME_* variables stay out
        disable_plugins=INSTALLED,
        retry=limner.RetryPolicy(max_retries=1, initial_delay=0.001),
    )
    try:
        yield server, client
    finally:
        await client.close()
        await runner.cleanup()


async def test_n_above_the_per_call_maximum_is_split_and_priced_by_the_size_sent(
    acme: tuple[AcmeServer, limner.AsyncClient],
) -> None:
    server, client = acme
    result = await client.images.generate(
        model="acme/paint-2",
        prompt="a red kite",
        n=5,
        size="1600x900",
        seed=7,
        provider_options={"acme": {"steps": 30}},
    )
    shared = {"model": "paint-2", "prompt": "a red kite", "size": "1536x1024", "steps": 30}
    assert server.bodies == [  # two images per call at most, each call with its own seed
        {**shared, "n": 2, "seed": 7},
        {**shared, "n": 2, "seed": 8},
        {**shared, "n": 1, "seed": 9},
    ]
    assert server.keys == [f"Bearer {KEY}"] * 3
    assert len(result.data) == 5
    assert result.cost == 5 * Decimal("0.06")  # 2 + 2 + 1 images at 1536x1024's price
    size_changes = [(a.requested, a.applied) for a in result.adjustments if a.param == "size"]
    assert set(size_changes) == {("1600x900", "1536x1024")}


async def test_the_answer_says_the_size_made_and_the_bill(
    acme: tuple[AcmeServer, limner.AsyncClient],
) -> None:
    server, client = acme
    server.says = {"size": "1000x1000", "cost_usd": "0.05"}  # the price sheet says 0.02
    result = await client.images.generate(model="acme/sketch-1", prompt="a kite", seed=3)
    assert server.bodies[0]["size"] == "1024x1024"  # sketch-1's default
    assert (result.size, result.cost) == ("1000x1000", Decimal("0.05"))
    assert "seed" not in server.bodies[0]  # sketch-1 takes none: dropped, and said
    assert [(a.param, a.applied) for a in result.adjustments] == [("seed", None)]


async def test_acme_errors_become_limners(acme: tuple[AcmeServer, limner.AsyncClient]) -> None:
    server, client = acme
    slow_down = (429, {"error": {"code": "rate_limited", "message": "slow down"}})
    server.errors = [slow_down, slow_down]  # the first try and its one retry
    with pytest.raises(limner.RateLimitError) as limited:
        await client.images.generate(model="acme/paint-2", prompt="a kite")
    assert limited.value.message.startswith("Acme: slow down")
    assert limited.value.code == "rate_limited" and limited.value.retryable

    server.errors = [(401, {"error": {"code": "bad_key", "message": "unknown key"}})]
    with pytest.raises(limner.AuthenticationError) as refused:
        await client.images.generate(model="acme/paint-2", prompt="a kite")
    assert "ACME_API_KEY" in refused.value.message and not refused.value.retryable

    server.errors = [(400, {"error": {"code": "moderated", "message": "not that"}})]
    with pytest.raises(limner.ContentPolicyError) as moderated:
        await client.images.generate(model="acme/paint-2", prompt="a kite")
    assert (moderated.value.param, moderated.value.reason) == ("prompt", "not that")
    assert len(server.bodies) == 4  # 2 for the 429, 1 each for the 401 and the 400


# ---- the distribution ---------------------------------------------------------------------------


def test_the_distribution_names_the_module_in_limners_entry_point_group() -> None:
    project = tomllib.loads((HERE / "pyproject.toml").read_text())["project"]
    assert project["name"] == "limner-acme"
    assert any(re.match(r"limner-core\b", needed) for needed in project["dependencies"])
    (name, value), *others = project["entry-points"]["limner"].items()
    assert (name, value, others) == ("acme", "limner_acme", [])
    loaded = EntryPoint(name=name, value=value, group="limner").load()  # as limner loads it
    assert loaded is limner_acme
    assert list(Registry([loaded], entry_points=False).providers) == ["acme"]


# ---- another plugin correcting Acme's price -----------------------------------------------------


class AcmeContract:
    """A plugin of one's own, beside limner_acme: a negotiated $0.03 for any paint-2 image."""

    @limner.hookimpl
    def register_models(self, register: Callable[[limner.ModelInfo], None]) -> None:
        for model in limner_acme.AcmeProvider().models():
            if model.id == "acme/paint-2" and model.pricing is not None:
                any_size = limner.ImagePrice(usd=Decimal("0.03"), note="any size")
                pricing = model.pricing.model_copy(  # what it does not name carries over
                    update={
                        "per_image": (any_size,),
                        "source": "our Acme contract, ACME-2026-07",
                        "as_of": dt.date(2026, 7, 1),
                    }
                )
                register(model.model_copy(update={"pricing": pricing}))


def readme_contract() -> object:
    """The README's copy of :class:`AcmeContract`, run as written (this repository's check
    of its README: a copy of the example leaves it out)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    (block,) = [b for b in blocks if "def register_models" in b]
    namespace: dict[str, Any] = {}
    exec(compile(textwrap.dedent(block), str(README), "exec"), namespace)  # (a list item's)
    return namespace["AcmeContract"]()


@pytest.mark.parametrize("contract", [AcmeContract, readme_contract], ids=["test", "readme"])
def test_a_plugin_corrects_a_price_and_the_rest_of_the_sheet_carries_over(
    contract: Callable[[], object],
) -> None:
    plugins = [limner_acme, contract()]
    with limner.Client(plugins=plugins, environ={}, disable_plugins=INSTALLED) as client:
        paint = client.images.generate(model="acme/paint-2", prompt="a kite", n=3, dry_run=True)
        sketch = client.images.generate(model="acme/sketch-1", prompt="a kite", dry_run=True)
        sheet = client.models.retrieve("acme/paint-2").pricing
    assert paint.estimated_cost_usd == 3 * Decimal("0.03")  # the list price: 3 x 0.04
    assert sketch.estimated_cost_usd == Decimal("0.02")  # another model's: as listed
    assert sheet is not None and sheet.source == "our Acme contract, ACME-2026-07"
    assert sheet.as_of == dt.date(2026, 7, 1)
    assert sheet.notes == limner_acme.PRICES_NOTES  # not replaced: carried over
