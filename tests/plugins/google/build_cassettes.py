"""Build the Google cassettes from public recordings of the real service (no key needed).

    .venv/bin/python -m tests.plugins.google.build_cassettes [PATH_TO_SHARED]

Each cassette pairs the request limner sends (made by limner itself, exactly as it goes on the
wire) with an answer from ``SOURCES``: real Gemini calls recorded by pydantic-ai, Google's own
Firebase mock responses for Imagen, a vercel/ai capture. Image bytes are replaced by a 1x1 image
of the same format and ``thoughtSignature`` blobs (about 1 MB each) by a placeholder; everything
else is verbatim. Every cassette carries a ``provenance`` block saying so.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

import limner

from ..cassettes import built_body, shared_folder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUT = ROOT / "cassettes" / "google" / "test_google_cassettes"
PAI = ("pydantic/pydantic-ai", "4fda38988f2939fa6ea9cdefcf120693e10ef491")
FB = ("FirebaseExtended/vertexai-sdk-test-data", "2d6adfde6a9ab79867347fd1f9dfeaccf1c9e3d9")
VAI = ("vercel/ai", "d6a521af695d4b93550ad8602621828e33b54b3e")
PAI_DIR = "tests/models/cassettes/test_google/"
KINDS = {
    PAI[0]: "built from a public recording of the real service (not recorded by limner)",
    FB[0]: "built from Google's Firebase SDK test data (mock answers Google keeps for its SDK "
    "tests; not recorded by limner)",
    VAI[0]: "built from a vercel/ai test fixture (an answer that project keeps for its tests; "
    "not recorded by limner)",
}
"""What each source is, for the provenance."""
GEMINI = {"api_key": "cassette-builder"}
VERTEX = {"vertexai": True, "project": "pydantic-ai", "location": "global"}

# name: (shared file, interaction, source repo, path, settings, model, request params, note)
CASES: list[tuple[str, str, int, tuple[str, str], str, dict[str, Any], dict[str, Any]]] = [
    (
        "gemini_3_pro_image_with_text",
        "pydantic-ai__test_google_image_generation_with_text.yaml",
        0,
        PAI,
        PAI_DIR + "test_google_image_generation_with_text.yaml",
        GEMINI,
        {
            "model": "google/gemini-3-pro-image-preview",
            "prompt": "Generate an illustrated two-sentence story about an axolotl.",
        },
    ),
    (
        "gemini_text_only_answer",
        "pydantic-ai__test_google_image_or_text_output.yaml",
        0,
        PAI,
        PAI_DIR + "test_google_image_or_text_output.yaml (interaction 1)",
        GEMINI,
        {
            "model": "google/gemini-2.5-flash-image",
            "prompt": "Tell me a two-sentence story about an axolotl, no image please.",
        },
    ),
    (
        "gemini_2_5_flash_image",
        "pydantic-ai__test_google_image_or_text_output.yaml",
        1,
        PAI,
        PAI_DIR + "test_google_image_or_text_output.yaml (interaction 2)",
        GEMINI,
        {"model": "google/gemini-2.5-flash-image", "prompt": "Generate an image of an axolotl."},
    ),
    (
        "vertex_gemini_2_5_flash_image",
        "pydantic-ai__test_google_vertexai_image_generation.yaml",
        0,
        PAI,
        PAI_DIR + "test_google_vertexai_image_generation.yaml",
        VERTEX,
        {"model": "google/gemini-2.5-flash-image", "prompt": "Generate an image of an axolotl."},
    ),
    (
        "vertex_gemini_jpeg_output",
        "pydantic-ai__test_google_vertexai_image_generation_with_output_format.yaml",
        0,
        PAI,
        PAI_DIR + "test_google_vertexai_image_generation_with_output_format.yaml",
        VERTEX,
        {
            "model": "google/gemini-2.5-flash-image",
            "prompt": "Generate an image of an axolotl.",
            "output_format": "jpeg",
            "output_compression": 85,
        },
    ),
    (
        "vertex_imagen_four_images",
        "firebase-test-data__vertexai_unary-success-generate-images-base64.json",
        0,
        FB,
        "mock-responses/vertexai/unary-success-generate-images-base64.json",
        {**VERTEX, "location": "us-central1"},
        {"model": "google/imagen-4.0-generate-001", "prompt": "A red fox", "n": 4},
    ),
    (
        "vertex_imagen_some_filtered",
        "firebase-test-data__vertexai_unary-failure-generate-images-base64-some-filtered.json",
        0,
        FB,
        "mock-responses/vertexai/unary-failure-generate-images-base64-some-filtered.json",
        {**VERTEX, "location": "us-central1"},
        {"model": "google/imagen-4.0-generate-001", "prompt": "A red fox", "n": 4},
    ),
    (
        "vertex_imagen_enhanced_prompt",
        "vercel-ai__google-vertex-image.imagen-predict.json",
        0,
        VAI,
        "packages/google-vertex/src/__fixtures__/google-vertex-image.json",
        {**VERTEX, "location": "us-central1"},
        {
            "model": "google/imagen-4.0-fast-generate-001",
            "prompt": "A red circle on a white background",
            "n": 2,
            "provider_options": {"google": {"enhance_prompt": True}},
        },
    ),
]


def tiny(mime: str) -> str:
    """A 1x1 image of the recorded format."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1), (200, 40, 40)).save(out, format="JPEG" if "jpeg" in mime else "PNG")
    return base64.b64encode(out.getvalue()).decode()


