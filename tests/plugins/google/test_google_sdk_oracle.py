"""The official ``google-genai`` SDK as the wire-format oracle: for the same call, the SDK and
limner must send the same path, the same JSON body and the same credential headers, values included.

The SDK talks to a loopback server (``http_options.base_url``). Where the SDK no longer supports a
call (Imagen on the Gemini API, disabled in google-genai on 2026-08-21), the SDK's refusal is
asserted and the request is checked against the notes in test_google_translate.py.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from google import genai
from google.genai import types
from google.oauth2.credentials import Credentials

from limner import Translation
from limner_google import GoogleProvider

from .conftest import MakeCall, Server, gemini_answer, png, settings

pytestmark = pytest.mark.filterwarnings(
    "ignore:The (generate_images|edit_image) method is deprecated"
)

IMAGEN_ANSWER = {"predictions": [{"bytesBase64Encoded": "aGk=", "mimeType": "image/png"}]}
GEMINI_SETTINGS = settings(api_key="sdk-key")
SDK_TOKEN = Credentials(token="sdk-token")  # type: ignore[no-untyped-call]
VERTEX_SETTINGS = settings(
    vertexai=True, project="proj", location="us-central1", credentials=SDK_TOKEN
)
# The Gemini image models are served at ``global`` (limner moves them there: test_google_location)
VERTEX_GLOBAL = settings(vertexai=True, project="proj", location="global", credentials=SDK_TOKEN)


def camel(value: Any) -> Any:
    """The SDK writes ``mime_type`` inside Vertex ``inlineData``; proto JSON accepts both
    spellings, limner sends the canonical lowerCamelCase."""
    if isinstance(value, dict):
        return {_camel(key): camel(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel(item) for item in value]
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.title() for word in rest)


async def sdk_call(
    server: Server, make: Callable[[str], genai.Client], run: Callable[[genai.Client], object]
) -> None:
    client = make(server.url)
    try:
        await asyncio.to_thread(run, client)
    finally:
        client.close()


def gemini_client(base: str) -> genai.Client:
    options = types.HttpOptions(base_url=base, api_version="v1beta")
    return genai.Client(api_key="sdk-key", http_options=options)


def vertex_client(base: str, location: str = "us-central1") -> genai.Client:
    return genai.Client(
        vertexai=True,
        project="proj",
        location=location,
        credentials=Credentials(token="sdk-token"),  # type: ignore[no-untyped-call]
        http_options=types.HttpOptions(base_url=base),
    )


def vertex_global_client(base: str) -> genai.Client:
    return vertex_client(base, "global")


def express_client(base: str) -> genai.Client:
    return genai.Client(
        vertexai=True, api_key="sdk-key", http_options=types.HttpOptions(base_url=base)
    )


def assert_same(
    server: Server, translation: Translation, provider: GoogleProvider, settings_: Any
) -> None:
    seen = server.seen[-1]
    assert seen.path == urlsplit(translation.request.url).path
    assert camel(seen.body) == translation.request.json
    sent = provider.authorize(translation.request, settings_)
    ours = {k: v for k, v in sent.headers.items() if k in provider.credential_headers}
    theirs = {k: v for k, v in seen.headers.items() if k in provider.credential_headers}
    assert ours == theirs and ours  # the same credential headers, with the same values


async def test_gemini_api_generate(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    server.answer(200, gemini_answer(image=png()))
    config = types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"],
        image_config=types.ImageConfig(aspect_ratio="16:9", image_size="2K"),
        seed=7,
    )
    await sdk_call(
        server,
        gemini_client,
        lambda c: c.models.generate_content(
            model="gemini-3-pro-image-preview", contents="a fox", config=config
        ),
    )
    call = make_call(
        "gemini-3-pro-image-preview",
        prompt="a fox",
        seed=7,
        image_config={"aspect_ratio": "16:9", "image_size": "2K"},
        settings=GEMINI_SETTINGS,
    )
    assert_same(server, provider.translate(call), provider, GEMINI_SETTINGS)


async def test_gemini_api_edit(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    server.answer(200, gemini_answer(image=png()))
    one, two = png(8, 8), png(4, 4)
    contents: Any = [
        "add a hat",
        types.Part.from_bytes(data=one, mime_type="image/png"),
        types.Part.from_bytes(data=two, mime_type="image/png"),
    ]
    config = types.GenerateContentConfig(response_modalities=["TEXT", "IMAGE"])
    await sdk_call(
        server,
        gemini_client,
        lambda c: c.models.generate_content(
            model="gemini-3.1-flash-image", contents=contents, config=config
        ),
    )
    call = make_call(
        "gemini-3.1-flash-image",
        "edit",
        images=[one, two],
        prompt="add a hat",
        settings=GEMINI_SETTINGS,
    )
    assert_same(server, provider.translate(call), provider, GEMINI_SETTINGS)


async def test_vertex_generate_with_output_options(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    server.answer(200, gemini_answer(image=png()))
    config = types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"],
        image_config=types.ImageConfig(
            aspect_ratio="4:3", output_mime_type="image/jpeg", output_compression_quality=85
        ),
    )
    await sdk_call(
        server,
        vertex_global_client,
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-image", contents="a fox", config=config
        ),
    )
    call = make_call(
        "gemini-2.5-flash-image",
        prompt="a fox",
        size="1184x864",
        output_format="jpeg",
        output_compression=85,
        settings=VERTEX_GLOBAL,
    )
    assert_same(server, provider.translate(call), provider, VERTEX_GLOBAL)


async def test_vertex_express_mode(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    server.answer(200, gemini_answer(image=png()))
    config = types.GenerateContentConfig(response_modalities=["TEXT", "IMAGE"])
    await sdk_call(
        server,
        express_client,
        lambda c: c.models.generate_content(
            model="gemini-3-pro-image", contents="a fox", config=config
        ),
    )
    express = settings(vertexai=True, api_key="sdk-key")
    call = make_call("gemini-3-pro-image", prompt="a fox", settings=express)
    assert_same(server, provider.translate(call), provider, express)


async def test_vertex_api_key_with_a_project(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    """Both given to the client, the key authorizes and the project makes the path; limner
    dropped the key (and went to Application Default Credentials) without a word."""
    server.answer(200, gemini_answer(image=png()))
    config = types.GenerateContentConfig(response_modalities=["TEXT", "IMAGE"])

    def keyed_client(base: str) -> genai.Client:
        options = types.HttpOptions(base_url=base)
        return genai.Client(
            vertexai=True,
            api_key="sdk-key",
            project="proj",
            location="us-central1",
            http_options=options,
        )

    await sdk_call(
        server,
        keyed_client,
        lambda c: c.models.generate_content(
            model="gemini-2.5-flash-image", contents="a fox", config=config
        ),
    )
    keyed = settings(vertexai=True, api_key="sdk-key", project="proj", location="us-central1")
    call = make_call("gemini-2.5-flash-image", prompt="a fox", settings=keyed)
    translation = provider.translate(call)
    assert translation.request.url.startswith(
        "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/proj/locations/us-central1/"
    )
    assert_same(server, translation, provider, keyed)
    assert set(server.seen[-1].headers) & provider.credential_headers == {"x-goog-api-key"}


async def test_vertex_project_from_adc(
    server: Server,
    provider: GoogleProvider,
    make_call: MakeCall,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No project configured: both read the one ADC names. The SDK skips that lookup when given
    a base URL, so its client is made for Google's host and then pointed at the loopback
    server (the path, not the host, is what is compared)."""
    import google.auth

    for name in (
        "GOOGLE_CLOUD_PROJECT",
        "GOOGLE_CLOUD_LOCATION",
        "GOOGLE_API_KEY",
        "GEMINI_API_KEY",
    ):
        monkeypatch.delenv(name, raising=False)  # the SDK reads them
    monkeypatch.setattr(
        google.auth,
        "default",
        lambda scopes: (Credentials(token="sdk-token"), "adc-project"),  # type: ignore[no-untyped-call]
    )
    server.answer(200, gemini_answer(image=png()))
    config = types.GenerateContentConfig(response_modalities=["TEXT", "IMAGE"])

    def adc_client(base: str) -> genai.Client:
        client = genai.Client(vertexai=True, location="global")
        client._api_client._http_options.base_url = base
        return client

    await sdk_call(
        server,
        adc_client,
        lambda c: c.models.generate_content(
            model="gemini-3-pro-image", contents="a fox", config=config
        ),
    )
    completed = provider.complete_settings(settings(vertexai=True, location="global"))
    call = make_call("gemini-3-pro-image", prompt="a fox", settings=completed)
    assert server.seen[-1].path.startswith("/v1beta1/projects/adc-project/locations/global/")
    assert_same(server, provider.translate(call), provider, completed)


