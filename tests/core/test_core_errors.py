"""The error tree's rendering: ``message`` for every surface, ``str()`` for Python."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from aiohttp import web

import limner

from .support import FakeServer, MakeClient


def test_a_setting_is_spelt_for_python_in_str_only() -> None:
    error = limner.AuthenticationError(
        "Bad key. Check ACME_API_KEY.", setting=limner.ProviderSetting("acme", "api_key")
    )
    assert error.message == "Bad key. Check ACME_API_KEY."
    assert str(error) == (
        "Bad key. Check ACME_API_KEY "
        "(or pass providers={'acme': {'api_key': ...}} to limner.Client or AsyncClient)"
    )
    assert error.to_openai()["error"]["message"] == "Bad key. Check ACME_API_KEY."
    error.message = "Reworded"  # a rewording keeps the advice
    assert str(error) == (
        "Reworded (or pass providers={'acme': {'api_key': ...}} to limner.Client or AsyncClient)"
    )


def test_an_error_without_a_setting_is_its_message() -> None:
    error = limner.InvalidRequestError("n: must be 1 to 10", param="n")
    assert error.setting is None
    assert str(error) == error.message == "n: must be 1 to 10"


def test_the_setting_is_spelt_before_what_may_be_billed() -> None:
    """A job's note came first, and the setting's spelling read as part of it: "...; job j1
    was submitted: it may still finish and be billed (or pass providers=...)"."""
    error = limner.AuthenticationError(
        "Acme: key revoked — check ACME_API_KEY", setting=limner.ProviderSetting("acme", "api_key")
    )
    error.add_billing_note("job j1 was submitted: it may still finish and be billed")
    assert str(error) == (
        "Acme: key revoked — check ACME_API_KEY (or pass providers={'acme': {'api_key': ...}} "
        "to limner.Client or AsyncClient); job j1 was submitted: it may still finish and be "
        "billed"
    )


def test_advice_goes_before_the_first_billing_note_wherever_it_is() -> None:
    """A split call's error says the other calls after its own note: the advice went last."""
    error = limner.RequestTimeoutError("call 1 of 2 failed: no answer within 0.5 s")
    error.add_billing_note("the provider may still bill it")
    error.message += " (1 other call(s) failed too); call 2 of 2: the provider may still bill it"
    error.billing_note += "; call 2 of 2: the provider may still bill it"
    assert error.with_advice("give a larger --timeout") == (
        "call 1 of 2 failed: no answer within 0.5 s; give a larger --timeout; the provider may "
        "still bill it (1 other call(s) failed too); call 2 of 2: the provider may still bill it"
    )
    assert limner.LimnerError("no note").with_advice("retry") == "no note; retry"
    resent = limner.RequestTimeoutError("no answer within 0.5 s")  # a resend noted first,
    resent.add_billing_note("the provider may still bill it")  # in the note only
    resent.billing_note = f"attempt 1 may have been taken; {resent.billing_note}"
    assert resent.with_advice("give a larger --timeout") == (
        "no answer within 0.5 s; give a larger --timeout; the provider may still bill it"
    )


def test_the_setting_survives_pickling() -> None:
    """Errors cross process boundaries (multiprocessing, task queues) by pickle."""
    error = limner.MissingCredentialsError(
        "No Acme credential", provider="acme", setting=limner.ProviderSetting("acme", "key", "'k'")
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.provider, copy.setting) == (
        limner.MissingCredentialsError,
        error.provider,
        error.setting,
    )
    assert (
        str(copy)
        == "No Acme credential (or pass providers={'acme': {'key': 'k'}} to limner.Client or "
        "AsyncClient)"
    )


def test_the_default_parse_error_says_what_to_check_on_a_401_and_a_plain_404() -> None:
    """A plugin that keeps the default ``parse_error`` still gets errors that say what to do
    next: a rejected key names the key's variables, and a web server's 404 page (no JSON: not
    an API's own error) asks whether the base URL is right, not whether the model exists."""
    from limner.sending import generic_error

    from .fakeprovider import ALPHA, FakeProvider

    url = "https://proxy.example/v1/images/generations"
    refused = generic_error(
        FakeProvider(), ALPHA, limner.WireResponse(401, {}, b'{"error": "bad key"}', url)
    )
    assert type(refused) is limner.AuthenticationError
    assert refused.message == 'fake answered HTTP 401: {"error": "bad key"} — check FAKE_API_KEY'
    assert refused.setting == limner.ProviderSetting("fake", "api_key")
    page = limner.WireResponse(404, {"content-type": "text/plain"}, b"404: Not Found", url)
    lost = generic_error(FakeProvider(), ALPHA, page)
    assert type(lost) is limner.NotFoundError
    assert lost.code == limner.status_errors.ENDPOINT_NOT_FOUND
    assert lost.message == (
        "fake answered HTTP 404: 404: Not Found. Is FAKE_BASE_URL right? (the request went to "
        "https://proxy.example/v1/images/generations)"
    )
    assert lost.setting == limner.ProviderSetting("fake", "base_url")
    said = limner.WireResponse(404, {}, b'{"error": {"message": "no such model"}}', url)
    assert (
        generic_error(FakeProvider(), ALPHA, said).code != limner.status_errors.ENDPOINT_NOT_FOUND
    )


