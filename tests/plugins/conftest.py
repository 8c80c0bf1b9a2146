"""Fixtures for provider plugin tests: vcrpy cassettes under cassettes/<provider>/."""

from __future__ import annotations

from typing import Any

import pytest

from .cassettes import (
    CASSETTES,
    SECRET_HEADERS,
    ProvenanceSerializer,
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
        "match_on": ["method", "scheme", "host", "port", "path", "query", "limner_body"],
        "serializer": "yaml",
        "allow_playback_repeats": False,
    }


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("limner_body", body_matcher)
    vcr.register_serializer("yaml", ProvenanceSerializer("pytest --record-mode=rewrite"))
