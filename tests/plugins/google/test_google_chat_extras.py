"""Chat fields beyond OpenAI's schema (the request's extras): limner's image parameters are mapped
or dropped as on the images path, ``top_k`` becomes ``generationConfig.topK``, Google's own
``GenerateContentRequest`` fields pass, and anything else is refused by name before any call —
never sent as a raw top-level field Gemini would reject."""

from __future__ import annotations

from typing import Any

import pytest

import limner
from limner import Adjustment

from .conftest import Server

PRO = "google/gemini-3-pro-image"
USER = {"role": "user", "content": "an axolotl"}
CONTENTS = [{"role": "user", "parts": [{"text": "an axolotl"}]}]
PIXELS = "Google takes an aspect ratio and a resolution class, not pixels"
QUALITY = "Google has no quality field; pick a model tier or image_config.image_size instead"
NO_SUCH = "Google's generateContent has no such setting"
VERTEX = {
    "GOOGLE_GENAI_USE_VERTEXAI": "true",
    "GOOGLE_CLOUD_PROJECT": "proj",
    "GOOGLE_CLOUD_LOCATION": "global",
}


async def dry(model: str = PRO, environ: dict[str, str] | None = None, **fields: Any) -> Any:
    async with limner.AsyncClient(environ=environ or {}) as client:
        return await client.chat.completions.create(
            model=model, messages=[USER], dry_run=True, **fields
        )


async def test_size_quality_and_top_k_from_the_review() -> None:
    plan = await dry(size="1024x1024", quality="hd", top_k=3)
    assert plan.requests[0]["url"] == (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-image:generateContent"
    )
    assert plan.requests[0]["json"] == {
        "contents": CONTENTS,
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "topK": 3,
            "imageConfig": {"aspectRatio": "1:1", "imageSize": "1K"},
        },
    }
    assert plan.adjustments == [
        Adjustment(
            param="size",
            requested="1024x1024",
            applied="aspectRatio 1:1, imageSize 1K",
            reason=PIXELS,
        ),
        Adjustment(param="quality", requested="hd", applied=None, reason=QUALITY),
    ]
    assert plan.estimated_cost_usd is not None


async def test_size_maps_to_the_nearest_ratio_and_class() -> None:
    plan = await dry(model="google/gemini-3.1-flash-image", size="1536x1024")
    assert plan.requests[0]["json"]["generationConfig"] == {
        "responseModalities": ["TEXT", "IMAGE"],
        "imageConfig": {"aspectRatio": "3:2", "imageSize": "1K"},
    }
    assert plan.adjustments == [
        Adjustment(
            param="size",
            requested="1536x1024",
            applied="aspectRatio 3:2, imageSize 1K",
            reason=PIXELS,
        )
    ]


