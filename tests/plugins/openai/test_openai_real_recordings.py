"""Real OpenAI traffic (recorded by public projects, see data/SOURCE.md) read by the provider.

Response bodies go through ``parse_response`` / ``parse_error``; recorded request bodies are
compared with what limner sends for the same call.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

import limner
from limner import WireResponse
from limner_openai import OpenAIProvider

DATA = Path(__file__).resolve().parent / "data"


def cassette(name: str) -> list[dict[str, Any]]:
    interactions: list[dict[str, Any]] = yaml.safe_load((DATA / name).read_text())["interactions"]
    return interactions


def _headers(raw: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v[0] if isinstance(v, list) else str(v) for k, v in raw.items()}


def wire_response(interaction: dict[str, Any]) -> WireResponse:
    """A vcrpy or go-vcr interaction's response as a WireResponse (gzip undone)."""
    response = interaction["response"]
    headers = _headers(response["headers"])
    body: Any = response.get("content")
    if body is None:
        body = (
            response["body"]["string"] if isinstance(response["body"], dict) else response["body"]
        )
    if isinstance(body, str):
        body = body.encode()
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    headers.pop("content-encoding", None)
    status = response.get("status")
    code = status["code"] if isinstance(status, dict) else response.get("code", 0)
    code = response.get("status_code", code)
    return WireResponse(status=int(code), headers=headers, body=body)


def json_file(name: str) -> WireResponse:
    return WireResponse(
        status=200, headers={"x-request-id": "req_fixture"}, body=(DATA / name).read_bytes()
    )


def parts(interaction: dict[str, Any]) -> list[tuple[str, str | None, bytes]]:
    request = interaction["request"]
    content_type = _headers(request["headers"])["content-type"]
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"]
    out = []
    for part in BytesParser(policy=HTTP).parsebytes(raw).iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        out.append((name, filename if isinstance(filename, str) else None, payload))
    return out


# ---- errors ------------------------------------------------------------------------------------


