"""The names an unknown model's error suggests."""

from __future__ import annotations

import pytest

from limner.unknown_model import unknown_model

IDS = [
    "openai/gpt-image-1",
    "openai/gpt-image-2",
    "google/imagen-4.0-generate-001",
    "google/imagen-4.0-ultra-generate-001",
    "amazon/amazon.nova-canvas-v1:0",
]
ALIASES = {model.split("/", 1)[1]: model for model in IDS}


@pytest.mark.parametrize(
    ("key", "suggested"),
    [
        # a short name it is part of, punctuation aside: not another provider's look-alike
        (
            "imagen-4",
            ("google/imagen-4.0-generate-001", "google/imagen-4.0-ultra-generate-001"),
        ),
        ("imagen4", ("google/imagen-4.0-generate-001", "google/imagen-4.0-ultra-generate-001")),
        # the provider named: its models
        ("amazon/titan-image-generator-v2:0", ("amazon/amazon.nova-canvas-v1:0",)),
        ("openai/gpt-image-3", ("openai/gpt-image-2", "openai/gpt-image-1")),
        ("zzzzzzzzzzzz", ()),
        ("gp", ()),  # too short to be part of a name
    ],
)
def test_suggestions_are_the_models_meant(key: str, suggested: tuple[str, ...]) -> None:
    error = unknown_model(key, [*IDS, *ALIASES], ALIASES, (), no_plugins=False)
    assert error.suggestions == suggested
