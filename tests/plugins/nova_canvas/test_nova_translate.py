"""translate(): the exact InvokeModel body for every task type, and every adjustment."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image

import limner
from limner import Adjustment, ProviderCall
from limner_nova_canvas import NovaCanvasProvider

from ...masks import soft_mask
from .conftest import MakeCall, png

URL = "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-canvas-v1%3A0/invoke"


def body(provider: NovaCanvasProvider, call: ProviderCall) -> dict[str, Any]:
    translation = provider.translate(call)
    assert translation.request.url == URL
    assert translation.request.method == "POST"
    assert dict(translation.request.headers) == {
        "content-type": "application/json",
        "accept": "application/json",
    }
    document = json.loads(translation.request.json_bytes())
    assert isinstance(document, dict)
    return document


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_text_image_minimal_bytes_exact(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    translation = provider.translate(make_call(prompt="a fox"))
    assert translation.request.json_bytes() == (
        b'{"taskType":"TEXT_IMAGE","textToImageParams":{"text":"a fox"},'
        b'"imageGenerationConfig":{"numberOfImages":1}}'
    )
    assert (translation.size, translation.quality) == ("1024x1024", "standard")
    assert translation.adjustments == ()


def test_text_image_every_field(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    call = make_call(
        n=3,
        prompt="a lighthouse",
        negative_prompt="people",
        size="1280x720",
        quality="premium",
        seed=42,
        style="PHOTOREALISM",
        options={"cfg_scale": 8.0},
    )
    assert body(provider, call) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {
            "text": "a lighthouse",
            "negativeText": "people",
            "style": "PHOTOREALISM",
        },
        "imageGenerationConfig": {
            "numberOfImages": 3,
            "width": 1280,
            "height": 720,
            "quality": "premium",
            "cfgScale": 8.0,
            "seed": 42,
        },
    }
    assert provider.translate(call).adjustments == ()


def test_condition_image(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    layout = png(320, 320)
    call = make_call(
        prompt="a house",
        options={
            "condition_image": b64(layout),
            "control_mode": "SEGMENTATION",
            "control_strength": 0.5,
        },
    )
    assert body(provider, call)["textToImageParams"] == {
        "text": "a house",
        "conditionImage": b64(layout),
        "controlMode": "SEGMENTATION",
        "controlStrength": 0.5,
    }


def test_color_guided_generation(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    reference = png(320, 320, fmt="JPEG")
    call = make_call(
        prompt="a poster",
        negative_prompt="text",
        options={"colors": ["#FF9800", "#00aaff"], "reference_image": reference},
    )
    assert body(provider, call) == {
        "taskType": "COLOR_GUIDED_GENERATION",
        "colorGuidedGenerationParams": {
            "text": "a poster",
            "negativeText": "text",
            "colors": ["#FF9800", "#00aaff"],
            "referenceImage": b64(reference),
        },
        "imageGenerationConfig": {"numberOfImages": 1},
    }


def test_inpainting_with_mask(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    image, mask = png(320, 320), png(320, 320, mode="RGBA", hole=True)
    call = make_call("edit", prompt="a lamp", images=[image], mask=mask, seed=7, quality="standard")
    document = body(provider, call)
    mask_b64 = document["inPaintingParams"].pop("maskImage")
    assert document == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": b64(image), "text": "a lamp"},
        "imageGenerationConfig": {"numberOfImages": 1, "quality": "standard", "seed": 7},
    }
    assert_mask(base64.b64decode(mask_b64), edit=(0, 0, 0), keep=(255, 255, 255))
    assert provider.translate(call).size == "320x320"


@pytest.mark.parametrize("given", ["mask", "image"])
def test_a_soft_edge_is_made_hard_and_reported(
    provider: NovaCanvasProvider, make_call: MakeCall, given: str
) -> None:
    """Nova takes pure black and white: partly transparent pixels are kept, and the mask (or
    the image whose alpha marks the area) gets an adjustment saying so."""
    soft = soft_mask(320, 320)
    if given == "mask":
        call = make_call("edit", prompt="a lamp", images=[png(320, 320)], mask=soft)
    else:
        call = make_call("edit", prompt="a lamp", images=[soft], edit_mode="inpaint")
    translation = provider.translate(call)
    mask = base64.b64decode(body(provider, call)["inPaintingParams"]["maskImage"])
    assert_mask(mask, edit=(0, 0, 0), keep=(255, 255, 255))
    param = "mask" if given == "mask" else "images[0]"
    assert (
        Adjustment(
            param=param,
            requested="80 partly transparent pixels",
            applied="kept",
            reason="Nova Canvas takes a mask of pure black and white: only fully transparent "
            "pixels (alpha 0) mark the area to edit, so its soft edges are made hard",
        )
        in translation.adjustments
    )


def test_inpainting_with_mask_prompt(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    image = png(320, 320)
    call = make_call("edit", prompt="a red sofa", images=[image], options={"mask_prompt": "sofa"})
    assert body(provider, call) == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": b64(image), "text": "a red sofa", "maskPrompt": "sofa"},
        "imageGenerationConfig": {"numberOfImages": 1},
    }


def test_erase_sends_no_text(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    image = png(320, 320)
    call = make_call(
        "edit",
        prompt="remove it",
        images=[image],
        edit_mode="erase",
        options={"mask_prompt": "cat"},
    )
    assert body(provider, call)["inPaintingParams"] == {"image": b64(image), "maskPrompt": "cat"}
    assert provider.translate(call).adjustments[0].param == "prompt"


@pytest.mark.parametrize("mode", ["erase", "remove-background", "outpaint"])
async def test_an_edit_that_does_without_a_prompt_may_leave_it_out(mode: str) -> None:
    """Erase and background removal take no text, outpainting's is optional [nova-canvas.md];
    an inpaint needs one (without it Nova removes what the mask covers: that is erase)."""
    image = png(320, 320)
    options = {"mask_prompt": "cat"} if mode != "remove-background" else {}
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.images.edit(
            model="amazon/amazon.nova-canvas-v1:0",
            image=image,
            edit_mode=mode,
            provider_options={"amazon": options},
            dry_run=True,
        )
        document = plan.requests[0]["json"]
        params = next(value for key, value in document.items() if key.endswith("Params"))
        assert "text" not in params
        assert [a.param for a in plan.adjustments if a.param == "prompt"] == []
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.edit(
                model="amazon/amazon.nova-canvas-v1:0",
                image=image,
                edit_mode="inpaint",
                provider_options={"amazon": {"mask_prompt": "cat"}},
                dry_run=True,
            )
    assert (caught.value.param, caught.value.code) == ("prompt", "missing_required_parameter")
    assert "only edit_mode outpaint, erase, remove-background, variation may do without" in (
        caught.value.message
    )


def test_outpainting_mask_polarity_and_mode(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    image, mask = png(320, 320), png(320, 320, mode="RGBA", hole=True)
    call = make_call(
        "edit",
        prompt="a beach",
        images=[image],
        mask=mask,
        edit_mode="outpaint",
        options={"outpainting_mode": "PRECISE"},
    )
    document = body(provider, call)
    assert "inPaintingParams" not in document
    out = document["outPaintingParams"]
    assert_mask(base64.b64decode(out.pop("maskImage")), edit=(255, 255, 255), keep=(0, 0, 0))
    assert out == {"image": b64(image), "text": "a beach", "outPaintingMode": "PRECISE"}
    assert document["taskType"] == "OUTPAINTING"
    assert document["imageGenerationConfig"] == {"numberOfImages": 1}


def test_background_removal_has_no_config(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    image = png(320, 320)
    call = make_call(
        "edit",
        prompt="x",
        images=[image],
        edit_mode="remove-background",
        quality="hd",
        seed=1,
        negative_prompt="fog",
    )
    translation = provider.translate(call)
    assert json.loads(translation.request.json_bytes()) == {
        "taskType": "BACKGROUND_REMOVAL",
        "backgroundRemovalParams": {"image": b64(image)},
    }
    dropped = {(a.param, a.requested, a.applied) for a in translation.adjustments}
    assert dropped == {
        ("prompt", "x", None),
        ("quality", "hd", None),
        ("seed", 1, None),
        ("negative_prompt", "fog", None),
    }
    assert (translation.quality, translation.size) == ("standard", "320x320")


def test_edit_without_mask_is_variation(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    one, two = png(320, 320), png(320, 320, fmt="JPEG")
    call = make_call(
        "edit",
        n=2,
        prompt="in autumn",
        images=[one, two],
        size="512x512",
        options={"similarity_strength": 0.9},
    )
    assert body(provider, call) == {
        "taskType": "IMAGE_VARIATION",
        "imageVariationParams": {
            "images": [b64(one), b64(two)],
            "text": "in autumn",
            "similarityStrength": 0.9,
        },
        "imageGenerationConfig": {"numberOfImages": 2, "width": 512, "height": 512},
    }


@pytest.mark.parametrize(
    ("mode", "task", "field", "edit", "keep"),
    [
        ("inpaint", "INPAINTING", "inPaintingParams", (0, 0, 0), (255, 255, 255)),
        ("outpaint", "OUTPAINTING", "outPaintingParams", (255, 255, 255), (0, 0, 0)),
    ],
)
def test_an_inpaint_or_outpaint_without_a_mask_takes_the_images_transparent_pixels(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    mode: str,
    task: str,
    field: str,
    edit: tuple[int, int, int],
    keep: tuple[int, int, int],
) -> None:
    """OpenAI's convention for masks: the image's fully transparent pixels mark the area. The
    image is sent flattened, its alpha as Nova's mask (black = edit for inpainting, white for
    outpainting)."""
    image = png(320, 320, mode="RGBA", hole=True)
    call = make_call("edit", n=2, prompt="a lamp", images=[image], seed=3, edit_mode=mode)
    translation = provider.translate(call)
    document = body(provider, call)
    params = document[field]
    assert_mask(base64.b64decode(params.pop("maskImage")), edit=edit, keep=keep)
    with Image.open(io.BytesIO(base64.b64decode(params.pop("image")))) as sent:
        assert (sent.format, sent.mode, sent.size) == ("PNG", "RGB", (320, 320))
        assert sent.getpixel((80, 80)) == (255, 255, 255)  # the transparent square, flattened
        assert sent.getpixel((0, 0)) == (200, 40, 40)
    assert document == {
        "taskType": task,
        field: {"text": "a lamp"},
        "imageGenerationConfig": {"numberOfImages": 2, "seed": 3},
    }
    assert [(a.param, a.requested, a.applied) for a in translation.adjustments] == [
        ("images[0]", "image/png", "image/png (8-bit RGB)"),
    ]
    assert (translation.edit_mode, translation.size) == (mode, "320x320")


def test_an_inpaint_without_a_mask_or_transparent_pixels_is_refused(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    call = make_call("edit", prompt="x", images=[png(320, 320, mode="RGBA")], edit_mode="inpaint")
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == "mask"


def semi_transparent() -> bytes:
    """Every pixel half transparent: no pixel marks an area to edit."""
    out = io.BytesIO()
    Image.new("RGBA", (320, 320), (200, 40, 40, 128)).save(out, format="PNG")
    return out.getvalue()


HOLED = png(320, 320, mode="RGBA", hole=True)


@pytest.mark.parametrize(
    ("images", "fields", "warned"),
    [
        ([png(320, 320, mode="RGBA")], {}, False),  # opaque alpha channel
        ([semi_transparent()], {}, False),  # translucent, nothing fully transparent
        ([HOLED], {}, True),  # a transparent background is common: reworked whole
        ([png(320, 320), HOLED], {}, True),
        ([HOLED], {"edit_mode": "variation"}, False),  # asked for
    ],
)
def test_edits_without_a_mask_stay_variations(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    images: list[bytes],
    fields: dict[str, Any],
    warned: bool,
) -> None:
    """Transparent pixels without a mask or edit_mode do not switch the task (as gpt-image
    models edit the whole image without a mask); a notice says how to edit only that area."""
    translation = provider.translate(make_call("edit", prompt="x", images=images, **fields))
    assert json.loads(translation.request.json_bytes())["taskType"] == "IMAGE_VARIATION"
    assert translation.edit_mode == "variation"
    notices = [(w.code, w.param) for w in translation.warnings]
    assert (("transparency_not_used_as_mask", "edit_mode") in notices) is warned
    if warned:
        assert "edit_mode='inpaint'" in translation.warnings[-1].message


def test_an_edit_without_a_mask_or_size_says_it_is_a_variation_at_the_default_size(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    """A landscape photo came back square, with nothing said: the edit is Nova's
    IMAGE_VARIATION, at its default 1024x1024."""
    landscape = make_call("edit", prompt="add a moon", images=[png(1536, 1024)])
    translation = provider.translate(landscape)
    (said,) = [w for w in translation.warnings if w.code == "default_applied"]
    assert said.param == "size" and translation.size == "1024x1024"
    assert said.message.startswith("an edit without a mask is made as Nova's IMAGE_VARIATION")
    assert "size='1536x1024' keeps the first image's shape" in said.message
    square = provider.translate(make_call("edit", prompt="add a moon", images=[png(512, 512)]))
    (plain,) = [w.message for w in square.warnings if w.code == "default_applied"]
    assert "keeps the first image's shape" not in plain  # (1024x1024 keeps it already)
    for quiet in (
        make_call("edit", prompt="add a moon", images=[png(1536, 1024)], size="1536x1024"),
        make_call("edit", prompt="x", images=[png(1536, 1024)], edit_mode="variation"),
        make_call("variation", images=[png(1536, 1024)]),
    ):
        assert "default_applied" not in [w.code for w in provider.translate(quiet).warnings]


def test_create_variation(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    image = png(320, 320)
    call = make_call("variation", images=[image])
    assert body(provider, call) == {
        "taskType": "IMAGE_VARIATION",
        "imageVariationParams": {"images": [b64(image)]},
        "imageGenerationConfig": {"numberOfImages": 1},
    }


def assert_mask(data: bytes, *, edit: tuple[int, int, int], keep: tuple[int, int, int]) -> None:
    """The 320x320 mask: the transparent square [80, 160) is ``edit``, everything else
    ``keep``; only pure black and white, RGB."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.mode == "RGB"
        rgb = image.convert("RGB")
        assert rgb.getpixel((80, 80)) == edit
        assert rgb.getpixel((159, 159)) == edit
        assert rgb.getpixel((79, 80)) == keep
        assert rgb.getpixel((160, 160)) == keep
        assert rgb.getpixel((0, 0)) == keep
        colors = {color for _, color in rgb.getcolors(320 * 320) or []}
    assert colors == {edit, keep}


