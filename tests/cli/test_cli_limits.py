"""The command's limits (--timeout, --max-retries, --poll-timeout), its --help (the examples,
and what it says as the README does), and how it stops on Ctrl-C and SIGTERM: the images already
made are saved, nothing is half-written, and the caller's signal handlers are given back."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import limner

from .support import FakeOpenAI, fill_disk, png, run

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("command", ["generate", "edit"])
def test_the_help_examples_run(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    """Each example in ``limner COMMAND --help`` is a command that works (as a dry run)."""
    import shlex

    from limner.cli.parser import _EXAMPLES

    monkeypatch.chdir(tmp_path)
    (tmp_path / "fox.png").write_bytes(png(64, 64))
    (tmp_path / "mask.png").write_bytes(png(64, 64, alpha=0))
    examples = [line.strip() for line in _EXAMPLES[command].splitlines() if line.startswith("  ")]
    assert len(examples) >= 2
    for example in examples:  # MODEL: one that does what the example asks
        model = "stabilityai/sd3.5-large" if "edit-mode" in example else "openai/gpt-image-2"
        argv = [model if word == "MODEL" else word for word in shlex.split(example)[1:]]
        status, _, err = run(capsys, *argv, *([] if "--dry-run" in argv else ["--dry-run"]))
        assert status == 0, (example, err)


def _help(command: str, flag: str) -> str:
    """What ``limner COMMAND --help`` says of ``flag``, on one line."""
    import argparse

    from limner.cli.parser import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    (action,) = [a for a in commands.choices[command]._actions if flag in a.option_strings]
    return " ".join((action.help or "").split())


def test_the_help_says_every_exit_status_the_readme_does() -> None:
    from limner.cli.parser import build_parser

    said = " ".join((build_parser().epilog or "").split())
    readme = " ".join(README.read_text().split())
    assert "or fewer images than `-n` asked for" in readme
    assert "or fewer images than -n were made" in said  # status 1
    assert "Ctrl-C, exit 130, or SIGTERM, exit 143" in readme
    assert "130 or 143 stopped by Ctrl-C or SIGTERM" in said


def test_the_quality_help_sends_to_the_models_own_list() -> None:
    """Qualities differ by model (gpt-image-2.5 takes xhigh and max): the help names the
    portable ones, and where to find a model's own."""
    from limner.schema import PORTABLE_QUALITIES

    for command in ("generate", "edit"):
        said = _help(command, "--quality")
        assert "limner models MODEL" in said
        assert all(quality in said for quality in PORTABLE_QUALITIES)


def test_the_help_says_the_images_are_paths_or_urls_as_the_readme_does() -> None:
    readme = " ".join(README.read_text().split())
    assert "`--image`, `--mask` and `--markup` take a path, or an `https://` or `data:` URL" in (
        readme
    )
    for flag in ("--image", "--mask", "--markup"):
        assert "a path, or an https or data: URL" in _help("edit", flag), flag


@pytest.mark.parametrize("command", ["generate", "edit"])
def test_the_help_states_the_clients_own_defaults(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """What --help says a limit defaults to is what a client made without it uses."""
    import inspect
    import re

    signature = inspect.signature(limner.AsyncClient).parameters
    defaults = {
        "--timeout": signature["timeout"].default,
        "--poll-timeout": signature["poll_timeout"].default,
        "--max-retries": limner.AsyncClient()._transport.retry.max_retries,
    }
    with pytest.raises(SystemExit):
        run(capsys, command, "--help")
    text = " ".join(capsys.readouterr().out.split())
    for flag, default in defaults.items():
        stated = re.search(rf"{flag} \S+ [^-]*?\(default ([\d.]+)\)", text)
        assert stated is not None, flag
        assert float(stated.group(1)) == default, flag


def test_generate_takes_a_timeout_and_the_error_names_the_flag(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    fake_openai.script = [(0, {})]
    status, _, err = run(
        capsys, "generate", "x", "-m", "openai/gpt-image-2", "--timeout", "0.3",
        "-o", str(tmp_path / "a.png"),
    )  # fmt: skip
    assert status == 1
    assert err.endswith(  # what to do, then what may be billed: last, as in the Python text
        "within 0.3 s; for a slow model, give a larger --timeout; the provider may have taken "
        "the request, and may still bill it\n"
    )
    assert len(fake_openai.requests) == 1  # a timeout is not retried
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            limner.JobTimeoutError("m: the job was not done", job="j1"),
            "limner: JobTimeoutError: m: the job was not done; to wait longer for the job, give a "
            "larger --poll-timeout",
        ),
        (  # the provider's own 408: no limit of the client's
            limner.RequestTimeoutError("the provider timed out"),
            "limner: RequestTimeoutError: the provider timed out",
        ),
    ],
)
def test_a_limit_the_command_ran_into_is_named_by_its_flag(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: limner.LimnerError,
    line: str,
) -> None:
    """An error names the client limit it ran into (``limit``); the command says which flag
    raises it, where Python would name the keyword argument."""

    async def fail(args: object) -> int:
        raise error

    monkeypatch.setattr("limner.cli.main._main", fail)
    status, _, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2")
    assert (status, err) == (1, line + "\n")


