"""Standard tests for provider plugins (pytest).

A plugin's test suite subclasses :class:`ProviderTests` and names its plugin; pytest then runs
every standard test against every provider the plugin registers and each of their models::

    from limner.testing import ProviderTests

    import limner_acme


    class TestAcmeStandard(ProviderTests):
        plugin = limner_acme  # the module or object with the @limner.hookimpl functions

        @property
        def settings(self) -> dict[str, Any]:  # as a user gives them, secrets included
            return {"api_key": "acme-test-key-0123456789"}

The tests need no network (any connection attempt fails them) and no pytest plugin: they make
dry runs through :class:`limner.Client` and call the provider's own methods on canned answers.
They check what core cannot check when a plugin loads: that every model's request schema is
valid JSON Schema, that a minimal request translates for every model and operation the same way
twice without I/O, that dry runs need no credentials and never show them, that a real call
without credentials says what to set before anything is sent, that ``parse_error`` maps answers
onto the error tree without raising, and that every option is described.

Override :meth:`ProviderTests.request_fields` when a model needs more than a prompt (and an
image, for edits). A standard test that cannot apply to a plugin may be overridden only to mark
it ``@pytest.mark.xfail(reason=...)``; ``test_no_standard_test_is_overridden`` fails otherwise,
so a skipped check is always visible.
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jsonschema
import pytest
from pydantic import SecretStr

from .capabilities import ModelInfo, Operation
from .client import build_request
from .errors import (
    AuthenticationError,
    LimnerError,
    MissingCredentialsError,
    ProviderError,
    RateLimitError,
)
from .plugins import Registry
from .provider import Provider, ProviderCall
from .requests import GenerateRequest
from .sync_client import Client
from .wire import WireResponse

__all__ = ["ProviderTests"]

IMAGE_OPERATIONS: tuple[Operation, ...] = ("generate", "edit", "variation")
_STATUS_CLASSES: tuple[tuple[int, type[LimnerError]], ...] = (
    (401, AuthenticationError),
    (429, RateLimitError),
    (500, ProviderError),
    (503, ProviderError),
)


class NetworkUsed(AssertionError):
    """A standard test tried to reach the network: translation and dry runs must not."""


def _no_connect(sock: socket.socket, address: Any, *args: Any) -> Any:
    raise NetworkUsed(f"a connection to {address!r} was attempted: the tests run offline")


def _no_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
    raise NetworkUsed(f"a DNS lookup of {host!r} was attempted: the tests run offline")


class ProviderTests:
    """The standard tests. Set :attr:`plugin`, and override :attr:`settings` to give the
    provider its credentials (and anything a dry run needs, such as a region). Every test runs
    for each provider the plugin registers."""

    plugin: object
    """The module or object holding the plugin's ``@limner.hookimpl`` functions."""

    @property
    def settings(self) -> Mapping[str, Any]:
        """Settings as a user gives them: for the plugin's one provider, or keyed by provider
        name when it registers several. Include every secret the provider takes, so the tests
        can check that none of them is ever shown. The default: none."""
        return {}

    def request_fields(self, model: ModelInfo, operation: Operation) -> dict[str, Any]:
        """The fields of a minimal valid request for ``model`` (``model`` itself is added).
        The default: a prompt, and one 512x512 PNG for edits and variations. Override it for
        a model that needs more (a mask, an ``edit_mode``); :meth:`png` makes images and masks."""
        fields: dict[str, Any] = {"prompt": "a lighthouse at dusk"}
        if operation != "generate":
            fields["image"] = self.png()
        if operation == "variation":
            del fields["prompt"]
        return fields

    @staticmethod
    def png(width: int = 512, height: int = 512, *, mask: bool = False) -> bytes:
        """A PNG: an opaque image, or with ``mask`` a mask whose left half is transparent (the
        area to edit, in OpenAI's convention)."""
        from PIL import Image

        image = Image.new("RGBA" if mask else "RGB", (width, height), (200, 120, 40))
        if mask:
            image.paste((0, 0, 0, 0), (0, 0, width // 2, height))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    # ---- helpers -----------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _offline(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(socket.socket, "connect", _no_connect)
        monkeypatch.setattr(socket.socket, "connect_ex", _no_connect)
        monkeypatch.setattr(socket, "getaddrinfo", _no_lookup)

    def registry(self) -> Registry:
        """A registry of the plugin alone (no installed entry points)."""
        return Registry([self.plugin], entry_points=False)

    def providers(self) -> list[Provider]:
        found = list(self.registry().providers.values())
        if not found:
            pytest.skip("the plugin registers no provider")
        return found

    def settings_for(self, provider: Provider, model: ModelInfo | None = None) -> dict[str, Any]:
        """The settings the tests give ``provider`` (for ``model``, when it needs its own: a
        model served only through a cloud platform). The default: :attr:`settings`."""
        given = dict(self.settings)
        nested = provider.name in given and isinstance(given[provider.name], Mapping)
        return dict(given[provider.name]) if nested else given

    def client(
        self, provider: Provider, model: ModelInfo | None = None, *, secrets: bool = True
    ) -> Client:
        """A client of the plugin alone, with the settings for ``model``; without their secret
        values (``SecretStr`` settings) unless ``secrets``."""
        given = self.settings_for(provider, model)
        if not secrets:
            loaded = provider.load_settings(given, {})
            given = {
                key: value
                for key, value in given.items()
                if not isinstance(getattr(loaded, key, None), SecretStr)
            }
        settings = {provider.name: given}
        return Client(
            registry=self.registry(),
            providers=settings,
            environ={},
            max_retries=0,
        )

    def cases(self) -> Iterator[tuple[Provider, ModelInfo, Operation]]:
        for provider in self.providers():
            for model in provider.models():
                for operation in IMAGE_OPERATIONS:
                    if model.capabilities.supports(operation):
                        yield provider, model, operation

    def dry_run(self, client: Client, model: ModelInfo, operation: Operation) -> Any:
        fields = {"model": model.id, **self.request_fields(model, operation), "dry_run": True}
        methods: dict[str, Callable[..., Any]] = {
            "generate": client.images.generate,
            "edit": client.images.edit,
            "variation": client.images.create_variation,
        }
        return methods[operation](**fields)

    # ---- the standard tests ------------------------------------------------------------------

    def test_models_are_served_by_their_provider(self) -> None:
        for provider in self.providers():
            models = provider.models()
            assert models, f"{provider.name} registers no model"
            for model in models:
                assert model.provider == provider.name, model.id
                assert self.registry().resolve(model.id).id == model.id

    def test_every_request_schema_is_valid_json_schema(self) -> None:
        for provider, model, operation in self.cases():
            with self.client(provider, model) as client:
                schema = client.models.schema(model.id, operation)
            jsonschema.Draft202012Validator.check_schema(schema)
            assert schema.get("type") == "object", (model.id, operation)

    def test_a_minimal_request_translates_without_io_and_the_same_way_twice(self) -> None:
        for provider, model, operation in self.cases():
            with self.client(provider, model) as client:
                first = self.dry_run(client, model, operation)
                second = self.dry_run(client, model, operation)
            assert first.requests, f"{model.id} {operation}: no request would be sent"
            for request in first.requests:
                assert request["url"].startswith(("https://", "http://")), request["url"]
            assert first.model_dump(mode="json") == second.model_dump(mode="json"), (
                f"{model.id} {operation}: two dry runs of the same request differ: a translation "
                "must depend on the request and settings alone"
            )

    def test_a_dry_run_needs_no_credentials(self) -> None:
        for provider, model, operation in self.cases():
            with self.client(provider, model, secrets=False) as client:
                plan = self.dry_run(client, model, operation)
            assert plan.requests, f"{model.id} {operation}"

    def test_secrets_never_appear_in_a_dry_run(self) -> None:
        for provider, model, operation in self.cases():
            with self.client(provider, model) as client:
                secrets = [s for s in client.secret_values() if len(s) >= 8]
                shown = json.dumps(self.dry_run(client, model, operation).model_dump(mode="json"))
                shown += repr(client)
            for secret in secrets:
                assert secret not in shown, f"{model.id} {operation}: a secret is shown"

    def test_a_call_without_credentials_says_what_to_set_before_sending(self) -> None:
        for provider in self.providers():
            model = next(m for m in provider.models() if m.capabilities.supports("generate"))
            with (
                self.client(provider, model, secrets=False) as client,
                pytest.raises(MissingCredentialsError) as caught,
            ):
                try:
                    client.images.generate(model=model.id, **self.request_fields(model, "generate"))
                except NetworkUsed as used:
                    raise AssertionError(
                        f"{model.id}: a call without credentials was about to be sent ({used}); "
                        "authorize should raise self.missing_credentials()"
                    ) from used
            named = [name for names in provider.env.values() for name in names]
            assert any(name in caught.value.message for name in named) or not named, (
                caught.value.message
            )

    def test_parse_error_maps_answers_onto_the_error_tree(self) -> None:
        for provider in self.providers():
            model = next(m for m in provider.models() if m.capabilities.supports("generate"))
            request = build_request(
                GenerateRequest, {"model": model.id, **self.request_fields(model, "generate")}
            )
            settings = provider.load_settings(self.settings_for(provider, model), {})
            call = ProviderCall("generate", model, request, settings)
            bodies = (b'{"error": {"message": "no"}}', b"<html>upstream</html>", b"")
            expectations: tuple[tuple[int, type[LimnerError]], ...] = (
                *_STATUS_CLASSES,
                (400, LimnerError),
            )
            for status, expected in expectations:
                for body in bodies:
                    answer = WireResponse(status, {"content-type": "application/json"}, body)
                    try:
                        error = provider.parse_error(call, answer)
                    except Exception as exc:
                        raise AssertionError(
                            f"{provider.name}: parse_error raised {exc!r} on HTTP {status} with "
                            f"the body {body!r}; it must return an error for any body"
                        ) from exc
                    assert isinstance(error, expected), (
                        f"{provider.name}: parse_error on HTTP {status} with the body {body!r} "
                        f"returned {error!r}, not a {expected.__name__}"
                    )
                    if status == 400:
                        assert 400 <= error.http_status < 500, (
                            f"{provider.name}: HTTP 400 became {error!r}, a server error"
                        )

    def test_every_option_is_described(self) -> None:
        for provider in self.providers():
            options = provider.options_model
            if options is None:
                continue
            bare = [name for name, field in options.model_fields.items() if not field.description]
            assert not bare, f"{provider.name} options without a description: {bare}"

    def test_no_standard_test_is_overridden(self) -> None:
        for name, member in vars(ProviderTests).items():
            if not name.startswith("test_") or name == "test_no_standard_test_is_overridden":
                continue
            mine = getattr(type(self), name)
            if mine is member:
                continue
            marks = [mark.name for mark in getattr(mine, "pytestmark", [])]
            assert "xfail" in marks, (
                f"{name} is a standard test: override it only to mark it "
                "@pytest.mark.xfail(reason=...)"
            )