# ---- adjustments and refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quality", "applied", "adjusted"),
    [
        ("standard", "standard", False),
        ("premium", "premium", False),
        ("hd", "premium", True),
        ("high", "premium", True),
        ("low", "standard", True),
        ("medium", "standard", True),
        ("auto", "standard", True),
    ],
)
def test_quality_mapping(
    provider: NovaCanvasProvider, make_call: MakeCall, quality: str, applied: str, adjusted: bool
) -> None:
    translation = provider.translate(make_call(prompt="x", quality=quality))
    assert json.loads(translation.request.json_bytes())["imageGenerationConfig"]["quality"] == (
        applied
    )
    assert translation.quality == applied
    expected = (Adjustment(param="quality", requested=quality, applied=applied, reason=""),)
    got = tuple(a.model_copy(update={"reason": ""}) for a in translation.adjustments)
    assert got == (expected if adjusted else ())


def test_split_calls_get_distinct_seeds(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    first = provider.translate(make_call(n=5, index=0, prompt="x", seed=10))
    second = provider.translate(make_call(n=2, index=1, prompt="x", seed=10))
    unseeded = provider.translate(make_call(n=2, index=1, prompt="x"))
    assert json.loads(first.request.json_bytes())["imageGenerationConfig"]["seed"] == 10
    assert json.loads(second.request.json_bytes())["imageGenerationConfig"]["seed"] == 11
    assert json.loads(unseeded.request.json_bytes())["imageGenerationConfig"]["seed"] == 13
    assert [(a.param, a.requested, a.applied) for a in second.adjustments] == [("seed", 10, 11)]


@pytest.mark.parametrize("seed", [-1, 2_147_483_647])
def test_seed_out_of_range(provider: NovaCanvasProvider, make_call: MakeCall, seed: int) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call(prompt="x", seed=seed))
    assert caught.value.param == "seed"


