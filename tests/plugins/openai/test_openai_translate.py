"""Exact wire requests built by OpenAIProvider.translate, model by model."""

from __future__ import annotations

import base64
import io
import random
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

import limner
from limner import Adjustment, FilePart, ImageConfig, InputImage, Notice, ProviderCall
from limner.validation import validate_request
from limner_openai import OpenAIOptions, OpenAIProvider
from limner_openai.body import MAX_IMAGE_URL_CHARS
from limner_openai.fields import MULTIPART_MODERATION
from limner_openai.uploads import MAX_UPLOAD_BYTES

GEN = "https://api.openai.com/v1/images/generations"
EDITS = "https://api.openai.com/v1/images/edits"
VARIATIONS = "https://api.openai.com/v1/images/variations"


def adj(param: str, requested: Any, applied: Any, reason: str) -> Adjustment:
    return Adjustment(param=param, requested=requested, applied=applied, reason=reason)


# ---- generations, model by model ---------------------------------------------------------------


def test_gpt_image_1_5_full_generation(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call(
        "gpt-image-1.5",
        n=2,
        prompt="a lighthouse",
        size="1536x1024",
        quality="high",
        output_format="webp",
        output_compression=80,
        background="opaque",
        moderation="low",
        user="user-1",
    )
    t = provider.translate(call)
    assert t.request.method == "POST"
    assert t.request.url == GEN
    assert t.request.json == {
        "model": "gpt-image-1.5",
        "prompt": "a lighthouse",
        "n": 2,
        "size": "1536x1024",
        "quality": "high",
        "output_format": "webp",
        "background": "opaque",
        "output_compression": 80,
        "moderation": "low",
        "user": "user-1",
    }
    assert t.request.headers == {}
    assert t.request.form == () and t.request.files == ()
    assert t.request.content_type == "application/json"
    assert t.adjustments == () and t.warnings == ()
    assert (t.size, t.quality) == ("1536x1024", "high")


def test_gpt_image_1_minimal_sends_model_prompt_n(provider: OpenAIProvider, make_call: Any) -> None:
    t = provider.translate(make_call("gpt-image-1", prompt="x"))
    assert t.request.json == {"model": "gpt-image-1", "prompt": "x", "n": 1}
    # nothing sent: the API defaults (size auto, quality auto) are what gets billed
    assert (t.size, t.quality) == ("auto", "auto")
    assert t.adjustments == ()


def test_gpt_image_1_mini_matches_recorded_body(provider: OpenAIProvider, make_call: Any) -> None:
    # request body of envoy-ai-gateway's real cassette, plus the explicit n
    prompt = "A simple black-and-white line drawing of a cat playing with yarn"
    t = provider.translate(
        make_call("gpt-image-1-mini", prompt=prompt, size="1024x1024", quality="low")
    )
    assert t.request.json == {
        "model": "gpt-image-1-mini",
        "prompt": prompt,
        "size": "1024x1024",
        "quality": "low",
        "n": 1,
    }


@pytest.mark.parametrize("name", ["gpt-image-2", "gpt-image-2-2026-04-21"])
def test_gpt_image_2_free_size_passes(provider: OpenAIProvider, make_call: Any, name: str) -> None:
    t = provider.translate(make_call(name, prompt="x", size="1536x864", quality="medium"))
    assert t.request.json == {
        "model": name,
        "prompt": "x",
        "n": 1,
        "size": "1536x864",
        "quality": "medium",
    }
    assert t.adjustments == ()
    assert t.size == "1536x864"


def test_dall_e_3_generation(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call(
        "dall-e-3",
        prompt="an otter",
        size="1792x1024",
        quality="hd",
        style="natural",
        response_format="b64_json",
    )
    t = provider.translate(call)
    assert t.request.url == GEN
    assert t.request.json == {
        "model": "dall-e-3",
        "prompt": "an otter",
        "n": 1,
        "size": "1792x1024",
        "quality": "hd",
        "response_format": "b64_json",
        "style": "natural",
    }
    assert t.adjustments == ()
    assert (t.size, t.quality) == ("1792x1024", "hd")


def test_dall_e_3_defaults_reported_for_pricing(provider: OpenAIProvider, make_call: Any) -> None:
    t = provider.translate(make_call("dall-e-3", prompt="x"))
    assert t.request.json == {"model": "dall-e-3", "prompt": "x", "n": 1}
    assert (t.size, t.quality) == ("1024x1024", "standard")


def test_dall_e_2_matches_recorded_body(provider: OpenAIProvider, make_call: Any) -> None:
    # dd-trace-py's real cassette sent these fields (and no model: the server default dall-e-2)
    call = make_call(
        "dall-e-2",
        prompt="sleepy capybara with monkey on top",
        response_format="url",
        size="256x256",
        user="ddtrace-test",
    )
    t = provider.translate(call)
    assert t.request.json == {
        "prompt": "sleepy capybara with monkey on top",
        "n": 1,
        "response_format": "url",
        "size": "256x256",
        "user": "ddtrace-test",
        "model": "dall-e-2",
    }
    assert (t.size, t.quality) == ("256x256", "standard")


def test_chatgpt_image_latest_generates_as_the_gpt_image_models_do(
    provider: OpenAIProvider, make_call: Any
) -> None:
    """The SDK names it among the generation models (the spec snapshot, for edits only)."""
    t = provider.translate(make_call("chatgpt-image-latest", prompt="x", size="1536x1024"))
    assert t.request.url == "https://api.openai.com/v1/images/generations"
    assert t.request.json == {
        "model": "chatgpt-image-latest",
        "prompt": "x",
        "n": 1,
        "size": "1536x1024",
    }


def test_base_url_override(provider: OpenAIProvider, make_call: Any) -> None:
    settings = provider.load_settings({"base_url": "http://proxy.local:8080/v1/"}, {})
    t = provider.translate(make_call("gpt-image-1", prompt="x", settings=settings))
    assert t.request.url == "http://proxy.local:8080/v1/images/generations"


def test_base_url_from_environment(provider: OpenAIProvider, make_call: Any) -> None:
    settings = provider.load_settings({}, {"OPENAI_BASE_URL": "https://gw.example/openai/v1"})
    t = provider.translate(make_call("dall-e-2", prompt="x", settings=settings))
    assert t.request.url == "https://gw.example/openai/v1/images/generations"


@pytest.mark.parametrize("n", [1, 4, 10])
def test_n_passes_through(provider: OpenAIProvider, make_call: Any, n: int) -> None:
    t = provider.translate(make_call("gpt-image-1", n=n, prompt="x"))
    assert t.request.json["n"] == n


def test_n_over_the_per_call_limit_is_refused(provider: OpenAIProvider, make_call: Any) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("dall-e-3", n=2, prompt="x"))
    assert info.value.param == "n"


# ---- sizes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size", "applied", "reason"),
    [
        (
            "gpt-image-1.5",
            "1792x1024",
            "1536x1024",
            "gpt-image-1.5 accepts only 1024x1024, 1536x1024, 1024x1536; "
            "sent the nearest by aspect ratio, then area",
        ),
        (
            "gpt-image-1",
            "512x512",
            "1024x1024",
            "gpt-image-1 accepts only 1024x1024, 1536x1024, 1024x1536; "
            "sent the nearest by aspect ratio, then area",
        ),
        (
            "dall-e-3",
            "1536x1024",
            "1792x1024",
            "dall-e-3 accepts only 1024x1024, 1792x1024, 1024x1792; "
            "sent the nearest by aspect ratio, then area",
        ),
        (
            "dall-e-2",
            "1024x1536",
            "1024x1024",
            "dall-e-2 accepts only 256x256, 512x512, 1024x1024; "
            "sent the nearest by aspect ratio, then area",
        ),
        (
            "dall-e-2",
            "300x300",
            "256x256",
            "dall-e-2 accepts only 256x256, 512x512, 1024x1024; "
            "sent the nearest by aspect ratio, then area",
        ),
        ("dall-e-3", "auto", "1024x1024", "dall-e-3 has no automatic size; sent its default"),
        (
            "gpt-image-2",
            "1000x1000",
            "1008x1008",
            "1000x1000 breaks gpt-image-2's size rules (both sides must be multiples of 16); "
            "sent the nearest valid size",
        ),
        (
            "gpt-image-2",
            "512x512",
            "816x816",
            "512x512 breaks gpt-image-2's size rules (at least 655360 pixels); "
            "sent the nearest valid size",
        ),
        (
            "gpt-image-2",
            "4096x2304",
            "3840x2160",
            "4096x2304 breaks gpt-image-2's size rules (each side must be between 480 and 3840; "
            "at most 8294400 pixels); sent the nearest valid size",
        ),
    ],
)
def test_unaccepted_size_snaps_with_adjustment(
    provider: OpenAIProvider, make_call: Any, name: str, size: str, applied: str, reason: str
) -> None:
    t = provider.translate(make_call(name, prompt="x", size=size))
    assert t.request.json == {"model": name, "prompt": "x", "n": 1, "size": applied}
    assert t.adjustments == (adj("size", size, applied, reason),)
    assert t.size == applied


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("gpt-image-1", "auto"),
        ("gpt-image-2", "3840x2160"),
        ("gpt-image-2", "2048x1152"),
        ("gpt-image-2", "1008x3024"),
        ("dall-e-2", "512x512"),
        ("dall-e-3", "1024x1792"),
    ],
)
def test_accepted_sizes_pass_unchanged(
    provider: OpenAIProvider, make_call: Any, name: str, size: str
) -> None:
    t = provider.translate(make_call(name, prompt="x", size=size))
    assert t.request.json["size"] == size
    assert t.adjustments == ()


