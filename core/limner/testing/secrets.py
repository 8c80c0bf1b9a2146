"""The standard tests of secrets: a dry run shows none of the test's credentials, and no
translation holds one (credentials are ``authorize``'s to add, in headers it marks secret: core
hides the settings' secrets from a dry run's URL and headers, but a translation's body is shown
as sent, and it is also what cassettes record and what is compared between calls)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..capabilities import ModelInfo
from ..provider import Provider
from ..redaction import MIN_SECRET
from ..sync_client import Client
from ..wire import WireRequest
from .checks import credential_name
from .harness import Case, Harness

__all__ = ["SecretTests"]

"""limner hides no shorter value: so short a value would hide ordinary text."""


class SecretTests(Harness):
    """The secrets tests of :class:`~limner.testing.ProviderTests`, for images and chat."""

    def test_secrets_never_appear_in_a_dry_run(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        provider, model, operation = case
        with self._watching(provider, model, "translate", monkeypatch) as (client, translated):
            shown = self._call(client, model, operation, dry_run=True).model_dump(mode="json")
            secrets = self._secrets(provider, model, client)
            _hidden(f"{model.id} {operation}", secrets, shown, client, translated)

    def test_secrets_never_appear_in_a_chat_dry_run(
        self, provider: Provider, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        model = next((m for m in provider.models() if m.capabilities.supports("chat")), None)
        if model is None:
            pytest.skip(f"{provider.name} has no chat model")
        with self._watching(provider, model, "translate_chat", monkeypatch) as (client, sent):
            answer = client.chat.completions.create(
                model=model.id, messages=[{"role": "user", "content": "a fox"}], dry_run=True
            )
            secrets = self._secrets(provider, model, client)
            _hidden(f"{model.id} chat", secrets, answer.model_dump(mode="json"), client, sent)

    def _secrets(self, provider: Provider, model: ModelInfo, client: Client) -> list[str]:
        """The values to look for: the client's secrets and the test's own credentials, at
        least :data:`~limner.redaction.MIN_SECRET` long; fails when the test gives only shorter
        ones."""
        named = [  # the test's own credential values, whatever type the plugin gave them
            str(value)
            for name, value in self.settings_for(provider, model).items()
            if credential_name(name) and value
        ]
        secrets = [s for s in [*client.secret_values(), *named] if len(s) >= MIN_SECRET]
        assert secrets or not named, (
            f"{model.id}: the test's credentials are all shorter than {MIN_SECRET} characters, "
            "which limner does not hide (so short a value would hide ordinary text): give the "
            "settings a longer key, or this test checks nothing"
        )
        return secrets


def _hidden(
    label: str,
    secrets: list[str],
    shown: dict[str, Any],
    client: Client,
    translated: list[WireRequest],
) -> None:
    """Fail when a secret is in the dry run ``shown``, the client's repr or a translation; the
    failure begins with ``label`` (the model and operation)."""
    said = json.dumps(shown) + repr(client)
    for secret in secrets:
        assert secret not in said, f"{label}: a secret is shown"
        for request in translated:
            assert secret not in json.dumps(request.describe(), default=str), (
                f"{label}: a secret is shown: the translation holds a credential, which "
                "authorize should add (in a header it marks secret)"
            )
