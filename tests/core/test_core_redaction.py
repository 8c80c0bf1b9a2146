"""Secrets never come back in errors: a provider that echoes the key (as some do in a 401) has
it replaced by ``<redacted>`` in the message, the body and the OpenAI error body."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from aiohttp import web

import limner
from limner.redaction import Scrubber, secret_header_values

from .fakeprovider import API_KEY
from .support import FakeServer, MakeClient, Recorded


async def test_an_echoed_key_is_redacted_from_the_error(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def echo(recorded: Recorded) -> web.StreamResponse:
        payload = {"error": {"message": f"Incorrect API key provided: {API_KEY}", "type": "x"}}
        return web.json_response(payload, status=401)

    server.reply(echo)
    client = make_client()
    with pytest.raises(limner.AuthenticationError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    error = info.value
    assert API_KEY not in error.message
    assert "<redacted>" in error.message
    assert API_KEY not in str(error) and API_KEY not in repr(error)
    assert API_KEY not in str(error.to_openai())
    assert API_KEY not in str(error.body)


async def test_a_key_echoed_as_a_name_in_the_body_is_redacted(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A key that is an object's name in the body (not a value) stayed in ``error.body``."""

    async def echo(recorded: Recorded) -> web.StreamResponse:
        body = {"error": {"message": "bad key", "details": {API_KEY: "not valid"}}}
        return web.json_response(body, status=401)

    server.reply(echo)
    with pytest.raises(limner.AuthenticationError) as info:
        await make_client().images.generate(model="fake/alpha-1", prompt="p")
    assert info.value.body == {"message": "bad key", "details": {"<redacted>": "not valid"}}


