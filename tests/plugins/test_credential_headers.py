"""A credential header in ``extra_headers`` is refused, the error saying where the called
provider's credential is set instead: its settings, in code or in the environment variables of
its secrets (and of the setting the header is named after), which the CLI and gateway read."""

from __future__ import annotations

import pytest

import limner


@pytest.mark.parametrize(
    ("model", "header", "variables"),
    [
        ("openai/gpt-image-2", "Authorization", "OPENAI_API_KEY"),
        ("openai/gpt-image-2", "OpenAI-Organization", "OPENAI_API_KEY, OPENAI_ORG_ID"),
        (
            "google/gemini-3.1-flash-image",
            "x-goog-user-project",
            "GOOGLE_API_KEY, GEMINI_API_KEY, GOOGLE_CLOUD_PROJECT",
        ),
        ("stabilityai/sd3.5-large", "Authorization", "STABILITY_API_KEY"),
    ],
)
def test_a_credential_header_is_refused_naming_where_it_is_set(
    model: str, header: str, variables: str
) -> None:
    """The message names the environment variables, which the command line and the gateway
    read."""
    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as caught:
        client.images.generate(model=model, prompt="x", extra_headers={header: "v"}, dry_run=True)
    assert caught.value.param == f"extra_headers.{header.lower()}"
    said = (
        f"extra_headers may not set the credential header {header.lower()!r}: credentials come "
        f"from the provider's settings ({variables}), not from a request"
    )
    assert caught.value.message == said
    assert str(caught.value) == said  # no Python spelling: a gateway's client reads it too
