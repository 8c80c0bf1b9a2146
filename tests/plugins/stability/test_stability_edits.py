"""Exact wire requests of every edit mode, the mask conversion pixel by pixel, input checks and
the 10 MiB body limit."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from PIL import Image

import limner
from limner_stability import StabilityProvider
from limner_stability.body import MAX_BODY_BYTES, multipart_size

from ...masks import soft_mask
from .conftest import MakeCall, png
from .test_stability_translate import BASE, adjusted, wire

IMAGE = png(64, 64)
HOLED = png(64, 64, mode="RGBA", hole=True)


# ---- edits -----------------------------------------------------------------------------------


def edit(make_call: MakeCall, name: str = "sd3.5-large", **fields: Any) -> Any:
    fields.setdefault("images", [IMAGE])
    return make_call(name, "edit", **fields)


def test_mask_means_inpaint_with_a_black_and_white_mask(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(
        edit(make_call, mask=HOLED, negative_prompt="fog", seed=3, options={"grow_mask": 10})
    )
    assert wire(translation) == {
        "url": f"{BASE}/edit/inpaint",
        "headers": {"accept": "application/json"},
        "form": [
            ("prompt", "a lighthouse at dusk"),
            ("negative_prompt", "fog"),
            ("seed", "3"),
            ("grow_mask", "10"),
        ],
        "files": [("image", "image.png", "image/png"), ("mask", "mask.png", "image/png")],
    }
    assert translation.request.files[0].data == IMAGE
    with Image.open(io.BytesIO(translation.request.files[1].data)) as mask:
        assert mask.mode == "L"
        assert mask.size == (64, 64)
        pixels = mask.load()
        assert pixels is not None
        for x in range(64):
            for y in range(64):
                edited = x < 32 and y < 32  # the transparent quarter
                assert pixels[x, y] == (255 if edited else 0), (x, y)
    assert translation.warnings == ()
    assert translation.edit_mode == "inpaint"  # the default with a mask, priced by core


def test_a_soft_edge_reaches_stability_as_greys(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """Stability reads a mask as per-pixel strength [SPEC-2024 ``mask``]: a partly transparent
    pixel is a grey as see-through as it was (255 - alpha), not made hard."""
    translation = provider.translate(edit(make_call, mask=soft_mask(64, 64)))
    with Image.open(io.BytesIO(translation.request.files[1].data)) as mask:
        assert mask.mode == "L"
        assert [mask.getpixel((x, 20)) for x in (15, 16, 31, 32, 33)] == [0, 255, 255, 127, 0]
    assert translation.adjustments == ()


def test_a_mask_only_partly_transparent_marks_no_area(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """Fully transparent pixels mark the area; partly transparent ones only soften its edges
    (greys): a mask with none of the first is refused, saying so."""
    faint = Image.new("RGBA", (64, 64), (0, 0, 0, 255))
    faint.paste((0, 0, 0, 64), (0, 0, 32, 32))
    out = io.BytesIO()
    faint.save(out, format="PNG")
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(edit(make_call, mask=out.getvalue()))
    assert (caught.value.param, caught.value.code) == ("mask", "invalid_mask")
    assert caught.value.message == (
        "mask has no fully transparent pixel (alpha 0), and those mark the area to change: "
        "sent, it would change nothing. Make the area to edit fully transparent (partly "
        "see-through pixels only soften the edges of that area)"
    )


def test_the_mask_format_declared_is_the_one_sent(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """A tool previewing a mask reads ``mask_format``: the colour it names for the edit area is
    the one the transparent pixels of the mask become, for every model that takes a mask."""
    shades = {"white": 255, "black": 0}
    models = limner.plugins.default_registry().models()
    masked = [m for m in models if m.provider == "stabilityai" and m.capabilities.mask]
    assert masked
    for model in masked:
        declared = model.capabilities.mask_format or ""
        edit_colour, _, _ = declared.partition(" = edit")
        translation = provider.translate(edit(make_call, model.name, mask=HOLED))
        with Image.open(io.BytesIO(translation.request.files[1].data)) as mask:
            pixels = mask.load()
            assert pixels is not None
            assert (pixels[0, 0], pixels[63, 63]) == (
                shades[edit_colour],  # the transparent quarter: the edit area
                255 - shades[edit_colour],
            ), (model.id, declared)


def test_no_mask_means_sd3_image_to_image(provider: StabilityProvider, make_call: MakeCall) -> None:
    translation = provider.translate(edit(make_call, seed=5, size="1024x1024"))
    assert wire(translation) == {
        "url": f"{BASE}/generate/sd3",
        "headers": {"accept": "application/json"},
        "form": [
            ("mode", "image-to-image"),
            ("model", "sd3.5-large"),
            ("strength", "0.7"),
            ("prompt", "a lighthouse at dusk"),
            ("seed", "5"),
        ],
        "files": [("image", "image.png", "image/png")],
    }
    assert adjusted(translation) == {"size": None}
    assert [w.code for w in translation.warnings] == ["default_applied"]
    assert translation.edit_mode == "image-to-image"  # the default without a mask


def test_transparent_pixels_without_a_mask_say_how_to_inpaint_them(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """The image is still reworked whole (a transparent background is common, and gpt-image
    models edit the whole image without a mask), but the user learns how to edit the hole."""
    holed = provider.translate(edit(make_call, images=[HOLED]))
    assert holed.edit_mode == "image-to-image"
    notice = holed.warnings[0]
    assert (notice.code, notice.param) == ("transparency_not_used_as_mask", "edit_mode")
    assert "edit_mode='inpaint'" in notice.message
    opaque = provider.translate(edit(make_call, images=[png(64, 64, mode="RGBA")]))
    assert [w.code for w in opaque.warnings] == ["default_applied"]
    asked = provider.translate(edit(make_call, images=[HOLED], edit_mode="image-to-image"))
    assert [w.code for w in asked.warnings] == ["default_applied"]


def test_the_transparency_hint_skips_images_too_large_to_decode_cheaply(
    provider: StabilityProvider, make_call: MakeCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    import limner_stability.edits

    monkeypatch.setattr(limner_stability.edits, "_HINT_PIXELS", 64 * 64 - 1)
    holed = provider.translate(edit(make_call, images=[HOLED]))
    assert [w.code for w in holed.warnings] == ["default_applied"]


def gif(width: int = 64, height: int = 64, frames: int = 1) -> bytes:
    images = [Image.new("RGB", (width, height), (60 * i, 0, 0)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=frames > 1, append_images=images[1:])
    return out.getvalue()


@pytest.mark.parametrize("mode", [None, "inpaint", "remove-background"])
def test_a_gif_input_is_sent_as_png_and_reported(
    provider: StabilityProvider, make_call: MakeCall, mode: str | None
) -> None:
    mask = HOLED if mode == "inpaint" else None
    translation = provider.translate(edit(make_call, images=[gif()], mask=mask, edit_mode=mode))
    image = translation.request.files[0]
    assert (image.field, image.filename, image.content_type) == ("image", "image.png", "image/png")
    with Image.open(io.BytesIO(image.data)) as sent:
        assert (sent.format, sent.size) == ("PNG", (64, 64))
    (change,) = [a for a in translation.adjustments if a.param == "images[0]"]
    assert (change.requested, change.applied) == ("image/gif", "image/png")


async def dry_edit(**fields: Any) -> limner.DryRun:
    """A dry run of an edit through the client: core's checks, the model's field rules
    included, run before the translation."""
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.images.edit(
            model="stabilityai/sd3.5-large", prompt="x", image=IMAGE, dry_run=True, **fields
        )
    assert isinstance(plan, limner.DryRun)
    return plan


async def test_a_mask_of_another_size_goes_to_stability_which_resizes_it() -> None:
    """The spec's mask: "In the event the mask is a different size than the image parameter,
    it will be automatically resized". OpenAI's models refuse it (core's rule)."""
    small = png(32, 32, mode="RGBA", hole=True)
    plan = await dry_edit(mask=small)
    assert plan.requests[0]["url"] == f"{BASE}/edit/inpaint"
    assert [f["field"] for f in plan.requests[0]["files"]] == ["image", "mask"]
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.edit(
                model="openai/gpt-image-1.5", prompt="x", image=IMAGE, mask=small, dry_run=True
            )
    assert (caught.value.param, caught.value.code) == ("mask", "mask_size_mismatch")


