"""Build the OpenAI cassettes from public recordings of the real API (no key needed).

    .venv/bin/python -m tests.plugins.openai.build_cassettes [PATH_TO_SHARED]

Each cassette pairs the request limner sends (made by limner itself, exactly as it would go on the
wire) with a response body recorded from the real service by a public project (``SOURCES`` below;
copies in ``../shared/real-cassettes/openai``). Input images for the edit and variation cassettes
are the very PNGs those recordings uploaded. Every cassette carries a ``provenance`` block saying
so; none is presented as a live recording of limner. To replace them with live recordings, see
``tests/plugins/cassettes.py``.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

import limner

from ..cassettes import TINY_PNG, built_body, shared_folder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUT = ROOT / "cassettes" / "openai" / "test_cassettes"
INPUTS = HERE / "data" / "cassette_inputs"
KEEP_RESPONSE_HEADERS = ("content-type", "openai-version", "openai-processing-ms", "x-request-id")

DD = "DataDog/dd-trace-py"
SOURCES: dict[str, dict[str, str]] = {
    "generate_dall_e_2_b64": {
        "file": "dd-trace-py__v1_image_create_b64_json__dall-e-2.yaml",
        "repository": DD,
        "path": "tests/contrib/openai/cassettes/v1/image_create_b64_json.yaml",
        "commit": "3bb9ecda22830e3303b18b0ffa5abe7586aef6a7",
    },
    "generate_dall_e_2_url": {
        "file": "dd-trace-py__v1_image_create__dall-e-2_url.yaml",
        "repository": DD,
        "path": "tests/contrib/openai/cassettes/v1/image_create.yaml",
        "commit": "3bb9ecda22830e3303b18b0ffa5abe7586aef6a7",
    },
    "edit_dall_e_2_mask": {
        "file": "dd-trace-py__image_create_edit_url__multipart_image_mask.yaml",
        "repository": DD,
        "path": "tests/contrib/openai/cassettes/image_create_edit_url.yaml",
        "commit": "b6f2020c6301fa4fb78e13214436b17de07ec487",
    },
    "variation_dall_e_2": {
        "file": "dd-trace-py__image_create_variation_url__multipart.yaml",
        "repository": DD,
        "path": "tests/contrib/openai/cassettes/image_create_variation_url.yaml",
        "commit": "b6f2020c6301fa4fb78e13214436b17de07ec487",
    },
    "edit_gpt_image_1": {
        "kind": "built from a test fixture of vercel/ai: an answer of the real API as that "
        "project saved it, its image cut short there (not recorded by limner)",
        "file": "vercel-ai__openai-image-edit__gpt-image.json",
        "repository": "vercel/ai",
        "path": "packages/openai/src/image/__fixtures__/openai-image-edit.json",
        "commit": "d7e3880f4afad1850ec9a1c948baf0221caa22b2",
    },
}


def recorded(shared: Path, name: str) -> dict[str, Any]:
    """The first interaction of a public recording, with its response body decoded (a saved
    JSON answer alone: its body, and no headers)."""
    path = shared / SOURCES[name]["file"]
    if path.suffix == ".json":
        return {"response_json": json.loads(path.read_text()), "response_headers": {}}
    document = yaml.safe_load(path.read_text())
    interaction: dict[str, Any] = document["interactions"][0]
    response = interaction["response"]
    body = response.get("body", {}).get("string", response.get("content", b""))
    if isinstance(body, bytes) and body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    if isinstance(body, bytes):
        body = body.decode()
    interaction["response_json"] = json.loads(body)
    interaction["response_headers"] = {
        k.lower(): v if isinstance(v, list) else [v] for k, v in response["headers"].items()
    }
    return interaction


def uploaded_parts(interaction: dict[str, Any]) -> dict[str, bytes]:
    """The file parts of a recorded multipart request, by field name."""
    import email.parser
    import email.policy

    request = interaction["request"]
    content_type = next(v for k, v in request["headers"].items() if k.lower() == "content-type")
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request["body"]
    )
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        if part.get_filename():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[name] = payload
    return parts


def small_png(data: bytes, side: int = 64) -> bytes:
    """The recorded upload scaled down, so the cassette stays small (alpha kept)."""
    with Image.open(io.BytesIO(data)) as image:
        resized = image.convert("RGBA").resize((side, side))
    out = io.BytesIO()
    resized.save(out, format="PNG", optimize=True)
    return out.getvalue()


async def wire(client: limner.AsyncClient, operation: str, **params: Any) -> dict[str, Any]:
    """The request limner sends for this call, as a vcrpy request entry."""
    engine = client._engine
    if operation == "edit":
        params["images"] = params.pop("image")
    kinds: dict[
        str, type[limner.GenerateRequest] | type[limner.EditRequest] | type[limner.VariationRequest]
    ] = {
        "generate": limner.GenerateRequest,
        "edit": limner.EditRequest,
        "variation": limner.VariationRequest,
    }
    request = limner.arguments.build_request(kinds[operation], params)
    plan = await engine._plan(operation, request, sending=False)  # type: ignore[arg-type]
    sent = plan.provider.authorize(plan.translations[0].request, plan.settings, dry_run=True)
    body, content_type = await built_body(sent)
    headers = {name: [value] for name, value in sent.redacted_headers().items()}
    headers["content-type"] = [str(content_type)]
    return {"method": sent.method, "uri": sent.url, "body": body, "headers": headers}


def cassette(
    request: dict[str, Any],
    status: int,
    body: Any,
    headers: dict[str, list[str]],
    provenance: dict[str, Any],
) -> str:
    shrunk = _shrink(body)
    response_headers = {k: v for k, v in headers.items() if k in KEEP_RESPONSE_HEADERS}
    response_headers["content-type"] = ["application/json"]
    document = {
        "provenance": provenance,
        "interactions": [
            {
                "request": request,
                "response": {
                    "status": {"code": status, "message": "OK" if status == 200 else "Bad Request"},
                    "headers": response_headers,
                    "body": {"string": json.dumps(shrunk, indent=2)},
                },
            }
        ],
        "version": 1,
    }
    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100))


def _shrink(body: Any) -> Any:
    """The recorded answer with its images shrunk and its account ids and URL signatures
    redacted, as a live recording's are."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.plugins.cassettes import scrub

    return scrub(body)


