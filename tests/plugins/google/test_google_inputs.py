"""Input images: how many gemini-2.5-flash-image takes (3 recommended, more sent with a notice),
and formats Google does not take (GIF for Gemini; anything but PNG or JPEG for Imagen edits),
re-encoded losslessly as PNG and reported."""

from __future__ import annotations

import base64
import io
from typing import Any

import pillow_heif
import pytest
from PIL import Image

import limner
from limner import Adjustment
from limner_google import GoogleProvider
from limner_google.common import ABOVE_RECOMMENDED_INPUTS

from .conftest import VERTEX, MakeCall, png

FLASH = "google/gemini-2.5-flash-image"
GEMINI_KEY = {"google": {"api_key": "k"}}
VERTEX_ENV = {
    "GOOGLE_GENAI_USE_VERTEXAI": "true",
    "GOOGLE_CLOUD_PROJECT": "proj",
    "GOOGLE_CLOUD_LOCATION": "global",
}
GEMINI_TAKES = (
    "Gemini takes PNG, JPEG, WebP, HEIC or HEIF input images; re-encoded losslessly as PNG "
    "(the same pixels)"
)


def still(kind: str, width: int = 8, height: int = 8) -> bytes:
    """A one-frame image in ``kind`` (GIF, WEBP, ...)."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.putpixel((0, 0), (10, 200, 30))
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (8, 8), color) for color in ((255, 0, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def decoded(b64: str) -> tuple[str | None, bytes]:
    """The format and the RGB pixels of base64 image bytes."""
    with Image.open(io.BytesIO(base64.b64decode(b64))) as image:
        return image.format, image.convert("RGB").tobytes()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def inline_parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        part["inlineData"]
        for content in body["contents"]
        for part in content["parts"]
        if "inlineData" in part
    ]


# ---- how many input images gemini-2.5-flash-image takes -------------------------------------


async def test_flash_image_takes_four_images_with_a_notice() -> None:
    """Google says the model "works best with up to 3 images as input": a recommendation, so a
    fourth image is sent with a notice instead of being refused."""
    images = [png(8, 8), png(8, 8), png(8, 8), png(8, 8)]
    async with limner.AsyncClient(providers=GEMINI_KEY, environ={}) as client:
        plan = await client.images.edit(model=FLASH, prompt="merge", image=images, dry_run=True)
    assert len(inline_parts(plan.requests[0]["json"])) == 4
    notices = [w for w in plan.warnings if w.code == ABOVE_RECOMMENDED_INPUTS]
    assert len(notices) == 1
    assert notices[0].param == "images"
    assert "works best with up to 3" in notices[0].message
    assert "Vertex" not in notices[0].message


async def test_flash_image_three_images_get_no_notice() -> None:
    async with limner.AsyncClient(providers=GEMINI_KEY, environ={}) as client:
        plan = await client.images.edit(
            model=FLASH, prompt="merge", image=[png(), png(), png()], dry_run=True
        )
    assert len(inline_parts(plan.requests[0]["json"])) == 3
    assert [w for w in plan.warnings if w.code == ABOVE_RECOMMENDED_INPUTS] == []


def test_flash_image_on_vertex_refuses_more_than_its_model_card_allows(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-2.5-flash-image", "edit", images=[png()] * 4, settings=VERTEX)
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        provider.translate(call)
    assert caught.value.param == "images"
    assert "Maximum images per prompt: 3" in caught.value.message
    three = make_call("gemini-2.5-flash-image", "edit", images=[png()] * 3, settings=VERTEX)
    assert [w.code for w in provider.translate(three).warnings] == ["price_unverified"]


def test_other_gemini_models_get_no_input_count_notice(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-3.1-flash-image", "edit", images=[png()] * 6)
    assert provider.translate(call).warnings == ()


async def test_flash_image_more_than_the_family_ceiling_is_refused() -> None:
    async with limner.AsyncClient(providers=GEMINI_KEY, environ={}) as client:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await client.images.edit(model=FLASH, prompt="merge", image=[png()] * 15, dry_run=True)
    assert caught.value.param == "images"


async def test_chat_counts_the_conversations_images_for_the_notice() -> None:
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    content: list[dict[str, Any]] = [{"type": "text", "text": "merge these"}]
    content += [{"type": "image_url", "image_url": {"url": url}}] * 4
    async with limner.AsyncClient(providers=GEMINI_KEY, environ={}) as client:
        plan = await client.chat.completions.create(
            model=FLASH, messages=[{"role": "user", "content": content}], dry_run=True
        )
    assert len(inline_parts(plan.requests[0]["json"])) == 4
    notices = [w for w in plan.warnings if w.code == ABOVE_RECOMMENDED_INPUTS]
    assert [n.param for n in notices] == ["messages"]


@pytest.mark.parametrize("vertex", [False, True])
async def test_chat_counts_only_the_users_images(vertex: bool) -> None:
    """A multi-turn edit replays the model's own earlier images: they are not the user's input
    images, so one user image and three rounds of 'make it bluer' is neither refused on Vertex
    nor above the recommended number."""
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    image = {"type": "image_url", "image_url": {"url": url}}
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": "a cat"}, image]}
    ]
    for _ in range(3):
        messages.append({"role": "assistant", "content": "here", "images": [image]})
        messages.append({"role": "user", "content": "make it bluer"})
    settings = {"environ": VERTEX_ENV} if vertex else {"providers": GEMINI_KEY, "environ": {}}
    async with limner.AsyncClient(**settings) as client:
        plan = await client.chat.completions.create(model=FLASH, messages=messages, dry_run=True)
    assert len(inline_parts(plan.requests[0]["json"])) == 4
    assert ABOVE_RECOMMENDED_INPUTS not in [w.code for w in plan.warnings]


# ---- input formats ---------------------------------------------------------------------------


def test_gemini_edit_reencodes_gif_as_png(provider: GoogleProvider, make_call: MakeCall) -> None:
    gif, first = still("GIF"), png(8, 8)
    call = make_call("gemini-3.1-flash-image", "edit", images=[first, gif], prompt="add a hat")
    translation = provider.translate(call)
    one, two = inline_parts(translation.request.json)
    assert one == {"mimeType": "image/png", "data": base64.b64encode(first).decode()}
    assert two["mimeType"] == "image/png"
    assert decoded(two["data"]) == ("PNG", pixels(gif))
    assert translation.adjustments == (
        Adjustment(
            param="images[1]", requested="image/gif", applied="image/png", reason=GEMINI_TAKES
        ),
    )


def test_gemini_keeps_webp_as_given(provider: GoogleProvider, make_call: MakeCall) -> None:
    webp = still("WEBP")
    call = make_call("gemini-3-pro-image", "edit", images=[webp])
    translation = provider.translate(call)
    assert inline_parts(translation.request.json) == [
        {"mimeType": "image/webp", "data": base64.b64encode(webp).decode()}
    ]
    assert translation.adjustments == ()


def heic(width: int = 8, height: int = 8) -> bytes:
    """A HEIC photo, as a phone saves one."""
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="HEIF")
    return out.getvalue()


def test_gemini_keeps_heic_as_given(provider: GoogleProvider, make_call: MakeCall) -> None:
    photo = heic()
    call = make_call("gemini-2.5-flash-image", "edit", images=[photo])
    translation = provider.translate(call)
    assert inline_parts(translation.request.json) == [
        {"mimeType": "image/heic", "data": base64.b64encode(photo).decode()}
    ]
    assert translation.adjustments == ()


@pytest.mark.parametrize("model", ["gemini-3-pro-image", "gemini-3.1-flash-image"])
def test_gemini_3_keeps_heic_on_vertex_too(
    provider: GoogleProvider, make_call: MakeCall, model: str
) -> None:
    photo = heic()
    translation = provider.translate(make_call(model, "edit", settings=VERTEX, images=[photo]))
    assert inline_parts(translation.request.json)[0]["mimeType"] == "image/heic"


def test_gemini_2_5_flash_image_on_vertex_gets_heic_as_png(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """Vertex's image-understanding table lists png, jpeg and webp for this model alone."""
    call = make_call("gemini-2.5-flash-image", "edit", settings=VERTEX, images=[heic()])
    translation = provider.translate(call)
    (part,) = inline_parts(translation.request.json)
    assert part["mimeType"] == "image/png"
    (adjusted,) = translation.adjustments
    assert adjusted.param == "images[0]"
    assert adjusted.reason.startswith(
        "google/gemini-2.5-flash-image on Vertex AI takes PNG, JPEG or WebP input images; "
        "re-encoded"
    )


