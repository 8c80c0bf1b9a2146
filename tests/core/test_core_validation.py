"""Bad input fails with a typed error naming the parameter, before any HTTP call."""

from __future__ import annotations

import base64
import dataclasses
import io
from pathlib import Path
from typing import Any, ClassVar

import pydantic
import pytest
from PIL import Image

import limner
from limner.chat.schema import ChatRequest
from limner.images import InputImage
from limner.input_errors import param_path

from .support import IMAGE, IMAGE_B64, FakeServer, MakeClient, png

GOOD: dict[str, Any] = {"model": "fake/alpha-1", "prompt": "a fox"}


async def test_a_key_given_to_a_call_is_refused_not_sent_in_the_body(
    make_client: MakeClient,
) -> None:
    """The openai SDK's calls refuse ``api_key=``; forwarded as an unknown field, the key went
    to the provider in the body and was shown in dry runs."""
    for dry_run in (True, False):
        with pytest.raises(limner.InvalidRequestError) as caught:
            given = {**GOOD, "api_key": "sk-other-0123456789", "dry_run": dry_run}
            await make_client().images.generate(**given)
        assert caught.value.param == "api_key"
        assert "sk-other" not in str(caught.value)
        assert "providers={PROVIDER: {'api_key': ...}}" in caught.value.message


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"n": 0}, "n: must be at least 1 (got 0)"),
        ({"n": 11}, "n: must be at most 10 (got 11)"),
        ({"output_compression": 101}, "output_compression: must be at most 100 (got 101)"),
        (  # the field an aspect ratio goes in
            {"size": "16:9"},
            "size: '16:9' is not WIDTHxHEIGHT in pixels, such as 1024x1024, or auto; an aspect "
            "ratio goes in image_config.aspect_ratio",
        ),
    ],
)
async def test_a_value_out_of_range_or_form_says_what_to_send(
    make_client: MakeClient, changes: dict[str, Any], said: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as caught:
        await make_client().images.generate(**{**GOOD, **changes}, dry_run=True)
    assert caught.value.message == said


@pytest.mark.parametrize(
    ("changes", "param", "error"),
    [
        ({"prompt": ""}, "prompt", limner.InvalidRequestError),
        ({"prompt": "   \n\t"}, "prompt", limner.InvalidRequestError),
        ({"n": 0}, "n", limner.InvalidRequestError),
        ({"timeout": "soon"}, "timeout", limner.InvalidRequestError),  # the SDK's per-call option
        ({"max_retries": -1}, "max_retries", limner.InvalidRequestError),
        ({"extra_query": {"a": "b"}}, "extra_query", limner.InvalidRequestError),
        ({"api_key": "sk-other-0123456789"}, "api_key", limner.InvalidRequestError),
        ({"base_url": "https://a.example/v1"}, "base_url", limner.InvalidRequestError),
        ({"image": "fox.png"}, "image", limner.InvalidRequestError),  # an edit's, not generate's
        ({"images": ["fox.png"]}, "images", limner.InvalidRequestError),
        ({"mask": "mask.png"}, "mask", limner.InvalidRequestError),
        ({"n": 11}, "n", limner.InvalidRequestError),
        ({"n": 9}, "n", limner.InvalidRequestError),  # alpha's max_n is 8
        ({"size": "big"}, "size", limner.InvalidRequestError),
        ({"size": "1024*1024"}, "size", limner.InvalidRequestError),
        ({"response_format": "png"}, "response_format", limner.InvalidRequestError),
        ({"quality": "ultra"}, "quality", limner.InvalidRequestError),
        ({"output_format": "bmp"}, "output_format", limner.InvalidRequestError),
        ({"output_compression": 101}, "output_compression", limner.InvalidRequestError),
        ({"n": True}, "n", None),  # not read as 1
        ({"seed": True}, "seed", None),
        ({"output_compression": False}, "output_compression", None),
        ({"safety_identifier": 7}, "safety_identifier", None),
        ({"partial_images": 4}, "partial_images", None),  # OpenAI's 0 to 3
        ({"partial_images": -1}, "partial_images", None),
        ({"partial_images": True}, "partial_images", None),
        ({"image_config": {"aspect_ratio": "wide"}}, "image_config.aspect_ratio", None),
        ({"prompt": "x" * 201}, "prompt", limner.InvalidRequestError),
        ({"model": "fake/nope"}, "model", limner.NotFoundError),
        ({"model": ""}, "model", limner.InvalidRequestError),
        ({"extra_headers": {"Authorization": "Bearer x"}}, "extra_headers.authorization", None),
        ({"extra_headers": {"X-API-Key": "k"}}, "extra_headers.x-api-key", None),
        ({"extra_headers": {"X-Fake-Key": "k"}}, "extra_headers.x-fake-key", None),
        ({"extra_headers": {"X-Trace": "a\r\nX-Evil: 1"}}, "extra_headers.x-trace", None),
        ({"extra_headers": {"X Trace": "t"}}, "extra_headers.x trace", None),
        ({"extra_headers": {"Host": "elsewhere.example"}}, "extra_headers.host", None),
        ({"extra_headers": {"Content-Length": "1"}}, "extra_headers.content-length", None),
        ({"extra_headers": {"Content-Type": "text/plain"}}, "extra_headers.content-type", None),
        (
            {"extra_headers": {"Content-Encoding": "gzip"}},
            "extra_headers.content-encoding",
            None,
        ),
        (
            {"extra_headers": {"Transfer-Encoding": "chunked"}},
            "extra_headers.transfer-encoding",
            None,
        ),
        (
            {"extra_headers": {"Proxy-Authorization": "x"}},
            "extra_headers.proxy-authorization",
            None,
        ),
        ({"provider_options": {"fake": {"steps": 99}}}, "provider_options.fake.steps", None),
        ({"provider_options": {"fake": {"bogus": 1}}}, "provider_options.fake.bogus", None),
        ({"provider_options": {"fk": {"steps": 0}}}, "provider_options.fk.steps", None),
    ],
)
async def test_bad_generate_input(
    client: limner.AsyncClient,
    server: FakeServer,
    changes: dict[str, Any],
    param: str,
    error: type[limner.LimnerError] | None,
) -> None:
    kwargs = {**GOOD, **changes}
    with pytest.raises(error or limner.InvalidRequestError) as info:
        await client.images.generate(**kwargs)
    assert info.value.param == param
    assert param.split(".")[0] in info.value.message
    assert info.value.to_openai()["error"]["param"] == param
    assert server.requests == []


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"size": "big"}, "size: 'big' is not WIDTHxHEIGHT in pixels, such as 1024x1024, or auto"),
        (
            {"image_config": {"aspect_ratio": "wide"}},
            "image_config.aspect_ratio: 'wide' is not WIDTH:HEIGHT, such as 16:9",
        ),
        ({"image_config": {"image_size": ""}}, "image_config.image_size: must not be empty"),
        ({"prompt": ""}, "prompt: must not be empty"),
        (
            {"provider_options": {"fake": {"bogus": 1}}},
            "provider_options.fake.bogus: not a setting here; the settings are preset, steps",
        ),
    ],
)
async def test_input_errors_say_what_to_send(
    client: limner.AsyncClient, changes: dict[str, Any], says: str
) -> None:
    """In the words of the JSON a request is written in: no regular expression, no Python type."""
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(**{**GOOD, **changes})
    assert info.value.message == says


