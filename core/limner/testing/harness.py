"""What the standard tests stand on: the settings and requests a plugin's test class may
override, how pytest parametrizes the tests, the no-network guard, and the helpers the tests
share (not to be overridden: :class:`~limner.testing.ProviderTests` checks)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal

import pytest
from pydantic import SecretStr

from ..arguments import build_request
from ..capabilities import ModelInfo, Operation
from ..errors import LimnerError
from ..plugins import Registry
from ..provider import Provider, ProviderCall, Translation
from ..requests import EditRequest, GenerateRequest, VariationRequest
from ..sync_client import Client
from ..wire import WireRequest
from .checks import offline

__all__ = ["IMAGE_OPERATIONS", "OVERRIDABLE", "Case", "Harness", "held"]

Case = tuple[Provider, ModelInfo, Operation]

IMAGE_OPERATIONS: tuple[Operation, ...] = ("generate", "edit", "variation")

OVERRIDABLE = frozenset({"settings", "settings_for", "request_fields"})
"""What a plugin's test class may override (besides marking a standard test xfail)."""

_REQUESTS: dict[str, type[GenerateRequest | EditRequest | VariationRequest]] = {
    "generate": GenerateRequest,
    "edit": EditRequest,
    "variation": VariationRequest,
}


class Harness:
    """The base of :class:`~limner.testing.ProviderTests`."""

    plugin: object
    """The module or object holding the plugin's ``@limner.hookimpl`` functions."""

    builds_on: tuple[object, ...] = ()
    """Plugins the one under test builds on: a plugin that prices, translates or adds models
    for a provider of another plugin (``(limner_openai,)``) runs the tests on that provider
    with its own hooks in place."""

    @property
    def settings(self) -> Mapping[str, Any]:
        """Settings as a user gives them: for the plugin's one provider, or keyed by provider
        name when it registers several (a provider without an entry gets none). Include every
        secret the provider takes, so the tests can check that none of them is ever shown."""
        return {}

    def settings_for(self, provider: Provider, model: ModelInfo | None = None) -> dict[str, Any]:
        """The settings the tests give ``provider`` (for ``model``, when it needs its own: a
        model served only through a cloud platform). The default: from :attr:`settings`."""
        given = dict(self.settings)
        if any(name in given for name in self._registry().providers):
            entry = given.get(provider.name)
            return dict(entry) if isinstance(entry, Mapping) else {}
        return given

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
    def png(
        width: int = 512,
        height: int = 512,
        *,
        mask: bool | Literal["left", "right"] = False,
        colour: tuple[int, int, int] = (200, 120, 40),
    ) -> bytes:
        """A PNG: an opaque image of ``colour``, or with ``mask`` a mask whose left half (or
        ``mask="right"``: right half) is transparent (the area to edit, in OpenAI's
        convention)."""
        from PIL import Image

        image = Image.new("RGBA" if mask else "RGB", (width, height), colour)
        if mask:
            left = 0 if mask is True or mask == "left" else width - width // 2
            image.paste((0, 0, 0, 0), (left, 0, left + width // 2, height))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    # ---- how the tests are run (pytest calls this hook on the class) -------------------------

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """One test per provider (``provider``) or per model and operation (``case``). A
        plugin with no provider to test is an error, not tests skipped: every test was skipped,
        and a hook that broke every call of the provider it builds on passed green."""
        if not self._registry().providers:
            raise TypeError(
                f"{type(self).__name__}: the plugin registers no provider, and builds_on names "
                "none: there is nothing to test. A plugin that prices, translates or adds "
                "models for another plugin's provider names that plugin: "
                "builds_on = (limner_openai,)"
            )
        if "case" in metafunc.fixturenames:
            cases = list(self._cases())
            ids = [f"{model.id}-{operation}" for _, model, operation in cases]
            metafunc.parametrize("case", cases, ids=ids)
        if "provider" in metafunc.fixturenames:
            providers = list(self._registry().providers.values())
            metafunc.parametrize("provider", providers, ids=[p.name for p in providers])

    @pytest.fixture(autouse=True)
    def _offline(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        """No network (see :func:`limner.testing.checks.offline`)."""
        yield from offline(monkeypatch)

    # ---- helpers (not to be overridden) ------------------------------------------------------

    def _registry(self) -> Registry:
        """A registry of the plugin and those it builds on (no installed entry points)."""
        registry: Registry | None = self.__dict__.get("_built")
        if registry is None:
            plugins = [*self.builds_on, self.plugin]
            registry = self.__dict__["_built"] = Registry(plugins, entry_points=False)
        return registry

    def _cases(self) -> Iterator[Case]:
        """Each model of each provider with each operation it does: the models the registry
        serves, those added by ``register_models`` (a plugin that adds models to a provider it
        builds on) included."""
        registry = self._registry()
        models = registry.models()
        for provider in registry.providers.values():
            for model in (model for model in models if model.provider == provider.name):
                for operation in IMAGE_OPERATIONS:
                    if model.capabilities.supports(operation):
                        yield provider, model, operation

    def _first_case(self, provider: Provider) -> Case:
        case = next((c for c in self._cases() if c[0].name == provider.name), None)
        if case is None:
            pytest.skip(f"{provider.name} has no model for generate, edit or variation")
        return case

    def _error_call(self, provider: Provider) -> ProviderCall:
        """A call of the provider's first model, for ``parse_error`` to read answers to."""
        _, model, operation = self._first_case(provider)
        fields = {"model": model.id, **self.request_fields(model, operation)}
        if operation == "edit" and "image" in fields:  # the Python client's name for images
            image = fields.pop("image")
            fields["images"] = image if isinstance(image, list) else [image]
        request = build_request(_REQUESTS[operation], fields)
        settings = provider.load_settings(self.settings_for(provider, model), {})
        return ProviderCall(operation, model, request, settings)

    def _client(
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
        return Client(
            registry=self._registry(), providers={provider.name: given}, environ={}, max_retries=0
        )

    def _call(self, client: Client, model: ModelInfo, operation: Operation, **extra: Any) -> Any:
        fields = {"model": model.id, **self.request_fields(model, operation), **extra}
        methods: dict[str, Callable[..., Any]] = {
            "generate": client.images.generate,
            "edit": client.images.edit,
            "variation": client.images.create_variation,
        }
        try:
            return methods[operation](**fields)
        except LimnerError as error:
            error.message = f"{model.id} {operation}: {error.message}"
            raise

    def _dry_run(self, case: Case, *, secrets: bool = True, **extra: Any) -> dict[str, Any]:
        provider, model, operation = case
        with self._client(provider, model, secrets=secrets) as client:
            made = self._call(client, model, operation, dry_run=True, **extra)
            plan: dict[str, Any] = made.model_dump(mode="json")
        assert plan["requests"], f"{model.id} {operation}: no request would be sent"
        return plan

    @contextmanager
    def _watching(
        self, provider: Provider, model: ModelInfo, step: str, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[tuple[Client, list[WireRequest]]]:
        """A client of the plugin whose provider's ``step`` (``translate``,
        ``translate_chat``) keeps each request it builds in the list given with it."""
        translated: list[WireRequest] = []
        with self._client(provider, model) as client:
            live = type(client.registry.providers[provider.name])
            translate: Callable[..., Any] = getattr(live, step)

            def recording(self: Provider, call: Any) -> Any:
                done = translate(self, call)
                translated.append(done.request)
                return done

            monkeypatch.setattr(live, step, recording)
            yield client, translated

    @contextmanager
    def _translating(
        self, provider: Provider, model: ModelInfo, monkeypatch: pytest.MonkeyPatch
    ) -> Iterator[tuple[Client, list[Translation]]]:
        """A client of the plugin that keeps each translation of its calls, as the registry
        gives it (a ``translate_request`` hook's included; the request before ``authorize``)."""
        translated: list[Translation] = []
        with self._client(provider, model) as client:
            registry = client.registry
            translate = registry.translate

            def recording(provider: Provider, call: Any) -> Any:
                done = translate(provider, call)
                translated.append(done)
                return done

            monkeypatch.setattr(registry, "translate", recording)
            yield client, translated

    def _secret_settings(self, provider: Provider) -> list[str]:
        """The settings of ``provider`` that hold secrets (``SecretStr`` fields)."""
        return [
            name
            for name, field in provider.settings_model.model_fields.items()
            if "SecretStr" in str(field.annotation)
        ]


def held(request: WireRequest) -> tuple[Any, ...]:
    """A translated request's parts, to compare (by value and by ``repr``: a file's bytes, which
    its ``repr`` leaves out, as their digest)."""
    body = json.dumps(request.json, sort_keys=True, default=str) if request.json else None
    headers = sorted((name.lower(), value) for name, value in request.headers.items())
    files = [
        (part.field, part.filename, part.content_type, hashlib.sha256(part.data).hexdigest())
        for part in request.files
    ]
    return (
        request.method,
        request.url,
        body,
        request.form,
        files,
        request.content,
        headers,
    )
