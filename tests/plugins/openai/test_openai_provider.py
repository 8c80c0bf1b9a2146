"""Registration, the model table, settings, options and credentials."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

import limner
from limner.plugins import Registry
from limner_openai import OpenAIOptions, OpenAIProvider, OpenAISettings

IDS = [
    "openai/chatgpt-image-latest",
    "openai/dall-e-2",
    "openai/dall-e-3",
    "openai/gpt-image-1",
    "openai/gpt-image-1-mini",
    "openai/gpt-image-1.5",
    "openai/gpt-image-1.5-2025-12-16",
    "openai/gpt-image-2",
    "openai/gpt-image-2-2026-04-21",
    "openai/gpt-image-2.5-flare",
    "openai/gpt-image-2.5-flare-2026-09-08",
    "openai/gpt-image-2.5-sunburst",
    "openai/gpt-image-2.5-sunburst-2026-09-08",
    "openai/gpt-image-2.6-flare",
    "openai/gpt-image-2.6-sunburst",
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(disable_plugins=())


def test_entry_point_registers_the_provider(registry: Registry) -> None:
    assert isinstance(registry.providers["openai"], OpenAIProvider)
    assert [m.id for m in registry.models() if m.provider == "openai"] == IDS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gpt-image-1.5", "openai/gpt-image-1.5"),
        ("openai/dall-e-3", "openai/dall-e-3"),
        ("dall-e-2", "openai/dall-e-2"),
    ],
)
def test_bare_names_resolve(registry: Registry, name: str, expected: str) -> None:
    assert registry.resolve(name).id == expected


def test_replacements_are_registered_live_models(registry: Registry) -> None:
    for info in registry.models():
        replacement = info.lifecycle.replacement
        if replacement is not None:
            target = registry.resolve(replacement)
            assert target.lifecycle.status == "active"
            assert set(info.capabilities.operations) - {"variation"} <= set(
                target.capabilities.operations
            )


def test_lifecycles(registry: Registry) -> None:
    gi1 = registry.resolve("openai/gpt-image-1").lifecycle
    assert (gi1.status, gi1.shutdown_on, gi1.replacement) == (
        "retired",
        dt.date(2026, 10, 23),
        "openai/gpt-image-2.5-sunburst",  # the SDK: "Use gpt-image-2.5-sunburst or ...-flare"
    )
    assert gi1.source is not None and "GPT-Image-2.5 Sunburst" in gi1.source
    de3 = registry.resolve("openai/dall-e-3").lifecycle
    assert (de3.status, de3.shutdown_on) == ("shutdown", dt.date(2026, 5, 12))
    assert de3.replacement == "openai/gpt-image-2.5-sunburst"  # its model page's advice
    # OpenAI's deprecations page: shut down Dec 1, 2026, notice Jun 2, 2026
    for name in ("gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1-mini"):
        life = registry.resolve(f"openai/{name}").lifecycle
        assert (life.status, life.deprecated_on, life.shutdown_on, life.replacement) == (
            "deprecated",
            dt.date(2026, 6, 2),
            dt.date(2026, 12, 1),
            "openai/gpt-image-2.6-sunburst",
        ), name
    assert registry.resolve("openai/chatgpt-image-latest").lifecycle.status == "deprecated"
    assert registry.resolve("openai/gpt-image-2").lifecycle.status == "active"


def test_capabilities_from_the_spec(registry: Registry) -> None:
    caps = {m.name: m.capabilities for m in registry.models()}
    assert caps["dall-e-3"].max_images_per_call == 1
    assert caps["dall-e-3"].operations == ("generate",)
    assert caps["dall-e-3"].styles == ("vivid", "natural")
    assert caps["dall-e-2"].operations == ("generate", "edit", "variation")
    assert (caps["dall-e-2"].max_prompt_chars, caps["dall-e-2"].max_input_images) == (1000, 1)
    assert caps["chatgpt-image-latest"].operations == ("generate", "edit")
    for name in ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2"):
        assert caps[name].response_formats == ("b64_json",)
        assert caps[name].max_input_images == 16
        assert caps[name].remote_image_urls and caps[name].file_ids
        assert caps[name].max_images_per_call == 10
    rules = caps["gpt-image-2"].size_rules
    assert rules is not None
    assert rules.violations(3840, 2160) == []
    assert rules.violations(1536, 864) == []
    assert rules.violations(3840, 1024) != []  # wider than 3:1
    assert rules.violations(1000, 1000) != []  # not multiples of 16
    assert caps["gpt-image-1"].size_rules is None


def test_settings_from_environment(provider: OpenAIProvider) -> None:
    env = {
        "OPENAI_API_KEY": "sk-env",
        "OPENAI_BASE_URL": "https://proxy/v1",
        "OPENAI_ORG_ID": "org-1",
        "OPENAI_PROJECT_ID": "proj_1",
    }
    settings = provider.load_settings({"project": "proj_override"}, env)
    assert isinstance(settings, OpenAISettings)
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-env"
    assert (settings.base_url, settings.organization, settings.project) == (
        "https://proxy/v1",
        "org-1",
        "proj_override",
    )
    assert "sk-env" not in repr(settings)


def test_unknown_setting_is_refused(provider: OpenAIProvider) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.load_settings({"organisation": "x"}, {})
    assert info.value.param == "providers.openai.organisation"


@pytest.mark.parametrize("where", ["given", "environment"])
def test_credentials_in_the_base_url_are_refused(provider: OpenAIProvider, where: str) -> None:
    """They would show in errors, logs and dry runs (and aiohttp refuses them next to the
    Authorization header): the key belongs in api_key."""
    url = "https://user:hunter2@proxy.example/v1"
    given, env = ({"base_url": url}, {}) if where == "given" else ({}, {"OPENAI_BASE_URL": url})
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.load_settings(given, env)
    assert info.value.param == "providers.openai.base_url"
    assert "api_key" in info.value.message
    assert "hunter2" not in str(info.value)


def test_authorize_adds_secret_headers(provider: OpenAIProvider, make_call: Any) -> None:
    settings = provider.load_settings(
        {"api_key": "sk-live", "organization": "org-9", "project": "proj_9"}, {}
    )
    request = provider.translate(make_call("gpt-image-1", prompt="x", settings=settings)).request
    signed = provider.authorize(request, settings)
    assert dict(signed.headers) == {
        "authorization": "Bearer sk-live",
        "openai-organization": "org-9",
        "openai-project": "proj_9",
    }
    assert signed.secret_headers == provider.credential_headers
    assert set(signed.redacted_headers().values()) == {"<redacted>"}
    assert request.headers == {}  # translate itself never carries credentials


def test_authorize_without_optional_headers(provider: OpenAIProvider, make_call: Any) -> None:
    settings = provider.load_settings({"api_key": "sk-live"}, {})
    request = provider.translate(make_call("gpt-image-1", prompt="x")).request
    assert dict(provider.authorize(request, settings).headers) == {
        "authorization": "Bearer sk-live"
    }


def test_missing_key(provider: OpenAIProvider, make_call: Any) -> None:
    settings = provider.load_settings({}, {})
    request = provider.translate(make_call("gpt-image-1", prompt="x")).request
    with pytest.raises(limner.MissingCredentialsError) as info:
        provider.authorize(request, settings)
    assert "OPENAI_API_KEY" in info.value.message
    dry = provider.authorize(request, settings, dry_run=True)
    assert dry.headers["authorization"].startswith("Bearer ")
    assert dry.redacted_headers()["authorization"] == "<redacted>"


@pytest.mark.parametrize(
    ("base_url", "warned"),
    [
        ("http://10.1.2.3/v1", True),
        ("https://10.1.2.3/v1", False),
        ("http://127.0.0.1:8080/v1", False),
    ],
)
def test_a_key_sent_over_plain_http_to_another_host_is_warned_of(
    base_url: str, warned: bool
) -> None:
    """Not refused (an internal proxy may be meant), but said in the dry run, as in a call."""
    providers = {"openai": {"api_key": "sk-x", "base_url": base_url}}
    with limner.Client(providers=providers, environ={}) as client:
        dry = client.images.generate(model="openai/gpt-image-2", prompt="a fox", dry_run=True)
    said = limner.Notice(
        code="credentials_in_clear",
        message="the openai credential goes unencrypted to 10.1.2.3 (its base URL is http://): "
        "anyone on the network in between can read and reuse it; use an https:// base URL "
        "(providers.openai.base_url or OPENAI_BASE_URL)",
        param="providers.openai.base_url",
    )
    assert dry.requests[0]["url"] == f"{base_url}/images/generations"
    assert dry.warnings == ([said] if warned else [])


def test_options_model_forbids_unknown_keys() -> None:
    assert OpenAIOptions.model_validate({"input_fidelity": "high"}).input_fidelity == "high"
    with pytest.raises(ValidationError):
        OpenAIOptions.model_validate({"partial_images": 2})
    with pytest.raises(ValidationError):
        OpenAIOptions.model_validate({"input_fidelity": "medium"})
    assert OpenAIProvider.options_model is OpenAIOptions


@pytest.mark.parametrize(("model", "quality"), [("gpt-image-2", "max"), ("dall-e-3", "xhigh")])
def test_qualities_only_the_newest_models_take_are_refused_elsewhere(
    model: str, quality: str
) -> None:
    """As the plugin's README says: before any call, naming the qualities the model takes."""
    client = limner.Client(environ={})
    with pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(model=f"openai/{model}", prompt="x", quality=quality, dry_run=True)
    assert caught.value.param == "quality"
    assert f"{quality!r} is not one of" in caught.value.message


