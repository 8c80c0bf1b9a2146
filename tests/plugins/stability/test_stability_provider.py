"""Registration, model table, aliases, settings and credentials, secrets, and prices."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import limner
from limner.plugins import Registry
from limner_stability import StabilityProvider
from limner_stability.models import ASPECT_RATIOS, MODELS
from limner_stability.prices import EDIT_CREDITS, GENERATE_CREDITS

from .conftest import Loopback

IDS = [
    "stabilityai/sd3.5-flash",
    "stabilityai/sd3.5-large",
    "stabilityai/sd3.5-large-turbo",
    "stabilityai/sd3.5-medium",
    "stabilityai/stable-image-core",
    "stabilityai/stable-image-ultra",
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry()


def test_registered_through_the_entry_point(registry: Registry) -> None:
    assert [m.id for m in registry.models() if m.provider == "stabilityai"] == IDS
    assert isinstance(registry.providers["stabilityai"], StabilityProvider)


@pytest.mark.parametrize("given", ["stability/sd3.5-large", "stabilityai/sd3.5-large"])
def test_both_prefixes_resolve(registry: Registry, given: str) -> None:
    assert registry.resolve(given).id == "stabilityai/sd3.5-large"


def test_capabilities_as_data() -> None:
    for info in MODELS:
        caps = info.capabilities
        assert caps.max_images_per_call == 1
        assert caps.aspect_ratios == ASPECT_RATIOS
        assert caps.output_formats == ("png", "jpeg", "webp")
        assert caps.seed and caps.negative_prompt
        assert caps.max_prompt_chars == 10000
        editing = info.name != "stable-image-core"
        assert ("edit" in caps.operations) is editing
        if editing:
            assert caps.edit_modes[:2] == ("inpaint", "image-to-image")
            assert set(caps.edit_modes) == {"image-to-image", *EDIT_CREDITS}
            assert caps.max_input_images == 1 and caps.mask


@pytest.mark.parametrize(
    ("name", "usd"),
    [
        ("sd3.5-large", "0.065"),
        ("sd3.5-large-turbo", "0.04"),
        ("sd3.5-medium", "0.035"),
        ("sd3.5-flash", "0.025"),
        ("stable-image-core", "0.03"),
        ("stable-image-ultra", "0.08"),
    ],
)
def test_generate_prices(registry: Registry, name: str, usd: str) -> None:
    info = registry.resolve(f"stabilityai/{name}")
    assert info.pricing is not None
    assert "Golden_Gigas" in info.pricing.source and info.pricing.as_of.year == 2026
    assert registry.price(info, "generate", 3, None, None, None) == Decimal(usd) * 3
    assert registry.price(info, "edit", 1, None, None, None) is None
    assert GENERATE_CREDITS[name] / 100 == Decimal(usd)


def test_edit_credits_per_mode() -> None:
    assert {mode: str(count) for mode, count in EDIT_CREDITS.items()} == {
        "inpaint": "5",
        "outpaint": "4",
        "erase": "5",
        "search-and-replace": "5",
        "search-and-recolor": "5",
        "remove-background": "5",
    }


def test_credentials_from_the_environment() -> None:
    provider = StabilityProvider()
    settings = provider.load_settings(
        {}, {"STABILITY_API_KEY": "sk-env", "STABILITY_BASE_URL": "http://h:1/"}
    )
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-env"
    assert settings.base_url == "http://h:1/"


async def test_base_url_override_and_secret_kept_out() -> None:
    environ = {"STABILITY_API_KEY": "sk-secret-123", "STABILITY_BASE_URL": "http://h:1/"}
    async with limner.AsyncClient(environ=environ) as client:
        plan = await client.images.generate(
            model="stabilityai/stable-image-core", prompt="p", dry_run=True
        )
    dumped = json.dumps(plan.model_dump(mode="json"))
    assert plan.requests[0]["url"] == "http://h:1/v2beta/stable-image/generate/core"
    assert plan.requests[0]["headers"]["authorization"] == "<redacted>"
    assert "sk-secret-123" not in dumped
    assert plan.estimated_cost_usd == Decimal("0.03")


def test_authorize_marks_the_key_secret() -> None:
    provider = StabilityProvider()
    settings = provider.load_settings({"api_key": "sk-secret-9"}, {})
    request = limner.WireRequest(method="POST", url="https://x", form=(("prompt", "p"),))
    signed = provider.authorize(request, settings)
    assert signed.headers["authorization"] == "Bearer sk-secret-9"
    assert "sk-secret-9" not in repr(signed)
    assert "sk-secret-9" not in json.dumps(signed.describe())


async def test_missing_key_names_the_variable() -> None:
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.MissingCredentialsError) as info:
            await client.images.generate(model="stabilityai/sd3.5-large", prompt="p")
    assert "STABILITY_API_KEY" in info.value.message


def test_extra_headers_may_not_set_the_key() -> None:
    with (
        limner.Client(environ={"STABILITY_API_KEY": "k"}) as client,
        pytest.raises(limner.InvalidRequestError) as info,
    ):
        client.images.generate(
            model="stabilityai/sd3.5-large",
            prompt="p",
            extra_headers={"Authorization": "Bearer other"},
            dry_run=True,
        )
    assert info.value.param == "extra_headers.authorization"


def test_unknown_option_is_refused() -> None:
    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as info:
        client.images.generate(
            model="stabilityai/sd3.5-large",
            prompt="p",
            provider_options={"stability": {"steps": 30}},
            dry_run=True,
        )
    assert info.value.param == "provider_options.stability.steps"  # as the caller spelt it
    assert "the settings are accept, cfg_scale," in info.value.message


@pytest.mark.parametrize("spelled", ["stability", "stabilityai"])
def test_a_bad_setting_is_named_under_the_name_the_caller_used(spelled: str) -> None:
    with (
        limner.Client(providers={spelled: {"api_key": "sk-a\x01b"}}, environ={}) as client,
        pytest.raises(limner.InvalidRequestError) as info,
    ):
        client.images.generate(model="stabilityai/sd3.5-large", prompt="p", dry_run=True)
    assert info.value.param == f"providers.{spelled}.api_key"
    assert info.value.message.startswith(f"providers.{spelled}.api_key: ")


async def test_client_settings_under_the_alias(loopback: Loopback) -> None:
    settings = {"api_key": "sk-alias", "base_url": f"http://127.0.0.1:{loopback.port}"}
    async with limner.AsyncClient(
        providers={"stability": settings}, allow_private_networks=True, environ={}
    ) as client:
        result = await client.images.generate(model="stability/sd3.5-large", prompt="p")
    assert len(result.data) == 1
    assert [seen.headers["authorization"] for seen in loopback.seen] == ["Bearer sk-alias"]


async def test_settings_under_the_name_and_the_alias_are_refused(loopback: Loopback) -> None:
    """Neither wins: taking one would drop the other's settings without a word."""
    base = f"http://127.0.0.1:{loopback.port}"
    providers = {
        "stability": {"api_key": "sk-alias", "base_url": "http://127.0.0.1:9/"},
        "stabilityai": {"api_key": "sk-canonical", "base_url": base},
    }
    async with limner.AsyncClient(
        providers=providers, allow_private_networks=True, environ={}
    ) as client:
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.generate(model="stability/sd3.5-large", prompt="p")
    assert info.value.param == "providers"
    assert info.value.message == (
        "providers has 'stabilityai' and 'stability', which name one provider (stabilityai); "
        "put its settings under one of them"
    )
    assert loopback.seen == []


@pytest.mark.parametrize("name", ["n\x00", "x\r\ny", "a\nb"])
async def test_a_field_name_no_multipart_header_can_carry_is_the_callers_to_fix(name: str) -> None:
    """Stability's bodies are multipart: a part's name is a header's text. It was aiohttp's
    ValueError (a 500 through the gateway); now the field is named, not the plugin blamed."""
    async with limner.AsyncClient(environ={}) as client:
        for dry_run in (True, False):
            with pytest.raises(limner.InvalidRequestError) as caught:
                await client.images.generate(
                    model="stabilityai/sd3.5-large",
                    prompt="a fox",
                    extra_body={name: "png"},
                    dry_run=dry_run,
                )
            assert (caught.value.param, caught.value.code) == (name, "invalid_text")
            assert caught.value.message == (
                f"{name!r} is a field name with a control character: no provider has such a "
                "field, and no multipart body can carry it; leave it out, or name the field "
                "without it"
            )
