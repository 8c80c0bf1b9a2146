"""Images through the gateway with the official OpenAI SDK as the client: generate, edit
(multipart with a mask, several images, JSON with data URLs and with an uploaded file id),
variations, and ``response_format=url``."""

from __future__ import annotations

import base64
import errno
import json
from pathlib import Path
from typing import Any

import aiohttp
import openai
import pytest
from aiohttp import web
from jsonschema import Draft202012Validator
from openai.types import ImagesResponse

from ..core.jobsprovider import KEY as JOBS_KEY, Jobs, JobsPlugin
from ..core.support import IMAGE, FakeServer, Recorded, ok_body
from ..plugins.openai.test_openai_pricing import SVG_ANSWER_FIELDS
from .conftest import MakeGateway
from .support import GATEWAY_KEY, UPSTREAM_KEY, Gateway, data_url, png


async def test_generate_returns_openai_images_with_cost(
    gateway: Gateway, server: FakeServer
) -> None:
    sdk = gateway.sdk()
    result = await sdk.images.generate(
        model="openai/gpt-image-1", prompt="a lighthouse", n=2, quality="low", size="1024x1024"
    )
    assert [base64.b64decode(item.b64_json or "") for item in result.data or []] == [IMAGE, IMAGE]
    extra = result.model_extra or {}
    assert extra["provider"] == "openai" and extra["model"] == "openai/gpt-image-1"
    assert isinstance(extra["cost"], float) and extra["cost"] > 0
    (call,) = server.api_calls
    assert call.path == "/v1/images/generations"
    assert call.json["model"] == "gpt-image-1" and call.json["n"] == 2
    # The provider credential is the gateway's; the client's gateway key never goes upstream.
    assert call.headers["authorization"] == f"Bearer {UPSTREAM_KEY}"
    assert GATEWAY_KEY not in json.dumps(call.headers)
    assert UPSTREAM_KEY not in result.model_dump_json()


async def test_bare_model_name_and_adjustments_come_back(gateway: Gateway) -> None:
    result = await gateway.sdk().images.generate(model="dall-e-3", prompt="a fox", size="1536x1024")
    adjustments = (result.model_extra or {})["adjustments"]
    assert {"param": "size", "requested": "1536x1024", "applied": "1792x1024"}.items() <= (
        adjustments[0].items()
    )


IMAGES_SPEC = (
    Path(__file__).resolve().parents[1] / "plugins/openai/data/specs/images-subset.openapi.json"
)


def _spec_errors(body: dict[str, Any]) -> list[str]:
    """What OpenAI's spec finds wrong in an image answer (``ImagesResponse``)."""
    components = json.loads(IMAGES_SPEC.read_text())["components"]
    root = {"$ref": "#/components/schemas/ImagesResponse", "components": components}
    return [error.message for error in Draft202012Validator(root).iter_errors(body)]


async def _generated(gateway: Gateway, **fields: Any) -> dict[str, Any]:
    """The answer's JSON as the gateway sent it, the OpenAI SDK asking."""
    raw = await gateway.sdk().images.with_raw_response.generate(**fields)
    body: dict[str, Any] = json.loads(raw.content)
    return body


async def test_values_outside_openais_enums_are_answered_in_outside_spec(
    gateway: Gateway,
) -> None:
    """A size, quality, format or background OpenAI's image response does not list (clients
    generated from its spec refuse it) is said in ``outside_spec`` instead, not lost."""
    body = await _generated(
        gateway, model="openai/dall-e-3", prompt="a fox", quality="hd", size="1792x1024"
    )
    assert _spec_errors(body) == []
    assert "size" not in body and "quality" not in body
    assert body["output_format"] == "png"
    assert body["outside_spec"] == {"size": "1792x1024", "quality": "hd"}
    # no quality asked for: the model's own default, as the Python API says it
    body = await _generated(gateway, model="openai/gpt-image-1", prompt="a fox")
    assert _spec_errors(body) == []
    assert body["outside_spec"] == {"size": "4x4", "quality": "auto"}


OTHER_FIELDS: dict[str, Any] = SVG_ANSWER_FIELDS  # (an SVG answer's)


