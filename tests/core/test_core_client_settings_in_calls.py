"""A client setting given to a call (``strict=True`` on ``images.generate``): a call takes only
``timeout`` and ``max_retries`` as the openai SDK's do, so the others are request fields,
forwarded to the provider, with a warning that they are the client's."""

from __future__ import annotations

from typing import Any

import pytest

import limner
from limner.client_options import CALL_OPTIONS, ClientOptions
from limner.typos import CLIENT_SETTINGS


def test_the_settings_said_to_be_the_clients_are_those_a_call_does_not_take() -> None:
    assert set(ClientOptions.__annotations__) - set(CALL_OPTIONS) == CLIENT_SETTINGS


@pytest.mark.parametrize("name", sorted(CLIENT_SETTINGS))
async def test_a_client_setting_given_to_a_call_is_forwarded_and_said_to_be_the_clients(
    client: limner.AsyncClient, name: str
) -> None:
    extra: dict[str, Any] = {name: True}
    dry = await client.images.generate(model="alpha", prompt="x", dry_run=True, **extra)
    assert dry.requests[0]["json"][name] is True  # forwarded as an unknown field is
    assert [(w.code, w.param, w.message) for w in dry.warnings] == [
        (
            "possible_typo",
            name,
            f"{name} is a setting of limner's client, not a request field: it is forwarded to "
            "the provider as given (a provider that does not know it ignores or refuses it); "
            f"set it on the client (limner.Client({name}=...), or "
            f"client.with_options({name}=...); a gateway's client is its operator's)",
        )
    ]
