"""The provider contract every plugin implements (the data that crosses it is in
:mod:`limner.calls`, and importable from here too).

A plugin registers one :class:`Provider` per service. Core calls it in this order for each HTTP
call it makes; every method is synchronous and pure (no I/O), except that ``authorize`` may
refresh a token when the provider sets ``authorize_blocks`` (core then runs it in a thread), and
``complete_settings`` may look settings up (core runs it in a thread, once per client):

========================  ========  ==========================================================
method                    required  contract
========================  ========  ==========================================================
``models()``              yes       the models this provider serves, as :class:`ModelInfo`
``translate(call)``       yes       the unified request → one :class:`WireRequest` + adjustments
``parse_response(...)``   yes       a 2xx :class:`WireResponse` → :class:`ProviderResult`, or
                                    :class:`Pending` when the provider queued a job
``parse_poll(...)``       jobs      a 2xx answer to a poll → :class:`ProviderResult` or
                                    :class:`Pending` again
``parse_poll_error``      no        a non-2xx answer to a poll → error (default:
                                    ``parse_error``, the user's errors made the provider's)
``parse_error(...)``      no        a non-2xx response → a :class:`~limner.errors.LimnerError`
``retry_after(response)`` no        seconds to wait before a retry (default: ``Retry-After``)
``retryable(response)``   no        ``False``: do not retry this 408/409/429/5xx
``retry_anyway(resp.)``   no        ``True``: retry this 4xx, as the provider's answer asks
``authorize(...)``        no        add credentials just before each attempt (re-run on retry)
``load_settings(...)``    no        credentials and base URL from overrides, then environment
``complete_settings(s)``  no        settings only I/O can find, once before the first call sent
``translate_chat(call)``  chat      a :class:`~limner.chat.ChatCall` → one :class:`Translation`
``parse_chat_response``   chat      a 2xx answer → :class:`~limner.chat.ChatResult`
``parse_chat_error``      no        a non-2xx chat answer → error (default: by status)
========================  ========  ==========================================================

"jobs" means: required when ``parse_response`` can return :class:`Pending` (a provider that
answers with a job to poll, not with the images). Core then waits, sends the poll request through
the same path as every request (``authorize``, retries, ``parse_poll_error``) and calls
``parse_poll`` with the answer, until it returns a result or the client's ``poll_timeout`` runs
out.

"chat" means: required when a model of the provider lists ``"chat"`` in
``Capabilities.operations`` (the registry refuses such a model otherwise). The chat methods get
the whole conversation with its images loaded; the provider's state for an assistant turn (what
it returned in ``ChatResult.state``) comes back in ``ChatTurn.state``.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ValidationError

from .calls import (
    MIN_POLL_WAIT,
    Pending,
    ProviderCall,
    ProviderResult,
    Translation,
)
from .capabilities import ModelInfo
from .changes import Changes
from .credential_notes import note_missing
from .errors import (
    InvalidRequestError,
    LimnerError,
    MissingCredentialsError,
    NotFoundError,
    PluginError,
    ProviderError,
    ProviderSetting,
)
from .input_errors import invalid_input
from .provider_settings import ProviderSettings
from .wire import WireRequest, WireResponse

if TYPE_CHECKING:
    from .chat.contract import ChatCall, ChatResult

__all__ = [
    "MIN_POLL_WAIT",
    "Changes",
    "Pending",
    "Provider",
    "ProviderCall",
    "ProviderResult",
    "ProviderSettings",
    "Translation",
]


class Provider(ABC):
    """One image service. Subclass it in a plugin and register an instance through the
    ``register_providers`` hook.

    Class attributes: ``name`` (the ``provider/`` prefix of model ids), ``aliases`` (other
    prefixes), ``settings_model`` and ``env`` (which environment variables fill which setting,
    first found wins), ``options_model`` (pydantic model for ``provider_options[name]``), and
    ``credential_headers`` (headers users may not set through ``extra_headers``),
    ``authorize_blocks`` and ``own_fields``.
    """

    spec_version: ClassVar[Literal["1"]] = "1"
    name: ClassVar[str]
    display_name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    settings_model: ClassVar[type[ProviderSettings]] = ProviderSettings
    env: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    options_model: ClassVar[type[BaseModel] | None] = None
    credential_headers: ClassVar[frozenset[str]] = frozenset()
    authorize_blocks: ClassVar[bool] = False
    """Set when ``authorize`` may block (a token refresh over the network): core then runs it in
    a worker thread so the event loop keeps going. A gateway also calls it once before a
    request waits for its upstream slot, with the request's method, URL and headers and an
    empty JSON body, and drops what it returns: keep the token it fetched (as google-auth's
    and botocore's credentials do), so the call's own ``authorize`` is quick."""
    own_fields: ClassVar[frozenset[str]] = frozenset()
    """Top-level request fields the provider reads as its own when they are forwarded, though
    their names are close to limner's (a top-level ``aspect_ratio``): they get no
    ``possible_typo`` warning."""

    @abstractmethod
    def models(self) -> list[ModelInfo]:
        """The models this provider serves."""

    @abstractmethod
    def translate(self, call: ProviderCall) -> Translation:
        """Build the HTTP request for ``call``. Pure: no I/O, no credentials (see ``authorize``).
        Report every changed or dropped setting as an :class:`Adjustment`; raise
        :class:`~limner.errors.InvalidRequestError` (naming the parameter) for what cannot be
        sent."""

    @abstractmethod
    def parse_response(
        self, call: ProviderCall, response: WireResponse
    ) -> ProviderResult | Pending:
        """Read a 2xx answer. Raise a :class:`~limner.errors.LimnerError` when a 2xx body still
        means failure (a content filter, a malformed body). A provider that answers with a job
        to poll returns :class:`Pending` and implements :meth:`parse_poll`."""

    def parse_poll(
        self, call: ProviderCall, pending: Pending, response: WireResponse
    ) -> ProviderResult | Pending:
        """Read a 2xx answer to ``pending.request``: the result when the job is done, another
        :class:`Pending` (with its wait, and the same or a new poll request) while it is not.
        Raise a :class:`~limner.errors.LimnerError` when the job failed or was moderated
        (:class:`~limner.errors.ContentPolicyError`); a non-2xx answer goes to
        :meth:`parse_poll_error`."""
        raise PluginError(
            f"{self.name}'s parse_response returned Pending, but the provider does not implement "
            "parse_poll to read the answers to its polls"
        )

    def parse_poll_error(
        self, call: ProviderCall, pending: Pending, response: WireResponse
    ) -> LimnerError:
        """Map a non-2xx answer to a poll onto the error tree. The default asks
        :meth:`parse_error` (by status, if that fails on the body), except that an invalid
        request or a missing model (a 400, 404 or 422) is the provider's failure to report on
        its job (a :class:`~limner.errors.ProviderError`): the user's request was taken."""
        from .sending import generic_error

        try:
            error = self.parse_error(call, response)
        except Exception:  # a parser that chokes on a poll's body: by status, as core does
            error = generic_error(self, call.model, response)
        if not isinstance(error, InvalidRequestError | NotFoundError):
            return error
        job = f" {pending.job}" if pending.job else ""
        return ProviderError(
            f"{self.name} could not report on its job{job}: {error.message}",
            provider=self.name,
            model=call.model.id,
            status_code=response.status,
            request_id=response.request_id,
        )

    def parse_error(self, call: ProviderCall, response: WireResponse) -> LimnerError:
        """Map a non-2xx answer onto the error tree. The default picks the class by status and
        quotes the body."""
        from .sending import generic_error

        return generic_error(self, call.model, response)

    @property
    def serves_chat(self) -> bool:
        """Whether this provider implements the chat methods."""
        return type(self).translate_chat is not Provider.translate_chat

    def translate_chat(self, call: ChatCall) -> Translation:
        """Build the HTTP request for one chat completion (optional: only for models that list
        ``"chat"`` in their operations). Pure, like :meth:`translate`: report every changed or
        dropped setting as an :class:`Adjustment`, refuse what cannot be sent by name. Replay an
        assistant turn's ``state`` so the provider continues the same image."""
        raise NotImplementedError(f"{self.name} does not implement translate_chat")

    def parse_chat_response(self, call: ChatCall, response: WireResponse) -> ChatResult:
        """Read a 2xx chat answer: text, final images, interim (thought) images, the state to
        replay next turn, usage."""
        raise NotImplementedError(f"{self.name} does not implement parse_chat_response")

    def parse_chat_error(self, call: ChatCall, response: WireResponse) -> LimnerError:
        """Map a non-2xx chat answer onto the error tree. The default picks the class by status
        and quotes the body."""
        from .sending import generic_error

        return generic_error(self, call.model, response)

    def backend(self, settings: ProviderSettings) -> str | None:
        """The name of the backend ``settings`` reach, one of the keys models use in
        :attr:`~limner.Capabilities.per_backend` (``None``, the default: the provider has one).
        ``client.models.served`` applies that entry, so that a client, and the gateway's model
        list, report what a model takes as this client reaches it. Pure: no I/O."""
        return None

    def retryable(self, response: WireResponse) -> bool:
        """Whether core may retry ``response``, whose status is one it retries (408, 409, 429,
        5xx). The default says yes; override to say no when the body shows that
        waiting cannot help (a quota used up, not a rate limit). Core also sets the ``retryable``
        of the error ``parse_error`` returns for that response to this verdict. If it raises (on
        an odd body), core takes the default's yes."""
        return True

    def retry_anyway(self, response: WireResponse) -> bool:
        """Whether core should retry ``response``, a 4xx it does not retry (408, 409 and 429
        aside), because the answer says to: OpenAI's ``x-should-retry: true``, which its SDKs
        obey over the status. The default says no. If it raises, core takes the no."""
        return False

    def retry_after(self, response: WireResponse) -> float | None:
        """Seconds to wait before retrying after ``response`` (a status core retries: 408, 409,
        429, 5xx). The default reads the ``Retry-After`` headers; override for
        providers that say it in the body. If it raises, or answers something that is no finite,
        non-negative number, core reads the headers instead."""
        return response.retry_after

    def authorize(
        self, request: WireRequest, settings: ProviderSettings, *, dry_run: bool = False
    ) -> WireRequest:
        """Add credentials to ``request``, marking them secret. Called just before every attempt,
        so signatures are fresh on retries. With ``dry_run`` no credential is needed: add the same
        headers with any placeholder value (they are shown as ``<redacted>``). Raise
        :class:`~limner.errors.MissingCredentialsError` when a credential is missing. Add
        headers only (``request.with_headers``): the body is encoded once, when the translation
        is checked, and a signature covers ``request.json_bytes()``, the bytes sent."""
        return request

    def complete_settings(self, settings: ProviderSettings) -> ProviderSettings:
        """Fill in settings that only I/O can find, such as a cloud project read from the
        machine's default credentials. Core calls it once per client, before the first call to
        this provider that is sent, in a worker thread (it may block), and uses the settings it
        returns from then on. A failure is not remembered: the next call tries again. It is
        never called for a dry run, so ``translate`` must cope without it (a placeholder in the
        URL, and a warning saying what fills it). Raise
        :class:`~limner.errors.MissingCredentialsError`, or an
        :class:`~limner.errors.InvalidRequestError` naming the setting, when it cannot be found.
        The default returns ``settings`` unchanged and is skipped."""
        return settings

    def load_settings(
        self, overrides: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> ProviderSettings:
        """Settings from ``overrides`` (the client's ``providers={name: {...}}``), then the
        environment variables listed in ``env``, read from ``environ`` (by default the
        process's; a default shown in signatures, ``help()`` included, would show its secrets)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}  # setting -> the environment variable it came from
        for setting, names in self.env.items():
            for env_name in names:
                if environ.get(env_name, "").strip():  # (a blank one is unset: the next)
                    values[setting], sources[setting] = environ[env_name], env_name
                    break
        given = {key: value for key, value in overrides.items() if value is not None}
        values.update(given)
        try:
            return self.settings_model.model_validate(values)
        except ValidationError as exc:
            error = invalid_input(exc, prefix=f"providers.{self.name}.")
            setting = (error.param or "").removeprefix(f"providers.{self.name}.")
            if setting in sources and setting not in given:  # say where the value came from
                error.message = f"{error.message} (read from {sources[setting]})"
            raise error from None

    def api_key(self, settings: ProviderSettings, *, dry_run: bool = False) -> str:
        """The configured API key, for ``authorize``. Raises the missing-credentials error (naming
        the environment variable and the setting) when there is none, except in a dry run, which
        gets a placeholder (the header is redacted anyway) and a ``missing_credentials``
        warning saying what a real call would need."""
        secret = settings.api_key  # (read once: a pydantic field)
        key = secret.get_secret_value() if secret is not None else ""
        if key:
            return key
        if dry_run:  # core's dry run tells the user a real call would fail
            note_missing(self.missing_credentials())
            return "dry-run-placeholder"
        raise self.missing_credentials()

    def secret_values(self, settings: ProviderSettings) -> list[str]:
        """Every secret the settings hold, so core keeps them out of error messages. The default
        collects the ``SecretStr`` fields; credentials obtained elsewhere (a credential chain, a
        token) are caught from the request's secret headers by core as well."""
        from .redaction import settings_secrets

        return settings_secrets(settings)

    def missing_credentials(self, setting: str = "api_key") -> MissingCredentialsError:
        """The error for a missing credential, naming the environment variable and the setting."""
        names = " or ".join(self.env.get(setting, ()))
        advice = f"set {names}" if names else f"configure its {setting!r} setting"
        return MissingCredentialsError(
            f"No {self.display_name or self.name} credential: {advice}",
            param=setting,
            provider=self.name,
            setting=ProviderSetting(self.name, setting),
        )
