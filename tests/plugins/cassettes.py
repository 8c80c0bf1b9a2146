"""vcrpy support shared by every provider plugin's cassette tests.

Cassettes live in ``cassettes/<provider>/<test module>/<test name>.yaml`` at the repository root.
They replay with record mode ``none`` (set in pyproject.toml), so CI never touches the network.

Only the tests marked ``live`` are ever recorded, by a maintainer with keys::

    OPENAI_API_KEY=sk-... .venv/bin/python -m pytest tests/plugins -m live --record-mode=rewrite

Recording filters every credential header, drops cookies and tracking headers, replaces large
base64 images with a 1x1 PNG, redacts account ids, URL signatures and quoted keys in the answer
(:func:`scrub`), and stamps the cassette with a ``provenance`` block saying it was recorded live,
when, and by which test. See ``cassettes/README.md`` (and ``tests/plugins/conftest.py`` for which
tests record).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email.parser
import email.policy
import hashlib
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import yaml

import limner

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes"

SECRET_HEADERS = (
    "authorization",
    "x-api-key",
    "x-goog-api-key",
    "api-key",
    "cookie",
    "openai-organization",
    "openai-project",
    "x-amz-security-token",
    "x-amz-date",
)
DROPPED_RESPONSE_HEADERS = (
    "set-cookie",
    "cf-ray",
    "openai-organization",
    "openai-project",
    "content-length",  # the recorded body's, which shrinking and scrubbing change
)
CREDENTIAL_ENVIRONMENT = (
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "STABILITY_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_BEARER_TOKEN_BEDROCK",
)
"""Credentials a recording may use: an answer that quotes one has it redacted."""
_ACCOUNT_IDS = re.compile(r"\b(org-|user-|proj-|proj_)[A-Za-z0-9]{8,}")  # OpenAI's project: proj_
_URL_SIGNATURE = re.compile(
    r'([?&](?:sig|Signature|X-Amz-Signature|X-Goog-Signature)=)[^&"\\\s]+'  # (not a \ escape)
)
_MASKED_KEY = re.compile(r"\b(?:sk|pk)-[A-Za-z0-9_-]*\*{4,}[A-Za-z0-9_-]*")
TINY_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5273fcf0000000049454e44ae426082"
    )
).decode()
_BIG_B64 = 2048


_IMAGE_STARTS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")


def _is_image_b64(value: str) -> bool:
    """A long base64 string whose bytes start as an image does (PNG, JPEG, GIF, WebP), under
    whatever key a provider puts it: ``b64_json``, ``inlineData.data``, ``bytesBase64Encoded``,
    Nova's ``images[]``, Stability's ``image``. Opaque tokens (a thought signature) are kept."""
    if len(value) <= _BIG_B64:
        return False
    try:
        head = base64.b64decode(value[:64], validate=True)
    except ValueError:
        return False
    return head.startswith(_IMAGE_STARTS)


def shrink_images(value: Any) -> Any:
    """Replace every long base64 image, at any depth, with a 1x1 PNG."""
    if isinstance(value, str):
        return TINY_PNG if _is_image_b64(value) else value
    if isinstance(value, dict):
        return {key: shrink_images(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shrink_images(item) for item in value]
    return value


def scrub_text(text: str) -> str:
    """``text`` without account and project ids (``org-...``, ``user-...``), URL signatures
    (``sig=``), keys an error quotes masked (``sk-abc***...wxyz``), or any credential of the
    recording's environment."""
    for name in CREDENTIAL_ENVIRONMENT:
        secret = os.environ.get(name)
        if secret and len(secret) >= 8:
            text = text.replace(secret, "<redacted>")
    text = _ACCOUNT_IDS.sub(lambda found: f"{found.group(1)}<redacted>", text)
    text = _URL_SIGNATURE.sub(lambda found: f"{found.group(1)}<redacted>", text)
    return _MASKED_KEY.sub("<redacted>", text)


def scrub(value: Any) -> Any:
    """A response document with every long base64 image shrunk and every string scrubbed
    (:func:`scrub_text`), at any depth."""
    value = shrink_images(value)
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


def before_record_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            del headers[name]
    body = response.get("body", {}).get("string")
    if body:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError):  # text is scrubbed; image bytes kept as sent
            if isinstance(body, bytes) and not body.startswith(_IMAGE_STARTS):
                with contextlib.suppress(UnicodeDecodeError):
                    response["body"]["string"] = scrub_text(body.decode()).encode()
            return response
        response["body"]["string"] = json.dumps(scrub(document)).encode()
    return response


