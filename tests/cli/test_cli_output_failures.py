"""What the command cannot write: standard output (a full disk, a reader that left), and file
names longer than the file system takes; and the flags that errors name."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .support import FakeOpenAI, png, run


class _FullStdout(io.StringIO):
    """Standard output on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_standard_output_that_cannot_be_written_after_a_paid_call_is_no_bad_input(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_openai: FakeOpenAI,
    tmp_path: Path,
) -> None:
    """Exit 2 says nothing was sent: a script trusting it would pay again."""
    monkeypatch.setattr(sys, "stdout", _FullStdout())
    target = tmp_path / "fox.png"
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "-o", str(target))
    assert status == 1
    assert err.splitlines()[-1] == (
        "limner: error: standard output could not be written (No space left on device); the "
        f"images were saved: {target}"
    )
    assert target.exists() and len(fake_openai.requests) == 1


def test_links_stdout_could_not_take_are_said_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI
) -> None:
    """Nothing was saved: the links, which expire, were to be printed on stdout alone."""
    link = "https://images.example/a.png?sig=1"
    fake_openai.body["data"] = [{"url": link}]
    monkeypatch.setattr(sys, "stdout", _FullStdout())
    argv = ["generate", "a fox", "-m", "openai/dall-e-2", "--option", "response_format=url"]
    status, _, err = run(capsys, *argv)
    assert status == 1
    assert err.splitlines()[-1] == (
        "limner: error: standard output could not be written (No space left on device); "
        f"download the images before their links expire: {link}"
    )


