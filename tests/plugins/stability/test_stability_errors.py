"""Error answers: the spec's examples and the quoted live bodies parsed, then every status from a
loopback Stability through the client, the n=3 fan-out with one failing call, content-filtered
200s (lenient and strict), raw ``image/*`` answers, and the seed each image reports."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import limner
from limner import WireResponse
from limner_stability import StabilityProvider
from limner_stability.fields import OPTION_PARAM as OPTION

from .conftest import TINY, Loopback, MakeCall, Seen, error, json_image, png

QUOTED = Path(__file__).resolve().parent / "data" / "quoted-live-error-bodies.json"

# The spec's own examples [SPEC-2024 responses] and the 2024 live 403 (no id) [ISS-402].
SPEC_EXAMPLES: dict[int, dict[str, Any]] = {
    400: {
        "id": "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4",
        "name": "bad_request",
        "errors": ["some-field: is required"],
    },
    413: {
        "id": "4212a4b66fbe1cedca4bf2133d35dca5",
        "name": "payload_too_large",
        "errors": ["body: payloads cannot be larger than 10MiB in size"],
    },
    422: {
        "id": "ff54b236a3acdde1522cb1ba641c43ed",
        "name": "invalid_language",
        "errors": ["English is the only supported language for this service."],
    },
    429: {
        "id": "rate_limit_exceeded",
        "name": "rate_limit_exceeded",
        "errors": [
            "You have exceeded the rate limit of 150 requests within a 10 second period, and have "
            "been timed out for 60 seconds."
        ],
    },
    500: {
        "id": "2a1b2d4eafe2bc6ab4cd4d5c6133f513",
        "name": "internal_error",
        "errors": ["An unexpected server error has occurred, please try again later."],
    },
}
PUBLIC_FIGURE = {
    "id": "ff54b236a3acdde1522cb1ba641c43ed",
    "name": "public_figure",
    "errors": [
        "Our system detected the likeness of a public figure in your image. To comply with our "
        "guidelines, this request cannot be processed. Please upload a different image."
    ],
}
MODERATION_LIVE = {
    "errors": [
        "Your request was flagged by our content moderation system, as a result your request was "
        "denied and you were not charged."
    ],
    "name": "content_moderation",
}
UNAUTHORIZED_LIVE = {
    "errors": ["authorization: invalid or missing header value"],
    "id": "fc0ade0f41d0b0fa7c563dd3d4ed714e",
    "name": "unauthorized",
}
BILLING = {"id": "b1", "name": "payment_required", "errors": ["insufficient credits"]}

EXPECTED: list[tuple[int, dict[str, Any], type[limner.LimnerError], str | None]] = [
    (400, SPEC_EXAMPLES[400], limner.InvalidRequestError, "bad_request"),
    (401, UNAUTHORIZED_LIVE, limner.AuthenticationError, "unauthorized"),
    (402, BILLING, limner.BillingError, "insufficient_quota"),
    (403, MODERATION_LIVE, limner.ContentPolicyError, "content_policy_violation"),
    (413, SPEC_EXAMPLES[413], limner.PayloadTooLargeError, "payload_too_large"),
    (422, SPEC_EXAMPLES[422], limner.InvalidRequestError, "invalid_language"),
    (422, PUBLIC_FIGURE, limner.ContentPolicyError, "content_policy_violation"),
    (429, SPEC_EXAMPLES[429], limner.RateLimitError, "rate_limit_exceeded"),
    (500, SPEC_EXAMPLES[500], limner.ProviderError, "internal_error"),
    (
        503,
        {"id": "x", "name": "unavailable", "errors": ["down"]},
        limner.ProviderUnavailableError,
        "unavailable",
    ),
    # statuses OpenAI's SDKs retry, and Stability's answer gives no other meaning to
    (
        408,
        {"id": "t", "name": "timeout", "errors": ["slow"]},
        limner.RequestTimeoutError,
        "timeout",
    ),
    (
        409,
        {"id": "c", "name": "conflict", "errors": ["busy"]},
        limner.ProviderUnavailableError,
        "conflict",
    ),
]


def answer(status: int, body: Any, **headers: str) -> WireResponse:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WireResponse(status=status, headers=headers, body=content)


@pytest.mark.parametrize(("status", "body", "cls", "code"), EXPECTED)
def test_parse_error(
    provider: StabilityProvider,
    make_call: MakeCall,
    status: int,
    body: dict[str, Any],
    cls: type[limner.LimnerError],
    code: str | None,
) -> None:
    error = provider.parse_error(make_call("sd3.5-large"), answer(status, body))
    assert type(error) is cls
    assert error.code == code
    assert error.status_code == status
    assert (error.provider, error.model) == ("stabilityai", "stabilityai/sd3.5-large")
    assert error.body == body
    for text in body["errors"]:
        assert text in error.message
    assert error.request_id == body.get("id")


@pytest.mark.parametrize(
    ("said", "param"),
    [
        ("search_prompt: cannot be empty", "provider_options.stabilityai.search_prompt"),
        ("prompt: cannot be empty", "prompt"),
        ("image: is required", "images[0]"),
        ("some-field: is required", None),  # (the spec's example: no field limner sends)
        ("cannot be empty", None),
    ],
)
def test_a_400_that_names_a_field_names_the_param(
    provider: StabilityProvider, make_call: MakeCall, said: str, param: str | None
) -> None:
    """A gateway's client reads ``param``: a 400 naming its field gave none."""
    body = {"id": "a", "name": "bad_request", "errors": [said]}
    error = provider.parse_error(make_call("sd3.5-large"), answer(400, body))
    assert (type(error), error.param) == (limner.InvalidRequestError, param)


