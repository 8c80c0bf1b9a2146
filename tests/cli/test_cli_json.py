"""``--json`` for machines: every error is the OpenAI error body on stderr (argparse's refusals,
a call that made images but exits 1, an interruption), and the models are the gateway's model
objects."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

import limner
import limner.cli.main
from limner.cli.main import main
from limner.gateway.schemas import ModelObject
from limner.interrupted import kept

from .support import FakeOpenAI, fill_disk, png, run


def _refused(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    """Run arguments argparse refuses: they exit 2, as argparse does; the stdout and stderr."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 2
    captured = capsys.readouterr()
    return captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "said", "param"),
    [
        (["-m", "openai/gpt-image-2", "-n", "abc"], "argument -n: invalid int value: 'abc'", "n"),
        (["-m", "openai/gpt-image-2", "--seed", "1.5"], "argument --seed: invalid int", "seed"),
        ([], "the following arguments are required: -m/--model", "model"),
    ],
)
def test_with_json_argparse_errors_are_the_openai_error_body(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str, param: str | None
) -> None:
    out, err = _refused(capsys, "generate", "a fox", *argv, "--json")
    assert out == ""
    body = json.loads(err)  # one JSON object: no usage block
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["message"].startswith(said)
    assert body["error"]["message"].endswith("; limner generate --help shows the arguments")
    assert (body["error"]["type"], body["error"]["param"]) == ("invalid_request_error", param)


def test_several_missing_arguments_name_no_one_param(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, err = _refused(capsys, "edit", "a fox", "--json")
    error = json.loads(err)["error"]
    assert error["message"].startswith("the following arguments are required: -m/--model, --image")
    assert error["param"] is None


def test_without_json_argparse_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As every error of the command: argparse's words, and where the usage is shown."""
    out, err = _refused(capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "-n", "abc")
    assert out == ""
    assert err == (
        "limner generate: error: argument -n: invalid int value: 'abc' (limner generate --help "
        "shows the arguments)\n"
    )
    # what argparse quotes back is made safe for the terminal: one line, no escape sequence
    _, err = _refused(capsys, "models", "--x\x1b[2J\nz")
    assert err.count("\n") == 1 and "\x1b" not in err and "\\u001b[2J\\u000az" in err
    # after --, "--json" is the prompt, not the flag
    _, err = _refused(capsys, "generate", "-m", "openai/gpt-image-2", "-n", "abc", "--", "--json")
    assert err.startswith("limner generate: error: argument -n")
    # an option not taken is refused by its command, naming the one meant
    _, err = _refused(capsys, "models", "--bogus", "--json")
    assert json.loads(err)["error"]["message"].startswith("unrecognized arguments: --bogus")
    _, err = _refused(capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "--sise", "1K")
    assert err.splitlines() == [
        "limner generate: error: unrecognized arguments: --sise 1K (did you mean --size?) "
        "(limner generate --help shows the arguments)"
    ]
    # given before the command: where to put it, not "did you mean --json?"
    _, err = _refused(capsys, "--json", "models")
    assert "--json (give --json after the command's name)" in json.loads(err)["error"]["message"]
    status, _, err = run(
        capsys, "generate", "x", "-m", "openai/gpt-image-2", "--option", "openai.=1"
    )
    assert status == 2 and "use FIELD=VALUE" in err and "did you mean" not in err


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        (["--n", "2"], "-n"),  # was taken as --negative-prompt 2, and sent
        (["--neg", "blur"], "--negative-prompt"),
        (["--qual", "high"], "--quality"),
        (["--js"], "--json"),
    ],
)
def test_options_are_not_taken_abbreviated(
    capsys: pytest.CaptureFixture[str], given: list[str], meant: str
) -> None:
    _, err = _refused(capsys, "generate", "a fox", "-m", "openai/gpt-image-2", "--dry-run", *given)
    assert err.splitlines()[-1] == (
        f"limner generate: error: unrecognized arguments: {' '.join(given)} (did you mean {meant}?)"
        " (limner generate --help shows the arguments)"
    )


def _error_line(err: str) -> dict[str, Any]:
    """The JSON error, stderr's last line (any line before it is a warning)."""
    body: dict[str, Any] = json.loads(err.splitlines()[-1])
    return body


