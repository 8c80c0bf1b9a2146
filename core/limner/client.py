"""``limner.AsyncClient``, shaped like the OpenAI SDK (``limner.Client``, its blocking twin, is in
:mod:`limner.sync_client`).

>>> async with limner.AsyncClient() as client:
...     result = await client.images.generate(model="provider/model", prompt="a fox")
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Unpack, overload

from .arguments import build_request, edit_request
from .calls import AnyRequest
from .capabilities import Operation
from .client_defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POLL_TIMEOUT,
    DEFAULT_TIMEOUT,
)
from .client_models import AsyncModels
from .client_options import (
    ClientOptions,
    check_client_settings,
    check_providers,
    check_retry_arguments,
    check_sdk_arguments,
    for_call,
    with_options,
)
from .download import DownloadPolicy
from .dryrun import DryRun
from .engine import Engine, EngineOptions
from .errors import LimnerError, MissingCredentialsError
from .http import RetryPolicy, Transport
from .loading import listed_disabled
from .params import EditParams, GenerateParams, ImageInput, VariationParams
from .plugins import Registry, default_registry
from .proxies import EnvProxies
from .requests import GenerateRequest, VariationRequest
from .responses import ImagesResponse

if TYPE_CHECKING:
    import aiohttp

    from .chat.client import AsyncChat

__all__ = ["AsyncClient"]


class AsyncImages:
    """``client.images``: generate, edit and create variations."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @overload
    async def generate(
        self,
        *,
        model: str,
        prompt: str,
        dry_run: Literal[False] = False,
        **params: Unpack[GenerateParams],
    ) -> ImagesResponse: ...
    @overload
    async def generate(
        self, *, model: str, prompt: str, dry_run: Literal[True], **params: Unpack[GenerateParams]
    ) -> DryRun: ...
    @overload
    async def generate(
        self, *, model: str, prompt: str, dry_run: bool, **params: Unpack[GenerateParams]
    ) -> ImagesResponse | DryRun: ...
    async def generate(
        self, *, model: str, prompt: str, dry_run: bool = False, **params: Unpack[GenerateParams]
    ) -> ImagesResponse | DryRun:
        """Make images from a prompt. With ``dry_run=True``, return what would be sent instead."""
        engine, fields = for_call(self._engine, params)
        request = build_request(GenerateRequest, {"model": model, "prompt": prompt, **fields})
        return await execute(engine, "generate", request, dry_run)

    @overload
    async def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: Literal[False] = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse: ...
    @overload
    async def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: Literal[True],
        **params: Unpack[EditParams],
    ) -> DryRun: ...
    @overload
    async def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: bool,
        **params: Unpack[EditParams],
    ) -> ImagesResponse | DryRun: ...
    async def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: bool = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse | DryRun:
        """Edit one image or several (``image`` is one image or a list, or ``images`` a list, as
        the request's JSON Schema names it: bytes, paths, binary file objects, the OpenAI SDK's
        ``(filename, content[, mime])`` tuples, ``data:``/https URLs or ``{"file_id": ...}``);
        ``mask`` marks the area to change with transparent pixels; or ``markup``, a PNG the size
        of the first image drawn over it, shows what to do where (on a model whose
        ``capabilities.markup`` is true)."""
        engine, fields = for_call(self._engine, params)
        request = edit_request(model, prompt, image, fields)
        return await execute(engine, "edit", request, dry_run)

    @overload
    async def create_variation(
        self,
        *,
        model: str,
        image: ImageInput,
        dry_run: Literal[False] = False,
        **params: Unpack[VariationParams],
    ) -> ImagesResponse: ...
    @overload
    async def create_variation(
        self,
        *,
        model: str,
        image: ImageInput,
        dry_run: Literal[True],
        **params: Unpack[VariationParams],
    ) -> DryRun: ...
    @overload
    async def create_variation(
        self, *, model: str, image: ImageInput, dry_run: bool, **params: Unpack[VariationParams]
    ) -> ImagesResponse | DryRun: ...
    async def create_variation(
        self,
        *,
        model: str,
        image: ImageInput,
        dry_run: bool = False,
        **params: Unpack[VariationParams],
    ) -> ImagesResponse | DryRun:
        """Variations of one image."""
        engine, fields = for_call(self._engine, params)
        request = build_request(VariationRequest, {"model": model, "image": image, **fields})
        return await execute(engine, "variation", request, dry_run)