async def test_remove_background_refuses_n_above_1() -> None:
    # the endpoint takes image and output_format only [SPEC], so n calls make n equal images
    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        await dry_edit(n=3, edit_mode="remove-background")
    assert caught.value.param == "n"
    assert str(caught.value) == (
        "n must be 1 when edit_mode is 'remove-background': remove-background takes no seed, "
        "so n > 1 would pay for copies of one image (model stabilityai/sd3.5-large)"
    )
    plan = await dry_edit(edit_mode="remove-background")
    assert plan.requests[0]["url"] == f"{BASE}/edit/remove-background"


async def test_remove_background_refuses_jpeg_by_name_and_the_schema_says_so() -> None:
    """/edit/remove-background returns png or webp only [SPEC]: a rule of the model's data,
    so the edit schema carries it (allOf) and core refuses jpeg before any call, naming
    output_format; png and webp are sent as asked, and no output_format sends none."""
    import jsonschema

    with pytest.raises(limner.UnsupportedFeatureError) as caught:
        await dry_edit(edit_mode="remove-background", output_format="jpeg")
    assert caught.value.param == "output_format"
    assert str(caught.value) == (
        "output_format must be 'png' or 'webp' when edit_mode is 'remove-background': "
        "remove-background returns png or webp only (a transparent background, which JPEG "
        "cannot hold) (model stabilityai/sd3.5-large)"
    )
    for output_format, form in (
        ("png", {"output_format": "png"}),
        ("webp", {"output_format": "webp"}),
        (None, {}),
    ):
        plan = await dry_edit(edit_mode="remove-background", output_format=output_format)
        assert plan.requests[0]["form"] == form
        assert [a.param for a in plan.adjustments] == ["prompt"]  # dry_edit's, not taken
    options = {"stabilityai": {"left": 64}}  # the other modes take jpeg
    plan = await dry_edit(edit_mode="outpaint", output_format="jpeg", provider_options=options)
    assert plan.requests[0]["form"]["output_format"] == "jpeg"
    async with limner.AsyncClient(environ={}) as client:
        schema = client.models.schema("stabilityai/sd3.5-large", "edit")
    assert {
        "description": "remove-background returns png or webp only (a transparent background, "
        "which JPEG cannot hold)",
        "if": {
            "properties": {"edit_mode": {"enum": ["remove-background"]}},
            "required": ["edit_mode"],
        },
        "then": {"properties": {"output_format": {"enum": ["png", "webp", None]}}},
    } in schema["allOf"]
    check = jsonschema.Draft202012Validator(schema)
    base = {"model": "stabilityai/sd3.5-large", "images": ["<image>"]}
    assert not check.is_valid({**base, "edit_mode": "remove-background", "output_format": "jpeg"})
    assert check.is_valid({**base, "edit_mode": "remove-background", "output_format": "webp"})
    assert check.is_valid({**base, "edit_mode": "outpaint", "output_format": "jpeg"})


