"""The error tree's rendering: ``message`` for every surface, ``str()`` for Python."""

from __future__ import annotations

import pickle

import limner


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
