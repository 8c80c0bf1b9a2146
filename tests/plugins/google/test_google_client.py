"""Through ``limner.AsyncClient`` against a loopback server: errors and retries, fan-out, safety in
split requests, strict mode, lifecycle, Vertex auth with fake credentials, secrets. Google's own
retry delays are tested in ``test_google_retry``."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

import limner

from .conftest import FakeCredentials, Server, gemini_answer, png, real_json

IMAGE = png(4, 4)
VERTEX_PREFIX = "/v1beta1/projects/proj/locations/global/publishers/google/models/"
B64 = base64.b64encode(IMAGE).decode()


def predictions(count: int) -> dict[str, Any]:
    return {"predictions": [{"bytesBase64Encoded": B64, "mimeType": "image/png"}] * count}


async def test_503_is_retried_then_succeeds(server: Server) -> None:
    server.answer(503, {"error": {"code": 503, "message": "overloaded", "status": "UNAVAILABLE"}})
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client() as client:
        result = await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert len(server.seen) == 2
    assert result.data[0].b64_json == B64


async def test_imagen_prompt_blocked(server: Server) -> None:
    blocked = real_json(
        "firebase-test-data__vertexai_unary-failure-generate-images-prompt-blocked.json"
    )
    server.answer(400, blocked)
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="bad")
    assert caught.value.reason == blocked["error"]["message"]
    assert len(server.seen) == 1


async def test_403_permission_denied(server: Server) -> None:
    server.answer(
        403, {"error": {"code": 403, "message": "API not enabled", "status": "PERMISSION_DENIED"}}
    )
    async with server.client() as client:
        with pytest.raises(limner.PermissionDeniedError):
            await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")


async def test_shut_down_imagen_still_called_and_404_names_replacement(server: Server) -> None:
    server.answer(200, predictions(1))
    server.answer(
        404,
        {
            "error": {
                "code": 404,
                "message": "models/imagen-4.0-generate-001 is not found",
                "status": "NOT_FOUND",
            }
        },
    )
    async with server.client() as client:
        result = await client.images.generate(
            model="google/imagen-4.0-generate-001", prompt="a fox"
        )
        warning = next(w for w in result.warnings if w.code == "model_shut_down")
        assert (
            "2026-08-17" in warning.message and "google/gemini-3.1-flash-image" in warning.message
        )
        with pytest.raises(limner.NotFoundError) as caught:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a fox")
    assert caught.value.replacement == "google/gemini-3.1-flash-image"
    assert server.seen[0].path == "/v1beta/models/imagen-4.0-generate-001:predict"


async def test_imagen_n5_fans_out_4_plus_1(server: Server) -> None:
    server.responder = lambda body: (200, predictions(body["parameters"]["sampleCount"]))
    async with server.client() as client:
        result = await client.images.generate(
            model="google/imagen-4.0-fast-generate-001", prompt="a fox", n=5
        )
    assert sorted(s.body["parameters"]["sampleCount"] for s in server.seen) == [1, 4]
    assert len(result.data) == 5
    assert result.cost == Decimal("0.10")


async def test_a_gemini_answer_gives_its_pixel_size_and_is_priced_by_the_class_sent(
    server: Server,
) -> None:
    """Gemini says no size: the response's ``size`` is read from the image (a ``WxH``, as the
    OpenAI surface has it), while the call is priced by the ``imageSize`` class it sent (2K),
    here by the per-image row, since this answer reports no usage."""
    answer = gemini_answer(None, image=png(2048, 1152))
    del answer["usageMetadata"]
    server.answer(200, answer)
    async with server.client() as client:
        result = await client.images.generate(
            model="google/gemini-3.1-flash-image", prompt="a fox", size="2048x1152"
        )
    sent = server.seen[0].body["generationConfig"]["imageConfig"]
    assert (sent["imageSize"], sent["aspectRatio"]) == ("2K", "16:9")
    assert result.size == "2048x1152"
    assert result.cost == Decimal("0.101")


async def test_gemini_n3_makes_three_calls(server: Server) -> None:
    server.answer(200, gemini_answer("Here.", image=IMAGE))
    async with server.client() as client:
        result = await client.images.generate(
            model="google/gemini-2.5-flash-image", prompt="a fox", n=3
        )
    assert len(server.seen) == 3
    assert all("candidateCount" not in s.body["generationConfig"] for s in server.seen)
    assert [d.revised_prompt for d in result.data] == ["Here."] * 3
    assert result.usage is not None and result.usage.output_tokens_details is not None
    assert result.usage.output_tokens_details.image_tokens == 3 * 1290
    # per call: 10 x 0.30 + 1290 x 30 + 10 x 2.50 per million
    assert result.cost == 3 * Decimal("0.038728")


@pytest.mark.parametrize("strict", [False, True])
async def test_one_blocked_call_of_three(server: Server, strict: bool) -> None:
    """The two good images (already billed) are kept with a content_filtered notice; strict
    mode turns the notice into an error."""
    calls: list[Any] = []

    def respond(body: Any) -> tuple[int, Any]:
        calls.append(body)
        if len(calls) == 2:
            return 200, {"candidates": [{"finishReason": "IMAGE_SAFETY"}]}
        return 200, gemini_answer(image=IMAGE)

    server.responder = respond
    client = limner.AsyncClient(
        providers={"google": {"api_key": "k", "base_url": server.url}}, strict=strict, environ={}
    )
    async with client:
        if strict:
            with pytest.raises(limner.ContentPolicyError):
                await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x", n=3)
            return
        result = await client.images.generate(
            model="google/gemini-2.5-flash-image", prompt="x", n=3
        )
    assert len(calls) == 3
    assert len(result.data) == 2
    assert [w.code for w in result.warnings if w.code == "content_filtered"] == ["content_filtered"]


@pytest.mark.parametrize("strict", [False, True])
async def test_every_call_of_a_split_gemini_request_blocked(server: Server, strict: bool) -> None:
    """Each blocked call is a content_filtered notice; with no image left core raises
    ContentPolicyError carrying the notices, not NoImageGeneratedError."""
    server.answer(
        200,
        {"candidates": [{"finishReason": "IMAGE_SAFETY", "finishMessage": "Unable to show."}]},
    )
    client = limner.AsyncClient(
        providers={"google": {"api_key": "k", "base_url": server.url}}, strict=strict, environ={}
    )
    async with client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x", n=3)
    notice = "1 image(s) blocked: finishReason IMAGE_SAFETY: Unable to show."
    assert len(server.seen) == 3
    assert type(caught.value) is limner.ContentPolicyError
    assert caught.value.reason == "IMAGE_SAFETY: Unable to show."  # Google's, as with n=1
    assert caught.value.stage == "output"
    assert caught.value.provider == "google"
    assert caught.value.model == "google/gemini-2.5-flash-image"
    assert caught.value.message == (  # the same with strict: there is no image to keep
        f"google/gemini-2.5-flash-image: every image was withheld: {notice} (×3)"
    )


async def test_every_call_of_a_split_imagen_request_filtered(server: Server) -> None:
    """n=5 goes out as 4 + 1; Google's all-filtered answer (Firebase mock data) to both is a
    content-policy error carrying both notices."""
    body = real_json("firebase-test-data__vertexai_unary-failure-generate-images-all-filtered.json")
    reason = body["predictions"][0]["raiFilteredReason"]
    server.answer(200, body)
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="x", n=5)
    assert sorted(s.body["parameters"]["sampleCount"] for s in server.seen) == [1, 4]
    notices = [f"{n} image(s) blocked: all images were filtered ({reason})" for n in (4, 1)]
    assert type(caught.value) is limner.ContentPolicyError
    assert caught.value.reason == reason
    assert caught.value.message == (
        f"google/imagen-4.0-generate-001: every image was withheld: {'; '.join(notices)}; "
        "the calls that answered cost $0"
    )
    assert caught.value.cost == 0  # "You will not be charged for blocked images"
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as one:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="x")
    assert one.value.cost == 0  # (it was None: unknown)


async def test_split_prompt_block_on_every_call(server: Server) -> None:
    server.answer(
        200, real_json("firebase-test-data__googleai_unary-failure-only-prompt-feedback.json")
    )
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/gemini-3-pro-image", prompt="x", n=2)
    assert len(server.seen) == 2
    assert caught.value.reason == "Message"  # Google's blockReasonMessage, as with n=1
    assert caught.value.stage == "input"


_TEXT_ONLY = {"candidates": [{"content": {"role": "model", "parts": [{"text": "no"}]}}]}
_BLOCKED = {
    "promptFeedback": {
        "blockReason": "SAFETY",
        "safetyRatings": [
            {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "HIGH", "blocked": True}
        ],
    },
    "usageMetadata": {"promptTokenCount": 10, "totalTokenCount": 10},
}


@pytest.mark.parametrize("answer", [_BLOCKED, _TEXT_ONLY], ids=["blocked", "text"])
async def test_a_split_request_that_made_nothing_keeps_googles_words(
    server: Server, answer: dict[str, Any]
) -> None:
    """With n=2 (two calls) the refusal lost Google's reason, stage and categories (and so
    the gateway's moderation_details), and a text-only answer its text: core rebuilt the
    error from limner's notices."""
    server.answer(200, answer)
    caught: list[limner.LimnerError] = []
    async with server.client() as client:
        for n in (1, 2):
            with pytest.raises(limner.LimnerError) as raised:
                await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x", n=n)
            caught.append(raised.value)
    one, split = caught
    assert type(one) is type(split)
    if isinstance(one, limner.ContentPolicyError):
        assert isinstance(split, limner.ContentPolicyError)
        assert (split.reason, split.stage, split.categories) == (
            "SAFETY",
            "input",
            ("HARM_CATEGORY_SEXUALLY_EXPLICIT",),
        )
        assert (split.reason, split.stage, split.categories) == (
            one.reason,
            one.stage,
            one.categories,
        )
        details = split.to_openai()["error"]["moderation_details"]
        assert details == one.to_openai()["error"]["moderation_details"]
    else:
        assert isinstance(one, limner.NoImageGeneratedError)
        assert isinstance(split, limner.NoImageGeneratedError)
        assert split.text == one.text == "no"


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (
            real_json("firebase-test-data__googleai_unary-failure-only-prompt-feedback.json"),
            limner.ContentPolicyError,
        ),
        (_TEXT_ONLY, limner.NoImageGeneratedError),
    ],
)
async def test_a_split_request_that_made_nothing_names_an_answer_by_its_response_id(
    server: Server, answer: dict[str, Any], kind: type[limner.LimnerError]
) -> None:
    """Google sends no request-id header: the answers' responseId is the id its support asks
    for, on the error of a split request too (each call's empty answer is no error itself)."""
    server.answer(200, {**answer, "responseId": "QV8oae6ZGKGnmtkPoanu6A0"})
    async with server.client() as client:
        with pytest.raises(kind) as caught:
            await client.images.generate(model="google/gemini-3-pro-image", prompt="x", n=2)
    assert len(server.seen) == 2
    assert caught.value.request_id == "QV8oae6ZGKGnmtkPoanu6A0"


