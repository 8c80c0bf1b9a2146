"""Request bodies the gateway must refuse with a 400 before any upstream call (never a 500, never
a server path), and the form values the OpenAI SDK sends as text."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ..core.support import FakeServer
from .support import GATEWAY_KEY, Gateway, png

AUTH = {"authorization": f"Bearer {GATEWAY_KEY}"}


async def post(
    gateway: Gateway, path: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        url = f"{gateway.base_url}{path}"
        response = await session.post(url, headers={**AUTH, **(headers or {})}, **kwargs)
        return response.status, await response.json()


def form(*fields: tuple[str, str], image: bool = True) -> aiohttp.FormData:
    data = aiohttp.FormData(default_to_multipart=True)
    for name, value in fields:
        data.add_field(name, value)
    if image:
        data.add_field("image", png(), filename="a.png", content_type="image/png")
    return data


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/images/edits", "json"),
        ("/images/edits", "multipart"),
        ("/images/variations", "multipart"),
        ("/images/generations", "json"),
        ("/chat/completions", "json"),
    ],
)
async def test_extra_body_cannot_slip_fields_past_the_checks(
    gateway: Gateway, server: FakeServer, tmp_path: Path, path: str, body: str
) -> None:
    """extra_body is merged by the SDKs themselves; nested in a body it would carry a server
    path (or n, or another model) past the gateway's checks into the Python client."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    sneak = {"images": [str(secret)], "image": str(secret), "n": 5, "model": "openai/dall-e-3"}
    if body == "json":
        payload: dict[str, Any] = {
            "model": "openai/gpt-image-1",
            "prompt": "x",
            "extra_body": sneak,
        }
        if path == "/chat/completions":
            payload["messages"] = [{"role": "user", "content": "x"}]
        if path == "/images/edits":
            payload["images"] = [{"image_url": f"data:image/png;base64,{png().hex()}"}]
        status, answer = await post(gateway, path, json=payload)
    else:
        status, answer = await post(
            gateway,
            path,
            data=form(
                ("model", "openai/dall-e-2"), ("prompt", "x"), ("extra_body[image]", str(secret))
            ),
        )
    assert status == 400
    assert answer["error"]["param"] == "extra_body"
    assert server.api_calls == []


@pytest.mark.parametrize(
    ("path", "payload", "param"),
    [
        ("/images/generations", {"model": "openai/gpt-image-1", "prompt": "x", "self": 1}, "self"),
        (
            "/chat/completions",
            {
                "model": "google/gemini-2.5-flash-image",
                "messages": [{"role": "user", "content": "x"}],
                "self": 1,
            },
            "self",
        ),
        (
            "/images/edits",
            {
                "model": "openai/gpt-image-1",
                "prompt": "x",
                "images": [{"image_url": "https://example.com/a.png"}],
                "image": "https://example.com/b.png",
            },
            "image",
        ),
    ],
)
async def test_names_the_client_takes_itself_are_refused(
    gateway: Gateway, server: FakeServer, path: str, payload: dict[str, Any], param: str
) -> None:
    status, answer = await post(gateway, path, json=payload)
    assert (status, answer["error"]["param"]) == (400, param)
    assert server.api_calls == []


def multipart(*parts: bytes, boundary: str = "BND") -> tuple[bytes, dict[str, str]]:
    return b"".join(parts) + b"--BND--\r\n", {
        "content-type": f"multipart/form-data; boundary={boundary}"
    }


FIELD = b'--BND\r\nContent-Disposition: form-data; name="model"\r\n\r\nopenai/gpt-image-1\r\n'


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        multipart(FIELD, b'--BND\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n\xff\r\n'),
        multipart(
            FIELD,
            b'--BND\r\nContent-Disposition: form-data; name="prompt"\r\n'
            b"Content-Type: text/plain; charset=bogus-xx\r\n\r\nx\r\n",
        ),
        multipart(FIELD, boundary="OTHER"),
        multipart(FIELD, b"--BND\r\nContent-Disposition: form-data\r\n\r\nno name\r\n"),
        (b"hello", {"content-type": "multipart/form-data"}),
        multipart(FIELD, b"--BND\r\nBad Header\r\n\r\nx\r\n"),
        multipart(
            FIELD,
            b'--BND\r\nContent-Disposition: form-data; name="prompt"\r\n'
            b"Content-Transfer-Encoding: x-weird\r\n\r\nx\r\n",
        ),
    ],
    ids=[
        "not-utf8",
        "unknown-charset",
        "wrong-boundary",
        "no-name",
        "no-boundary",
        "bad-header",
        "unknown-transfer-encoding",
    ],
)
async def test_a_malformed_multipart_body_is_a_400(
    gateway: Gateway, server: FakeServer, body: bytes, headers: dict[str, str]
) -> None:
    status, answer = await post(gateway, "/images/edits", data=body, headers=headers)
    assert (status, answer["error"]["code"]) == (400, "invalid_multipart")
    assert server.api_calls == []


