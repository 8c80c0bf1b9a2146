"""Fixtures for provider plugin tests: vcrpy cassettes under cassettes/<provider>/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from pytest_recording.plugin import get_default_cassette_name

from .cassettes import (
    CASSETTES,
    SECRET_HEADERS,
    ProvenanceSerializer,
    accept_matcher,
    before_record_response,
    body_matcher,
    headers_matcher,
)

RECORDING = CASSETTES / ".recording"
"""Where a recording run writes; a cassette moves into place once its test has passed."""
RECORD_COMMAND = (
    "with the key set, .venv/bin/python -m pytest tests/plugins -m live --record-mode=rewrite"
)


def _recording(config: pytest.Config) -> bool:
    return str(config.getoption("--record-mode", default="none")) != "none"


def _cassette(folder: Path, item: pytest.Item) -> Path:
    """Where pytest-recording keeps ``item``'s cassette under ``folder`` (its name has the
    test's class and parameters, made safe for a file system)."""
    name = get_default_cassette_name(getattr(item, "cls", None), item.name)
    return folder / item.path.parent.name / item.path.stem / f"{name}.yaml"


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    provider = request.path.parent.name
    folder = RECORDING if _recording(request.config) else CASSETTES
    return str(folder / provider / request.path.stem)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After the vcr fixture has written a live test's recording: it replaces the cassette only
    when the test passed (a 401, or an answer the test refuses, replaces nothing)."""
    outcome = yield
    if _recording(item.config) and item.get_closest_marker("live") is not None:
        written = _cassette(RECORDING, item)
        report = getattr(item, "limner_call_report", None)
        if written.exists() and report is not None and report.passed:
            final = _cassette(CASSETTES, item)
            final.parent.mkdir(parents=True, exist_ok=True)
            written.replace(final)
        else:
            written.unlink(missing_ok=True)
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.limner_call_report = report  # type: ignore[attr-defined]
    return report


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": [(name, "<redacted>") for name in SECRET_HEADERS],
        "decode_compressed_response": True,
        "before_record_response": before_record_response,
        "match_on": [
            "method",
            "scheme",
            "host",
            "port",
            "path",
            "query",
            "limner_accept",
            "limner_headers",
            "limner_body",
        ],
        "serializer": "yaml",
        "allow_playback_repeats": False,
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    """A recording run starts from an empty ``.recording`` folder: a file an earlier run left
    there (interrupted) must not be replayed, or moved into place as recorded live."""
    if _recording(session.config):
        shutil.rmtree(RECORDING, ignore_errors=True)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("limner_accept", accept_matcher)
    vcr.register_matcher("limner_headers", headers_matcher)
    vcr.register_matcher("limner_body", body_matcher)
    vcr.register_serializer("yaml", ProvenanceSerializer())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "replay_only: a test of the cassette matcher itself, skipped while recording (a "
        "recording would overwrite its decoy cassette with the answer it must not find)",
    )
    config.addinivalue_line(
        "markers",
        "live(*variables): a call recorded live by a maintainer who has set one of these "
        "environment variables (its credential); replayed once its cassette exists, skipped "
        "until then",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """While recording, only tests marked live whose credential is set run: nothing is sent
    with a placeholder key, and a cassette built from a public recording or a spec is never
    deleted (the skip comes before the vcr fixture that would delete it). While replaying, a
    live test whose cassette was never recorded is skipped, saying how to record it."""
    recording = _recording(config)
    for item in items:
        live = item.get_closest_marker("live")
        if recording and live is None and item.get_closest_marker("vcr") is not None:
            item.add_marker(
                pytest.mark.skip(
                    reason="not recorded: its cassette is built from a public recording or a "
                    "spec, or is a matcher decoy (only tests marked live are recorded)"
                )
            )
        elif recording and live is not None and not any(os.environ.get(n) for n in live.args):
            item.add_marker(pytest.mark.skip(reason=f"set {' or '.join(live.args)} to record it"))
        elif not recording and live is not None and not _cassette(CASSETTES, item).exists():
            item.add_marker(pytest.mark.skip(reason=f"no live recording yet: {RECORD_COMMAND}"))
