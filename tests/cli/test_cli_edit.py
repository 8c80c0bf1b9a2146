"""The edit command: its multipart dry run, input images given as paths, URLs or a markup, and
edit modes that take no prompt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import limner

from .support import outpaint_dry_run, png, run


def test_dry_run_edit_shows_multipart_form_and_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image, mask = tmp_path / "in.png", tmp_path / "mask.png"
    image.write_bytes(png(16, 16))
    mask.write_bytes(png(16, 16, alpha=0))
    status, out, err = run(
        capsys,
        "edit",
        "add a moon",
        "-m",
        "openai/gpt-image-1.5",
        "--image",
        str(image),
        "--mask",
        str(mask),
        "--option",
        "openai.input_fidelity=high",
        "--dry-run",
        "--json",
    )
    assert status == 0, err
    request = json.loads(out)["requests"][0]
    assert request["url"].endswith("/images/edits")
    assert request["headers"]["content-type"] == "multipart/form-data"
    assert request["form"]["prompt"] == "add a moon"
    assert request["form"]["input_fidelity"] == "high"
    files = {part["field"]: part for part in request["files"]}
    assert files["image"]["size"] == image.stat().st_size
    assert files["mask"]["content_type"] == "image/png"


def test_an_edit_that_takes_no_prompt_is_given_an_empty_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """PROMPT is positional: "" leaves it out, which remove-background accepts and an edit that
    needs a prompt refuses before any call (status 2)."""
    image = tmp_path / "photo.png"
    image.write_bytes(png(64, 64))
    args = ["edit", "", "-m", "stabilityai/sd3.5-large", "--image", str(image), "--dry-run"]
    status, out, err = run(capsys, *args, "--edit-mode", "remove-background", "--json")
    assert status == 0, err
    assert json.loads(out)["requests"][0]["form"] == {}
    status, out, err = run(capsys, *args)
    assert (status, out) == (2, "")
    assert "limner: error: prompt: give a prompt" in err


def test_edit_mode_and_provider_alias_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = outpaint_dry_run(capsys, tmp_path, "--option", "stability.up=256")
    request = plan["requests"][0]
    assert request["url"].endswith("/v2beta/stable-image/edit/outpaint")
    assert request["form"]["up"] == "256"
    assert plan["estimated_cost_usd"] == pytest.approx(0.04)


@pytest.mark.parametrize("value", ["7", "true"])
def test_a_providers_text_option_stays_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    """As a text field of the request does (``user=123``): a search prompt of "7" was read as
    the number 7, and refused as no text."""
    image = tmp_path / "in.png"
    image.write_bytes(png(64, 64))
    argv = ["a red door", "-m", "stabilityai/sd3.5-large", "--image", str(image)]
    options = ("--edit-mode", "search-and-replace", "--option", f"stability.search_prompt={value}")
    status, out, err = run(capsys, "edit", *argv, *options, "--dry-run", "--json")
    assert status == 0, err
    assert json.loads(out)["requests"][0]["form"]["search_prompt"] == value


def test_an_image_url_is_passed_as_a_url_not_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    link = "https://images.example/fox.png"
    argv = ("edit", "a fox", "-m", "openai/gpt-image-1.5", "--image", link, "--dry-run", "--json")
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    assert json.loads(out)["requests"][0]["json"]["images"] == [{"image_url": link}]


def test_a_directory_given_as_an_image_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(
        capsys, "edit", "x", "-m", "gpt-image-1.5", "--image", str(tmp_path), "--dry-run"
    )
    assert status == 2
    assert "is a directory, not an image file" in err


def test_a_markup_is_sent_as_its_own_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    image, markup = tmp_path / "in.png", tmp_path / "arrows.png"
    image.write_bytes(png(16, 16))
    markup.write_bytes(png(16, 16, alpha=0))
    argv = ["follow the arrows", "-m", "openai/gpt-image-2.5-sunburst", "--image", str(image)]
    status, out, err = run(capsys, "edit", *argv, "--markup", str(markup), "--dry-run", "--json")
    assert status == 0, err
    files = json.loads(out)["requests"][0]["files"]
    assert [(part["field"], part["filename"]) for part in files] == [
        ("image", "in.png"),
        ("markup", "arrows.png"),
    ]
    status, _, err = run(capsys, "edit", *argv, "--markup", str(markup), "--mask", str(markup))
    assert status == 2 and "markup and mask cannot be combined" in err


def test_an_image_url_that_cannot_be_fetched_is_named_by_its_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a bad input (the network may be back later), but the error names the flag that gave
    the URL, as the input errors do, not the Python parameter images[0]."""
    link = "https://images.example/fox.png?X-Amz-Signature=SECRET0123"  # (the query: not shown)

    async def unreachable(*args: Any, param: str, **kwargs: Any) -> bytes:
        raise limner.ProviderConnectionError(f"{param}: cannot resolve images.example", param=param)

    monkeypatch.setattr("limner.engine.download", unreachable)
    argv = ("edit", "a fox", "-m", "stabilityai/sd3.5-large", "--image", link, "--dry-run")
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert err == (
        "limner: ProviderConnectionError: --image https://images.example/fox.png: cannot "
        "resolve images.example\n"
    )