def _multipart_parts(body: bytes, content_type: str) -> list[tuple[str, str | None, str, str]]:
    """(field name, filename, content type, sha256 or text) per part, ignoring the boundary."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes | None)
        payload = payload or b""
        value = hashlib.sha256(payload).hexdigest() if filename else payload.decode()
        parts.append((str(name), filename, part.get_content_type(), value))
    return sorted(parts, key=lambda item: (item[0], item[1] or "", item[3]))


def _header(request: Any, wanted: str) -> str | None:
    for name, value in request.headers.items():
        if name.lower() == wanted:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _content_type(request: Any) -> str:
    return _header(request, "content-type") or ""


def accept_matcher(recorded: Any, sent: Any) -> None:
    """The ``accept`` header, where the recording has one: it chooses the answer's form (JSON or
    image bytes for Stability, the body type for Bedrock)."""
    expected = _header(recorded, "accept")
    if expected is not None:
        assert _header(sent, "accept") == expected


CREDENTIAL_HEADERS = frozenset(SECRET_HEADERS) - {"cookie"}


def _credentials(request: Any) -> set[str]:
    return {name.lower() for name in request.headers if name.lower() in CREDENTIAL_HEADERS}


_VARYING_HEADERS = frozenset({"user-agent", "content-length"})
"""Request headers whose value changes with no change in what limner asks: its version, and
the length of a multipart body (whose boundary is random)."""


def _compared_headers(request: Any) -> dict[str, str]:
    """``request``'s headers as a cassette compares them: every one but a credential (whose
    value a cassette does not keep, :func:`_credentials` compares names) and a varying one;
    the body's media type without a multipart boundary."""
    headers = {}
    for name, value in request.headers.items():
        name = name.lower()
        if name in CREDENTIAL_HEADERS or name in _VARYING_HEADERS:
            continue
        text = str(value[0] if isinstance(value, list) else value)
        headers[name] = text.split(";")[0] if name == "content-type" else text
    return headers


def headers_matcher(recorded: Any, sent: Any) -> None:
    """Every header limner sets, by name and value (so a header added, dropped or changed
    fails the replay), and which credential headers the request carries: a cassette keeps
    their names, not their values."""
    assert _compared_headers(recorded) == _compared_headers(sent)
    assert _credentials(recorded) == _credentials(sent)


def body_matcher(recorded: Any, sent: Any) -> None:
    """Match JSON bodies as data and multipart bodies part by part (the boundary is random)."""
    kind = _content_type(sent)
    if kind.startswith("application/json"):
        assert json.loads(recorded.body or b"null") == json.loads(sent.body or b"null")
    elif kind.startswith("multipart/form-data"):
        assert _multipart_parts(recorded.body, _content_type(recorded)) == _multipart_parts(
            sent.body, kind
        )
    else:
        assert recorded.body == sent.body


class ProvenanceSerializer:
    """YAML cassettes with a ``provenance`` block. A cassette written by vcrpy is, by definition,
    recorded live; hand-built cassettes carry their own provenance saying what they were built
    from."""

    @staticmethod
    def deserialize(cassette_string: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.safe_load(cassette_string)
        return data

    def serialize(self, cassette_dict: dict[str, Any]) -> str:
        # pytest names the running test (``path::name (call)``) while the cassette is saved
        test = os.environ.get("PYTEST_CURRENT_TEST", "pytest --record-mode=rewrite")
        document = {
            "provenance": {
                "kind": "recorded live",
                "recorded_on": dt.date.today().isoformat(),
                "by": test.rsplit(" (", 1)[0],
                "note": "credentials filtered, large base64 images replaced by a 1x1 PNG",
            },
            **cassette_dict,
        }
        return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def shared_folder(argv: list[str]) -> Path:
    """The folder the cassette builders read (provider notes, specs and public recordings): the
    first argument, or ``shared`` beside the checkout. Missing, the builder stops saying so."""
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared"
    if not (shared / "real-cassettes").is_dir():
        raise SystemExit(
            f"{shared} holds no real-cassettes folder. The builders read the public recordings, "
            "provider notes and specs kept in a folder named shared beside this checkout; pass "
            "its path as the first argument."
        )
    return shared


async def built_body(request: Any) -> tuple[bytes | None, str | None]:
    """``request``'s body as sent (:func:`limner.http.encode_body`), for a built cassette, with a
    multipart boundary made from the parts themselves instead of a random one: rebuilding an
    unchanged request writes the same file, so a rebuild's diff shows only real changes."""
    from limner.http import encode_body

    body, content_type = await encode_body(request)
    if body is None or content_type is None or "boundary=" not in content_type:
        return body, content_type
    boundary = content_type.split("boundary=", 1)[1].strip('"')
    digest = hashlib.sha256(body.replace(boundary.encode(), b"")).hexdigest()[:32]
    stable = f"limner-{digest}"
    return body.replace(boundary.encode(), stable.encode()), content_type.replace(boundary, stable)


@contextlib.asynccontextmanager
async def keyed_client(provider: str, *env: str) -> AsyncIterator[limner.AsyncClient]:
    """A client of ``provider`` with the key from the first of the environment variables ``env``
    that is set (a maintainer recording), else a placeholder: a replay matches the credential
    header's name, not its value, which recordings redact."""
    key = next((os.environ[name] for name in env if os.environ.get(name)), "replay-not-a-real-key")
    async with limner.AsyncClient(providers={provider: {"api_key": key}}, environ={}) as client:
        yield client
