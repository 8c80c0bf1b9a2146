"""Vertex AI locations: the Gemini 3 image models are served at ``global`` (notes §(c) Endpoints:
"Gemini 3 image models are served at location=global", SKILL; pydantic-ai's real Vertex recordings
call ``locations/global``), and no regional endpoint is documented for them. A call configured for
another location goes to ``global`` and says so with an adjustment; gemini-2.5-flash-image (served
regionally too) and Imagen (no regions listed), express mode and the Gemini API are left as
configured."""

from __future__ import annotations

import base64
from typing import Any

import pytest

import limner
from limner import Adjustment
from limner_google import GoogleProvider

from .conftest import VERTEX, MakeCall, Server, gemini_answer, png, settings

GLOBAL = "https://aiplatform.googleapis.com/v1beta1/projects/proj/locations/global/"
ENV = {
    "GOOGLE_GENAI_USE_VERTEXAI": "true",
    "GOOGLE_CLOUD_PROJECT": "proj",
    "GOOGLE_CLOUD_LOCATION": "us-central1",
}
USER = {"role": "user", "content": "an axolotl"}


def moved(model_id: str, requested: str = "us-central1") -> Adjustment:
    return Adjustment(
        param="location",
        requested=requested,
        applied="global",
        reason=f"{model_id} is served on Vertex AI at location 'global'; no regional "
        "endpoint is documented for it",
    )


def test_generate_moves_to_global(provider: GoogleProvider, make_call: MakeCall) -> None:
    translation = provider.translate(make_call("gemini-3-pro-image", settings=VERTEX))
    assert translation.request.url == (
        f"{GLOBAL}publishers/google/models/gemini-3-pro-image:generateContent"
    )
    assert translation.adjustments == (moved("google/gemini-3-pro-image"),)
    assert translation.warnings == (
        limner.Notice(
            code="price_unverified",
            message="google/gemini-3-pro-image is priced as on the Gemini API: its Vertex AI "
            "list price was not checked, and the cost may differ from Vertex's bill",
        ),
    )


def test_edit_moves_to_global(provider: GoogleProvider, make_call: MakeCall) -> None:
    image = png(8, 8)
    call = make_call(
        "gemini-3.1-flash-image", "edit", settings=VERTEX, images=[image], prompt="add a hat"
    )
    translation = provider.translate(call)
    assert translation.request.url == (
        f"{GLOBAL}publishers/google/models/gemini-3.1-flash-image:generateContent"
    )
    assert translation.request.json == {
        "contents": [
            {
                "role": "user",
                "parts": [
                    {"text": "add a hat"},
                    {
                        "inlineData": {
                            "mimeType": "image/png",
                            "data": base64.b64encode(image).decode(),
                        }
                    },
                ],
            }
        ],
        "generationConfig": {"responseModalities": ["TEXT", "IMAGE"]},
    }
    assert translation.adjustments == (moved("google/gemini-3.1-flash-image"),)


def test_multi_region_moves_to_global(provider: GoogleProvider, make_call: MakeCall) -> None:
    eu = settings(vertexai=True, project="proj", location="eu")
    translation = provider.translate(make_call("gemini-3.1-flash-image", settings=eu))
    assert translation.request.url == (
        f"{GLOBAL}publishers/google/models/gemini-3.1-flash-image:generateContent"
    )
    assert translation.adjustments == (moved("google/gemini-3.1-flash-image", "eu"),)


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("eu", "https://aiplatform.eu.rep.googleapis.com"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com"),
        ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
    ],
)
def test_gemini_2_5_flash_image_stays_where_configured(
    provider: GoogleProvider, make_call: MakeCall, location: str, host: str
) -> None:
    """Served regionally (Google's data-residency page lists it in the EU and US multi-regions
    and in European regions): moving it to ``global`` would break data residency."""
    here = settings(vertexai=True, project="proj", location=location)
    translation = provider.translate(make_call("gemini-2.5-flash-image", settings=here))
    assert translation.request.url == (
        f"{host}/v1beta1/projects/proj/locations/{location}/publishers/google/models/"
        "gemini-2.5-flash-image:generateContent"
    )
    assert [a for a in translation.adjustments if a.param == "location"] == []


def test_base_url_override_is_kept(provider: GoogleProvider, make_call: MakeCall) -> None:
    proxied = settings(
        vertexai=True, project="proj", location="us-central1", vertex_base_url="http://proxy/"
    )
    translation = provider.translate(make_call("gemini-3-pro-image", settings=proxied))
    assert translation.request.url == (
        "http://proxy/v1beta1/projects/proj/locations/global/publishers/google/models/"
        "gemini-3-pro-image:generateContent"
    )
    assert translation.adjustments == (moved("google/gemini-3-pro-image"),)


