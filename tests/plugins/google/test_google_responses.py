"""parse_response, parse_error and pricing on Google's real and documented answers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

import limner
from limner import WireResponse
from limner.plugins import Registry
from limner_google import GoogleProvider
from limner_google.usage import usage_from_metadata

from .conftest import MakeCall, model, real_json


def answer(status: int, body: Any, **headers: str) -> WireResponse:
    return WireResponse(status, headers, json.dumps(body).encode())


def candidate(parts: list[dict[str, Any]], finish: str = "STOP", **extra: Any) -> dict[str, Any]:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": finish, **extra}
        ]
    }


# ---- Gemini answers --------------------------------------------------------------------------


def test_finish_reason_safety_is_a_content_policy_error(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    body = real_json("firebase-test-data__googleai_unary-failure-finish-reason-safety.json")
    with pytest.raises(limner.ContentPolicyError) as caught:
        provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert caught.value.reason == "SAFETY"
    assert caught.value.provider == "google"
    assert caught.value.stage == "output"
    assert caught.value.categories == ()  # every rating NEGLIGIBLE, none marked blocked
    assert "it said: 'Safety error incoming in 5, 4, 3, 2...'" in caught.value.message


def test_a_block_names_the_categories_google_marked_blocked(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """``safetyRatings[].blocked`` [safety.proto SafetyRating; DISC SafetyRating] marks what
    was blocked: the error carries those categories, and the stage (the prompt: input; the
    model's answer: output), which the gateway's body gives as ``moderation_details``."""
    ratings = [
        {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
        {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "HIGH", "blocked": True},
    ]
    prompt_blocked = {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": ratings}}
    answer_blocked = candidate([], "IMAGE_SAFETY", safetyRatings=ratings)
    for body, stage in ((prompt_blocked, "input"), (answer_blocked, "output")):
        with pytest.raises(limner.ContentPolicyError) as caught:
            provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
        assert (caught.value.stage, caught.value.categories) == (
            stage,
            ("HARM_CATEGORY_SEXUALLY_EXPLICIT",),
        )
        assert caught.value.to_openai()["error"]["moderation_details"] == {
            "moderation_stage": stage,
            "categories": ["HARM_CATEGORY_SEXUALLY_EXPLICIT"],
        }


def test_prompt_feedback_without_candidates_is_a_block(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    body = real_json("firebase-test-data__googleai_unary-failure-only-prompt-feedback.json")
    with pytest.raises(limner.ContentPolicyError) as caught:
        provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert caught.value.reason == "Message"


def test_block_reason_is_quoted(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}
    with pytest.raises(limner.ContentPolicyError) as caught:
        provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert caught.value.reason == "PROHIBITED_CONTENT"
    assert "PROHIBITED_CONTENT" in caught.value.message


@pytest.mark.parametrize(
    "finish", ["IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "PROHIBITED_CONTENT"]
)
def test_image_safety_finish_reasons(
    provider: GoogleProvider, make_call: MakeCall, finish: str
) -> None:
    body = candidate([], finish, finishMessage="Unable to show the generated image.")
    with pytest.raises(limner.ContentPolicyError) as caught:
        provider.parse_response(make_call("gemini-2.5-flash-image"), answer(200, body))
    assert caught.value.reason == f"{finish}: Unable to show the generated image."


def test_block_in_a_split_request_is_a_notice(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    call = make_call("gemini-2.5-flash-image", n=1, request_n=3)
    result = provider.parse_response(call, answer(200, candidate([], "IMAGE_SAFETY")))
    assert result.images == []
    assert [(w.code, "IMAGE_SAFETY" in w.message) for w in result.warnings] == [
        ("content_filtered", True)
    ]


def test_no_image_keeps_the_text(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = candidate([{"text": "I can only describe it: a fox."}], "NO_IMAGE")
    with pytest.raises(limner.NoImageGeneratedError) as caught:
        provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert caught.value.text == "I can only describe it: a fox."
    assert "NO_IMAGE" in caught.value.message


def test_text_parts_become_revised_prompt_and_thoughts_are_skipped(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """Text on each side of an image is joined with a blank line, as chat joins it: captions
    of an illustrated story ran together ("onetwo")."""
    body = candidate(
        [
            {"text": "planning...", "thought": True},
            {"text": "Here is ", "thoughtSignature": "sig"},
            {"text": "your fox."},
            {"inlineData": {"mimeType": "image/png", "data": "aGk="}, "thoughtSignature": "sig"},
            {"text": "And at dusk."},
            {"inlineData": {"mimeType": "image/png", "data": "aGk="}},
        ]
    )
    result = provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    said = "Here is your fox.\n\nAnd at dusk."
    assert [(i.b64_json, i.revised_prompt) for i in result.images] == [("aGk=", said)] * 2
    assert result.output_format == "png"


def test_the_format_is_the_final_images_not_a_thoughts(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """With thoughts included, an interim image comes first: the answer's format is that of the
    image limner returns."""
    body = candidate(
        [
            {"inlineData": {"mimeType": "image/png", "data": "aGk="}, "thought": True},
            {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/"}},
        ]
    )
    result = provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert ([i.b64_json for i in result.images], result.output_format) == (["/9j/"], "jpeg")


def test_the_request_id_is_the_answers_response_id(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """Google sends no request-id header; its answer's ``responseId`` names it."""
    body = candidate([{"inlineData": {"mimeType": "image/png", "data": "aGk="}}])
    body["responseId"] = "QV8oae6ZGKGnmtkPoanu6A0"
    result = provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert result.request_id == "QV8oae6ZGKGnmtkPoanu6A0"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"promptFeedback": {"blockReason": "SAFETY"}}, limner.ContentPolicyError),
        (candidate([], "IMAGE_SAFETY"), limner.ContentPolicyError),
    ],
)
def test_an_error_read_from_an_answer_names_it_by_its_response_id(
    provider: GoogleProvider,
    make_call: MakeCall,
    body: dict[str, Any],
    kind: type[limner.LimnerError],
) -> None:
    """The answer may be billed: the error carries the id Google's support asks for."""
    body = {**body, "responseId": "QV8oae6ZGKGnmtkPoanu6A0"}
    with pytest.raises(kind) as caught:
        provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert caught.value.request_id == "QV8oae6ZGKGnmtkPoanu6A0"


