"""What an empty ``aspect_ratios`` or ``image_sizes`` means, for a tool reading capabilities: on
every built-in model, a model (or operation) with ``size_rules`` computes a size from the value,
and one without drops it, reported: the rule the Capabilities docstring gives."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

import limner
from limner.capabilities import ModelInfo, Operation
from limner.plugins import default_registry

PROVIDERS: dict[str, dict[str, Any]] = {
    "openai": {"api_key": "sk-test"},
    "google": {"vertexai": True, "project": "p", "location": "global"},
    "stability": {"api_key": "sk-test"},
    "amazon": {"region": "us-east-1"},
}
FIELDS = {"aspect_ratios": ("aspect_ratio", "16:9"), "image_sizes": ("image_size", "2K")}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (512, 512), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def _cases() -> list[tuple[ModelInfo, Operation, str]]:
    cases = []
    operations: tuple[Operation, ...] = ("generate", "edit")
    for model in default_registry().models():
        for operation in operations:
            if operation not in model.capabilities.operations:
                continue
            caps = model.capabilities.for_operation(operation)
            cases += [(model, operation, name) for name in FIELDS if not getattr(caps, name)]
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("model", "operation", "listed"), CASES, ids=[f"{m.id}:{op}:{f}" for m, op, f in CASES]
)
async def test_an_empty_list_is_computed_with_size_rules_and_dropped_without(
    model: ModelInfo, operation: Operation, listed: str
) -> None:
    caps = model.capabilities.for_operation(operation)
    field, value = FIELDS[listed]
    ask: dict[str, Any] = {"model": model.id, "prompt": "a fox", "image_config": {field: value}}
    if operation == "edit":
        ask["image"] = _png()
        if caps.edit_modes_needing_mask and not caps.mask_from_alpha:
            ask["mask"] = _png()
    async with limner.AsyncClient(providers=PROVIDERS, environ={}) as client:
        call: Any = client.images.generate if operation == "generate" else client.images.edit
        plan = await call(**ask, dry_run=True)
    params = (f"image_config.{field}", "image_config")  # (the whole of it, for some)
    said = [a for a in plan.adjustments if a.param in params]
    assert said  # computed into a size, or dropped: reported either way
    assert any(a.applied is None for a in said) == (caps.size_rules is None), said