def test_an_animated_gif_is_refused(provider: StabilityProvider, make_call: MakeCall) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(edit(make_call, images=[gif(frames=2)]))
    assert (caught.value.param, caught.value.code) == ("images[0]", "invalid_image_format")


def test_image_to_image_strength(provider: StabilityProvider, make_call: MakeCall) -> None:
    flash = provider.translate(edit(make_call, "sd3.5-flash"))
    assert dict(flash.request.form)["strength"] == "0.95"
    mine = provider.translate(edit(make_call, options={"strength": 0.25}))
    assert dict(mine.request.form)["strength"] == "0.25"
    assert "default_applied" not in [w.code for w in mine.warnings]


def test_ultra_image_to_image(provider: StabilityProvider, make_call: MakeCall) -> None:
    translation = provider.translate(
        edit(make_call, "stable-image-ultra", edit_mode="image-to-image")
    )
    assert wire(translation) == {
        "url": f"{BASE}/generate/ultra",
        "headers": {"accept": "application/json"},
        "form": [("strength", "0.7"), ("prompt", "a lighthouse at dusk")],
        "files": [("image", "image.png", "image/png")],
    }
    assert translation.edit_mode == "image-to-image"


EDIT_MODES: list[tuple[str, dict[str, Any], dict[str, Any], list[tuple[str, str]], list[str]]] = [
    (
        "outpaint",
        {"seed": 2},
        {"left": 100, "down": 50, "creativity": 0.3, "style_preset": "photographic"},
        [
            ("prompt", "a lighthouse at dusk"),
            ("seed", "2"),
            ("style_preset", "photographic"),
            ("left", "100"),
            ("down", "50"),
            ("creativity", "0.3"),
        ],
        [],
    ),
    (
        "erase",
        {"mask": HOLED, "seed": 2},
        {"grow_mask": 4},
        [("seed", "2"), ("grow_mask", "4")],
        ["prompt"],
    ),
    (
        "search-and-replace",
        {"negative_prompt": "fog"},
        {"search_prompt": "boat", "grow_mask": 3},
        [
            ("prompt", "a lighthouse at dusk"),
            ("negative_prompt", "fog"),
            ("grow_mask", "3"),
            ("search_prompt", "boat"),
        ],
        [],
    ),
    (
        "search-and-recolor",
        {},
        {"select_prompt": "roof"},
        [("prompt", "a lighthouse at dusk"), ("select_prompt", "roof")],
        [],
    ),
    (
        # jpeg: core refuses it first (the model's field rule); translate alone sends png
        "remove-background",
        {"output_format": "jpeg", "seed": 9},
        {},
        [("output_format", "png")],
        ["prompt", "seed", "output_format"],
    ),
]