async def test_chat_sends_a_heic_data_url_as_given() -> None:
    photo = heic()
    url = "data:image/heic;base64," + base64.b64encode(photo).decode()
    message = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}
    async with limner.AsyncClient(providers=GEMINI_KEY) as client:
        plan = await client.chat.completions.create(model=FLASH, messages=[message], dry_run=True)
    assert inline_parts(plan.requests[0]["json"]) == [
        {"mimeType": "image/heic", "data": base64.b64encode(photo).decode()}
    ]
    assert plan.adjustments == []


async def test_chat_on_vertex_sends_heic_to_gemini_2_5_flash_image_as_png() -> None:
    url = "data:image/heic;base64," + base64.b64encode(heic()).decode()
    message = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}
    async with limner.AsyncClient(environ=VERTEX_ENV) as client:
        plan = await client.chat.completions.create(model=FLASH, messages=[message], dry_run=True)
    assert [p["mimeType"] for p in inline_parts(plan.requests[0]["json"])] == ["image/png"]
    assert [a.param for a in plan.adjustments] == ["messages[0].content[0].image_url.url"]


def test_animated_gif_is_refused_naming_the_image(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:  # refused as it is read
        provider.translate(make_call("gemini-3-pro-image", "edit", images=[png(), animated_gif()]))
    assert caught.value.param == "images[1]"


def _imagen_edit_of(provider: GoogleProvider, make_call: MakeCall, image: bytes) -> Any:
    """The translation of an Imagen capability edit of ``image``, and its reference image."""
    call = make_call(
        "imagen-3.0-capability-001",
        "edit",
        settings=VERTEX,
        images=[image],
        mask=png(16, 16, mode="RGBA", hole=True),
    )
    translation = provider.translate(call)
    raw = translation.request.json["instances"][0]["referenceImages"][0]["referenceImage"]
    return translation, raw


@pytest.mark.parametrize(
    ("kind", "mime"), [("GIF", "image/gif"), ("WEBP", "image/webp"), ("HEIF", "image/heic")]
)
def test_imagen_edit_reencodes_what_it_does_not_take_as_png(
    provider: GoogleProvider, make_call: MakeCall, kind: str, mime: str
) -> None:
    """Imagen takes "image/jpeg" and "image/png" only (Vertex REST reference)."""
    image = heic(16, 16) if kind == "HEIF" else still(kind, 16, 16)
    translation, raw = _imagen_edit_of(provider, make_call, image)
    assert raw["mimeType"] == "image/png"
    assert decoded(raw["bytesBase64Encoded"]) == ("PNG", pixels(image))
    assert translation.adjustments == (
        Adjustment(
            param="images[0]",
            requested=mime,
            applied="image/png",
            reason="Imagen takes PNG or JPEG images; re-encoded losslessly as PNG (the same "
            "pixels)",
        ),
    )


@pytest.mark.parametrize(("kind", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_imagen_edit_sends_what_it_takes_as_it_is(
    provider: GoogleProvider, make_call: MakeCall, kind: str, mime: str
) -> None:
    image = still(kind, 16, 16)
    translation, raw = _imagen_edit_of(provider, make_call, image)
    assert raw["mimeType"] == mime
    assert base64.b64decode(raw["bytesBase64Encoded"]) == image
    assert [a for a in translation.adjustments if a.param == "images[0]"] == []


async def test_chat_reencodes_a_gif_and_names_its_message_part() -> None:
    gif = still("GIF")
    url = "data:image/gif;base64," + base64.b64encode(gif).decode()
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "make it snow"},
            {"type": "image_url", "image_url": {"url": url}},
        ],
    }
    async with limner.AsyncClient(environ=VERTEX_ENV) as client:
        plan = await client.chat.completions.create(
            model="google/gemini-3-pro-image", messages=[message], dry_run=True
        )
    (part,) = inline_parts(plan.requests[0]["json"])
    assert part["mimeType"] == "image/png"
    assert decoded(part["data"]) == ("PNG", pixels(gif))
    param = "messages[0].content[1].image_url.url"
    assert [a for a in plan.adjustments if a.param == param] == [
        Adjustment(
            param=param,
            requested="image/gif",
            applied="image/png",
            reason="Gemini takes PNG, JPEG, WebP, HEIC or HEIF input images; re-encoded losslessly "
            "as PNG (the same pixels)",
        )
    ]


async def test_chat_on_vertex_refuses_one_message_over_the_maximum_as_an_edit() -> None:
    """Vertex AI's model card makes 3 a maximum per prompt: one message with 4 images is refused
    as images.edit refuses them; 4 across two messages are sent with a notice."""
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    image = {"type": "image_url", "image_url": {"url": url}}
    async with limner.AsyncClient(environ=VERTEX_ENV) as client:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await client.chat.completions.create(
                model=FLASH, messages=[{"role": "user", "content": [image] * 4}], dry_run=True
            )
        spread = [
            {"role": "user", "content": [image] * 2},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [image] * 2},
        ]
        plan = await client.chat.completions.create(model=FLASH, messages=spread, dry_run=True)
    assert caught.value.param == "messages[0]"
    assert "Maximum images per prompt: 3" in caught.value.message
    notices = [w for w in plan.warnings if w.code == ABOVE_RECOMMENDED_INPUTS]
    assert [n.param for n in notices] == ["messages"]