# Firebase's recorded answer: 7 prompt tokens, 20 text tokens, finishReason SAFETY; at
# gemini-2.5-flash-image's rates (0.30 text in, 2.50 text out per million) that is $0.0000521
SAFETY = "firebase-test-data__googleai_unary-failure-finish-reason-safety.json"
SAFETY_COST = Decimal("0.0000021") + Decimal("0.00005")


async def test_a_blocked_call_carries_the_cost_of_its_usage(server: Server) -> None:
    """A request made in one call raises, and its error prices the usage Google reported (the
    answer's text tokens may be billed), saying so in its message and billing_note."""
    server.answer(200, real_json(SAFETY))
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x")
    error = caught.value
    assert error.usage is not None and error.usage.input_tokens == 7
    assert error.cost == SAFETY_COST
    note = "the usage google reported for its calls may be billed ($0.0000521)"
    assert error.message.endswith(f"; {note}")
    assert error.billing_note == note


async def test_every_call_blocked_sums_the_usage_of_the_calls(server: Server) -> None:
    server.answer(200, real_json(SAFETY))
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x", n=3)
    assert len(server.seen) == 3
    assert caught.value.usage is not None and caught.value.usage.input_tokens == 3 * 7
    assert caught.value.cost == 3 * SAFETY_COST


