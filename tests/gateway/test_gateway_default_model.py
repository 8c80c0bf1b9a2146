"""A gateway-wide default model for image requests that name none, as the OpenAI API has one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest

import limner
from limner.cli.main import main
from limner.gateway import GatewayConfig, LocalFileStore, create_app

from ..core.support import FakeServer
from .conftest import MakeGateway
from .support import GATEWAY_KEY, data_url, png

DEFAULT = "openai/gpt-image-1-mini"


def _config(default_model: str | None = DEFAULT) -> GatewayConfig:
    return GatewayConfig(api_keys=(GATEWAY_KEY,), default_model=default_model)


async def test_images_without_a_model_use_the_default(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await make_gateway(_config())
    result = await gateway.sdk().images.generate(prompt="a lighthouse", quality="low")
    assert (result.model_extra or {})["model"] == DEFAULT
    (call,) = server.api_calls
    assert call.path == "/v1/images/generations" and call.json["model"] == "gpt-image-1-mini"


async def test_an_edit_without_a_model_uses_the_default(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await make_gateway(_config())
    sdk = gateway.sdk()
    body = {"prompt": "add a hat", "images": [{"image_url": data_url(png(16, 16))}]}
    await sdk.post("/images/edits", body=body, cast_to=object)
    (call,) = server.api_calls
    assert call.path == "/v1/images/edits"
    assert call.form["model"] == "gpt-image-1-mini"  # image bytes: the multipart form


async def test_a_named_model_wins_over_the_default(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await make_gateway(_config())
    await gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox")
    assert server.api_calls[0].json["model"] == "gpt-image-1"


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the SDK marks dall-e-2
async def test_an_operation_the_default_model_lacks_says_it_is_the_default(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """The client named no model: "gpt-image-1-mini does not support variation" alone names a
    model it never asked for."""
    gateway = await make_gateway(_config())
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().images.create_variation(image=("a.png", png(16, 16), "image/png"))
    assert caught.value.param == "model"
    assert caught.value.message.endswith(
        "(the gateway's default model, as the request named none: name a model in the request)"
    )
    assert DEFAULT in caught.value.message and server.api_calls == []
    with pytest.raises(openai.BadRequestError) as named:  # named by the client: as it is
        await gateway.sdk().images.create_variation(
            model=DEFAULT, image=("a.png", png(16, 16), "image/png")
        )
    assert "default model" not in named.value.message


async def test_without_a_default_a_missing_model_is_400(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    gateway = await make_gateway(_config(None))
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().images.generate(prompt="a fox")
    assert caught.value.param == "model"
    assert "--default-model" in caught.value.message
    assert "the gateway's default model" not in caught.value.message  # it has none
    assert server.api_calls == []


async def test_an_unknown_default_model_fails_when_the_app_is_made(tmp_path: Path) -> None:
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.NotFoundError) as caught:
            create_app(client, LocalFileStore(tmp_path), _config("openai/gpt-image-9"))
    assert caught.value.param == "model"
    assert "openai/gpt-image-1" in caught.value.message  # a close suggestion


async def test_the_openapi_document_follows_the_default(make_gateway: MakeGateway) -> None:
    documents: list[dict[str, Any]] = []
    for default in (None, DEFAULT):
        gateway = await make_gateway(_config(default))
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{gateway.origin}/openapi.json") as response,
        ):
            documents.append(await response.json())
    for name in ("GenerateRequest", "EditJSON", "EditForm", "VariationForm"):
        without, with_default = (d["components"]["schemas"][name]["required"] for d in documents)
        assert "model" in without, name
        assert with_default == [field for field in without if field != "model"], name


async def test_an_empty_model_is_not_the_default(make_gateway: MakeGateway) -> None:
    gateway = await make_gateway(_config())
    with pytest.raises(openai.BadRequestError) as caught:
        await gateway.sdk().images.generate(model="", prompt="a fox")
    assert caught.value.param == "model"


def test_serve_refuses_an_unknown_default_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve", "--default-model", "openai/gpt-image-9", "--files-dir", str(tmp_path)])
    assert status == 2
    assert "Unknown model 'openai/gpt-image-9'" in capsys.readouterr().err