def test_input_fidelity_is_declared_per_model_as_the_sdk_says() -> None:
    """gpt-image-1-mini honours low only; the gpt-image-2 family none ("omit this parameter");
    the edit schema says so to a tool reading it."""
    client = limner.Client(environ={})
    honoured = {m.name: m.capabilities.input_fidelity for m in client.models.list()}
    assert honoured["gpt-image-1.5"] == ("high", "low")
    assert honoured["gpt-image-1-mini"] == ("low",)
    assert honoured["gpt-image-2"] == () and honoured["dall-e-2"] == ()
    field = client.models.schema("openai/gpt-image-1-mini", "edit")["properties"]["input_fidelity"]
    assert field["description"] == "honoured by this model: low"


def test_a_replacement_that_cannot_do_the_call_is_said_to(png: bytes) -> None:
    """dall-e-2's replacement makes no variations: its warning on a variation says so, and the
    same warning on a generation does not."""
    with limner.Client(environ={}) as client:
        variation = client.images.create_variation(model="openai/dall-e-2", image=png, dry_run=True)
        generation = client.images.generate(model="openai/dall-e-2", prompt="x", dry_run=True)
    (said,) = [w.message for w in variation.warnings if w.param == "model"]
    assert said.endswith("; use openai/gpt-image-2.5-sunburst (which makes no variations)")
    (said,) = [w.message for w in generation.warnings if w.param == "model"]
    assert said.endswith("; use openai/gpt-image-2.5-sunburst")