@pytest.mark.parametrize(
    ("mode", "fields", "options", "form", "adjusted_params"),
    EDIT_MODES,
    ids=[case[0] for case in EDIT_MODES],
)
def test_each_edit_mode(
    provider: StabilityProvider,
    make_call: MakeCall,
    mode: str,
    fields: dict[str, Any],
    options: dict[str, Any],
    form: list[tuple[str, str]],
    adjusted_params: list[str],
) -> None:
    call = edit(make_call, "sd3.5-medium", edit_mode=mode, options=options, **fields)
    translation = provider.translate(call)
    expected_files = [("image", "image.png", "image/png")]
    if "mask" in fields:
        expected_files.append(("mask", "mask.png", "image/png"))
    assert wire(translation) == {
        "url": f"{BASE}/edit/{mode}",
        "headers": {"accept": "application/json"},
        "form": form,
        "files": expected_files,
    }
    assert [a.param for a in translation.adjustments] == adjusted_params
    assert translation.edit_mode == mode
    assert translation.warnings == ()


@pytest.mark.parametrize(
    ("mode", "options", "param"),
    [
        ("outpaint", {}, "provider_options.stabilityai.left"),
        ("search-and-replace", {}, "provider_options.stabilityai.search_prompt"),
        ("search-and-recolor", {}, "provider_options.stabilityai.select_prompt"),
        ("erase", {"grow_mask": 50}, "provider_options.stabilityai.grow_mask"),
    ],
)
def test_edit_mode_inputs_are_checked(
    provider: StabilityProvider,
    make_call: MakeCall,
    mode: str,
    options: dict[str, Any],
    param: str,
) -> None:
    mask = HOLED if mode == "erase" else None
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(edit(make_call, edit_mode=mode, options=options, mask=mask))
    assert info.value.param == param