@pytest.mark.parametrize(
    ("said", "fields", "options", "param"),
    [
        ("style_preset: invalid", {"style": "anime"}, None, "style"),
        ("style_preset: invalid", {}, {"style_preset": "anime"}, f"{OPTION}.style_preset"),
        ("aspect_ratio: invalid", {"size": "1792x1024"}, None, "size"),
        (
            "aspect_ratio: invalid",
            {"size": "1792x1024", "image_config": {"aspect_ratio": "16:9"}},
            None,
            "image_config.aspect_ratio",
        ),
        ("aspect_ratio: invalid", {}, None, None),
        ("aspect_ratio: invalid", {"aspect_ratio": "7:3"}, None, "aspect_ratio"),  # forwarded
    ],
)
def test_a_400_on_a_field_made_from_the_callers_names_what_they_set(
    provider: StabilityProvider,
    make_call: MakeCall,
    said: str,
    fields: dict[str, Any],
    options: dict[str, Any] | None,
    param: str | None,
) -> None:
    """style_preset named an option the caller never set; aspect_ratio named nothing."""
    body = {"id": "a", "name": "bad_request", "errors": [said]}
    call = make_call("sd3.5-large", options=options, **fields)
    assert provider.parse_error(call, answer(400, body)).param == param


def test_the_422s_name_what_to_change(provider: StabilityProvider, make_call: MakeCall) -> None:
    language = provider.parse_error(make_call("sd3.5-large"), answer(422, SPEC_EXAMPLES[422]))
    assert isinstance(language, limner.InvalidRequestError)
    assert language.param == "prompt"
    edit = make_call("sd3.5-large", "edit", images=[TINY], prompt="x")
    figure = provider.parse_error(edit, answer(422, PUBLIC_FIGURE))
    assert isinstance(figure, limner.ContentPolicyError)
    assert (figure.param, figure.reason) == ("images[0]", PUBLIC_FIGURE["errors"][0])
    assert not figure.retryable