@pytest.mark.parametrize(("seed", "warned"), [(858_993_459, False), (858_993_460, True)])
def test_a_seed_above_the_safe_range_is_sent_with_a_warning(
    provider: NovaCanvasProvider, make_call: MakeCall, seed: int, warned: bool
) -> None:
    translation = provider.translate(make_call(prompt="x", seed=seed))
    assert json.loads(translation.request.json_bytes())["imageGenerationConfig"]["seed"] == seed
    codes = [(w.code, w.param) for w in translation.warnings]
    assert (("seed_above_safe_range", "seed") in codes) is warned


def test_negative_prompt_rules(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call(prompt="x", negative_prompt="n" * 1025))
    assert caught.value.param == "negative_prompt"
    blank = provider.translate(make_call(prompt="x", negative_prompt="  "))
    assert "negativeText" not in json.loads(blank.request.json_bytes())["textToImageParams"]
    assert [a.param for a in blank.adjustments] == ["negative_prompt"]


def test_a_long_prompt_and_negative_prompt_together_are_said(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    """The notes: "The service card may cap the combined length at 1024". Each fits alone, so
    the call goes out, with a warning."""
    long = provider.translate(make_call(prompt="p" * 900, negative_prompt="n" * 200))
    (warning,) = [w for w in long.warnings if w.code == "prompt_may_be_too_long"]
    assert (warning.param, warning.message) == (
        "negative_prompt",
        "prompt and negative_prompt have 1,100 characters together; AWS's service card may cap "
        "the two at 1,024 combined, and Bedrock would then refuse the call: shorten one if it "
        "does",
    )
    short = provider.translate(make_call(prompt="p" * 500, negative_prompt="n" * 500))
    assert "prompt_may_be_too_long" not in [w.code for w in short.warnings]


def test_unsupported_portable_fields_are_reported(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    translation = provider.translate(
        make_call(
            prompt="x",
            user="u1",
            background="transparent",
            moderation="low",
            output_format="webp",
            output_compression=50,
            metadata={"a": "b"},
        )
    )
    assert {(a.param, a.applied) for a in translation.adjustments} == {
        ("user", None),
        ("background", None),
        ("moderation", None),
        ("output_format", "png"),
        ("output_compression", None),
        ("metadata", None),
    }
    sent = json.loads(translation.request.json_bytes())
    assert sent == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "x"},
        "imageGenerationConfig": {"numberOfImages": 1},
    }