def test_unusual_finish_with_an_image_is_a_warning(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    body = candidate([{"inlineData": {"mimeType": "image/png", "data": "aGk="}}], "MAX_TOKENS")
    result = provider.parse_response(make_call("gemini-3-pro-image"), answer(200, body))
    assert len(result.images) == 1
    assert [w.code for w in result.warnings] == ["finish_reason"]


def test_not_json_is_a_provider_error(provider: GoogleProvider, make_call: MakeCall) -> None:
    response = WireResponse(200, {}, b"<html>oops</html>")
    with pytest.raises(limner.ProviderError):
        provider.parse_response(make_call("gemini-3-pro-image"), response)


# ---- Imagen answers --------------------------------------------------------------------------


def test_all_filtered_is_a_content_policy_error(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    body = real_json("firebase-test-data__vertexai_unary-failure-generate-images-all-filtered.json")
    with pytest.raises(limner.ContentPolicyError) as caught:
        provider.parse_response(make_call("imagen-4.0-generate-001", n=4), answer(200, body))
    assert (caught.value.reason or "").startswith("Unable to show generated images.")
    assert caught.value.stage == "output"


def test_all_filtered_in_a_split_request_is_a_notice(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    body = real_json("firebase-test-data__vertexai_unary-failure-generate-images-all-filtered.json")
    call = make_call("imagen-4.0-generate-001", n=1, request_n=5)
    result = provider.parse_response(call, answer(200, body))
    assert result.images == []
    assert [w.code for w in result.warnings] == ["content_filtered"]


def test_positive_prompt_entry_is_skipped(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = {
        "predictions": [
            {"bytesBase64Encoded": "aGk=", "mimeType": "image/jpeg"},
            {
                "contentType": "Positive Prompt",
                "safetyAttributes": {"categories": [], "scores": []},
            },
        ]
    }
    result = provider.parse_response(make_call("imagen-4.0-generate-001"), answer(200, body))
    assert [i.b64_json for i in result.images] == ["aGk="]
    assert result.output_format == "jpeg"
    assert result.warnings == []


def test_missing_images_without_a_reason_are_reported(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    body = {"predictions": [{"bytesBase64Encoded": "aGk=", "mimeType": "image/png"}]}
    result = provider.parse_response(make_call("imagen-4.0-generate-001", n=3), answer(200, body))
    assert len(result.images) == 1
    assert "1 of 3" in result.warnings[0].message


def test_empty_imagen_answer(provider: GoogleProvider, make_call: MakeCall) -> None:
    with pytest.raises(limner.NoImageGeneratedError):
        provider.parse_response(make_call("imagen-4.0-generate-001"), answer(200, {}))


def test_vercel_edit_fixture(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = real_json("vercel-ai__google-vertex-image-edit.imagen-predict.json")
    call = make_call("imagen-4.0-generate-001")
    result = provider.parse_response(call, answer(200, body))
    assert len(result.images) == 1 and result.images[0].revised_prompt is None


# ---- errors ----------------------------------------------------------------------------------


def test_invalid_api_key(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = real_json("firebase-test-data__googleai_unary-failure-api-key.json")
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(400, body))
    assert type(error) is limner.AuthenticationError
    assert error.code == "invalid_api_key"  # OpenAI's code for it; Google's status in the words
    assert error.message.startswith("Google (INVALID_ARGUMENT): API key not valid")
    assert "GEMINI_API_KEY" in error.message
    assert error.body == body["error"]  # as the openai SDK's error.body holds it


def test_imagen_prompt_blocked(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = real_json(
        "firebase-test-data__vertexai_unary-failure-generate-images-prompt-blocked.json"
    )
    error = provider.parse_error(make_call("imagen-4.0-generate-001"), answer(400, body))
    assert isinstance(error, limner.ContentPolicyError)
    assert error.reason == body["error"]["message"]
    assert (error.code, error.stage) == ("content_policy_violation", "input")
    assert error.to_openai()["error"]["code"] == "content_policy_violation"
    assert "INVALID_ARGUMENT" in error.message  # Google's own status stays in the words


def test_a_bad_request_names_the_field_google_names(
    provider: GoogleProvider, make_call: MakeCall
) -> None:
    """A 400 whose ``google.rpc.BadRequest`` names a field (a forwarded field's typo, as the
    real answers in simonw/llm-gemini#49 do) has it as the error's ``param``."""
    body = {
        "error": {
            "code": 400,
            "message": 'Invalid JSON payload received. Unknown name "aspect_ratioo" at '
            "'generation_config.image_config': Cannot find field.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {
                            "field": "generation_config.image_config",
                            "description": "Invalid JSON payload received. Unknown name "
                            '"aspect_ratioo"',
                        }
                    ],
                }
            ],
        }
    }
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(400, body))
    assert type(error) is limner.InvalidRequestError
    assert error.param == "generation_config.image_config"
    body["error"]["details"] = []
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(400, body))
    assert (type(error), error.param) == (limner.InvalidRequestError, None)


def _violation(field: str) -> dict[str, Any]:
    detail = {"@type": "type.googleapis.com/google.rpc.BadRequest"}
    detail["fieldViolations"] = [{"field": field, "description": "Invalid value"}]  # type: ignore[assignment]
    error = {"code": 400, "message": f"Invalid value at '{field}'", "status": "INVALID_ARGUMENT"}
    return {"error": {**error, "details": [detail]}}


@pytest.mark.parametrize(
    ("model", "field", "fields", "param"),
    [
        (  # the request's image_config, in either of Google's spellings
            "gemini-3-pro-image",
            "generation_config.image_config.image_size",
            {"image_config": {"image_size": "2K"}},
            "image_config.image_size",
        ),
        (
            "gemini-3-pro-image",
            "generationConfig.imageConfig.aspectRatio",
            {"image_config": {"aspect_ratio": "16:9"}},
            "image_config.aspect_ratio",
        ),
        (
            "gemini-3-pro-image",
            "generation_config.image_config.aspect_ratio",
            {"size": "1536x1024"},
            "size",
        ),
        ("gemini-3-pro-image", "generation_config.seed", {"seed": 7}, "seed"),
        (
            "gemini-3-pro-image",
            "generation_config.thinking_config.thinking_level",
            {"provider_options": {"google": {"thinking_level": "LOW"}}},
            "provider_options.google.thinking_level",
        ),
        (  # written by limner of its own accord: no field of the caller's gave it
            "gemini-3-pro-image",
            "generation_config.response_modalities",
            {},
            "generation_config.response_modalities",
        ),
        (
            "gemini-3-pro-image",
            "generationConfig.thinkingConfig.thinkingLevel",
            {},
            "generationConfig.thinkingConfig.thinkingLevel",
        ),
        ("imagen-4.0-generate-001", "parameters.sample_count", {}, "n"),
        ("imagen-4.0-generate-001", "parameters.sampleImageSize", {"size": "2048x2048"}, "size"),
        ("imagen-4.0-generate-001", "instances[0].prompt", {}, "prompt"),
        ("imagen-4.0-generate-001", "parameters.outputOptions.mimeType", {}, "output_format"),
        (
            "imagen-4.0-generate-001",
            "parameters.person_generation",
            {"provider_options": {"google": {"person_generation": "ALLOW_ADULT"}}},
            "provider_options.google.person_generation",
        ),
        (  # a field limner does not write keeps Google's name: the caller sent it so
            "gemini-3-pro-image",
            "generation_config.candidate_count",
            {"generationConfig": {"candidate_count": 2}},
            "generation_config.candidate_count",
        ),
        (  # and so does one below a field the caller passes through
            "imagen-4.0-generate-001",
            "parameters.seed",
            {"parameters": {"seed": 3}},
            "parameters.seed",
        ),
    ],
)
def test_a_bad_request_names_the_field_as_the_caller_named_it(
    provider: GoogleProvider,
    make_call: MakeCall,
    model: str,
    field: str,
    fields: dict[str, Any],
    param: str,
) -> None:
    """Google names the field of its own JSON it refused, which a gateway's client never saw:
    ``generation_config.image_config.image_size`` for the request's ``image_config``."""
    options = fields.pop("provider_options", {}).get("google")
    call = make_call(model, options=options, **fields)
    error = provider.parse_error(call, answer(400, _violation(field)))
    assert (type(error), error.param) == (limner.InvalidRequestError, param)


@pytest.mark.parametrize(
    ("message", "cls", "advice"),
    [
        (
            "User location is not supported for the API use.",
            limner.PermissionDeniedError,
            "changing the request will not help",
        ),
        (
            "Gemini API free tier is not available in your country. Please enable billing on "
            "your project in Google AI Studio.",
            limner.BillingError,
            "enable billing",
        ),
    ],
)
def test_a_failed_precondition_is_the_accounts_not_the_requests(
    provider: GoogleProvider,
    make_call: MakeCall,
    message: str,
    cls: type[limner.LimnerError],
    advice: str,
) -> None:
    body = {"error": {"code": 400, "message": message, "status": "FAILED_PRECONDITION"}}
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(400, body))
    assert type(error) is cls
    assert advice in error.message and "fix the request" not in error.message
    assert (error.status_code, error.code) == (400, "failed_precondition")


