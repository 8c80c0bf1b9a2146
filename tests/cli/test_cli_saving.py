"""Saving what a paid call made: a name a dangling link takes, or a file that stands where a
folder was by the time the answer came, never throws the images away; the settings the flags
give (a timeout) are not taken from --option; another library's warning is not said as limner's."""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

import limner
from limner.cli.output import save
from limner.cli.report import report

from .support import FakeOpenAI, png, run


def _answer() -> limner.ImagesResponse:
    item = limner.ImageData(b64_json=base64.b64encode(png()).decode())
    return limner.ImagesResponse(created=7, data=[item], provider="p", model="p/m")


def test_a_dangling_link_at_the_output_is_refused_before_the_call(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    target = tmp_path / "fox.png"
    target.symlink_to(tmp_path / "nowhere" / "target.png")
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(target)
    )
    assert (status, out) == (2, "")
    assert f"refusing to overwrite {target}" in err
    assert fake_openai.requests == []


def test_a_dangling_link_that_appeared_during_the_call_is_kept_beside_the_image(
    tmp_path: Path,
) -> None:
    target = tmp_path / "fox.png"
    target.symlink_to(tmp_path / "nowhere" / "target.png")
    paths, said, elsewhere, renamed = save(_answer(), str(target))
    assert [p.name for p in paths] == ["fox.7.png"] and not elsewhere
    assert renamed == paths
    assert paths[0].read_bytes() == png()
    assert said == [f"warning: {target} exists and was kept; saved this image as {paths[0]}"]
    assert target.is_symlink() and not os.path.exists(target)


def test_the_default_name_takes_no_provider_text_as_its_extension(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer's ``output_format`` may be any text (a gateway's answer read back, say): the
    default name takes the extension of a format limner knows, never a path out of the
    folder."""
    here = tmp_path / "a" / "b"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    answer = _answer().model_copy(update={"output_format": "png/../../../escaped/evil.sh"})
    args = argparse.Namespace(output=None, json=False)
    assert report(answer, args, asked=1, links_asked=False) == 0
    assert capsys.readouterr().out.splitlines()[0] == "limner-7.png"
    files = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    assert files == [here / "limner-7.png"]


def test_a_file_where_the_folder_was_sends_the_images_to_a_temporary_folder(
    tmp_path: Path,
) -> None:
    """``-o out/`` checked as a folder to be made; by the answer ``out`` is a file."""
    (tmp_path / "out").write_bytes(b"not a folder")
    paths, said, elsewhere, _ = save(_answer(), f"{tmp_path / 'out'}{os.sep}")
    try:
        assert elsewhere and paths[0].read_bytes() == png()
        assert paths[0].parent != tmp_path / "out"
        assert said[0].startswith(f"warning: could not save to {tmp_path / 'out'}{os.sep} (")
        assert (tmp_path / "out").read_bytes() == b"not a folder"
    finally:
        for path in paths:
            path.unlink()
            path.parent.rmdir()


@pytest.mark.parametrize(
    ("key", "flag"), [("timeout", "--timeout"), ("max_retries", "--max-retries")]
)
def test_client_settings_are_refused_as_options(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, key: str, flag: str
) -> None:
    """``--option timeout=1`` would be the call's own timeout, overriding ``--timeout`` (whose
    flag a timeout's error then names): the flag gives it."""
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "--option", f"{key}=1"
    )
    assert (status, out) == (2, "")
    assert err.strip() == f"limner: error: --option {key}: give {key} with {flag}, not --option"
    assert fake_openai.requests == []


def test_a_refusal_suggests_a_format_whose_names_are_free(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """out/image-1.png exists: a JPEG answer would write out/image-1.jpg, so asking for jpeg
    is the way on; when every format's name is taken, no format is suggested."""
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "image-1.png").write_bytes(b"old")
    target = f"{tmp_path / 'out'}{os.sep}"
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", target)
    assert status == 2 and fake_openai.requests == []
    assert err.rstrip().endswith(
        "the names depend on the format answered (png, jpeg, webp): --option "
        "output_format=jpeg writes free ones, where the model takes it"
    )
    for ext in ("jpg", "webp"):
        (tmp_path / "out" / f"image-1.{ext}").write_bytes(b"old")
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", target)
    assert status == 2 and "output_format" not in err


