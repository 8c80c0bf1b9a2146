"""Exact wire requests of every model's generation, and the adjustments on the way."""

from __future__ import annotations

from typing import Any

import pytest

import limner
from limner import Adjustment, Translation
from limner_stability import StabilityProvider
from limner_stability.fields import MAX_SEED
from limner_stability.models import MODELS

from .conftest import MakeCall, png

BASE = "https://api.stability.ai/v2beta/stable-image"


def wire(translation: Translation) -> dict[str, Any]:
    request = translation.request
    return {
        "url": request.url,
        "headers": dict(request.headers),
        "form": list(request.form),
        "files": [(p.field, p.filename, p.content_type) for p in request.files],
    }


def adjusted(translation: Translation) -> dict[str, Any]:
    return {a.param: a.applied for a in translation.adjustments}


@pytest.mark.parametrize(
    ("name", "path", "model_field"),
    [
        ("sd3.5-large", "generate/sd3", [("model", "sd3.5-large")]),
        ("sd3.5-large-turbo", "generate/sd3", [("model", "sd3.5-large-turbo")]),
        ("sd3.5-medium", "generate/sd3", [("model", "sd3.5-medium")]),
        ("sd3.5-flash", "generate/sd3", [("model", "sd3.5-flash")]),
        ("stable-image-core", "generate/core", []),
        ("stable-image-ultra", "generate/ultra", []),
    ],
)
def test_generate_each_model(
    provider: StabilityProvider,
    make_call: MakeCall,
    name: str,
    path: str,
    model_field: list[tuple[str, str]],
) -> None:
    call = make_call(name, size="1536x1024", seed=7, negative_prompt="blurry", output_format="webp")
    translation = provider.translate(call)
    assert wire(translation) == {
        "url": f"{BASE}/{path}",
        "headers": {"accept": "application/json"},
        "form": [
            *model_field,
            ("prompt", "a lighthouse at dusk"),
            ("negative_prompt", "blurry"),
            ("seed", "7"),
            ("output_format", "webp"),
            ("aspect_ratio", "3:2"),
        ],
        "files": [],
    }
    assert translation.request.is_multipart  # multipart even without a file
    assert translation.request.content_type == "multipart/form-data"
    assert [a.param for a in translation.adjustments] == ["size"]
    assert "exactly" in translation.adjustments[0].reason
    assert (translation.size, translation.quality, translation.edit_mode) == (None, None, None)


def test_sd3_options_and_dropped_settings(provider: StabilityProvider, make_call: MakeCall) -> None:
    call = make_call(
        "sd3.5-medium",
        quality="high",
        style="vivid",
        background="transparent",
        moderation="low",
        user="u1",
        custom_field=3,
        options={"style_preset": "anime", "cfg_scale": 4.5, "strength": 0.3},
    )
    translation = provider.translate(call)
    assert wire(translation)["form"] == [
        ("model", "sd3.5-medium"),
        ("prompt", "a lighthouse at dusk"),
        ("style_preset", "anime"),
        ("cfg_scale", "4.5"),
        ("custom_field", "3"),
    ]
    assert adjusted(translation) == {
        "provider_options.stabilityai.strength": None,
        "quality": None,
        "style": None,
        "background": None,
        "moderation": None,
    }
    assert translation.request.headers == {
        "accept": "application/json",
        "stability-client-user-id": "u1",
    }


@pytest.mark.parametrize("user", ["x" * 257, "josé", "a\r\nx-evil: 1"])
def test_a_user_no_header_can_carry_is_dropped_and_said(
    provider: StabilityProvider, make_call: MakeCall, user: str
) -> None:
    """OpenAI's ``user`` goes in Stability's ``stability-client-user-id`` header [SPEC
    StabilityClientUserID: at most 256 characters]; one a header cannot carry is reported."""
    translation = provider.translate(make_call("sd3.5-medium", user=user))
    assert translation.request.headers == {"accept": "application/json"}
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("user", user, None)
    ]
    assert "stability-client-user-id" in translation.adjustments[0].reason