async def test_the_providers_other_fields_reach_the_openai_sdk_as_openai_sent_them(
    gateway: Gateway, server: FakeServer
) -> None:
    """OpenAI's ``svg_usage`` and ``safety_identifier`` (typed in the SDK's ImagesResponse) and
    an image's ``generation_id`` were dropped; a provider's ``outside_spec`` is the gateway's
    field's name, so it is left out, and said."""

    async def answer(recorded: Recorded) -> web.StreamResponse:
        body = ok_body(1, **OTHER_FIELDS, outside_spec={"size": "spoofed"})
        body["data"][0]["generation_id"] = "gen_7"
        return web.json_response(body)

    server.reply(answer)
    result = await gateway.sdk().images.generate(model="openai/gpt-image-1", prompt="a fox")
    assert result.safety_identifier == "user-42"
    assert result.svg_usage is not None
    assert result.svg_usage.model_dump() == OTHER_FIELDS["svg_usage"]
    assert result.data is not None and result.data[0].model_extra == {"generation_id": "gen_7"}
    extra = result.model_extra or {}
    assert extra["outside_spec"] == {"size": "4x4", "quality": "auto"}  # the gateway's
    assert {
        "code": "field_kept_out",
        "message": "the provider's answer also held 'outside_spec', left out of this answer, "
        "where the gateway's own field has that name",
    } in extra["warnings"]


async def test_values_within_openais_enums_stay_in_their_fields(
    gateway: Gateway, server: FakeServer
) -> None:
    async def answer(recorded: Recorded) -> web.StreamResponse:
        said = {"size": "1024x1536", "quality": "high", "background": "opaque"}
        return web.json_response({**ok_body(1), **said, "output_format": "jpeg"})

    server.reply(answer)
    body = await _generated(gateway, model="openai/gpt-image-1", prompt="a fox")
    assert _spec_errors(body) == []
    assert "outside_spec" not in body
    shape = {name: body[name] for name in ("size", "quality", "background", "output_format")}
    assert shape == {
        "size": "1024x1536",
        "quality": "high",
        "background": "opaque",
        "output_format": "jpeg",
    }


async def test_response_format_url_stores_the_image_on_the_gateway(
    gateway: Gateway, server: FakeServer
) -> None:
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", response_format="url"
    )
    (item,) = result.data or []
    assert item.b64_json is None and item.url is not None
    assert item.url.startswith(f"{gateway.base_url}/files/file-")
    assert "response_format" not in json.dumps((result.model_extra or {})["adjustments"])
    assert "response_format" not in server.api_calls[0].json  # gpt-image rejects the field
    async with aiohttp.ClientSession() as session:
        # The signed URL opens without the API key, like OpenAI's own image URLs...
        async with session.get(item.url) as response:
            assert response.status == 200
            assert response.content_type == "image/png"
            assert await response.read() == IMAGE
        # ...but a tampered signature does not, whatever its text.
        for forged in ("0000", "%C3%A9", "%00"):
            async with session.get(item.url[:-4] + forged) as response:
                assert response.status == 401


async def test_an_svg_is_stored_as_svg_and_served_inert(
    gateway: Gateway, server: FakeServer
) -> None:
    """A model's SVG (gpt-image-2.6) comes back as a link to image/svg+xml, served so that no
    script in it runs on the gateway's origin."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    async def answer(recorded: Recorded) -> web.StreamResponse:
        body = {"created": 1, "data": [{"b64_json": base64.b64encode(svg).decode()}]}
        return web.json_response({**body, "output_format": "svg"})

    server.reply(answer)
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-2.6-flare",
        prompt="a logo",
        output_format="svg",
        response_format="url",
    )
    (item,) = result.data or []
    assert item.url is not None
    async with aiohttp.ClientSession() as session, session.get(item.url) as response:
        assert response.status == 200
        assert response.content_type == "image/svg+xml"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in response.headers["content-security-policy"]
        assert await response.read() == svg


@pytest.mark.parametrize("failure", ["full", "share_full", "too_large", "store_failed"])
async def test_a_store_that_cannot_keep_an_image_answers_it_as_data(
    gateway: Gateway,
    server: FakeServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    """A store another key filled, an image over its max_file_bytes, or a store that fails (a
    full disk, a third-party store's outage): the images were made and paid for, so they come
    back as b64_json with an adjustment saying why, not as a 503, a 413 naming a 'file' never
    sent or a 500. The store's own failure is logged for the operator, not shown to the caller."""
    if failure == "full":
        gateway.store.max_total_bytes = 0
    elif failure == "share_full":  # this key's share, not the store: said as that
        gateway.store.max_owner_bytes = 0
    elif failure == "too_large":
        gateway.store.max_file_bytes = 10
    else:

        async def disk_full(*args: Any, **kwargs: Any) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(gateway.store, "put", disk_full)
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", response_format="url"
    )
    (item,) = result.data or []
    assert item.url is None and base64.b64decode(item.b64_json or "") == IMAGE
    (adjustment,) = (result.model_extra or {})["adjustments"]
    assert adjustment["param"] == "response_format" and adjustment["applied"] == "b64_json"
    why = {
        "full": "the gateway's file store is full",
        "share_full": "this key's files hold 0 bytes of the 0 one key may keep",
        "too_large": "an image is larger than the gateway's file store takes (max_file_bytes)",
        "store_failed": "the gateway's file store failed (its log says why)",
    }[failure]
    assert adjustment["reason"] == (
        f"{why}, so image(s) it could not keep are returned as b64_json: they were made and "
        "paid for"
    )
    assert "No space left" not in str(result.model_dump())
    logged = [r for r in caplog.records if r.name == "limner.gateway" and r.exc_info]
    assert len(logged) == (failure == "store_failed")
    assert len(server.api_calls) == 1


