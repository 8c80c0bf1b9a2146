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


def test_a_markup_needs_the_multipart_edit() -> None:
    """The JSON edit (used for remote images) names no markup: refused, saying what works."""
    with (
        limner.Client(environ={}) as client,
        pytest.raises(limner.UnsupportedFeatureError) as caught,
    ):
        client.images.edit(
            model=TAKES,
            prompt="x",
            image="https://images.example.com/a.png",
            markup=MARKUP,
            dry_run=True,
        )
    assert caught.value.param == "markup"
    assert "give the markup and every image as bytes or a file path" in caught.value.message