def test_a_404_from_no_api_names_the_setting_and_where_the_request_went() -> None:
    base_url = limner.ProviderSetting("acme", "base_url")
    error = limner.status_errors.endpoint_not_found(
        "Acme answered HTTP 404.",
        "https://user:pw@proxy.example/v2/images?token=t0ken",
        where="ACME_BASE_URL",
        provider="acme",
        status_code=404,
        code="ignored",
        setting=base_url,
    )
    assert type(error) is limner.NotFoundError
    assert error.message == (
        "Acme answered HTTP 404. Is ACME_BASE_URL right? "
        "(the request went to https://proxy.example/v2/images)"
    )
    assert (error.code, error.provider, error.status_code, error.setting) == (
        limner.status_errors.ENDPOINT_NOT_FOUND,
        "acme",
        404,
        base_url,
    )


@pytest.mark.parametrize(
    ("content", "body"),
    [
        (b'{"error": {"message": "no", "code": "x"}}', {"message": "no", "code": "x"}),
        (b'{"error": "bad key"}', "bad key"),  # whatever the member holds
        (
            b'{"message": "no", "__type": "ValidationException"}',
            {"message": "no", "__type": "ValidationException"},
        ),
        (b'[{"error": {"code": "x"}}]', [{"error": {"code": "x"}}]),  # no object: as it is
        (b"\n<html>Bad gateway</html>\n", "<html>Bad gateway</html>"),
        (b"", ""),
    ],
)
def test_an_error_body_is_the_answer_as_the_openai_sdk_keeps_it(content: bytes, body: Any) -> None:
    """``APIStatusError.body``: an error object's inside, other JSON, else the text. Limner gave
    the whole ``{"error": {...}}`` (``e.body.get("code")`` was ``None``) and ``None`` for text."""
    assert limner.WireResponse(400, {}, content).error_body() == body
    decoded = limner.WireResponse(400, {}, b'{"error": {"co', parsed={"error": {"code": "x"}})
    assert decoded.error_body() == {"code": "x"}  # (the transport's parse, of a cut body)


def test_the_default_parse_error_keeps_the_answer_as_the_body() -> None:
    from limner.sending import generic_error

    from .fakeprovider import ALPHA, FakeProvider

    said = limner.WireResponse(429, {}, b'{"error": {"message": "slow down", "code": "rate"}}')
    assert generic_error(FakeProvider(), ALPHA, said).body == {
        "message": "slow down",
        "code": "rate",
    }
    page = limner.WireResponse(404, {}, b"404: Not Found", "https://proxy.example/v1/x")
    assert generic_error(FakeProvider(), ALPHA, page).body == "404: Not Found"


async def test_an_error_a_plugin_gave_no_body_gets_the_answer_as_its_body(
    make_client: MakeClient, server: FakeServer
) -> None:
    """One rule for every provider: core fills in the body a plugin's error left out (a
    redirect's error, core's own, has the answer too)."""
    from .fakeprovider import FakePlugin, FakeProvider

    class Terse(FakeProvider):
        def parse_error(self, call: Any, response: Any) -> limner.LimnerError:
            return limner.InvalidRequestError("no")

    client = make_client(plugins=[FakePlugin(Terse)])
    refusal = {"error": {"message": "no", "code": "bad_size", "param": "size"}}
    server.reply(web.json_response(refusal, status=400))
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="alpha", prompt="x")
    assert info.value.body == refusal["error"]
    server.reply(
        web.Response(status=302, text=" moved ", headers={"location": "https://x.example/"})
    )
    with pytest.raises(limner.ProviderError) as moved:
        await client.images.generate(model="alpha", prompt="x")
    assert moved.value.body == "moved"
