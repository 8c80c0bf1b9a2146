"""What the CLI tests share: a loopback server standing in for the OpenAI API, a small PNG, and
a way to run the command in-process."""

from __future__ import annotations

import base64
import errno
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import limner
from limner.cli.main import main

__all__ = ["FakeOpenAI", "fill_disk", "outpaint_dry_run", "png", "run"]


def fill_disk(monkeypatch: pytest.MonkeyPatch, where: Path) -> None:
    """Saving images under ``where`` fails as a full disk does."""
    real_save = limner.ImagesResponse.save

    def full_disk(self: limner.ImagesResponse, path: Any, **kwargs: Any) -> list[Path]:
        if str(path).startswith(str(where)):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, path, **kwargs)

    monkeypatch.setattr(limner.ImagesResponse, "save", full_disk)


def png(width: int = 8, height: int = 8, alpha: int = 255) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 20, 30, alpha)).save(out, format="PNG")
    return out.getvalue()


class FakeOpenAI:
    """A loopback HTTP server answering every POST with a scripted status and body."""

    def __init__(self) -> None:
        self.status = 200
        self.body: dict[str, Any] = {
            "created": 1700000000,
            "data": [{"b64_json": base64.b64encode(png()).decode()}],
            "usage": {
                "input_tokens": 36,
                "output_tokens": 4160,
                "total_tokens": 4196,
                "input_tokens_details": {"text_tokens": 36, "image_tokens": 0},
            },
            "output_format": "png",
            "size": "1024x1024",
            "quality": "high",
            "background": "opaque",
        }
        self.headers: dict[str, str] = {}  # sent with every answer
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.script: list[tuple[int, dict[str, Any]]] = []  # answers taken first, in turn
        self.lock = threading.Lock()
        self.release = threading.Event()  # ends the answers scripted with status 0 (a stall)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append((self.path, headers, self.rfile.read(length)))
                with fake.lock:
                    status, body = fake.script.pop(0) if fake.script else (fake.status, fake.body)
                if status == 0:  # no answer: the connection stays open until released
                    fake.release.wait(30)
                    return
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in fake.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def outpaint_dry_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str
) -> dict[str, Any]:
    """``limner edit --edit-mode outpaint`` on sd3.5-large as a JSON dry run, with ``options``."""
    image = tmp_path / "in.png"
    image.write_bytes(png(64, 64))
    argv = ["extend the sky", "-m", "stabilityai/sd3.5-large", "--image", str(image)]
    status, out, err = run(
        capsys, "edit", *argv, "--edit-mode", "outpaint", *options, "--dry-run", "--json"
    )
    assert status == 0, err
    plan: dict[str, Any] = json.loads(out)
    return plan