async def test_a_key_echoed_encoded_is_redacted_in_each_form(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A key with ``/``, ``+`` and ``=`` (an AWS secret, a session token), echoed as a URL
    quotes it, as a JSON encoder that escapes ``/`` writes it, and base64 encoded (alone, and
    as a ``Basic`` credential's start)."""
    import base64
    from urllib.parse import quote, quote_plus

    key = "sk-live/ab+cd=ef gh"
    forms = [
        quote(key, safe=""),
        quote(key),  # (its / kept)
        quote_plus(key),
        quote(key, safe="").lower(),  # escapes in lower case (the key has no capitals)
        key.replace("/", "\\/"),
        base64.b64encode(key.encode()).decode(),
        base64.b64encode(f"{key}:".encode()).decode(),
        base64.urlsafe_b64encode(f"{key}:".encode()).decode(),
    ]
    echoed = " | ".join(forms)

    async def echo(recorded: Recorded) -> web.StreamResponse:
        return web.json_response({"error": {"message": echoed, "type": "x"}}, status=400)

    server.reply(echo)
    client = make_client(providers={"fake": {"api_key": key, "base_url": f"{server.url}/v1"}})
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    said = f"{info.value.message} {info.value.body} {info.value.to_openai()}"
    assert [form for form in forms if form in said] == []
    assert info.value.message.count("<redacted>") == len(forms)


async def test_a_key_echoed_in_param_or_request_id_is_redacted(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def echo(recorded: Recorded) -> web.StreamResponse:
        payload = {"error": {"message": "bad", "param": f"key {API_KEY}"}}
        return web.json_response(payload, status=400, headers={"x-request-id": API_KEY})

    server.reply(echo)
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    error = info.value
    assert (error.param, error.request_id) == ("key <redacted>", "<redacted>")
    assert API_KEY not in str(error.to_openai())


async def test_a_key_in_an_unreadable_body_is_redacted_too(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def html(recorded: Recorded) -> web.StreamResponse:
        return web.Response(text=f"<html>bad gateway for key {API_KEY}</html>", status=400)

    server.reply(html)
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert API_KEY not in info.value.message
    assert "<redacted>" in info.value.message


def test_secret_header_values_include_the_token_inside() -> None:
    request = limner.WireRequest(method="POST", url="https://x").with_headers(
        {"authorization": "Bearer tok-1234567890abcdef"}, secret=True
    )
    values = secret_header_values(request)
    assert "Bearer tok-1234567890abcdef" in values
    assert "tok-1234567890abcdef" in values
    scrub = Scrubber(values)
    assert scrub("denied tok-1234567890abcdef!") == "denied <redacted>!"
    assert scrub.value({"a": ["x tok-1234567890abcdef"]}) == {"a": ["x <redacted>"]}


def test_short_values_are_not_scrubbed() -> None:
    assert Scrubber(["abc"])("abc abc") == "abc abc"


async def test_a_key_the_excerpt_would_cut_in_two_is_redacted_first(
    make_client: MakeClient, server: FakeServer
) -> None:
    """The excerpt keeps 300 characters: cut before the key is replaced, its first part (here
    20 characters of it) would survive."""

    async def page(recorded: Recorded) -> web.StreamResponse:
        text = "x" * 280 + f"key {API_KEY} and more"  # the key spans characters 284-314
        return web.Response(text=text, status=400)

    server.reply(page)
    client = make_client()
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert API_KEY[:16] not in info.value.message
    assert "xkey <redacted> and m" in info.value.message


def test_every_text_an_error_carries_is_scrubbed() -> None:
    error = limner.ContentPolicyError(
        f"blocked {API_KEY}",
        reason=f"echo {API_KEY}",
        body={"k": [API_KEY]},
        param=API_KEY,
        categories=[f"echo {API_KEY}"],
    )
    Scrubber([API_KEY]).error(error)
    assert API_KEY not in repr(vars(error)) and API_KEY not in str(error)
    assert error.categories == ("echo <redacted>",)
    assert error.reason == "echo <redacted>"
    assert error.body == {"k": ["<redacted>"]}


async def test_a_redirect_is_not_followed(make_client: MakeClient, server: FakeServer) -> None:
    """Following it would send the credential headers to another address."""

    async def moved(recorded: Recorded) -> web.StreamResponse:
        return web.Response(status=307, headers={"Location": "http://elsewhere.example/v1"})

    server.reply(moved)
    client = make_client()
    with pytest.raises(limner.ProviderError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert len(server.requests) == 1
    assert info.value.status_code == 307
    assert "a redirect to http://elsewhere.example/v1; limner does not follow redirects" in (
        info.value.message
    )


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        (
            "https://bob:hunter2-pw@10.0.0.7:8443/v1/images?sig=tok3n-SIGNATURE#x",
            "https://10.0.0.7:8443/v1/images",
        ),
        ("/v2/images?token=tok3n-SIGNATURE", "/v2/images"),
        ("", "another address"),
    ],
)
async def test_a_redirect_is_named_without_its_query_or_credentials(
    make_client: MakeClient, server: FakeServer, location: str, shown: str
) -> None:
    """A ``Location`` may carry a signed query or a ``user:password@`` part: the error names
    its scheme, host and path only."""
    server.reply(web.Response(status=302, headers={"Location": location}))
    with pytest.raises(limner.ProviderError) as info:
        await make_client().images.generate(model="fake/alpha-1", prompt="p")
    assert info.value.message == (
        f"fake answered HTTP 302, a redirect to {shown}; limner does not follow redirects (they "
        "would carry the credentials elsewhere): set the provider's base_url to the address the "
        "API is served from"
    )


async def test_a_transport_error_keeps_no_aiohttp_exception(make_client: MakeClient) -> None:
    """aiohttp's exceptions hold the request's headers (its request_info), credentials
    included: one is neither the cause nor the context of limner's error."""
    client = make_client(
        providers={"fake": {"api_key": API_KEY, "base_url": "http://127.0.0.1:9/v1"}}
    )
    with pytest.raises(limner.ProviderConnectionError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert "could not reach 127.0.0.1" in info.value.message
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_no_signature_shows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A default of ``os.environ`` in a signature shows every secret in it wherever the
    signature is shown: ``help()``, IDE tooltips, generated docs."""
    import importlib
    import importlib.metadata
    import pydoc

    secret = "sk-live-environment-secret-123456"
    monkeypatch.setenv("ANY_PROVIDER_API_KEY", secret)
    shown = [pydoc.render_doc(limner.Provider), pydoc.render_doc(limner.AsyncClient)]
    for module in ("limner.gateway.config", "limner.provider", "limner.client"):
        shown.append(pydoc.render_doc(importlib.import_module(module)))
    for entry in importlib.metadata.entry_points(group="limner"):  # each installed plugin
        shown.append(pydoc.render_doc(entry.load()))
    assert len(shown) > 6
    assert not [text for text in shown if secret in text]


async def test_a_plugins_exception_quoting_an_echoed_key_is_not_chained(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A plugin that cannot read a 2xx body raises whatever its parser raised (here pydantic's
    error, which quotes the body), and no one scrubs that exception's words: it is not chained
    to the error (a logged traceback would print it), and the error says where it was raised."""
    import traceback

    async def echo(recorded: Recorded) -> web.StreamResponse:
        return web.json_response({"data": [{"b64_json": {"echo": f"Bearer {API_KEY}"}}]})

    server.reply(echo)
    client = make_client()
    with pytest.raises(limner.ProviderError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    error = info.value
    printed = "".join(traceback.format_exception(error))
    assert API_KEY not in printed
    assert error.__cause__ is None
    assert "ValidationError" in error.message and "<redacted>" in error.message
    assert ", at core/fakeprovider.py:" in error.message  # its folder and file, not its path


async def test_a_plugins_exception_without_a_secret_stays_chained(
    make_client: MakeClient, server: FakeServer
) -> None:
    async def odd(recorded: Recorded) -> web.StreamResponse:
        return web.json_response({"echo": "nothing secret"})

    server.reply(odd)
    client = make_client()
    with pytest.raises(limner.ProviderError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p")
    assert info.value.__cause__ is not None


async def test_a_configured_key_in_a_dry_runs_header_is_redacted_but_the_prompt_is_shown(
    make_client: MakeClient,
) -> None:
    """The user put the key in a header of its own: a dry run, which is shown and logged, hides
    it as it hides the credential header. The body is shown as sent: a prompt may hold the
    key's text by chance (a local server's placeholder key, ``lm-studio``)."""
    client = make_client()
    dry = await client.images.generate(
        model="fake/alpha-1",
        prompt=f"a neon sign reading {API_KEY}",
        extra_headers={"X-Trace": f"trace {API_KEY}"},
        dry_run=True,
    )
    (request,) = dry.requests
    assert request["headers"]["x-trace"] == "trace <redacted>"
    assert request["json"]["prompt"] == f"a neon sign reading {API_KEY}"


def _frame_locals(exc: BaseException) -> Iterator[tuple[str, str, Any]]:
    """(function, name, value) of every local of every frame ``exc`` and the exceptions it
    chains passed through."""
    chained: BaseException | None = exc
    while chained is not None:
        tb = chained.__traceback__
        while tb is not None:
            for name, value in tb.tb_frame.f_locals.items():
                yield tb.tb_frame.f_code.co_name, name, value
            tb = tb.tb_next
        chained = chained.__context__


@pytest.mark.parametrize("stall", ["stall", "stall_mid_body"])
async def test_a_call_cancelled_in_flight_leaves_no_key_in_its_tracebacks_locals(
    make_client: MakeClient, server: FakeServer, stall: str
) -> None:
    """Error trackers (Sentry's default) record every frame's locals: a ``wait_for`` timeout
    chains the cancellation, whose frames held the request's headers as plain dicts."""
    server.reply(getattr(server, stall))
    client = make_client()
    with pytest.raises(TimeoutError) as info:
        await asyncio.wait_for(client.images.generate(model="fake/alpha-1", prompt="p"), 0.3)
    seen = list(_frame_locals(info.value))
    assert any(name == "request" for _, name, _ in seen)  # the frames above keep their locals
    leaks = [
        (function, name)
        for function, name, value in seen
        if API_KEY in repr(dict(value) if isinstance(value, Mapping) else value)
    ]
    assert leaks == []