def provenance(name: str, note: str) -> dict[str, Any]:
    source = SOURCES[name]
    return {
        "kind": source.get(
            "kind", "built from a public recording of the real service (not recorded by limner)"
        ),
        "request": "made by limner itself (tests/plugins/openai/build_cassettes.py)",
        "response": f"{source['repository']} {source['path']} @ {source['commit']}",
        "note": note,
    }


async def build(shared: Path) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    INPUTS.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    providers = {"openai": {"api_key": "sk-cassette-builder"}}
    async with limner.AsyncClient(providers=providers, environ={}) as client:
        for name, operation, params, note in await _cases(shared):
            real = recorded(shared, name)
            model = params.pop("model", "openai/dall-e-2")
            request = await wire(client, operation, model=model, **params)
            answer = real["response_json"]
            if name == "edit_gpt_image_1":  # its image was cut short where it was saved
                answer["data"][0]["b64_json"] = TINY_PNG
            text = cassette(
                request,
                200,
                answer,
                real["response_headers"],
                provenance(name, note),
            )
            path = OUT / f"test_{name}.yaml"
            path.write_text(text)
            written.append(path)
    # The negative test replays this cassette with a different prompt, which must not match.
    decoy = OUT / "test_changed_request_does_not_match_the_cassette.yaml"
    decoy.write_text((OUT / "test_generate_dall_e_2_url.yaml").read_text())
    written.append(decoy)
    return written


async def _cases(shared: Path) -> list[tuple[str, str, dict[str, Any], str]]:
    edit_parts = uploaded_parts(recorded(shared, "edit_dall_e_2_mask"))
    variation_parts = uploaded_parts(recorded(shared, "variation_dall_e_2"))
    files = {
        "edit_image.png": small_png(edit_parts["image"]),
        "edit_mask.png": small_png(edit_parts["mask"]),
        "variation_image.png": small_png(variation_parts["image"]),
    }
    for filename, data in files.items():
        (INPUTS / filename).write_bytes(data)
    image_note = (
        "input PNGs are the recording's own uploads, scaled to 64x64; the account ids and "
        "signature in the answer's URL redacted"
    )
    return [
        (
            "generate_dall_e_2_b64",
            "generate",
            {
                "prompt": "sleepy capybara with monkey on top",
                "size": "256x256",
                "response_format": "b64_json",
                "user": "ddtrace-test",
            },
            "response image replaced by a 1x1 PNG",
        ),
        (
            "generate_dall_e_2_url",
            "generate",
            {
                "prompt": "sleepy capybara with monkey on top",
                "size": "256x256",
                "response_format": "url",
                "user": "ddtrace-test",
            },
            "response as recorded, but for the account ids and the signature in its URL "
            "(redacted, as a live recording's are)",
        ),
        (
            "edit_dall_e_2_mask",
            "edit",
            {
                "prompt": "A sunlit indoor lounge area with a pool containing a flamingo",
                "image": INPUTS / "edit_image.png",
                "mask": INPUTS / "edit_mask.png",
                "size": "1024x1024",
                "response_format": "url",
            },
            image_note,
        ),
        (
            "edit_gpt_image_1",
            "edit",
            {
                "model": "openai/gpt-image-1",
                "prompt": "A sunlit indoor lounge area with a pool containing a flamingo",
                "image": INPUTS / "edit_image.png",
                "size": "1024x1024",
                "quality": "high",
            },
            "the answer as vercel/ai saved it (created, background, output_format, quality, "
            "size; no usage), its image, cut short there, replaced by a 1x1 PNG; the fixture "
            "names no model: it is paired with a gpt-image-1 request, whose echoed settings it "
            "matches; the input is the dall-e-2 edit recording's PNG, scaled to 64x64",
        ),
        (
            "variation_dall_e_2",
            "variation",
            {
                "image": INPUTS / "variation_image.png",
                "size": "1024x1024",
                "response_format": "url",
            },
            image_note,
        ),
    ]


def main() -> None:
    shared = shared_folder(sys.argv)
    for path in asyncio.run(build(shared / "real-cassettes" / "openai")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