def test_content_moderation_reason_and_rate_limit_wait(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    call = make_call("stable-image-core")
    moderation = provider.parse_error(call, answer(403, MODERATION_LIVE))
    assert isinstance(moderation, limner.ContentPolicyError)
    assert moderation.reason == MODERATION_LIVE["errors"][0]
    limited = provider.parse_error(call, answer(429, SPEC_EXAMPLES[429]))
    assert isinstance(limited, limner.RateLimitError)
    assert limited.retry_after == 60.0  # the spec's timeout, no header given
    assert limited.retryable
    header = provider.parse_error(call, answer(429, SPEC_EXAMPLES[429], **{"retry-after": "7"}))
    assert isinstance(header, limner.RateLimitError)
    assert header.retry_after == 7.0


def test_unreadable_bodies_fall_back_on_the_status(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    call = make_call("sd3.5-large")
    html = provider.parse_error(call, answer(502, b"<html>Bad gateway</html>"))
    assert type(html) is limner.ProviderUnavailableError
    assert "<html>Bad gateway</html>" in html.message
    assert html.body == "<html>Bad gateway</html>"  # the text, as the openai SDK's error.body
    legacy = provider.parse_error(
        call, answer(401, {"id": "i", "name": "unauthorized", "message": "Incorrect API key"})
    )
    assert type(legacy) is limner.AuthenticationError
    assert "Incorrect API key" in legacy.message
    assert legacy.message.endswith("— check STABILITY_API_KEY")
    assert legacy.setting == limner.ProviderSetting("stabilityai", "api_key")


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        pytest.param(
            {"errors": MODERATION_LIVE["errors"]}, limner.ContentPolicyError, id="says moderation"
        ),
        pytest.param(
            b"<html><h1>403 Forbidden</h1></html>", limner.PermissionDeniedError, id="page"
        ),
        pytest.param(b"", limner.PermissionDeniedError, id="empty"),
        pytest.param({"errors": ["not allowed"]}, limner.PermissionDeniedError, id="other"),
    ],
)
def test_a_nameless_403_is_moderation_only_when_it_says_so(
    provider: StabilityProvider,
    make_call: MakeCall,
    body: dict[str, Any] | bytes,
    cls: type[limner.LimnerError],
) -> None:
    error = provider.parse_error(make_call("sd3.5-large"), answer(403, body))
    assert type(error) is cls
    assert error.status_code == 403


def test_the_quoted_live_bodies(provider: StabilityProvider, make_call: MakeCall) -> None:
    items = json.loads(QUOTED.read_text())["items"]
    kinds = []
    for item in items:
        response = answer(item["status"], item["body"], **item.get("headers", {}))
        error = provider.parse_error(make_call("sd3.5-large"), response)
        kinds.append((item["status"], type(error).__name__, error.request_id))
        assert item["body"].get("errors", [item["body"].get("message")])[0] in error.message
    assert kinds == [
        (403, "ContentPolicyError", None),
        (401, "AuthenticationError", "fc0ade0f41d0b0fa7c563dd3d4ed714e"),
        (401, "AuthenticationError", "41978b143f73024a3785715f72140696"),
    ]


# ---- through the client, from a loopback server --------------------------------------------


@pytest.mark.parametrize(("status", "body", "cls", "code"), EXPECTED)
async def test_every_status_from_a_loopback_server(
    loopback: Loopback,
    status: int,
    body: dict[str, Any],
    cls: type[limner.LimnerError],
    code: str | None,
) -> None:
    # a 429 without Retry-After waits out Stability's 60 s timeout before each retry (tested
    # above): here the server says 0 s, so the retries come at once
    wait = {"retry-after": "0"} if status == 429 else {}
    loopback.handler = lambda seen: error(status, body, **wait)
    async with loopback.client() as client:
        with pytest.raises(limner.LimnerError) as info:
            await client.images.generate(model="stabilityai/sd3.5-large", prompt="a fox")
    assert type(info.value) is cls
    assert info.value.code == code
    retried = status in limner.status_errors.RETRYABLE_STATUSES
    assert len(loopback.seen) == (3 if retried else 1)  # max_retries=2
    sent = loopback.seen[0]
    assert sent.path == "/v2beta/stable-image/generate/sd3"
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert sent.fields == {"model": "sd3.5-large", "prompt": "a fox"}