def test_unknown_parameter_error(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call("gpt-image-1", prompt="x")
    body = (DATA / "vercel-ai__gpt-image-response-format-error.json").read_bytes()
    response = WireResponse(status=400, headers={"x-request-id": "req_abc"}, body=body)
    error = provider.parse_error(call, response)
    assert type(error) is limner.InvalidRequestError
    assert error.param == "response_format"
    assert error.code == "unknown_parameter"
    assert error.message == (
        "OpenAI: Unknown parameter: 'response_format'. (parameter 'response_format') "
        "— fix the request and retry"
    )
    assert (error.provider, error.model, error.status_code, error.request_id) == (
        "openai",
        "openai/gpt-image-1",
        400,
        "req_abc",
    )
    assert error.retryable is False


# ---- GPT image responses -----------------------------------------------------------------------


def test_gpt_image_edit_echo_fields(provider: OpenAIProvider, make_call: Any, png: bytes) -> None:
    call = make_call("gpt-image-1", "edit", images=[png], prompt="x")
    result = provider.parse_response(
        call, json_file("vercel-ai__openai-image-edit__gpt-image.json")
    )
    assert (result.background, result.output_format, result.quality, result.size) == (
        "opaque",
        "png",
        "high",
        "1024x1024",
    )
    assert len(result.images) == 1
    image = result.images[0]
    assert image.url is None and image.revised_prompt is None
    # truncated by the fixture's authors, but the PNG header (with the C2PA caBX chunk) is real
    assert base64.b64decode(image.b64_json or "")[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"caBX" in base64.b64decode(image.b64_json or "")
    assert result.usage is None


def test_gpt_image_1_mini_recording(provider: OpenAIProvider, make_call: Any) -> None:
    (interaction,) = cassette("envoy-ai-gateway__image-generation-basic__gpt-image-1-mini.yaml")
    recorded = json.loads(interaction["request"]["body"])
    call = make_call("gpt-image-1-mini", **{k: v for k, v in recorded.items() if k != "model"})
    # the recorded body plus the explicit n limner always sends
    assert provider.translate(call).request.json == {**recorded, "n": 1}
    response = wire_response(interaction)
    assert response.request_id == "req_54999507941c487a8f1997287aaa8cf6"
    result = provider.parse_response(call, response)
    assert [image.url is not None for image in result.images] == [True]
    assert (result.images[0].url or "").startswith(
        "https://oaidalleapiprodscus.blob.core.windows.net/private/org-lKxIBdltrjcFbzboW0t1hthB/"
    )
    assert result.usage is None and result.size is None


# ---- DALL·E responses --------------------------------------------------------------------------


def test_dall_e_3_revised_prompt(provider: OpenAIProvider, make_call: Any) -> None:
    call = make_call("dall-e-3", prompt="x")
    result = provider.parse_response(call, json_file("vercel-ai__openai-image__dall-e-3.json"))
    assert [image.revised_prompt for image in result.images] == [
        "A small and adorable baby sea otter. This little creature is covered in a thick and "
        "fluffy brown fur, its tiny paws are slightly visible. The otter has bright, curious "
        "eyes and it's floating on its back on a calm sea, surrounded by floating seaweed.",
        None,
    ]
    assert all((image.b64_json or "").startswith("iVBORw0KGgo") for image in result.images)
    assert result.usage is None and result.output_format is None


def test_dall_e_2_url_recording(provider: OpenAIProvider, make_call: Any) -> None:
    (interaction,) = cassette("dd-trace-py__v1_image_create__dall-e-2_url.yaml")
    recorded = json.loads(interaction["request"]["body"])
    call = make_call("dall-e-2", **recorded)
    # the 2023 SDK sent no model (the server defaulted to dall-e-2); limner always names it
    assert provider.translate(call).request.json == {**recorded, "model": "dall-e-2"}
    response = wire_response(interaction)
    result = provider.parse_response(call, response)
    assert response.request_id == "887b63da9921d2ff54a77d9f075a2c1b"
    assert len(result.images) == 1
    assert "img-ZLW2TDaOavKzqtUuoadrIqTd.png" in (result.images[0].url or "")
    assert result.images[0].b64_json is None


def test_dall_e_2_b64_recording(provider: OpenAIProvider, make_call: Any) -> None:
    (interaction,) = cassette("dd-trace-py__v1_image_create_b64_json__dall-e-2.yaml")
    recorded = json.loads(interaction["request"]["body"])
    call = make_call("dall-e-2", **recorded)
    assert provider.translate(call).request.json == {**recorded, "model": "dall-e-2"}
    result = provider.parse_response(call, wire_response(interaction))
    (image,) = result.images
    assert image.url is None
    with Image.open(io.BytesIO(image.to_bytes())) as decoded:
        assert (decoded.format, decoded.size) == ("PNG", (256, 256))


def test_dall_e_2_openllmetry_recordings(provider: OpenAIProvider, make_call: Any) -> None:
    """Five real calls: 2024-02-27 quality=standard accepted; 2026-03-31 quality=standard
    refused as an unknown parameter (twice), then accepted without it (twice)."""
    interactions = cassette("openllmetry__test_image_gen_metrics__dall-e-2.yaml")
    statuses = [wire_response(interaction).status for interaction in interactions]
    assert statuses == [200, 400, 400, 200, 200]
    without_quality = json.loads(interactions[3]["request"]["body"])
    assert without_quality == {
        "prompt": "a white siamese cat",
        "model": "dall-e-2",
        "n": 1,
        "size": "256x256",
    }
    # limner never sends quality to dall-e-2: its body is the one the server accepted in 2026
    call = make_call("dall-e-2", prompt="a white siamese cat", size="256x256", quality="standard")
    assert provider.translate(call).request.json == without_quality
    for interaction in interactions:
        response = wire_response(interaction)
        if response.status == 200:
            result = provider.parse_response(call, response)
            assert len(result.images) == 1
            assert (result.images[0].url or "").startswith("https://oaidalleapiprodscus.blob")
        else:
            error = provider.parse_error(call, response)
            assert type(error) is limner.InvalidRequestError
            assert (error.param, error.code, error.status_code) == (
                "quality",
                "unknown_parameter",
                400,
            )
            assert (error.request_id or "").startswith("req_")


# ---- multipart recordings ----------------------------------------------------------------------


def test_edit_multipart_field_names(
    provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    (interaction,) = cassette(
        "dd-trace-py__image_create_edit_url__multipart_image_mask.trimmed.yaml"
    )
    recorded = parts(interaction)
    assert [(name, filename) for name, filename, _ in recorded] == [
        ("n", None),
        ("prompt", None),
        ("size", None),
        ("image", "image"),
        ("mask", "mask"),
    ]
    texts = {name: data.decode() for name, filename, data in recorded if filename is None}
    call = make_call(
        "dall-e-2",
        "edit",
        n=int(texts["n"]),
        images=[png],
        mask=mask_png,
        prompt=texts["prompt"],
        size=texts["size"],
    )
    translation = provider.translate(call)
    # the same text parts, plus the model the 2023 SDK left to the server's default
    assert sorted(translation.request.form) == sorted([*texts.items(), ("model", "dall-e-2")])
    assert [part.field for part in translation.request.files] == ["image", "mask"]
    assert [data[:8] for _, filename, data in recorded if filename] == [b"\x89PNG\r\n\x1a\n"] * 2
    result = provider.parse_response(call, wire_response(interaction))
    assert "img-JZJycFtXcnu07lLRp9D2k36a.png" in (result.images[0].url or "")


def test_variation_multipart_field_names(
    provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    (interaction,) = cassette("dd-trace-py__image_create_variation_url__multipart.trimmed.yaml")
    recorded = parts(interaction)
    assert [(name, filename) for name, filename, _ in recorded] == [
        ("n", None),
        ("size", None),
        ("response_format", None),
        ("image", "image"),
    ]
    texts = {name: data.decode() for name, filename, data in recorded if filename is None}
    call = make_call(
        "dall-e-2",
        "variation",
        n=int(texts["n"]),
        images=[png],
        size=texts["size"],
        response_format=texts["response_format"],
    )
    translation = provider.translate(call)
    assert sorted(translation.request.form) == sorted([*texts.items(), ("model", "dall-e-2")])
    assert [part.field for part in translation.request.files] == ["image"]
    result = provider.parse_response(call, wire_response(interaction))
    assert "img-Fwdl1X6lbcUCH1oS7rVAEEmq.png" in (result.images[0].url or "")


@pytest.mark.parametrize(
    "name",
    [
        "dd-trace-py__image_create_edit_url__multipart_image_mask.trimmed.yaml",
        "dd-trace-py__image_create_variation_url__multipart.trimmed.yaml",
    ],
)
def test_trimmed_recordings_stay_small(name: str) -> None:
    assert (DATA / name).stat().st_size < 300_000
    (interaction,) = cassette(name)
    assert all(len(data) <= 64 for _, filename, data in parts(interaction) if filename)
