"""What a request whose calls were refused may be billed, on every surface: an error carries the
usage of every call (refused, empty or answered, in strict mode) priced as its ``cost``, and an
answer kept beside a refused call counts that call's usage in its own ``cost``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import limner

from .conftest import Server, gemini_answer, png, real_json

PRO = "google/gemini-3-pro-image"  # $2.00 a million prompt tokens
USER = {"role": "user", "content": "an axolotl"}
BLOCKED = {
    "promptFeedback": {"blockReason": "SAFETY"},
    "usageMetadata": {"promptTokenCount": 1000, "totalTokenCount": 1000},
}
BLOCKED_COST = Decimal("0.002")
EMPTY = {
    "candidates": [{"content": {"role": "model", "parts": []}, "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 1000, "totalTokenCount": 1000},
}
TEXT = {
    "candidates": [
        {"content": {"role": "model", "parts": [{"text": "hello"}]}, "finishReason": "STOP"}
    ],
    "usageMetadata": {
        "promptTokenCount": 1000,
        "candidatesTokenCount": 10,
        "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 10}],
    },
}
TEXT_COST = Decimal("0.002") + Decimal("0.00012")  # 10 text tokens at $12.00 a million


@pytest.mark.parametrize("second", [BLOCKED, EMPTY])
async def test_a_chat_whose_choices_all_failed_carries_every_calls_usage(
    server: Server, second: dict[str, Any]
) -> None:
    server.answer(200, BLOCKED)
    server.answer(200, second)
    async with server.client() as client:
        with pytest.raises(limner.LimnerError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER], n=2)
    assert len(server.seen) == 2
    assert caught.value.cost == 2 * BLOCKED_COST
    assert caught.value.message.endswith(
        "the usage google reported for its calls may be billed ($0.004)"
    )


async def test_a_chat_answer_beside_a_refused_choice_counts_its_usage(server: Server) -> None:
    server.answer(200, TEXT)
    server.answer(200, BLOCKED)
    async with server.client() as client:
        result = await client.chat.completions.create(model=PRO, messages=[USER], n=2)
    assert len(result.choices) == 1
    assert result.cost == TEXT_COST + BLOCKED_COST
    assert result.usage is not None and result.usage.prompt_tokens == 2000


async def test_a_strict_chat_refusal_carries_what_every_call_may_bill(server: Server) -> None:
    server.answer(200, TEXT)
    server.answer(200, BLOCKED)
    async with server.client(strict=True) as client:
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.chat.completions.create(model=PRO, messages=[USER], n=2)
    assert caught.value.cost == TEXT_COST + BLOCKED_COST


@pytest.mark.parametrize("strict", [False, True])
async def test_a_split_image_request_with_a_refused_call_prices_both(
    server: Server, strict: bool
) -> None:
    """One call made an image, the other was blocked: both are billed by tokens. Without strict
    mode the answer's cost counts both; strict mode's error carries the same cost."""
    made = gemini_answer(image=png(4, 4))
    made["usageMetadata"] = {
        "promptTokenCount": 7,
        "candidatesTokenCount": 1290,
        "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}],
    }
    server.answer(200, made)
    server.answer(
        200, real_json("firebase-test-data__googleai_unary-failure-finish-reason-safety.json")
    )
    both = (7 * Decimal("0.30") + 1290 * Decimal("30")) / 1_000_000 + Decimal("0.0000521")
    async with server.client(strict=strict) as client:
        if not strict:
            result = await client.images.generate(
                model="google/gemini-2.5-flash-image", prompt="x", n=2
            )
            assert len(result.data) == 1 and result.cost == both
            return
        with pytest.raises(limner.ContentPolicyError) as caught:
            await client.images.generate(model="google/gemini-2.5-flash-image", prompt="x", n=2)
    assert caught.value.cost == both