async def test_an_edit_mode_that_takes_no_prompt_may_leave_it_out(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    """Stability's remove-background takes no prompt (capabilities.edit_modes_without_prompt):
    a JSON edit without one goes through; one that needs a prompt is refused, naming it."""
    stability = {"api_key": "sk-stability-0123456789", "base_url": server.url}
    gateway = await make_gateway(providers={"stability": stability})
    answer = {"image": base64.b64encode(png(64, 64)).decode(), "finish_reason": "SUCCESS"}
    server.reply(web.json_response(answer))
    body = {
        "model": "stabilityai/sd3.5-large",
        "images": [{"image_url": data_url(png(64, 64))}],
        "edit_mode": "remove-background",
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{gateway.base_url}/images/edits", json=body) as response:
            assert response.status == 200, await response.text()
        (call,) = server.requests
        assert call.path.endswith("/edit/remove-background") and "prompt" not in call.form
        del body["edit_mode"]
        async with session.post(f"{gateway.base_url}/images/edits", json=body) as response:
            refused = await response.json()
    assert response.status == 400
    assert (refused["error"]["param"], refused["error"]["code"]) == (
        "prompt",
        "missing_required_parameter",
    )


async def test_edit_multipart_with_a_mask(gateway: Gateway, server: FakeServer) -> None:
    image, mask = png(8, 8), png(8, 8, alpha=0)
    result = await gateway.sdk().images.edit(
        model="openai/gpt-image-1",
        prompt="add a moon",
        image=("photo.png", image, "image/png"),
        mask=("mask.png", mask, "image/png"),
        size="1024x1024",
    )
    assert base64.b64decode((result.data or [])[0].b64_json or "") == IMAGE
    (call,) = server.api_calls
    assert call.path == "/v1/images/edits"
    assert call.form["prompt"] == "add a moon" and call.form["model"] == "gpt-image-1"
    assert [(name, size) for name, _, _, size in call.files] == [
        ("image", len(image)),
        ("mask", len(mask)),
    ]


async def test_edit_multipart_with_a_markup(gateway: Gateway, server: FakeServer) -> None:
    """The SDK's markup file (a drawing over the first image) reaches the provider as one."""
    image, markup = png(8, 8), png(8, 8, alpha=0)
    await gateway.sdk().images.edit(
        model="openai/gpt-image-2.5-sunburst",
        prompt="follow the arrows",
        image=("photo.png", image, "image/png"),
        markup=("markup.png", markup, "image/png"),
    )
    (call,) = server.api_calls
    assert [(name, filename, size) for name, filename, _, size in call.files] == [
        ("image", "photo.png", len(image)),
        ("markup", "markup.png", len(markup)),
    ]
    with pytest.raises(openai.BadRequestError) as caught:  # a model that takes none
        await gateway.sdk().images.edit(
            model="openai/gpt-image-2",
            prompt="follow the arrows",
            image=("photo.png", image, "image/png"),
            markup=("markup.png", markup, "image/png"),
        )
    assert caught.value.param == "markup" and len(server.api_calls) == 1


async def test_the_sdks_safety_identifier_and_partial_images(
    gateway: Gateway, server: FakeServer
) -> None:
    """The openai SDK's own arguments, as an unchanged client sends them (JSON, and the
    multipart edit's text): safety_identifier reaches OpenAI, partial_images (streaming only)
    is reported as not sent."""
    fields: dict[str, Any] = {"safety_identifier": "sid-1", "partial_images": 2}
    generated = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", **fields
    )
    edited = await gateway.sdk().images.edit(
        model="openai/gpt-image-1",
        prompt="add a moon",
        image=("photo.png", png(8, 8), "image/png"),
        **fields,
    )
    generate, edit = server.api_calls
    assert generate.json == {
        "model": "gpt-image-1",
        "prompt": "a fox",
        "n": 1,
        "safety_identifier": "sid-1",
    }
    assert edit.form == {
        "model": "gpt-image-1",
        "prompt": "add a moon",
        "n": "1",
        "safety_identifier": "sid-1",
    }
    for result in (generated, edited):
        assert (result.model_extra or {})["adjustments"] == [
            {
                "param": "partial_images",
                "requested": 2,
                "reason": "OpenAI sends partial images only in a streamed response, and limner "
                "does not stream images",
            }
        ]


async def test_edit_multipart_with_several_images(gateway: Gateway, server: FakeServer) -> None:
    first, second = png(8, 8), png(16, 16)
    await gateway.sdk().images.edit(
        model="openai/gpt-image-1",
        prompt="combine",
        image=[("a.png", first, "image/png"), ("b.png", second, "image/png")],
    )
    sizes = [size for name, _, _, size in server.api_calls[0].files if name.startswith("image")]
    assert sizes == [len(first), len(second)]


async def test_an_edits_adjustments_name_the_images_as_the_request_did(
    gateway: Gateway, server: FakeServer
) -> None:
    """A GIF is converted for the model: the form's files are ``image``, so the adjustment says
    ``image[1]``, as an error about it does; in JSON they are ``images``."""
    import io

    from PIL import Image

    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    form = await gateway.sdk().images.edit(
        model="openai/gpt-image-1",
        prompt="combine",
        image=[("a.png", png(8, 8), "image/png"), ("b.gif", gif.getvalue(), "image/gif")],
    )
    as_json = await gateway.sdk().post(
        "/images/edits",
        body={
            "model": "openai/gpt-image-1",
            "prompt": "combine",
            "images": [{"image_url": data_url(png(8, 8))}, {"image_url": data_url(gif.getvalue())}],
        },
        cast_to=ImagesResponse,
    )
    for result, param in ((form, "image[1]"), (as_json, "images[1]")):
        adjustments = (result.model_extra or {})["adjustments"]
        assert [(a["param"], a["requested"], a["applied"]) for a in adjustments] == [
            (param, "image/gif", "image/png")
        ]


async def test_edit_json_with_data_urls(gateway: Gateway, server: FakeServer) -> None:
    image = png(8, 8)
    result = await gateway.sdk().post(
        "/images/edits",
        body={
            "model": "openai/gpt-image-1",
            "prompt": "add a moon",
            "images": [{"image_url": data_url(image)}],
            "mask": {"image_url": data_url(png(8, 8, alpha=0))},
        },
        cast_to=ImagesResponse,
    )
    assert base64.b64decode((result.data or [])[0].b64_json or "") == IMAGE
    (call,) = server.api_calls
    assert call.path == "/v1/images/edits"
    assert ("image", len(image)) in [(name, size) for name, _, _, size in call.files]
    assert any(name == "mask" for name, *_ in call.files)


async def test_edit_json_with_an_uploaded_file_id(gateway: Gateway, server: FakeServer) -> None:
    sdk = gateway.sdk()
    image = png(12, 12)
    uploaded = await sdk.files.create(file=("photo.png", image, "image/png"), purpose="vision")
    assert uploaded.id.startswith("file-") and uploaded.bytes == len(image)
    assert uploaded.purpose == "vision" and uploaded.filename == "photo.png"
    await sdk.post(
        "/images/edits",
        body={
            "model": "openai/gpt-image-1",
            "prompt": "make it blue",
            "images": [{"file_id": uploaded.id}],
        },
        cast_to=ImagesResponse,
    )
    (call,) = server.api_calls
    # The gateway's file id is resolved to its bytes; it never goes upstream as an id.
    assert [(name, size) for name, _, _, size in call.files] == [("image", len(image))]


async def test_a_file_named_many_times_is_read_once(
    gateway: Gateway, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small body naming one large stored file 16 times held 16 copies of it: the file is
    read once."""
    sdk = gateway.sdk()
    image = png(12, 12)
    uploaded = await sdk.files.create(file=("photo.png", image, "image/png"), purpose="vision")
    reads: list[str] = []
    real_read = gateway.store.read

    async def counted(file_id: str) -> Any:
        reads.append(file_id)
        return await real_read(file_id)

    monkeypatch.setattr(gateway.store, "read", counted)
    await sdk.post(
        "/images/edits",
        body={
            "model": "openai/gpt-image-1",
            "prompt": "make it blue",
            "images": [{"file_id": uploaded.id}] * 16,
        },
        cast_to=ImagesResponse,
    )
    assert reads == [uploaded.id]
    (call,) = server.api_calls
    assert [size for _, _, _, size in call.files] == [len(image)] * 16


async def test_edit_json_refuses_unknown_file_ids_and_ambiguous_entries(
    gateway: Gateway, server: FakeServer
) -> None:
    sdk = gateway.sdk()
    body = {
        "model": "openai/gpt-image-1",
        "prompt": "x",
        "images": [{"file_id": "file-" + "0" * 32}],
    }
    try:
        await sdk.post("/images/edits", body=body, cast_to=ImagesResponse)
        raise AssertionError("expected a 404")
    except openai.NotFoundError as exc:
        assert exc.status_code == 404 and exc.code == "file_not_found"
    body["images"] = [{"file_id": "file-x", "image_url": data_url(png())}]
    try:
        await sdk.post("/images/edits", body=body, cast_to=ImagesResponse)
        raise AssertionError("expected a 400")
    except openai.BadRequestError as exc:
        assert "exactly one of 'file_id' or 'image_url'" in exc.message
    assert server.api_calls == []


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the SDK marks dall-e-2
async def test_create_variation(gateway: Gateway, server: FakeServer) -> None:
    image = png(8, 8)
    result = await gateway.sdk().images.create_variation(
        model="openai/dall-e-2", image=("photo.png", image, "image/png"), n=2, size="256x256"
    )
    assert len(result.data or []) == 2
    (call,) = server.api_calls
    assert call.path == "/v1/images/variations"
    assert call.form["n"] == "2" and call.form["size"] == "256x256"
    assert [(name, size) for name, _, _, size in call.files] == [("image", len(image))]


async def test_form_fields_nest_and_numbers_convert(gateway: Gateway, server: FakeServer) -> None:
    await gateway.sdk().images.edit(
        model="openai/gpt-image-1",
        prompt="x",
        image=("a.png", png(), "image/png"),
        n=3,
        extra_body={"provider_options": {"openai": {"input_fidelity": "high"}}},
    )
    form = server.api_calls[0].form
    assert form["n"] == "3" and form["input_fidelity"] == "high"


@pytest.mark.parametrize(
    "entry",
    [
        "/etc/passwd",
        {"image_url": "/etc/passwd"},
        {"image_url": "file:///etc/passwd"},
        {"image_url": {"url": "/etc/hostname"}},
    ],
)
async def test_edit_json_never_reads_the_servers_disk(
    gateway: Gateway, server: FakeServer, entry: object
) -> None:
    sdk = gateway.sdk()
    body = {"model": "openai/gpt-image-1", "prompt": "x", "images": [entry]}
    with pytest.raises(openai.BadRequestError) as info:
        await sdk.post("/images/edits", body=body, cast_to=ImagesResponse)
    assert info.value.status_code == 400
    assert "images[0]" in info.value.message
    assert info.value.code == "invalid_image_reference"
    assert server.api_calls == []


async def test_edit_multipart_text_field_is_not_a_server_path(
    gateway: Gateway, server: FakeServer
) -> None:
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("model", "openai/gpt-image-1")
    form.add_field("prompt", "x")
    form.add_field("image", "/etc/passwd")
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{gateway.base_url}/images/edits",
            data=form,
            headers={"authorization": f"Bearer {GATEWAY_KEY}"},
        )
        body = await response.json()
    assert response.status == 400
    assert body["error"]["param"] == "image"
    assert body["error"]["code"] == "invalid_image_reference"
    assert server.api_calls == []


async def test_a_field_set_to_null_is_unset(gateway: Gateway, server: FakeServer) -> None:
    """null means unset, as in OpenAI's API: limner's fields, its other operations' fields,
    forwarded fields and the SDKs' client options alike are neither refused, reported nor
    sent."""
    nulls = {
        "quality": None,
        "image": None,
        "mask": None,
        "input_fidelity": None,
        "partial_images": None,
        "dry_run": None,
        "extra_body": None,
        "timeout": None,
    }
    result = await gateway.sdk().images.generate(
        model="openai/gpt-image-1", prompt="a fox", extra_body=nulls
    )
    assert (result.model_extra or {})["adjustments"] == []
    (call,) = server.api_calls
    assert call.json == {"model": "gpt-image-1", "prompt": "a fox", "n": 1}


@pytest.mark.parametrize(
    ("route", "fields"),
    [
        ("/images/generations", {"max_retries": 1_000_000}),
        ("/images/generations", {"timeout": 86_400}),
        ("/chat/completions", {"timeout": 1}),
    ],
)
async def test_a_clients_limits_in_the_body_are_refused(
    gateway: Gateway, server: FakeServer, route: str, fields: dict[str, object]
) -> None:
    """The Python client takes timeout and max_retries per call; a gateway client may not set
    them: they would multiply the upstream calls the operator pays for, or outlast the
    gateway's own limits."""
    body: dict[str, object] = {"model": "openai/gpt-image-1", "prompt": "a fox", **fields}
    if route == "/chat/completions":
        messages = [{"role": "user", "content": "a fox"}]
        body = {"model": "google/gemini-2.5-flash-image", "messages": messages, **fields}
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{gateway.base_url}{route}",
            json=body,
            headers={"authorization": f"Bearer {GATEWAY_KEY}"},
        )
        refused = await response.json()
    (name,) = fields
    assert response.status == 400
    assert refused["error"]["param"] == name
    assert f"limner serve --{name.replace('_', '-')}" in refused["error"]["message"]
    assert server.api_calls == []


async def test_a_job_polled_to_the_end_answers_the_sdk_with_its_image(
    make_gateway: MakeGateway, server: FakeServer
) -> None:
    server.reply(Jobs(server, polls=1))
    gateway = await make_gateway(
        plugins=[JobsPlugin()],
        providers={"jobs": {"api_key": JOBS_KEY, "base_url": f"{server.url}/v1"}},
    )
    result = await gateway.sdk().images.generate(
        model="jobs/flux-test", prompt="x", response_format="b64_json"
    )
    assert result.data is not None and len(result.data) == 1
    assert base64.b64decode(result.data[0].b64_json or "") == server.files["/files/a.png"]
    assert [r.method for r in server.api_calls] == ["POST", "GET", "GET"]


def test_an_image_url_whose_certificate_does_not_verify_gives_the_client_no_operators_advice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SSL_CERT_FILE is the gateway machine's to set: the client hears that the site's
    certificate did not verify, and the log keeps the advice for the operator."""
    import json as json_module

    import limner
    from limner.exchange_failures import TLS_ADVICE
    from limner.gateway.errors import error_response
    from limner.redaction import Scrubber

    said = "images[0]: could not download https://a.example/x.png: its TLS certificate could not "
    error = limner.ProviderConnectionError(
        f"{said}be verified (expired); {TLS_ADVICE}",
        param="images[0]",
        code="certificate_verify_failed",
    )
    with caplog.at_level("WARNING", logger="limner.gateway"):
        answer = error_response(error, Scrubber(()))
    assert answer.status == 400 and answer.body is not None
    body = json_module.loads(bytes(answer.body))["error"]  # type: ignore[arg-type]
    assert body["message"] == f"{said}be verified (expired)"
    assert (body["param"], body["code"]) == ("images[0]", "certificate_verify_failed")
    assert TLS_ADVICE in caplog.text


def test_a_kept_links_adjustment_gives_the_client_no_operators_tls_advice() -> None:
    from limner.exchange_failures import TLS_ADVICE
    from limner.gateway.answers import answer
    from limner.redaction import Scrubber

    reason = "data[0].url: could not download https://a.example/x.png: its TLS certificate could "
    body = {
        "adjustments": [{"param": "response_format", "reason": f"{reason}; {TLS_ADVICE}; kept"}]
    }
    sent = answer(body, None, Scrubber(()))
    assert sent.body is not None and TLS_ADVICE.encode() not in bytes(sent.body)  # type: ignore[arg-type]
    assert b"could not download" in bytes(sent.body)  # type: ignore[arg-type]


def test_a_provider_setting_an_upstream_answer_blames_is_the_operators_503() -> None:
    """Clients send no providers.* setting: Bedrock refusing the model in the gateway's region
    is the operator's to fix, not the client's 400."""
    import limner
    from limner.gateway.errors import error_response
    from limner.redaction import Scrubber

    error = limner.InvalidRequestError(
        "model identifier is invalid", param="providers.amazon.region", status_code=400
    )
    assert error_response(error, Scrubber(())).status == 503