@pytest.mark.parametrize("spelled", ["stability", "stabilityai"])
async def test_an_option_stability_refuses_is_named_as_the_caller_spelt_it(
    loopback: Loopback, spelled: str
) -> None:
    """Errors limner raised before the call did; one from Stability's answer named
    ``provider_options.stabilityai`` whatever the caller wrote."""
    said = {"id": "x", "name": "bad_request", "errors": ["grow_mask: must be at most 20"]}
    loopback.handler = lambda seen: error(400, said)
    options = {spelled: {"search_prompt": "dog", "grow_mask": 10}}
    async with loopback.client() as client:
        with pytest.raises(limner.InvalidRequestError) as info:
            await client.images.edit(
                model="stabilityai/sd3.5-large",
                prompt="a cat",
                image=png(64, 64),
                edit_mode="search-and-replace",
                provider_options=options,
            )
    assert info.value.param == f"provider_options.{spelled}.grow_mask"


async def test_generate_n3_in_order_with_summed_cost(loopback: Loopback) -> None:
    def by_seed(seen: Seen) -> web.Response:
        return json_image(seed=int(seen.fields["seed"]), data=TINY)

    loopback.handler = by_seed
    async with loopback.client() as client:
        result = await client.images.generate(
            model="stability/sd3.5-large",
            prompt="a fox",
            size="1536x1024",
            n=3,
            seed=7,
            negative_prompt="blurry",
        )
    assert sorted(s.fields["seed"] for s in loopback.seen) == ["7", "8", "9"]
    assert all(s.fields["aspect_ratio"] == "3:2" for s in loopback.seen)
    assert [d.to_bytes() for d in result.data] == [TINY, TINY, TINY]
    assert [d.seed for d in result.data] == [7, 8, 9]  # each image's own seed, in order
    assert result.cost == limner.money.to_usd("0.195")
    assert (result.output_format, result.size) == ("png", "8x8")
    assert result.warnings == []


async def test_n3_with_one_failing_call_returns_the_other_two(loopback: Loopback) -> None:
    def second_fails(seen: Seen) -> web.Response:
        if seen.fields["seed"] == "8":
            return error(400, SPEC_EXAMPLES[400])
        return json_image()

    loopback.handler = second_fails
    async with loopback.client() as client:
        result = await client.images.generate(
            model="stabilityai/stable-image-core", prompt="a fox", n=3, seed=7
        )
    assert len(result.data) == 2
    failed = [w for w in result.warnings if w.code == "call_failed"]
    assert [w.message.split(": ")[:2] for w in failed] == [
        ["call 2 of 3 (1 image(s)) failed", "Stability (bad_request)"]
    ]
    assert result.cost == limner.money.to_usd("0.06")  # 2 × 3 credits × $0.01: the two made


async def test_content_filtered_is_a_warning_then_strict_error(loopback: Loopback) -> None:
    loopback.handler = lambda seen: json_image(finish_reason="CONTENT_FILTERED", seed=11)
    async with loopback.client() as client:
        result = await client.images.generate(model="stabilityai/sd3.5-medium", prompt="p", n=2)
    assert len(result.data) == 2
    assert [(w.code, w.index) for w in result.warnings] == [
        ("content_filtered", 0),
        ("content_filtered", 1),
    ]
    assert "seed 11" in result.warnings[0].message
    assert result.warnings[0].message.endswith("and presumably this one (its docs do not say)")
    assert result.cost == limner.money.to_usd("0.07")  # charged (inference; see prices.py)
    async with loopback.client(strict=True) as client:
        with pytest.raises(limner.ContentPolicyError) as info:
            await client.images.generate(model="stabilityai/sd3.5-medium", prompt="p")
    assert "CONTENT_FILTERED" in (info.value.reason or "")


async def test_raw_image_answer(loopback: Loopback) -> None:
    def raw(seen: Seen) -> web.Response:
        return web.Response(
            body=TINY,
            headers={"content-type": "image/png", "finish-reason": "SUCCESS", "seed": "42"},
        )

    loopback.handler = raw
    async with loopback.client() as client:
        result = await client.images.generate(
            model="stabilityai/stable-image-ultra",
            prompt="p",
            provider_options={"stability": {"accept": "image/*"}},
        )
    assert loopback.seen[0].headers["accept"] == "image/*"
    assert loopback.seen[0].path == "/v2beta/stable-image/generate/ultra"
    assert result.images() == [TINY]
    assert [d.seed for d in result.data] == [42]  # from the seed header
    assert result.cost == limner.money.to_usd("0.08")


