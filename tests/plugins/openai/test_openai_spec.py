"""Every translated body validated against OpenAI's own OpenAPI schemas.

The spec is ``data/specs/images-subset.openapi.json``: the three ``/images/*`` paths of
openai/openai-openapi @ f85dbe22 and the components they use (provenance in ``data/SOURCE.md``).
JSON bodies are validated against ``CreateImageRequest`` / ``EditImageBodyJsonParam``;
multipart forms are rebuilt into objects (numbers parsed back, files as placeholders) and
validated against ``CreateImageEditRequest`` / ``CreateImageVariationRequest``. On top of the
schemas (which allow unknown properties), every field we send must be a declared property.
"""

from __future__ import annotations

import copy
import json
import typing
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openai.types import ImageModel

from limner import ImageConfig, PayloadTooLargeError, Translation
from limner_openai import OpenAIProvider

SPEC = Path(__file__).resolve().parent / "data" / "specs" / "images-subset.openapi.json"


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` (still used in this 3.1 document) as JSON Schema."""
    if isinstance(node, dict):
        out = {key: _nullable(value) for key, value in node.items()}
        if out.pop("nullable", False) is True:
            return {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    return node


@cache
def components() -> dict[str, Any]:
    spec = json.loads(SPEC.read_text())
    return dict(_nullable(spec["components"]))


def validator(schema_name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": components()}
    return Draft202012Validator(root)


def properties(schema_name: str) -> set[str]:
    return set(components()["schemas"][schema_name]["properties"])


def check(schema_name: str, body: dict[str, Any]) -> None:
    errors = [error.message for error in validator(schema_name).iter_errors(body)]
    assert errors == []
    assert set(body) <= properties(schema_name)


def rebuilt(translation: Translation, schema_name: str) -> dict[str, Any]:
    """A multipart request as the object the schema describes."""
    props = components()["schemas"][schema_name]["properties"]
    body: dict[str, Any] = {}
    for name, value in translation.request.form:
        kinds = json.dumps(props.get(name, {}))
        body[name] = int(value) if '"integer"' in kinds else value
    for part in translation.request.files:
        if part.field.endswith("[]"):
            body.setdefault(part.field[:-2], []).append("<binary>")
        else:
            body[part.field] = "<binary>"
    return body


# ---- the validator itself is not vacuous -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "x", "quality": "ultra"},
        {"prompt": "x", "n": 11},
        {"prompt": "x", "background": "green"},
        {"model": "dall-e-3"},
    ],
)
def test_spec_rejects_bad_bodies(body: dict[str, Any]) -> None:
    assert list(validator("CreateImageRequest").iter_errors(body)) != []


def test_spec_rejects_bad_image_refs() -> None:
    body = {"prompt": "x", "images": [{"image_url": "https://a/b.png", "file_id": "file-1"}]}
    assert list(validator("EditImageBodyJsonParam").iter_errors(body)) != []


# ---- generations -------------------------------------------------------------------------------

GENERATIONS: list[tuple[str, dict[str, Any]]] = [
    (
        "gpt-image-1.5",
        {
            "size": "1536x1024",
            "quality": "high",
            "output_format": "webp",
            "output_compression": 50,
            "background": "opaque",
            "moderation": "low",
            "user": "u",
        },
    ),
    ("gpt-image-1", {"quality": "hd", "response_format": "url", "style": "vivid", "seed": 1}),
    ("gpt-image-1-mini", {"size": "1024x1024", "quality": "low"}),
    ("gpt-image-2", {"size": "1536x864", "background": "transparent", "output_format": "png"}),
    ("gpt-image-2", {"image_config": ImageConfig(aspect_ratio="21:9", image_size="4K")}),
    ("gpt-image-2-2026-04-21", {"size": "512x512", "quality": "standard"}),
    (
        "dall-e-3",
        {"size": "1792x1024", "quality": "high", "style": "natural", "response_format": "b64_json"},
    ),
    ("dall-e-3", {"image_config": ImageConfig(aspect_ratio="9:16"), "background": "opaque"}),
    ("dall-e-2", {"size": "256x256", "quality": "hd", "response_format": "url", "user": "u"}),
]


@pytest.mark.parametrize(("name", "fields"), GENERATIONS)
def test_generation_bodies_match_create_image_request(
    provider: OpenAIProvider, make_call: Any, name: str, fields: dict[str, Any]
) -> None:
    n = 1 if name == "dall-e-3" else 3
    translation = provider.translate(make_call(name, n=n, prompt="a prompt", **fields))
    check("CreateImageRequest", translation.request.json)


# ---- edits -------------------------------------------------------------------------------------


def test_json_edit_bodies_match_edit_image_body_json_param(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "gpt-image-2",
        "edit",
        n=2,
        images=["https://example.com/a.png", {"file_id": "file-abc"}, png],
        mask={"file_id": "file-mask"},
        prompt="edit",
        size="2048x1152",
        quality="hd",
        input_fidelity="high",
        output_format="jpeg",
        output_compression=40,
        moderation="auto",
        background="opaque",
        user="u",
    )
    translation = provider.translate(call)
    assert translation.request.json["size"] == "1536x1024"  # closed enum in the JSON form
    check("EditImageBodyJsonParam", translation.request.json)


def test_an_edit_with_moderation_is_sent_in_the_json_form_that_takes_it(
    provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    """The multipart form has no moderation field: local images go as data URLs in the JSON
    form, which has one, rather than the setting being dropped."""
    call = make_call(
        "gpt-image-1", "edit", images=[png, png], mask=mask_png, prompt="x", moderation="low"
    )
    translation = provider.translate(call)
    body = translation.request.json
    assert body["moderation"] == "low" and translation.adjustments == ()
    assert [ref["image_url"][:22] for ref in body["images"]] == ["data:image/png;base64,"] * 2
    assert body["mask"]["image_url"].startswith("data:image/png;base64,")
    check("EditImageBodyJsonParam", body)


@pytest.mark.parametrize(
    ("name", "fields", "count", "with_mask"),
    [
        (
            "gpt-image-1.5",
            {
                "size": "1024x1536",
                "quality": "high",
                "input_fidelity": "low",
                "output_format": "webp",
                "output_compression": 90,
                "background": "auto",
                "user": "u",
            },
            1,
            False,
        ),
        ("gpt-image-1", {"quality": "standard"}, 3, True),
        ("gpt-image-2", {"size": "1536x864"}, 2, False),
        ("chatgpt-image-latest", {"input_fidelity": "high"}, 1, True),
        ("dall-e-2", {"size": "512x512", "response_format": "b64_json"}, 1, True),
    ],
)
def test_multipart_edits_match_create_image_edit_request(
    provider: OpenAIProvider,
    make_call: Any,
    png: bytes,
    mask_png: bytes,
    name: str,
    fields: dict[str, Any],
    count: int,
    with_mask: bool,
) -> None:
    call = make_call(
        name,
        "edit",
        n=2,
        images=[png] * count,
        mask=mask_png if with_mask else None,
        prompt="edit",
        **fields,
    )
    body = rebuilt(provider.translate(call), "CreateImageEditRequest")
    assert isinstance(body["image"], list) == (count > 1)
    check("CreateImageEditRequest", body)


def test_variation_matches_create_image_variation_request(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    call = make_call(
        "dall-e-2", "variation", n=4, images=[png], size="700x700", response_format="url", user="u"
    )
    body = rebuilt(provider.translate(call), "CreateImageVariationRequest")
    assert body["size"] == "512x512"
    check("CreateImageVariationRequest", body)


def sdk_generation_models() -> set[str]:
    """The models the openai SDK's ``images.generate`` names ("Supported models include ..."),
    newer than the spec snapshot's enum."""
    import inspect
    import re

    from openai.types import image_generate_params

    text = inspect.getsource(image_generate_params)
    said = re.search(r"Supported models include (.*?)\.\s*\n", text, re.DOTALL)
    assert said is not None, "the SDK no longer lists the generation models"
    return set(re.findall(r"`([^`]+)`", said.group(1)))


def test_every_model_the_sdk_generates_with_can_generate(provider: OpenAIProvider) -> None:
    """The SDK is the provider's newer word: chatgpt-image-latest, in the spec's edit enum only,
    is among its generation models."""
    names = sdk_generation_models()
    assert "chatgpt-image-latest" in names and "gpt-image-2.6-flare" in names
    offered = {info.name: info.capabilities.operations for info in provider.models()}
    assert {name for name in names if "generate" not in offered.get(name, ())} == set()


def test_spec_model_enums_cover_the_table(provider: OpenAIProvider) -> None:
    """Every model in the table is named by the spec, or for generation by the SDK, for each
    operation it claims."""
    schemas = components()["schemas"]

    def enum(schema: str) -> set[str]:
        model = copy.deepcopy(schemas[schema]["properties"]["model"])
        options = model["anyOf"][0]["anyOf"] if "anyOf" in model["anyOf"][0] else model["anyOf"]
        return {v for option in options for v in option.get("enum", [])}

    by_operation = {
        "generate": enum("CreateImageRequest"),
        "edit": enum("CreateImageEditRequest"),
        "variation": enum("CreateImageVariationRequest"),
    }
    newer = set(typing.get_args(ImageModel))  # the SDK's list, newer than the spec snapshot
    in_spec = set().union(*by_operation.values())
    dated = {"gpt-image-1.5-2025-12-16"}  # named by OpenAI's deprecations page only
    for info in provider.models():
        if info.name in dated:
            continue
        if info.name not in in_spec:  # a model the snapshot predates: the SDK names it
            assert info.name in newer, info.name
            continue
        for operation in info.capabilities.operations:
            named = by_operation[operation] | (
                sdk_generation_models() if operation == "generate" else set()
            )
            assert info.name in named, (info.name, operation)


def test_a_json_edit_refuses_a_mask_of_4_mb_as_the_multipart_form_does(
    provider: OpenAIProvider,
    make_call: Any,
    png: bytes,
    mask_png: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """OpenAI takes masks under 4 MB in either form; the JSON form (an image given as a file
    id) sent a larger one."""
    monkeypatch.setattr("limner_openai.uploads.MAX_UPLOAD_BYTES", len(mask_png))
    for images in ([png], [{"file_id": "file-abc"}]):
        call = make_call("gpt-image-1", "edit", images=images, mask=mask_png, prompt="x")
        with pytest.raises(PayloadTooLargeError) as caught:
            provider.translate(call)
        assert caught.value.param == "mask"
