"""What a plugin's own code raises keeps the settings' secrets out of what reaches the caller:
``authorize`` (on every call and in dry runs), ``translate``, and a ``price_call`` hook."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

import limner

from .fakeprovider import API_KEY, FakePlugin, FakeProvider
from .support import FAST_RETRY, FakeServer, MakeClient


def _everything_said(error: BaseException) -> str:
    """The error as a caller, a log or an error tracker sees it: message, chain, repr."""
    return "".join(traceback.format_exception(error)) + repr(error) + str(error.args)


class _QuotingAuthorize(FakeProvider):
    """An ``authorize`` that fails quoting the key, as a token exchange's error may."""

    failure: type[Exception] = ValueError

    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        assert settings.api_key is not None
        raise self.failure(f"token exchange failed for key {settings.api_key.get_secret_value()}")


class _BlockingAuthorize(_QuotingAuthorize):
    authorize_blocks = True


class _RefusedAuthorize(_QuotingAuthorize):
    failure = ConnectionRefusedError


class _MissingFileAuthorize(_QuotingAuthorize):
    failure = FileNotFoundError  # a key file not found: no network's doing, not retried


@pytest.mark.parametrize("provider", [_QuotingAuthorize, _BlockingAuthorize, _MissingFileAuthorize])
@pytest.mark.parametrize("dry_run", [False, True])
async def test_an_authorize_that_crashes_is_a_plugin_error_without_the_key(
    make_client: MakeClient,
    server: FakeServer,
    provider: type[_QuotingAuthorize],
    dry_run: bool,
) -> None:
    client = make_client(plugins=[FakePlugin(provider)])
    with pytest.raises(limner.PluginError) as caught:
        await client.images.generate(model="alpha", prompt="x", dry_run=dry_run)
    error = caught.value
    assert error.message.startswith(
        f"the fake plugin failed in authorize ({provider.failure.__name__}: token exchange "
        "failed for key <redacted>)"
    )
    assert (error.provider, error.model) == ("fake", "fake/alpha-1")
    assert API_KEY not in _everything_said(error)
    assert server.api_calls == []


async def test_an_authorize_that_cannot_reach_its_token_service_is_a_connection_failure(
    make_client: MakeClient, server: FakeServer
) -> None:
    """An OSError is the network's doing, not a bug: retried as a failed connection is."""
    attempts: list[int] = []

    class Counting(_RefusedAuthorize):
        def authorize(self, request: limner.WireRequest, *args: Any, **kw: Any) -> Any:
            attempts.append(1)
            return super().authorize(request, *args, **kw)

    client = make_client(plugins=[FakePlugin(Counting)])
    with pytest.raises(limner.ProviderConnectionError) as caught:
        await client.images.generate(model="alpha", prompt="x")
    error = caught.value
    assert error.message.startswith(
        "fake could not authorize the request (ConnectionRefusedError: token exchange failed "
        "for key <redacted>, at core/test_core_plugin_secrets.py:"
    )
    assert error.message.endswith("; check the network and the provider's credentials")
    assert len(attempts) == FAST_RETRY.max_retries + 1
    assert API_KEY not in _everything_said(error)
    assert server.api_calls == []


