"""Build the Nova Canvas cassettes (no AWS account needed).

    .venv/bin/python -m tests.plugins.nova_canvas.build_cassettes

No live recording of Nova Canvas exists (none in limner, none in the public projects searched; see
data/SOURCE.md). So each cassette pairs the request limner itself sends for the test's call
(credentials redacted) with a response **built from the documented wire format**
(``shared/providers/nova-canvas.md`` §3-§4: ``{"images": [...]}``, the 200 ``error`` text of the
output filter) — or, for the error cassette, the **real recorded** Bedrock 403
(data/dd-trace-py__meta_invoke_error.yaml). Every cassette's ``provenance`` block says which.

They are never re-recorded (a recording run skips them; see ``cassettes/README.md``): the tests
assert these sources' values, and amazon.nova-canvas-v1:0 is shut down.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

import limner

from ..cassettes import TINY_PNG, built_body
from .support import DATA, KEYS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUT = ROOT / "cassettes" / "nova_canvas" / "test_nova_cassettes"
SPEC = (
    "shared/providers/nova-canvas.md §3 (response {'images': [<base64 PNG>]}, [AWS-EX] "
    "response_body.get('images')) and §4 (200 'error' of the output content filter, [AWS-ERR])"
)
REAL = (
    "REAL recording: DataDog/dd-trace-py tests/contrib/botocore/bedrock_cassettes/"
    "meta_invoke_error.yaml @ 2192e8db5ad9179d9f84ffaddf9f9033f847ba60 (status, body and the "
    "x-amzn-ErrorType / x-amzn-RequestId headers verbatim; its request was for another model)"
)
CASES: list[tuple[str, str, dict[str, Any], int, Any, dict[str, list[str]], str]] = [
    (
        "text_image",
        "generate",
        {"prompt": "a lighthouse at dusk", "size": "1280x720", "quality": "premium", "n": 2},
        200,
        {"images": [TINY_PNG, TINY_PNG]},
        {},
        SPEC,
    ),
    (
        "inpaint_mask_prompt",
        "edit",
        {
            "prompt": "a red leather sofa",
            "image": "image",
            "provider_options": {"amazon": {"mask_prompt": "the sofa"}},
        },
        200,
        {"images": [TINY_PNG]},
        {},
        SPEC,
    ),
    (
        "partial_content_filter",
        "generate",
        {"prompt": "a crowd at a concert", "n": 3},
        200,
        {
            "images": [TINY_PNG],
            "error": "Some of the generated images have been blocked by our content filters.",
        },
        {},
        SPEC,
    ),
]


async def wire(client: limner.AsyncClient, operation: str, **params: Any) -> dict[str, Any]:
    """The request limner sends for this call, credentials redacted, as a vcrpy entry."""
    engine = client._engine
    if operation == "edit":
        from .test_nova_cassettes import image  # the test's own input image

        params["images"] = [image()]
        params.pop("image")
    kinds: dict[str, type[limner.GenerateRequest] | type[limner.EditRequest]] = {
        "generate": limner.GenerateRequest,
        "edit": limner.EditRequest,
    }
    request = limner.arguments.build_request(kinds[operation], params)
    plan = await engine._plan(operation, request, sending=False)  # type: ignore[arg-type]
    sent = plan.provider.authorize(plan.translations[0].request, plan.settings, dry_run=True)
    body, content_type = await built_body(sent)
    headers = {name: [value] for name, value in sent.redacted_headers().items()}
    headers["x-amz-date"] = ["<redacted>"]
    headers["content-type"] = [str(content_type)]
    return {
        "method": sent.method,
        "uri": sent.url,
        "body": body.decode() if body else "",
        "headers": headers,
    }


def document(
    request: dict[str, Any], status: int, body: Any, headers: dict[str, list[str]], source: str
) -> str:
    real = source.startswith("REAL")
    provenance = {
        "kind": (
            "response recorded from the real service by a public project (not by limner)"
            if real
            else "built from the documented wire format: no live recording of Nova Canvas exists"
        ),
        "request": "made by limner itself (tests/plugins/nova_canvas/build_cassettes.py), "
        "credentials redacted",
        "response": source,
        "note": "base64 images are a 1x1 PNG" if not real else "model in the original: meta.llama2",
    }
    response_headers = {"Content-Type": ["application/json"], **headers}
    text = body if isinstance(body, str) else __import__("json").dumps(body)
    interaction = {
        "request": request,
        "response": {
            "status": {"code": status, "message": "OK" if status == 200 else "Forbidden"},
            "headers": response_headers,
            "body": {"string": text},
        },
    }
    data = {"provenance": provenance, "interactions": [interaction], "version": 1}
    return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


def real_expired_token() -> tuple[int, str, dict[str, list[str]]]:
    recorded = yaml.safe_load((DATA / "dd-trace-py__meta_invoke_error.yaml").read_text())
    response = recorded["interactions"][0]["response"]
    keep = ("x-amzn-ErrorType", "x-amzn-RequestId")
    headers = {name: response["headers"][name] for name in keep}
    return response["status"]["code"], response["body"]["string"], headers


async def build() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    providers = {"amazon": {"region": "us-east-1", **KEYS}}
    status, text, headers = real_expired_token()
    cases = [
        *CASES,
        ("expired_token", "generate", {"prompt": "a fox"}, status, text, headers, REAL),
    ]
    async with limner.AsyncClient(providers=providers, environ={}) as client:
        for name, operation, params, code, body, extra, source in cases:
            request = await wire(
                client, operation, model="amazon/amazon.nova-canvas-v1:0", **params
            )
            path = OUT / f"test_{name}.yaml"
            path.write_text(document(request, code, body, extra, source))
            written.append(path)
    # The negative test replays this cassette with a different prompt, which must not match.
    decoy = OUT / "test_changed_request_does_not_match.yaml"
    decoy.write_text((OUT / "test_expired_token.yaml").read_text())
    return [*written, decoy]


def main() -> None:
    for path in asyncio.run(build()):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