@pytest.mark.parametrize(
    ("name", "ratio", "applied"),
    [
        ("gpt-image-1", "16:9", "1536x1024"),
        ("gpt-image-1", "9:16", "1024x1536"),
        ("gpt-image-1.5", "1:1", "1024x1024"),
        ("gpt-image-1-mini", "4:5", "1024x1536"),
        ("dall-e-3", "16:9", "1792x1024"),
        ("dall-e-3", "2:3", "1024x1792"),
        ("dall-e-2", "16:9", "1024x1024"),
    ],
)
def test_aspect_ratio_maps_to_nearest_listed_size(
    provider: OpenAIProvider, make_call: Any, name: str, ratio: str, applied: str
) -> None:
    call = make_call(name, prompt="x", image_config=ImageConfig(aspect_ratio=ratio))
    t = provider.translate(call)
    assert t.request.json == {"model": name, "prompt": "x", "n": 1, "size": applied}
    assert t.adjustments == (
        adj(
            "image_config.aspect_ratio",
            ratio,
            applied,
            f"OpenAI takes a size: sent the {name} size nearest this aspect ratio",
        ),
    )


FREE = "OpenAI takes a WIDTHxHEIGHT size: computed one (sides multiples of 16)"


@pytest.mark.parametrize(
    ("ratio", "applied"),
    [
        ("16:9", "1536x864"),  # the spec's own example size
        ("9:16", "864x1536"),
        ("3:2", "1536x1024"),  # a standard size when one has the exact ratio
        ("1:1", "1024x1024"),
        ("21:9", "1536x656"),
        ("4:1", "1440x480"),  # clamped to 3:1, the smallest 3:1 size over 655,360 pixels
    ],
)
def test_gpt_image_2_aspect_ratio_computes_a_size(
    provider: OpenAIProvider, make_call: Any, ratio: str, applied: str
) -> None:
    call = make_call("gpt-image-2", prompt="x", image_config=ImageConfig(aspect_ratio=ratio))
    t = provider.translate(call)
    assert t.request.json == {"model": "gpt-image-2", "prompt": "x", "n": 1, "size": applied}
    assert t.adjustments == (adj("image_config.aspect_ratio", ratio, applied, FREE),)


@pytest.mark.parametrize(
    ("ratio", "image_size", "applied", "fitted"),
    [
        (None, "1K", "1024x1024", ""),
        (None, "2K", "2048x2048", ""),
        (
            None,
            "4K",
            "2880x2880",
            "4K means 4096 px on the longer side, which gpt-image-2's size limits bring to 2880",
        ),  # 4096² is over 3840x2160 pixels: scaled down
        ("16:9", "2K", "2048x1152", ""),
        (
            "16:9",
            "4K",
            "3840x2160",
            "4K means 4096 px on the longer side, which gpt-image-2's size limits bring to 3840",
        ),
        ("2:3", "1K", "688x1024", ""),
        (
            None,
            "0.5K",
            "816x816",
            "0.5K means 512 px on the longer side, which gpt-image-2's size limits bring to 816",
        ),  # raised to the smallest area it makes
    ],
)
def test_gpt_image_2_image_size_sets_the_long_side(
    provider: OpenAIProvider,
    make_call: Any,
    ratio: str | None,
    image_size: str,
    applied: str,
    fitted: str,
) -> None:
    config = ImageConfig(aspect_ratio=ratio, image_size=image_size)
    t = provider.translate(make_call("gpt-image-2", prompt="x", image_config=config))
    assert t.request.json["size"] == applied
    reason = f"{FREE}; {fitted}" if fitted else FREE
    expected = [adj("image_config.image_size", image_size, applied, reason)]
    if ratio is not None:
        expected.insert(0, adj("image_config.aspect_ratio", ratio, applied, FREE))
    assert t.adjustments == tuple(expected)