def test_quota_exceeded(provider: GoogleProvider, make_call: MakeCall) -> None:
    """The real recording's quota is 0 (``quota_limit_value``) in its region: no wait restores
    it, so it is not retried, whatever Retry-After says."""
    body = real_json("firebase-test-data__vertexai_unary-failure-quota-exceeded.json")
    response = answer(429, body, **{"retry-after": "7"})
    error = provider.parse_error(make_call("gemini-3-pro-image"), response)
    assert type(error) is limner.RateLimitError
    assert (error.retry_after, error.retryable) == (None, False)
    assert "(limit 0)" in error.message
    assert provider.retryable(response) is False


def test_retry_info_delay(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = real_json("vercel-ai__google-429-retry-info.error.json")
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(429, body))
    assert isinstance(error, limner.RateLimitError)
    assert error.retry_after == 34.4


def test_error_in_a_list(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = [{"error": {"code": 403, "message": "denied", "status": "PERMISSION_DENIED"}}]
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(403, body))
    assert type(error) is limner.PermissionDeniedError
    assert error.code == "permission_denied"


def test_404_names_the_replacement(provider: GoogleProvider, make_call: MakeCall) -> None:
    body = {
        "error": {
            "code": 404,
            "message": "models/imagen-4.0-generate-001 is not found",
            "status": "NOT_FOUND",
        }
    }
    error = provider.parse_error(make_call("imagen-4.0-generate-001"), answer(404, body))
    assert isinstance(error, limner.NotFoundError)
    assert error.replacement == "google/gemini-3.1-flash-image"
    assert "google/gemini-3.1-flash-image" in error.message