HEADER_REASON = (
    "Stability takes the end-user id in its stability-client-user-id header, which holds at most "
    "256 printable ASCII characters"
)
USER_SUPERSEDED = Adjustment(
    param="user",
    requested="u-1",
    applied=None,
    reason="safety_identifier, also set, names the end user instead (at OpenAI too it takes "
    "precedence over user)",
)
PARTIAL_IMAGES_DROPPED = Adjustment(
    param="partial_images",
    requested=2,
    applied=None,
    reason="Stability has no partial images (OpenAI's come in streamed responses, which limner "
    "does not make)",
)


@pytest.mark.parametrize(
    ("fields", "header", "adjustments"),
    [
        ({"safety_identifier": "sid-1"}, "sid-1", ()),
        ({"safety_identifier": "sid-1", "user": "u-1"}, "sid-1", (USER_SUPERSEDED,)),
        ({"safety_identifier": "u-1", "user": "u-1"}, "u-1", ()),
        ({"safety_identifier": "", "user": "u-1"}, "u-1", ()),  # empty: OpenAI uses user
        (  # one no header carries: user, which one can, is sent instead
            {"safety_identifier": "josé", "user": "u-1"},
            "u-1",
            (
                Adjustment(
                    param="safety_identifier",
                    requested="josé",
                    applied=None,
                    reason=HEADER_REASON,
                ),
            ),
        ),
        (
            {"safety_identifier": "sid-1", "partial_images": 2},
            "sid-1",
            (PARTIAL_IMAGES_DROPPED,),
        ),
    ],
)
@pytest.mark.parametrize("operation", ["generate", "edit"])
def test_safety_identifier_goes_in_the_user_header_and_partial_images_is_dropped(
    provider: StabilityProvider,
    make_call: MakeCall,
    fields: dict[str, Any],
    header: str | None,
    adjustments: tuple[Adjustment, ...],
    operation: str,
) -> None:
    """``safety_identifier`` is OpenAI's successor of ``user``, and takes precedence over it
    there when not empty: it goes in Stability's end-user header in ``user``'s place. Neither
    it nor ``partial_images`` (streaming only) is ever a form field."""
    images = [png(64, 64)] if operation == "edit" else []
    translation = provider.translate(
        make_call("sd3.5-medium", operation, images=images, seed=5, **fields)
    )
    mode = [("mode", "image-to-image")] if operation == "edit" else []
    strength = [("strength", "0.7")] if operation == "edit" else []
    user_id = {} if header is None else {"stability-client-user-id": header}
    assert wire(translation) == {
        "url": f"{BASE}/generate/sd3",
        "headers": {"accept": "application/json", **user_id},
        "form": [
            *mode,
            ("model", "sd3.5-medium"),
            *strength,
            ("prompt", "a lighthouse at dusk"),
            ("seed", "5"),
        ],
        "files": [("image", "image.png", "image/png")] if images else [],
    }
    assert translation.adjustments == adjustments


@pytest.mark.parametrize("name", [m.name for m in MODELS])
def test_style_is_one_of_the_models_style_presets_sent_as_style_preset(
    provider: StabilityProvider, make_call: MakeCall, name: str
) -> None:
    """Every generate service takes style_preset [SPEC-2026]: the request's style names one, as
    Nova's does, and the model lists them in its capabilities."""
    model = next(m for m in MODELS if m.name == name)
    assert "photographic" in model.capabilities.styles
    translation = provider.translate(make_call(name, style="photographic"))
    assert ("style_preset", "photographic") in translation.request.form
    assert "style" not in adjusted(translation)