def test_a_dry_run_that_cannot_be_written_claims_no_images(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", _FullStdout())
    status, _, err = run(capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "--dry-run")
    assert status == 1
    assert err.splitlines()[-1] == (
        "limner: error: standard output could not be written (No space left on device)"
    )


def test_a_list_that_cannot_be_written_fails_as_that(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdout", _FullStdout())
    status, _, err = run(capsys, "models", "--json")
    assert status == 1
    assert '"code": "output_failed"' in err.splitlines()[-1]


def _version(stdout: int) -> subprocess.CompletedProcess[str]:
    """``limner --version``, its output buffered as it is by default (PYTHONUNBUFFERED, which
    CI machines may set, hid a second failure at exit: Python's traceback, exit status 120)."""
    command = [sys.executable, "-m", "limner.cli.main", "--version"]
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False, env=environ
    )


def test_version_to_a_reader_that_left_ends_quietly() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader left before anything was written
    try:
        done = _version(write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_version_to_a_full_disk_says_so_in_one_line() -> None:
    with open("/dev/full", "w") as full:
        done = _version(full.fileno())
    assert done.returncode == 1
    assert done.stderr == (
        "limner: error: standard output could not be written (No space left on device)\n"
    )


@pytest.mark.parametrize(
    ("name", "extra", "longest"),
    [
        ("x" * 300 + ".png", [], 304),  # as given
        ("x" * 254, [], 258),  # .png added
        ("x" * 251 + ".png", ["-n", "2"], 257),  # -1 added
    ],
)
def test_a_file_name_too_long_for_the_file_system_is_refused_before_the_call(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, extra: list[str], longest: int
) -> None:
    """Else the dry run passed, and the real call paid, then saved the images elsewhere."""
    target = tmp_path / name
    argv = ["a fox", "-m", "openai/gpt-image-2", "-o", str(target), *extra, "--dry-run"]
    status, out, err = run(capsys, "generate", *argv)
    assert (status, out) == (2, "")
    assert err == (
        f"limner: error: cannot write {'x' * 40}…: a name here is at most 255 bytes, and this "
        f"one is {longest}; give a shorter -o/--output (nothing was sent to the provider)\n"
    )


def test_without_pathconf_names_are_counted_in_characters_as_windows_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no os.pathconf: -o crashed with AttributeError. NTFS takes 255 UTF-16
    units, so 100 CJK characters (300 bytes in UTF-8) make a name it takes."""
    from limner.cli.output import _name_limit

    monkeypatch.delattr(os, "pathconf")
    most, units, size = _name_limit(tmp_path)
    assert (most, units, size("雪" * 100 + ".png"), size("🦊")) == (255, "characters", 104, 2)
    long = tmp_path / ("x" * 300 + ".png")
    argv = ["a fox", "-m", "openai/gpt-image-2", "-o", str(long), "--dry-run"]
    status, _, err = run(capsys, "generate", *argv)
    assert status == 2
    assert "a name here is at most 255 characters, and this one is 304" in err


def test_errors_name_the_image_flag_and_the_file_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good, bad, gone = tmp_path / "good.png", tmp_path / "bad.png", tmp_path / "gone.png"
    good.write_bytes(png())
    bad.write_bytes(b"not an image")
    model = ["x", "-m", "openai/gpt-image-2"]
    status, _, err = run(capsys, "edit", *model, "--image", str(gone), "--dry-run")
    assert (status, err) == (2, f"limner: error: --image {gone}: no such file '{gone}'\n")
    images = ["--image", str(good), "--image", str(bad)]
    status, _, err = run(capsys, "edit", *model, *images, "--dry-run")
    assert status == 2
    assert err.startswith(f"limner: error: --image {bad} is not an image limner can read")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--max-concurrency", "0"], "--max-concurrency must be a whole number, 1 or more"),
        (["--public-url", "x"], "--public-url 'x' is not an http(s) URL"),
    ],
)
def test_serve_errors_name_the_flag(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    status, _, err = run(capsys, "serve", *argv)
    assert status == 2
    assert err.startswith(f"limner: error: {said}")


@pytest.mark.parametrize("json_out", [False, True])
def test_output_in_a_code_page_without_the_prompts_characters(
    fake_openai: FakeOpenAI, tmp_path: Path, json_out: bool
) -> None:
    """Windows' redirected output is cp1252: the saved path (and a dry run's JSON) ended in a
    UnicodeEncodeError traceback after the paid call, exit status 1 and nothing said."""
    target = tmp_path / "雪" / "fox.png"
    command = [sys.executable, "-m", "limner.cli.main", "generate", "a fox 🦊", "-m"]
    command += ["openai/gpt-image-2", "-o", str(target), *(["--json"] if json_out else [])]
    environ = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run(command, capture_output=True, check=False, env=environ, timeout=60)
    assert done.returncode == 0, done.stderr
    assert target.exists()
    said = done.stdout.decode("cp1252")
    if json_out:
        assert json.loads(said)["files"] == [str(target)]
    else:
        assert "\\u96ea" in said.splitlines()[0]  # the folder's name, escaped
    planned = subprocess.run(
        [*command[:4], "a fox 🦊", "-m", "openai/gpt-image-2", "--dry-run", "--json"],
        capture_output=True,
        check=False,
        env=environ,
        timeout=60,
    )
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout.decode("cp1252"))
    assert plan["requests"][0]["json"]["prompt"] == "a fox 🦊"


def _limner_with(closed: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command run with standard output or error closed (``>&-``, ``2>&-``); the other
    one captured."""
    fd = 1 if closed == "stdout" else 2
    command = [sys.executable, "-m", "limner.cli.main", *argv]
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {fd}>&-', "sh", *command],
        stdout=subprocess.PIPE if closed == "stderr" else None,
        stderr=subprocess.PIPE if closed == "stdout" else None,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_closed_standard_output_is_said_after_the_paid_call(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """It ended in a traceback ('NoneType' object has no attribute 'flush'), the saved path
    never said."""
    target = tmp_path / "fox.png"
    done = _limner_with(
        "stdout", "generate", "a fox", "-m", "openai/gpt-image-2", "-o", str(target)
    )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "limner: error: standard output could not be written (standard output is closed); the "
        f"images were saved: {target}"
    )
    assert "Traceback" not in done.stderr
    assert target.exists() and len(fake_openai.requests) == 1


def test_a_closed_standard_error_does_not_stop_the_command(
    fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """It exited 1 at once, silently, making no call (sys.stderr is None: .isatty() failed)."""
    target = tmp_path / "fox.png"
    done = _limner_with(
        "stderr", "generate", "a fox", "-m", "openai/gpt-image-2", "-o", str(target)
    )
    assert done.returncode == 0
    assert str(target) in done.stdout
    assert target.exists() and len(fake_openai.requests) == 1
    refused = _limner_with("stderr", "generate", "a fox", "-m", "openai/nope", "--json")
    assert (refused.returncode, refused.stdout) == (2, "")  # the error said nowhere, not on stdout


def test_poll_timeout_as_an_option_is_refused_as_timeout_is(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI
) -> None:
    """It was sent in the request's body, where the provider refuses an unknown field."""
    argv = ["generate", "a fox", "-m", "openai/gpt-image-2", "--option", "poll_timeout=3"]
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert "--option poll_timeout: give poll_timeout with --poll-timeout, not --option" in err
    assert fake_openai.requests == []


def test_an_output_folder_that_is_a_link_to_nowhere_is_refused_before_the_call(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """A link to an unmounted disk passed the check (its parent was probed), and the paid
    images went to a temporary folder ('File exists')."""
    (tmp_path / "out").symlink_to(tmp_path / "nas" / "images")
    for output in (f"{tmp_path}/out/", f"{tmp_path}/out/fox.png"):
        status, out, err = run(
            capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "-o", output
        )
        assert (status, out) == (2, "")
        assert f"{tmp_path}/out is a link to nowhere (or in a loop)" in err
    assert fake_openai.requests == []