def shrink(value: Any, mime: str = "image/png") -> Any:
    if isinstance(value, dict):
        mime = str(value.get("mimeType") or mime)
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ("bytesBase64Encoded",) or (key == "data" and "mimeType" in value):
                out[key] = tiny(mime)
            elif key == "thoughtSignature":
                out[key] = f"<thoughtSignature of {len(item)} chars, removed to keep this small>"
            else:
                out[key] = shrink(item, mime)
        return out
    if isinstance(value, list):
        return [shrink(item, mime) for item in value]
    return value


def answer(shared: Path, name: str, index: int) -> tuple[int, Any, Any]:
    """Status and body of the recorded answer, and the recorded request body (if any)."""
    path = shared / name
    if path.suffix == ".json":
        return 200, json.loads(path.read_text()), None
    interaction = yaml.safe_load(path.read_text())["interactions"][index]
    response = interaction["response"]
    sent = interaction["request"].get("parsed_body")
    return int(response["status"]["code"]), response["parsed_body"], sent


async def wire(params: dict[str, Any], google: dict[str, Any]) -> dict[str, Any]:
    """The request limner sends for this call, as a vcrpy request entry."""
    async with limner.AsyncClient(providers={"google": google}, environ={}) as client:
        request = limner.arguments.build_request(limner.GenerateRequest, params)
        plan = await client._engine._plan("generate", request, sending=False)
        sent = plan.provider.authorize(plan.translations[0].request, plan.settings, dry_run=True)
    body, content_type = await built_body(sent)
    headers = {name: [value] for name, value in sent.redacted_headers().items()}
    headers["content-type"] = [str(content_type)]
    return {"method": sent.method, "uri": sent.url, "body": body, "headers": headers}


async def build(shared: Path) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    for name, file, index, (repo, commit), path, google, params in CASES:
        status, body, recorded_request = answer(shared, file, index)
        document = {
            "provenance": {
                "kind": KINDS[repo],
                "request": "made by limner itself (tests/plugins/google/build_cassettes.py)",
                "response": f"{repo} {path} @ {commit}",
                "note": "image bytes replaced by a 1x1 image of the same format; "
                "thoughtSignature blobs replaced by a placeholder; all else verbatim",
                **({"recorded_request_body": recorded_request} if recorded_request else {}),
            },
            "interactions": [
                {
                    "request": await wire(params, google),
                    "response": {
                        "status": {"code": status, "message": "OK"},
                        "headers": {"content-type": ["application/json; charset=UTF-8"]},
                        "body": {"string": json.dumps(shrink(body), indent=1)},
                    },
                }
            ],
            "version": 1,
        }
        target = OUT / f"test_{name}.yaml"
        target.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))
        written.append(target)
    # The negative test replays this cassette with a different prompt, which must not match.
    decoy = OUT / "test_changed_request_does_not_match_the_cassette.yaml"
    decoy.write_text((OUT / "test_gemini_2_5_flash_image.yaml").read_text())
    return [*written, decoy]


def main() -> None:
    shared = shared_folder(sys.argv)
    for path in asyncio.run(build(shared / "real-cassettes" / "google")):
        print(path.relative_to(ROOT), path.stat().st_size)


if __name__ == "__main__":
    main()
