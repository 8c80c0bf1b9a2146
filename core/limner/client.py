"""``limner.AsyncClient`` and ``limner.Client``, shaped like the OpenAI SDK.

>>> async with limner.AsyncClient() as client:
...     result = await client.images.generate(model="provider/model", prompt="a fox")
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Unpack, overload

from pydantic import BaseModel, ValidationError

from .capabilities import ModelInfo, Operation
from .download import DownloadPolicy
from .dryrun import DryRun
from .engine import Engine, EngineOptions
from .errors import invalid_input
from .http import RetryPolicy, Transport
from .params import EditParams, GenerateParams, VariationParams
from .plugins import Registry, default_registry
from .provider import AnyRequest
from .requests import EditRequest, GenerateRequest, VariationRequest
from .responses import ImagesResponse
from .schema import request_schema

if TYPE_CHECKING:
    import aiohttp

    from .chat.client import AsyncChat, Chat

__all__ = ["AsyncClient", "Client"]

R = TypeVar("R")
_Model = TypeVar("_Model", bound=BaseModel)


def build_request(
    cls: type[_Model],
    fields: Mapping[str, Any],
    *,
    locate: Callable[[list[str]], list[str]] | None = None,
) -> _Model:
    """Validate user input (keyword arguments or request JSON) into a request model;
    ``extra_body`` entries join the top level. Errors name the parameter (``locate`` may reshape
    pydantic's location of it)."""
    values = dict(fields)
    extra = values.pop("extra_body", None)
    if extra:
        values.update(extra)
    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        raise invalid_input(exc, locate=locate) from None


class AsyncModels:
    """``client.models``: the models installed plugins provide, with capabilities and prices."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry

    def list(self) -> list[ModelInfo]:
        return self._registry.models()

    def retrieve(self, model: str) -> ModelInfo:
        """A model by id or alias; :class:`~limner.NotFoundError` with suggestions otherwise."""
        return self._registry.resolve(model)

    def schema(self, model: str, operation: Operation = "generate") -> dict[str, Any]:
        """The JSON Schema of requests ``model`` accepts for ``operation``."""
        return request_schema(self._registry.resolve(model), operation)


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
    async def generate(
        self, *, model: str, prompt: str, dry_run: bool = False, **params: Unpack[GenerateParams]
    ) -> ImagesResponse | DryRun:
        """Make images from a prompt. With ``dry_run=True``, return what would be sent instead."""
        request = build_request(GenerateRequest, {"model": model, "prompt": prompt, **params})
        return await self._execute("generate", request, dry_run)

    @overload
    async def edit(
        self,
        *,
        model: str,
        prompt: str,
        image: Any,
        dry_run: Literal[False] = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse: ...
    @overload
    async def edit(
        self,
        *,
        model: str,
        prompt: str,
        image: Any,
        dry_run: Literal[True],
        **params: Unpack[EditParams],
    ) -> DryRun: ...
    async def edit(
        self,
        *,
        model: str,
        prompt: str,
        image: Any,
        dry_run: bool = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse | DryRun:
        """Edit one image or several (``image`` is one image or a list: bytes, paths, file objects,
        ``data:``/https URLs or ``{"file_id": ...}``); ``mask`` marks the area to change with
        transparent pixels."""
        fields = {"model": model, "prompt": prompt, "images": image, **params}
        request = build_request(EditRequest, fields)
        return await self._execute("edit", request, dry_run)

    @overload
    async def create_variation(
        self,
        *,
        model: str,
        image: Any,
        dry_run: Literal[False] = False,
        **params: Unpack[VariationParams],
    ) -> ImagesResponse: ...
    @overload
    async def create_variation(
        self, *, model: str, image: Any, dry_run: Literal[True], **params: Unpack[VariationParams]
    ) -> DryRun: ...
    async def create_variation(
        self, *, model: str, image: Any, dry_run: bool = False, **params: Unpack[VariationParams]
    ) -> ImagesResponse | DryRun:
        """Variations of one image."""
        request = build_request(VariationRequest, {"model": model, "image": image, **params})
        return await self._execute("variation", request, dry_run)

    async def _execute(
        self, operation: Operation, request: AnyRequest, dry_run: bool
    ) -> ImagesResponse | DryRun:
        if dry_run:
            return await self._engine.dry_run(operation, request)
        return await self._engine.run(operation, request)


class AsyncClient:
    """The asynchronous client. Use it as an async context manager, or call :meth:`close`.

    :param providers: settings per provider name, e.g. ``{"<provider>": {"api_key": "...",
        "base_url": "..."}}``; anything not given comes from the provider's environment variables.
    :param timeout: seconds allowed for one HTTP call (on a ``session`` passed in too).
    :param max_retries: extra attempts on 408, 409, 429, 500, 502, 503 and 504 answers and on
        connection errors.
    :param strict: raise :class:`~limner.ContentPolicyError` when a provider filtered an image,
        instead of returning it with a warning.
    :param allow_private_networks: let limner download images from private or loopback addresses
        (and plain http): for local testing only.
    :param plugins: extra plugin objects to register (besides installed entry points).
    :param disable_plugins: entry-point names of plugins not to load.
    :param registry: a ready :class:`~limner.plugins.Registry` (overrides the two above).
    :param session: an ``aiohttp.ClientSession`` to use instead of the client's own.
    """

    def __init__(
        self,
        *,
        providers: Mapping[str, Mapping[str, Any]] | None = None,
        timeout: float = 600.0,
        max_retries: int = 2,
        retry: RetryPolicy | None = None,
        strict: bool = False,
        allow_private_networks: bool = False,
        max_download_bytes: int = 50 * 2**20,
        plugins: Iterable[object] = (),
        disable_plugins: Iterable[str] = (),
        registry: Registry | None = None,
        session: aiohttp.ClientSession | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        plugins, disable_plugins = tuple(plugins), tuple(disable_plugins)
        if registry is None:
            registry = (
                Registry(plugins, disable_plugins=disable_plugins)
                if plugins or disable_plugins
                else default_registry()
            )
        self.registry = registry
        self._transport = Transport(
            timeout=timeout, retry=retry or RetryPolicy(max_retries=max_retries), session=session
        )
        options = EngineOptions(
            download=DownloadPolicy(
                max_bytes=max_download_bytes, allow_private_networks=allow_private_networks
            ),
            strict=strict,
            provider_settings=dict(providers or {}),
            **({"environ": environ} if environ is not None else {}),
        )
        self._engine = Engine(registry, self._transport, options)
        self.images = AsyncImages(self._engine)
        self.models = AsyncModels(registry)

    @functools.cached_property
    def chat(self) -> AsyncChat:
        """``client.chat.completions``: image output through chat completions (loaded on first
        use, to keep ``import limner`` light)."""
        from .chat.client import AsyncChat
        from .chat.engine import ChatEngine

        return AsyncChat(ChatEngine(self._engine))

    def secret_values(self) -> list[str]:
        """Every credential the client's provider settings hold, from ``providers=`` or the
        environment: for keeping them out of an application's own logs (the gateway scrubs its
        error messages with them)."""
        return self._engine.secret_values()

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


_CANCEL_GRACE = 2.0
"""Seconds an interrupted sync call gets to wind down (close its connection) once cancelled."""


class _LoopThread:
    """An event loop on a daemon thread, so the sync client works inside other event loops too."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="limner", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, R]) -> R:
        """Run ``coro`` on the loop and return its result. When the wait is interrupted (Ctrl-C's
        ``KeyboardInterrupt``, any ``BaseException``), the call is cancelled, so it stops sending
        and retrying, and given :data:`_CANCEL_GRACE` seconds to finish before the interruption
        goes on."""
        created: concurrent.futures.Future[asyncio.Task[R]] = concurrent.futures.Future()
        finished = threading.Event()

        def start() -> None:  # on the loop's thread
            task = self.loop.create_task(coro)
            task.add_done_callback(lambda _: finished.set())
            created.set_result(task)

        self.loop.call_soon_threadsafe(start)
        try:
            finished.wait()
        except BaseException:
            task = created.result()  # at once: the loop runs ``start`` next, if not yet done
            self.loop.call_soon_threadsafe(task.cancel)
            finished.wait(_CANCEL_GRACE)
            raise
        return created.result().result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class Images:
    """``client.images`` of the sync client."""

    def __init__(self, images: AsyncImages, runner: _LoopThread) -> None:
        self._images, self._run = images, runner.run

    @overload
    def generate(
        self,
        *,
        model: str,
        prompt: str,
        dry_run: Literal[False] = False,
        **params: Unpack[GenerateParams],
    ) -> ImagesResponse: ...
    @overload
    def generate(
        self, *, model: str, prompt: str, dry_run: Literal[True], **params: Unpack[GenerateParams]
    ) -> DryRun: ...
    def generate(
        self, *, model: str, prompt: str, dry_run: bool = False, **params: Unpack[GenerateParams]
    ) -> ImagesResponse | DryRun:
        """See :meth:`AsyncImages.generate`."""
        request = build_request(GenerateRequest, {"model": model, "prompt": prompt, **params})
        return self._run(self._images._execute("generate", request, dry_run))

    @overload
    def edit(
        self,
        *,
        model: str,
        prompt: str,
        image: Any,
        dry_run: Literal[False] = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse: ...
    @overload
    def edit(
        self,
        *,
        model: str,
        prompt: str,
        image: Any,
        dry_run: Literal[True],
        **params: Unpack[EditParams],
    ) -> DryRun: ...
    def edit(
        self,
        *,
        model: str,
        prompt: str,
        image: Any,
        dry_run: bool = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse | DryRun:
        """See :meth:`AsyncImages.edit`."""
        fields = {"model": model, "prompt": prompt, "images": image, **params}
        request = build_request(EditRequest, fields)
        return self._run(self._images._execute("edit", request, dry_run))

    @overload
    def create_variation(
        self,
        *,
        model: str,
        image: Any,
        dry_run: Literal[False] = False,
        **params: Unpack[VariationParams],
    ) -> ImagesResponse: ...
    @overload
    def create_variation(
        self, *, model: str, image: Any, dry_run: Literal[True], **params: Unpack[VariationParams]
    ) -> DryRun: ...
    def create_variation(
        self, *, model: str, image: Any, dry_run: bool = False, **params: Unpack[VariationParams]
    ) -> ImagesResponse | DryRun:
        """See :meth:`AsyncImages.create_variation`."""
        request = build_request(VariationRequest, {"model": model, "image": image, **params})
        return self._run(self._images._execute("variation", request, dry_run))


class Client:
    """The synchronous client: the same arguments and methods as :class:`AsyncClient`, blocking.
    Use it as a context manager, or call :meth:`close`."""

    def __init__(self, **kwargs: Any) -> None:
        self._async = AsyncClient(**kwargs)
        self._runner = _LoopThread()
        self.registry = self._async.registry
        self.images = Images(self._async.images, self._runner)
        self.models = self._async.models

    @functools.cached_property
    def chat(self) -> Chat:
        """``client.chat.completions``, blocking."""
        from .chat.client import Chat

        return Chat(self._async.chat, self._runner)

    def secret_values(self) -> list[str]:
        """See :meth:`AsyncClient.secret_values`."""
        return self._async.secret_values()

    def close(self) -> None:
        if self._runner.loop.is_running():
            self._runner.run(self._async.close())
            self._runner.stop()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(providers={sorted(self.registry.providers)})"
