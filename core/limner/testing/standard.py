"""The standard tests: :class:`ProviderTests` (see :mod:`limner.testing`)."""

from __future__ import annotations

import inspect
import json
from typing import Any

import jsonschema
import pytest

from ..capabilities import ModelInfo, Operation
from ..errors import (
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    PluginError,
    ProviderError,
    RateLimitError,
)
from ..http import Transport
from ..loading import misspelled_members
from ..provider import Provider
from ..requests import known_request_fields
from ..wire import WireRequest, WireResponse
from .checks import (
    ANSWERS,
    BY_STATUS,
    NetworkUsed,
    another_value,
    body_fields,
    credential_name,
    undescribed,
)
from .choices import ChoiceTests
from .harness import OVERRIDABLE, Case, held
from .secrets import SecretTests

__all__ = ["ProviderTests"]

_CANARY = "limner-standard-tests-canary"
_EXTRA_FIELD = "limner_standard_tests_extra"


_BODY_FIELDS = ("method", "url", "json", "form", "files", "content")


def _unsigned(
    provider: Provider, request: WireRequest, settings: Any, *, dry_run: bool = False
) -> WireRequest:
    """``authorize`` that adds nothing: the translation alone."""
    return request


def _names_the_key(provider: Provider, error: LimnerError, body: bytes) -> None:
    """A rejected key's error says where the key comes from: one of the provider's credential
    variables (``Provider.env``) in its message, or the setting in ``error.setting``, as the
    default ``parse_error`` does, so the command line and the gateway's operator know what to
    check."""
    names = [n for key, env in provider.env.items() if credential_name(key) for n in env]
    named = any(name in error.message for name in names)
    if names and not named and error.setting is None:
        raise AssertionError(
            f"{provider.name}: parse_error on HTTP 401 with the body {body!r} returned "
            f"{error!r}, which names neither {' nor '.join(names)} nor the setting: pass "
            f"setting=limner.ProviderSetting({provider.name!r}, 'api_key'), or return "
            "limner.sending.generic_error's answer"
        )


