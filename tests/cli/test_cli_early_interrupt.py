"""Ctrl-C before the command handles it: while its modules load, or while it reads its
arguments. It ends as a later one does (one line, exit status 130), not in a traceback."""

from __future__ import annotations

import json
import sys
import types
from importlib.metadata import entry_points
from typing import NoReturn

import pytest

import limner.cli
from limner.cli import run


class _LoadingCli(types.ModuleType):
    """``limner.cli.main`` as Ctrl-C finds it halfway through loading."""

    def __getattr__(self, name: str) -> NoReturn:
        raise KeyboardInterrupt


def _interrupted_while_loading(monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    monkeypatch.setitem(sys.modules, "limner.cli.main", _LoadingCli("limner.cli.main"))
    monkeypatch.setattr(sys, "argv", ["limner", *argv])


def test_the_console_script_is_the_guarded_entry_point() -> None:
    (script,) = entry_points(group="console_scripts", name="limner")
    assert script.value == "limner.cli:run"


def test_ctrl_c_while_the_command_loads_is_one_line_and_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _interrupted_while_loading(monkeypatch, "models")
    assert run() == 130
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "limner: interrupted\n")


def test_ctrl_c_while_loading_with_json_is_the_openai_error_body(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _interrupted_while_loading(monkeypatch, "models", "--json")
    assert run() == 130
    assert (
        json.loads(capsys.readouterr().err)
        == limner.LimnerError("interrupted", code="interrupted").to_openai()
    )
    _interrupted_while_loading(monkeypatch, "models", "--js")  # no abbreviation: not --json
    assert run() == 130
    assert capsys.readouterr().err == "limner: interrupted\n"
    _interrupted_while_loading(monkeypatch, "generate", "--", "--json")  # a prompt, not the flag
    assert run() == 130
    assert capsys.readouterr().err == "limner: interrupted\n"


def test_ctrl_c_while_reading_the_arguments_is_one_line_and_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(argv: list[str]) -> NoReturn:
        raise KeyboardInterrupt

    monkeypatch.setattr("limner.cli.main._parse", interrupted)
    monkeypatch.setattr(sys, "argv", ["limner", "models"])
    assert run() == 130
    assert capsys.readouterr().err == "limner: interrupted\n"


def test_the_command_runs_through_the_entry_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["limner", "models", "--json"])
    assert run() == 0
    assert any(m["id"] == "openai/gpt-image-2" for m in json.loads(capsys.readouterr().out))