@pytest.mark.parametrize(
    ("url", "variable", "setting"),
    [
        (  # a base URL given with the version limner adds itself
            "https://generativelanguage.googleapis.com/v1beta/v1beta/models/m:generateContent",
            "GOOGLE_GEMINI_BASE_URL",
            "base_url",
        ),
        (
            "https://proxy.example/v1beta1/publishers/google/models/m:generateContent",
            "GOOGLE_VERTEX_BASE_URL",
            "vertex_base_url",
        ),
    ],
)
def test_a_404_without_googles_body_asks_about_the_base_url(
    provider: GoogleProvider, make_call: MakeCall, url: str, variable: str, setting: str
) -> None:
    """Google's own 404s carry its error body; another is most likely not Google's API (the
    gateway answers it as a setting to fix, not as a model that does not exist)."""
    response = WireResponse(404, {"content-type": "text/html"}, b"404: Not Found", url)
    error = provider.parse_error(make_call("gemini-3-pro-image"), response)
    assert type(error) is limner.NotFoundError
    assert error.code == "endpoint_not_found"
    assert error.setting == limner.ProviderSetting("google", setting)
    assert f"Is {variable} right? (the request went to {url})" in error.message


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (500, limner.ProviderError),
        (503, limner.ProviderUnavailableError),
        (504, limner.ProviderUnavailableError),
    ],
)
def test_server_errors(
    provider: GoogleProvider, make_call: MakeCall, status: int, cls: type[limner.LimnerError]
) -> None:
    body = {"error": {"code": status, "message": "backend error", "status": "INTERNAL"}}
    error = provider.parse_error(make_call("gemini-3-pro-image"), answer(status, body))
    assert type(error) is cls
    assert error.retryable is True