async def test_inpaint_through_the_client(loopback: Loopback) -> None:
    from .conftest import png

    image, mask = png(64, 64), png(64, 64, mode="RGBA", hole=True)
    async with loopback.client() as client:
        result = await client.images.edit(
            model="stabilityai/sd3.5-large", prompt="a moon", image=image, mask=mask
        )
    sent = loopback.seen[0]
    assert sent.path == "/v2beta/stable-image/edit/inpaint"
    assert sent.fields == {"prompt": "a moon"}
    assert sent.files["image"] == image
    assert sent.files["mask"].startswith(b"\x89PNG")
    assert result.cost == limner.money.to_usd("0.05")  # 5 credits, inpaint on any model
    assert result.warnings == []
    assert [d.seed for d in result.data] == [343940597]


async def test_split_calls_convert_the_mask_and_a_gif_once(
    loopback: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    """n=3 makes three calls with the same inputs: the mask and the GIF are converted once."""
    import io

    from PIL import Image

    import limner.images
    import limner_stability.edits

    from .conftest import png

    conversions: list[str] = []
    for module, name in ((limner_stability.edits, "mask_to_strength"), (limner.images, "_png_of")):
        real = getattr(module, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            conversions.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    gif = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(gif, format="GIF")
    mask = png(64, 64, mode="RGBA", hole=True)
    async with loopback.client() as client:
        result = await client.images.edit(
            model="stabilityai/sd3.5-large", prompt="a moon", image=gif.getvalue(), mask=mask, n=3
        )
    assert len(loopback.seen) == 3 and len(result.data) == 3
    assert sorted(conversions) == ["_png_of", "mask_to_strength"]
    assert len({bytes(seen.files["mask"]) for seen in loopback.seen}) == 1


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        ({"finish_reason": "SUCCESS"}, limner.NoImageGeneratedError),
        ({"image": "not base64!!", "finish_reason": "SUCCESS"}, limner.ProviderError),
        ([1, 2], limner.ProviderError),
    ],
)
def test_malformed_200s(
    provider: StabilityProvider, make_call: MakeCall, body: Any, cls: type[Exception]
) -> None:
    with pytest.raises(cls):
        provider.parse_response(
            make_call("sd3.5-large"),
            answer(200, body, **{"content-type": "application/json; type=image/png"}),
        )


def test_json_answer_parsed(provider: StabilityProvider, make_call: MakeCall) -> None:
    body = {"image": base64.b64encode(TINY).decode(), "finish_reason": "SUCCESS", "seed": 1}
    result = provider.parse_response(
        make_call("sd3.5-large"),
        answer(200, body, **{"content-type": "application/json; type=image/jpeg"}),
    )
    assert result.images[0].to_bytes() == TINY
    assert result.images[0].seed == 1
    assert result.output_format == "jpeg"  # what the content type says
    assert result.size == "8x8"
    assert result.warnings == []


@pytest.mark.parametrize(
    ("seed", "expected"),
    [("42", 42), ("0", 0), ("4294967294", 4294967294), (None, None), ("", None), ("abc", None)],
)
def test_raw_answer_seed_header(
    provider: StabilityProvider, make_call: MakeCall, seed: str | None, expected: int | None
) -> None:
    headers = {"content-type": "image/png", "finish-reason": "SUCCESS"}
    if seed is not None:
        headers["seed"] = seed
    result = provider.parse_response(make_call("sd3.5-large"), answer(200, TINY, **headers))
    assert [image.seed for image in result.images] == [expected]