NO_END_USER = "Bedrock InvokeModel has no end-user field"
END_USER_AND_PARTIAL_IMAGES_DROPPED = (
    Adjustment(param="user", requested="u-1", applied=None, reason=NO_END_USER),
    Adjustment(param="safety_identifier", requested="sid-1", applied=None, reason=NO_END_USER),
    Adjustment(
        param="partial_images",
        requested=0,
        applied=None,
        reason="Nova has no partial images (OpenAI's come in streamed responses, which limner "
        "does not make)",
    ),
)


def test_safety_identifier_and_partial_images_are_reported_not_sent(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    """OpenAI's ``user`` successor and its streaming-only ``partial_images`` (0 included) are no
    fields of Nova's body: left out (not forwarded as unknown fields), and said."""
    fields: dict[str, Any] = {"user": "u-1", "safety_identifier": "sid-1", "partial_images": 0}
    generate = make_call(prompt="x", **fields)
    assert body(provider, generate) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "x"},
        "imageGenerationConfig": {"numberOfImages": 1},
    }
    assert provider.translate(generate).adjustments == END_USER_AND_PARTIAL_IMAGES_DROPPED
    image = png(320, 320)
    edit = make_call(
        "edit", prompt="a red sofa", images=[image], options={"mask_prompt": "sofa"}, **fields
    )
    assert body(provider, edit) == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": b64(image), "text": "a red sofa", "maskPrompt": "sofa"},
        "imageGenerationConfig": {"numberOfImages": 1},
    }
    assert provider.translate(edit).adjustments == END_USER_AND_PARTIAL_IMAGES_DROPPED