async def test_a_text_only_answer_carries_the_cost_of_its_tokens(server: Server) -> None:
    body = gemini_answer(text="I can only describe it.")
    body["candidates"][0]["finishReason"] = "NO_IMAGE"
    body["usageMetadata"] = {
        "promptTokenCount": 10,
        "candidatesTokenCount": 25,
        "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 25}],
    }
    server.answer(200, body)
    async with server.client() as client:
        with pytest.raises(limner.NoImageGeneratedError) as caught:
            await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x")
    assert caught.value.text == "I can only describe it."
    assert caught.value.cost == (10 * Decimal("0.30") + 25 * Decimal("2.50")) / 1_000_000


async def test_an_answer_without_usage_carries_no_cost(server: Server) -> None:
    server.answer(200, {"candidates": [{"finishReason": "IMAGE_SAFETY"}]})
    async with server.client() as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x")
    assert caught.value.usage is None and caught.value.cost is None
    assert "billed" not in caught.value.message and caught.value.billing_note == ""


async def test_imagen_some_filtered_strict_raises(server: Server) -> None:
    server.answer(
        200,
        real_json(
            "firebase-test-data__vertexai_unary-failure-generate-images-base64-some-filtered.json"
        ),
    )
    client = limner.AsyncClient(
        providers={"google": {"api_key": "k", "base_url": server.url}}, strict=True, environ={}
    )
    async with client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="x", n=4)
    assert "filtered out 2" in (caught.value.reason or "")


