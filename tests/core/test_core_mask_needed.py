"""``Capabilities.edit_modes_needing_mask`` and ``mask_from_alpha``: an edit that needs a mask is
refused without one, before translation, naming ``mask``, and the published JSON Schema says the
same; where the image's transparent pixels may stand in for a mask, the plugin decides."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

import limner
from limner.arguments import build_request
from limner.capabilities import Capabilities, ModelInfo
from limner.schema import request_schema
from limner.validation import validate_request


def _model(**capabilities: Any) -> ModelInfo:
    return ModelInfo(
        id="acme/painter",
        provider="acme",
        name="painter",
        capabilities=Capabilities(
            operations=("edit",), max_input_images=1, mask=True, **capabilities
        ),
    )


ALL_NEED = _model(
    edit_modes=("inpaint", "outpaint"), edit_modes_needing_mask=("inpaint", "outpaint")
)
SOME_NEED = _model(edit_modes=("reimagine", "inpaint"), edit_modes_needing_mask=("inpaint",))
ALPHA = _model(
    edit_modes=("inpaint", "outpaint"), edit_modes_needing_mask=("inpaint",), mask_from_alpha=True
)


def _refusal(model: ModelInfo, **fields: Any) -> str | None:
    """The message of core's refusal of an edit with ``fields``, or ``None`` when it passes;
    the published schema agrees with it."""
    document = {"model": model.id, "prompt": "a hat", "images": ["<image>"], **fields}
    request = build_request(limner.EditRequest, {**document, "images": [b"img"], **_bytes(fields)})
    schema_says = jsonschema.Draft202012Validator(request_schema(model, "edit")).is_valid(document)
    try:
        validate_request(model, "edit", request)
    except limner.InvalidRequestError as error:
        assert (error.param, error.code) == ("mask", "missing_required_parameter")
        assert not schema_says, fields
        return error.message
    assert schema_says, fields
    return None


def _bytes(fields: dict[str, Any]) -> dict[str, Any]:
    return {"mask": b"img"} if "mask" in fields else {}


def test_a_model_whose_every_edit_needs_a_mask() -> None:
    assert _refusal(ALL_NEED) == (
        "mask: acme/painter's edits need a mask, whose transparent pixels mark the area to change"
    )
    assert _refusal(ALL_NEED, edit_mode="outpaint") == (
        "mask: acme/painter's outpaint edits need a mask, whose transparent pixels mark the area "
        "to change"
    )
    assert _refusal(ALL_NEED, mask="<image>") is None
    assert _refusal(ALL_NEED, edit_mode="outpaint", mask="<image>") is None


def test_a_model_with_some_edit_modes_needing_a_mask() -> None:
    assert _refusal(SOME_NEED) is None  # edit_mode unset: the plugin picks
    assert _refusal(SOME_NEED, edit_mode="reimagine") is None
    assert _refusal(SOME_NEED, edit_mode="inpaint") is not None
    assert _refusal(SOME_NEED, edit_mode="inpaint", mask="<image>") is None


def test_a_model_that_reads_the_mask_from_alpha_is_left_to_its_plugin() -> None:
    assert _refusal(ALPHA, edit_mode="inpaint") is None


@pytest.mark.parametrize(
    ("model", "needing", "from_alpha"),
    [
        ("google/imagen-3.0-capability-001", ("inpaint", "erase", "outpaint"), False),
        ("stabilityai/sd3.5-large", ("inpaint", "erase"), True),
        ("amazon/amazon.nova-canvas-v1:0", ("inpaint", "outpaint", "erase"), True),
        ("openai/gpt-image-2", (), False),
    ],
)
def test_the_built_in_models_say_which_edits_need_a_mask(
    model: str, needing: tuple[str, ...], from_alpha: bool
) -> None:
    caps = limner.Client(environ={}).models.retrieve(model).capabilities
    assert (caps.edit_modes_needing_mask, caps.mask_from_alpha) == (needing, from_alpha)


async def test_an_imagen_edit_without_a_mask_is_refused_before_translation() -> None:
    settings = {"google": {"vertexai": True, "project": "p", "location": "us-central1"}}
    async with limner.AsyncClient(providers=settings, environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.edit(
                model="google/imagen-3.0-capability-001",
                prompt="a hat",
                image=_png(),
                edit_mode="erase",
                dry_run=True,
            )
    assert caught.value.param == "mask"
    assert "erase edits need a mask" in caught.value.message


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, format="PNG")
    return out.getvalue()