def test_unreadable_error_body(provider: GoogleProvider, make_call: MakeCall) -> None:
    error = provider.parse_error(
        make_call("gemini-3-pro-image"), WireResponse(502, {}, b"Bad Gateway")
    )
    assert type(error) is limner.ProviderUnavailableError
    assert "Bad Gateway" in error.message


# ---- pricing ---------------------------------------------------------------------------------


def price(name: str, meta: dict[str, Any]) -> Decimal | None:
    return Registry().price(model(name), "generate", 1, None, None, usage_from_metadata(meta))


def test_price_check_1_gemini_3_pro_image() -> None:
    meta = {
        "promptTokenCount": 14,
        "candidatesTokenCount": 1283,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1120}],
        "thoughtsTokenCount": 174,
        "totalTokenCount": 1471,
    }
    assert price("gemini-3-pro-image-preview", meta) == Decimal("0.138472")


def test_price_check_2_gemini_3_pro_image() -> None:
    meta = {
        "promptTokenCount": 10,
        "candidatesTokenCount": 1120 + 69,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1120}],
        "thoughtsTokenCount": 115,
    }
    assert price("gemini-3-pro-image", meta) == Decimal("0.136628")


def test_tool_use_prompt_tokens_are_priced_as_input() -> None:
    """Tool results (a search tool forwarded on gemini-3-pro-image) are billed input tokens
    [google-genai UsageMetadata.tool_use_prompt_token_count]; totalTokenCount includes them."""
    meta = {
        "promptTokenCount": 14,
        "toolUsePromptTokenCount": 500,
        "candidatesTokenCount": 1283,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1120}],
        "thoughtsTokenCount": 174,
        "totalTokenCount": 1971,
    }
    usage = usage_from_metadata(meta)
    assert usage is not None
    assert (usage.input_tokens, usage.total_tokens) == (514, 1971)
    assert usage.input_tokens_details is not None
    assert usage.input_tokens_details.text_tokens == 514
    # 500 more input tokens than price check 1, at $2 per million
    assert price("gemini-3-pro-image", meta) == Decimal("0.138472") + Decimal("0.001")