async def test_a_translate_that_quotes_the_key_is_scrubbed(
    make_client: MakeClient, server: FakeServer
) -> None:
    class Crashing(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            assert call.settings.api_key is not None
            raise ValueError(f"bad region for key {call.settings.api_key.get_secret_value()}")

    class Refusing(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            assert call.settings.api_key is not None
            key = call.settings.api_key.get_secret_value()
            raise limner.InvalidRequestError(f"{key} may not use this size", param="size")

    for provider, kind in ((Crashing, limner.PluginError), (Refusing, limner.InvalidRequestError)):
        client = make_client(plugins=[FakePlugin(provider)])
        for dry_run in (False, True):
            with pytest.raises(kind) as caught:
                await client.images.generate(model="alpha", prompt="x", dry_run=dry_run)
            assert "<redacted>" in caught.value.message
            assert API_KEY not in _everything_said(caught.value)
    assert server.api_calls == []


async def test_a_price_hook_that_quotes_a_key_is_said_by_where_it_was_raised(
    make_client: MakeClient, server: FakeServer
) -> None:
    class Quoting:
        @limner.hookimpl(tryfirst=True)
        def price_call(self) -> Any:
            raise RuntimeError(f"rate service refused key {API_KEY}")

    client = make_client(plugins=[FakePlugin(), Quoting()])
    result = await client.images.generate(model="alpha", prompt="x")
    dry = await client.images.generate(model="alpha", prompt="x", dry_run=True)
    for notices in (result.warnings, dry.warnings):
        (notice,) = [w for w in notices if w.code == "price_failed"]
        assert notice.message == (
            "pricing fake/alpha-1 failed in a plugin (RuntimeError, at "
            f"core/test_core_plugin_secrets.py:{Quoting.price_call.__code__.co_firstlineno + 2}"
            "); the cost is unknown"
        )
    assert API_KEY not in result.model_dump_json() + dry.model_dump_json()


async def test_a_chat_translation_and_a_settings_lookup_that_quote_the_key_are_scrubbed(
    server: FakeServer,
) -> None:
    from limner.chat import ChatCall

    from .test_core_chat import KEY, PainterProvider

    class CrashingChat(PainterProvider):
        def translate_chat(self, call: ChatCall) -> limner.Translation:
            raise KeyError(f"no turns for key {KEY}")

    class CrashingLookup(PainterProvider):
        def complete_settings(self, settings: limner.ProviderSettings) -> limner.ProviderSettings:
            raise RuntimeError(f"the project of key {KEY} could not be read")

    for provider, step in ((CrashingChat, "translate_chat"), (CrashingLookup, "complete_settings")):

        class Plugin:
            @limner.hookimpl
            def register_providers(self, register: Any, provider: Any = provider) -> None:
                register(provider())

        client = limner.AsyncClient(
            providers={"painter": {"api_key": KEY, "base_url": server.url}},
            plugins=[Plugin()],
            environ={},
        )
        async with client:
            with pytest.raises(limner.PluginError) as caught:
                await client.chat.completions.create(
                    model="painter/chat-1", messages=[{"role": "user", "content": "x"}]
                )
        assert f"failed in {step} (" in caught.value.message
        assert "<redacted>" in caught.value.message
        assert KEY not in _everything_said(caught.value)
    assert server.requests == []


async def test_a_key_quoted_further_down_the_chain_is_not_chained(
    make_client: MakeClient, server: FakeServer
) -> None:
    """``raise RuntimeError("...") from ValueError(key)``: the traceback would print the link
    below, which no one scrubs."""

    class Deep(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            assert call.settings.api_key is not None
            try:
                raise ValueError(f"bad key {call.settings.api_key.get_secret_value()}")
            except ValueError as exc:
                raise RuntimeError("token exchange failed") from exc

    class ChainedAuthorize(_QuotingAuthorize):
        def authorize(self, request: limner.WireRequest, *args: Any, **kw: Any) -> Any:
            try:
                return super().authorize(request, *args, **kw)
            except ValueError:  # the key's words chained as its context
                raise RuntimeError("could not sign")  # noqa: B904

    for provider in (Deep, ChainedAuthorize):
        client = make_client(plugins=[FakePlugin(provider)])
        for dry_run in (False, True):
            with pytest.raises(limner.PluginError) as caught:
                await client.images.generate(model="alpha", prompt="x", dry_run=dry_run)
            assert API_KEY not in _everything_said(caught.value)
    assert server.api_calls == []


async def test_an_authorize_asked_about_extra_headers_is_scrubbed_too(
    make_client: MakeClient, server: FakeServer
) -> None:
    """``extra_headers`` are checked against what ``authorize`` sets, before any call."""
    client = make_client(plugins=[FakePlugin(_QuotingAuthorize)])
    for dry_run in (False, True):
        with pytest.raises(limner.PluginError) as caught:
            await client.images.generate(
                model="alpha", prompt="x", extra_headers={"x-trace": "1"}, dry_run=dry_run
            )
        assert caught.value.message.startswith("the fake plugin failed in authorize (")
        assert API_KEY not in _everything_said(caught.value)
    assert server.api_calls == []
