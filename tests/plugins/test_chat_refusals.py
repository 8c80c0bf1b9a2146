"""Every built-in image-only model is refused on chat completions with the reference surface's
400, before any network call; the chat-capable ones say so in their capabilities and in
``limner models``."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

import limner
from limner.cli.main import main

IMAGE_ONLY = [
    "openai/gpt-image-1.5",
    "openai/dall-e-3",
    "google/imagen-4.0-generate-001",
    "stabilityai/sd3.5-large",
    "amazon/amazon.nova-canvas-v1:0",
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("a network call was made")

    monkeypatch.setattr(limner.http.Transport, "send", refuse)
    monkeypatch.setattr(limner.http.Transport, "_send_once", refuse)


@pytest.mark.parametrize("model", IMAGE_ONLY)
async def test_image_only_models_get_the_400(model: str, no_network: None) -> None:
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": "a fox"}]
            )
    error = caught.value
    # OpenAI's words, then what to use instead
    assert error.message.startswith(f"Model(s) do not support /chat/completions: {model} makes ")
    assert "; chat models: google/gemini-2.5-flash-image, " in error.message
    assert error.http_status == 400
    assert error.to_openai()["error"]["message"] == error.message
    assert error.param == "model"


def test_sync_client_refuses_too(no_network: None) -> None:
    with limner.Client(environ={}) as client, pytest.raises(limner.InvalidRequestError) as caught:
        client.chat.completions.create(
            model="openai/gpt-image-1", messages=[{"role": "user", "content": "a fox"}]
        )
    assert str(caught.value).startswith(
        "Model(s) do not support /chat/completions: openai/gpt-image-1 makes images with "
        "images.generate and images.edit; chat models: google/gemini-2.5-flash-image, "
    )


def test_capabilities_say_which_models_serve_chat() -> None:
    client = limner.AsyncClient(environ={})
    chat = {m.id for m in client.models.list() if m.capabilities.supports("chat")}
    assert "google/gemini-3.1-flash-image-preview" in chat
    assert "google/gemini-2.5-flash-image" in chat
    assert not chat & set(IMAGE_ONLY)


def test_limner_models_shows_chat(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    start, end = header.index("OPERATIONS"), header.index("SIZES")
    rows = {line.split()[0]: line[start:end].strip() for line in lines}
    assert rows["google/gemini-3-pro-image"] == "generate,edit,chat"
    assert rows["google/imagen-4.0-generate-001"] == "generate"
    assert "chat" not in rows["openai/gpt-image-1.5"]