async def test_an_edit_without_a_prompt_is_refused_unless_its_mode_does_without(
    client: limner.AsyncClient,
) -> None:
    """The fake models list no edit_modes_without_prompt: the prompt is required, named."""
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(model="fake/alpha-1", image=IMAGE, dry_run=True)
    assert (info.value.param, info.value.code) == ("prompt", "missing_required_parameter")
    assert info.value.message == (
        "prompt: give a prompt, what to change; fake/alpha-1 edits need one"
    )
    with pytest.raises(limner.InvalidRequestError) as blank:
        await client.images.edit(model="fake/alpha-1", image=IMAGE, prompt=" \n", dry_run=True)
    assert blank.value.param == "prompt"


async def test_a_message_role_limner_does_not_take_is_named(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.chat.completions.create(
            model="fake/alpha-1",
            messages=[{"role": "tool", "content": "x", "tool_call_id": "a"}],
            dry_run=True,
        )
    assert info.value.param == "messages[0]"
    assert info.value.message == (
        "messages[0]: role 'tool' is not one limner takes: 'system', 'developer', 'user', "
        "'assistant'"
    )


def test_a_list_field_is_called_a_list() -> None:
    from pydantic import BaseModel, ValidationError

    from limner.input_errors import invalid_input

    class Options(BaseModel):
        kinds: tuple[str, ...] = ()

    with pytest.raises(ValidationError) as caught:
        Options.model_validate({"kinds": 3})
    error = invalid_input(caught.value, prefix="provider_options.x.")
    assert error.message == "provider_options.x.kinds: should be a list (a JSON array)"


async def test_a_local_image_over_the_limit_says_the_limit_in_its_own_unit(
    make_client: MakeClient, tmp_path: Path
) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(png(64, 64) + b"\0" * 600 * 1024)
    client = make_client(max_download_bytes=500 * 1024)
    with pytest.raises(limner.PayloadTooLargeError) as caught:
        await client.images.edit(model="alpha", prompt="x", image=big, dry_run=True)
    assert caught.value.message.endswith("is over the 500 KiB limit")


async def test_extra_body_forwards_even_a_name_refused_at_the_top_level(
    client: limner.AsyncClient,
) -> None:
    dry = await client.images.generate(**GOOD, extra_body={"timeout": 30}, dry_run=True)
    assert dry.requests[0]["json"]["timeout"] == 30


async def test_a_field_given_again_in_extra_body_with_another_value_is_refused(
    client: limner.AsyncClient,
) -> None:
    """Neither may win silently (extra_body's used to); the same value twice is harmless."""
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(**{**GOOD, "n": 2}, extra_body={"n": 5}, dry_run=True)
    assert info.value.param == "n"
    assert "given twice, as an argument and in extra_body" in info.value.message
    same = await client.images.generate(**{**GOOD, "n": 2}, extra_body={"n": 2}, dry_run=True)
    assert same.requests[0]["json"]["n"] == 2
    unset = await client.images.generate(**{**GOOD, "n": 2}, extra_body={"n": None}, dry_run=True)
    assert unset.requests[0]["json"]["n"] == 2  # None unsets nothing the arguments set


def test_edit_images_are_given_once() -> None:
    """image= is the edit's images: images= as well was silently preferred."""
    from .fakeprovider import FakePlugin

    again: dict[str, Any] = {"images": [IMAGE]}  # untyped callers can
    with (
        limner.Client(plugins=[FakePlugin()], environ={}) as client,
        pytest.raises(limner.InvalidRequestError) as info,
    ):
        client.images.edit(model="fake/alpha-1", prompt="x", image=IMAGE, dry_run=True, **again)
    assert info.value.param == "images"
    assert "once, as image=" in info.value.message
    with limner.Client(plugins=[FakePlugin()], environ={}) as client:
        none: dict[str, Any] = {"images": None}  # None: unset, as everywhere
        plan = client.images.edit(
            model="fake/alpha-1", prompt="x", image=IMAGE, dry_run=True, **none
        )
    assert plan.requests


async def test_edit_takes_images_as_the_schema_names_them() -> None:
    """A tool that validates against the edit schema (``images``) calls edit with its fields."""
    from .fakeprovider import FakePlugin

    async with limner.AsyncClient(plugins=[FakePlugin()], environ={}) as client:
        as_schema = await client.images.edit(
            model="fake/alpha-1", prompt="x", images=[IMAGE, IMAGE], dry_run=True
        )
        as_sdk = await client.images.edit(
            model="fake/alpha-1", prompt="x", image=[IMAGE, IMAGE], dry_run=True
        )
        assert as_schema.requests == as_sdk.requests
        assert len(as_schema.requests[0]["files"]) == 2
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.edit(model="fake/alpha-1", prompt="x", dry_run=True)
    assert (info.value.param, info.value.code) == ("image", "missing_required_parameter")
    assert info.value.message == (
        "image: give the image(s) to edit, as image= (one image or a list) or images= (a list)"
    )


def test_null_n_means_one_as_in_openais_api() -> None:
    assert limner.GenerateRequest(model="fake/alpha-1", prompt="x", n=None).n == 1
    messages = [{"role": "user", "content": "x"}]
    assert ChatRequest(model="fake/alpha-1", messages=messages, n=None).n == 1


@pytest.mark.parametrize("field", ["n", "seed", "temperature", "top_p", "max_tokens"])
def test_a_boolean_is_no_number_in_a_chat_request(field: str) -> None:
    messages = [{"role": "user", "content": "x"}]
    with pytest.raises(pydantic.ValidationError, match="should be a number, not true"):
        ChatRequest.model_validate({"model": "m", "messages": messages, field: True})
    assert ChatRequest.model_validate({"model": "m", "messages": messages, field: 1}) is not None


async def test_prompt_limit_is_the_models(client: limner.AsyncClient, server: FakeServer) -> None:
    # beta keeps the default 32000 limit; 201 characters are fine there
    await client.images.generate(model="fake/beta-2", prompt="x" * 201)
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/beta-2", prompt="x" * 32001)
    assert info.value.param == "prompt"
    assert len(server.api_calls) == 1


@pytest.mark.parametrize(
    ("field", "value", "wording"),
    [
        ("seed", -1, "seed: must be at least 0 (got -1)"),
        ("seed", 1001, "seed: must be at most 1000 (got 1001)"),
        ("negative_prompt", "n" * 51, "51 characters; at most 50"),
    ],
)
async def test_the_models_seed_range_and_negative_prompt_limit_are_checked_before_the_call(
    client: limner.AsyncClient, server: FakeServer, field: str, value: Any, wording: str
) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/old-0", prompt="x", **{field: value})
    assert info.value.param == field
    assert wording in info.value.message
    assert server.api_calls == []
    await client.images.generate(
        model="fake/old-0", prompt="x", seed=1000, negative_prompt="n" * 50
    )
    assert len(server.api_calls) == 1
    schema = client.models.schema("fake/old-0", "generate")["properties"]
    assert schema["seed"] == {"type": ["integer", "null"], "minimum": 0, "maximum": 1000}
    assert schema["negative_prompt"] == {"type": ["string", "null"], "maxLength": 50}


async def test_good_request_reaches_the_server(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    await client.images.generate(
        **GOOD, extra_headers={"X-Trace": "t1"}, provider_options={"fake": {"steps": 7}}
    )
    (call,) = server.api_calls
    assert call.headers["x-trace"] == "t1"
    assert call.json["steps"] == 7
    assert call.json["prompt"] == "a fox"


async def test_other_providers_options_are_left_alone(
    make_client: MakeClient, server: FakeServer
) -> None:
    from .fakeprovider import FakePlugin, FakeProvider

    class Other(FakeProvider):
        name = "other"
        aliases = ()
        credential_headers = frozenset({"x-other-secret"})

        def models(self) -> list[limner.ModelInfo]:
            return []

    client = make_client(plugins=[FakePlugin(), FakePlugin(Other)])
    await client.images.generate(**GOOD, provider_options={"other": {"anything": 1}})
    assert len(server.api_calls) == 1
    # and another provider's credential header is refused too
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(**GOOD, extra_headers={"X-Other-Secret": "s"})
    assert info.value.param == "extra_headers.x-other-secret"
    assert info.value.code == "credential_header"
    assert len(server.api_calls) == 1
    # where the credential of the provider called is set instead (the CLI and gateway read
    # its environment variables; there is no client to configure there)
    assert info.value.message.endswith(
        "credentials come from the provider's settings (FAKE_API_KEY), not from a request"
    )
    assert str(info.value) == info.value.message  # no Python spelling: a gateway's client reads it


async def test_an_options_namespace_no_provider_has_is_refused_as_a_settings_typo_is(
    make_client: MakeClient, server: FakeServer
) -> None:
    """provider_options and the client's providers settings share one check: same code, same
    hint. With every plugin loaded, every provider name is known."""
    client = make_client(disable_plugins=[])
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(**GOOD, provider_options={"opnai": {}})
    assert info.value.param == "provider_options.opnai"
    assert info.value.code == "unknown_provider"
    assert "did you mean 'openai'?" in info.value.message
    assert server.requests == []


async def test_while_plugins_are_disabled_only_a_namespace_like_a_known_one_is_refused(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """A disabled plugin's provider names are unknown (it is never loaded), so a namespace that
    may be its is left alone, as another provider's options always are; one a letter away from
    a loaded provider's is a typo, refused."""
    for slip, meant in (("faek", "fake"), ("gogle", "google"), ("stabilityia", "stabilityai")):
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.generate(**GOOD, provider_options={slip: {"steps": 3}})
        assert info.value.param == f"provider_options.{slip}"
        assert f"did you mean {meant!r}?" in info.value.message
    assert server.requests == []
    # the disabled plugin's own name, and names that may be another provider's, go through
    for name in ("openai", "nope", "google_vertex", "azure_openai", "fake2"):
        await client.images.generate(**GOOD, provider_options={name: {}})
    assert len(server.api_calls) == 5


async def test_a_header_authorize_would_replace_is_refused_though_undeclared(
    make_client: MakeClient, server: FakeServer
) -> None:
    """A plugin whose authorize adds its own key header, without listing it in
    ``credential_headers``: the user's value would be replaced without a word."""
    from .fakeprovider import FakePlugin, FakeProvider

    class OwnHeader(FakeProvider):
        def authorize(
            self, request: limner.WireRequest, settings: limner.ProviderSettings, **kw: Any
        ) -> limner.WireRequest:
            signed = super().authorize(request, settings, **kw)
            return signed.with_headers({"X-Acme-Key": "from-settings"}, secret=True)

    client = make_client(plugins=[FakePlugin(OwnHeader)])
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(**GOOD, extra_headers={"X-Acme-Key": "mine"})
    assert (info.value.param, info.value.code) == ("extra_headers.x-acme-key", "credential_header")
    assert "fake sets it itself" in info.value.message
    await client.images.generate(**GOOD, extra_headers={"X-Trace": "t1"})  # others still pass
    assert [call.headers["x-trace"] for call in server.api_calls] == ["t1"]


async def test_a_header_replacing_one_the_translation_built_is_said(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """extra_headers replaced a header the translation had made (Stability's Accept, from its
    accept option) without a word, where extra_body refuses such a field."""
    result = await client.images.generate(**GOOD, n=3, extra_headers={"X-Call-Index": "7"})
    assert [call.headers["x-call-index"] for call in server.api_calls] == ["7", "7"]
    replaced = [w for w in result.warnings if w.code == "header_replaced"]
    assert [(w.param, w.message) for w in replaced] == [
        (  # (each call built its own)
            "extra_headers.x-call-index",
            f"extra_headers 'x-call-index' replaced the '{index}' limner would have sent, made "
            "from the request or the provider's settings",
        )
        for index in (0, 1)
    ]
    same = await client.images.generate(**GOOD, extra_headers={"X-Call-Index": "0"})
    assert not [w for w in same.warnings if w.code == "header_replaced"]


async def test_a_secret_header_replaced_is_said_without_its_value(
    make_client: MakeClient, server: FakeServer
) -> None:
    from .fakeprovider import FakePlugin, FakeProvider

    class SessionHeader(FakeProvider):
        def translate(self, call: limner.ProviderCall) -> limner.Translation:
            made = super().translate(call)
            request = made.request.with_headers({"X-Session": "tok-SECRET-123"}, secret=True)
            return dataclasses.replace(made, request=request)

    client = make_client(plugins=[FakePlugin(SessionHeader)])
    result = await client.images.generate(**GOOD, extra_headers={"X-Session": "mine"})
    (replaced,) = [w.message for w in result.warnings if w.code == "header_replaced"]
    assert replaced.startswith("extra_headers 'x-session' replaced the value limner would")
    assert "tok-SECRET" not in result.model_dump_json()


# ---- edits -----------------------------------------------------------------------------------


def _edit(**changes: Any) -> dict[str, Any]:
    return {"model": "fake/alpha-1", "prompt": "add a hat", "image": IMAGE, **changes}


@pytest.mark.parametrize(
    ("changes", "param", "error"),
    [
        ({"mask": png(5, 5, alpha=True)}, "mask", limner.InvalidRequestError),
        ({"mask": png(4, 4, alpha=False)}, "mask", limner.InvalidRequestError),
        ({"mask": png(4, 4, alpha=True, fmt="WEBP")}, "mask", limner.InvalidRequestError),
        ({"image": b"just some text, not an image"}, "images[0]", limner.InvalidRequestError),
        ({"image": [IMAGE, b"%PDF-1.4"]}, "images[1]", limner.InvalidRequestError),
        ({"image": [IMAGE, IMAGE, IMAGE]}, "images", limner.UnsupportedFeatureError),
        ({"image": "/no/such/file.png"}, "images[0]", limner.InvalidRequestError),
        ({"image": {"file_id": "file-1"}}, "images[0]", limner.UnsupportedFeatureError),
        ({"image": "data:image/png;base64,@@@"}, "images[0]", limner.InvalidRequestError),
        ({"image": 42}, "images[0]", limner.InvalidRequestError),
        ({"image": [IMAGE, 42]}, "images[1]", limner.InvalidRequestError),  # as loading names it
        ({"image": [{"file_id": 7}]}, "images[0]", limner.InvalidRequestError),
        ({"image": []}, "images", limner.InvalidRequestError),
        (
            {"model": "fake/beta-2", "mask": png(4, 4, alpha=True)},
            "mask",
            limner.UnsupportedFeatureError,
        ),
        ({"model": "fake/old-0"}, "model", limner.UnsupportedFeatureError),
    ],
)
async def test_bad_edit_input(
    client: limner.AsyncClient,
    server: FakeServer,
    changes: dict[str, Any],
    param: str,
    error: type[limner.LimnerError],
) -> None:
    with pytest.raises(error) as info:
        await client.images.edit(**_edit(**changes))
    assert type(info.value) is error
    assert info.value.param == param
    assert server.requests == []


@pytest.mark.parametrize("keyed", [False, True])
async def test_a_mask_without_an_alpha_channel_is_refused_saying_what_to_save(
    client: limner.AsyncClient, server: FakeServer, keyed: bool
) -> None:
    """A PNG whose transparency is a colour key (tRNS) has see-through pixels but no alpha
    channel: the message says to save it as RGBA."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(
        out, "PNG", **({"transparency": (0, 0, 0)} if keyed else {})
    )
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(**_edit(mask=out.getvalue()))
    said = "mask must be a PNG with an alpha channel (transparent pixels mark the area to edit)"
    hint = (
        "; this one makes a colour transparent (a tRNS colour key), which is no alpha channel: "
        "save it as RGBA"
    )
    assert (info.value.param, info.value.code) == ("mask", "invalid_mask")
    assert info.value.message == said + (hint if keyed else "")
    assert server.requests == []


async def test_a_mask_drawn_on_a_photo_as_it_shows_says_the_photo_is_turned(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """A phone photo stored 8x4 with EXIF orientation 6 shows as 4x8: a mask drawn on it so
    was refused as "4x8 but the image is 8x4", which contradicts what the user sees."""
    exif = Image.Exif()
    exif[0x0112] = 6  # turned 90°
    out = io.BytesIO()
    Image.new("RGB", (8, 4), (200, 0, 0)).save(out, "JPEG", exif=exif)
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(**_edit(image=out.getvalue(), mask=png(4, 8, alpha=True)))
    assert info.value.message == (
        "mask is 4x8 but the image is 8x4 as stored, which the provider gets (it shows turned "
        "by its EXIF orientation); they must be the same size: draw the mask on the image as "
        "stored, or save the image turned first (PIL.ImageOps.exif_transpose)"
    )
    with pytest.raises(limner.InvalidRequestError) as plain:
        await client.images.edit(**_edit(image=out.getvalue(), mask=png(5, 5, alpha=True)))
    assert plain.value.message == "mask is 5x5 but the image is 8x4; they must be the same size"
    assert server.requests == []


async def test_text_file_passed_as_image_path(
    client: limner.AsyncClient, server: FakeServer, tmp_path: Path
) -> None:
    text = tmp_path / "notes.png"  # the name lies; the bytes decide
    text.write_text("hello")
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(**_edit(image=text))
    assert info.value.param == "images[0]"
    assert info.value.code == "invalid_image"
    assert server.requests == []


@pytest.mark.parametrize(
    ("path", "says", "code"),
    [
        ("/dev/zero", "is not a regular file (a device or a pipe)", "file_not_found"),
        ("/proc/self/mem", "cannot read '/proc/self/mem' (Input/output error)", "file_unreadable"),
        ("/no/such/dir/fox.png", "no such file", "file_not_found"),
        ("gs://bucket/fox.png", "is a gs:// URL, which limner does not fetch", "file_not_found"),
        # an answer's b64_json passed on without its data: prefix: text, too long for a path
        ("iVBORw0KGgo" * 30, "an image given as text is a path, a data: URL", "file_not_found"),
        (IMAGE_B64, "an image given as text is a path, a data: URL", "file_not_found"),
        ("iVBORw0KGgo" * 5000, "an image given as text is a path, a data: URL", "file_not_found"),
    ],
)
async def test_a_path_that_cannot_be_read_is_refused_naming_the_image(
    client: limner.AsyncClient, server: FakeServer, path: str, says: str, code: str
) -> None:
    """Not a bare OSError, nor "no such file" for a device that exists; /dev/zero is not read
    (it never ends)."""
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(**_edit(image=path))
    assert (info.value.param, info.value.code) == ("images[0]", code)
    assert says in info.value.message
    assert server.requests == []


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"extra_body": {"note": "a\ud800"}}, "note"),
        ({"extra_body": {"future": {"note": "b\udfff"}}}, "future.note"),
    ],
)
async def test_text_no_request_can_carry_is_the_callers_to_fix(
    client: limner.AsyncClient, server: FakeServer, fields: dict[str, Any], param: str
) -> None:
    """A lone surrogate cannot be encoded: the field is named, not the plugin blamed."""
    for dry_run in (True, False):
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.generate(model="alpha", prompt="x", dry_run=dry_run, **fields)
        assert (info.value.param, info.value.code) == (param, "invalid_text")
    assert server.requests == []


async def test_an_image_name_with_undecodable_bytes_loses_them(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    plan = await client.images.edit(**_edit(image=("fox\udcff.png", IMAGE)), dry_run=True)
    [sent] = plan.requests[0]["files"]
    assert sent["filename"] == "fox.png"


async def test_variation_on_model_without_variations(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    with pytest.raises(limner.UnsupportedFeatureError) as info:
        await client.images.create_variation(model="fake/beta-2", image=IMAGE)
    assert info.value.param == "model"
    assert "variation" in info.value.message
    assert server.requests == []


async def test_remote_image_on_private_network_refused(
    make_client: MakeClient, server: FakeServer
) -> None:
    client = make_client(allow_private_networks=False)
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(**_edit(image=f"{server.url}/files/a.png"))
    assert info.value.param == "images[0]"
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(**_edit(image="https://127.0.0.1/a.png"))
    assert info.value.param == "images[0]"
    assert "private or local" in info.value.message
    assert server.requests == []


async def test_good_edit_is_multipart_with_files(
    client: limner.AsyncClient, server: FakeServer, tmp_path: Path
) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(png(4, 4))  # a PNG named .jpg: sniffed as PNG
    mask = png(4, 4, alpha=True)
    result = await client.images.edit(**_edit(image=[path, IMAGE], mask=mask, size="512x512"))
    assert len(result.data) == 1
    (call,) = server.api_calls
    assert call.path == "/v1/images/edits"
    assert call.form["prompt"] == "add a hat"
    assert call.form["size"] == "512x512"
    assert call.files == [
        ("image", "photo.png", "image/png", len(path.read_bytes())),
        ("image", "image.png", "image/png", len(IMAGE)),
        ("mask", "mask.png", "image/png", len(mask)),
    ]


async def test_remote_input_image_is_downloaded_when_model_cannot_fetch(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    await client.images.edit(**_edit(image=f"{server.url}/files/a.png"))
    download, call = server.requests
    assert (download.method, download.path) == ("GET", "/files/a.png")
    assert "authorization" not in download.headers  # no credential sent to image hosts
    assert call.files == [("image", "a.png", "image/png", len(server.files["/files/a.png"]))]


async def test_a_too_long_prompt_is_counted_not_quoted(client: limner.AsyncClient) -> None:
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.generate(model="fake/alpha-1", prompt="p" * 5000)
    assert info.value.param == "prompt"
    assert "ppppp" not in info.value.message
    assert "5000 characters" in info.value.message


def test_an_input_image_is_base64_encoded_once_for_every_call_that_sends_it() -> None:
    image = InputImage(data=b"\x89PNG fake", mime="image/png")
    first = image.b64
    assert first == base64.b64encode(b"\x89PNG fake").decode()
    assert image.b64 is first  # cached: split calls share the encoding
    assert image.data_url() == f"data:image/png;base64,{first}"
    with pytest.raises(ValueError):
        _ = InputImage(url="https://example.com/a.png").b64


@pytest.mark.parametrize(
    ("parts", "param"),
    [
        (("messages", 0, "content", 1, "text"), "messages[0].content[1].text"),
        (("images", 2), "images[2]"),
        (("metadata", "0"), "metadata.0"),  # a dict key made of digits is no position
        (("image_config", "aspect_ratio"), "image_config.aspect_ratio"),
        ((), ""),
    ],
)
def test_parameters_are_spelled_with_dots_for_fields_and_brackets_for_positions(
    parts: tuple[str | int, ...], param: str
) -> None:
    assert param_path(parts) == param


@pytest.mark.parametrize("key", ["none", "int", "a[0]", "list[str]", "0"])
async def test_a_dict_key_that_looks_like_a_type_name_stays_in_the_parameter(
    client: limner.AsyncClient, key: str
) -> None:
    """Only the names pydantic gives a union's members are left out of a parameter's path."""
    with pytest.raises(limner.InvalidRequestError) as caught:
        bad: Any = {key: 5}  # metadata values must be strings
        await client.images.generate(model="fake/alpha-1", prompt="x", metadata=bad, dry_run=True)
    assert caught.value.param == f"metadata.{key}"


async def test_the_openai_sdks_file_tuple_is_one_image(
    client: limner.AsyncClient, server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``(filename, content[, mime])`` as the OpenAI SDK takes it: one image named so, never a
    list whose name is read from disk."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photo.png").write_bytes(png(8, 8))  # must not be read
    data = png(4, 4)
    for image in (
        ("photo.png", data),
        ("photo.png", data, "image/png"),
        ("photo.png", io.BytesIO(data)),
    ):
        await client.images.edit(model="alpha", prompt="x", image=image)
        *_, call = server.api_calls
        assert call.files == [("image", "photo.png", "image/png", len(data))]
    await client.images.edit(model="alpha", prompt="x", image=[("a.png", data), ("b.png", data)])
    assert [f[1] for f in server.api_calls[-1].files] == ["a.png", "b.png"]
    await client.images.create_variation(model="alpha", image=("photo.png", data, "image/png"))
    assert server.api_calls[-1].files == [("image", "photo.png", "image/png", len(data))]


async def test_an_image_file_opened_in_text_mode_says_to_open_it_in_binary_mode(
    client: limner.AsyncClient, server: FakeServer, tmp_path: Path
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(png(4, 4))
    with open(path) as text, pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(model="alpha", prompt="x", image=text)  # type: ignore[call-overload]
    assert info.value.param == "images[0]"
    assert "open image files in binary mode ('rb')" in info.value.message
    assert server.requests == []


async def test_a_tuple_is_a_file_only_in_the_sdks_shape(
    client: limner.AsyncClient, server: FakeServer, tmp_path: Path
) -> None:
    """(name, content[, mime[, headers]]): a third item that is not a MIME type makes the
    tuple a sequence of images, as it was; a path or a memoryview is file content too."""
    one, two = png(4, 4), png(6, 6)
    await client.images.edit(model="alpha", prompt="x", image=(one, two))
    assert len(server.api_calls[-1].files) == 2  # two images
    with pytest.raises(limner.UnsupportedFeatureError) as too_many:  # ("a.png", A, B): three
        await client.images.edit(model="alpha", prompt="x", image=("a.png", one, two))
    assert "3 given" in too_many.value.message
    with pytest.raises(limner.InvalidRequestError) as info:
        await client.images.edit(model="alpha", prompt="x", image=("x.png", one, 123))  # type: ignore[arg-type]
    assert info.value.param == "images[2]"
    path = tmp_path / "b.png"
    path.write_bytes(two)
    for content in (path, memoryview(two)):
        await client.images.edit(model="alpha", prompt="x", image=("x.png", content))
        (sent,) = server.api_calls[-1].files
        assert sent[3] == len(two)


@pytest.mark.parametrize(
    ("given", "sent"), [("sk-fake-key\n", "sk-fake-key"), ("  sk-fake-key \r\n", "sk-fake-key")]
)
async def test_a_key_read_whole_from_a_file_is_trimmed(
    make_client: MakeClient, server: FakeServer, given: str, sent: str
) -> None:
    """A key file or mounted secret ends in a line break, which no HTTP header can hold."""
    client = make_client(
        providers={"fake": {"base_url": f"{server.url}/v1"}}, environ={"FAKE_API_KEY": given}
    )
    await client.images.generate(**GOOD)
    assert server.api_calls[0].headers["x-fake-key"] == sent


@pytest.mark.parametrize(
    ("given", "error"),
    [("sk-a\nsk-b", limner.InvalidRequestError), (" \n", limner.MissingCredentialsError)],
)
async def test_a_key_with_a_line_break_inside_or_nothing_but_one_is_refused(
    make_client: MakeClient, server: FakeServer, given: str, error: type[limner.LimnerError]
) -> None:
    client = make_client(providers={"fake": {"api_key": given, "base_url": f"{server.url}/v1"}})
    with pytest.raises(error) as caught:
        await client.images.generate(**GOOD)
    assert "sk-a" not in caught.value.message
    assert server.requests == []


def test_a_multiline_secret_a_plugin_declares_keeps_its_line_breaks() -> None:
    """A PEM key holds line breaks; a settings model says which secrets may."""
    from pydantic import SecretStr

    class KeyFile(limner.ProviderSettings):
        multiline_secrets: ClassVar[frozenset[str]] = frozenset({"private_key"})
        private_key: SecretStr
        token: SecretStr | None = None

    pem = "-----BEGIN KEY-----\nabc\n-----END KEY-----"
    loaded = KeyFile.model_validate({"private_key": pem + "\n", "token": " "})
    assert loaded.private_key.get_secret_value() == pem  # trimmed, line breaks inside kept
    assert loaded.token is None  # blank: unset
    with pytest.raises(ValueError, match="control character"):
        KeyFile.model_validate({"private_key": pem, "token": "a\nb"})
    assert KeyFile.model_validate({"private_key": " "}).private_key.get_secret_value() == ""


async def test_null_extra_fields_are_unset_in_the_python_api_too(
    client: limner.AsyncClient, server: FakeServer
) -> None:
    """Another operation's field, an input image and a forwarded field, each set to null, are
    neither refused, reported nor sent; so are the SDKs' client options set to null."""
    nulls: dict[str, Any] = {"timeout": None}  # an SDK option, not in the typed signature
    result = await client.images.generate(
        **GOOD,
        extra_body={"input_fidelity": None, "image": None, "partial_images": None},
        **nulls,
    )
    assert result.adjustments == []
    (call,) = server.api_calls
    assert "partial_images" not in call.json and "input_fidelity" not in call.json


def test_a_bad_setting_from_the_environment_names_its_variable() -> None:
    from .fakeprovider import FakeProvider

    with pytest.raises(limner.InvalidRequestError) as caught:
        FakeProvider().load_settings({}, {"FAKE_API_KEY": "sk-a\nsk-b"})
    assert caught.value.param == "providers.fake.api_key"
    assert caught.value.message.endswith("(read from FAKE_API_KEY)")
    with pytest.raises(limner.InvalidRequestError) as given:
        FakeProvider().load_settings({"api_key": "sk-a\nsk-b"}, {"FAKE_API_KEY": "ok"})
    assert "read from" not in given.value.message


def test_bytes_without_a_name_are_named_after_their_part() -> None:
    """A mask given as bytes is uploaded as mask.png, so that it can be told from the image in
    a provider's logs and in recordings."""
    from limner.images import read_local
    from limner.requests import ImageRef

    mask = read_local(ImageRef(data=IMAGE), param="mask", max_bytes=2**20)
    image = read_local(ImageRef(data=IMAGE), param="images[0]", max_bytes=2**20)
    named = read_local(ImageRef(data=IMAGE, filename="own.png"), param="mask", max_bytes=2**20)
    assert mask is not None and image is not None and named is not None
    assert (mask.filename, image.filename, named.filename) == ("mask.png", "image.png", "own.png")


async def test_at_most_64_unknown_fields_are_forwarded(make_client: MakeClient) -> None:
    """Each is looked at for a typo, and a gateway body may hold a million: more than any
    provider takes is refused before that look, naming the first."""
    client = make_client()
    extra = {f"field_{i}": i for i in range(64)}
    plan = await client.images.generate(**GOOD, extra_body=extra, dry_run=True)
    assert plan.requests[0]["json"]["field_63"] == 63
    unset = await client.images.generate(**GOOD, extra_body={**extra, "y": None}, dry_run=True)
    assert "y" not in unset.requests[0]["json"]  # null: unset, neither sent nor counted
    with pytest.raises(limner.InvalidRequestError) as caught:
        await client.images.generate(**GOOD, extra_body={**extra, "one_more": 1}, dry_run=True)
    assert caught.value.param == "field_0"
    assert str(caught.value) == (
        "65 fields limner does not know (field_0, field_1, field_2, ...): at most 64 are "
        "forwarded to the provider; check the field names"
    )


async def test_one_requests_downloads_share_the_download_cap(
    make_client: MakeClient, server: FakeServer
) -> None:
    """Each image under the cap, together over it: refused, so a small request naming many
    large images cannot hold many caps' worth of memory (a gateway's clients could)."""
    image = png(64, 64) + b"\0" * 300 * 1024  # a PNG with 300 KiB after its end
    server.files["/files/big-1.png"] = server.files["/files/big-2.png"] = image
    client = make_client(max_download_bytes=500 * 1024)
    one = [f"{server.url}/files/big-1.png"]
    plan = await client.images.edit(model="alpha", prompt="x", image=one, dry_run=True)
    assert len(plan.requests) == 1
    both = [*one, f"{server.url}/files/big-2.png"]
    with pytest.raises(limner.PayloadTooLargeError) as caught:
        await client.images.edit(model="alpha", prompt="x", image=both, dry_run=True)
    assert caught.value.message.endswith(
        "the request's images to download are over the 500 KiB limit together"
    )
    # a later request has the whole cap again
    plan = await client.images.edit(model="alpha", prompt="x", image=one, dry_run=True)
    assert len(plan.requests) == 1


@pytest.mark.parametrize("model", ["", "  ", "\t"])
async def test_a_blank_model_is_refused_as_an_empty_one_is(
    make_client: MakeClient, server: FakeServer, model: str
) -> None:
    """Not "Unknown model ''" (a 404): the same 400 whatever the blank."""
    with pytest.raises(limner.InvalidRequestError) as info:
        await make_client().images.generate(model=model, prompt="x")
    assert (info.value.message, info.value.param, info.value.code) == (
        "model: must not be empty",
        "model",
        "invalid_value",
    )
    assert server.api_calls == []