def execute(
    engine: Engine, operation: Operation, request: AnyRequest, dry_run: bool
) -> Coroutine[Any, Any, ImagesResponse | DryRun]:
    """The coroutine that runs ``request``, or with ``dry_run`` says what would be sent (the
    engine's own: no coroutine of ours around it)."""
    return engine.dry_run(operation, request) if dry_run else engine.run(operation, request)


class AsyncClient:
    """The asynchronous client. Use it as an async context manager, or call :meth:`close`.

    :param providers: settings per provider name, e.g. ``{"<provider>": {"api_key": "...",
        "base_url": "..."}}``; anything not given comes from the provider's environment variables.
    :param timeout: seconds allowed for one HTTP call (default 600; on a ``session`` passed
        in too).
    :param connect_timeout: seconds allowed for connecting (default 30); a connection not
        made in time is retried like other connection errors.
    :param poll_timeout: seconds allowed in all for a provider that answers with a job to poll
        (each poll is one HTTP call, under ``timeout``).
    :param max_retries: extra attempts on 408, 409, 429 and 5xx answers and on
        connection errors (default 2), downloads of images included (409 aside); or pass
        ``retry=RetryPolicy(...)``, not both.
    :param strict: raise :class:`~limner.ContentPolicyError` when a provider filtered an image,
        instead of returning it with a warning.
    :param allow_private_networks: let limner download images from private or loopback addresses
        (and plain http): for local testing only.
    :param max_download_bytes: the most limner downloads for one image, and for the input
        images of one request together.
    :param plugins: extra plugin objects to register (besides installed entry points).
    :param disable_plugins: entry-point names of plugins not to load (besides those
        ``LIMNER_DISABLE_PLUGINS`` lists).
    :param environ: the environment to read instead of the process's: providers' credentials
        and settings, proxies, ``LIMNER_DISABLE_PLUGINS`` (``environ={}`` keeps the machine's
        settings out).
    :param registry: a ready :class:`~limner.plugins.Registry` (overrides ``plugins``,
        ``disable_plugins`` and the ``LIMNER_DISABLE_PLUGINS`` of ``environ``).
    :param session: an ``aiohttp.ClientSession`` to use instead of the client's own, made in
        the event loop that uses the client (else a call fails, ``event_loop_mismatch``); it
        stays yours to close, after the client (a call once it is closed fails,
        ``session_closed``).
        Its default headers, auth and cookies go with calls to providers, never with downloads
        (input image URLs, result links), whose hosts others may name. Closing the client ends
        its calls' waits and the reading of answers already begun, but not a call still waiting
        for a provider's first answer: the session, which keeps that connection, is yours.
    :param api_key: not taken (an error naming ``providers=``): the openai SDK's argument,
        which a client migrated from it passes first; so is ``base_url``.
    """

    def __init__(
        self,
        *,
        providers: Mapping[str, Mapping[str, Any]] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        poll_timeout: float = DEFAULT_POLL_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        strict: bool = False,
        allow_private_networks: bool = False,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        plugins: Iterable[object] = (),
        disable_plugins: Iterable[str] = (),
        registry: Registry | None = None,
        session: aiohttp.ClientSession | None = None,
        environ: Mapping[str, str] | None = None,
        api_key: None = None,
        base_url: None = None,
    ) -> None:
        check_sdk_arguments(api_key, base_url)
        check_retry_arguments(max_retries, retry)
        max_retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        check_client_settings(
            timeout,
            connect_timeout,
            poll_timeout,
            max_retries,
            max_download_bytes,
            strict=strict,
            allow_private_networks=allow_private_networks,
        )
        check_providers(providers)
        if isinstance(disable_plugins, str):  # one name (or "a,b"), not its letters
            disable_plugins = disable_plugins.split(",")
        plugins, disable_plugins = tuple(plugins), tuple(disable_plugins)
        if registry is None:
            shared = default_registry() if not (plugins or disable_plugins) else None
            # (the process's, built once: for an environ that disables the same plugins too)
            if shared is not None and (
                environ is None or listed_disabled(environ) == shared.blocked
            ):
                registry = shared
            else:
                registry = Registry(plugins, disable_plugins=disable_plugins, environ=environ)
        self.registry = registry
        self._transport = Transport(
            timeout=timeout,
            connect_timeout=connect_timeout,
            retry=retry or RetryPolicy(max_retries=max_retries),
            session=session,
            proxies=EnvProxies(os.environ if environ is None else environ),
        )
        options = EngineOptions(
            download=DownloadPolicy(
                max_bytes=max_download_bytes, allow_private_networks=allow_private_networks
            ),
            strict=strict,
            poll_timeout=poll_timeout,
            provider_settings=dict(providers or {}),
            **({"environ": environ} if environ is not None else {}),
        )
        self._engine = Engine(registry, self._transport, options)
        self.images = AsyncImages(self._engine)
        self.models = AsyncModels(registry, self._engine.settings)

    @functools.cached_property
    def chat(self) -> AsyncChat:
        """``client.chat.completions``: image output through chat completions (loaded on first
        use, to keep ``import limner`` light)."""
        from .chat.client import AsyncChat
        from .chat.engine import ChatEngine

        return AsyncChat(ChatEngine(self._engine))

    def with_options(self, **changes: Unpack[ClientOptions]) -> AsyncClient:
        """A client with some of these settings changed: ``timeout``, ``connect_timeout``,
        ``poll_timeout``, ``max_retries`` (or ``retry``), ``strict``, ``allow_private_networks``
        and ``max_download_bytes``. It shares this client's providers, plugins, credentials and
        connections, so it costs little, and closing either closes both (as the openai SDK's
        ``with_options`` does): ``client.with_options(timeout=30).images.generate(...)``."""
        derived = copy.copy(self)
        derived.__dict__.pop("chat", None)  # made anew, on the derived engine
        derived._engine = with_options(self._engine, changes)
        derived._transport = derived._engine.transport
        derived.images = AsyncImages(derived._engine)
        return derived

    def missing_credentials(self) -> list[MissingCredentialsError]:
        """The credentials this client lacks: for each provider that serves a model, the error
        its calls would raise (``MissingCredentialsError``, naming the environment variable or
        setting), found offline as a dry run finds it. A credential a provider looks up only
        when it sends a call (a credential chain) is not looked for. For a health check, or a
        service that says at start what it cannot serve."""
        return self._engine.settings.missing_credentials()

    def settings_errors(self) -> list[LimnerError]:
        """The errors the providers' settings raise as they load (a base URL that is no URL, a
        value of the wrong kind), one per provider that serves a model: what its calls would all
        fail with, found offline. For a service that says at start what it cannot serve."""
        return self._engine.settings.settings_errors()

    def secret_values(self) -> list[str]:
        """Every credential the client's provider settings hold, from ``providers=`` or the
        environment: for keeping them out of an application's own logs (the gateway scrubs its
        error messages with them), and the passwords of the proxies it sends through."""
        proxies = self._transport.connections.proxies
        found = self._engine.settings.secret_values()
        return found + [p for p in proxies.secrets() if p not in found] if proxies else found

    async def close(self) -> None:
        """Close the HTTP session (if the client made it)."""
        await self._transport.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncClient(providers={sorted(self.registry.providers)})"