def test_forwarded_extra_fields(provider: NovaCanvasProvider, make_call: MakeCall) -> None:
    sent = body(provider, make_call(prompt="x", extraField={"a": 1}))
    assert sent["extraField"] == {"a": 1}
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(make_call(prompt="x", taskType="INPAINTING"))
    assert caught.value.param == "taskType"


@pytest.mark.parametrize(
    ("operation", "fields", "options", "param"),
    [
        ("generate", {}, {"mask_prompt": "sofa"}, "provider_options.amazon.mask_prompt"),
        (
            "generate",
            {},
            {"similarity_strength": 0.5},
            "provider_options.amazon.similarity_strength",
        ),
        ("generate", {}, {"control_mode": "CANNY_EDGE"}, "provider_options.amazon.control_mode"),
        ("variation", {}, {"style": "MAXIMALISM"}, "provider_options.amazon.style"),
        ("edit", {"edit_mode": "inpaint"}, {}, "mask"),
    ],
)
def test_refusals_name_the_parameter(
    provider: NovaCanvasProvider,
    make_call: MakeCall,
    operation: str,
    fields: dict[str, Any],
    options: dict[str, Any],
    param: str,
) -> None:
    images = [] if operation == "generate" else [png(320, 320)]
    prompt: dict[str, Any] = {} if operation == "variation" else {"prompt": "x"}
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(
            make_call(operation, images=images, options=options or None, **prompt, **fields)
        )
    assert caught.value.param == param


def test_mask_and_mask_prompt_are_exclusive(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    call = make_call(
        "edit",
        prompt="x",
        images=[png(320, 320)],
        mask=png(320, 320, mode="RGBA", hole=True),
        options={"mask_prompt": "sofa"},
    )
    with pytest.raises(limner.InvalidRequestError) as caught:
        provider.translate(call)
    assert caught.value.param == "provider_options.amazon.mask_prompt"


def test_a_condition_image_in_wrapped_base64_is_read(
    provider: NovaCanvasProvider, make_call: MakeCall
) -> None:
    """``base64 FILE`` wraps its lines at 76 characters; the image is sent unwrapped."""
    layout = png(320, 320)
    call = make_call(
        prompt="a house", options={"condition_image": base64.encodebytes(layout).decode()}
    )
    assert body(provider, call)["textToImageParams"]["conditionImage"] == b64(layout)
