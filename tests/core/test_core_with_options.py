"""``with_options`` and the per-call ``timeout`` and ``max_retries``, as the openai SDK has them:
settings changed for a derived client or for one call, on the same connections."""

from __future__ import annotations

from typing import Any

import pytest

import limner
from limner import RetryPolicy

from .support import FakeServer, MakeClient, client_kwargs, error_reply


async def test_a_derived_client_times_out_sooner_and_the_client_keeps_its_own(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(timeout=5.0)
    quick = client.with_options(timeout=0.2)
    server.reply(server.stall)
    with pytest.raises(limner.RequestTimeoutError) as info:
        await quick.images.generate(model="alpha", prompt="x")
    assert "0.2 s" in info.value.message
    result = await client.images.generate(model="alpha", prompt="x")  # the server answers now
    assert len(result.data) == 1
    assert quick._transport.total_timeout == 0.2 and client._transport.total_timeout == 5.0


async def test_a_derived_client_shares_the_connections_and_closing_either_closes_both(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    derived = client.with_options(max_retries=0)
    await client.images.generate(model="alpha", prompt="x")
    await derived.images.generate(model="alpha", prompt="x")
    assert derived._transport.session is client._transport.session  # one session, one pool
    await derived.close()
    with pytest.raises(limner.LimnerError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.code == "client_closed"


async def test_closing_the_client_closes_a_client_derived_from_it(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    derived = client.with_options(timeout=3.0)
    await derived.images.generate(model="alpha", prompt="x")
    await client.close()
    with pytest.raises(limner.LimnerError) as info:
        await derived.images.generate(model="alpha", prompt="x")
    assert info.value.code == "client_closed"


async def test_max_retries_per_derived_client_keeps_the_rest_of_the_policy(
    make_client: MakeClient, server: FakeServer
) -> None:
    policy = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.01)
    client = make_client(retry=policy)
    derived = client.with_options(max_retries=0)
    assert derived._transport.retry == RetryPolicy(
        max_retries=0, initial_delay=0.001, max_delay=0.01
    )
    server.reply(error_reply(503))
    with pytest.raises(limner.ProviderUnavailableError):
        await derived.images.generate(model="alpha", prompt="x")
    assert len(server.api_calls) == 1  # no retry
    server.reply(error_reply(503))
    result = await client.images.generate(model="alpha", prompt="x")  # retried once, then ok
    assert len(result.data) == 1 and len(server.api_calls) == 3


async def test_strict_per_derived_client(make_client: MakeClient) -> None:
    client = make_client()
    assert client.with_options(strict=True)._engine.options.strict is True
    assert client._engine.options.strict is False
    assert client.with_options(strict=None)._engine is client._engine  # None keeps its own


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"connect_timeout": float("inf")}, "connect_timeout"),
        ({"poll_timeout": -1}, "poll_timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1, "retry": RetryPolicy()}, "max_retries"),
        ({"retry": 3}, "retry"),
        ({"strict": "no"}, "strict"),
        ({"allow_private_networks": 1}, "allow_private_networks"),
        ({"max_download_bytes": -5}, "max_download_bytes"),
        ({"api_key": "sk-x"}, "api_key"),  # a new client's setting, not an option
    ],
)
async def test_bad_options_are_refused_naming_the_setting(
    make_client: MakeClient, changes: dict[str, Any], param: str
) -> None:
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        client.with_options(**changes)
    assert info.value.param == param
    assert param in info.value.message


async def test_a_per_call_timeout_applies_to_that_call_alone(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(timeout=5.0)
    server.reply(server.stall)
    with pytest.raises(limner.RequestTimeoutError) as info:
        await client.images.generate(model="alpha", prompt="x", timeout=0.2)
    assert "0.2 s" in info.value.message
    result = await client.images.generate(model="alpha", prompt="x")
    assert len(result.data) == 1
    sent = server.api_calls[-1].json
    assert sent is not None and "timeout" not in sent  # an option, not a field for the provider


async def test_per_call_max_retries_on_edit_and_variation(
    make_client: MakeClient, server: FakeServer
) -> None:
    from .support import png

    client = make_client()
    server.reply(error_reply(503))
    with pytest.raises(limner.ProviderUnavailableError):
        await client.images.edit(model="alpha", prompt="x", image=png(), max_retries=0)
    assert len(server.api_calls) == 1
    server.reply(error_reply(503))
    with pytest.raises(limner.ProviderUnavailableError):
        await client.images.create_variation(model="alpha", image=png(), max_retries=0)
    assert len(server.api_calls) == 2


async def test_the_sdk_unset_marker_leaves_the_clients_timeout(
    make_client: MakeClient, server: FakeServer
) -> None:
    openai = pytest.importorskip("openai")
    client = make_client()
    result = await client.images.generate(model="alpha", prompt="x", timeout=openai.NOT_GIVEN)
    assert len(result.data) == 1


async def test_a_per_call_option_that_is_not_a_number_is_refused_before_sending(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x", max_retries=1.5)  # type: ignore[call-overload]
    assert info.value.param == "max_retries"
    assert server.api_calls == []


async def test_a_request_body_naming_timeout_is_still_refused() -> None:
    """In a request's JSON (the gateway's), ``timeout`` is no field: the error says where it
    belongs."""
    from limner.arguments import build_request
    from limner.requests import GenerateRequest

    with pytest.raises(limner.InvalidRequestError) as info:
        build_request(GenerateRequest, {"model": "alpha", "prompt": "x", "timeout": 5})
    assert info.value.param == "timeout"
    assert "with_options(timeout=...)" in info.value.message


def test_the_sync_client_with_options_and_per_call_timeout(
    threaded_server: FakeServer,
) -> None:
    with limner.Client(**client_kwargs(threaded_server, timeout=5.0)) as client:
        quick = client.with_options(timeout=0.2)
        threaded_server.reply(threaded_server.stall)
        with pytest.raises(limner.RequestTimeoutError):
            quick.images.generate(model="alpha", prompt="x")
        assert len(client.images.generate(model="alpha", prompt="x").data) == 1
        threaded_server.reply(threaded_server.stall)
        with pytest.raises(limner.RequestTimeoutError):
            client.images.generate(model="alpha", prompt="x", timeout=0.2)
        threaded_server.reply(error_reply(503))
        with pytest.raises(limner.ProviderUnavailableError):
            client.with_options(max_retries=0).images.generate(model="alpha", prompt="x")
        derived = client.with_options(timeout=3.0)
    with pytest.raises(limner.LimnerError) as info:  # closed with the client it came from
        derived.images.generate(model="alpha", prompt="x")
    assert info.value.code == "client_closed"


async def test_a_credential_given_to_with_options_points_to_providers(
    make_client: MakeClient,
) -> None:
    """Not only "make a new client": a new client refuses api_key= too."""
    with pytest.raises(limner.InvalidRequestError) as info:
        changes: dict[str, Any] = {"api_key": "sk-secret-value-0123"}
        make_client().with_options(**changes)
    assert info.value.message.endswith(
        "(make a new client for other settings: credentials and base URLs go in its providers=)"
    )
    assert "sk-secret" not in str(info.value)
