"""Every Bedrock error and the 200-with-``error`` content filter, end to end through
``limner.AsyncClient`` against a loopback Bedrock Runtime."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import yaml

import limner

from .support import (
    CANVAS,
    DATA,
    PNG_B64,
    BedrockServer,
    Received,
    Reply,
    aws_error,
    client,
    images_reply,
)

FILTER_TEXT = (
    "This request has been blocked by our content filters. Please adjust your text prompt to "
    "submit a new request."
)


def real_expired_token() -> Reply:
    """The real recorded 403 (DataDog/dd-trace-py meta_invoke_error.yaml), as recorded."""
    document = yaml.safe_load((DATA / "dd-trace-py__meta_invoke_error.yaml").read_text())
    response = document["interactions"][0]["response"]
    headers = {name: values[0] for name, values in response["headers"].items()}
    keep = ("Content-Type", "x-amzn-ErrorType", "x-amzn-RequestId")
    return Reply(
        response["status"]["code"],
        response["body"]["string"],
        {name: headers[name] for name in keep},
    )


async def fail(server: BedrockServer, *replies: Reply) -> limner.LimnerError:
    server.reply(*replies)
    async with client(server) as limner_client:
        with pytest.raises(limner.LimnerError) as caught:
            await limner_client.images.generate(model=CANVAS, prompt="a fox")
    return caught.value


async def test_real_expired_token_recording(bedrock: BedrockServer) -> None:
    error = await fail(bedrock, real_expired_token())
    assert type(error) is limner.AuthenticationError
    assert error.code == "ExpiredTokenException"
    assert error.status_code == 403
    assert error.request_id == "402bd639-607f-433b-aa01-2852fc75287a"
    assert error.message.startswith(
        "Bedrock ExpiredTokenException: The security token included in the request is expired"
    )
    assert "refresh the credentials" in error.message
    assert error.retryable is False
    assert len(bedrock.received) == 1  # 403 is not retried


@pytest.mark.parametrize(
    ("status", "code", "message", "cls", "attempts"),
    [
        (
            400,
            "ValidationException",
            "width must be divisible by 16",
            limner.InvalidRequestError,
            1,
        ),
        (400, "ValidationException", FILTER_TEXT, limner.ContentPolicyError, 1),
        (400, "ServiceQuotaExceededException", "quota", limner.RateLimitError, 1),
        (403, "AccessDeniedException", "not authorized", limner.PermissionDeniedError, 1),
        (403, "UnrecognizedClientException", "invalid token", limner.AuthenticationError, 1),
        (403, "InvalidSignatureException", "signature mismatch", limner.AuthenticationError, 1),
        (404, "ResourceNotFoundException", "model not found", limner.NotFoundError, 1),
        (408, "ModelTimeoutException", "timed out", limner.RequestTimeoutError, 3),
        (409, "ConflictException", "in progress", limner.ProviderUnavailableError, 3),
        (429, "ThrottlingException", "Too many requests", limner.RateLimitError, 3),
        (429, "ModelNotReadyException", "not ready", limner.RateLimitError, 3),
        (424, "ModelErrorException", "model failed", limner.ProviderError, 1),
        (500, "InternalServerException", "internal", limner.ProviderError, 3),
        (503, "ServiceUnavailableException", "unavailable", limner.ProviderUnavailableError, 3),
    ],
)
async def test_error_codes(
    bedrock: BedrockServer,
    status: int,
    code: str,
    message: str,
    cls: type[limner.LimnerError],
    attempts: int,
) -> None:
    error = await fail(bedrock, *[aws_error(status, code, message)] * 3)
    assert type(error) is cls
    assert error.status_code == status
    assert error.provider == "amazon"
    assert error.model == CANVAS
    assert error.request_id == "11111111-2222-3333-4444-555555555555"
    assert message in error.message
    assert len(bedrock.received) == attempts  # 408/429/5xx retried (max_retries 2), others not
    assert error.retryable is (attempts == 3)
    if cls is limner.ContentPolicyError:
        assert isinstance(error, limner.ContentPolicyError)
        assert error.reason == FILTER_TEXT
        assert error.code == "content_policy_violation"
    else:
        assert error.code == code


@pytest.mark.parametrize(
    ("message", "header"),
    [
        ("Authentication failed: Please make sure your API Key is valid.", None),
        ("Invalid API Key format: Must start with pre-defined prefix", None),
        ("Authentication failed: Please make sure your API Key is valid.", "AccessDeniedException"),
    ],
)
async def test_a_bedrock_api_key_refused_is_the_keys_fault_not_a_permission(
    bedrock: BedrockServer, message: str, header: str | None
) -> None:
    """Bedrock's 403 for an expired or malformed API key (as users report it: a "Forbidden"
    with this message) told the user to grant bedrock:InvokeModel; the gateway then passed a
    403 on, as if the client's own key were wrong."""
    headers = {"x-amzn-errortype": f"{header}:http://internal.amazon.com/"} if header else {}
    error = await fail(bedrock, Reply(403, {"Message": message}, headers))
    assert type(error) is limner.AuthenticationError
    assert error.message.startswith(f"Bedrock {header or 'HTTP 403'}: {message} — the Bedrock API")
    assert "AWS_BEARER_TOKEN_BEDROCK" in error.message
    assert "bedrock:InvokeModel" not in error.message