def test_generate_takes_max_retries(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    error = {"error": {"message": "busy", "type": "server_error", "param": None, "code": None}}
    fake_openai.script = [(503, error), (503, error)]
    status, _, err = run(
        capsys, "generate", "x", "-m", "openai/gpt-image-2", "--max-retries", "0",
        "-o", str(tmp_path / "a.png"),
    )  # fmt: skip
    assert status == 1 and "HTTP 503" in err
    assert len(fake_openai.requests) == 1
    status, _, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2", "--timeout", "0")
    assert status == 2 and "timeout must be a positive number of seconds" in err


def _interruptible() -> None:
    """In the child, before it runs: Ctrl-C's signal as a terminal sends it (a shell running
    the tests in the background ignores SIGINT, and its children would inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_command_saves_the_images_already_made(
    fake_openai: FakeOpenAI, tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    """Ctrl-C (or SIGTERM) while one of three calls is out: the two images made, and billed,
    are saved and named, and the cancelled call is said; nothing half-written is left."""
    fake_openai.script = [(200, fake_openai.body), (200, fake_openai.body), (0, {})]
    out = tmp_path / "out"
    env = {**os.environ, "OPENAI_API_KEY": "sk-cli-test-secret", "OPENAI_BASE_URL": fake_openai.url}
    command = [sys.executable, "-m", "limner.cli.main", "generate", "a fox"]
    with subprocess.Popen(
        [*command, "-m", "openai/dall-e-3", "-n", "3", "-o", f"{out}/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        preexec_fn=_interruptible,
    ) as child:
        deadline = time.monotonic() + 30
        while len(fake_openai.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the two answers read (a loaded machine is slow)
        child.send_signal(stop)
        try:
            stdout, stderr = child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()  # not left behind, nor waited for by the with block forever
            raise
    assert child.returncode == code, stderr
    saved = sorted(path.name for path in out.iterdir())
    assert saved == ["image-1.png", "image-2.png"], stderr
    assert stdout.splitlines()[:2] == [str(out / name) for name in saved]
    assert "was cancelled before it answered" in stderr
    assert "limner: interrupted; a request already sent may still be billed" in stderr
    assert "Traceback" not in stderr


def test_main_gives_back_the_callers_sigterm_handler(capsys: pytest.CaptureFixture[str]) -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        assert run(capsys, "models", "--json")[0] == 0
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_main_leaves_a_sigterm_handler_set_outside_python(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``signal.getsignal`` answers None for a handler a program embedding Python set: it
    cannot be set back, and is left as it is."""
    real = signal.getsignal
    monkeypatch.setattr(
        signal, "getsignal", lambda n: None if n == signal.SIGTERM else real(n), raising=True
    )
    assert run(capsys, "models", "--json")[0] == 0


def test_a_job_timeout_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "generate", "x", "-m", "openai/gpt-image-2", "--poll-timeout", "0")
    assert status == 2 and "--poll-timeout must be a positive number of seconds" in err


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_on_sigterm_and_ctrl_c(tmp_path: Path, stop: signal.Signals) -> None:
    command = [sys.executable, "-m", "limner.cli.main", "serve", "--port", "0"]
    with subprocess.Popen(
        [*command, "--files-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    ) as child:
        assert child.stdout is not None
        watchdog = threading.Timer(60, child.kill)  # a serve that never comes up: no hang
        watchdog.start()
        try:
            for line in child.stdout:  # serving once it names its URL
                if line.startswith("OpenAI client base URL"):
                    break
            child.send_signal(stop)
            _, stderr = child.communicate(timeout=30)
        finally:
            watchdog.cancel()
            if child.poll() is None:
                child.kill()
    assert child.returncode == 0, stderr
    assert stderr.strip().endswith("limner gateway: stopped")


def test_images_that_can_be_saved_nowhere_are_said_lost_with_their_cost(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A disk full for the temporary folder too: exit 1 (the call was made: not bad input),
    saying the images were billed and where saving failed; no empty folder is left."""
    import tempfile

    fill_disk(monkeypatch, tmp_path)  # the temporary folder below it too
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    target = tmp_path / "fox.png"
    status, out, err = run(
        capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "-o", str(target)
    )
    assert status == 1
    data_url, cost = out.splitlines()  # the image, kept on stdout (it was thrown away)
    assert data_url == f"data:image/png;base64,{base64.b64encode(png()).decode()}"
    assert cost.startswith("cost: $")
    assert err.startswith(
        f"limner: error: 1 image(s) were made, and billed, but could be saved neither in "
        f"{target} (No space left on device), nor in {temporary}/limner-"
    )
    assert err.rstrip().endswith(
        "(No space left on device); their data is on stdout (as data: URLs; with --json, as "
        "b64_json): free some space or choose another -o/--output"
    )
    assert list(temporary.iterdir()) == [] and not target.exists()
    assert len(fake_openai.requests) == 1
