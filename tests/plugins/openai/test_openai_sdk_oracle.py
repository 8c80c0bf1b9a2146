"""The official ``openai`` SDK as an oracle: for the same call, the SDK and limner must put the
same body on the wire.

A loopback aiohttp server records what the SDK sends; the JSON bodies must equal
``translation.request.json`` exactly, and multipart bodies must hold the same text fields (as a
multiset: order may differ) and the same file parts (field name, filename, bytes).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest
from aiohttp import web

from limner import Translation
from limner_openai import OpenAIProvider

ANSWER = {"created": 1, "data": [{"b64_json": "aGk="}]}


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Oracle:
    base_url: str
    seen: list[Recorded]

    def client(self, **kwargs: Any) -> openai.OpenAI:
        return openai.OpenAI(api_key="sk-test", base_url=self.base_url, max_retries=0, **kwargs)

    async def run(self, fn: Callable[[openai.OpenAI], object], **kwargs: Any) -> Recorded:
        client = self.client(**kwargs)
        try:
            await asyncio.to_thread(fn, client)
        finally:
            client.close()
        return self.seen[-1]


@pytest.fixture
async def oracle() -> AsyncIterator[Oracle]:
    seen: list[Recorded] = []

    async def record(request: web.Request) -> web.Response:
        seen.append(
            Recorded(
                request.method,
                request.raw_path,  # as sent: encoded, with any query
                {k.lower(): v for k, v in request.headers.items()},
                await request.read(),
            )
        )
        return web.json_response(ANSWER)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Oracle(f"http://127.0.0.1:{port}/v1", seen)
    finally:
        await runner.cleanup()


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    data: bytes


def multipart(recorded: Recorded) -> list[Part]:
    """The parts of a recorded multipart body, parsed with the standard library."""
    content_type = recorded.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    raw = f"Content-Type: {content_type}\r\n\r\n".encode() + recorded.body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    assert message.is_multipart()
    parts = []
    for part in message.iter_parts():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(payload, bytes)
        parts.append(Part(name, filename if isinstance(filename, str) else None, payload))
    return parts


def assert_same_endpoint(recorded: Recorded, translation: Translation) -> None:
    """The method and the path (with any query) the SDK used are limner's."""
    url = urlsplit(translation.request.url)
    assert recorded.method == translation.request.method
    assert recorded.path == url.path + (f"?{url.query}" if url.query else "")


def assert_same_multipart(recorded: Recorded, translation: Translation) -> None:
    parts = multipart(recorded)
    sdk_fields = Counter((p.name, p.data.decode()) for p in parts if p.filename is None)
    sdk_files = [(p.name, p.filename, p.data) for p in parts if p.filename is not None]
    ours_files = [(f.field, f.filename, f.data) for f in translation.request.files]
    assert sdk_fields == Counter(translation.request.form)
    assert sdk_files == ours_files
    assert_same_endpoint(recorded, translation)


def assert_same_json(recorded: Recorded, translation: Translation) -> None:
    assert recorded.headers["content-type"] == "application/json"
    assert json.loads(recorded.body) == translation.request.json
    assert_same_endpoint(recorded, translation)


def our_url(oracle: Oracle, provider: OpenAIProvider) -> Any:
    return provider.load_settings({"base_url": oracle.base_url, "api_key": "sk-test"}, {})


# ---- generations -------------------------------------------------------------------------------