@pytest.mark.parametrize("name", [b"a\xff.png", "\u00e9t\u00e9.png".encode("latin-1")])
async def test_a_file_name_that_is_not_utf8_is_sent_without_its_undecodable_bytes(
    gateway: Gateway, server: FakeServer, name: bytes
) -> None:
    """It reached the upstream request as lone surrogates, which no header can encode: a 500."""
    image = (
        b'--BND\r\nContent-Disposition: form-data; name="image"; filename="' + name + b'"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png() + b"\r\n"
    )
    prompt = b'--BND\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nhat\r\n'
    body, headers = multipart(FIELD, prompt, image)
    status, answer = await post(gateway, "/images/edits", data=body, headers=headers)
    assert status == 200, answer
    [call] = server.api_calls
    [(field, filename, _, _)] = call.files
    assert field == "image" and filename.endswith(".png")
    filename.encode("utf-8")  # sendable


async def test_json_nested_too_deeply_is_a_400(
    gateway: Gateway, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    headers = {"content-type": "application/json"}
    status, answer = await post(gateway, "/images/generations", data=deep, headers=headers)
    assert (status, answer["error"]["code"]) == (400, "invalid_json")
    # Python 3.12's parser reads about ten thousand levels, deeper than the walk after it
    # (a 500 and a thousand-line traceback on 3.13): as the walk overflows there
    from limner.gateway import bodies

    def overflows(body: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(bodies, "refuse_unsendable", overflows)
    body = b'{"model": "fake/alpha-1", "prompt": "x", "deep": [[[]]]}'
    status, answer = await post(gateway, "/images/generations", data=body, headers=headers)
    assert (status, answer["error"]["message"]) == (400, "the body's JSON is nested too deeply")
    assert server.api_calls == []


async def test_the_sdks_stream_false_form_field_is_a_boolean(
    gateway: Gateway, server: FakeServer
) -> None:
    """``sdk.images.edit(..., stream=False)`` sends the text ``false`` in the form."""
    edit = await gateway.sdk().images.edit(
        model="openai/gpt-image-1", prompt="x", image=("a.png", png(), "image/png"), stream=False
    )
    assert len(edit.data or []) == 1
    (call,) = server.api_calls
    assert call.path == "/v1/images/edits"


@pytest.mark.parametrize("value", ["false", "no", "off", "0", "False", 0, False])
async def test_a_false_stream_in_any_spelling_is_read_as_chat_reads_it(
    gateway: Gateway, server: FakeServer, value: Any
) -> None:
    """A JSON ``stream`` and a form's text are read as ``/v1/chat/completions`` reads them
    (pydantic's booleans): false, so set aside (not sent), not a refusal to stream."""
    generate = {"model": "openai/gpt-image-1", "prompt": "x", "stream": value}
    status, answer = await post(gateway, "/images/generations", json=generate)
    assert (status, answer["adjustments"]) == (200, [])
    edit = form(("model", "openai/gpt-image-1"), ("prompt", "x"), ("stream", str(value)))
    status, answer = await post(gateway, "/images/edits", data=edit)
    assert (status, answer["adjustments"]) == (200, [])
    generated, edited = server.api_calls
    assert (generated.path, "stream" in generated.json) == ("/v1/images/generations", False)
    assert (edited.path, "stream" in edited.form) == ("/v1/images/edits", False)


@pytest.mark.parametrize("value", ["true", "yes", "on", "1", 1])
async def test_a_true_stream_in_any_spelling_is_refused(
    gateway: Gateway, server: FakeServer, value: Any
) -> None:
    generate = {"model": "openai/gpt-image-1", "prompt": "x", "stream": value}
    edit = form(("model", "openai/gpt-image-1"), ("prompt", "x"), ("stream", str(value)))
    sent: list[tuple[str, dict[str, Any]]] = [
        ("/images/generations", {"json": generate}),
        ("/images/edits", {"data": edit}),
    ]
    for path, kwargs in sent:
        status, answer = await post(gateway, path, **kwargs)
        assert (status, answer["error"]["param"], answer["error"]["code"]) == (
            400,
            "stream",
            "streaming_not_supported",
        )
    assert server.api_calls == []


async def test_a_stream_that_is_no_boolean_is_a_400_naming_it(
    gateway: Gateway, server: FakeServer
) -> None:
    """Images and chat refuse it alike."""
    said = {
        "message": "stream: Input should be a valid boolean, unable to interpret input",
        "type": "invalid_request_error",
        "param": "stream",
        "code": "invalid_value",
    }
    generate = {"model": "openai/gpt-image-1", "prompt": "x", "stream": "maybe"}
    edit = form(("model", "openai/gpt-image-1"), ("prompt", "x"), ("stream", "maybe"))
    chat = {
        "model": "google/gemini-2.5-flash-image",
        "messages": [{"role": "user", "content": "x"}],
        "stream": "maybe",
    }
    sent: list[tuple[str, dict[str, Any]]] = [
        ("/images/generations", {"json": generate}),
        ("/images/edits", {"data": edit}),
        ("/chat/completions", {"json": chat}),
    ]
    for path, kwargs in sent:
        status, answer = await post(gateway, path, **kwargs)
        assert (status, answer) == (400, {"error": said}), path
    assert server.api_calls == []


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
async def test_a_number_json_has_no_spelling_for_is_a_400(
    gateway: Gateway, server: FakeServer, number: bytes
) -> None:
    """Python's json module reads NaN, Infinity and 1e999 (as infinity); JSON has none of them,
    and no provider could be sent them."""
    body = b'{"model": "openai/gpt-image-1", "prompt": "x", "tuning": ' + number + b"}"
    headers = {"content-type": "application/json"}
    status, answer = await post(gateway, "/images/generations", data=body, headers=headers)
    assert (status, answer["error"]["code"]) == (400, "invalid_json")
    assert server.api_calls == []


async def test_a_list_in_a_multipart_form_is_a_list(gateway: Gateway, server: FakeServer) -> None:
    """The SDKs flatten lists in a form as ``name[]`` fields, one per item."""
    await gateway.sdk().images.edit(
        model="openai/gpt-image-1",
        prompt="x",
        image=("a.png", png(), "image/png"),
        extra_body={"tags": ["a", "b"], "provider_options": {"openai": {"input_fidelity": "high"}}},
    )
    (call,) = server.api_calls  # before, the gateway refused the form ("list fields")
    assert "tags" not in call.form  # a list, sent item by item as the SDK sends it
    assert call.form["tags[]"] == "b"  # (the fake keeps a field's last value)
    assert call.form["input_fidelity"] == "high"


@pytest.mark.parametrize(
    "fields",
    [
        b'--BND\r\nContent-Disposition: form-data; name="tags[]"\r\n\r\na\r\n'
        b'--BND\r\nContent-Disposition: form-data; name="tags"\r\n\r\nb\r\n',
        b'--BND\r\nContent-Disposition: form-data; name="images[]"\r\n\r\n'
        b"https://example.com/a.png\r\n",
    ],
    ids=["list-then-value", "images-as-text-and-files"],
)
async def test_a_form_field_given_two_ways_is_refused(
    gateway: Gateway, server: FakeServer, fields: bytes
) -> None:
    """Neither may win silently: the value over the list, the files over the text images."""
    prompt = b'--BND\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n'
    image = (
        b'--BND\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png() + b"\r\n"
    )
    body, headers = multipart(FIELD, prompt, image, fields)
    status, answer = await post(gateway, "/images/edits", data=body, headers=headers)
    assert status == 400
    assert answer["error"]["param"] in ("tags", "images")
    assert server.api_calls == []


@pytest.mark.parametrize(("name", "value"), [("timeout", 1), ("max_retries", 0)])
async def test_the_clients_limits_are_not_request_fields(
    gateway: Gateway, server: FakeServer, name: str, value: int
) -> None:
    """The Python client takes them per call; through the gateway they are the operator's."""
    payload = {"model": "openai/gpt-image-1", "prompt": "x", name: value}
    status, answer = await post(gateway, "/images/generations", json=payload)
    assert status == 400 and answer["error"]["param"] == name
    flag = name.replace("_", "-")
    assert answer["error"]["message"] == (
        f"{name} is not a request field; this gateway's operator sets it for every request "
        f"(the {name} of the gateway's client: limner serve --{flag}, or "
        f"AsyncClient({name}=...) given to create_app)"
    )
    assert server.api_calls == []


async def test_an_image_part_without_a_filename_is_the_image(
    gateway: Gateway, server: FakeServer
) -> None:
    """A client that sends a file's bytes with a content type but no filename (some form
    libraries do) sends an image, not a URL to read as text."""
    prompt = b'--BND\r\nContent-Disposition: form-data; name="prompt"\r\n\r\nx\r\n'
    image = (
        b'--BND\r\nContent-Disposition: form-data; name="image"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png() + b"\r\n"
    )
    body, headers = multipart(FIELD, prompt, image)
    status, answer = await post(gateway, "/images/edits", data=body, headers=headers)
    assert status == 200, answer
    (call,) = server.api_calls
    assert [(name, size) for name, _, _, size in call.files] == [("image", len(png()))]


@pytest.mark.parametrize(
    ("path", "content_type", "code"),
    [
        ("/images/generations", "application/json", "invalid_json"),
        ("/chat/completions", "application/json", "invalid_json"),
        ("/images/edits", "multipart/form-data; boundary=BND", "invalid_multipart"),
        ("/files", "multipart/form-data; boundary=BND", "invalid_multipart"),
    ],
)
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_body_its_content_encoding_does_not_decode_is_a_400(
    gateway: Gateway, server: FakeServer, path: str, content_type: str, code: str, encoding: str
) -> None:
    headers = {"content-type": content_type, "content-encoding": encoding}
    status, answer = await post(gateway, path, data=b"abcde", headers=headers)
    assert (status, answer["error"]["code"]) == (400, code)
    assert answer["error"]["message"] == (
        f"the body does not decode as its Content-Encoding ('{encoding}') says; send it as that "
        "encoding makes it, or without Content-Encoding"
    )
    assert server.api_calls == []


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (
            b'{"model": "openai/gpt-image-1", "prompt": "a", "input_fidelity": {"\\ud800": 1}}',
            "input_fidelity.\ud800",
        ),
        (b'{"model": "openai/gpt-image-1", "prompt": "a", "style": ["\\udfff"]}', "style[0]"),
        (b'{"model": "stabilityai/sd3.5-large", "prompt": "a", "a\\nb": 1}', "a\nb"),
    ],
)
async def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_400_before_any_call(
    gateway: Gateway, server: FakeServer, body: bytes, param: str
) -> None:
    """Even in a field the model does not take: the answer's adjustment, which quotes what was
    asked, could not say it in JSON (the images were made, and lost behind a 500)."""
    headers = {"content-type": "application/json"}
    status, answer = await post(gateway, "/images/generations", data=body, headers=headers)
    assert (status, answer["error"]["param"]) == (400, param)
    assert server.api_calls == []


