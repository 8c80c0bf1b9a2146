"""Where a provider's ``authorize`` may block (a token refresh), a call under an admission (a
gateway's upstream slot, :func:`limner.admission.admitting`) has its credentials made ready
before it is admitted, on the images and the chat surfaces; nowhere else is ``authorize`` called
more than once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

import limner
from limner.admission import admitting

from .fakeprovider import FakePlugin, FakeProvider
from .support import FakeServer, MakeClient
from .test_core_chat import KEY, PainterProvider, answer

EVENTS: list[str] = []
BODIES: list[object] = []


@pytest.fixture(autouse=True)
def _no_events() -> None:
    EVENTS.clear()
    BODIES.clear()


class _Recording(limner.Provider):
    def authorize(
        self,
        request: limner.WireRequest,
        settings: limner.ProviderSettings,
        *,
        dry_run: bool = False,
    ) -> limner.WireRequest:
        EVENTS.append("authorize")
        BODIES.append(request.json)
        return super().authorize(request, settings, dry_run=dry_run)


class BlockingFake(_Recording, FakeProvider):
    authorize_blocks: ClassVar[bool] = True


class QuickFake(_Recording, FakeProvider):
    pass


class BlockingPainter(_Recording, PainterProvider):
    authorize_blocks: ClassVar[bool] = True


class _PainterPlugin:
    @limner.hookimpl
    def register_providers(self, register: Any) -> None:
        register(BlockingPainter())


@contextlib.asynccontextmanager
async def _slot() -> AsyncIterator[None]:
    EVENTS.append("admitted")
    yield


@pytest.mark.parametrize(
    ("provider", "admission", "events"),
    [
        (BlockingFake, True, ["authorize", "admitted", "authorize"]),
        (QuickFake, True, ["admitted", "authorize"]),
        (BlockingFake, False, ["authorize"]),  # no admission: no call made ready beforehand
    ],
)
async def test_images_calls_have_their_blocking_credentials_ready_before_admission(
    make_client: MakeClient,
    provider: type[limner.Provider],
    admission: bool,
    events: list[str],
) -> None:
    client = make_client(plugins=[FakePlugin(provider)])
    with admitting(_slot) if admission else contextlib.nullcontext():
        answered = await client.images.generate(model="fake/alpha-1", prompt="a fox")
    assert len(answered.data) == 1
    assert events == EVENTS
    if len(events) == 3:  # made ready with an empty body: nothing to sign at length
        assert BODIES[0] == {} and BODIES[1] == {"model": "alpha-1", "prompt": "a fox", "n": 1}


async def test_chat_calls_have_their_blocking_credentials_ready_before_admission(
    server: FakeServer,
) -> None:
    server.reply(answer(1))
    async with limner.AsyncClient(
        providers={"painter": {"api_key": KEY, "base_url": server.url}},
        plugins=[_PainterPlugin()],
        environ={},
    ) as client:
        with admitting(_slot):
            answered = await client.chat.completions.create(
                model="painter/chat-1", messages=[{"role": "user", "content": "a boat"}]
            )
    assert answered.choices[0].message.images
    assert EVENTS == ["authorize", "admitted", "authorize"]