def test_image_size_dropped_on_fixed_size_models(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call("gpt-image-1.5", prompt="x", image_config=ImageConfig(image_size="2K"))
    t = provider.translate(call)
    assert t.request.json == {"model": "gpt-image-1.5", "prompt": "x", "n": 1}
    assert t.adjustments == (
        adj(
            "image_config.image_size",
            "2K",
            None,
            "gpt-image-1.5 has fixed sizes; choose one with size or aspect_ratio",
        ),
    )


def test_bad_image_size_is_refused(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call("gpt-image-2", prompt="x", image_config=ImageConfig(image_size="huge"))
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(call)
    assert info.value.param == "image_config.image_size"


def test_explicit_size_wins_over_image_config(provider: OpenAIProvider, make_call: Any) -> None:
    config = ImageConfig(aspect_ratio="16:9", image_size="2K")
    t = provider.translate(
        make_call("gpt-image-2", prompt="x", size="1024x1024", image_config=config)
    )
    assert t.request.json["size"] == "1024x1024"
    assert t.adjustments == (
        adj(
            "image_config.aspect_ratio",
            "16:9",
            None,
            "an explicit size (1024x1024) wins over image_config.aspect_ratio",
        ),
        adj(
            "image_config.image_size",
            "2K",
            None,
            "an explicit size (1024x1024) wins over image_config.image_size",
        ),
    )


# ---- quality -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "requested", "applied"),
    [
        ("gpt-image-1", "hd", "high"),
        ("gpt-image-1", "standard", "medium"),
        ("gpt-image-2", "hd", "high"),
        ("gpt-image-2", "xhigh", "high"),
        ("gpt-image-2.6-sunburst", "max", "high"),
        ("dall-e-3", "high", "hd"),
        ("dall-e-3", "max", "hd"),
        ("dall-e-3", "low", "standard"),
        ("dall-e-3", "medium", "standard"),
        ("dall-e-3", "auto", "standard"),
    ],
)
def test_quality_maps_across_vocabularies(
    provider: OpenAIProvider, make_call: Any, name: str, requested: str, applied: str
) -> None:
    t = provider.translate(make_call(name, prompt="x", quality=requested))
    assert t.request.json == {"model": name, "prompt": "x", "n": 1, "quality": applied}
    accepted = "standard, hd" if name == "dall-e-3" else "low, medium, high, auto"
    assert t.adjustments == (
        adj(
            "quality",
            requested,
            applied,
            f"{name} accepts {accepted}; {requested} maps to {applied}",
        ),
    )
    assert t.quality == applied


@pytest.mark.parametrize("quality", ["xhigh", "max"])
def test_the_gpt_image_2_5_models_take_xhigh_and_max(
    provider: OpenAIProvider, make_call: Any, quality: str
) -> None:
    """The SDK: "gpt-image-2.5-sunburst and gpt-image-2.5-flare, including their 2026-09-08
    snapshots, also support xhigh and max"; and gpt-image-2's free-form sizes."""
    for name in ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare-2026-09-08"):
        t = provider.translate(make_call(name, prompt="x", quality=quality, size="1536x864"))
        assert t.request.json == {
            "model": name,
            "prompt": "x",
            "n": 1,
            "quality": quality,
            "size": "1536x864",
        }
        assert (t.adjustments, t.quality, t.size) == ((), quality, "1536x864")


@pytest.mark.parametrize(
    ("name", "quality"),
    [
        ("gpt-image-1", "low"),
        ("gpt-image-1", "auto"),
        ("dall-e-3", "standard"),
    ],
)
def test_native_quality_unchanged(
    provider: OpenAIProvider, make_call: Any, name: str, quality: str
) -> None:
    t = provider.translate(make_call(name, prompt="x", quality=quality))
    assert t.request.json["quality"] == quality
    assert t.adjustments == ()


@pytest.mark.parametrize("quality", ["hd", "auto", "high"])
def test_dall_e_2_never_gets_a_quality_field(
    provider: OpenAIProvider, make_call: Any, quality: str
) -> None:
    # a real 2026-03-31 recording: dall-e-2 answers 400 "Unknown parameter: 'quality'."
    t = provider.translate(make_call("dall-e-2", prompt="x", quality=quality))
    assert t.request.json == {"model": "dall-e-2", "prompt": "x", "n": 1}
    assert t.adjustments == (
        adj(
            "quality",
            quality,
            "standard",
            "dall-e-2 has a single quality (standard) and rejects the quality field",
        ),
    )
    assert t.quality == "standard"


DALL_E_2_STANDARD_UNSENT = adj(
    "quality",
    "standard",
    None,
    "OpenAI refuses the quality field for dall-e-2 (400 'Unknown parameter'); standard is what "
    "it makes, so none is sent",
)


def test_dall_e_2_standard_quality_is_not_sent_and_says_so(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    """standard is what dall-e-2 makes, but the user's setting is not sent: reported, in a
    generation and in an edit (whose multipart form has no quality either)."""
    t = provider.translate(make_call("dall-e-2", prompt="x", quality="standard"))
    assert t.request.json == {"model": "dall-e-2", "prompt": "x", "n": 1}
    assert t.adjustments == (DALL_E_2_STANDARD_UNSENT,)
    assert t.quality == "standard"
    t = provider.translate(
        make_call("dall-e-2", "edit", images=[png], prompt="x", quality="standard")
    )
    assert t.request.form == (("model", "dall-e-2"), ("prompt", "x"), ("n", "1"))
    assert t.adjustments == (DALL_E_2_STANDARD_UNSENT,)
    assert t.quality == "standard"


def test_dall_e_2_without_a_quality_reports_nothing(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    for call in (
        make_call("dall-e-2", prompt="x"),
        make_call("dall-e-2", "edit", images=[png], prompt="x"),
        make_call("dall-e-2", "variation", images=[png]),
    ):
        assert provider.translate(call).adjustments == ()


def test_dall_e_2_quality_in_a_dry_run_of_each_operation(png: bytes) -> None:
    """Through the client: generate and edit report the unsent standard (and price it as
    standard); a variation has no quality field, which core reports as not sent."""
    misplaced: dict[str, Any] = {"quality": "standard"}  # not a parameter of variations
    with limner.Client(environ={}) as client:
        generated = client.images.generate(
            model="openai/dall-e-2", prompt="x", quality="standard", dry_run=True
        )
        edited = client.images.edit(
            model="openai/dall-e-2", prompt="x", image=png, quality="standard", dry_run=True
        )
        varied = client.images.create_variation(
            model="openai/dall-e-2", image=png, dry_run=True, **misplaced
        )
    assert "quality" not in generated.requests[0]["json"]
    assert "quality" not in edited.requests[0]["form"]
    assert "quality" not in varied.requests[0]["form"]
    for plan in (generated, edited):
        assert plan.adjustments == [DALL_E_2_STANDARD_UNSENT]
        assert plan.estimated_cost_usd == Decimal("0.020")
    [(param, requested, applied)] = [(a.param, a.requested, a.applied) for a in varied.adjustments]
    assert (param, requested, applied) == ("quality", "standard", None)


@pytest.mark.parametrize("quality", ["ultra", "HD", "extreme"])
def test_unknown_quality_is_refused(provider: OpenAIProvider, make_call: Any, quality: str) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("gpt-image-1", prompt="x", quality=quality))
    assert info.value.param == "quality"


# ---- dropped and model-specific fields ---------------------------------------------------------


def test_gpt_image_drops_what_openai_lacks(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call(
        "gpt-image-1.5",
        prompt="x",
        response_format="url",
        style="vivid",
        seed=7,
        negative_prompt="blur",
        metadata={"run": "1"},
    )
    t = provider.translate(call)
    assert t.request.json == {"model": "gpt-image-1.5", "prompt": "x", "n": 1}
    assert t.adjustments == (
        adj(
            "response_format",
            "url",
            "b64_json",
            "gpt-image-1.5 always returns base64 images and rejects response_format",
        ),
        adj("style", "vivid", None, "gpt-image-1.5 has no style parameter (dall-e-3 only)"),
        adj("seed", 7, None, "OpenAI's Images API has no seed"),
        adj("negative_prompt", "blur", None, "OpenAI's Images API has no negative_prompt"),
        adj("metadata", {"run": "1"}, None, "OpenAI's Images API has no metadata"),
    )


def test_response_format_b64_json_is_not_sent_to_gpt_image(
    provider: OpenAIProvider, make_call: Any
) -> None:
    t = provider.translate(make_call("gpt-image-1", prompt="x", response_format="b64_json"))
    assert "response_format" not in t.request.json
    assert t.adjustments == ()  # the images come back as b64_json anyway


def test_dall_e_drops_gpt_image_fields(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call(
        "dall-e-3",
        prompt="x",
        background="transparent",
        output_format="jpeg",
        output_compression=50,
        moderation="low",
        style="cinematic",
    )
    t = provider.translate(call)
    assert t.request.json == {"model": "dall-e-3", "prompt": "x", "n": 1}
    gpt_only = "has no {} parameter (GPT image models only)"
    assert t.adjustments == (
        adj("style", "cinematic", None, "dall-e-3 accepts style vivid or natural only"),
        adj("output_format", "jpeg", None, "dall-e-3 " + gpt_only.format("output_format")),
        adj("background", "transparent", None, "dall-e-3 " + gpt_only.format("background")),
        adj(
            "output_compression",
            50,
            None,
            "dall-e-3 does not take output_compression (GPT image models only)",
        ),
        adj("moderation", "low", None, "dall-e-3 " + gpt_only.format("moderation")),
    )


def test_transparent_on_gpt_image_2_warns_preview(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call("gpt-image-2", prompt="x", background="transparent", output_format="png")
    t = provider.translate(call)
    assert t.request.json["background"] == "transparent"
    assert t.warnings == (
        Notice(
            code="preview_feature",
            param="background",
            message="transparent backgrounds are in preview for gpt-image-2",
        ),
    )


def _experimental(size: str, param: str, name: str = "gpt-image-2") -> Notice:
    w, h = (int(side) for side in size.split("x"))
    return Notice(
        code="experimental_size",
        param=param,
        message=f"{size} ({w * h:,} pixels) is above 2560x1440 (3,686,400 pixels); OpenAI "
        f"calls such sizes experimental for {name}",
    )


@pytest.mark.parametrize("name", ["gpt-image-2", "gpt-image-2-2026-04-21"])
@pytest.mark.parametrize(
    ("size", "experimental"),
    [
        ("3840x2160", True),  # the maximum
        ("2048x2048", True),  # 4,194,304 pixels: above 2560x1440 though no side is
        ("2576x1440", True),
        ("2560x1440", False),  # not above
        ("1440x2560", False),  # the same pixels, turned
        ("2880x1008", False),  # a side over 2560 but fewer pixels (2,903,040)
        ("1536x864", False),
    ],
)
def test_gpt_image_2_sizes_above_2560x1440_are_experimental(
    provider: OpenAIProvider, make_call: Any, name: str, size: str, experimental: bool
) -> None:
    t = provider.translate(make_call(name, prompt="x", size=size))
    assert t.request.json["size"] == size
    assert t.adjustments == ()
    assert t.warnings == ((_experimental(size, "size", name),) if experimental else ())


@pytest.mark.parametrize(
    ("ratio", "image_size", "applied", "param"),
    [
        ("16:9", "4K", "3840x2160", "image_config.image_size"),
        (None, "2K", "2048x2048", "image_config.image_size"),
    ],
)
def test_computed_experimental_size_names_the_image_config_field(
    provider: OpenAIProvider,
    make_call: Any,
    ratio: str | None,
    image_size: str,
    applied: str,
    param: str,
) -> None:
    config = ImageConfig(aspect_ratio=ratio, image_size=image_size)
    t = provider.translate(make_call("gpt-image-2", prompt="x", image_config=config))
    assert t.request.json["size"] == applied
    assert t.warnings == (_experimental(applied, param),)


def test_computed_size_within_2560x1440_has_no_notice(
    provider: OpenAIProvider, make_call: Any
) -> None:
    config = ImageConfig(aspect_ratio="16:9", image_size="2K")
    t = provider.translate(make_call("gpt-image-2", prompt="x", image_config=config))
    assert t.request.json["size"] == "2048x1152"
    assert t.warnings == ()


def test_an_oversized_size_fitted_down_is_still_experimental(
    provider: OpenAIProvider, make_call: Any
) -> None:
    t = provider.translate(make_call("gpt-image-2", prompt="x", size="4096x4096"))
    applied = t.request.json["size"]
    assert [a.param for a in t.adjustments] == ["size"]
    assert t.warnings == (_experimental(applied, "size"),)


def test_experimental_and_preview_notices_together(
    provider: OpenAIProvider, make_call: Any
) -> None:
    call = make_call("gpt-image-2", prompt="x", size="3840x2160", background="transparent")
    t = provider.translate(call)
    assert [(w.code, w.param) for w in t.warnings] == [
        ("experimental_size", "size"),
        ("preview_feature", "background"),
    ]


def test_jpg_is_refused_as_core_refuses_it(
    provider: OpenAIProvider, make_call: Any, model: Any
) -> None:
    # core holds output_format to the model's enum before any translation, so the plugin never
    # sees "jpg"; it refuses it the same way rather than keep a mapping that cannot run
    request = limner.GenerateRequest(model="openai/gpt-image-1", prompt="x", output_format="jpg")
    with pytest.raises(limner.InvalidRequestError) as core:
        validate_request(model("gpt-image-1"), "generate", request)
    assert core.value.param == "output_format"
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("gpt-image-1", prompt="x", output_format="jpg"))
    assert info.value.param == "output_format"


@pytest.mark.parametrize(
    ("field", "value"), [("background", "green"), ("output_format", "gif"), ("moderation", "high")]
)
def test_unknown_values_are_refused(
    provider: OpenAIProvider, make_call: Any, field: str, value: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("gpt-image-1", prompt="x", **{field: value}))
    assert info.value.param == field


@pytest.mark.parametrize(("name", "limit"), [("dall-e-2", 1000), ("dall-e-3", 4000)])
def test_prompt_length_limit(
    provider: OpenAIProvider, make_call: Any, name: str, limit: int
) -> None:
    assert (
        provider.translate(make_call(name, prompt="p" * limit)).request.json["prompt"]
        == "p" * limit
    )
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call(name, prompt="p" * (limit + 1)))
    assert info.value.param == "prompt"
    assert f"at most {limit}" in info.value.message


def test_unknown_fields_are_forwarded(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call("gpt-image-1", prompt="x", frame_count=0, stream=False, extra={"a": [1]})
    t = provider.translate(call)
    assert t.request.json == {
        "model": "gpt-image-1",
        "prompt": "x",
        "n": 1,
        "frame_count": 0,
        "stream": False,
        "extra": {"a": [1]},
    }


def test_streaming_is_refused(provider: OpenAIProvider, make_call: Any) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        provider.translate(make_call("gpt-image-1", prompt="x", stream=True))
    assert info.value.param == "stream"


FIDELITY_ONLY_FOR_EDITS = adj(
    "provider_options.openai.input_fidelity", "high", None, "input_fidelity applies to edits only"
)


def test_input_fidelity_option_is_dropped_on_generate(
    provider: OpenAIProvider, make_call: Any
) -> None:
    call = make_call("gpt-image-1", prompt="x", options=OpenAIOptions(input_fidelity="high"))
    t = provider.translate(call)
    assert "input_fidelity" not in t.request.json
    assert t.adjustments == (FIDELITY_ONLY_FOR_EDITS,)


# ---- edits -------------------------------------------------------------------------------------


def test_multipart_edit_one_image(provider: OpenAIProvider, make_call: Any, png: bytes) -> None:
    call = make_call(
        "gpt-image-1.5",
        "edit",
        images=[png],
        prompt="add a hat",
        size="1024x1536",
        quality="high",
        input_fidelity="high",
        output_format="png",
    )
    t = provider.translate(call)
    assert t.request.url == EDITS
    assert t.request.json is None
    assert t.request.form == (
        ("model", "gpt-image-1.5"),
        ("prompt", "add a hat"),
        ("n", "1"),
        ("size", "1024x1536"),
        ("quality", "high"),
        ("output_format", "png"),
        ("input_fidelity", "high"),
    )
    assert t.request.files == (FilePart("image", "image.png", "image/png", png),)
    assert t.request.content_type == "multipart/form-data"
    assert t.adjustments == ()


def test_multipart_edit_several_images_and_mask(
    provider: OpenAIProvider, make_call: Any, png: bytes, png2: bytes, mask_png: bytes
) -> None:
    call = make_call(
        "gpt-image-1", "edit", n=3, images=[png, png2], mask=mask_png, prompt="merge", user="u"
    )
    t = provider.translate(call)
    assert t.request.form == (
        ("model", "gpt-image-1"),
        ("prompt", "merge"),
        ("n", "3"),
        ("user", "u"),
    )
    assert t.request.files == (
        FilePart("image[]", "image.png", "image/png", png),
        FilePart("image[]", "image.png", "image/png", png2),
        FilePart("mask", "image.png", "image/png", mask_png),
    )
    # an edit without a size: "Defaults to `auto`" (SDK ImageEditParams.size; the older spec
    # said 1024x1024 for multipart), so it is priced as a generation without one is
    assert (t.size, t.quality) == ("auto", "auto")


def test_a_multipart_edit_drops_moderation(
    provider: OpenAIProvider, make_call: Any, png: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the images are too large for the JSON form's data URLs, which takes moderation."""
    monkeypatch.setattr("limner_openai.body.MAX_IMAGE_URL_CHARS", 10)
    call = make_call("gpt-image-1", "edit", images=[png], prompt="x", moderation="low")
    t = provider.translate(call)
    assert t.request.json is None
    assert ("moderation", "low") not in t.request.form
    assert t.adjustments == (adj("moderation", "low", None, MULTIPART_MODERATION),)


@pytest.mark.parametrize(
    ("fields", "sent"),
    [
        ({"size": "1536x864"}, "1536x864"),
        ({"image_config": {"aspect_ratio": "16:9"}}, "1536x864"),
        ({"image_config": {"image_size": "2K"}}, "2048x2048"),
    ],
)
def test_a_free_size_keeps_an_edit_with_moderation_multipart(
    provider: OpenAIProvider, make_call: Any, png: bytes, fields: dict[str, Any], sent: str
) -> None:
    """The JSON form would take the moderation but send the nearest of its four sizes, another
    shape: the size asked for wins, and the moderation is dropped, said."""
    call = make_call("gpt-image-2", "edit", images=[png], prompt="x", moderation="low", **fields)
    t = provider.translate(call)
    assert t.request.json is None
    assert ("size", sent) in t.request.form
    assert ("moderation", "low") not in t.request.form
    assert adj("moderation", "low", None, MULTIPART_MODERATION) in t.adjustments
    assert not [a for a in t.adjustments if a.param == "size"]


@pytest.mark.parametrize(
    ("fields", "sent"),
    [
        ({"size": "1536x1024"}, "1536x1024"),
        ({"size": "auto"}, "auto"),
        # image_config that works out to a size the JSON form lists too
        ({"image_config": {"aspect_ratio": "1:1"}}, "1024x1024"),
        ({"image_config": {"aspect_ratio": "3:2"}}, "1536x1024"),
        ({"image_config": {"image_size": "1K"}}, "1024x1024"),  # (unsent is auto, not this)
    ],
)
def test_a_listed_size_keeps_the_json_form_for_moderation(
    provider: OpenAIProvider, make_call: Any, png: bytes, fields: dict[str, Any], sent: str | None
) -> None:
    call = make_call("gpt-image-2", "edit", images=[png], prompt="x", moderation="low", **fields)
    t = provider.translate(call)
    assert t.request.json is not None
    assert (t.request.json.get("size"), t.request.json["moderation"]) == (sent, "low")
    assert not [a for a in t.adjustments if a.param == "moderation"]


def test_dall_e_2_edit_with_mask(
    provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    call = make_call(
        "dall-e-2",
        "edit",
        n=2,
        images=[png],
        mask=mask_png,
        prompt="A sunlit indoor lounge area with a pool containing a flamingo",
        size="512x512",
        response_format="url",
    )
    t = provider.translate(call)
    assert t.request.form == (
        ("model", "dall-e-2"),
        ("prompt", "A sunlit indoor lounge area with a pool containing a flamingo"),
        ("n", "2"),
        ("size", "512x512"),
        ("response_format", "url"),
    )
    assert [part.field for part in t.request.files] == ["image", "mask"]
    assert t.request.files[1].data == mask_png


def test_input_fidelity_on_mini_is_low_only(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    """The SDK: "gpt-image-1-mini supports only low"."""
    call = make_call("gpt-image-1-mini", "edit", images=[png], prompt="x", input_fidelity="high")
    t = provider.translate(call)
    assert dict(t.request.form)["input_fidelity"] == "low"
    assert t.adjustments == (
        adj("input_fidelity", "high", "low", "gpt-image-1-mini supports only input_fidelity low"),
    )
    call = make_call("gpt-image-1-mini", "edit", images=[png], prompt="x", input_fidelity="low")
    t = provider.translate(call)
    assert (dict(t.request.form)["input_fidelity"], t.adjustments) == ("low", ())


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("gpt-image-2", "the SDK says to omit input_fidelity for gpt-image-2"),
        ("gpt-image-2-2026-04-21", "the SDK says to omit input_fidelity for gpt-image-2"),
        (
            "gpt-image-2.5-sunburst",
            "not sent: the SDK names input_fidelity for gpt-image-1.5 and gpt-image-1-mini only, "
            "says to omit it for gpt-image-2, and says nothing of gpt-image-2.5-sunburst",
        ),
        (
            "gpt-image-2.6-flare",
            "not sent: the SDK names input_fidelity for gpt-image-1.5 and gpt-image-1-mini only, "
            "says to omit it for gpt-image-2, and says nothing of gpt-image-2.6-flare",
        ),
        ("dall-e-2", "dall-e-2 has no input_fidelity"),
    ],
)
def test_input_fidelity_is_dropped_where_the_sdk_says_omit_it_or_says_nothing(
    provider: OpenAIProvider, make_call: Any, png: bytes, name: str, why: str
) -> None:
    """The SDK: "For gpt-image-2, omit this parameter"; it names no 2.5 or 2.6 model, and the
    reason says so rather than claim the model lacks it."""
    call = make_call(name, "edit", images=[png], prompt="x", input_fidelity="high")
    t = provider.translate(call)
    assert "input_fidelity" not in dict(t.request.form)
    assert [a for a in t.adjustments if a.param == "input_fidelity"] == [
        adj("input_fidelity", "high", None, why)
    ]


def test_input_fidelity_option_overrides_request(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "gpt-image-1.5",
        "edit",
        images=[png],
        prompt="x",
        input_fidelity="low",
        options=OpenAIOptions(input_fidelity="high"),
    )
    t = provider.translate(call)
    assert dict(t.request.form)["input_fidelity"] == "high"
    assert t.adjustments == (
        adj("input_fidelity", "low", "high", "provider_options.openai.input_fidelity overrides it"),
    )


def test_json_edit_with_url_file_id_and_bytes(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "gpt-image-1.5",
        "edit",
        images=["https://example.com/source-image.png", {"file_id": "file-abc123"}, png],
        mask={"file_id": "file-mask123"},
        prompt="Add a watercolor effect to this image",
        size="1024x1024",
        quality="high",
        moderation="low",
        input_fidelity="high",
    )
    t = provider.translate(call)
    assert t.request.url == EDITS
    assert t.request.files == () and t.request.form == ()
    assert t.request.json == {
        "model": "gpt-image-1.5",
        "prompt": "Add a watercolor effect to this image",
        "n": 1,
        "size": "1024x1024",
        "quality": "high",
        "moderation": "low",
        "input_fidelity": "high",
        "images": [
            {"image_url": "https://example.com/source-image.png"},
            {"file_id": "file-abc123"},
            {"image_url": "data:image/png;base64," + base64.b64encode(png).decode()},
        ],
        "mask": {"file_id": "file-mask123"},
    }
    assert (t.size, t.quality) == ("1024x1024", "high")


def test_json_edit_sizes_are_a_closed_list(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call(
        "gpt-image-2", "edit", images=[{"file_id": "file-1"}], prompt="x", size="1536x864"
    )
    t = provider.translate(call)
    assert t.request.json == {
        "model": "gpt-image-2",
        "prompt": "x",
        "n": 1,
        "size": "1536x1024",
        "images": [{"file_id": "file-1"}],
    }
    assert t.adjustments == (
        adj(
            "size",
            "1536x864",
            "1536x1024",
            "gpt-image-2 accepts only 1024x1024, 1536x1024, 1024x1536 in a JSON edit; "
            "sent the nearest by aspect ratio, then area",
        ),
    )
    assert t.size == "1536x1024"


def test_chatgpt_image_latest_edits(provider: OpenAIProvider, make_call: Any, png: bytes) -> None:
    t = provider.translate(make_call("chatgpt-image-latest", "edit", images=[png], prompt="x"))
    assert t.request.form == (("model", "chatgpt-image-latest"), ("prompt", "x"), ("n", "1"))
    assert t.request.files == (FilePart("image", "image.png", "image/png", png),)


@pytest.mark.parametrize(
    ("images", "param"),
    [(["https://example.com/a.png"], "images[0]"), ([{"file_id": "file-1"}], "images[0]")],
)
def test_dall_e_2_edit_needs_bytes(
    provider: OpenAIProvider, make_call: Any, images: list[Any], param: str
) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        provider.translate(make_call("dall-e-2", "edit", images=images, prompt="x"))
    assert info.value.param == param


def test_dall_e_2_edit_takes_one_image(
    provider: OpenAIProvider, make_call: Any, png: bytes, png2: bytes
) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        provider.translate(make_call("dall-e-2", "edit", images=[png, png2], prompt="x"))
    assert info.value.param == "images"


def test_dall_e_3_cannot_edit(provider: OpenAIProvider, make_call: Any, png: bytes) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        provider.translate(make_call("dall-e-3", "edit", images=[png], prompt="x"))
    assert info.value.param == "model"


def test_multipart_forwarded_fields_are_strings(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call("gpt-image-1", "edit", images=[png], prompt="x", frame_count=2, stream=False)
    t = provider.translate(call)
    assert t.request.form[-2:] == (("frame_count", "2"), ("stream", "false"))


# ---- variations --------------------------------------------------------------------------------


def test_variation(provider: OpenAIProvider, make_call: Any, png: bytes) -> None:
    call = make_call(
        "dall-e-2",
        "variation",
        n=2,
        images=[png],
        size="1024x1024",
        response_format="url",
        user="u",
    )
    t = provider.translate(call)
    assert t.request.url == VARIATIONS
    assert t.request.json is None
    assert t.request.form == (
        ("model", "dall-e-2"),
        ("n", "2"),
        ("size", "1024x1024"),
        ("response_format", "url"),
        ("user", "u"),
    )
    assert t.request.files == (FilePart("image", "image.png", "image/png", png),)
    assert (t.size, t.quality) == ("1024x1024", None)  # variations take no quality


def test_variation_size_snaps(provider: OpenAIProvider, make_call: Any, png: bytes) -> None:
    t = provider.translate(make_call("dall-e-2", "variation", images=[png], size="600x600"))
    assert dict(t.request.form)["size"] == "512x512"
    assert [a.param for a in t.adjustments] == ["size"]


def test_variation_reports_the_openai_options_it_does_not_use(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "dall-e-2", "variation", images=[png], options=OpenAIOptions(input_fidelity="high")
    )
    t = provider.translate(call)
    assert t.request.form == (("model", "dall-e-2"), ("n", "1"))
    assert t.adjustments == (FIDELITY_ONLY_FOR_EDITS,)


def test_every_openai_option_is_covered_by_the_variation_test() -> None:
    # a new option must be sent or reported on a variation too (fields.variation_fields); add
    # it to the test above when it is
    assert set(OpenAIOptions.model_fields) == {"input_fidelity"}


def test_only_dall_e_2_makes_variations(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    with pytest.raises(limner.UnsupportedFeatureError):
        provider.translate(make_call("gpt-image-1", "variation", images=[png]))


# ---- output_compression: jpeg and webp only ----------------------------------------------------


@pytest.mark.parametrize("output_format", ["jpeg", "webp"])
def test_output_compression_sent_for_jpeg_and_webp(
    provider: OpenAIProvider, make_call: Any, output_format: str
) -> None:
    call = make_call("gpt-image-1", prompt="x", output_format=output_format, output_compression=60)
    t = provider.translate(call)
    assert t.request.json == {
        "model": "gpt-image-1",
        "prompt": "x",
        "n": 1,
        "output_format": output_format,
        "output_compression": 60,
    }
    assert t.adjustments == ()


def test_output_compression_dropped_for_explicit_png(
    provider: OpenAIProvider, make_call: Any
) -> None:
    call = make_call("gpt-image-1", prompt="x", output_format="png", output_compression=80)
    t = provider.translate(call)
    assert t.request.json == {"model": "gpt-image-1", "prompt": "x", "n": 1, "output_format": "png"}
    assert t.adjustments == (
        adj(
            "output_compression",
            80,
            None,
            "output_compression applies to jpeg and webp output only; the output is png",
        ),
    )


def test_output_compression_dropped_for_default_png(
    provider: OpenAIProvider, make_call: Any
) -> None:
    t = provider.translate(make_call("gpt-image-2", prompt="x", output_compression=100))
    assert t.request.json == {"model": "gpt-image-2", "prompt": "x", "n": 1}
    assert t.adjustments == (
        adj(
            "output_compression",
            100,
            None,
            "output_compression applies to jpeg and webp output only; "
            "the output is png (the default output_format)",
        ),
    )


def test_output_compression_dropped_from_png_multipart_edit(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call("gpt-image-1", "edit", images=[png], prompt="x", output_compression=50)
    t = provider.translate(call)
    assert t.request.form == (("model", "gpt-image-1"), ("prompt", "x"), ("n", "1"))
    assert t.request.files == (FilePart("image", "image.png", "image/png", png),)
    assert t.adjustments == (
        adj(
            "output_compression",
            50,
            None,
            "output_compression applies to jpeg and webp output only; "
            "the output is png (the default output_format)",
        ),
    )


def test_output_compression_kept_in_webp_multipart_edit(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "gpt-image-1",
        "edit",
        images=[png],
        prompt="x",
        output_format="webp",
        output_compression=50,
    )
    t = provider.translate(call)
    assert t.request.form == (
        ("model", "gpt-image-1"),
        ("prompt", "x"),
        ("n", "1"),
        ("output_format", "webp"),
        ("output_compression", "50"),
    )
    assert t.adjustments == ()


# ---- dall-e-2 uploads: one square PNG under 4 MiB ----------------------------------------------

PNG_ONLY = "dall-e-2 takes only PNG uploads; re-encoded losslessly as PNG (the same pixels)"


def _encode(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        return image.mode, image.size, image.tobytes()


def _noise(width: int, height: int, mode: str = "RGBA") -> Image.Image:
    """Incompressible pixels (fixed seed), to make large files from small sizes."""
    size = width * height * len(mode)
    return Image.frombytes(mode, (width, height), random.Random(7).randbytes(size))


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    """A 16x16 JPEG: red left half, blue right half."""
    image = Image.new("RGB", (16, 16), (220, 20, 20))
    image.paste((20, 20, 220), (8, 0, 16, 16))
    return _encode(image, "JPEG", quality=90)


def test_dall_e_2_edit_converts_jpeg_to_png(
    provider: OpenAIProvider, make_call: Any, jpeg: bytes
) -> None:
    call = make_call("dall-e-2", "edit", images=[jpeg], prompt="x", size="256x256")
    t = provider.translate(call)
    assert t.request.form == (
        ("model", "dall-e-2"),
        ("prompt", "x"),
        ("n", "1"),
        ("size", "256x256"),
    )
    (part,) = t.request.files
    assert (part.field, part.filename, part.content_type) == ("image", "image.png", "image/png")
    assert part.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert _pixels(part.data) == _pixels(jpeg)  # lossless: exactly the decoded JPEG pixels
    assert t.adjustments == (adj("images[0]", "image/jpeg", "image/png", PNG_ONLY),)


def test_dall_e_2_variation_converts_webp_keeping_alpha(
    provider: OpenAIProvider, make_call: Any
) -> None:
    source = Image.new("RGBA", (16, 16), (10, 200, 10, 255))
    source.paste((0, 0, 0, 0), (0, 0, 8, 8))
    webp = _encode(source, "WEBP", lossless=True)
    t = provider.translate(make_call("dall-e-2", "variation", images=[webp]))
    assert t.request.form == (("model", "dall-e-2"), ("n", "1"))
    (part,) = t.request.files
    assert (part.field, part.filename, part.content_type) == ("image", "image.png", "image/png")
    assert _pixels(part.data) == ("RGBA", (16, 16), source.tobytes())
    assert t.adjustments == (adj("image", "image/webp", "image/png", PNG_ONLY),)


def test_dall_e_2_conversion_keeps_the_stored_pixels_and_their_exif_orientation(
    provider: OpenAIProvider, make_call: Any
) -> None:
    image = Image.new("RGB", (16, 16), (220, 20, 20))
    image.paste((20, 20, 220), (8, 0, 16, 16))
    exif = Image.Exif()
    exif[0x0112] = 3  # orientation: rotate 180°
    rotated = _encode(image, "JPEG", quality=90, exif=exif)
    t = provider.translate(make_call("dall-e-2", "variation", images=[rotated]))
    with Image.open(io.BytesIO(rotated)) as stored:
        expected = stored.convert("RGB").tobytes()
    assert _pixels(t.request.files[0].data) == ("RGB", (16, 16), expected)
    with Image.open(io.BytesIO(t.request.files[0].data)) as sent:
        assert sent.getexif()[0x0112] == 3  # a viewer still shows it turned


def test_dall_e_2_png_is_sent_as_is(
    provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    t = provider.translate(make_call("dall-e-2", "edit", images=[png], mask=mask_png, prompt="x"))
    assert t.request.files == (
        FilePart("image", "image.png", "image/png", png),
        FilePart("mask", "image.png", "image/png", mask_png),
    )
    assert t.adjustments == ()


def test_gpt_image_edit_keeps_jpeg(provider: OpenAIProvider, make_call: Any, jpeg: bytes) -> None:
    t = provider.translate(make_call("gpt-image-1", "edit", images=[jpeg], prompt="x"))
    assert t.request.files == (FilePart("image", "image.jpg", "image/jpeg", jpeg),)
    assert t.adjustments == ()


@pytest.mark.parametrize(
    ("operation", "fmt", "param"),
    [
        ("edit", "PNG", "images[0]"),
        ("edit", "JPEG", "images[0]"),
        ("variation", "PNG", "image"),
        ("variation", "WEBP", "image"),
    ],
)
def test_dall_e_2_refuses_a_non_square_image(
    provider: OpenAIProvider, make_call: Any, operation: str, fmt: str, param: str
) -> None:
    wide = _encode(Image.new("RGB", (24, 16), (1, 2, 3)), fmt)
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("dall-e-2", operation, images=[wide], prompt="x"))
    assert info.value.param == param
    assert info.value.code == "image_not_square"
    assert str(info.value) == (
        f"{param} is 24x16; dall-e-2 takes only a square image. Crop or pad it to a square "
        "yourself, or use a GPT image model"
    )


@pytest.mark.parametrize(("operation", "param"), [("edit", "images[0]"), ("variation", "image")])
def test_dall_e_2_refuses_a_png_of_4_mib_or_more(
    provider: OpenAIProvider, make_call: Any, operation: str, param: str
) -> None:
    big = _encode(_noise(1024, 1024), "PNG")
    assert len(big) >= MAX_UPLOAD_BYTES
    with pytest.raises(limner.PayloadTooLargeError) as info:
        provider.translate(make_call("dall-e-2", operation, images=[big], prompt="x"))
    assert info.value.param == param
    assert str(info.value) == (
        f"{param} is {len(big):,} bytes as PNG; dall-e-2 takes an image of less than 4 MiB "
        "(4,194,304 bytes). Send a smaller image, or use a GPT image model"
    )


def test_dall_e_2_refuses_a_jpeg_over_4_mib_once_converted(
    provider: OpenAIProvider, make_call: Any
) -> None:
    jpeg = _encode(_noise(1200, 1200, "RGB"), "JPEG", quality=95)
    assert len(jpeg) < MAX_UPLOAD_BYTES  # small as a JPEG, too big as the PNG that is sent
    with pytest.raises(limner.PayloadTooLargeError) as info:
        provider.translate(make_call("dall-e-2", "variation", images=[jpeg]))
    assert info.value.param == "image"
    assert "bytes as PNG; dall-e-2 takes an image of less than 4 MiB" in str(info.value)


@pytest.mark.parametrize("name", ["dall-e-2", "gpt-image-1.5", "gpt-image-1-mini"])
def test_a_mask_of_4_mib_or_more_is_refused_for_every_model(
    provider: OpenAIProvider, make_call: Any, name: str
) -> None:
    # [SPEC] CreateImageEditRequest.mask: "Must be a valid PNG file, less than 4MB", any model
    image = _encode(Image.new("RGB", (1024, 1024), (9, 9, 9)), "PNG")
    mask = _encode(_noise(1024, 1024), "PNG")
    assert len(mask) >= MAX_UPLOAD_BYTES
    with pytest.raises(limner.PayloadTooLargeError) as info:
        provider.translate(make_call(name, "edit", images=[image], mask=mask, prompt="x"))
    assert info.value.param == "mask"
    assert str(info.value) == (
        f"mask is {len(mask):,} bytes as PNG; {name} takes a mask of less than 4 MiB "
        "(4,194,304 bytes). Send a smaller image"
    )


def test_dall_e_2_refuses_a_mask_of_another_size(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    # core refuses this first; the plugin checks too, since the mask is never converted
    mask = _encode(Image.new("RGBA", (32, 32), (0, 0, 0, 0)), "PNG")
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("dall-e-2", "edit", images=[png], mask=mask, prompt="x"))
    assert info.value.param == "mask"
    assert info.value.code == "mask_size_mismatch"


def test_dall_e_2_refuses_a_non_png_mask(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    mask = _encode(Image.new("RGBA", (16, 16), (0, 0, 0, 0)), "WEBP", lossless=True)
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("dall-e-2", "edit", images=[png], mask=mask, prompt="x"))
    assert info.value.param == "mask"
    assert info.value.code == "invalid_mask"


def test_dall_e_2_refuses_an_animated_image() -> None:
    frames = [Image.new("RGB", (16, 16), color) for color in ((255, 0, 0), (0, 0, 255))]
    gif = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    client = limner.Client(providers={"openai": {"api_key": "sk-test"}})
    with pytest.raises(limner.InvalidRequestError) as info:  # as it is read, before translating
        client.images.create_variation(model="openai/dall-e-2", image=gif, dry_run=True)
    assert info.value.param == "image"
    assert info.value.code == "invalid_image_format"


# ---- input formats the model does not take: GIF re-encoded as PNG ------------------------------

GIF_TO_PNG = (
    "{} takes PNG, JPEG or WebP input images; re-encoded losslessly as PNG (the same pixels)"
)


@pytest.fixture(scope="module")
def gif() -> bytes:
    """A still 16x16 GIF: red left half, blue right half."""
    image = Image.new("RGB", (16, 16), (220, 20, 20))
    image.paste((20, 20, 220), (8, 0, 16, 16))
    return _encode(image, "GIF")


def _rgba(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGBA").tobytes()


@pytest.mark.parametrize("name", ["gpt-image-1", "gpt-image-2", "chatgpt-image-latest"])
def test_gpt_image_multipart_edit_converts_gif_to_png(
    provider: OpenAIProvider, make_call: Any, gif: bytes, name: str
) -> None:
    t = provider.translate(make_call(name, "edit", images=[gif], prompt="x"))
    (part,) = t.request.files
    assert (part.field, part.filename, part.content_type) == ("image", "image.png", "image/png")
    assert part.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert _rgba(part.data) == _rgba(gif)  # lossless: the GIF's own pixels
    assert t.adjustments == (adj("images[0]", "image/gif", "image/png", GIF_TO_PNG.format(name)),)


def test_a_gif_over_the_input_limit_once_a_png_is_refused(
    provider: OpenAIProvider, make_call: Any, gif: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GIF may grow as a PNG: the converted bytes are held to the 50 MB input limit (lowered
    here so the test needs no 50 MB image)."""
    import limner_openai.uploads

    monkeypatch.setattr(limner_openai.uploads, "MAX_INPUT_BYTES", 64)
    with pytest.raises(limner.PayloadTooLargeError) as caught:
        provider.translate(make_call("gpt-image-1", "edit", images=[gif], prompt="x"))
    assert caught.value.param == "images[0]"
    assert "as PNG" in caught.value.message


@pytest.mark.parametrize("form", ["multipart", "json"])
def test_an_image_sent_as_given_is_held_to_the_input_limit_too(
    provider: OpenAIProvider,
    make_call: Any,
    png: bytes,
    monkeypatch: pytest.MonkeyPatch,
    form: str,
) -> None:
    """The client's ``max_download_bytes`` may be raised over OpenAI's 50 MB, so an image the
    model takes as it is is checked too (the limit lowered here so the test needs no 50 MB
    image), in the JSON form (moderation set) as in the multipart one."""
    import limner_openai.uploads

    monkeypatch.setattr(limner_openai.uploads, "MAX_INPUT_BYTES", len(png))  # "less than"
    extra = {"moderation": "low"} if form == "json" else {}
    with pytest.raises(limner.PayloadTooLargeError) as caught:
        provider.translate(make_call("gpt-image-1.5", "edit", images=[png], prompt="x", **extra))
    assert caught.value.param == "images[0]"
    assert caught.value.message == (
        f"images[0] is {len(png):,} bytes; gpt-image-1.5 takes an image of less than "
        f"{len(png)} bytes ({len(png):,} bytes). Send a smaller image"
    )


def test_gpt_image_multipart_edit_converts_only_the_gif_and_never_the_mask(
    provider: OpenAIProvider, make_call: Any, png: bytes, gif: bytes, jpeg: bytes, mask_png: bytes
) -> None:
    webp = _encode(Image.new("RGB", (16, 16), (1, 2, 3)), "WEBP", lossless=True)
    call = make_call(
        "gpt-image-1.5", "edit", images=[png, gif, jpeg, webp], mask=mask_png, prompt="x"
    )
    t = provider.translate(call)
    fields = [(f.field, f.filename, f.content_type) for f in t.request.files]
    assert fields == [
        ("image[]", "image.png", "image/png"),
        ("image[]", "image.png", "image/png"),
        ("image[]", "image.jpg", "image/jpeg"),
        ("image[]", "image.webp", "image/webp"),
        ("mask", "image.png", "image/png"),
    ]
    sent = [f.data for f in t.request.files]
    assert (sent[0], sent[2], sent[3], sent[4]) == (png, jpeg, webp, mask_png)
    assert _rgba(sent[1]) == _rgba(gif)
    assert t.adjustments == (
        adj("images[1]", "image/gif", "image/png", GIF_TO_PNG.format("gpt-image-1.5")),
    )


def test_gpt_image_json_edit_converts_a_gif_data_url(
    provider: OpenAIProvider, make_call: Any, gif: bytes
) -> None:
    call = make_call("gpt-image-1", "edit", images=[{"file_id": "file-1"}, gif], prompt="x")
    t = provider.translate(call)
    first, second = t.request.json["images"]
    assert first == {"file_id": "file-1"}
    prefix = "data:image/png;base64,"
    assert second["image_url"].startswith(prefix)
    png = base64.b64decode(second["image_url"][len(prefix) :])
    assert png.startswith(b"\x89PNG") and _rgba(png) == _rgba(gif)
    assert t.adjustments == (
        adj("images[1]", "image/gif", "image/png", GIF_TO_PNG.format("gpt-image-1")),
    )


@pytest.mark.parametrize("images", [["gif"], [{"file_id": "file-1"}, "gif"]])
def test_gpt_image_edit_refuses_an_animated_gif(
    provider: OpenAIProvider, make_call: Any, images: list[Any]
) -> None:
    frames = [Image.new("RGB", (16, 16), color) for color in ((255, 0, 0), (0, 0, 255))]
    animated = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    images = [animated if ref == "gif" else ref for ref in images]
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(make_call("gpt-image-1", "edit", images=images, prompt="x"))
    assert info.value.param == f"images[{len(images) - 1}]"
    assert info.value.code == "invalid_image_format"


def test_dall_e_2_gif_is_converted_once(
    provider: OpenAIProvider, make_call: Any, gif: bytes
) -> None:
    t = provider.translate(make_call("dall-e-2", "edit", images=[gif], prompt="x"))
    (part,) = t.request.files
    assert part.content_type == "image/png" and _rgba(part.data) == _rgba(gif)
    assert t.adjustments == (adj("images[0]", "image/gif", "image/png", PNG_ONLY),)


# ---- JSON edit: a data URL is at most 20,971,520 characters ------------------------------------

_PNG_URL_PREFIX = len("data:image/png;base64,")
# the most bytes whose data URL fits: 22 + 4 * ceil(n / 3) <= 20,971,520
_FITS = (MAX_IMAGE_URL_CHARS - _PNG_URL_PREFIX) // 4 * 3


def _loaded(
    call: ProviderCall, images: tuple[InputImage, ...], mask: InputImage | None = None
) -> ProviderCall:
    """``call`` with these loaded images and mask, as core would hand them over."""
    return ProviderCall(
        operation=call.operation,
        model=call.model,
        request=call.request,
        settings=call.settings,
        n=call.n,
        images=images,
        mask=mask,
        options=call.options,
    )


def _blob(size: int) -> InputImage:
    """A local "PNG" of ``size`` bytes; never decoded, as a PNG needs no conversion."""
    return InputImage(data=bytes(size), mime="image/png", width=16, height=16, filename="big.png")


def test_json_edit_data_url_at_the_limit_is_sent(provider: OpenAIProvider, make_call: Any) -> None:
    base = make_call("gpt-image-1", "edit", images=[{"file_id": "file-1"}], prompt="x")
    t = provider.translate(_loaded(base, (*base.images, _blob(_FITS))))
    assert len(t.request.json["images"][1]["image_url"]) == MAX_IMAGE_URL_CHARS - 2


def test_json_edit_refuses_an_image_whose_data_url_is_too_long(
    provider: OpenAIProvider, make_call: Any
) -> None:
    base = make_call("gpt-image-1", "edit", images=[{"file_id": "file-1"}], prompt="x")
    big = _blob(_FITS + 1)
    with pytest.raises(limner.PayloadTooLargeError) as info:
        provider.translate(_loaded(base, (*base.images, big)))
    assert info.value.param == "images[1]"
    assert str(info.value) == (
        "images[1] is 20,971,522 characters as a base64 data URL; a JSON edit (used because an "
        "input is a remote URL or a file id) takes at most 20,971,520 (about 15 MiB of image). "
        "Send a smaller image, pass it as a file_id (OpenAI's Files API), or give every image "
        "and the mask as bytes or a file path (no remote URL or file id) so that limner sends "
        "the multipart form, which takes images under 50 MB"
    )
    # and the advice holds: with no remote input the same bytes go as multipart
    t = provider.translate(_loaded(base, (big,)))
    assert t.request.json is None
    assert [(f.field, len(f.data)) for f in t.request.files] == [("image", _FITS + 1)]


def test_json_edit_refuses_a_mask_whose_data_url_is_too_long(
    provider: OpenAIProvider, make_call: Any
) -> None:
    base = make_call("gpt-image-1", "edit", images=["https://example.com/a.png"], prompt="x")
    with pytest.raises(limner.PayloadTooLargeError) as info:
        provider.translate(_loaded(base, base.images, _blob(_FITS + 1)))
    assert info.value.param == "mask"  # under 4 MB, as in the multipart form, long before that
    assert "gpt-image-1 takes a mask of less than 4 MiB (4,194,304 bytes)" in str(info.value)


def test_gif_and_svg_output_keep_their_rules(
    provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    """SVG is one image per request and GIF takes no mask [SDK ImageGenerateParams.svg,
    .frame_count]: refused before the call, naming the field; neither takes
    output_compression, which is dropped and said."""
    name = "gpt-image-2.6-sunburst"
    with pytest.raises(limner.InvalidRequestError) as many:
        provider.translate(make_call(name, n=2, prompt="logos", output_format="svg"))
    assert many.value.param == "n"
    assert many.value.message.startswith("output_format svg makes one image per request; got n=2")
    with pytest.raises(limner.InvalidRequestError) as masked:
        provider.translate(
            make_call(name, "edit", prompt="spin", images=[png], mask=mask_png, output_format="gif")
        )
    assert masked.value.param == "mask"
    gif = provider.translate(
        make_call(name, prompt="spin", output_format="gif", output_compression=40)
    )
    assert gif.request.json == {"model": name, "prompt": "spin", "n": 1, "output_format": "gif"}
    [(param, reason)] = [(a.param, a.reason) for a in gif.adjustments]
    assert param == "output_compression"
    assert reason == "output_compression applies to jpeg and webp output only; the output is gif"


async def test_gif_and_svg_rules_are_declared_in_the_capabilities_and_the_schema(
    png: bytes, mask_png: bytes
) -> None:
    """A tool that reads the capabilities sees the rules too: the request schema refuses what
    the plugin would, and core refuses it before translation, naming the field."""
    import jsonschema

    async with limner.AsyncClient(environ={}) as client:
        for name in ("openai/gpt-image-2.6-sunburst", "openai/gpt-image-2.6-flare"):
            schema = client.models.schema(name)
            validator = jsonschema.Draft202012Validator(schema)
            base = {"model": name, "prompt": "logos"}
            assert not validator.is_valid({**base, "output_format": "svg", "n": 2})
            assert validator.is_valid({**base, "output_format": "svg", "n": 1})
            assert validator.is_valid({**base, "output_format": "png", "n": 2})
            with pytest.raises(limner.InvalidRequestError) as many:
                await client.images.generate(
                    model=name, prompt="logos", output_format="svg", n=2, dry_run=True
                )
            assert many.value.param == "n"
            assert "one image per request" in many.value.message
            with pytest.raises(limner.InvalidRequestError) as masked:
                await client.images.edit(
                    model=name,
                    prompt="spin",
                    image=png,
                    mask=mask_png,
                    output_format="gif",
                    dry_run=True,
                )
            assert masked.value.param == "mask"


def test_a_dated_snapshot_takes_its_models_input_fidelity(model: Any) -> None:
    snapshot = model("gpt-image-1.5-2025-12-16").capabilities
    assert snapshot.input_fidelity == model("gpt-image-1.5").capabilities.input_fidelity
    assert snapshot.input_fidelity == ("high", "low")


def test_gif_and_svg_are_the_gpt_image_2_6_models_only(
    provider: OpenAIProvider, model: Any
) -> None:
    for name in ("gpt-image-2.6-sunburst", "gpt-image-2.6-flare"):
        assert model(name).capabilities.output_formats == ("png", "jpeg", "webp", "gif", "svg")
    for name in ("gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-1.5"):
        assert "svg" not in model(name).capabilities.output_formats