async def test_model_error_keeps_the_original_status(bedrock: BedrockServer) -> None:
    reply = aws_error(424, "ModelErrorException", "boom", originalStatusCode=500, resourceName="x")
    error = await fail(bedrock, reply)
    assert "(model answered 500)" in error.message


async def test_type_in_body_and_unreadable_body(bedrock: BedrockServer) -> None:
    typed = Reply(400, {"__type": "com.amazon.coral#ValidationException", "Message": "bad"})
    error = await fail(bedrock, typed)
    assert (type(error), error.code) == (limner.InvalidRequestError, "ValidationException")
    assert error.body == typed.body  # JSON without an "error" key: as it is, as in the openai SDK
    html = Reply(502, b"<html>bad gateway</html>", {"content-type": "text/html"})
    error = await fail(bedrock, html, html, html)
    assert type(error) is limner.ProviderUnavailableError
    assert "bad gateway" in error.message
    assert error.body == "<html>bad gateway</html>"  # (None before: the SDK keeps the text)
    # a 404 that is not Bedrock's (which names its exception): the endpoint, not the model
    missing = Reply(404, b"<html>not here</html>", {"content-type": "text/html"})
    error = await fail(bedrock, missing)
    assert (type(error), error.code) == (
        limner.NotFoundError,
        limner.status_errors.ENDPOINT_NOT_FOUND,
    )
    assert "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" in error.message


# ---- 200 with an error: Nova's output content filter --------------------------------------------


async def test_some_images_blocked(bedrock: BedrockServer) -> None:
    bedrock.reply(
        images_reply(
            2, error="Some of the generated images have been blocked by our content filters."
        )
    )
    async with client(bedrock) as limner_client:
        result = await limner_client.images.generate(
            model=CANVAS, prompt="a fox", n=4, quality="premium"
        )
    assert [item.b64_json for item in result.data] == [PNG_B64, PNG_B64]
    filtered = [w for w in result.warnings if w.code == "content_filtered"]
    assert [w.message.split(":")[0] for w in filtered] == [
        "image 3 of 4 was withheld",
        "image 4 of 4 was withheld",
    ]
    assert filtered[0].message.endswith(
        "(not priced: AWS does not say whether a withheld image is billed)"
    )
    assert result.cost == Decimal("0.12")  # 2 returned premium images, not 4
    assert result.output_format == "png"


async def test_some_images_blocked_strict_raises(bedrock: BedrockServer) -> None:
    bedrock.reply(
        images_reply(
            1, error="Some of the generated images have been blocked by our content filters."
        )
    )
    async with client(bedrock, strict=True) as limner_client:
        with pytest.raises(limner.ContentPolicyError):
            await limner_client.images.generate(model=CANVAS, prompt="a fox", n=2)


async def test_all_images_blocked(bedrock: BedrockServer) -> None:
    reply = images_reply(
        0, error="All of the generated images have been blocked by our content filters."
    )
    error = await fail(bedrock, reply)
    assert isinstance(error, limner.ContentPolicyError)
    assert error.reason == "All of the generated images have been blocked by our content filters."
    assert error.status_code == 200


def by_share(replies: dict[int, Reply]) -> Callable[[Received], Reply]:
    """A route answering each split call by its share of ``n`` (``numberOfImages``), so which
    call fails does not depend on the order concurrent requests arrive in."""
    return lambda received: replies[received.json["imageGenerationConfig"]["numberOfImages"]]


BLOCKED = "All of the generated images have been blocked by our content filters."


async def test_a_filtered_split_call_keeps_the_other_calls_images(bedrock: BedrockServer) -> None:
    """n=7 is two calls (5 + 2). The 2-image call comes back entirely filtered: the 5 images
    already made (and billed) are returned, priced, with a notice for the withheld ones."""
    bedrock.route = by_share({5: images_reply(5), 2: images_reply(0, error=BLOCKED, delay=0.2)})
    async with client(bedrock) as limner_client:
        result = await limner_client.images.generate(model=CANVAS, prompt="a fox", n=7)
    assert [item.b64_json for item in result.data] == [PNG_B64] * 5
    assert result.cost == Decimal("0.20")  # 5 standard images up to 1024x1024
    filtered = [w for w in result.warnings if w.code == "content_filtered"]
    assert [(w.message, w.index) for w in filtered] == [
        (f"all 2 image(s) of call 2 were withheld: {BLOCKED}", None)
    ]
    assert not any(w.code == "fewer_images" for w in result.warnings)
    shares = sorted(r.json["imageGenerationConfig"]["numberOfImages"] for r in bedrock.received)
    assert shares == [2, 5]


