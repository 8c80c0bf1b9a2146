"""Every translated multipart form validated against Stability's own v2beta OpenAPI schemas.

The spec is ``data/stability-v2beta.subset.openapi.json``: the generate and edit paths of
Stability's v2beta document (Oct 2024, kousen/ai_samples @ c02de0ab; provenance and the command
that cuts it in ``data/SOURCE.md``). It predates SD 3.5, so the
differences the Jan 2026 copy makes current (``shared/providers/stability.md`` §2-§3) are applied
first, each listed in :data:`CHANGES_2026`. Forms are rebuilt into objects (numbers parsed back,
files as placeholders); on top of the schema (which allows unknown properties), every field sent
must be a declared property.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from limner import Translation
from limner_stability import StabilityProvider
from limner_stability.options import STYLE_PRESETS

from .conftest import MakeCall, png

SPEC = Path(__file__).resolve().parent / "data" / "stability-v2beta.subset.openapi.json"

_STYLE = {"type": "string", "enum": list(STYLE_PRESETS)}
_FORMATS = {"type": "string", "enum": ["png", "jpeg", "webp"]}
_SD3_MODELS = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"]

CHANGES_2026: dict[str, dict[str, Any]] = {
    # sd3: SD 3.5 model enum (+ flash, listed in the model description), webp, style_preset,
    # cfg_scale 1-10.
    "generate/sd3": {
        "model": {"type": "string", "enum": _SD3_MODELS},
        "output_format": _FORMATS,
        "style_preset": _STYLE,
        "cfg_scale": {"type": "number", "minimum": 1, "maximum": 10},
    },
    # ultra: optional start image with strength, and style_preset.
    "generate/ultra": {
        "image": {"type": "string", "format": "binary"},
        "strength": {"type": "number", "minimum": 0, "maximum": 1},
        "style_preset": _STYLE,
    },
    "edit/inpaint": {"style_preset": _STYLE},
    # outpaint: [SPEC-2024] combines its own 0-1 with the shared Creativity schema (0.2-0.5, the
    # creative upscaler's) through allOf; the 2026 notes give outpaint's creativity as 0-1.
    "edit/outpaint": {
        "style_preset": _STYLE,
        "creativity": {"type": "number", "minimum": 0, "maximum": 1},
    },
}
# [SPEC-2024] erase lists "prompt" as required but declares no such property; the 2026 notes
# give erase's required fields as image only. limner sends no prompt to erase.
REQUIRED_2026 = {"edit/erase": ["image"]}


@cache
def spec() -> dict[str, Any]:
    return dict(json.loads(SPEC.read_text()))


def form_schema(endpoint: str) -> dict[str, Any]:
    operation = spec()["paths"][f"/v2beta/stable-image/{endpoint}"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    schema = copy.deepcopy(schema)
    schema["properties"].update(CHANGES_2026.get(endpoint, {}))
    if endpoint in REQUIRED_2026:
        schema["required"] = REQUIRED_2026[endpoint]
    schema["components"] = spec()["components"]
    return dict(schema)


def rebuilt(translation: Translation, schema: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in translation.request.form:
        kind = json.dumps(schema["properties"].get(name, {}))
        number = '"number"' in kind or '"integer"' in kind or "Creativity" in kind
        body[name] = float(value) if number else value
    for part in translation.request.files:
        body[part.field] = "<binary>"
    return body


def check(translation: Translation) -> None:
    endpoint = translation.request.url.split("/v2beta/stable-image/", 1)[1]
    schema = form_schema(endpoint)
    body = rebuilt(translation, schema)
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(body)]
    assert errors == []
    assert set(body) <= set(schema["properties"])
    accept = spec()["paths"][f"/v2beta/stable-image/{endpoint}"]["post"]["parameters"]
    enum = next(p["schema"]["enum"] for p in accept if p["name"] == "accept")
    assert translation.request.headers["accept"] in enum


GENERATE = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"]


@pytest.mark.parametrize("name", [*GENERATE, "stable-image-core", "stable-image-ultra"])
def test_generate_forms(provider: StabilityProvider, make_call: MakeCall, name: str) -> None:
    options: dict[str, Any] = {"style_preset": "anime"}
    if name in GENERATE:
        options["cfg_scale"] = 5
    check(
        provider.translate(
            make_call(
                name,
                size="1792x1024",
                seed=4294967294,
                negative_prompt="x",
                output_format="jpeg",
                options=options,
            )
        )
    )


IMAGE, HOLED = png(64, 64), png(64, 64, mode="RGBA", hole=True)

EDITS: list[tuple[str, str | None, bytes | None, dict[str, Any]]] = [
    ("sd3.5-large", None, HOLED, {"grow_mask": 100, "style_preset": "enhance"}),
    ("sd3.5-medium", None, None, {"strength": 0.5, "cfg_scale": 2}),
    ("stable-image-ultra", "image-to-image", None, {"strength": 0.5}),
    ("sd3.5-large", "outpaint", None, {"right": 2000, "up": 1, "creativity": 1}),
    ("sd3.5-large", "erase", HOLED, {"grow_mask": 20}),
    ("sd3.5-large", "search-and-replace", None, {"search_prompt": "cat", "grow_mask": 0}),
    ("sd3.5-large", "search-and-recolor", None, {"select_prompt": "cat"}),
    ("sd3.5-large", "remove-background", None, {}),
]


@pytest.mark.parametrize(("name", "mode", "mask", "options"), EDITS)
def test_edit_forms(
    provider: StabilityProvider,
    make_call: MakeCall,
    name: str,
    mode: str | None,
    mask: bytes | None,
    options: dict[str, Any],
) -> None:
    call = make_call(
        name,
        "edit",
        images=[IMAGE],
        mask=mask,
        edit_mode=mode,
        seed=1,
        negative_prompt="fog",
        output_format="webp",
        options=options,
    )
    check(provider.translate(call))


def test_the_checker_catches_a_bad_form(provider: StabilityProvider, make_call: MakeCall) -> None:
    """The validation is real: an out-of-enum aspect ratio fails it."""
    translation = provider.translate(make_call("stable-image-core", size="1024x1024"))
    bad = Translation(
        request=type(translation.request)(
            method="POST",
            url=translation.request.url,
            headers=translation.request.headers,
            form=(("prompt", "p"), ("aspect_ratio", "4:3")),
        )
    )
    with pytest.raises(AssertionError):
        check(bad)
