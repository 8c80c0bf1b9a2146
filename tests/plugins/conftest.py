"""Fixtures for provider plugin tests: vcrpy cassettes under cassettes/<provider>/."""

from __future__ import annotations

from typing import Any

import pytest

from .cassettes import (
    CASSETTES,
    SECRET_HEADERS,
    ProvenanceSerializer,
    accept_matcher,
    before_record_response,
    body_matcher,
)


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    provider = request.path.parent.name
    return str(CASSETTES / provider / request.path.stem)


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
            "limner_body",
        ],
        "serializer": "yaml",
        "allow_playback_repeats": False,
    }


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("limner_accept", accept_matcher)
    vcr.register_matcher("limner_body", body_matcher)
    vcr.register_serializer("yaml", ProvenanceSerializer())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "replay_only: a test of the cassette matcher itself, skipped while recording (a "
        "recording would overwrite its decoy cassette with the answer it must not find)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--record-mode", default="none") == "none":
        return
    skip = pytest.mark.skip(reason="replay only: it checks that a changed request finds no answer")
    for item in items:
        if item.get_closest_marker("replay_only") is not None:
            item.add_marker(skip)
