"""Exact wire requests for each model family and backend, and every adjustment on the way."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

import limner
from limner import Adjustment
from limner_google import GoogleProvider

from ...masks import soft_mask
from .conftest import VERTEX, FakeCredentials, MakeCall, png, settings

GEMINI_BASE = "https://generativelanguage.googleapis.com/v1beta/models/"
VERTEX_BASE = (
    "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/proj/locations/us-central1/"
    "publishers/google/models/"
)


def params(translation: limner.Translation) -> dict[str, Any]:
    body: dict[str, Any] = translation.request.json
    return body


def test_gemini_generate_exact_request(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call("gemini-3-pro-image-preview", size="1792x1024", seed=42)
    translation = provider.translate(call)
    assert translation.request.method == "POST"
    assert translation.request.url == f"{GEMINI_BASE}gemini-3-pro-image-preview:generateContent"
    assert translation.request.json == {
        "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "16:9", "imageSize": "1K"},
            "seed": 42,
        },
    }
    assert translation.size == "1K"
    assert translation.adjustments == (
        Adjustment(
            param="size",
            requested="1792x1024",
            applied="aspectRatio 16:9, imageSize 1K",
            reason="Google takes an aspect ratio and a resolution class, not pixels",
        ),
    )


def test_gemini_no_size_sends_no_image_config(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(make_call("gemini-2.5-flash-image"))
    assert translation.request.json["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}
    assert translation.adjustments == ()
    assert translation.size is None


def test_gemini_edit_sends_images_inline(provider: GoogleProvider, make_call: MakeCall) -> None:
    one, two = png(8, 8), png(4, 4, mode="RGBA")
    call = make_call("gemini-3.1-flash-image", "edit", images=[one, two], prompt="add a hat")
    body = provider.translate(call).request.json
    assert body["contents"][0]["parts"] == [
        {"text": "add a hat"},
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(one).decode()}},
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(two).decode()}},
    ]


def test_gemini_vertex_url_and_output_options(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "gemini-2.5-flash-image", settings=VERTEX, output_format="jpeg", output_compression=85
    )
    translation = provider.translate(call)
    assert translation.request.url == (
        "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/proj/locations/"
        "us-central1/publishers/google/models/gemini-2.5-flash-image:generateContent"
    )
    assert translation.request.json["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"imageOutputOptions": {"mimeType": "image/jpeg", "compressionQuality": 85}},
    }
    assert translation.adjustments == ()


def test_gemini_api_drops_output_options_with_adjustments(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(
        make_call("gemini-2.5-flash-image", output_format="jpeg", output_compression=85)
    )
    assert "imageConfig" not in translation.request.json["generationConfig"]
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("output_format", "jpeg", None),
        ("output_compression", 85, None),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("quality", "hd"), ("negative_prompt", "blurry"), ("style", "vivid"), ("user", "u1")],
)
def test_gemini_unsupported_fields_are_reported(
    provider: GoogleProvider, make_call: MakeCall, field: str, value: str
) -> None:
    fields: dict[str, Any] = {field: value}
    translation = provider.translate(make_call("gemini-3-pro-image", **fields))
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        (field, value, None)
    ]
    assert value not in str(translation.request.json)


END_USER_AND_PARTIAL_IMAGES_DROPPED = (
    Adjustment(
        param="user",
        requested="u-1",
        applied=None,
        reason="Google's image APIs have no such setting",
    ),
    Adjustment(
        param="safety_identifier",
        requested="sid-1",
        applied=None,
        reason="Google's image APIs have no such setting",
    ),
    Adjustment(
        param="partial_images",
        requested=2,
        applied=None,
        reason="Google's image APIs have no such setting (partial images come in OpenAI's "
        "streamed responses, and limner does not stream images)",
    ),
)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        (
            "gemini-3-pro-image",
            {
                "contents": [{"role": "user", "parts": [{"text": "a red fox"}]}],
                "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
            },
        ),
        (
            "imagen-4.0-generate-001",
            {
                "instances": [{"prompt": "a red fox"}],
                "parameters": {"sampleCount": 1, "includeRaiReason": True},
            },
        ),
    ],
)
def test_safety_identifier_and_partial_images_are_reported_not_sent(
    provider: GoogleProvider, make_call: MakeCall, name: str, body: dict[str, Any]
) -> None:
    """OpenAI's ``user`` successor and its streaming-only ``partial_images`` are no fields of
    Google's requests: left out of the body (not forwarded as unknown fields), and said."""
    call = make_call(name, user="u-1", safety_identifier="sid-1", partial_images=2)
    translation = provider.translate(call)
    assert translation.request.json == body
    assert translation.adjustments == END_USER_AND_PARTIAL_IMAGES_DROPPED