@pytest.mark.parametrize("label", ["application/octet-stream", "text/plain", ""])
def test_an_image_a_proxy_relabelled_is_read_by_its_bytes(
    provider: StabilityProvider, make_call: MakeCall, label: str
) -> None:
    """The paid image was thrown away ("neither an image nor a JSON object"), its bytes quoted
    in the message."""
    headers = {"finish-reason": "SUCCESS", "seed": "5"} | ({"content-type": label} if label else {})
    result = provider.parse_response(make_call("sd3.5-large"), answer(200, TINY, **headers))
    assert result.images[0].to_bytes() == TINY
    assert (result.images[0].seed, result.output_format) == (5, "png")
    with pytest.raises(limner.ProviderError) as caught:
        provider.parse_response(
            make_call("sd3.5-large"), answer(200, b"<html>proxy</html>", **headers)
        )
    assert "neither an image nor a JSON object" in caught.value.message


@pytest.mark.parametrize(("seed", "expected"), [(7, 7), (None, None), ("9", 9), (True, None)])
def test_json_answer_seed(
    provider: StabilityProvider, make_call: MakeCall, seed: Any, expected: int | None
) -> None:
    body = {"image": base64.b64encode(TINY).decode(), "finish_reason": "SUCCESS"}
    if seed is not None:
        body["seed"] = seed
    result = provider.parse_response(
        make_call("sd3.5-large"),
        answer(200, body, **{"content-type": "application/json; type=image/png"}),
    )
    assert [image.seed for image in result.images] == [expected]


def test_core_waits_out_the_rate_limit_timeout_before_retrying(provider: StabilityProvider) -> None:
    """Core retries a 429 after the provider's wait: Stability's 60 s timeout when no header
    says otherwise, not core's sub-second backoff."""
    assert provider.retry_after(answer(429, SPEC_EXAMPLES[429])) == 60.0
    assert provider.retry_after(answer(429, SPEC_EXAMPLES[429], **{"retry-after": "7"})) == 7.0
    assert provider.retry_after(answer(503, {"errors": ["busy"]})) is None


def test_a_404_that_is_not_stabilitys_says_to_check_the_base_url(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    """A proxy's page or an empty body: not a missing model (the gateway then answers 503, the
    operator's to fix, without the page)."""
    error = provider.parse_error(make_call("sd3.5-large"), answer(404, b"<html>nope</html>"))
    assert isinstance(error, limner.NotFoundError)
    assert error.code == limner.status_errors.ENDPOINT_NOT_FOUND
    assert error.message.endswith("<html>nope</html>. Is STABILITY_BASE_URL right?")
    assert error.setting == limner.ProviderSetting("stabilityai", "base_url")


def test_stabilitys_own_404_names_what_is_missing_and_is_not_to_retry(
    provider: StabilityProvider, make_call: MakeCall
) -> None:
    body = {"id": "n", "name": "not_found", "errors": ["model sd3.5-flash not found"]}
    error = provider.parse_error(make_call("sd3.5-flash"), answer(404, body))
    assert type(error) is limner.NotFoundError
    assert (error.code, error.retryable) == ("not_found", False)
    assert error.message == (
        "Stability (not_found): model sd3.5-flash not found — check the model, and the base URL"
    )


@pytest.mark.parametrize(
    ("operation", "param", "hint"),
    [
        ("generate", "prompt", "leave out of the prompt a real person's likeness"),
        ("edit", "images[0]", "use an image without a real person's likeness"),
    ],
)
def test_a_public_figure_refusal_says_what_to_change_for_the_call(
    provider: StabilityProvider, make_call: MakeCall, operation: str, param: str, hint: str
) -> None:
    images = [TINY] if operation == "edit" else []
    call = make_call("sd3.5-large", operation, images=images, prompt="x")
    error = provider.parse_error(call, answer(422, PUBLIC_FIGURE))
    assert isinstance(error, limner.ContentPolicyError)
    assert error.param == param and error.message.endswith(hint)


def test_408_and_409_are_retried(provider: StabilityProvider, make_call: MakeCall) -> None:
    for status in (408, 409):
        error = provider.parse_error(make_call("sd3.5-large"), answer(status, {"errors": ["x"]}))
        assert error.retryable, status
        assert not isinstance(error, limner.InvalidRequestError)