def test_with_json_fewer_images_than_asked_is_an_error_in_the_summary_and_on_stderr(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    refused = {"error": {"message": "blocked", "type": "x", "code": "content_policy_violation"}}
    fake_openai.script = [(400, refused)]
    fake_openai.body = {"created": 1, "data": [{"b64_json": base64.b64encode(png()).decode()}]}
    argv = ["a fox", "-m", "openai/dall-e-3", "-n", "2", "-o", str(tmp_path / "fox.png")]
    status, out, err = run(capsys, "generate", *argv, "--json")
    assert status == 1
    summary = json.loads(out)
    assert len(summary["files"]) == 1
    assert summary["error"] == {
        "message": "1 of the 2 image(s) asked for were made; the warnings say why",
        "type": "api_error",
        "param": "n",
        "code": "fewer_images",
    }
    assert any("blocked" in notice["message"] for notice in summary["warnings"])
    assert json.loads(err) == {"error": summary["error"]}  # stderr: that one JSON object


def test_with_json_each_images_words_are_kept_without_its_bytes(
    capsys: pytest.CaptureFixture[str], fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """The summary left out all of data: a revised prompt (or a provider's seed) was lost."""
    encoded = base64.b64encode(png()).decode()
    fake_openai.body = {
        "created": 1,
        "data": [{"b64_json": encoded, "revised_prompt": "a red fox in snow"}],
    }
    argv = ["a fox", "-m", "openai/dall-e-3", "-o", str(tmp_path / "fox.png")]
    status, out, err = run(capsys, "generate", *argv, "--json")
    assert status == 0, err
    summary = json.loads(out)
    assert summary["data"] == [{"revised_prompt": "a red fox in snow"}]
    assert summary["files"] == [str(tmp_path / "fox.png")]
    assert encoded not in out


def test_with_json_a_link_not_downloaded_is_an_error(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    link = "http://images.example/fox.png"  # plain http: limner does not download it
    fake_openai.body = {"created": 1700000000, "data": [{"url": link}]}
    status, out, err = run(capsys, "generate", "a fox", "-m", "openai/dall-e-2", "--json")
    assert status == 1
    summary = json.loads(out)
    assert (summary["files"], summary["urls"]) == ([], [link])
    assert summary["error"]["code"] == "images_not_downloaded"
    assert "download them from the link(s) in urls" in summary["error"]["message"]
    assert json.loads(err) == {"error": summary["error"]}


def test_with_json_images_saved_elsewhere_are_an_error(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill_disk(monkeypatch, tmp_path)
    target = tmp_path / "fox.png"
    argv = ["a fox", "-m", "openai/gpt-image-1", "-o", str(target)]
    status, out, err = run(capsys, "generate", *argv, "--json")
    assert status == 1
    summary = json.loads(out)
    (saved,) = map(Path, summary["files"])
    assert saved.read_bytes() == png()
    error = summary["error"]
    assert (error["code"], error["param"]) == ("images_saved_elsewhere", "output")
    assert f"could not be saved in {target}, and were saved in {saved.parent}" in error["message"]
    assert _error_line(err) == {"error": error}
    assert err.splitlines()[0].startswith(f"warning: could not save to {target}")


def test_with_json_images_saved_nowhere_are_an_error(
    capsys: pytest.CaptureFixture[str],
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill_disk(monkeypatch, tmp_path)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    argv = ["a fox", "-m", "openai/gpt-image-2", "-o", str(tmp_path / "fox.png")]
    status, out, err = run(capsys, "generate", *argv, "--json")
    assert status == 1
    summary = json.loads(out)
    assert summary["files"] == [] and summary["cost"] is not None
    assert summary["data"] == [{"b64_json": base64.b64encode(png()).decode()}]  # not lost
    assert summary["error"]["code"] == "images_not_saved"
    assert summary["error"]["message"].startswith("1 image(s) were made, and billed, but could")
    assert json.loads(err) == {"error": summary["error"]}


def _stopped_after(response: limner.ImagesResponse | None) -> Any:
    """A provider call cancelled (as SIGTERM cancels the command) after ``response`` was made."""

    async def call(*args: Any) -> None:
        if response is not None:
            made = kept()
            assert made is not None
            made.append(response)
        raise asyncio.CancelledError

    return call


@pytest.mark.parametrize("as_json", [False, True])
def test_an_interruption_is_the_error_on_stderr(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    as_json: bool,
) -> None:
    """Stopped after one of two images was made: it is saved and summed up, with the images
    missing as the summary's error; stderr says the interruption (one JSON object)."""
    monkeypatch.chdir(tmp_path)
    made = limner.ImagesResponse(
        created=1700000000,
        data=[{"b64_json": base64.b64encode(png()).decode()}],
        provider="openai",
        model="openai/dall-e-3",
    )
    monkeypatch.setattr(limner.cli.main, "_call", _stopped_after(made))
    argv = ["generate", "a fox", "-m", "openai/dall-e-3", "-n", "2"]
    status, out, err = run(capsys, *argv, *(["--json"] if as_json else []))
    assert status == 143
    assert (tmp_path / "limner-1700000000.png").read_bytes() == png()
    said = "interrupted; a request already sent may still be billed"
    if not as_json:
        assert err.splitlines() == [
            "limner: 1 of the 2 image(s) asked for were made; the warnings say why",
            f"limner: {said}",
        ]
        return
    assert json.loads(out)["error"]["code"] == "fewer_images"
    assert json.loads(err) == {
        "error": {"message": said, "type": "api_error", "param": None, "code": "interrupted"}
    }


def test_models_json_gives_the_gateways_model_objects(capsys: pytest.CaptureFixture[str]) -> None:
    """The fields the gateway's ``/v1/models`` entries have (OpenAI's ``object``, ``created``,
    ``owned_by``, ``shutdown_date``), in the list and for one model."""
    fields = set(ModelObject.model_fields) - {"request_schemas"}
    status, out, _ = run(capsys, "models", "--json")
    assert status == 0
    models = {model["id"]: model for model in json.loads(out)}
    assert all(fields <= set(model) for model in models.values())
    status, out, _ = run(capsys, "models", "openai/dall-e-3", "--json")
    assert status == 0
    model = json.loads(out)
    assert fields | {"request_schemas"} <= set(model)
    shutdown = model["lifecycle"]["shutdown_on"]
    assert shutdown is not None
    assert (model["object"], model["created"]) == ("model", 0)
    assert (model["owned_by"], model["shutdown_date"]) == ("openai", shutdown)
    assert {key: value for key, value in model.items() if key != "request_schemas"} == (
        models["openai/dall-e-3"]
    )
    with limner.Client(environ={}) as client:  # the same entries from Python
        for info in client.models.list():
            assert info.to_dict() == models[info.id] == json.loads(info.to_json()), info.id
        as_python = client.models.retrieve("openai/dall-e-3").to_dict(mode="python")
    assert as_python["lifecycle"]["shutdown_on"] == dt.date.fromisoformat(shutdown)
    lean = client.models.retrieve("openai/gpt-image-2").to_dict(exclude_none=True)
    assert "shutdown_date" not in lean and None not in lean.values()