async def test_generate_gpt_image_1_5(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    fields: dict[str, Any] = {
        "prompt": "a lighthouse at dusk",
        "size": "1536x1024",
        "quality": "high",
        "output_format": "webp",
        "output_compression": 70,
        "background": "opaque",
        "moderation": "low",
        "user": "user-7",
        "safety_identifier": "sid-7",
    }
    seen = await oracle.run(lambda c: c.images.generate(model="gpt-image-1.5", n=3, **fields))
    t = provider.translate(
        make_call("gpt-image-1.5", n=3, settings=our_url(oracle, provider), **fields)
    )
    assert (seen.method, seen.path) == ("POST", "/v1/images/generations")
    assert t.request.url == oracle.base_url + "/images/generations"
    assert_same_json(seen, t)


async def test_generate_dall_e_3(oracle: Oracle, provider: OpenAIProvider, make_call: Any) -> None:
    fields: dict[str, Any] = {
        "prompt": "an otter",
        "size": "1024x1792",
        "quality": "hd",
        "style": "vivid",
        "response_format": "b64_json",
    }
    seen = await oracle.run(lambda c: c.images.generate(model="dall-e-3", n=1, **fields))
    assert_same_json(seen, provider.translate(make_call("dall-e-3", **fields)))


async def test_generate_dall_e_2_url(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    fields: dict[str, Any] = {"prompt": "a cat", "size": "512x512", "response_format": "url"}
    seen = await oracle.run(lambda c: c.images.generate(model="dall-e-2", n=4, **fields))
    assert_same_json(seen, provider.translate(make_call("dall-e-2", n=4, **fields)))


async def test_generate_gpt_image_2_free_size(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    fields: dict[str, Any] = {"prompt": "wide", "size": "2048x1152", "quality": "low"}
    seen = await oracle.run(lambda c: c.images.generate(model="gpt-image-2", n=1, **fields))
    assert_same_json(seen, provider.translate(make_call("gpt-image-2", **fields)))


async def test_generate_gpt_image_2_5_max_quality(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    fields: dict[str, Any] = {"prompt": "wide", "size": "1536x864", "quality": "max"}
    name = "gpt-image-2.5-sunburst"
    seen = await oracle.run(lambda c: c.images.generate(model=name, n=2, **fields))
    assert_same_json(seen, provider.translate(make_call(name, n=2, **fields)))


async def test_generate_gpt_image_2_6_animated_gif(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    """GIF output and its frame settings, as the SDK's parameters send them; limner forwards
    frame_count and frame_duration_ms as fields it does not know, unchanged."""
    fields: dict[str, Any] = {
        "prompt": "a spinning coin",
        "size": "1024x1024",
        "output_format": "gif",
        "frame_count": 4,
        "frame_duration_ms": 120,
        "complexity": "low",
    }
    name = "gpt-image-2.6-flare"
    seen = await oracle.run(lambda c: c.images.generate(model=name, n=2, **fields))
    translation = provider.translate(make_call(name, n=2, **fields))
    assert_same_json(seen, translation)
    assert translation.adjustments == ()


async def test_generate_gpt_image_2_6_svg(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    fields: dict[str, Any] = {
        "prompt": "a logo",
        "output_format": "svg",
        "svg": {"model": "gpt-6.1-sol", "reasoning": {"effort": "low"}},
    }
    name = "gpt-image-2.6-sunburst"
    seen = await oracle.run(lambda c: c.images.generate(model=name, n=1, **fields))
    assert_same_json(seen, provider.translate(make_call(name, **fields)))


async def test_headers_match_the_sdk(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any
) -> None:
    seen = await oracle.run(
        lambda c: c.images.generate(model="gpt-image-1", prompt="x", n=1),
        organization="org-123",
        project="proj_456",
    )
    settings = provider.load_settings(
        {"api_key": "sk-test", "organization": "org-123", "project": "proj_456"}, {}
    )
    request = provider.authorize(
        provider.translate(make_call("gpt-image-1", prompt="x")).request, settings
    )
    for name in ("authorization", "openai-organization", "openai-project"):
        assert request.headers[name] == seen.headers[name]


# ---- edits and variations ----------------------------------------------------------------------


async def test_edit_one_image(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    fields: dict[str, Any] = {
        "prompt": "add a hat",
        "size": "1024x1536",
        "quality": "medium",
        "input_fidelity": "high",
        "output_format": "jpeg",
        "output_compression": 60,
        "background": "opaque",
        "user": "u1",
        "safety_identifier": "sid-1",
    }
    seen = await oracle.run(
        lambda c: c.images.edit(
            model="gpt-image-1.5", image=("image.png", png, "image/png"), n=2, **fields
        )
    )
    t = provider.translate(make_call("gpt-image-1.5", "edit", n=2, images=[png], **fields))
    assert (seen.method, seen.path) == ("POST", "/v1/images/edits")
    assert_same_multipart(seen, t)


async def test_edit_with_svg_options_in_the_form(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    """An object field goes into a multipart form member by member (``svg[model]``), a list's
    items each as ``name[]``, as the SDK sends them; JSON text in one part is not what the API
    reads."""
    fields: dict[str, Any] = {
        "prompt": "a logo like this",
        "output_format": "svg",
        "svg": {"model": "gpt-6.1-sol", "reasoning": {"effort": "low"}, "palette": ["red", 1]},
    }
    extra = {"flags": [True, False]}  # a field neither knows, which the SDK takes in extra_body
    name = "gpt-image-2.6-sunburst"
    seen = await oracle.run(
        lambda c: c.images.edit(
            model=name, image=("image.png", png, "image/png"), n=1, extra_body=extra, **fields
        )
    )
    t = provider.translate(make_call(name, "edit", images=[png], **fields, **extra))
    assert [(k, v) for k, v in t.request.form if k.startswith("svg")] == [
        ("svg[model]", "gpt-6.1-sol"),
        ("svg[reasoning][effort]", "low"),
        ("svg[palette][]", "red"),
        ("svg[palette][]", "1"),
    ]
    assert [(k, v) for k, v in t.request.form if k == "flags[]"] == [
        ("flags[]", "true"),
        ("flags[]", "false"),
    ]
    assert_same_multipart(seen, t)


async def test_edit_with_a_markup(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    """A markup is a file after the images, as the SDK sends it [ImageEditParams.markup]."""
    name = "gpt-image-2.5-sunburst"
    seen = await oracle.run(
        lambda c: c.images.edit(
            model=name,
            prompt="follow the arrows",
            image=("image.png", png, "image/png"),
            markup=("image.png", mask_png, "image/png"),
            n=1,
        )
    )
    t = provider.translate(
        make_call(name, "edit", images=[png], markup=mask_png, prompt="follow the arrows")
    )
    assert [(p.name, p.filename) for p in multipart(seen) if p.filename] == [
        ("image", "image.png"),
        ("markup", "image.png"),
    ]
    assert [(f.field, f.content_type) for f in t.request.files] == [
        ("image", "image/png"),
        ("markup", "image/png"),
    ]
    assert_same_multipart(seen, t)


async def test_edit_two_images_and_mask(
    oracle: Oracle,
    provider: OpenAIProvider,
    make_call: Any,
    png: bytes,
    png2: bytes,
    mask_png: bytes,
) -> None:
    seen = await oracle.run(
        lambda c: c.images.edit(
            model="gpt-image-1",
            prompt="combine",
            image=[("image.png", png, "image/png"), ("image.png", png2, "image/png")],
            mask=("image.png", mask_png, "image/png"),
            n=1,
        )
    )
    t = provider.translate(
        make_call("gpt-image-1", "edit", images=[png, png2], mask=mask_png, prompt="combine")
    )
    assert [p.name for p in multipart(seen) if p.filename] == ["image[]", "image[]", "mask"]
    assert_same_multipart(seen, t)


async def test_edit_dall_e_2_with_mask(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any, png: bytes, mask_png: bytes
) -> None:
    fields: dict[str, Any] = {"prompt": "a flamingo", "size": "256x256", "response_format": "url"}
    seen = await oracle.run(
        lambda c: c.images.edit(
            model="dall-e-2",
            image=("image.png", png, "image/png"),
            mask=("image.png", mask_png, "image/png"),
            n=1,
            **fields,
        )
    )
    t = provider.translate(make_call("dall-e-2", "edit", images=[png], mask=mask_png, **fields))
    assert_same_multipart(seen, t)


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the SDK marks it retired
async def test_variation(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    seen = await oracle.run(
        lambda c: c.images.create_variation(
            model="dall-e-2",
            image=("image.png", png, "image/png"),
            n=2,
            size="512x512",
            response_format="b64_json",
            user="u2",
        )
    )
    t = provider.translate(
        make_call(
            "dall-e-2",
            "variation",
            n=2,
            images=[png],
            size="512x512",
            response_format="b64_json",
            user="u2",
        )
    )
    assert (seen.method, seen.path) == ("POST", "/v1/images/variations")
    assert_same_multipart(seen, t)


async def test_oracle_notices_a_difference(
    oracle: Oracle, provider: OpenAIProvider, make_call: Any, png: bytes
) -> None:
    """The comparison is not vacuous: a different quality makes it fail."""
    seen = await oracle.run(
        lambda c: c.images.edit(
            model="gpt-image-1", image=("image.png", png, "image/png"), prompt="x", quality="low"
        )
    )
    t = provider.translate(
        make_call("gpt-image-1", "edit", images=[png], prompt="x", quality="high")
    )
    with pytest.raises(AssertionError):
        assert_same_multipart(seen, t)


@pytest.mark.parametrize("unset", [openai.NOT_GIVEN, openai.omit], ids=["NOT_GIVEN", "omit"])
def test_the_sdks_markers_for_an_argument_left_out_leave_it_out(unset: Any) -> None:
    """Code written for the SDK passes ``openai.NOT_GIVEN`` or ``openai.omit`` for arguments it
    leaves out (``def draw(size=NOT_GIVEN)``): limner leaves them out too, as the SDK does."""
    import io

    from PIL import Image

    import limner

    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    with limner.Client(environ={}) as client:
        left_out: dict[str, Any] = {  # typed as the SDK's parameters are, not limner's
            "size": unset,
            "quality": unset,
            "partial_images": unset,
            "timeout": unset,
            "extra_body": unset,
        }
        plan = client.images.generate(
            model="openai/gpt-image-2", prompt="a fox", dry_run=True, **left_out
        )
        edit = client.images.edit(
            model="openai/gpt-image-2",
            prompt="a hat",
            image=png.getvalue(),
            dry_run=True,
            **{"mask": unset, "extra_body": {"future": unset}},
        )
    assert plan.requests[0]["json"] == {"model": "gpt-image-2", "prompt": "a fox", "n": 1}
    assert plan.adjustments == []
    assert [part["field"] for part in edit.requests[0]["files"]] == ["image"]
    assert "future" not in edit.requests[0]["form"]


@pytest.mark.parametrize("unset", [openai.NOT_GIVEN, openai.omit], ids=["NOT_GIVEN", "omit"])
def test_a_header_set_to_the_sdks_marker_is_left_out(unset: Any) -> None:
    """``extra_headers={"X-Trace": openai.omit}`` leaves the header out in the SDK; limner
    refused it ("extra_headers.X-Trace: Input should be a valid string")."""
    import limner

    with limner.Client(environ={}) as client:
        plan = client.images.generate(
            model="openai/gpt-image-2",
            prompt="a fox",
            dry_run=True,
            extra_headers={"X-Trace": unset, "X-Kept": "1"},
        )
        nested = client.images.generate(  # extra_body's extra_headers are the argument
            model="openai/gpt-image-2",
            prompt="a fox",
            dry_run=True,
            extra_body={"extra_headers": {"X-Trace": unset}},
        )
    assert plan.requests[0]["headers"]["x-kept"] == "1"
    assert "x-trace" not in plan.requests[0]["headers"]
    assert "x-trace" not in nested.requests[0]["headers"]


def test_unsendable_text_in_a_multipart_edit_is_named_before_the_call() -> None:
    """A lone surrogate in a form field was a bare TypeError from the HTTP library at send
    time; it is the caller's field to fix, named before anything is sent."""
    import io

    from PIL import Image

    import limner

    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    with limner.Client(environ={"OPENAI_API_KEY": "sk-test-0123456789abcdef"}) as client:
        for fields, param in (
            ({"user": "y\ud800"}, "user"),
            ({"extra_body": {"foo": "y\udc00"}}, "foo"),
        ):
            for dry_run in (True, False):
                with pytest.raises(limner.InvalidRequestError) as caught:
                    client.images.edit(
                        model="openai/gpt-image-2",
                        prompt="x",
                        image=png.getvalue(),
                        dry_run=dry_run,
                        **fields,
                    )
                assert caught.value.param == param
