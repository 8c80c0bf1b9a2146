"""The recording side of the cassette support: what a maintainer's live recording would keep."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
import yaml
from PIL import Image

from .cassettes import (
    TINY_PNG,
    ProvenanceSerializer,
    before_record_response,
    body_matcher,
    headers_matcher,
    shrink_images,
)


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


class _Request:
    """What vcrpy's matchers see of a request: its headers and body."""

    def __init__(self, headers: dict[str, str], body: bytes = b"") -> None:
        self.headers = headers
        self.body = body


def test_the_header_matcher_compares_media_type_and_credential_names() -> None:
    recorded = _Request({"authorization": "<redacted>", "content-type": "application/json"})
    headers_matcher(
        recorded, _Request({"Authorization": "Bearer sk-x", "Content-Type": "application/json"})
    )
    with pytest.raises(AssertionError):  # the credential sent under another name
        headers_matcher(recorded, _Request({"x-api-key": "k", "content-type": "application/json"}))
    with pytest.raises(AssertionError):  # no credential at all
        headers_matcher(recorded, _Request({"content-type": "application/json"}))
    with pytest.raises(AssertionError):  # another body type
        headers_matcher(recorded, _Request({"authorization": "x", "content-type": "text/plain"}))
    form = _Request({"content-type": "multipart/form-data; boundary=a"})
    headers_matcher(form, _Request({"content-type": "multipart/form-data; boundary=b"}))


def _form(boundary: str, part_type: str) -> tuple[bytes, str]:
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
        f"Content-Type: {part_type}\r\n\r\nDATA\r\n--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_multipart_part_matches_on_its_content_type_too() -> None:
    png_body, png_type = _form("a", "image/png")
    same_body, same_type = _form("b", "image/png")
    other_body, other_type = _form("c", "application/octet-stream")
    recorded = _Request({"content-type": png_type}, png_body)
    body_matcher(recorded, _Request({"content-type": same_type}, same_body))
    with pytest.raises(AssertionError):
        body_matcher(recorded, _Request({"content-type": other_type}, other_body))


def test_a_recording_scrubs_account_ids_signatures_quoted_keys_and_content_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STABILITY_API_KEY", "sk-live-secret-0123456789")
    url = (
        "https://example.blob.core.windows.net/private/org-OS4zcsDN8sF8E8Cd/user-uYJDLWPStCQHcYnk"
        "/img.png?st=2023&sig=Ab%2Bcd123"
    )
    document = {
        "data": [{"url": url}],
        "error": "Incorrect API key provided: sk-proj-********abcd",
        "project": "proj_a1B2c3D4e5F6g7H8",  # OpenAI's project ids, with an underscore
    }
    response = {
        "headers": {"Content-Length": ["34603"], "content-type": ["application/json"]},
        "body": {"string": json.dumps(document).encode()},
    }
    kept = before_record_response(response)
    assert "Content-Length" not in kept["headers"]
    scrubbed = json.loads(kept["body"]["string"])
    assert scrubbed["data"][0]["url"] == (
        "https://example.blob.core.windows.net/private/org-<redacted>/user-<redacted>"
        "/img.png?st=2023&sig=<redacted>"
    )
    assert scrubbed["error"] == "Incorrect API key provided: <redacted>"
    assert scrubbed["project"] == "proj_<redacted>"
    text = {
        "headers": {"content-type": ["text/plain"]},
        "body": {"string": b"bad key: sk-live-secret-0123456789"},
    }
    assert before_record_response(text)["body"]["string"] == b"bad key: <redacted>"


def test_no_cassette_holds_a_credential_or_an_account_id_and_each_says_how_it_was_made() -> None:
    """Every cassette in the repository: a provenance block first, credential headers redacted,
    no account ids or URL signatures in what it recorded."""
    from .cassettes import CASSETTES, CREDENTIAL_HEADERS, scrub_text

    paths = sorted(CASSETTES.rglob("*.yaml"))
    assert len(paths) >= 20
    for path in paths:
        text = path.read_text()
        document = yaml.safe_load(text)
        assert next(iter(document)) == "provenance", path
        assert document["provenance"]["kind"], path
        for interaction in document["interactions"]:
            for name, values in interaction["request"]["headers"].items():
                if name.lower() in CREDENTIAL_HEADERS:
                    assert values == ["<redacted>"], (path, name)
        assert scrub_text(text) == text, path