def test_the_style_preset_option_wins_over_the_requests_style(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    both = provider.translate(
        make_call("sd3.5-large", style="anime", options={"style_preset": "cinematic"})
    )
    assert [v for k, v in both.request.form if k == "style_preset"] == ["cinematic"]
    (dropped,) = [a for a in both.adjustments if a.param == "style"]
    assert dropped.reason == "provider_options.stabilityai.style_preset (cinematic) wins over it"
    same = provider.translate(
        make_call("sd3.5-large", style="anime", options={"style_preset": "anime"})
    )
    assert [v for k, v in same.request.form if k == "style_preset"] == ["anime"]  # sent once
    assert "style" not in adjusted(same)


def test_a_style_outside_the_presets_is_refused_before_any_call() -> None:
    client = limner.Client(environ={})
    with pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(
            model="stabilityai/sd3.5-large", prompt="x", style="vivid", dry_run=True
        )
    assert caught.value.param == "style"


def test_cfg_scale_is_sd3_only(provider: StabilityProvider, make_call: MakeCall) -> None:
    translation = provider.translate(
        make_call("stable-image-ultra", options={"cfg_scale": 3, "style_preset": "cinematic"})
    )
    assert ("style_preset", "cinematic") in translation.request.form
    assert "cfg_scale" not in dict(translation.request.form)
    assert translation.adjustments == (
        Adjustment(
            param="provider_options.stabilityai.cfg_scale",
            requested=3.0,
            applied=None,
            reason="/generate/ultra takes no cfg_scale",
        ),
    )


@pytest.mark.parametrize(
    ("size", "aspect", "exact"),
    [
        ("1024x1024", "1:1", True),
        ("1792x1024", "16:9", False),
        ("1024x1792", "9:16", False),
        ("1024x1536", "2:3", True),
        ("2560x1080", "21:9", False),
        ("1280x1024", "5:4", True),
        ("640x480", "5:4", False),
    ],
)
def test_size_maps_to_the_nearest_aspect_ratio(
    provider: StabilityProvider, make_call: MakeCall, size: str, aspect: str, exact: bool
) -> None:
    translation = provider.translate(make_call("stable-image-core", size=size))
    assert dict(translation.request.form)["aspect_ratio"] == aspect
    (adjustment,) = translation.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == ("size", size, aspect)
    assert ("exactly" in adjustment.reason) is exact
    assert "about 1.5 MP" in adjustment.reason


def test_image_config_aspect_ratio(provider: StabilityProvider, make_call: MakeCall) -> None:
    exact = provider.translate(make_call("sd3.5-large", image_config={"aspect_ratio": "16:9"}))
    assert dict(exact.request.form)["aspect_ratio"] == "16:9"
    assert exact.adjustments == ()
    near = provider.translate(
        make_call("sd3.5-large", image_config={"aspect_ratio": "4:3", "image_size": "2K"})
    )
    assert dict(near.request.form)["aspect_ratio"] == "5:4"
    assert adjusted(near) == {"image_config.image_size": None, "image_config.aspect_ratio": "5:4"}


@pytest.mark.parametrize("size", ["1024x1024", "auto"])
def test_image_config_wins_over_size_as_on_google(
    provider: StabilityProvider, make_call: MakeCall, size: str
) -> None:
    """Stability takes an aspect ratio, so the setting in its own terms wins (as on Google,
    whose wire form is an aspect ratio too); the size is reported as dropped, not ignored."""
    translation = provider.translate(
        make_call("sd3.5-large", size=size, image_config={"aspect_ratio": "16:9"})
    )
    assert dict(translation.request.form)["aspect_ratio"] == "16:9"
    (dropped,) = translation.adjustments
    assert (dropped.param, dropped.requested, dropped.applied) == ("size", size, None)
    assert "image_config.aspect_ratio (16:9) wins" in dropped.reason


def test_seed_differs_per_split_call_and_zero_stays_random(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    seeds = [
        dict(provider.translate(make_call("sd3.5-large", n=3, index=i, seed=7)).request.form)[
            "seed"
        ]
        for i in range(3)
    ]
    assert seeds == ["7", "8", "9"]
    top = provider.translate(make_call("sd3.5-large", n=2, index=1, seed=4294967294))
    assert dict(top.request.form)["seed"] == "1"
    zero = provider.translate(make_call("sd3.5-large", n=2, index=1, seed=0))
    assert dict(zero.request.form)["seed"] == "0"
    assert zero.adjustments == ()


@pytest.mark.parametrize("seed", [-1, 4294967295])
def test_seed_out_of_range(provider: StabilityProvider, make_call: MakeCall, seed: int) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("sd3.5-large", seed=seed))
    assert info.value.param == "seed"


@pytest.mark.parametrize("name", ["sd3.5-large-turbo", "sd3.5-flash"])
def test_turbo_and_flash_negative_prompt_is_sent_with_a_notice(
    provider: StabilityProvider, make_call: MakeCall, name: str
) -> None:
    """Both default to cfg_scale 1 (the spec: "Large/Medium 4, Turbo/Flash 1"); Flash had no
    notice."""
    translation = provider.translate(make_call(name, negative_prompt="fog"))
    assert ("negative_prompt", "fog") in translation.request.form
    assert [w.code for w in translation.warnings] == ["may_be_ignored"]
    assert translation.warnings[0].message.startswith(f"{name}'s default cfg_scale of 1 ")
    guided = make_call(name, negative_prompt="fog", options={"cfg_scale": 3})
    assert provider.translate(guided).warnings == ()  # guidance on: the prompt steers it
    assert provider.translate(make_call("sd3.5-large", negative_prompt="fog")).warnings == ()


def test_accept_image_bytes_option(provider: StabilityProvider, make_call: MakeCall) -> None:
    translation = provider.translate(make_call("sd3.5-large", options={"accept": "image/*"}))
    assert translation.request.headers["accept"] == "image/*"
    assert "accept" not in dict(translation.request.form)


def test_a_negative_prompt_over_the_spec_limit_is_refused(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    fits = provider.translate(make_call("sd3.5-large", negative_prompt="n" * 10_000))
    assert dict(fits.request.form)["negative_prompt"] == "n" * 10_000
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call("sd3.5-large", negative_prompt="n" * 10_001))
    assert caught.value.param == "negative_prompt"
    assert caught.value.code == "negative_prompt_too_long"


def test_a_too_long_negative_prompt_is_refused_where_it_would_be_dropped(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """The published schema refuses it for every mode, so translation does too."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(
            make_call(
                "sd3.5-large",
                "edit",
                images=[png(512, 512)],
                edit_mode="remove-background",
                negative_prompt="n" * 10_001,
            )
        )
    assert caught.value.param == "negative_prompt"


@pytest.mark.parametrize("name", [m.name for m in MODELS])
def test_the_published_schema_bounds_seed_and_negative_prompt_as_translation_does(
    name: str,
) -> None:
    schema = limner.Client().models.schema(f"stabilityai/{name}", "generate")
    assert schema["properties"]["seed"] == {
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": MAX_SEED,
    }
    assert schema["properties"]["negative_prompt"] == {
        "type": ["string", "null"],
        "maxLength": 10_000,
    }
    with limner.Client(providers={"stabilityai": {"api_key": "sk-test"}}) as client:
        for seed in (-1, MAX_SEED + 1):
            with pytest.raises(limner.InvalidRequestError) as caught:
                client.images.generate(
                    model=f"stabilityai/{name}", prompt="x", seed=seed, dry_run=True
                )
            assert caught.value.param == "seed"
        fits = client.images.generate(
            model=f"stabilityai/{name}", prompt="x", seed=MAX_SEED, dry_run=True
        )
        assert fits.requests[0]["form"]["seed"] == str(MAX_SEED)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("sd3-large", "sd3.5-large"),
        ("sd3-large-turbo", "sd3.5-large-turbo"),
        ("sd3-medium", "sd3.5-medium"),
    ],
)
def test_the_sd3_names_stability_reroutes_resolve_to_their_sd35_model(old: str, new: str) -> None:
    with limner.Client(providers={"stabilityai": {"api_key": "sk-test"}}) as client:
        plan = client.images.generate(model=f"stabilityai/{old}", prompt="x", dry_run=True)
    assert plan.model == f"stabilityai/{new}"
    assert plan.requests[0]["form"]["model"] == new
    assert [(a.param, a.requested, a.applied) for a in plan.adjustments] == [
        ("model", f"stabilityai/{old}", f"stabilityai/{new}")
    ]
    with limner.Client(providers={"stabilityai": {"api_key": "sk-test"}}) as client:
        plain = client.images.generate(model=f"stabilityai/{new}", prompt="x", dry_run=True)
    assert plain.adjustments == []