@pytest.mark.parametrize(
    ("name", "values", "url"),
    [
        (
            "gemini-3-pro-image",
            {"vertexai": True, "project": "proj", "location": "global"},
            f"{GLOBAL}publishers/google/models/gemini-3-pro-image:generateContent",
        ),
        (
            "gemini-3-pro-image",
            {"vertexai": True, "project": "proj"},
            f"{GLOBAL}publishers/google/models/gemini-3-pro-image:generateContent",
        ),
        (
            "gemini-3-pro-image",
            {"vertexai": True, "api_key": "k"},
            "https://aiplatform.googleapis.com/v1beta1/publishers/google/models/"
            "gemini-3-pro-image:generateContent",
        ),
        (
            "imagen-4.0-generate-001",
            {"vertexai": True, "project": "proj", "location": "us-central1"},
            "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/proj/locations/"
            "us-central1/publishers/google/models/imagen-4.0-generate-001:predict",
        ),
    ],
)
def test_left_as_configured(
    provider: GoogleProvider, make_call: MakeCall, name: str, values: dict[str, Any], url: str
) -> None:
    translation = provider.translate(make_call(name, settings=settings(**values)))
    assert translation.request.url == url
    assert [a for a in translation.adjustments if a.param == "location"] == []


async def test_environment_location_on_images_generate_and_edit() -> None:
    """The issue's case: GOOGLE_GENAI_USE_VERTEXAI=true, GOOGLE_CLOUD_LOCATION=us-central1."""
    url = f"{GLOBAL}publishers/google/models/gemini-3-pro-image:generateContent"
    async with limner.AsyncClient(environ=ENV) as client:
        made = await client.images.generate(
            model="google/gemini-3-pro-image", prompt="a fox", n=2, dry_run=True
        )
        edited = await client.images.edit(
            model="google/gemini-3-pro-image", prompt="hat", image=png(8, 8), dry_run=True
        )
    assert [r["url"] for r in made.requests] == [url, url]
    assert made.adjustments == [moved("google/gemini-3-pro-image")]
    assert [r["url"] for r in edited.requests] == [url]
    assert edited.adjustments == [moved("google/gemini-3-pro-image")]


async def test_environment_location_on_chat() -> None:
    async with limner.AsyncClient(environ=ENV) as client:
        plan = await client.chat.completions.create(
            model="google/gemini-3-pro-image", messages=[USER], n=2, dry_run=True
        )
    url = f"{GLOBAL}publishers/google/models/gemini-3-pro-image:generateContent"
    assert [r["url"] for r in plan.requests] == [url, url]
    assert plan.adjustments == [moved("google/gemini-3-pro-image")]
    assert [w.code for w in plan.warnings] == ["price_unverified"]


async def test_chat_call_goes_to_global(server: Server, fake_credentials: Any) -> None:
    server.answer(200, gemini_answer(image=png()))
    async with server.client(
        vertexai=True, project="proj", location="us-central1", credentials=fake_credentials()
    ) as client:
        result = await client.chat.completions.create(
            model="google/gemini-3-pro-image", messages=[USER]
        )
    assert [seen.path for seen in server.seen] == [
        "/v1beta1/projects/proj/locations/global/publishers/google/models/"
        "gemini-3-pro-image:generateContent"
    ]
    assert result.adjustments == [moved("google/gemini-3-pro-image")]


@pytest.mark.parametrize(
    ("values", "param"),
    [
        ({"api_key": "k", "location": "us-central1"}, "providers.google.location"),
        ({"api_key": "k", "project": "p", "location": "eu"}, "providers.google.project"),
    ],
)
def test_vertex_settings_on_the_gemini_api_are_refused(values: dict[str, str], param: str) -> None:
    """As the SDK does ("Gemini API does not support project/location"): given in code, they
    show the user meant Vertex AI. From the environment (GOOGLE_CLOUD_PROJECT) they are not
    used on the Gemini API, and not refused."""
    from limner_google import GoogleProvider

    with pytest.raises(limner.InvalidRequestError) as caught:
        GoogleProvider().load_settings(values, {})
    assert caught.value.param == param
    assert "vertexai=True" in caught.value.message
    from_env = GoogleProvider().load_settings({"api_key": "k"}, {"GOOGLE_CLOUD_PROJECT": "p"})
    assert from_env.backend == "gemini"  # type: ignore[attr-defined]


@pytest.mark.parametrize("location", ["Moon", "us central1", "attacker.example/x?", ""])
async def test_a_location_that_is_no_location_is_refused_before_any_call(location: str) -> None:
    """The location makes the host name ({location}-aiplatform.googleapis.com): anything else
    sent the call, and its credential, to another host."""
    given = {"vertexai": True, "project": "p", "location": location}
    async with limner.AsyncClient(providers={"google": given}, environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model="google/gemini-3-pro-image", prompt="x", dry_run=True
            )
    assert caught.value.param == "providers.google.location"
    assert caught.value.message.endswith(
        "is no Vertex AI location: give one such as us-central1, europe-west4 or global"
    )
