"""A markup: a PNG drawn over the first image to guide an edit, which the gpt-image-2.5 models take
[openai 3.54.0, ImageEditParams.markup: "A transparent PNG overlaid on the first image to guide
the edit. Must match that image's dimensions ... and contain transparent pixels. Supports GPT
Image 2.5. Cannot be combined with mask"]. Core loads and checks it; the plugin sends it as a
multipart file after the images."""

from __future__ import annotations

import io
from typing import Any

import jsonschema
import pytest
from PIL import Image

import limner

TAKES = "openai/gpt-image-2.5-sunburst"


def picture(
    size: tuple[int, int] = (32, 32), *, mode: str = "RGBA", fmt: str = "PNG", clear: bool = True
) -> bytes:
    """An image whose left half is transparent (where it has alpha and ``clear``)."""
    image = Image.new(mode, size, (200, 30, 30, 255) if mode == "RGBA" else (200, 30, 30))
    if mode == "RGBA" and clear:
        for x in range(size[0] // 2):
            for y in range(size[1]):
                image.putpixel((x, y), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


PHOTO = picture(mode="RGB")
MARKUP = picture()


def dry_edit(model: str = TAKES, **fields: Any) -> Any:
    with limner.Client(environ={}) as client:
        return client.images.edit(
            model=model, prompt="follow the arrows", image=PHOTO, dry_run=True, **fields
        )


def test_a_markup_is_sent_as_a_file_after_the_images() -> None:
    plan = dry_edit(markup=MARKUP)
    (request,) = plan.requests
    assert [
        (f["field"], f["filename"], f["content_type"], f["size"]) for f in request["files"]
    ] == [
        ("image", "image.png", "image/png", len(PHOTO)),
        ("markup", "markup.png", "image/png", len(MARKUP)),
    ]
    assert plan.adjustments == []
    assert not [w for w in plan.warnings if w.param == "markup"]


def test_only_a_model_that_declares_it_takes_a_markup() -> None:
    with limner.Client(environ={}) as client:
        assert client.models.retrieve(TAKES).capabilities.markup is True
        assert client.models.retrieve("openai/gpt-image-2").capabilities.markup is False
        takes = jsonschema.Draft202012Validator(client.models.schema(TAKES, "edit"))
        lacks = jsonschema.Draft202012Validator(client.models.schema("openai/gpt-image-2", "edit"))
    body = {"model": TAKES, "prompt": "x", "images": ["a.png"], "markup": "m.png"}
    assert takes.is_valid(body)
    assert takes.is_valid({**body, "mask": None})
    assert not takes.is_valid({**body, "mask": "mask.png"})  # one or the other
    assert not lacks.is_valid({**body, "model": "openai/gpt-image-2"})
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        dry_edit("openai/gpt-image-2", markup=MARKUP)
    assert caught.value.param == "markup"
    assert caught.value.message == "openai/gpt-image-2 does not take a markup"


@pytest.mark.parametrize(
    ("markup", "code", "said"),
    [
        (picture(mode="RGB"), "invalid_markup", "markup must be a PNG with an alpha channel"),
        (picture(mode="RGB", fmt="JPEG"), "invalid_markup", "markup must be a PNG"),
        (picture((32, 16)), "markup_size_mismatch", "markup is 32x16 but the image is 32x32"),
        (picture(clear=False), "invalid_markup", "markup has no transparent pixel"),
    ],
    ids=["no-alpha", "jpeg", "other-size", "opaque"],
)
def test_a_markup_that_cannot_guide_the_edit_is_refused_before_the_call(
    markup: bytes, code: str, said: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        dry_edit(markup=markup)
    assert (caught.value.param, caught.value.code) == ("markup", code)
    assert caught.value.message.startswith(said)


def test_a_markup_and_a_mask_together_are_refused() -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        dry_edit(markup=MARKUP, mask=MARKUP)
    assert caught.value.param == "markup"
    assert caught.value.message.startswith("markup and mask cannot be combined")


def test_a_markup_needs_uploads_so_a_file_id_is_refused() -> None:
    """The JSON edit (used for file ids) names no markup: refused, saying what works."""
    with (
        limner.Client(environ={}) as client,
        pytest.raises(limner.UnsupportedFeatureError) as caught,
    ):
        client.images.edit(
            model=TAKES,
            prompt="x",
            image={"file_id": "file-abc123"},
            markup=MARKUP,
            dry_run=True,
        )
    assert caught.value.param == "markup"
    assert "every image as bytes, a path or a URL, not a file id" in caught.value.message


async def test_remote_inputs_of_a_request_with_a_markup_are_downloaded() -> None:
    """A model that fetches https image URLs itself takes them in the JSON edit, which has no
    markup: with a markup, core downloads the images and the markup, for the multipart edit."""
    from limner.inputs import load_images

    files = {
        "https://images.example.com/photo.png": PHOTO,
        "https://images.example.com/m.png": MARKUP,
    }
    fetched: list[str] = []

    async def fetch(url: str, param: str) -> bytes:
        fetched.append(param)
        return files[url]

    with limner.Client(environ={}) as client:
        model = client.models.retrieve(TAKES)
    assert model.capabilities.remote_image_urls  # it would fetch them itself
    photo, arrows = files
    request = limner.EditRequest(model=TAKES, prompt="x", images=[photo], markup=arrows)
    loaded = await load_images(request, model, fetch, max_bytes=2**20)
    assert fetched == ["images[0]", "markup"]
    assert loaded.images[0].data == PHOTO and loaded.markup is not None
    assert loaded.markup.data == MARKUP
    plain = await load_images(
        limner.EditRequest(model=TAKES, prompt="x", images=[photo]), model, fetch, max_bytes=2**20
    )
    assert plain.images[0].url == photo and fetched == ["images[0]", "markup"]  # kept a URL


def test_a_markup_is_checked_against_the_first_image_as_it_shows() -> None:
    """The markup "must match that image's dimensions after orientation" [SDK]: a photo stored
    40x20 with EXIF orientation 6 shows 20x40, so a 20x40 markup fits it and a 40x20 one does
    not."""
    photo = Image.new("RGB", (40, 20), (10, 20, 30))
    exif = photo.getexif()
    exif[0x0112] = 6
    out = io.BytesIO()
    photo.save(out, format="JPEG", exif=exif)
    turned = out.getvalue()
    with limner.Client(environ={}) as client:
        plan = client.images.edit(
            model=TAKES, prompt="x", image=turned, markup=picture((20, 40)), dry_run=True
        )
        assert [f["field"] for f in plan.requests[0]["files"]] == ["image", "markup"]
        with pytest.raises(limner.InvalidRequestError) as caught:
            client.images.edit(
                model=TAKES, prompt="x", image=turned, markup=picture((40, 20)), dry_run=True
            )
    assert caught.value.code == "markup_size_mismatch"
    assert caught.value.message.startswith("markup is 40x20 but the image is 20x40")


@pytest.mark.parametrize("bad", [{"quality": "ultra"}, {"background": "nope"}])
def test_a_bad_field_beside_a_markup_is_named(bad: dict[str, str]) -> None:
    """The schema check leaves the input images' bytes out of the JSON it checks: a markup's
    bytes made it fail with a UnicodeDecodeError (the gateway: a 500)."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        dry_edit(markup=MARKUP, **bad)
    assert caught.value.param == next(iter(bad))