def test_image_config_wins_over_size(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call(
        "gemini-3.1-flash-image",
        size="1024x1024",
        image_config={"aspect_ratio": "8:1", "image_size": "512"},
    )
    translation = provider.translate(call)
    assert translation.request.json["generationConfig"]["imageConfig"] == {
        "aspectRatio": "8:1",
        "imageSize": "512",
    }
    assert translation.adjustments[0].param == "size"
    assert translation.adjustments[0].applied is None


def test_image_config_aspect_plus_size_resolution(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-3-pro-image", size="4096x4096", image_config={"aspect_ratio": "21:9"})
    config = provider.translate(call).request.json["generationConfig"]["imageConfig"]
    assert config == {"aspectRatio": "21:9", "imageSize": "4K"}


@pytest.mark.parametrize(
    ("name", "image_size", "sent", "reason"),
    [
        ("gemini-3-pro-image", "512", "1K", "the nearest of the resolution classes"),
        ("gemini-3.1-flash-lite-image", "4K", "1K", "the nearest of the resolution classes"),
        ("gemini-2.5-flash-image", "1K", None, "has one resolution (1024-class)"),
    ],
)
def test_an_image_size_not_offered_becomes_the_nearest_offered(
    provider: GoogleProvider,
    make_call: MakeCall,
    name: str,
    image_size: str,
    sent: str | None,
    reason: str,
) -> None:
    """As OpenAI's and Stability's sizes are fitted: adjusted and reported, not refused."""
    translation = provider.translate(make_call(name, image_config={"image_size": image_size}))
    config = translation.request.json["generationConfig"].get("imageConfig", {})
    assert config.get("imageSize") == sent
    (adjustment,) = translation.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == (
        "image_config.image_size",
        image_size,
        sent,
    )
    assert reason in adjustment.reason


@pytest.mark.parametrize(
    ("name", "given", "sent"),
    [("gemini-3-pro-image", "1k", "1K"), ("gemini-3-pro-image", " 2K ", "2K")],
)
def test_an_image_size_spelled_otherwise_is_sent_as_the_class_and_said(
    provider: GoogleProvider, make_call: MakeCall, name: str, given: str, sent: str
) -> None:
    translation = provider.translate(make_call(name, image_config={"image_size": given}))
    assert translation.request.json["generationConfig"]["imageConfig"] == {"imageSize": sent}
    (adjustment,) = translation.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == (
        "image_config.image_size",
        given,
        sent,
    )


def test_an_image_size_not_offered_is_reported_as_the_request_spelled_it(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(
        make_call("gemini-2.5-flash-image", image_config={"image_size": "1k"})
    )
    (adjustment,) = translation.adjustments
    assert (adjustment.requested, adjustment.applied) == ("1k", None)


def test_an_image_size_that_is_no_class_is_refused(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call("gemini-3-pro-image", image_config={"image_size": "8K"}))
    assert caught.value.param == "image_config.image_size"
    assert "not a resolution class (512, 1K, 2K, 4K)" in caught.value.message


def test_an_aspect_not_offered_becomes_the_nearest_offered(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-3-pro-image", image_config={"aspect_ratio": "8:1"})
    translation = provider.translate(call)
    assert translation.request.json["generationConfig"]["imageConfig"] == {"aspectRatio": "21:9"}
    (adjustment,) = translation.adjustments
    assert (adjustment.param, adjustment.requested, adjustment.applied) == (
        "image_config.aspect_ratio",
        "8:1",
        "21:9",
    )


def test_lowercase_image_size_is_sent_uppercase(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-3-pro-image", image_config={"image_size": "2k"})
    assert provider.translate(call).request.json["generationConfig"]["imageConfig"] == {
        "imageSize": "2K"
    }


@pytest.mark.parametrize(
    ("size", "aspect"),
    [("1024x1536", "2:3"), ("1536x1024", "3:2"), ("1000x1000", "1:1"), ("3000x1000", "21:9")],
)
def test_size_to_nearest_aspect(
    provider: GoogleProvider, make_call: MakeCall, size: str, aspect: str
) -> None:
    config = provider.translate(make_call("gemini-2.5-flash-image", size=size)).request.json
    assert config["generationConfig"]["imageConfig"] == {"aspectRatio": aspect}


@pytest.mark.parametrize(
    ("size", "image_size"),
    [
        ("1536x1024", "1K"),  # 1.6 MP: nearer 1K's 1.1 MP (1264x848 at 3:2) than 2K's 4.3 MP
        ("1792x1024", "1K"),
        ("1024x1024", "1K"),
        ("1536x1536", "2K"),
        ("2560x1440", "2K"),
        ("600x400", "512"),
        ("4096x2304", "4K"),
    ],
)
def test_size_to_the_class_nearest_its_pixel_count(
    provider: GoogleProvider, make_call: MakeCall, size: str, image_size: str
) -> None:
    body = provider.translate(make_call("gemini-3.1-flash-image", size=size)).request.json
    assert body["generationConfig"]["imageConfig"]["imageSize"] == image_size


def test_gemini_options(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call(
        "gemini-3.1-flash-image",
        options={"thinking_level": "HIGH", "temperature": 0.5, "response_modalities": ["IMAGE"]},
    )
    assert provider.translate(call).request.json["generationConfig"] == {
        "responseModalities": ["IMAGE"],
        "thinkingConfig": {"thinkingLevel": "HIGH"},
        "temperature": 0.5,
    }


def test_forwarded_fields_reach_the_body(provider: GoogleProvider, make_call: MakeCall) -> None:
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    call = make_call("gemini-3-pro-image", safetySettings=safety)
    assert provider.translate(call).request.json["safetySettings"] == safety


@pytest.mark.parametrize("name", ["labels", "modelArmorConfig", "model_armor_config"])
def test_vertex_only_fields_are_refused_on_the_gemini_api(
    provider: GoogleProvider, make_call: MakeCall, name: str
) -> None:
    """As chat refuses them: Google's Gemini API answered them with a 400."""
    value: Any = {"team": "art"}
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call("gemini-3-pro-image", **{name: value}))
    assert caught.value.param == name
    assert "only Vertex AI takes it" in caught.value.message
    sent = provider.translate(make_call("gemini-3-pro-image", settings=VERTEX, **{name: value}))
    assert sent.request.json[name] == value


# ---- Imagen ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["storageUri", "storage_uri"])
def test_imagen_refuses_a_storage_uri_passed_through(
    provider: GoogleProvider, make_call: MakeCall, key: str
) -> None:
    """Vertex saved the images to the bucket and answered gs:// links, which limner took for
    an answer without images: made and billed, reported as none and priced unknown."""
    call = make_call("imagen-4.0-generate-001", settings=VERTEX, parameters={key: "gs://b/x/"})
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == f"parameters.{key}"
    assert "answer with gs:// links instead of the images" in caught.value.message
    seeded = make_call("imagen-4.0-generate-001", settings=VERTEX, parameters={"seed": 3})
    assert provider.translate(seeded).request.json["parameters"]["seed"] == 3  # others go
    unset = make_call("imagen-4.0-generate-001", settings=VERTEX, parameters={key: None})
    assert provider.translate(unset).request.json["parameters"][key] is None


@pytest.mark.parametrize("asked", [["TEXT", "IMAGE"], ["IMAGE"], ["TEXT"]])
def test_imagen_reports_response_modalities_as_not_sent(
    provider: GoogleProvider, make_call: MakeCall, asked: list[str]
) -> None:
    """Even Gemini's default: it was given, and Imagen takes no such setting."""
    call = make_call("imagen-4.0-generate-001", options={"response_modalities": asked})
    translation = provider.translate(call)
    assert "responseModalities" not in json.dumps(translation.request.json)
    assert [(a.param, a.requested, a.reason) for a in translation.adjustments] == [
        ("provider_options.google.response_modalities", asked, "a Gemini setting, not Imagen's")
    ]


def test_imagen_gemini_api_exact_request(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call("imagen-4.0-generate-001", n=4, size="2816x1536", request_n=5)
    translation = provider.translate(call)
    assert translation.request.url == f"{GEMINI_BASE}imagen-4.0-generate-001:predict"
    assert translation.request.json == {
        "instances": [{"prompt": "a red fox"}],
        "parameters": {
            "sampleCount": 4,
            "includeRaiReason": True,
            "aspectRatio": "16:9",
            "sampleImageSize": "2K",
        },
    }
    assert translation.size == "2816x1536"


def test_imagen_vertex_only_settings_dropped_on_gemini_api(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "imagen-4.0-fast-generate-001",
        seed=5,
        negative_prompt="blur",
        options={"enhance_prompt": True},
    )
    translation = provider.translate(call)
    assert translation.request.json["parameters"] == {"sampleCount": 1, "includeRaiReason": True}
    assert {a.param for a in translation.adjustments} == {
        "seed",
        "negative_prompt",
        "provider_options.google.enhance_prompt",
    }
    assert all(a.applied is None for a in translation.adjustments)


def test_imagen_vertex_exact_request(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call(
        "imagen-4.0-ultra-generate-001",
        settings=VERTEX,
        n=2,
        size="1024x1024",
        seed=9,
        negative_prompt="blur",
        output_format="jpeg",
        output_compression=70,
        options={"person_generation": "ALLOW_ALL", "safety_setting": "BLOCK_NONE"},
    )
    translation = provider.translate(call)
    assert translation.request.url == f"{VERTEX_BASE}imagen-4.0-ultra-generate-001:predict"
    assert translation.request.json["parameters"] == {
        "sampleCount": 2,
        "includeRaiReason": True,
        "aspectRatio": "1:1",
        "sampleImageSize": "1K",
        "seed": 9,
        "addWatermark": False,
        "outputOptions": {"mimeType": "image/jpeg", "compressionQuality": 70},
        "personGeneration": "ALLOW_ALL",
        "safetySetting": "BLOCK_NONE",
    }
    assert [a.param for a in translation.adjustments] == [
        "size",
        "negative_prompt",
        "provider_options.google.add_watermark",
    ]
    (dropped,) = [a for a in translation.adjustments if a.param == "negative_prompt"]
    assert dropped.reason == (
        "imagen-4.0-ultra-generate-001 takes no negative prompt (on Vertex AI only "
        "imagen-3.0-capability-001 among limner's Imagen models does); say what to leave out "
        "in the prompt"
    )


def test_imagen_seed_with_watermark_is_an_error(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "imagen-4.0-generate-001", settings=VERTEX, seed=1, options={"add_watermark": True}
    )
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == "seed"


@pytest.mark.parametrize(
    ("model", "settings"),
    [("gemini-2.5-flash-image", None), ("imagen-4.0-generate-001", VERTEX)],
)
def test_a_seed_outside_int32_is_refused_and_int32_is_sent_as_given(
    provider: GoogleProvider, make_call: MakeCall, model: str, settings: Any
) -> None:
    """generationConfig.seed and Imagen's seed are int32 in Google's discovery document."""
    extra = {"settings": settings} if settings else {}
    for seed in (2**31, -(2**31) - 1, 2**40):
        with pytest.raises(limner.InvalidRequestError) as caught:
            provider.translate(make_call(model, seed=seed, **extra))
        assert caught.value.param == "seed"
        assert "32-bit seed (-2147483648 to 2147483647)" in caught.value.message
    for seed in (-1, 2**31 - 1, -(2**31)):
        request = provider.translate(make_call(model, seed=seed, **extra)).request.json
        sent = request["parameters"] if "parameters" in request else request["generationConfig"]
        assert sent["seed"] == seed


def test_imagen_gemini_api_refuses_allow_all(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call("imagen-4.0-generate-001", options={"person_generation": "ALLOW_ALL"})
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == "provider_options.google.person_generation"


PERSON = "provider_options.google.person_generation"


def test_person_generation_is_spelled_as_each_family_takes_it(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """Gemini on Vertex takes ALLOW_NONE [DISC GoogleCloudAiplatformV1ImageConfig], Imagen
    DONT_ALLOW: the other family's spelling is renamed and reported."""
    gemini = provider.translate(
        make_call(
            "gemini-2.5-flash-image", settings=VERTEX, options={"person_generation": "DONT_ALLOW"}
        )
    )
    assert gemini.request.json["generationConfig"]["imageConfig"] == {
        "personGeneration": "ALLOW_NONE"
    }
    assert [(a.param, a.requested, a.applied) for a in gemini.adjustments] == [
        (PERSON, "DONT_ALLOW", "ALLOW_NONE")
    ]
    imagen = provider.translate(
        make_call("imagen-4.0-generate-001", options={"person_generation": "ALLOW_NONE"})
    )
    assert imagen.request.json["parameters"]["personGeneration"] == "DONT_ALLOW"
    assert [(a.param, a.requested, a.applied) for a in imagen.adjustments] == [
        (PERSON, "ALLOW_NONE", "DONT_ALLOW")
    ]
    kept = provider.translate(
        make_call(
            "gemini-3.1-flash-image",
            settings=settings(vertexai=True, project="proj", location="global"),
            options={"person_generation": "ALLOW_ADULT"},
        )
    )
    assert kept.request.json["generationConfig"]["imageConfig"] == {
        "personGeneration": "ALLOW_ADULT"
    }
    assert kept.adjustments == ()


@pytest.mark.parametrize(
    ("model", "option", "values"),
    [
        (
            "gemini-2.5-flash-image",
            "person_generation",
            "'DONT_ALLOW', 'ALLOW_ADULT', 'ALLOW_ALL' or 'ALLOW_NONE'",
        ),
        (
            "imagen-4.0-generate-001",
            "safety_setting",
            "'BLOCK_LOW_AND_ABOVE', 'BLOCK_MEDIUM_AND_ABOVE', 'BLOCK_ONLY_HIGH' or 'BLOCK_NONE'",
        ),
    ],
)
def test_an_unknown_enum_option_is_refused_listing_the_values(
    model: str, option: str, values: str
) -> None:
    """Not sent as given (an unknown safety_setting used to reach Imagen)."""
    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(
            model=f"google/{model}",
            prompt="x",
            provider_options={"google": {option: "bogus"}},
            dry_run=True,
        )
    param = f"provider_options.google.{option}"
    assert caught.value.param == param
    assert caught.value.message == f"{param}: Input should be {values}"


def test_imagen3_has_no_sample_image_size(provider: GoogleProvider, make_call: MakeCall) -> None:
    translation = provider.translate(make_call("imagen-3.0-generate-002", size="2048x2048"))
    assert translation.request.json["parameters"] == {
        "sampleCount": 1,
        "includeRaiReason": True,
        "aspectRatio": "1:1",
    }
    assert "fixed" in translation.adjustments[0].reason


def mask_pixels(b64: str) -> tuple[str, int, int, int, int]:
    with Image.open(io.BytesIO(base64.b64decode(b64))) as image:
        grey = image.convert("L")
        return (
            image.mode,
            grey.getpixel((0, 0)),  # type: ignore[return-value]
            grey.getpixel((7, 7)),
            grey.getpixel((8, 8)),
            grey.getpixel((15, 0)),
        )


def test_imagen_edit_drops_enhance_prompt(provider: GoogleProvider, make_call: MakeCall) -> None:
    """The SDK's EditImageConfig has no enhance_prompt (GenerateImagesConfig has): not sent on
    an edit, and said."""
    call = make_call(
        "imagen-3.0-capability-001",
        "edit",
        settings=VERTEX,
        images=[png(16, 16)],
        mask=png(16, 16, mode="RGBA", hole=True),
        options={"enhance_prompt": True},
    )
    translation = provider.translate(call)
    assert "enhancePrompt" not in translation.request.json["parameters"]
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("provider_options.google.enhance_prompt", True, None)
    ]


def test_imagen_edit_converts_the_mask(provider: GoogleProvider, make_call: MakeCall) -> None:
    image, mask = png(16, 16), png(16, 16, mode="RGBA", hole=True)
    call = make_call(
        "imagen-3.0-capability-001",
        "edit",
        settings=VERTEX,
        images=[image],
        mask=mask,
        edit_mode="erase",
        options={"mask_dilation": 0.01, "base_steps": 35},
    )
    body = provider.translate(call).request.json
    raw, masked = body["instances"][0]["referenceImages"]
    assert raw == {
        "referenceType": "REFERENCE_TYPE_RAW",
        "referenceId": 1,
        "referenceImage": {
            "bytesBase64Encoded": base64.b64encode(image).decode(),
            "mimeType": "image/png",
        },
    }
    assert masked["referenceType"] == "REFERENCE_TYPE_MASK"
    assert masked["referenceId"] == 2
    assert masked["maskImageConfig"] == {"maskMode": "MASK_MODE_USER_PROVIDED", "dilation": 0.01}
    # transparent (edit) top-left quarter -> white; opaque (keep) elsewhere -> black
    assert mask_pixels(masked["referenceImage"]["bytesBase64Encoded"]) == ("L", 255, 255, 0, 0)
    assert body["parameters"] == {
        "sampleCount": 1,
        "includeRaiReason": True,
        "editMode": "EDIT_MODE_INPAINT_REMOVAL",
        "editConfig": {"baseSteps": 35},
    }


def test_imagen_edit_needs_vertex(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call(
        "imagen-3.0-capability-001", "edit", images=[png()], mask=png(mode="RGBA", hole=True)
    )
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        provider.translate(call)
    assert caught.value.param == "model"
    assert caught.value.message.endswith(
        "is served only by Vertex AI: set GOOGLE_GENAI_USE_VERTEXAI=true"
    )
    assert caught.value.setting == limner.ProviderSetting("google", "vertexai", "True")
    assert str(caught.value).endswith(
        "(or pass providers={'google': {'vertexai': True}} to limner.Client or AsyncClient)"
    )


async def test_a_model_the_backend_does_not_serve_is_said_before_the_requests_checks() -> None:
    """On the Gemini API an edit without a mask was told to add one, and only then that the
    model is not served there at all."""
    async with limner.AsyncClient(environ={"GOOGLE_API_KEY": "AIza-test-0123456789"}) as client:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await client.images.edit(
                model="google/imagen-3.0-capability-001", prompt="x", image=png(), dry_run=True
            )
        served = client.models.served("google/imagen-3.0-capability-001")
    assert caught.value.param == "model"
    assert caught.value.message == (
        "google/imagen-3.0-capability-001 does not serve edit through google's gemini backend: "
        "served only by Vertex AI: set GOOGLE_GENAI_USE_VERTEXAI=true (or vertexai=True in the "
        "client's google settings)"
    )
    assert served.capabilities.operations == ()  # (the note is said, not applied)


async def test_the_backend_check_leaves_other_errors_in_their_order() -> None:
    """An operation the model never offers is said as that (not "set Vertex AI", where it is
    not offered either), and a request's own error comes before a setting that does not load."""
    async with limner.AsyncClient(environ={"GOOGLE_API_KEY": "AIza-test-0123456789"}) as client:
        with pytest.raises(limner.UnsupportedFeatureError) as never:
            await client.images.generate(
                model="google/imagen-3.0-capability-001", prompt="x", dry_run=True
            )
    assert never.value.code == "unsupported_feature"
    assert "does not support generate (it supports: edit)" in never.value.message
    broken = {"google": {"api_key": "AIza-test-0123456789", "vertexai": "perhaps"}}
    async with limner.AsyncClient(providers=broken, environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as first:
            await client.images.generate(
                model="google/gemini-3-pro-image", prompt="x", output_format="gif", dry_run=True
            )
    assert first.value.param == "output_format"


def test_imagen_makes_a_soft_edge_hard_and_says_so(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "imagen-3.0-capability-001",
        "edit",
        settings=VERTEX,
        images=[png(16, 16)],
        mask=soft_mask(16, 16),
    )
    translation = provider.translate(call)
    _, masked = translation.request.json["instances"][0]["referenceImages"]
    sent = base64.b64decode(masked["referenceImage"]["bytesBase64Encoded"])
    with Image.open(io.BytesIO(sent)) as mask:
        assert [mask.getpixel((x, 5)) for x in (3, 4, 7, 8, 9)] == [0, 255, 255, 0, 0]
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("mask", "4 partly transparent pixels", "kept")
    ]
    assert translation.adjustments[0].reason.startswith("Imagen takes a black-and-white mask: ")


def test_imagen_edit_needs_a_mask(provider: GoogleProvider, make_call: MakeCall) -> None:
    call = make_call("imagen-3.0-capability-001", "edit", settings=VERTEX, images=[png()])
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == "mask"


async def test_split_calls_each_get_their_own_seed() -> None:
    """The same seed in every split call would repeat the first call's images."""
    gemini = {"google": {"api_key": "k"}}
    vertex = {"google": {"vertexai": True, "project": "proj", "location": "us-central1"}}
    async with limner.AsyncClient(providers=gemini) as client:
        dry = await client.images.generate(
            model="google/gemini-2.5-flash-image", prompt="a fox", n=3, seed=5, dry_run=True
        )
        chat = await client.chat.completions.create(
            model="google/gemini-2.5-flash-image",
            messages=[{"role": "user", "content": "a fox"}],
            n=2,
            seed=5,
            dry_run=True,
        )
    async with limner.AsyncClient(providers=vertex) as client:
        imagen = await client.images.generate(
            model="google/imagen-4.0-generate-001", prompt="a fox", n=5, seed=9, dry_run=True
        )
    assert [r["json"]["generationConfig"]["seed"] for r in dry.requests] == [5, 6, 7]
    assert [a.applied for a in dry.adjustments if a.param == "seed"] == [6, 7]
    assert [r["json"]["generationConfig"]["seed"] for r in chat.requests] == [5, 6]
    assert [r["json"]["parameters"]["seed"] for r in imagen.requests] == [9, 10]
    assert [a.applied for a in imagen.adjustments if a.param == "seed"] == [10]


async def test_a_seed_passed_through_is_split_as_the_requests_own() -> None:
    """Google's own seed field, passed through, in either spelling: each split call its own,
    reported under the field's path; the request's seed given there too is split once."""
    gemini = {"google": {"api_key": "k"}}
    vertex = {"google": {"vertexai": True, "project": "proj", "location": "us-central1"}}
    flash = "google/gemini-2.5-flash-image"
    async with limner.AsyncClient(providers=gemini) as client:
        passed = await client.images.generate(
            model=flash,
            prompt="a fox",
            n=3,
            dry_run=True,
            extra_body={"generation_config": {"seed": 5}},
        )
        both = await client.images.generate(
            model=flash,
            prompt="a fox",
            n=2,
            seed=5,
            dry_run=True,
            extra_body={"generationConfig": {"seed": 5}},
        )
        chat = await client.chat.completions.create(
            model=flash,
            messages=[{"role": "user", "content": "a fox"}],
            n=2,
            dry_run=True,
            extra_body={"generationConfig": {"seed": 5, "topP": 0.5}},
        )
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model=flash,
                prompt="a fox",
                n=2,
                seed=4,
                dry_run=True,
                extra_body={"generationConfig": {"seed": 5}},
            )
    async with limner.AsyncClient(providers=vertex) as client:
        imagen = await client.images.generate(
            model="google/imagen-4.0-generate-001",
            prompt="a fox",
            n=5,
            dry_run=True,
            extra_body={"parameters": {"seed": 9}},
        )

    def seeds(plan: Any, section: str) -> list[Any]:
        return [r["json"][section]["seed"] for r in plan.requests]

    assert all("generation_config" not in r["json"] for r in passed.requests)  # one object
    assert seeds(passed, "generationConfig") == [5, 6, 7]
    assert [(a.param, a.requested, a.applied) for a in passed.adjustments] == [
        ("generationConfig.seed", 5, 6),
        ("generationConfig.seed", 5, 7),
    ]
    assert seeds(both, "generationConfig") == [5, 6]
    assert [(a.param, a.applied) for a in both.adjustments] == [("seed", 6)]
    assert [r["json"]["generationConfig"]["topP"] for r in chat.requests] == [0.5, 0.5]
    assert seeds(chat, "generationConfig") == [5, 6]
    assert [(a.param, a.applied) for a in chat.adjustments] == [("generationConfig.seed", 6)]
    assert caught.value.param == "generationConfig.seed"
    assert seeds(imagen, "parameters") == [9, 10]
    assert [(a.param, a.applied) for a in imagen.adjustments] == [("parameters.seed", 10)]


# ---- settings that do not apply: reported, never silently dropped ------------------------------


def test_imagen_generate_reports_edit_only_options_dropped(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "imagen-4.0-generate-001",
        settings=VERTEX,
        options={"mask_dilation": 0.02, "base_steps": 50},
    )
    translation = provider.translate(call)
    assert translation.request.json["parameters"] == {"sampleCount": 1, "includeRaiReason": True}
    why = "an Imagen edit setting; this call generates"
    assert translation.adjustments == (
        Adjustment(param="provider_options.google.mask_dilation", requested=0.02, reason=why),
        Adjustment(param="provider_options.google.base_steps", requested=50, reason=why),
    )


def test_gemini_reports_edit_only_options_dropped(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-3-pro-image", options={"mask_dilation": 0.02, "base_steps": 50})
    translation = provider.translate(call)
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("provider_options.google.mask_dilation", 0.02, None),
        ("provider_options.google.base_steps", 50, None),
    ]


def compression_dropped(given: str) -> str:
    return f"applies to JPEG output only; {given} (set output_format='jpeg' to compress)"


@pytest.mark.parametrize(
    ("name", "fmt", "given", "sent"),
    [
        ("imagen-4.0-generate-001", "png", "output_format is 'png'", {"mimeType": "image/png"}),
        ("imagen-4.0-generate-001", None, "no output_format is set", None),
        ("imagen-3.0-generate-002", "png", "output_format is 'png'", {"mimeType": "image/png"}),
    ],
)
def test_imagen_sends_compression_only_for_jpeg(
    provider: GoogleProvider,
    make_call: MakeCall,
    name: str,
    fmt: str | None,
    given: str,
    sent: dict[str, Any] | None,
) -> None:
    """compressionQuality is "for ``image/jpeg`` only" [SDK types.py GenerateImagesConfig]."""
    fields: dict[str, Any] = {"output_compression": 60}
    if fmt is not None:
        fields["output_format"] = fmt
    translation = provider.translate(make_call(name, settings=VERTEX, **fields))
    assert translation.request.json["parameters"].get("outputOptions") == sent
    assert translation.adjustments == (
        Adjustment(param="output_compression", requested=60, reason=compression_dropped(given)),
    )


def test_imagen_edit_sends_compression_only_for_jpeg(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "imagen-3.0-capability-001",
        "edit",
        settings=VERTEX,
        images=[png(16, 16)],
        mask=png(16, 16, mode="RGBA", hole=True),
        output_format="png",
        output_compression=40,
    )
    translation = provider.translate(call)
    assert translation.request.json["parameters"]["outputOptions"] == {"mimeType": "image/png"}
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("output_compression", 40, None)
    ]


@pytest.mark.parametrize(
    ("fmt", "given", "image_config"),
    [
        ("png", "output_format is 'png'", {"imageOutputOptions": {"mimeType": "image/png"}}),
        (None, "no output_format is set", None),
    ],
)
def test_gemini_vertex_sends_compression_only_for_jpeg(
    provider: GoogleProvider,
    make_call: MakeCall,
    fmt: str | None,
    given: str,
    image_config: dict[str, Any] | None,
) -> None:
    fields: dict[str, Any] = {"output_compression": 85}
    if fmt is not None:
        fields["output_format"] = fmt
    translation = provider.translate(make_call("gemini-3-pro-image", settings=VERTEX, **fields))
    assert translation.request.json["generationConfig"].get("imageConfig") == image_config
    assert [a for a in translation.adjustments if a.param == "output_compression"] == [
        Adjustment(param="output_compression", requested=85, reason=compression_dropped(given))
    ]


@pytest.mark.parametrize(("chars", "warned"), [(1920, False), (1921, True)])
def test_a_prompt_past_imagens_token_limit_is_sent_with_a_warning(
    provider: GoogleProvider, make_call: MakeCall, chars: int, warned: bool
) -> None:
    """480 tokens cannot be counted here: a longer prompt is sent, and the user told."""
    prompt = "x" * chars
    translation = provider.translate(make_call("imagen-4.0-generate-001", prompt=prompt))
    assert translation.request.json["instances"][0]["prompt"] == prompt
    codes = [w.code for w in translation.warnings]
    assert ("prompt_may_be_too_long" in codes) is warned


async def test_a_seed_passed_through_as_protobuf_json_spells_it_is_split_too() -> None:
    """Google's JSON reads an int field from a string (``"5"``) or a whole float; both
    spellings of generationConfig may carry the same seed."""
    flash = "google/gemini-2.5-flash-image"
    async with limner.AsyncClient(providers={"google": {"api_key": "k"}}) as client:
        for seed in ("5", 5.0):
            plan = await client.images.generate(
                model=flash,
                prompt="a fox",
                n=3,
                dry_run=True,
                extra_body={"generationConfig": {"seed": seed}},
            )
            assert [r["json"]["generationConfig"]["seed"] for r in plan.requests] == [seed, 6, 7]
        both = await client.images.generate(
            model=flash,
            prompt="a fox",
            n=2,
            dry_run=True,
            extra_body={"generationConfig": {"seed": 5}, "generation_config": {"seed": 5}},
        )
    assert [r["json"]["generationConfig"]["seed"] for r in both.requests] == [5, 6]


@pytest.mark.parametrize(
    ("mode", "refused"), [("erase", False), ("outpaint", False), ("inpaint", True)]
)
def test_an_imagen_erase_or_outpaint_goes_without_a_prompt(mode: str, refused: bool) -> None:
    """Vertex's edit reference: "If a prompt isn't specified, the model fills in content from
    the image context"; an inpaint is told what to put there."""
    client = limner.Client(
        providers={"google": {"vertexai": True, "project": "p", "credentials": FakeCredentials()}},
        environ={},
    )
    image, mask = png(16, 16), png(16, 16, mode="RGBA", hole=True)
    model = "google/imagen-3.0-capability-001"
    if refused:
        with pytest.raises(limner.InvalidRequestError) as caught:
            client.images.edit(model=model, image=image, mask=mask, edit_mode=mode, dry_run=True)
        assert caught.value.param == "prompt"
        return
    plan = client.images.edit(model=model, image=image, mask=mask, edit_mode=mode, dry_run=True)
    assert "prompt" not in plan.requests[0]["json"]["instances"][0]


def test_a_generation_config_field_at_the_top_level_is_said_to_be_misplaced(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """Forwarded as every unknown field is, but generateContent refuses it there (400), and
    chat maps top_k itself: the images path said nothing."""
    call = make_call("gemini-2.5-flash-image", top_k=5, candidateCount=2, my_own="x")
    translation = provider.translate(call)
    body = translation.request.json
    assert body is not None and (body["top_k"], body["candidateCount"]) == (5, 2)
    assert [(w.code, w.param) for w in translation.warnings] == [
        ("possible_typo", "top_k"),
        ("possible_typo", "candidateCount"),
    ]
    assert 'pass generationConfig={"topK": ...} instead' in translation.warnings[0].message