@pytest.mark.parametrize("name", ["image[0]", "image[1]", "image[]"])
async def test_an_image_part_named_with_an_index_is_the_image(
    gateway: Gateway, server: FakeServer, name: str
) -> None:
    """A file's bytes without a filename under an indexed name were read as a text field, and
    a variation answered 500 (KeyError)."""
    data = aiohttp.FormData(default_to_multipart=True)
    data.add_field("model", "openai/dall-e-2")
    data.add_field(name, png(), filename="", content_type="image/png")
    status, answer = await post(gateway, "/images/variations", data=data)
    assert status == 200, answer
    [call] = server.api_calls
    assert [part[0] for part in call.files] == ["image"]


@pytest.mark.parametrize(
    ("path", "key", "status"),
    [
        ("/v1/images/generations", GATEWAY_KEY, 400),  # read, and found undecodable
        ("/v1/images/generations", "wrong-key", 401),  # answered before the body is read
        ("/v1/no-such-route", GATEWAY_KEY, 404),
        ("/v1/models", GATEWAY_KEY, 405),
    ],
)
async def test_a_body_that_does_not_decode_closes_its_connection(
    gateway: Gateway, caplog: pytest.LogCaptureFixture, path: str, key: str, status: int
) -> None:
    """What is left of the body is still on the connection: a next request there would be
    read after it (a reset, mostly). The answer says ``Connection: close``, and the gateway
    closes it, without reading the rest (aiohttp logged that read's failure as an unhandled
    exception), also when it answers before reading the body."""
    host, port = gateway.origin.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = b"\x1f\x8b" + b"not gzip at all " * 4096
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: gw\r\n".encode()
        + f"Authorization: Bearer {key}\r\n".encode()
        + b"Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
        + b"GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n"  # pipelined: never read as one
    )
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 5)  # to the end: the gateway closes it
    writer.close()
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(f"http/1.1 {status} ".encode())
    assert b"\r\nconnection: close" in head
    assert answer.count(b"HTTP/1.1") == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