_DEMO_TESTS = """
import os
import urllib.request

import pytest

pytestmark = pytest.mark.vcr
URL = os.environ["DEMO_URL"]


def test_built() -> None:
    urllib.request.urlopen(URL + "/built").read()


@pytest.mark.live("DEMO_KEY")
def test_live_ok() -> None:
    assert urllib.request.urlopen(URL + "/ok").status == 200


@pytest.mark.live("DEMO_KEY")
def test_live_refused() -> None:
    urllib.request.urlopen(URL + "/refused").read()
    raise AssertionError("an answer the test refuses")


@pytest.mark.live("DEMO_KEY")
@pytest.mark.parametrize("model", ["provider/model:v1"])
def test_live_param(model: str) -> None:
    assert urllib.request.urlopen(URL + "/param").status == 200


@pytest.mark.live("OTHER_KEY")
def test_live_without_its_key() -> None:
    urllib.request.urlopen(URL + "/unkeyed").read()
"""


def test_a_recording_run_records_only_live_tests_with_keys_and_only_when_they_pass(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording (``--record-mode=rewrite``) never deletes a built cassette, never sends a
    request without its credential, and keeps a live test's new cassette only if it passed."""
    import shutil
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path

    from pytest_recording.plugin import get_default_cassette_name

    here = Path(__file__).parent
    plugins = pytester.path / "tests" / "plugins"
    (plugins / "demo").mkdir(parents=True)
    for folder in (pytester.path / "tests", plugins, plugins / "demo"):
        (folder / "__init__.py").write_text("")
    shutil.copy(here / "conftest.py", plugins / "conftest.py")
    shutil.copy(here / "cassettes.py", plugins / "cassettes.py")
    (plugins / "demo" / "test_demo.py").write_text(_DEMO_TESTS)
    built = pytester.path / "cassettes" / "demo" / "test_demo" / "test_built.yaml"
    built.parent.mkdir(parents=True)
    built.write_text("provenance: {kind: built from a spec}\ninteractions: []\nversion: 1\n")
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DEMO_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("DEMO_KEY", "demo-secret-value")
    monkeypatch.delenv("OTHER_KEY", raising=False)
    try:
        outcome = pytester.runpytest_subprocess("--record-mode=rewrite", "-p", "no:randomly")
    finally:
        server.shutdown()
    outcome.assert_outcomes(passed=2, failed=1, skipped=2)
    assert sorted(paths) == ["/ok", "/param", "/refused"]  # none without its key, nor built
    assert built.read_text().startswith("provenance: {kind: built from a spec}")  # kept
    folder = built.parent
    param = get_default_cassette_name(None, "test_live_param[provider/model:v1]") + ".yaml"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["test_built.yaml", "test_live_ok.yaml", param]
    )
    recorded = yaml.safe_load((folder / "test_live_ok.yaml").read_text())
    assert recorded["provenance"]["kind"] == "recorded live"
    assert not list((pytester.path / "cassettes" / ".recording").rglob("*.yaml"))


def test_a_recording_run_starts_without_an_earlier_runs_leftovers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A file an interrupted run left in ``.recording`` would otherwise replay, and be moved
    into place as recorded live."""
    from . import conftest

    leftover = tmp_path / ".recording" / "openai" / "test_openai_live" / "test_x.yaml"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("interactions: []\n")
    monkeypatch.setattr(conftest, "RECORDING", tmp_path / ".recording")

    class _Config:
        def __init__(self, mode: str) -> None:
            self.mode = mode

        def getoption(self, name: str, default: str = "none") -> str:
            return self.mode

    class _Session:
        def __init__(self, mode: str) -> None:
            self.config = _Config(mode)

    conftest.pytest_sessionstart(_Session("none"))  # type: ignore[arg-type]  # a replay: kept
    assert leftover.exists()
    conftest.pytest_sessionstart(_Session("rewrite"))  # type: ignore[arg-type]
    assert not (tmp_path / ".recording").exists()