async def test_a_split_call_without_images_for_another_reason_keeps_the_others(
    bedrock: BedrockServer,
) -> None:
    """Not the content filter: the call says why in a no_images notice, as Google's do, and the
    5 images made and billed are returned."""
    said = "The service could not make images for this prompt."
    bedrock.route = by_share({5: images_reply(5), 2: images_reply(0, error=said)})
    async with client(bedrock) as limner_client:
        result = await limner_client.images.generate(model=CANVAS, prompt="a fox", n=7)
    assert [item.b64_json for item in result.data] == [PNG_B64] * 5
    missing = [w.message for w in result.warnings if w.code == "no_images"]
    assert missing == [f"all 2 image(s) of call 2 were not made: {said}"]
    assert not any(w.code == "fewer_images" for w in result.warnings)


async def test_a_filtered_split_call_fails_in_strict_mode(bedrock: BedrockServer) -> None:
    bedrock.route = by_share({5: images_reply(5), 2: images_reply(0, error=BLOCKED)})
    async with client(bedrock, strict=True) as limner_client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await limner_client.images.generate(model=CANVAS, prompt="a fox", n=7)
    assert caught.value.reason == f"all 2 image(s) of call 2 were withheld: {BLOCKED}"


async def test_every_split_call_filtered_fails_the_request(bedrock: BedrockServer) -> None:
    bedrock.route = lambda received: images_reply(0, error=BLOCKED)
    async with client(bedrock) as limner_client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await limner_client.images.generate(model=CANVAS, prompt="a fox", n=7)
    assert caught.value.message == (
        f"{CANVAS}: every image was withheld: all 5 image(s) of call 1 were withheld: {BLOCKED}; "
        f"all 2 image(s) of call 2 were withheld: {BLOCKED}"
    )
    assert len(bedrock.received) == 2


@pytest.mark.parametrize(
    ("failing", "succeeding", "call"),
    [(2, 5, "call 2 of 2 (2 image(s))"), (5, 2, "call 1 of 2 (5 image(s))")],
)
async def test_a_failed_split_call_names_itself_and_the_other_calls_images_are_kept(
    bedrock: BedrockServer, failing: int, succeeding: int, call: str
) -> None:
    """n=7 is two calls (5 + 2). The other call answers with its images, billed, which are
    returned with a notice quoting the failing call's error, naming it; only they are priced."""
    bedrock.route = by_share(
        {
            succeeding: images_reply(succeeding),
            failing: aws_error(400, "ValidationException", "bad input", delay=0.2),
        }
    )
    async with client(bedrock) as limner_client:
        result = await limner_client.images.generate(model=CANVAS, prompt="a fox", n=7)
    assert len(result.data) == succeeding
    assert [(w.code, w.message) for w in result.warnings if w.code != "model_shut_down"] == [
        (
            "call_failed",
            f"{call} failed: Bedrock ValidationException: bad input — fix the request and retry",
        )
    ]
    assert result.cost == Decimal("0.04") * succeeding  # standard 1024x1024, returned images
    shares = sorted(r.json["imageGenerationConfig"]["numberOfImages"] for r in bedrock.received)
    assert shares == [2, 5]  # both calls went out


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        ({"images": []}, limner.NoImageGeneratedError),
        ({"images": "nope"}, limner.ProviderError),
        (
            {"status": "Request Moderated", "details": {"Moderation Reasons": ["X"]}},
            limner.ContentPolicyError,
        ),
        ({"images": [], "error": "something else"}, limner.NoImageGeneratedError),
    ],
)
async def test_odd_200_bodies(bedrock: BedrockServer, body: dict[str, Any], cls: type) -> None:
    error = await fail(bedrock, Reply(200, body))
    assert type(error) is cls


async def test_cost_by_size_band(bedrock: BedrockServer) -> None:
    bedrock.reply(images_reply(3))
    async with client(bedrock) as limner_client:
        result = await limner_client.images.generate(
            model=CANVAS, prompt="a fox", n=3, size="2048x1024"
        )
    assert result.cost == Decimal("0.18")  # 3 x standard, up to 2048x2048
    assert result.size == "2048x1024"
    assert any(w.code in ("model_shutdown", "model_shut_down") for w in result.warnings)


@pytest.mark.parametrize("region", ["us-west-2", "us-east-1"])
async def test_a_model_identifier_refused_in_a_region_without_the_model_names_the_region(
    bedrock: BedrockServer, region: str
) -> None:
    """What Bedrock answers in us-west-2 (aws-samples/amazon-bedrock-workshop#340): the error
    said "fix the request", and the region_unsupported warning worked out before was lost."""
    bedrock.reply(
        aws_error(400, "ValidationException", "The provided model identifier is invalid.")
    )
    async with client(bedrock, region=region) as limner_client:
        with pytest.raises(limner.InvalidRequestError) as caught:
            await limner_client.images.generate(model=CANVAS, prompt="a fox")
    if region == "us-east-1":  # served there: the request's own problem
        assert caught.value.message.endswith("fix the request and retry")
        return
    assert caught.value.param == "providers.amazon.region"
    assert caught.value.message.endswith(
        f"{CANVAS} is served in us-east-1, eu-west-1, ap-northeast-1 only (in-Region), not in "
        "us-west-2: set AWS_REGION (or providers={'amazon': {'region': ...}}) to one of them"
    )