async def test_vertex_imagen_generate(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    server.answer(200, IMAGEN_ANSWER)
    config = types.GenerateImagesConfig(
        number_of_images=3,
        aspect_ratio="9:16",
        image_size="2K",
        seed=5,
        add_watermark=False,
        include_rai_reason=True,
        output_mime_type="image/jpeg",
        output_compression_quality=70,
        person_generation=types.PersonGeneration.ALLOW_ADULT,
        enhance_prompt=True,
    )
    await sdk_call(
        server,
        vertex_client,
        lambda c: c.models.generate_images(
            model="imagen-4.0-generate-001", prompt="a fox", config=config
        ),
    )
    call = make_call(
        "imagen-4.0-generate-001",
        n=3,
        prompt="a fox",
        size="1536x2816",
        seed=5,
        output_format="jpeg",
        output_compression=70,
        options={
            "add_watermark": False,
            "person_generation": "ALLOW_ADULT",
            "enhance_prompt": True,
        },
        settings=VERTEX_SETTINGS,
    )
    assert_same(server, provider.translate(call), provider, VERTEX_SETTINGS)


async def test_vertex_imagen_edit(
    server: Server, provider: GoogleProvider, make_call: MakeCall
) -> None:
    server.answer(200, IMAGEN_ANSWER)
    image, mask = png(16, 16), png(16, 16, mode="RGBA", hole=True)
    call = make_call(
        "imagen-3.0-capability-001",
        "edit",
        n=2,
        images=[image],
        mask=mask,
        prompt="a flamingo",
        options={"mask_dilation": 0.01, "base_steps": 35},
        settings=VERTEX_SETTINGS,
    )
    translation = provider.translate(call)
    converted = translation.request.json["instances"][0]["referenceImages"][1]["referenceImage"]
    white_is_edit = base64.b64decode(converted["bytesBase64Encoded"])
    references: list[Any] = [
        types.RawReferenceImage(
            reference_id=1, reference_image=types.Image(image_bytes=image, mime_type="image/png")
        ),
        types.MaskReferenceImage(
            reference_id=2,
            reference_image=types.Image(image_bytes=white_is_edit, mime_type="image/png"),
            config=types.MaskReferenceConfig(
                mask_mode="MASK_MODE_USER_PROVIDED", mask_dilation=0.01
            ),
        ),
    ]
    config = types.EditImageConfig(
        edit_mode="EDIT_MODE_INPAINT_INSERTION",
        number_of_images=2,
        include_rai_reason=True,
        base_steps=35,
    )
    await sdk_call(
        server,
        vertex_client,
        lambda c: c.models.edit_image(
            model="imagen-3.0-capability-001",
            prompt="a flamingo",
            reference_images=references,
            config=config,
        ),
    )
    assert_same(server, translation, provider, VERTEX_SETTINGS)


async def test_sdk_no_longer_sends_imagen_to_the_gemini_api(server: Server) -> None:
    """Why there is no SDK oracle for Imagen on the Gemini API: the SDK refuses the call."""
    with pytest.raises(ValueError, match="only supported in"):
        await sdk_call(
            server,
            gemini_client,
            lambda c: c.models.generate_images(model="imagen-4.0-generate-001", prompt="a fox"),
        )
    assert server.seen == []
