"""The recording side of the cassette support: what a maintainer's live recording would keep."""

from __future__ import annotations

import base64
import io
import json

import pytest
import yaml
from PIL import Image

from .cassettes import TINY_PNG, ProvenanceSerializer, before_record_response, shrink_images


def _b64(fmt: str, size: int = 128) -> str:
    out = io.BytesIO()
    Image.effect_noise((size, size), 64).convert("RGB").save(out, format=fmt)
    return base64.b64encode(out.getvalue()).decode()


def test_images_are_shrunk_under_every_providers_key() -> None:
    png, jpeg, webp = _b64("PNG"), _b64("JPEG"), _b64("WEBP")
    signature = base64.b64encode(bytes(range(256)) * 16).decode()  # opaque, not an image
    answers = {
        "openai": {"data": [{"b64_json": png}]},
        "gemini": {
            "candidates": [
                {
                    "content": {
                        "parts": [
                            {"inlineData": {"mimeType": "image/jpeg", "data": jpeg}},
                            {"text": "hi", "thoughtSignature": signature},
                        ]
                    }
                }
            ]
        },
        "imagen": {"predictions": [{"bytesBase64Encoded": webp, "mimeType": "image/webp"}]},
        "nova": {"images": [png, png]},
        "stability": {"image": png, "finish_reason": "SUCCESS", "seed": 1},
    }
    shrunk = shrink_images(answers)
    assert shrunk["openai"]["data"][0]["b64_json"] == TINY_PNG
    parts = shrunk["gemini"]["candidates"][0]["content"]["parts"]
    assert parts[0]["inlineData"] == {"mimeType": "image/jpeg", "data": TINY_PNG}
    assert parts[1] == {"text": "hi", "thoughtSignature": signature}  # kept: not an image
    assert shrunk["imagen"]["predictions"][0]["bytesBase64Encoded"] == TINY_PNG
    assert shrunk["nova"]["images"] == [TINY_PNG, TINY_PNG]
    assert shrunk["stability"] == {"image": TINY_PNG, "finish_reason": "SUCCESS", "seed": 1}


def test_a_recorded_response_is_shrunk_and_loses_its_cookies() -> None:
    response = {
        "headers": {"Set-Cookie": ["a=b"], "content-type": ["application/json"]},
        "body": {"string": json.dumps({"images": [_b64("PNG")]}).encode()},
    }
    kept = before_record_response(response)
    assert "Set-Cookie" not in kept["headers"]
    assert json.loads(kept["body"]["string"]) == {"images": [TINY_PNG]}


def test_a_live_recording_names_the_test_that_made_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "PYTEST_CURRENT_TEST", "tests/plugins/openai/test_cassettes.py::test_x (call)"
    )
    text = ProvenanceSerializer().serialize({"interactions": [], "version": 1})
    provenance = yaml.safe_load(text)["provenance"]
    assert provenance["kind"] == "recorded live"
    assert provenance["by"] == "tests/plugins/openai/test_cassettes.py::test_x"
