"""Registration, the model entry, settings from the environment, pricing and successors."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

import limner
from limner.plugins import Registry
from limner_nova_canvas import NovaCanvasProvider, nova_canvas_model
from limner_nova_canvas.models import CANVAS_CAPABILITIES, MASK_FORMAT

from .conftest import MakeCall, png
from .support import CANVAS, BedrockServer, client


def test_registered_through_the_entry_point() -> None:
    registry = Registry()
    assert isinstance(registry.providers["amazon"], NovaCanvasProvider)
    for name in (
        CANVAS,
        "amazon.nova-canvas-v1:0",
        "amazon/nova-canvas",
        "nova_canvas/nova-canvas",
    ):
        assert registry.resolve(name).id == CANVAS


def test_model_entry(canvas: limner.ModelInfo) -> None:
    caps = canvas.capabilities
    assert caps.size_rules is not None
    assert (caps.size_rules.min_side, caps.size_rules.max_side) == (320, 4096)
    assert (caps.size_rules.multiple_of, caps.size_rules.max_pixels) == (16, 4_194_303)
    assert (caps.size_rules.min_aspect, caps.size_rules.max_aspect) == (0.25, 4.0)
    assert caps.max_images_per_call == 5
    assert caps.edit_modes == ("inpaint", "outpaint", "erase", "remove-background", "variation")
    assert caps.mask and caps.seed and caps.negative_prompt
    assert (caps.seed_range, caps.max_negative_prompt_chars) == ((0, 2_147_483_646), 1024)
    assert caps.regions == ("us-east-1", "eu-west-1", "ap-northeast-1")
    assert caps.mask_format == MASK_FORMAT
    life = canvas.lifecycle
    assert (life.status, life.deprecated_on, life.shutdown_on) == (
        "shutdown",
        dt.date(2026, 3, 30),
        dt.date(2026, 9, 30),
    )
    assert life.source is not None and "end-of-life date of 2026-09-30" in life.source
    assert "us-east-1" not in (canvas.description or "")  # data, not prose


def test_regions_and_mask_format_through_the_client() -> None:
    with limner.Client() as limner_client:
        caps = limner_client.models.retrieve(CANVAS).capabilities
    assert caps.regions == ("us-east-1", "eu-west-1", "ap-northeast-1")
    assert caps.mask_format == (
        "RGB PNG of pure black (0,0,0) and pure white (255,255,255) only; inpaint and erase: "
        "black = edit, white = keep; outpaint: white = edit (the area to fill), black = keep"
    )


@pytest.mark.parametrize("operation", ["generate", "edit"])
async def test_schema_bounds_seed_and_negative_prompt(operation: limner.Operation) -> None:
    async with limner.AsyncClient(environ={}) as limner_client:
        schema = limner_client.models.schema(CANVAS, operation)
    properties = schema["properties"]
    assert properties["seed"] == {
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": 2_147_483_646,
    }
    assert properties["negative_prompt"] == {"type": ["string", "null"], "maxLength": 1024}


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 2_147_483_647}, "seed"),
        ({"negative_prompt": "n" * 1025}, "negative_prompt"),
    ],
)
async def test_out_of_bounds_refused_before_any_call(
    bedrock: BedrockServer, fields: dict[str, Any], param: str
) -> None:
    async with client(bedrock) as limner_client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await limner_client.images.generate(model=CANVAS, prompt="x", **fields)
    assert caught.value.param == param
    assert bedrock.received == []


def test_translation_reads_seed_and_negative_prompt_bounds_from_the_model(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    """The checks follow the model's capabilities: a successor declaring narrower bounds gets
    them, split-call seeds included."""
    narrow = nova_canvas_model(
        "amazon.nova-canvas-v2:0",
        capabilities=CANVAS_CAPABILITIES.model_copy(
            update={"seed_range": (0, 100), "max_negative_prompt_chars": 5}
        ),
    )
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(replace(make_call(prompt="x", seed=101), model=narrow))
    assert (caught.value.param, caught.value.message) == ("seed", "seed must be between 0 and 100")
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(replace(make_call(prompt="x", negative_prompt="n" * 6), model=narrow))
    assert caught.value.param == "negative_prompt"
    assert caught.value.message.endswith("takes at most 5")
    second = provider.translate(
        replace(make_call(n=2, index=1, prompt="x", seed=100), model=narrow)
    )
    assert json.loads(second.request.json_bytes())["imageGenerationConfig"]["seed"] == 0
    undeclared = nova_canvas_model(
        "amazon.nova-canvas-v2:0",
        capabilities=CANVAS_CAPABILITIES.model_copy(update={"seed_range": None}),
    )
    with pytest.raises(limner.InvalidRequestError) as caught:  # Nova's own range still holds
        provider.translate(replace(make_call(prompt="x", seed=-5), model=undeclared))
    assert caught.value.message == "seed must be between 0 and 2147483646"


def test_limner_models_shows_regions_and_mask_format(capsys: pytest.CaptureFixture[str]) -> None:
    from limner.cli.main import main

    assert main(["models", CANVAS]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "  regions: us-east-1, eu-west-1, ap-northeast-1" in lines
    assert f"  mask_format: {MASK_FORMAT}" in lines
    assert main(["models", CANVAS, "--json"]) == 0
    caps = json.loads(capsys.readouterr().out)["capabilities"]
    assert caps["regions"] == ["us-east-1", "eu-west-1", "ap-northeast-1"]
    assert caps["mask_format"] == MASK_FORMAT


@pytest.mark.parametrize(
    ("quality", "size", "usd"),
    [
        ("standard", "1024x1024", "0.04"),
        ("premium", "1024x1024", "0.06"),
        ("standard", "512x512", "0.04"),
        ("standard", "1024x1040", "0.06"),
        ("standard", "2048x1024", "0.06"),
        ("premium", "2032x2032", "0.08"),
    ],
)
def test_band_prices(
    canvas: limner.ModelInfo, quality: str | None, size: str | None, usd: str
) -> None:
    assert Registry().price(canvas, "generate", 2, quality, size, None) == Decimal(usd) * 2


def test_settings_from_the_environment(provider: NovaCanvasProvider) -> None:
    environ = {
        "AWS_BEARER_TOKEN_BEDROCK": "bk",
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "https://vpce.example.com/",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "AKID",
        "AWS_SECRET_ACCESS_KEY": "sk",
        "AWS_SESSION_TOKEN": "st",
        "AWS_PROFILE": "dev",
    }
    settings: Any = provider.load_settings({}, environ)
    assert settings.api_key.get_secret_value() == "bk"
    assert settings.endpoint() == "https://vpce.example.com"
    assert (settings.region, settings.profile) == ("eu-west-1", "dev")
    assert settings.aws_session_token.get_secret_value() == "st"
    override: Any = provider.load_settings({"region": "ap-northeast-1"}, {"AWS_REGION": "x"})
    assert override.endpoint() == "https://bedrock-runtime.ap-northeast-1.amazonaws.com"
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.load_settings({"region": "not a region"}, {})
    assert caught.value.param == "providers.amazon.region"


def test_region_notices(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    far = provider.load_settings({"region": "eu-central-1", "credential_chain": False}, {})
    translation = provider.translate(make_call(prompt="x", settings=far))
    assert translation.request.url.startswith("https://bedrock-runtime.eu-central-1.amazonaws.com/")
    assert [w.code for w in translation.warnings] == ["region_unsupported"]
    assert translation.warnings[0].message == (
        "amazon/amazon.nova-canvas-v1:0 is served in us-east-1, eu-west-1, ap-northeast-1 only "
        "(in-Region); eu-central-1 will likely refuse it"
    )
    none = provider.load_settings({"credential_chain": False}, {})
    translation = provider.translate(make_call(prompt="x", settings=none))
    assert translation.request.url.startswith("https://bedrock-runtime.us-east-1.amazonaws.com/")
    assert [w.code for w in translation.warnings] == ["default_region"]
    # a custom endpoint is signed for a region too
    custom = provider.load_settings(
        {"credential_chain": False, "base_url": "https://bedrock.internal.example"}, {}
    )
    translation = provider.translate(make_call(prompt="x", settings=custom))
    assert translation.request.url.startswith("https://bedrock.internal.example/model/")
    assert [w.code for w in translation.warnings] == ["default_region"]
    # ... unless a Bedrock API key goes there: a bearer token, not signed
    bearer = provider.load_settings(
        {"api_key": "ABSK-key", "base_url": "https://bedrock.internal.example"}, {}
    )
    assert provider.translate(make_call(prompt="x", settings=bearer)).warnings == ()


def test_region_notice_reads_the_model_regions(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    """A successor served elsewhere declares its own regions; the notice follows them."""
    west = nova_canvas_model(
        "amazon.nova-canvas-v2:0",
        capabilities=CANVAS_CAPABILITIES.model_copy(update={"regions": ("us-west-2",)}),
    )
    oregon = provider.load_settings({"region": "us-west-2", "credential_chain": False}, {})
    call = replace(make_call(prompt="x", settings=oregon), model=west)
    assert provider.translate(call).warnings == ()
    ireland = provider.load_settings({"region": "eu-west-1", "credential_chain": False}, {})
    call = replace(make_call(prompt="x", settings=ireland), model=west)
    assert [w.message for w in provider.translate(call).warnings] == [
        "amazon/amazon.nova-canvas-v2:0 is served in us-west-2 only (in-Region); eu-west-1 "
        "will likely refuse it"
    ]
    anywhere = replace(
        call,
        model=nova_canvas_model(
            "x", capabilities=CANVAS_CAPABILITIES.model_copy(update={"regions": ()})
        ),
    )
    assert provider.translate(anywhere).warnings == ()  # no regions declared: no guess


async def test_settings_under_the_provider_alias(bedrock: BedrockServer) -> None:
    """``providers={"nova_canvas": {...}}`` configures the provider as ``"amazon"`` does."""
    async with limner.AsyncClient(
        providers={"nova_canvas": {"base_url": bedrock.url, "api_key": "alias-key"}},
        allow_private_networks=True,
        environ={},
    ) as limner_client:
        result = await limner_client.images.generate(model=CANVAS, prompt="a fox")
    assert len(result.data) == 1
    assert bedrock.received[0].headers["authorization"] == "Bearer alias-key"
    with limner.Client(
        providers={"nova_canvas": {"region": "ap-northeast-1", "credential_chain": False}},
        environ={},
    ) as limner_client:
        plan = limner_client.images.generate(model=CANVAS, prompt="a fox", dry_run=True)
    assert plan.requests[0]["url"] == (
        "https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/amazon.nova-canvas-v1%3A0/invoke"
    )
    assert [w.code for w in plan.warnings if w.param == "region"] == []
    both = {"amazon": {"region": "eu-west-1"}, "nova_canvas": {"region": "us-east-1"}}
    with (
        limner.Client(providers=both, environ={}) as limner_client,
        pytest.raises(limner.InvalidRequestError) as info,  # which region? neither wins
    ):
        limner_client.images.generate(model=CANVAS, prompt="a fox", dry_run=True)
    assert info.value.param == "providers"
    assert "'amazon' and 'nova_canvas', which name one provider (amazon)" in info.value.message


@pytest.mark.parametrize(
    "key",
    [
        "amazon.nova-canvas-v1:0",
        "amazon/amazon.nova-canvas-v1:0",
        "nova-canvas",
        "amazon/nova-canvas",
        "Nova-Canvas",
    ],
)
def test_model_ids_setting_points_at_another_bedrock_id(
    provider: NovaCanvasProvider, make_call: MakeCall, key: str
) -> None:
    """Keyed by limner's id or an alias, the setting was ignored: the call went to the
    on-demand model, not the provisioned throughput or inference profile."""
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
    settings = provider.load_settings({"region": "us-east-1", "model_ids": {key: arn}}, {})
    url = provider.translate(make_call(prompt="x", settings=settings)).request.url
    assert url == (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1"
        "%3A123456789012%3Aapplication-inference-profile%2Fabc123/invoke"
    )
    other = provider.load_settings({"model_ids": {"amazon.nova-canvas-v2:0": arn}}, {})
    url = provider.translate(make_call(prompt="x", settings=other)).request.url
    assert url.endswith("/model/amazon.nova-canvas-v1%3A0/invoke")  # another model's entry


@pytest.mark.parametrize(
    ("key", "meant"),
    [("nova-canvass", "nova-canvas"), ("Amazon/Nova-Canva", "amazon/nova-canvas")],
)
def test_a_model_ids_key_one_slip_from_the_alias_is_said(
    provider: NovaCanvasProvider, make_call: MakeCall, key: str, meant: str
) -> None:
    """It was passed over in silence: the call went to the model the user meant to replace
    (on-demand billing, or a model past its end of life)."""
    settings = provider.load_settings({"region": "us-east-1", "model_ids": {key: "arn:x"}}, {})
    made = provider.translate(make_call(prompt="x", settings=settings))
    assert made.request.url.endswith("/model/amazon.nova-canvas-v1%3A0/invoke")
    assert [(w.code, w.param, w.message) for w in made.warnings if w.param == "model_ids"] == [
        (
            "possible_typo",
            "model_ids",
            f"model_ids key {key!r} names no model; did you mean {meant!r}? "
            "amazon.nova-canvas-v1:0 is invoked as itself",
        )
    ]
    for quiet in ({"nova-canvas": "arn:x"}, {"amazon.nova-canvas-v2:0": "arn:x"}):  # a model's
        settings = provider.load_settings({"region": "us-east-1", "model_ids": quiet}, {})
        made = provider.translate(make_call(prompt="x", settings=settings))
        assert not [w for w in made.warnings if w.param == "model_ids"]


class Successor:
    @limner.hookimpl
    def register_models(self, register: Any) -> None:
        register(nova_canvas_model("amazon.nova-canvas-v2:0", display_name="Nova Canvas v2"))


async def test_a_successor_is_one_registration_away(bedrock: BedrockServer) -> None:
    async with limner.AsyncClient(
        providers={"amazon": {"region": "us-east-1", "base_url": bedrock.url, "api_key": "k"}},
        allow_private_networks=True,
        environ={},
        registry=Registry([Successor()]),
    ) as limner_client:
        result = await limner_client.images.generate(
            model="amazon/amazon.nova-canvas-v2:0", prompt="a fox"
        )
    assert bedrock.received[0].raw_path == "/model/amazon.nova-canvas-v2%3A0/invoke"
    assert result.cost == Decimal("0.04")
    assert not any(w.code.startswith("model_") for w in result.warnings)


async def test_options_namespace_and_extra_headers(bedrock: BedrockServer) -> None:
    async with client(bedrock) as limner_client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await limner_client.images.generate(
                model=CANVAS, prompt="x", provider_options={"amazon": {"cfg_scale": 20}}
            )
        assert caught.value.param == "provider_options.amazon.cfg_scale"
        with pytest.raises(limner.InvalidRequestError) as caught:
            await limner_client.images.generate(
                model=CANVAS, prompt="x", provider_options={"amazon": {"nope": 1}}
            )
        assert caught.value.param == "provider_options.amazon.nope"
        with pytest.raises(limner.InvalidRequestError):
            await limner_client.images.generate(
                model=CANVAS, prompt="x", extra_headers={"X-Amz-Security-Token": "t"}
            )
        await limner_client.images.generate(
            model=CANVAS, prompt="x", provider_options={"nova_canvas": {"cfg_scale": 3.5}}
        )
    assert bedrock.received[-1].json["imageGenerationConfig"]["cfgScale"] == 3.5


async def test_an_input_image_too_small_is_refused_before_any_call(bedrock: BedrockServer) -> None:
    async with client(bedrock) as limner_client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await limner_client.images.create_variation(model=CANVAS, image=png(256, 256))
    assert (caught.value.param, caught.value.code) == ("image", "invalid_image_size")
    assert "scale it up, to 320x320 or more" in caught.value.message
    assert bedrock.received == []


async def test_a_variation_says_which_call_takes_the_settings_it_drops() -> None:
    """images.create_variation has OpenAI's fields only; Nova's IMAGE_VARIATION takes the
    shared imageGenerationConfig and negativeText, which an edit in variation mode sends."""
    image = png(512, 512)
    fields: dict[str, Any] = {"quality": "premium", "seed": 4, "negative_prompt": "fog"}
    async with limner.AsyncClient(environ={}) as limner_client:
        variation = await limner_client.images.create_variation(
            model=CANVAS, image=image, dry_run=True, **fields
        )
        edit = await limner_client.images.edit(
            model=CANVAS, prompt="x", image=image, edit_mode="variation", dry_run=True, **fields
        )
    assert [(a.param, a.applied) for a in variation.adjustments] == [
        ("quality", None),
        ("seed", None),
        ("negative_prompt", None),
    ]
    assert variation.adjustments[0].reason == (
        "quality is a setting of images.generate and images.edit, not of "
        "images.create_variation; not sent (this model also makes variations as an edit: "
        "images.edit with edit_mode='variation' takes it)"
    )
    sent = edit.requests[0]["json"]
    assert sent["taskType"] == "IMAGE_VARIATION"
    assert sent["imageVariationParams"]["negativeText"] == "fog"
    assert (sent["imageGenerationConfig"]["quality"], sent["imageGenerationConfig"]["seed"]) == (
        "premium",
        4,
    )


def test_png_is_declared_so_asking_for_it_is_no_warning_and_another_format_is_refused() -> None:
    """Nova answers PNG only: ``output_format="png"`` is what it does anyway, and a format it
    cannot make is refused before anything is sent, as on every model that lists its formats."""
    with limner.Client(providers={"amazon": {"region": "us-east-1"}}, environ={}) as limner_client:
        plan = limner_client.images.generate(
            model=CANVAS, prompt="a fox", output_format="png", dry_run=True
        )
        assert [w for w in plan.warnings if w.param == "output_format"] == []
        assert [a for a in plan.adjustments if a.param == "output_format"] == []
        with pytest.raises(limner.InvalidRequestError) as info:
            limner_client.images.generate(
                model=CANVAS, prompt="a fox", output_format="jpeg", dry_run=True
            )
    assert info.value.param == "output_format"
    assert "'png'" in info.value.message


def test_a_region_that_is_no_region_says_what_one_looks_like() -> None:
    """It makes the endpoint's host name; pydantic's pattern was quoted instead."""
    client = limner.Client(providers={"amazon": {"region": "Moon"}}, environ={})
    with client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(model="amazon/amazon.nova-canvas-v1:0", prompt="x", dry_run=True)
    assert (caught.value.param, caught.value.message) == (
        "providers.amazon.region",
        "providers.amazon.region: 'Moon' is no AWS region: give one such as us-east-1 or eu-west-1",
    )
