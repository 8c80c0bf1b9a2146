"""``limner.Client``: :class:`~limner.client.AsyncClient` run on an event loop of its own, on a
daemon thread, so the same calls block (and work inside other event loops too).

>>> with limner.Client() as client:
...     result = client.images.generate(model="provider/model", prompt="a fox")
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Unpack, overload

from .arguments import build_request, edit_request
from .client import AsyncClient, AsyncImages, execute
from .client_defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_POLL_TIMEOUT,
    DEFAULT_TIMEOUT,
)
from .client_options import ClientOptions, for_call
from .dryrun import DryRun
from .errors import LimnerError, MissingCredentialsError
from .http import RetryPolicy
from .loop_thread import LoopThread
from .params import EditParams, GenerateParams, ImageInput, VariationParams
from .requests import GenerateRequest, VariationRequest
from .responses import ImagesResponse

if TYPE_CHECKING:
    from .chat.client import Chat
    from .plugins import Registry

__all__ = ["Client"]


def _same_docs(sync: type, asynchronous: type, *names: str) -> None:
    """Give the blocking methods the async methods' docstrings, so ``help()`` shows them."""
    for name in names:
        getattr(sync, name).__doc__ = getattr(asynchronous, name).__doc__


class Images:
    """``client.images`` of the sync client."""

    def __init__(self, images: AsyncImages, runner: LoopThread) -> None:
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
    @overload
    def generate(
        self, *, model: str, prompt: str, dry_run: bool, **params: Unpack[GenerateParams]
    ) -> ImagesResponse | DryRun: ...
    def generate(
        self, *, model: str, prompt: str, dry_run: bool = False, **params: Unpack[GenerateParams]
    ) -> ImagesResponse | DryRun:
        """See :meth:`AsyncImages.generate`."""
        engine, fields = for_call(self._images._engine, params)
        request = build_request(GenerateRequest, {"model": model, "prompt": prompt, **fields})
        return self._run(execute(engine, "generate", request, dry_run))

    @overload
    def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: Literal[False] = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse: ...
    @overload
    def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: Literal[True],
        **params: Unpack[EditParams],
    ) -> DryRun: ...
    @overload
    def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: bool,
        **params: Unpack[EditParams],
    ) -> ImagesResponse | DryRun: ...
    def edit(
        self,
        *,
        model: str,
        prompt: str | None = "",
        image: ImageInput | Sequence[ImageInput] | None = None,
        dry_run: bool = False,
        **params: Unpack[EditParams],
    ) -> ImagesResponse | DryRun:
        """See :meth:`AsyncImages.edit`."""
        engine, fields = for_call(self._images._engine, params)
        request = edit_request(model, prompt, image, fields)
        return self._run(execute(engine, "edit", request, dry_run))

    @overload
    def create_variation(
        self,
        *,
        model: str,
        image: ImageInput,
        dry_run: Literal[False] = False,
        **params: Unpack[VariationParams],
    ) -> ImagesResponse: ...
    @overload
    def create_variation(
        self,
        *,
        model: str,
        image: ImageInput,
        dry_run: Literal[True],
        **params: Unpack[VariationParams],
    ) -> DryRun: ...
    @overload
    def create_variation(
        self, *, model: str, image: ImageInput, dry_run: bool, **params: Unpack[VariationParams]
    ) -> ImagesResponse | DryRun: ...
    def create_variation(
        self,
        *,
        model: str,
        image: ImageInput,
        dry_run: bool = False,
        **params: Unpack[VariationParams],
    ) -> ImagesResponse | DryRun:
        """See :meth:`AsyncImages.create_variation`."""
        engine, fields = for_call(self._images._engine, params)
        request = build_request(VariationRequest, {"model": model, "image": image, **fields})
        return self._run(execute(engine, "variation", request, dry_run))


_same_docs(Images, AsyncImages, "generate", "edit", "create_variation")


class Client:
    """The synchronous client: the arguments and methods of :class:`AsyncClient` (but for
    ``session``, which belongs to another event loop), blocking. Use it as a context manager,
    or call :meth:`close`. A client dropped unclosed (with its ``images`` and ``chat``) closes
    its session and stops its thread when it is garbage-collected."""

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
        environ: Mapping[str, str] | None = None,
        api_key: None = None,
        base_url: None = None,
    ) -> None:
        self._async = AsyncClient(
            providers=providers,
            timeout=timeout,
            connect_timeout=connect_timeout,
            poll_timeout=poll_timeout,
            max_retries=max_retries,
            retry=retry,
            strict=strict,
            allow_private_networks=allow_private_networks,
            max_download_bytes=max_download_bytes,
            plugins=plugins,
            disable_plugins=disable_plugins,
            registry=registry,
            environ=environ,
            api_key=api_key,
            base_url=base_url,
        )
        self._runner = LoopThread(self._async.close)
        self.registry = self._async.registry
        self.images = Images(self._async.images, self._runner)
        self.models = self._async.models

    @functools.cached_property
    def chat(self) -> Chat:
        """``client.chat.completions``, blocking."""
        from .chat.client import Chat

        return Chat(self._async.chat, self._runner)

    def with_options(self, **changes: Unpack[ClientOptions]) -> Client:
        """See :meth:`AsyncClient.with_options`: the derived client runs on this one's thread,
        and closing either closes both."""
        derived = copy.copy(self)
        derived.__dict__.pop("chat", None)  # made anew, on the derived client
        derived._async = self._async.with_options(**changes)
        derived.images = Images(derived._async.images, self._runner)
        return derived

    def missing_credentials(self) -> list[MissingCredentialsError]:
        """See :meth:`AsyncClient.missing_credentials`."""
        return self._async.missing_credentials()

    def settings_errors(self) -> list[LimnerError]:
        """See :meth:`AsyncClient.settings_errors`."""
        return self._async.settings_errors()

    def secret_values(self) -> list[str]:
        """See :meth:`AsyncClient.secret_values`."""
        return self._async.secret_values()

    def close(self) -> None:
        """Close the client; calls still running in other threads end with ``client_closed``."""
        self._runner.stop(self._async.close())

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