class ProviderTests(SecretTests, ChoiceTests):
    """The standard tests. Set :attr:`plugin`, and override :attr:`settings` to give the
    provider its credentials (and anything a dry run needs, such as a region)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "test_no_standard_test_is_overridden" in vars(cls):
            raise TypeError(
                f"{cls.__name__} overrides test_no_standard_test_is_overridden, the check that "
                "keeps every standard test visible: leave it to ProviderTests"
            )

    # ---- the standard tests ------------------------------------------------------------------

    def test_models_are_served_by_their_provider(self, provider: Provider) -> None:
        models = provider.models()
        assert models, f"{provider.name} registers no model"
        for model in models:
            assert model.provider == provider.name, model.id
            assert self._registry().resolve(model.id).id == model.id

    def test_every_request_schema_is_valid_json_schema(self, case: Case) -> None:
        provider, model, operation = case
        with self._client(provider, model) as client:
            schema = client.models.schema(model.id, operation)
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as error:
            path = "/".join(str(part) for part in error.path)
            raise AssertionError(
                f"{model.id} {operation}: the request schema is not valid JSON Schema at "
                f"{path}: {error.message}"
            ) from None

    def test_a_minimal_request_translates_offline_and_the_same_way_twice(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        provider, model, operation = case
        for names in provider.env.values():  # the client reads none: the plugin must not
            for name in names:
                monkeypatch.setenv(name, f"{_CANARY}-{name}")
        try:
            first, second = self._dry_run(case), self._dry_run(case)
        except PluginError as error:  # core's check of the URL, say, read the canary first
            if _CANARY not in error.message:
                raise
            raise AssertionError(
                f"{model.id} {operation}: the translation read the provider's environment "
                f"variables; settings come to it in call.settings ({error.message})"
            ) from None
        for request in first["requests"]:
            assert request["url"].startswith(("https://", "http://")), request["url"]
        assert _CANARY not in json.dumps(first), (
            f"{model.id} {operation}: the translation read the provider's environment variables; "
            "settings come to it in call.settings"
        )
        if first != second:  # authorize may add what changes by the second (a signing date)
            with self._client(provider, model) as client:
                live = type(client.registry.providers[provider.name])
            monkeypatch.setattr(live, "authorize", _unsigned)
            first, second = self._dry_run(case), self._dry_run(case)
        assert first == second, (
            f"{model.id} {operation}: two dry runs of the same request differ: a translation "
            "must depend on the request and settings alone"
        )
        with self._translating(provider, model, monkeypatch) as (client, translated):
            for _ in range(2):  # (a dry run shows a raw body's length alone)
                self._call(client, model, operation, dry_run=True)
        half = len(translated) // 2
        sent = [held(t.request) for t in translated]
        assert sent[:half] == sent[half:], (
            f"{model.id} {operation}: two translations of the same request differ (a raw "
            "body's bytes, or a header): a translation must depend on the request and settings "
            "alone"
        )

    def test_extra_fields_are_sent_unchanged_and_never_in_place_of_a_built_one(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        provider, model, operation = case
        extra = {_EXTRA_FIELD: "sent as given"}
        with self._translating(provider, model, monkeypatch) as (client, translated):
            self._call(client, model, operation, dry_run=True, extra_body=extra)
            built = body_fields(translated[0].request)
            if built is None:
                pytest.skip(f"{model.id} {operation}: a raw body that is no JSON object")
            assert built.get(_EXTRA_FIELD) == "sent as given", (
                f"{model.id} {operation}: an unknown request field (extra_body) was not sent "
                "unchanged at the top level of the body; see limner.forwarding.forward_fields"
            )
            scalars = [
                (name, value)
                for name, value in built.items()
                if name not in known_request_fields() and name != _EXTRA_FIELD
                and isinstance(value, str | int | float | bool)
            ]  # fmt: skip
            if not scalars:  # every field it builds is a request field: none to replace
                return
            name, value = scalars[0]
            other = another_value(value)
            try:
                self._call(client, model, operation, dry_run=True, extra_body={name: other})
            except LimnerError as error:
                assert isinstance(error, InvalidRequestError) and error.param == name, error
            else:
                raise AssertionError(
                    f"{model.id} {operation}: extra_body={{{name!r}: {other!r}}} replaced the "
                    f"{value!r} the translation built, and the report of what was sent is wrong; "
                    "refuse it, naming it (limner.forwarding.forward_fields does)"
                )

    def test_a_dry_run_needs_no_credentials(self, case: Case) -> None:
        self._dry_run(case, secrets=False)

    def test_a_model_priced_per_image_estimates_a_minimal_request(self, case: Case) -> None:
        _, model, operation = case
        if model.pricing is None or not model.pricing.per_image:
            pytest.skip(f"{model.id} has no per_image prices, which estimates come from")
        plan = self._dry_run(case)
        said = ("price_unknown", "price_failed")  # (a price_call hook that raised: its words)
        notes = [w["message"] for w in plan["warnings"] if w["code"] in said]
        assert plan["estimated_cost_usd"] is not None, (
            f"{model.id} {operation}: the model lists per_image prices, but a minimal request has "
            f"no estimate ({'; '.join(notes) or 'no reason given'}); the Translation's size, "
            "quality and edit_mode must match a price row"
        )

    def test_a_portable_quality_is_sent_as_the_quality_map_says(self, case: Case) -> None:
        """A tool prices and shows a portable quality through ``Capabilities.quality_map``: the
        translation must send the quality the map names (or drop it, saying so), and say it."""
        _, model, operation = case
        quality_map = model.capabilities.for_operation(operation).quality_map
        if operation == "variation" or not quality_map:
            pytest.skip(f"{model.id} {operation}: no quality_map")
        for portable, own in quality_map.items():
            plan = self._dry_run(case, quality=portable)
            applied = [a["applied"] for a in plan["adjustments"] if a["param"] == "quality"]
            assert applied and set(applied) <= {own, None}, (
                f"{model.id} {operation}: quality={portable!r} was sent as {applied or 'itself'}"
                f", without the adjustment its quality_map says ({portable} as {own})"
            )

    def test_authorize_adds_only_headers_and_marks_credentials_secret(
        self, case: Case, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        provider, model, operation = case
        seen: list[tuple[WireRequest, WireRequest]] = []
        client = self._client(provider, model)
        live = type(client.registry.providers[provider.name])  # the class the client calls
        authorize = live.authorize

        def recording(
            self: Provider, request: WireRequest, settings: Any, *, dry_run: bool = False
        ) -> WireRequest:
            done = authorize(self, request, settings, dry_run=dry_run)
            seen.append((request, done))
            return done

        async def answer(transport: Transport, request: WireRequest, *_: object) -> WireResponse:
            return WireResponse(418, {}, b"")  # nothing leaves the machine

        monkeypatch.setattr(live, "authorize", recording)
        monkeypatch.setattr(Transport, "_send_once", answer)
        with client:
            secrets = [s for s in client.secret_values() if len(s) >= 8]
            with pytest.raises(LimnerError):
                self._call(client, model, operation)
        assert seen, f"{model.id} {operation}: authorize was not called"
        for given, done in seen:
            assert isinstance(done, WireRequest), f"{provider.name}.authorize returned {done!r}"
            same = [getattr(given, f) == getattr(done, f) for f in _BODY_FIELDS]
            assert all(same), (
                f"{model.id} {operation}: authorize changed the request's "
                f"{', '.join(f for f, kept in zip(_BODY_FIELDS, same, strict=True) if not kept)}; "
                "add headers only (request.with_headers), so credentials never sit in a URL or body"
            )
            for name, value in done.headers.items():
                if any(secret in value for secret in secrets):
                    assert name in done.secret_headers, (
                        f"{model.id} {operation}: the header {name!r} carries a credential but is "
                        "not marked secret: request.with_headers({...}, secret=True)"
                    )

    def test_credential_settings_are_secret(self, provider: Provider) -> None:
        plain = [
            name
            for name, field in provider.settings_model.model_fields.items()
            if credential_name(name)
            and "str" in str(field.annotation)
            and "SecretStr" not in str(field.annotation)
        ]
        assert not plain, (
            f"{provider.name}: the settings {plain} look like credentials but are not SecretStr, "
            "so limner cannot keep them out of reprs, errors and logs"
        )

    def test_a_call_without_credentials_says_what_to_set_before_sending(
        self, provider: Provider
    ) -> None:
        named = [
            name for key in self._secret_settings(provider) for name in provider.env.get(key, ())
        ]
        if not named:
            pytest.skip(
                f"{provider.name} fills no SecretStr setting from environment variables (its env)"
            )
        _, model, operation = self._first_case(provider)
        with pytest.MonkeyPatch.context() as env:
            for names in provider.env.values():  # a cloud SDK's own lookup reads the process's
                for name in names:
                    env.delenv(name, raising=False)
            self._check_missing_credentials(provider, model, operation, named)

    def _check_missing_credentials(
        self, provider: Provider, model: ModelInfo, operation: Operation, named: list[str]
    ) -> None:
        with self._client(provider, model, secrets=False) as client:
            try:
                self._call(client, model, operation)
            except MissingCredentialsError as error:
                assert any(name in error.message for name in named), (
                    f"{model.id}: the missing-credentials error should name {' or '.join(named)}: "
                    f"{error.message!r} (self.missing_credentials() does)"
                )
            except LimnerError as error:
                raise AssertionError(
                    f"{model.id}: a call without credentials should raise a "
                    f"MissingCredentialsError naming {' or '.join(named)} "
                    f"(self.missing_credentials()), not {type(error).__name__}: {error.message}"
                ) from error
            except NetworkUsed as used:
                raise AssertionError(
                    f"{model.id}: a call without credentials was about to be sent ({used}); "
                    "authorize should raise self.missing_credentials()"
                ) from used
            else:
                raise AssertionError(f"{model.id}: a call without credentials succeeded")

    def test_parse_error_maps_answers_onto_the_error_tree(self, provider: Provider) -> None:
        call = self._error_call(provider)
        for status, expected in BY_STATUS:
            for headers, body in ANSWERS:
                try:
                    error = provider.parse_error(call, WireResponse(status, headers, body))
                except Exception as exc:
                    raise AssertionError(
                        f"{provider.name}: parse_error raised {exc!r} on HTTP {status} with the "
                        f"body {body!r}; it must return an error for any body"
                    ) from exc
                assert isinstance(error, expected), (
                    f"{provider.name}: parse_error on HTTP {status} with the body {body!r} "
                    f"returned {error!r}, not a {expected.__name__}"
                )
                if status < 500 and expected is LimnerError:  # the request's fault, or theirs
                    assert 400 <= error.http_status < 500 or isinstance(error, ProviderError), (
                        f"{provider.name}: HTTP {status} became {error!r}"
                    )
                if status == 401:
                    _names_the_key(provider, error, body)

    def test_parse_error_keeps_the_wait_and_says_when_resending_cannot_help(
        self, provider: Provider
    ) -> None:
        """A 429's :class:`RateLimitError` that carries a wait carries the one core's retries
        obeyed (``provider.retry_after``; left out, core fills it in for a retryable error), for
        the caller and the gateway's ``Retry-After``; an error for the request's own fault (400,
        401, 403, 404, 422) is not ``retryable``, which the gateway sends as ``x-should-retry``."""
        call = self._error_call(provider)
        for headers, body in ANSWERS:
            for status in (400, 401, 403, 404, 422):
                error = provider.parse_error(call, WireResponse(status, headers, body))
                assert not error.retryable, (
                    f"{provider.name}: parse_error on HTTP {status} with the body {body!r} "
                    "returned a retryable error; resending the same request cannot help"
                )
            waiting = WireResponse(429, {**headers, "retry-after": "7"}, body)
            error = provider.parse_error(call, waiting)
            wait = provider.retry_after(waiting)
            if isinstance(error, RateLimitError) and None not in (wait, error.retry_after):
                assert error.retry_after == wait, (
                    f"{provider.name}: parse_error on a 429 with Retry-After: 7 and the body "
                    f"{body!r} gave retry_after={error.retry_after!r}, not the {wait!r} s "
                    "core waited (provider.retry_after)"
                )

    def test_every_option_is_described(self, provider: Provider) -> None:
        options = provider.options_model
        if options is None:
            pytest.skip(f"{provider.name} takes no provider_options")
        bare = undescribed(options)
        assert not bare, f"{provider.name}: options without a description: {bare}"

    def test_no_provider_method_or_attribute_is_misspelt(self, provider: Provider) -> None:
        slips = misspelled_members(type(provider))
        assert not slips, f"{provider.name}: " + "; ".join(
            f"{name!r} is no Provider name, so core never uses it: did you mean {meant!r}?"
            for name, meant in slips
        )

    def test_no_standard_test_is_overridden(self) -> None:
        mine = type(self)
        members = {
            name: member
            for kind in reversed(ProviderTests.__mro__[:-1])  # the harness's helpers too
            for name, member in vars(kind).items()
        }
        for name, member in members.items():
            if not callable(member) or name == "test_no_standard_test_is_overridden":
                continue
            theirs = inspect.getattr_static(mine, name)
            if theirs is member or name in OVERRIDABLE:
                continue
            if not name.startswith("test_"):  # a helper, or pytest_generate_tests
                raise AssertionError(
                    f"{name} is part of how the standard tests run: do not override it (the "
                    f"overridable ones: {', '.join(sorted(OVERRIDABLE))})"
                )
            strict = [
                mark
                for mark in getattr(theirs, "pytestmark", [])
                if mark.name == "xfail" and mark.kwargs.get("strict") and mark.kwargs.get("reason")
            ]
            assert strict, (
                f"{name} is a standard test: override it only to mark it "
                "@pytest.mark.xfail(reason=..., strict=True)"
            )