def test_price_vertex_explicit_text_modality() -> None:
    meta = {
        "promptTokenCount": 9,
        "candidatesTokenCount": 1295,
        "candidatesTokensDetails": [
            {"modality": "TEXT", "tokenCount": 5},
            {"modality": "IMAGE", "tokenCount": 1290},
        ],
        "totalTokenCount": 1304,
    }
    assert price("gemini-2.5-flash-image", meta) == Decimal("0.0387152")


def test_input_images_are_priced_at_the_input_rate() -> None:
    meta = {
        "promptTokenCount": 268,
        "promptTokensDetails": [
            {"modality": "TEXT", "tokenCount": 10},
            {"modality": "IMAGE", "tokenCount": 258},
        ],
        "candidatesTokenCount": 1120,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1120}],
    }
    usage = usage_from_metadata(meta)
    assert usage is not None and usage.input_tokens_details.image_tokens == 258
    assert price("gemini-3.1-flash-image", meta) == Decimal("0.000134") + Decimal("0.0672")


def test_imagen_per_image_and_unknown_prices() -> None:
    registry = Registry()
    assert registry.price(
        model("imagen-4.0-fast-generate-001"), "generate", 3, None, None, None
    ) == Decimal("0.06")
    assert registry.price(
        model("imagen-4.0-ultra-generate-001"), "generate", 1, None, None, None
    ) == Decimal("0.06")
    assert registry.price(model("imagen-3.0-capability-001"), "edit", 1, None, None, None) is None


@pytest.mark.parametrize(("image_size", "usd"), [("4K", "0.24"), ("1K", "0.134")])
async def test_dry_run_estimates_by_image_size(image_size: str, usd: str) -> None:
    async with limner.AsyncClient(environ={}) as client:
        plan = await client.images.generate(
            model="google/gemini-3-pro-image",
            prompt="a fox",
            n=2,
            image_config={"image_size": image_size},
            dry_run=True,
        )
    assert plan.estimated_cost_usd == Decimal(usd) * 2
    assert plan.requests[0]["headers"]["x-goog-api-key"] == "<redacted>"


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (408, "DEADLINE_EXCEEDED", limner.RequestTimeoutError),
        (409, "ABORTED", limner.ProviderUnavailableError),
    ],
)
def test_a_timeout_or_a_conflict_is_retried_not_the_requests_fault(
    provider: GoogleProvider,
    make_call: MakeCall,
    status: int,
    code: str,
    error: type[limner.LimnerError],
) -> None:
    """Core retries 408 and 409; they are no invalid request. (A hand-made body with the
    google.rpc codes closest to those statuses.)"""
    body = {"error": {"code": status, "message": "try again", "status": code}}
    mapped = provider.parse_error(make_call("gemini-3-pro-image"), answer(status, body))
    assert type(mapped) is error
    assert mapped.retryable is True
    assert (
        mapped.message == f"Google ({code}): try again — Google failed (HTTP {status}); retry later"
    )
