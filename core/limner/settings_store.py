"""The settings of each provider for one client: loaded once from the client's ``providers=``
and its environment, then completed once (with I/O, off the event loop) before the first call
that is sent."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from .authorizing import step_failure, step_timed_out
from .capabilities import ModelInfo
from .credential_notes import noting_missing
from .daemon_threads import spawn
from .errors import LimnerError, MissingCredentialsError, PluginError
from .inputs import namespace_of, respell_error, spelling
from .plugin_failures import raise_from_plugin
from .plugins import Registry
from .provider import Provider, ProviderSettings
from .wire import WireRequest

__all__ = ["SettingsStore"]


class SettingsStore:
    """Each provider's settings for one client, loaded on first use and cached."""

    def __init__(
        self,
        registry: Registry,
        given: Mapping[str, Mapping[str, Any]],
        environ: Mapping[str, str],
    ) -> None:
        self.registry = registry
        self.given = given
        self.environ = environ
        self._loaded: dict[str, ProviderSettings] = {}
        self._completed: dict[str, ProviderSettings] = {}
        self._completing: dict[str, tuple[int, Future[ProviderSettings]]] = {}

    def loaded(self, provider: Provider) -> ProviderSettings:
        """The provider's settings from the client's ``providers=`` and environment (completed
        ones, once :meth:`to_send` has completed them)."""
        if provider.name not in self._loaded:
            if not self._loaded:  # the first use: settings for no provider are a typo
                self.registry.check_provider_names(self.given)
            overrides = namespace_of(self.given, provider, "providers") or {}
            try:
                self._loaded[provider.name] = provider.load_settings(overrides, self.environ)
            except LimnerError as exc:  # named as the caller spelt the provider
                spelled = spelling(self.given, provider, "providers")
                if spelled is not None:
                    respell_error(exc, provider, "providers", spelled)
                raise
        return self._loaded[provider.name]

    def completed(self, provider: Provider) -> ProviderSettings | None:
        """The settings :meth:`to_send` completed, once it has (a lookup, no await)."""
        return self._completed.get(provider.name)

    async def to_send(
        self, provider: Provider, model: ModelInfo, *, within: float | None = None
    ) -> ProviderSettings:
        """:meth:`loaded`, completed by the provider's
        :meth:`~limner.provider.Provider.complete_settings` before its first call that is sent:
        once per client, in a daemon thread (see :mod:`~limner.daemon_threads`). Calls that
        arrive meanwhile, on this event loop or a later one, wait for the same lookup and share
        its outcome; after a failure the next call looks again. A caller waits at most
        ``within`` seconds (the client's ``timeout``): then its call ends as a
        :class:`~limner.errors.RequestTimeoutError` (code ``settings_timeout``, nothing sent,
        not retried), and the lookup goes on for the next call. The same object as
        :meth:`loaded` returns once completed (or when there is nothing to complete)."""
        name = provider.name
        done = self._completed.get(name)
        if done is not None:
            return done
        if type(provider).complete_settings is Provider.complete_settings:
            done = self._completed[name] = self.loaded(provider)
            return done
        pid, lookup = self._completing.get(name, (0, None))
        if lookup is None or pid != os.getpid():  # (a forked child looks for itself: its
            lookup = spawn(provider.complete_settings, self.loaded(provider))  # parent's
            self._completing[name] = (os.getpid(), lookup)  # thread is not here to finish)
            lookup.add_done_callback(functools.partial(self._lookup_done, name))
        deadline = asyncio.timeout(within)
        try:
            async with deadline:
                try:  # (shielded: a caller cancelled, or timed out, leaves it to the others)
                    done = await asyncio.shield(asyncio.wrap_future(lookup))
                except Exception as exc:  # named and scrubbed as translation errors are
                    step = "complete_settings"
                    failure = step_failure(provider, model.id, exc, step)
                    loaded = self.loaded(provider)
                    raise_from_plugin(provider, loaded, model.id, exc, step, failure=failure)
        except TimeoutError:
            if within is None or not deadline.expired():
                raise
            raise step_timed_out(provider, model.id, within, "complete_settings") from None
        if not isinstance(done, ProviderSettings):
            step = f"{type(provider).__name__}.complete_settings"
            wanted = "the provider's settings"
            raise PluginError.returned(step, done, wanted, provider=name, model=model.id)
        self._completed[name] = self._loaded[name] = done
        return done

    def _lookup_done(self, name: str, lookup: Future[ProviderSettings]) -> None:
        """A lookup ended (called in its thread): a success is kept even when no caller is left
        to take it (the only one was cancelled, timed out, or its event loop ended); a failure
        is left for the next call to try again."""
        if self._completing.get(name, (0, None))[1] is lookup:
            del self._completing[name]
        if lookup.cancelled() or lookup.exception() is not None:
            return  # (reading the exception marks it read: its callers raise it)
        done = lookup.result()
        if isinstance(done, ProviderSettings) and name not in self._completed:
            self._completed[name] = self._loaded[name] = done

    def missing_credentials(self) -> list[MissingCredentialsError]:
        """For each provider that serves a model, the error its calls would raise for want of a
        credential (naming the variable to set), found as a dry run finds it: ``authorize``
        with ``dry_run=True``, offline, on a request to the configured base URL (the error it
        raises, or the one it notes: :func:`~limner.credential_notes.note_missing`). A
        credential a provider looks up only when a call is sent (a credential chain) is not
        looked for, nor are settings that fail to load (their calls say why)."""
        self.registry.check_provider_names(self.given)
        served = {model.provider for model in self.registry.models()}
        found: list[MissingCredentialsError] = []
        for provider in self.registry.providers.values():
            if provider.name not in served:
                continue
            with noting_missing() as missing:
                try:
                    settings = self.loaded(provider)
                    request = WireRequest("POST", settings.base_url or "")
                    provider.authorize(request, settings, dry_run=True)
                except MissingCredentialsError as exc:  # raised, not noted: as a call would
                    missing.append(exc)
                except Exception:  # (what fails here fails each call too, and says why there)
                    continue
            found.extend(missing[:1])
        return found

    def settings_errors(self) -> list[LimnerError]:
        """For each provider that serves a model, the error its settings raise as they load
        (a base URL that is no URL, a value of the wrong kind): what its every call would fail
        with. A credential missing is :meth:`missing_credentials`'."""
        self.registry.check_provider_names(self.given)
        served = {model.provider for model in self.registry.models()}
        found: list[LimnerError] = []
        for provider in self.registry.providers.values():
            if provider.name in served:
                try:
                    self.loaded(provider)
                except LimnerError as exc:
                    exc.provider = exc.provider or provider.name
                    found.append(exc)
        return found

    def secret_values(self) -> list[str]:
        """Every secret the providers' settings hold (given to the client or read from its
        environment), each read through the provider's own settings model."""
        self.registry.check_provider_names(self.given)  # not swallowed below
        found: list[str] = []
        for provider in self.registry.providers.values():
            try:
                settings = self.loaded(provider)
            except LimnerError:  # settings this provider refuses: nothing of them is used
                continue
            found.extend(provider.secret_values(settings))
        return found
