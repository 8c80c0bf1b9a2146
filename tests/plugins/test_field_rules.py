"""Rules between request fields that the built-in plugins declare (``Capabilities.field_rules``):
refused before anything is sent, even in a dry run, naming the field; published in the models'
request schemas."""

from __future__ import annotations

from typing import Any

import pytest

import limner

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x04\x00\x09\xfb\x03\xfd\xe3U\xf2\x9c\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
NOVA = "amazon/amazon.nova-canvas-v1:0"


@pytest.mark.parametrize(
    ("model", "operation", "fields", "param", "reason"),
    [
        (
            "openai/gpt-image-1",
            "generate",
            {"output_format": "jpeg", "background": "transparent"},
            "background",
            "JPEG has no transparency",
        ),
        (
            "stabilityai/sd3.5-large",
            "edit",
            {"edit_mode": "outpaint", "mask": PNG},
            "mask",
            "only inpaint and erase take a mask",
        ),
        (
            "stabilityai/stable-image-ultra",
            "edit",
            {"edit_mode": "remove-background", "n": 2},
            "n",
            "takes no seed",
        ),
        (
            "stabilityai/stable-image-ultra",
            "edit",
            {"edit_mode": "remove-background", "output_format": "jpeg"},
            "output_format",
            "returns png or webp only",
        ),
        (NOVA, "edit", {"edit_mode": "variation", "mask": PNG}, "mask", "take no mask"),
        (NOVA, "edit", {"edit_mode": "remove-background", "n": 3}, "n", "returns one image"),
    ],
)
async def test_refused_before_anything_is_sent(
    model: str, operation: limner.Operation, fields: dict[str, Any], param: str, reason: str
) -> None:
    async with limner.AsyncClient(environ={}) as client:
        call = client.images.generate if operation == "generate" else client.images.edit
        extra: dict[str, Any] = {"image": PNG} if operation == "edit" else {}
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await call(model=model, prompt="x", dry_run=True, **extra, **fields)
        schema = client.models.schema(model, operation)
    assert caught.value.param == param
    assert reason in caught.value.message
    assert any(reason in rule["description"] for rule in schema["allOf"])