async def test_size_on_a_fixed_resolution_model_sets_the_ratio_only() -> None:
    plan = await dry(model="google/gemini-2.5-flash-image", size="1024x1792")
    assert plan.requests[0]["json"]["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}
    assert plan.adjustments == [
        Adjustment(
            param="size",
            requested="1024x1792",
            applied="aspectRatio 9:16",
            reason=f"{PIXELS}; this model's resolution is fixed (1024-class)",
        )
    ]


async def test_image_config_wins_over_size_field_by_field() -> None:
    plan = await dry(size="1024x1024", image_config={"aspect_ratio": "16:9"})
    assert plan.requests[0]["json"]["generationConfig"]["imageConfig"] == {
        "aspectRatio": "16:9",
        "imageSize": "1K",
    }
    assert plan.adjustments == [
        Adjustment(param="size", requested="1024x1024", applied="imageSize 1K", reason=PIXELS)
    ]
    both = await dry(size="1024x1024", image_config={"aspect_ratio": "16:9", "image_size": "4K"})
    assert both.requests[0]["json"]["generationConfig"]["imageConfig"] == {
        "aspectRatio": "16:9",
        "imageSize": "4K",
    }
    assert both.adjustments == [
        Adjustment(
            param="size",
            requested="1024x1024",
            applied=None,
            reason="image_config sets aspect_ratio and image_size",
        )
    ]


async def test_a_size_image_config_overrides_on_a_fixed_resolution_model_says_why() -> None:
    """gemini-2.5-flash-image takes no image_size: the reason named one nobody gave."""
    plan = await dry(
        "google/gemini-2.5-flash-image", size="1024x1024", image_config={"aspect_ratio": "16:9"}
    )
    assert plan.requests[0]["json"]["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}
    assert plan.adjustments == [
        Adjustment(
            param="size",
            requested="1024x1024",
            applied=None,
            reason="image_config sets aspect_ratio, and this model's resolution is fixed "
            "(1024-class)",
        )
    ]


async def test_size_auto_is_google_s_default() -> None:
    plan = await dry(size="auto")
    assert plan.requests[0]["json"]["generationConfig"] == {"responseModalities": ["TEXT", "IMAGE"]}
    assert plan.adjustments == [
        Adjustment(
            param="size",
            requested="auto",
            applied=None,
            reason="Google picks its default size for 'auto'",
        )
    ]


async def test_other_image_parameters_are_dropped_with_adjustments() -> None:
    plan = await dry(
        style="vivid",
        background="transparent",
        moderation="low",
        input_fidelity="high",
        negative_prompt="blur",
        output_format="jpeg",
        output_compression=80,
    )
    assert plan.requests[0]["json"] == {
        "contents": CONTENTS,
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
    }
    why_format = "the Gemini API chooses the output format; only Vertex AI takes imageOutputOptions"
    assert plan.adjustments == [
        Adjustment(param="style", requested="vivid", reason=NO_SUCH),
        Adjustment(param="background", requested="transparent", reason=NO_SUCH),
        Adjustment(param="moderation", requested="low", reason=NO_SUCH),
        Adjustment(param="input_fidelity", requested="high", reason=NO_SUCH),
        Adjustment(
            param="negative_prompt", requested="blur", reason="Gemini has no negative prompt"
        ),
        Adjustment(param="output_format", requested="jpeg", reason=why_format),
        Adjustment(param="output_compression", requested=80, reason=why_format),
    ]


async def test_vertex_takes_output_options_and_its_own_top_level_fields() -> None:
    plan = await dry(
        environ=VERTEX,
        output_format="jpeg",
        output_compression=80,
        labels={"team": "art"},
        safety_settings=[{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
    )
    assert plan.requests[0]["url"] == (
        "https://aiplatform.googleapis.com/v1beta1/projects/proj/locations/global/"
        "publishers/google/models/gemini-3-pro-image:generateContent"
    )
    assert plan.requests[0]["json"] == {
        "contents": CONTENTS,
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {
                "imageOutputOptions": {"mimeType": "image/jpeg", "compressionQuality": 80}
            },
        },
        "labels": {"team": "art"},
        "safetySettings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}],
    }
    assert plan.adjustments == []


async def test_vertex_sends_compression_only_for_jpeg() -> None:
    """compressionQuality is "for ``image/jpeg`` only" [SDK types.py ImageConfig]."""
    plan = await dry(environ=VERTEX, output_format="png", output_compression=80)
    assert plan.requests[0]["json"]["generationConfig"]["imageConfig"] == {
        "imageOutputOptions": {"mimeType": "image/png"}
    }
    assert plan.adjustments == [
        Adjustment(
            param="output_compression",
            requested=80,
            reason="applies to JPEG output only; output_format is 'png' (set "
            "output_format='jpeg' to compress)",
        )
    ]


async def test_edit_only_options_are_dropped_with_adjustments() -> None:
    plan = await dry(provider_options={"google": {"mask_dilation": 0.1, "base_steps": 40}})
    assert plan.adjustments == [
        Adjustment(
            param="provider_options.google.mask_dilation", requested=0.1, reason="an Imagen setting"
        ),
        Adjustment(
            param="provider_options.google.base_steps", requested=40, reason="an Imagen setting"
        ),
    ]


async def test_generate_content_fields_pass_and_merge() -> None:
    plan = await dry(
        top_k=40,
        extra_body={
            "generationConfig": {"mediaResolution": "MEDIA_RESOLUTION_LOW"},
            "toolConfig": {"functionCallingConfig": {"mode": "NONE"}},
        },
    )
    assert plan.requests[0]["json"] == {
        "contents": CONTENTS,
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "topK": 40,
            "mediaResolution": "MEDIA_RESOLUTION_LOW",
        },
        "toolConfig": {"functionCallingConfig": {"mode": "NONE"}},
    }


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"size": "big"}, "size"),
        ({"size": 1024}, "size"),
        ({"top_k": 0}, "top_k"),
        ({"top_k": "3"}, "top_k"),
        ({"top_k": True}, "top_k"),
        ({"output_format": "webp"}, "output_format"),
        ({"output_compression": 101}, "output_compression"),
        ({"candidate_count": 2}, "candidate_count"),
        ({"top_a": 0.1}, "top_a"),
        ({"extra_body": {"thinking": {"budget": 1}}}, "thinking"),
        ({"labels": {"team": "art"}}, "labels"),  # Vertex only
    ],
)
async def test_unknown_or_invalid_extras_are_refused_before_any_call(
    server: Server, fields: dict[str, Any], param: str
) -> None:
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER], **fields)
    assert caught.value.param == param
    assert server.seen == []
