"""``--option KEY=@FILE``: an option that takes an image (Nova Canvas's ``condition_image``)
reads it from a file; as base64 on the command line, an image of the size Nova needs passed the
system's limit on an argument's length ("Argument list too long")."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from .support import png, run


def test_an_image_option_takes_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    layout = tmp_path / "layout.png"
    layout.write_bytes(png(320, 320))
    status, out, err = run(
        capsys, "generate", "a house", "-m", "amazon/amazon.nova-canvas-v1:0",
        "--option", f"amazon.condition_image=@{layout}", "--dry-run", "--json",
    )  # fmt: skip
    assert status == 0, err
    params = json.loads(out)["requests"][0]["json"]["textToImageParams"]
    assert params["conditionImage"] == base64.b64encode(png(320, 320)).decode()


def test_a_file_that_cannot_be_read_is_said_before_the_call(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(
        capsys, "generate", "a house", "-m", "amazon/amazon.nova-canvas-v1:0",
        "--option", f"amazon.condition_image=@{tmp_path / 'nowhere.png'}", "--dry-run",
    )  # fmt: skip
    assert (status, out) == (2, "")
    missing = tmp_path / "nowhere.png"
    said = f"--option amazon.condition_image=@{missing}: cannot read the file (No such file"
    assert said in err


def test_text_and_other_fields_keep_an_at_sign(capsys: pytest.CaptureFixture[str]) -> None:
    """A text field, and a field limner does not know (forwarded as given), are not files."""
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "--option", "user=@bob",
        "--option", "mention=@alice", "--dry-run", "--json",
    )  # fmt: skip
    assert status == 0, err
    body = json.loads(out)["requests"][0]["json"]
    assert (body["user"], body["mention"]) == ("@bob", "@alice")