def test_another_librarys_warning_is_not_said_as_limners(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import PIL.Image

    import limner.loading
    from limner.cli.main import _one_line_warning

    _one_line_warning("big image", UserWarning, PIL.Image.__file__, 7)
    _one_line_warning("no plugin", UserWarning, limner.loading.__file__, 9)
    assert capsys.readouterr().err.splitlines() == [
        f"warning: UserWarning: big image ({PIL.Image.__file__}:7)",
        "limner: warning: no plugin",
    ]


def test_images_saved_one_by_one_beside_kept_files_go_elsewhere_all_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fox-1.png exists, so each image is saved on its own; the second cannot be (a full disk):
    the first is taken back, and both go to the temporary folder, not one in each place."""
    import errno

    (tmp_path / "fox-1.png").write_bytes(b"old")
    item = limner.ImageData(b64_json=base64.b64encode(png()).decode())
    two = limner.ImagesResponse(created=7, data=[item, item], provider="p", model="p/m")
    real_save = limner.ImagesResponse.save

    def second_fails(self: limner.ImagesResponse, path: Any, **kwargs: Any) -> list[Path]:
        if str(path) == str(tmp_path / "fox-2.png"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(self, path, **kwargs)

    monkeypatch.setattr(limner.ImagesResponse, "save", second_fails)
    paths, _, elsewhere, _ = save(two, str(tmp_path / "fox.png"))
    try:
        assert elsewhere and len(paths) == 2
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fox-1.png"]  # the old file only
        assert (tmp_path / "fox-1.png").read_bytes() == b"old"
    finally:
        for path in paths:
            path.unlink()
        paths[0].parent.rmdir()


def test_an_image_saved_under_another_name_than_asked_is_exit_status_1(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another writer took the name asked for during the call: its file is kept and the image
    saved beside it, but ``limner generate ... -o out.png && upload out.png`` must not go on."""
    target = tmp_path / "out.png"
    real_save = limner.ImagesResponse.save

    def taken_meanwhile(self: limner.ImagesResponse, path: Any, **kwargs: Any) -> list[Path]:
        if not target.exists():
            target.write_bytes(b"someone else's")
        return real_save(self, path, **kwargs)

    monkeypatch.setattr(limner.ImagesResponse, "save", taken_meanwhile)
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(target), "--json"
    )
    assert status == 1, err
    assert target.read_bytes() == b"someone else's"
    summary = json.loads(out)
    fresh = tmp_path / "out.1700000000.png"
    assert summary["files"] == [str(fresh)] and fresh.read_bytes() == png()
    assert summary["error"]["code"] == "images_saved_renamed"
    assert summary["error"]["message"] == (
        "1 image(s) saved under another name than asked, beside a file that took the name "
        f"meanwhile ({fresh})"
    )
    assert f"warning: {target} exists and was kept; saved this image as {fresh}" in err


def test_ctrl_c_is_held_off_while_the_images_made_are_saved_and_said(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second Ctrl-C raised KeyboardInterrupt inside the reporting: the files were written,
    and what said where they are was not. It is ignored for the milliseconds that takes."""
    import signal

    from limner.cli.report import report as real_report

    seen: list[object] = []

    def report(*args: Any, **kwargs: Any) -> int:
        seen.append(signal.getsignal(signal.SIGINT))
        return real_report(*args, **kwargs)

    monkeypatch.setattr("limner.cli.main.report", report)
    before = signal.getsignal(signal.SIGINT)
    status, _, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(tmp_path / "f.png")
    )
    assert status == 0, err
    assert seen == [signal.SIG_IGN]
    assert signal.getsignal(signal.SIGINT) is before


@pytest.mark.parametrize(("term", "spins"), [("xterm-256color", True), ("dumb", False)])
def test_the_spinner_shows_on_a_terminal_that_moves_the_cursor(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    term: str,
    spins: bool,
) -> None:
    from limner.cli.progress import Spinner

    shown: list[bool] = []

    def spinner(*, enabled: bool, label: str) -> Any:
        shown.append(enabled)
        return Spinner(enabled=False, label=label)

    monkeypatch.setattr("limner.cli.main.Spinner", spinner)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("TERM", term)
    status, _, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-1", "-o", str(tmp_path / "f.png")
    )
    assert status == 0, err
    assert shown == [spins]


def test_more_images_than_asked_keep_the_name_asked_for(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """``-o fox.png`` answered with two images (some models make more than asked) wrote
    ``fox-1.png`` and ``fox-2.png``, no ``fox.png``, and exited 0."""
    image = base64.b64encode(png()).decode()
    fake_openai.body = {"created": 1, "data": [{"b64_json": image}, {"b64_json": image}]}
    target = tmp_path / "fox.png"
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "-o", str(target)
    )
    assert status == 0, err
    assert out.splitlines()[:2] == [str(target), str(tmp_path / "fox-2.png")]
    assert target.read_bytes() == png() and (tmp_path / "fox-2.png").read_bytes() == png()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fox-2.png", "fox.png"]


def test_an_extra_image_whose_name_is_taken_is_saved_beside_it(tmp_path: Path) -> None:
    (tmp_path / "fox-2.png").write_bytes(b"old")
    answer = _answer()
    answer.data.append(answer.data[0])
    paths, said, _, renamed = save(answer, str(tmp_path / "fox.png"), 1)
    assert [p.name for p in paths] == ["fox.png", "fox-2.7.png"] and renamed == paths[1:]
    assert (tmp_path / "fox-2.png").read_bytes() == b"old"
    assert said == [
        f"warning: {tmp_path / 'fox-2.png'} exists and was kept; saved this image as {paths[1]}"
    ]


def test_a_model_that_takes_no_format_has_every_format_it_may_answer_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gemini on the Gemini API takes no output format and answers JPEG: only the PNG names
    were checked, so a second run into the same folder was paid for, and saved aside."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "foxes").mkdir()
    (tmp_path / "foxes" / "image-1.jpg").write_bytes(b"old")
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "google/gemini-3-pro-image", "-n", "2",
        "-o", "foxes/", "--dry-run",
    )  # fmt: skip
    assert (status, out) == (2, "")
    assert "refusing to overwrite foxes/image-1.jpg" in err


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_a_stop_that_comes_with_the_answer_lets_the_command_finish(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stop: str,
) -> None:
    """The images were saved and the summary said, then the command exited 130 (143) saying
    it was interrupted and a request may be billed: a script that retries on failure paid
    again."""
    import signal

    import limner.cli.main as command

    called = command._call

    async def call_then_stopped(*args: Any, **kwargs: Any) -> Any:
        result = await called(*args, **kwargs)
        os.kill(os.getpid(), getattr(signal, stop))  # the answer is in, not yet saved
        return result

    monkeypatch.setattr(command, "_call", call_then_stopped)
    before = signal.getsignal(signal.SIGINT)
    target = tmp_path / "fox.png"
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "-o", str(target)
    )
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == str(target) and target.read_bytes() == png()
    assert signal.getsignal(signal.SIGINT) is before
