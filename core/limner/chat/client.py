"""``client.chat.completions`` for :class:`~limner.AsyncClient` and :class:`~limner.Client`."""

from __future__ import annotations

from collections.abc import Coroutine, Iterable, Mapping
from typing import Any, Literal, Protocol, TypeVar, Unpack, overload

from ..client_options import for_call
from ..dryrun import DryRun
from ..params import ChatParams
from .engine import ChatEngine
from .messages import build_chat_request
from .response import ChatCompletion

__all__ = ["AsyncChat", "AsyncCompletions", "Chat", "Completions"]

R = TypeVar("R")


def _for_call(chat: ChatEngine, params: Mapping[str, Any]) -> tuple[ChatEngine, Mapping[str, Any]]:
    """The chat engine for one call: ``timeout`` and ``max_retries``, when given, apply to it
    alone (see :func:`~limner.client_options.for_call`)."""
    engine, fields = for_call(chat.engine, params)
    return (chat if engine is chat.engine else ChatEngine(engine)), fields


class _Runner(Protocol):
    def run(self, coro: Coroutine[Any, Any, R]) -> R: ...


class AsyncCompletions:
    """``client.chat.completions``."""

    def __init__(self, engine: ChatEngine) -> None:
        self._engine = engine

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        dry_run: Literal[False] = False,
        **params: Unpack[ChatParams],
    ) -> ChatCompletion: ...
    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        dry_run: Literal[True],
        **params: Unpack[ChatParams],
    ) -> DryRun: ...
    @overload
    async def create(
        self, *, model: str, messages: Iterable[Any], dry_run: bool, **params: Unpack[ChatParams]
    ) -> ChatCompletion | DryRun: ...
    async def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        dry_run: bool = False,
        **params: Unpack[ChatParams],
    ) -> ChatCompletion | DryRun:
        """A chat completion from an image-capable model (OpenAI's request: ``messages``,
        ``modalities``, ``n``, ``temperature``, ``max_tokens``, ..., plus ``image_config``,
        ``provider_options``, ``extra_headers`` and ``extra_body``). Assistant messages from
        earlier answers go back in ``messages`` as they came (object or JSON), so the model
        continues the same image. ``stream=True`` is refused; ``n`` makes that many concurrent
        calls, one choice each. With ``dry_run=True``, return what would be sent instead."""
        engine, fields = _for_call(self._engine, params)
        request = build_chat_request({"model": model, "messages": list(messages), **fields})
        if dry_run:
            return await engine.dry_run(request)
        return await engine.create(request)


class AsyncChat:
    """``client.chat``."""

    def __init__(self, engine: ChatEngine) -> None:
        self.completions = AsyncCompletions(engine)


class Completions:
    """``client.chat.completions`` of the sync client."""

    def __init__(self, completions: AsyncCompletions, runner: _Runner) -> None:
        self._completions, self._runner = completions, runner

    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        dry_run: Literal[False] = False,
        **params: Unpack[ChatParams],
    ) -> ChatCompletion: ...
    @overload
    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        dry_run: Literal[True],
        **params: Unpack[ChatParams],
    ) -> DryRun: ...
    @overload
    def create(
        self, *, model: str, messages: Iterable[Any], dry_run: bool, **params: Unpack[ChatParams]
    ) -> ChatCompletion | DryRun: ...
    def create(
        self,
        *,
        model: str,
        messages: Iterable[Any],
        dry_run: bool = False,
        **params: Unpack[ChatParams],
    ) -> ChatCompletion | DryRun:
        """See :meth:`AsyncCompletions.create`."""
        engine, fields = _for_call(self._completions._engine, params)
        request = build_chat_request({"model": model, "messages": list(messages), **fields})
        if dry_run:
            return self._runner.run(engine.dry_run(request))
        return self._runner.run(engine.create(request))


Completions.create.__doc__ = AsyncCompletions.create.__doc__  # for help() on the sync client


class Chat:
    """``client.chat`` of the sync client."""

    def __init__(self, chat: AsyncChat, runner: _Runner) -> None:
        self.completions = Completions(chat.completions, runner)