async def test_gemini_mask_is_a_clear_error(server: Server) -> None:
    async with server.client() as client:
        with pytest.raises(limner.UnsupportedFeatureError) as caught:
            await client.images.edit(
                model="google/gemini-3-pro-image",
                prompt="hat",
                image=png(8, 8),
                mask=png(8, 8, mode="RGBA", hole=True),
            )
    assert caught.value.param == "mask"
    assert server.seen == []


async def test_vertex_auth_with_fake_credentials(server: Server) -> None:
    credentials = FakeCredentials(quota_project_id="billing-proj")
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(
        vertexai=True, project="proj", location="global", credentials=credentials
    ) as client:
        await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox", n=3)
    assert credentials.refreshes == 1  # shared by the three fanned-out calls
    for seen in server.seen:
        assert seen.path == f"{VERTEX_PREFIX}gemini-3-pro-image:generateContent"
        assert seen.headers["authorization"] == "Bearer ya29.fake-1"
        assert seen.headers["x-goog-user-project"] == "billing-proj"
        assert "x-goog-api-key" not in seen.headers


async def test_vertex_adc_is_loaded_once(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    import google.auth

    made: list[FakeCredentials] = []

    def fake_default(scopes: list[str]) -> tuple[FakeCredentials, str]:
        assert scopes == ["https://www.googleapis.com/auth/cloud-platform"]
        made.append(FakeCredentials("adc"))
        return made[-1], "adc-project"

    monkeypatch.setattr(google.auth, "default", fake_default)
    server.answer(200, predictions(1))
    async with server.client(
        vertexai=True, project="p", location="us-central1", api_key=None
    ) as client:
        await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
        await client.images.generate(model="google/imagen-4.0-generate-001", prompt="b")
    assert len(made) == 1
    assert [s.headers["authorization"] for s in server.seen] == ["Bearer adc-1"] * 2


ADC_PREFIX = "/v1beta1/projects/adc-project/locations/global/publishers/google/models/"


def fake_adc(
    monkeypatch: pytest.MonkeyPatch, project: str | None = "adc-project"
) -> list[FakeCredentials]:
    """``google.auth.default`` answering with new credentials naming ``project``; the list holds
    every credentials object it made, one per call."""
    import google.auth

    made: list[FakeCredentials] = []

    def fake_default(scopes: list[str]) -> tuple[FakeCredentials, str | None]:
        made.append(FakeCredentials("adc"))
        return made[-1], project

    monkeypatch.setattr(google.auth, "default", fake_default)
    return made


async def test_vertex_project_from_adc(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """No project configured: ADC names it, as the SDK's ``load_auth`` does. It is looked up
    once per client, with the credentials that then sign every call, concurrent ones included,
    on the chat and images paths; a dry run then shows it."""
    made = fake_adc(monkeypatch)
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client(vertexai=True, api_key=None) as client:
        await client.chat.completions.create(
            model="google/gemini-3-pro-image", messages=[{"role": "user", "content": "b"}]
        )
        result = await client.images.generate(model="google/gemini-3-pro-image", prompt="a", n=3)
        plan = await client.images.generate(
            model="google/gemini-3-pro-image", prompt="c", dry_run=True
        )
    assert len(made) == 1
    assert [(s.path, s.headers["authorization"]) for s in server.seen] == [
        (f"{ADC_PREFIX}gemini-3-pro-image:generateContent", "Bearer adc-1")
    ] * 4
    assert [w.code for w in result.warnings] == ["price_unverified"]
    assert plan.requests[0]["url"].endswith(f"{ADC_PREFIX}gemini-3-pro-image:generateContent")
    assert [w.code for w in plan.warnings] == ["price_unverified"]


async def test_vertex_adc_without_a_project_says_what_to_set(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is sent; the next call looks again (a project set meanwhile is found)."""
    made = fake_adc(monkeypatch, project=None)
    async with server.client(vertexai=True, api_key=None) as client:
        for _ in range(2):
            with pytest.raises(limner.InvalidRequestError) as caught:
                await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
            assert caught.value.param == "providers.google.project"
            assert caught.value.setting == limner.ProviderSetting("google", "project")
            assert caught.value.message.endswith(
                "set GOOGLE_CLOUD_PROJECT, or run 'gcloud config set project PROJECT_ID'"
            )
    assert server.seen == []
    assert len(made) == 2


async def test_vertex_given_credentials_sign_and_adc_names_the_project(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = fake_adc(monkeypatch)
    credentials = FakeCredentials("given")
    server.answer(200, predictions(1))
    async with server.client(vertexai=True, api_key=None, credentials=credentials) as client:
        await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
    assert [(s.path, s.headers["authorization"]) for s in server.seen] == [
        (f"{ADC_PREFIX}imagen-4.0-generate-001:predict", "Bearer given-1")
    ]
    assert (len(made), made[0].refreshes) == (1, 0)  # ADC's own credentials are not used


async def test_vertex_given_credentials_name_their_own_project(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service account's credentials carry ``project_id``: ADC is not asked."""
    made = fake_adc(monkeypatch)
    credentials = FakeCredentials("given")
    credentials.project_id = "sa-project"  # type: ignore[attr-defined]
    server.answer(200, predictions(1))
    async with server.client(vertexai=True, api_key=None, credentials=credentials) as client:
        await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
    assert server.seen[0].path.startswith("/v1beta1/projects/sa-project/")
    assert made == []
    async with limner.AsyncClient(
        providers={"google": {"vertexai": True, "credentials": credentials}}, environ={}
    ) as client:
        plan = await client.images.generate(
            model="google/imagen-4.0-generate-001", prompt="a", dry_run=True
        )
    assert "/projects/sa-project/" in plan.requests[0]["url"]  # known without any I/O
    assert "project_from_credentials" not in [w.code for w in plan.warnings]
    assert made == []


async def test_vertex_given_credentials_without_a_project_or_adc_ask_for_the_project(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ADC on the machine is not the problem when credentials were given: the project is."""
    import google.auth
    import google.auth.exceptions

    def no_adc(scopes: list[str]) -> None:
        raise google.auth.exceptions.DefaultCredentialsError("none found")  # type: ignore[no-untyped-call]

    monkeypatch.setattr(google.auth, "default", no_adc)
    credentials = FakeCredentials("given")
    async with server.client(vertexai=True, api_key=None, credentials=credentials) as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
    assert caught.value.param == "providers.google.project"
    assert server.seen == []


async def test_dry_run_without_a_project_shows_where_it_comes_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import google.auth

    def boom(**_: Any) -> None:
        raise AssertionError("ADC touched in a dry run")

    monkeypatch.setattr(google.auth, "default", boom)
    async with limner.AsyncClient(providers={"google": {"vertexai": True}}, environ={}) as client:
        plan = await client.images.generate(
            model="google/gemini-3-pro-image", prompt="a fox", dry_run=True
        )
    assert plan.requests[0]["url"] == (
        "https://aiplatform.googleapis.com/v1beta1/projects/{project}/locations/global/"
        "publishers/google/models/gemini-3-pro-image:generateContent"
    )
    assert [w.code for w in plan.warnings] == ["project_from_credentials", "price_unverified"]


async def test_dry_run_needs_no_credentials_and_never_touches_adc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import google.auth

    def boom(**_: Any) -> None:
        raise AssertionError("ADC touched in a dry run")

    monkeypatch.setattr(google.auth, "default", boom)
    google_settings = {"vertexai": True, "project": "p"}
    async with limner.AsyncClient(providers={"google": google_settings}, environ={}) as client:
        plan = await client.images.generate(
            model="google/gemini-3-pro-image", prompt="a fox", dry_run=True
        )
    assert plan.requests[0]["headers"]["authorization"] == "<redacted>"


async def test_missing_api_key_names_the_variables() -> None:
    async with limner.AsyncClient(environ={}) as client:
        with pytest.raises(limner.MissingCredentialsError) as caught:
            await client.images.generate(model="google/gemini-3-pro-image", prompt="a fox")
    assert "GOOGLE_API_KEY or GEMINI_API_KEY" in caught.value.message


async def test_api_key_never_in_a_dry_run() -> None:
    async with limner.AsyncClient(
        providers={"google": {"api_key": "AIza-secret"}}, environ={}
    ) as client:
        plan = await client.images.generate(
            model="google/gemini-3-pro-image", prompt="a fox", dry_run=True
        )
    assert "AIza-secret" not in json.dumps(plan.model_dump(mode="json"))


async def test_credential_headers_refused_in_extra_headers(server: Server) -> None:
    async with server.client() as client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await client.images.generate(
                model="google/gemini-3-pro-image", prompt="a", extra_headers={"x-goog-api-key": "x"}
            )
    assert caught.value.param == "extra_headers.x-goog-api-key"


async def test_response_format_url_is_reported(server: Server) -> None:
    server.answer(200, gemini_answer(image=IMAGE))
    async with server.client() as client:
        result = await client.images.generate(
            model="google/gemini-3-pro-image", prompt="a", response_format="url"
        )
    assert [(a.param, a.applied) for a in result.adjustments] == [("response_format", "b64_json")]
    assert result.data[0].b64_json == B64


async def _vertex_failure(server: Server, credentials: FakeCredentials) -> limner.LimnerError:
    """The error of an Imagen call on Vertex AI signed with ``credentials``."""
    async with server.client(
        vertexai=True, api_key=None, credentials=credentials, project="p"
    ) as client:
        with pytest.raises(limner.LimnerError) as caught:
            await client.images.generate(model="google/imagen-4.0-generate-001", prompt="a")
    return caught.value


@pytest.mark.parametrize(
    ("failure", "kind", "retried"),
    [
        ("RefreshError", limner.AuthenticationError, False),
        ("TransportError", limner.ProviderConnectionError, True),
        ("DefaultCredentialsError", limner.MissingCredentialsError, False),
    ],
)
async def test_credentials_google_auth_cannot_use_say_googles_reason(
    server: Server, failure: str, kind: type[limner.LimnerError], retried: bool
) -> None:
    """All three were one MissingCredentialsError telling the user to set the variable they
    had set, without google-auth's reason; a token service not reached was not retried."""
    import google.auth.exceptions

    class Refused(FakeCredentials):
        def refresh(self, request: object) -> None:
            self.refreshes += 1
            error = getattr(google.auth.exceptions, failure)
            raise error("invalid_grant: Invalid JWT Signature.")

    credentials = Refused()
    error = await _vertex_failure(server, credentials)
    assert type(error) is kind
    assert f"{failure}: invalid_grant: Invalid JWT Signature." in error.message
    assert error.retryable is retried
    assert credentials.refreshes == (3 if retried else 1)  # (the client's two retries)
    assert server.seen == []


@pytest.mark.parametrize("how", ["wrapped", "retryable"])
async def test_a_refresh_error_google_auth_says_is_the_networks_is_retried(
    server: Server, how: str
) -> None:
    """GCE's metadata credentials wrap an unreachable metadata server's TransportError in a
    RefreshError, and a token endpoint's 5xx is a RefreshError marked retryable: both were
    "Google refused the credentials", not retried, a 503 the gateway's operator was told to
    fix by renewing them."""
    import google.auth.exceptions

    auth_errors: Any = google.auth.exceptions  # (untyped)

    class Unreached(FakeCredentials):
        def refresh(self, request: object) -> None:
            self.refreshes += 1
            if how == "wrapped":
                cause = auth_errors.TransportError("Failed to retrieve the metadata")
                raise auth_errors.RefreshError(cause) from cause
            raise auth_errors.RefreshError("temporarily_unavailable: try later", retryable=True)

    credentials = Unreached()
    error = await _vertex_failure(server, credentials)
    assert isinstance(error, limner.ProviderConnectionError)
    assert error.retryable is True
    assert error.message.startswith("could not get a token from Google's token service")
    assert credentials.refreshes == 3  # retried twice
    assert server.seen == []


async def test_a_metadata_server_that_answered_a_refusal_is_not_retried(server: Server) -> None:
    """A VM without a service account: GCE's metadata server answers 404, which google-auth
    raises as a TransportError carrying the answer, wrapped in a RefreshError. It was reached:
    a setup to fix, not a network to retry."""
    import google.auth.exceptions

    auth_errors: Any = google.auth.exceptions  # (untyped)

    class NoAccount(FakeCredentials):
        def refresh(self, request: object) -> None:
            self.refreshes += 1
            cause = auth_errors.TransportError("Status: 404 service account not found", object())
            raise auth_errors.RefreshError(cause) from cause

    credentials = NoAccount()
    error = await _vertex_failure(server, credentials)
    assert isinstance(error, limner.AuthenticationError)
    assert error.retryable is False and credentials.refreshes == 1
    assert "RefreshError: Status: 404 service account not found" in error.message
    assert " object at 0x" not in error.message  # the wrapped error's words, no repr


@pytest.mark.parametrize("surface", ["images", "chat"])
async def test_a_200_holding_a_google_error_is_that_error(server: Server, surface: str) -> None:
    """It was "answered without an image" (or "neither text nor an image"), Google's words
    and status lost."""
    overloaded = {"code": 503, "status": "UNAVAILABLE", "message": "The model is overloaded."}
    server.answer(200, {"error": overloaded})
    async with server.client(retry=limner.http.RetryPolicy(max_retries=0)) as client:
        with pytest.raises(limner.LimnerError) as caught:
            if surface == "images":
                await client.images.generate(model="google/gemini-3-pro-image", prompt="a")
            else:
                await client.chat.completions.create(
                    model="google/gemini-3-pro-image", messages=[{"role": "user", "content": "a"}]
                )
    assert type(caught.value) is limner.ProviderUnavailableError
    assert caught.value.message.startswith("Google (UNAVAILABLE): The model is overloaded.")
    assert caught.value.retryable is True