def test_inpaint_without_mask_uses_alpha_or_refuses(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    alpha = provider.translate(edit(make_call, images=[HOLED], edit_mode="inpaint"))
    assert [p.field for p in alpha.request.files] == ["image"]
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(edit(make_call, edit_mode="inpaint"))
    assert info.value.param == "mask"
    assert "this one has no alpha channel" in info.value.message


def test_inpaint_or_erase_without_mask_refuses_an_alpha_channel_with_nothing_see_through(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """Stability reads the alpha as the mask's strength: partly see-through pixels count, an
    opaque alpha channel marks nothing to edit."""
    opaque = png(64, 64, mode="RGBA")
    for mode in ("inpaint", "erase"):
        with pytest.raises(limner.InvalidRequestError) as info:
            provider.translate(edit(make_call, images=[opaque], edit_mode=mode))
        assert info.value.param == "mask"
        assert "this one has no see-through pixel" in info.value.message
    faint = Image.new("RGBA", (64, 64), (200, 40, 40, 128))
    out = io.BytesIO()
    faint.save(out, format="PNG")
    sent = provider.translate(edit(make_call, images=[out.getvalue()], edit_mode="inpaint"))
    assert [p.field for p in sent.request.files] == ["image"]


@pytest.mark.parametrize("mode", ["image-to-image", "outpaint", "search-and-replace"])
async def test_a_mask_where_none_is_taken_is_refused(mode: str) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        await dry_edit(
            edit_mode=mode,
            mask=HOLED,
            provider_options={"stabilityai": {"left": 8, "search_prompt": "x"}},
        )
    assert info.value.param == "mask"


@pytest.mark.parametrize(
    ("image", "mode"),
    [
        (png(32, 200), "inpaint"),  # a side under 64
        (png(2100, 2100), "remove-background"),  # over 4,194,304 pixels
        (png(400, 100), "outpaint"),  # wider than 2.5:1
        (png(40, 40), "image-to-image"),
    ],
)
def test_input_image_limits(
    provider: StabilityProvider, make_call: MakeCall, image: bytes, mode: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(
            edit(make_call, images=[image], edit_mode=mode, options={"left": 8}, mask=None)
        )
    assert info.value.param == "images[0]"


def test_ultra_image_to_image_takes_sides_up_to_16384(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """Ultra's image: "width and height 64–16,384, ≥ 4,096 px" (stability.md §2c)."""
    with pytest.raises(limner.InvalidRequestError) as info:
        provider.translate(
            edit(
                make_call,
                "stable-image-ultra",
                images=[png(16_400, 64)],
                edit_mode="image-to-image",
            )
        )
    assert info.value.message == (
        "images[0] is 16400x64; for /generate/ultra every side must be at most 16,384 pixels"
    )


def test_two_images_are_refused(provider: StabilityProvider, make_call: MakeCall) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        provider.translate(edit(make_call, images=[IMAGE, IMAGE]))
    assert info.value.param == "images"


async def test_two_images_are_refused_before_sending() -> None:
    async with limner.AsyncClient(providers={"stabilityai": {"api_key": "k"}}, environ={}) as c:
        with pytest.raises(limner.UnsupportedFeatureError) as info:
            await c.images.edit(model="stabilityai/sd3.5-large", prompt="p", image=[IMAGE, IMAGE])
    assert info.value.param == "images"


# ---- body size -------------------------------------------------------------------------------


async def test_multipart_size_is_a_tight_upper_bound(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    from limner.http import encode_body

    request = provider.translate(edit(make_call, mask=HOLED, negative_prompt="n" * 500)).request
    body, _ = await encode_body(request)
    assert body is not None
    assert len(body) <= multipart_size(request) <= len(body) + 1024


def test_body_over_10_mib_is_refused_locally(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    noisy = Image.frombytes("RGB", (2048, 2048), os.urandom(2048 * 2048 * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG", compress_level=0)
    big = out.getvalue()
    assert len(big) > MAX_BODY_BYTES
    with pytest.raises(limner.PayloadTooLargeError) as info:
        provider.translate(edit(make_call, images=[big]))
    assert info.value.param == "images"
    assert "10 MiB" in info.value.message


@pytest.mark.parametrize(
    ("fields", "name", "value", "have"),
    [
        (
            {
                "edit_mode": "outpaint",
                "provider_options": {"stability": {"left": 100}},
                "extra_body": {"left": 5},
            },
            "left",
            5,
            "100",
        ),
        (  # limner's default strength, which the option sets
            {"edit_mode": "image-to-image", "extra_body": {"strength": 0.3}},
            "strength",
            0.3,
            "0.7",
        ),
    ],
)
async def test_an_extra_field_may_not_change_one_limner_sends(
    fields: dict[str, Any], name: str, value: object, have: str
) -> None:
    """It used to win, or lose, silently, with a report of what was sent that was then wrong
    (Google and Nova refuse the same). An equal value is already sent."""
    spelled = "stability" if "provider_options" in fields else "stabilityai"  # as the user did
    with pytest.raises(limner.InvalidRequestError) as caught:
        await dry_edit(**fields)
    assert caught.value.param == name
    assert caught.value.message == (
        f"the extra field {name!r} ({value!r}) would replace the {have!r} limner sends as "
        f"{name}; set it through the request's own fields or provider_options.{spelled} instead"
    )
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model="stabilityai/sd3.5-large",
                prompt="x",
                size="1024x1792",
                extra_body={"aspect_ratio": "16:9"},
                dry_run=True,
            )
        assert (caught.value.param, "'9:16'" in caught.value.message) == ("aspect_ratio", True)
        same = await client.images.generate(
            model="stabilityai/sd3.5-large",
            prompt="x",
            size="1024x1792",
            extra_body={"aspect_ratio": "9:16"},
            dry_run=True,
        )
    assert same.requests[0]["form"]["aspect_ratio"] == "9:16"


async def test_an_extra_field_limner_does_not_send_goes_to_the_form_last() -> None:
    plan = await dry_edit(extra_body={"style_preset": "anime"})
    assert plan.requests[0]["form"]["style_preset"] == "anime"
    assert list(plan.requests[0]["form"])[-1] == "style_preset"


async def test_stabilitys_own_top_level_aspect_ratio_is_no_typo() -> None:
    """Stability reads aspect_ratio from its form: forwarded without a possible_typo warning
    (another provider's model gets one, since it has no such field)."""
    async with limner.AsyncClient(environ={}) as client:
        stability = await client.images.generate(
            model="stabilityai/sd3.5-large", prompt="x", extra_body={"aspect_ratio": "16:9"},
            dry_run=True,
        )  # fmt: skip
        openai = await client.images.generate(
            model="openai/gpt-image-1.5", prompt="x", extra_body={"aspect_ratio": "16:9"},
            dry_run=True,
        )  # fmt: skip
    assert stability.requests[0]["form"]["aspect_ratio"] == "16:9"
    assert "possible_typo" not in [w.code for w in stability.warnings]
    assert "possible_typo" in [w.code for w in openai.warnings]


def test_style_is_sent_as_the_style_preset_of_the_edits_that_take_one(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """inpaint, outpaint, search-and-replace and search-and-recolor take style_preset
    [SPEC-2026]; erase and remove-background take none, so style is dropped there, and said."""
    inpaint = provider.translate(edit(make_call, mask=HOLED, style="anime"))
    assert ("style_preset", "anime") in inpaint.request.form
    assert "style" not in adjusted(inpaint)
    for mode, option in (
        ("search-and-replace", "search_prompt"),
        ("search-and-recolor", "select_prompt"),
    ):
        searched = provider.translate(
            edit(make_call, edit_mode=mode, style="anime", options={option: "car"})
        )
        assert dict(searched.request.form)["style_preset"] == "anime", mode
        assert "style" not in adjusted(searched), mode
        chosen = provider.translate(
            edit(make_call, edit_mode=mode, options={option: "car", "style_preset": "origami"})
        )
        assert dict(chosen.request.form)["style_preset"] == "origami", mode
        assert tuple(chosen.adjustments) == (), mode
    erase = provider.translate(edit(make_call, mask=HOLED, edit_mode="erase", style="anime"))
    assert "style_preset" not in dict(erase.request.form)
    (dropped,) = [a for a in erase.adjustments if a.param == "style"]
    assert (dropped.requested, dropped.applied) == ("anime", None)
    assert dropped.reason.endswith("takes no style preset")


def test_erase_remove_background_and_outpaint_may_leave_the_prompt_out() -> None:
    """Erase and remove-background take no prompt, outpaint's is optional [SPEC]: leaving it
    out is no mistake there, nor dropped; the edit schema says which modes do without."""
    import jsonschema

    import limner

    with limner.Client(environ={}) as client:
        plan = client.images.edit(
            model="stabilityai/sd3.5-large",
            image=IMAGE,
            edit_mode="remove-background",
            dry_run=True,
        )
        assert plan.requests[0]["form"] == {}
        assert plan.adjustments == []
        with pytest.raises(limner.InvalidRequestError) as caught:
            client.images.edit(model="stabilityai/sd3.5-large", image=IMAGE, dry_run=True)
        schema = client.models.schema("stabilityai/sd3.5-large", "edit")
    assert (caught.value.param, caught.value.code) == ("prompt", "missing_required_parameter")
    assert "prompt" not in schema["required"]
    check = jsonschema.Draft202012Validator(schema)
    base = {"model": "stabilityai/sd3.5-large", "images": ["<image>"]}
    assert check.is_valid({**base, "edit_mode": "erase"})
    assert check.is_valid({**base, "edit_mode": "outpaint", "prompt": "sea"})
    assert not check.is_valid({**base, "edit_mode": "inpaint"})
    assert not check.is_valid(base)
    assert not check.is_valid({**base, "edit_mode": "inpaint", "prompt": " "})


def test_unsendable_text_is_the_callers_to_fix_not_a_plugin_bug() -> None:
    import limner

    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(
            model="stabilityai/stable-image-core",
            prompt="x",
            negative_prompt="y\ud800",
            dry_run=True,
        )
    assert caught.value.param == "negative_prompt"


async def test_a_null_prompt_is_none_on_every_surface_as_the_schema_says() -> None:
    """The edit schema lets the prompt-less modes leave the prompt out or null, and no other
    request: the schema, and the Python client (``prompt=None``, as a schema-built call passes
    it), agree on each case."""
    import jsonschema

    async with limner.AsyncClient() as client:
        schema = client.models.schemas("stabilityai/sd3.5-large")["edit"]
        validator = jsonschema.Draft202012Validator(schema)
        base = {"model": "stabilityai/sd3.5-large", "images": [{"image_url": "https://x/a.png"}]}
        cases: list[tuple[dict[str, Any], bool]] = [
            ({"prompt": None, "edit_mode": "remove-background"}, True),
            (
                {
                    "prompt": "",
                    "edit_mode": "outpaint",
                    "provider_options": {"stabilityai": {"left": 64}},
                },
                True,
            ),
            ({"prompt": None}, False),
            ({"prompt": None, "edit_mode": "inpaint"}, False),
            ({"prompt": " ", "edit_mode": "erase"}, False),
        ]
        for fields, accepted in cases:
            assert validator.is_valid({**base, **fields}) is accepted, fields
            call = client.images.edit(
                model="stabilityai/sd3.5-large", image=IMAGE, dry_run=True, **fields
            )
            if accepted:
                planned = await call
                assert isinstance(planned, limner.DryRun) and planned.requests, fields
            else:
                with pytest.raises(limner.InvalidRequestError) as refused:
                    await call
                assert refused.value.param == "prompt", fields


async def test_a_mask_far_larger_than_the_image_is_refused_from_its_header() -> None:
    """Stability resizes a mask to the image, so any size was taken, and limner decoded it to
    read its transparent pixels: a 171 KB 9400x9400 mask took 800 MB, in a dry run too."""
    image = png(64, 64)
    async with limner.AsyncClient(environ={}) as client:
        twice = await client.images.edit(
            model="stabilityai/stable-image-ultra",
            prompt="a hat",
            image=image,
            mask=png(128, 128, mode="RGBA", hole=True),  # four times the pixels: resized
            dry_run=True,
        )
        assert twice.requests
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.edit(
                model="stabilityai/stable-image-ultra",
                prompt="a hat",
                image=image,
                mask=png(129, 129, mode="RGBA", hole=True),
                dry_run=True,
            )
    assert (caught.value.param, caught.value.code) == ("mask", "mask_size_mismatch")
    assert caught.value.message == (
        "mask is 129x129, far larger than the image (64x64), to which the provider resizes "
        "it: give it the image's size"
    )
