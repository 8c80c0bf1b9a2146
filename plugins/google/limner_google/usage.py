"""``usageMetadata`` → :class:`limner.Usage`, so core's token pricing is the notes' formula::

    image_out = sum(IMAGE entries of candidatesTokensDetails)
    text_out  = candidatesTokenCount - image_out + thoughtsTokenCount   # thinking at text rate
    input     = promptTokenCount + toolUsePromptTokenCount   # tool results are input too
    cost      = input*in + image_out*img + text_out*text

The Gemini API often omits the TEXT entry of ``candidatesTokensDetails`` (1283 total vs IMAGE
1120), hence the subtraction; ``thoughtsTokenCount`` is not part of ``candidatesTokenCount``.
Input text and image tokens share one rate, so the prompt split only informs.
"""

from __future__ import annotations

from typing import Any

from limner import Notice, Usage
from limner.responses import InputTokensDetails, OutputTokensDetails

__all__ = ["cached_at_full_price", "priced_as_on_demand", "usage_from_metadata"]


_COUNTS = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "totalTokenCount")


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _by_modality(details: Any, modality: str) -> int:
    if not isinstance(details, list):
        return 0
    return sum(
        _count(d.get("tokenCount"))
        for d in details
        if isinstance(d, dict) and d.get("modality") == modality
    )


def usage_from_metadata(meta: Any, *, images: int = 0) -> Usage | None:
    """The usage ``usageMetadata`` reports; ``None`` when it reports no count, or, for an
    answer with ``images`` (each at least one output token), no output count or no IMAGE entry
    in ``candidatesTokensDetails`` (its image tokens would be priced at the text rate, a tenth):
    the cost is then estimated per image, and said to be, not priced from counts that leave the
    images out."""
    if not isinstance(meta, dict) or not any(_count(meta.get(name)) for name in _COUNTS):
        return None
    if images and not (
        _count(meta.get("candidatesTokenCount"))
        and _by_modality(meta.get("candidatesTokensDetails"), "IMAGE")
    ):
        return None
    # tool results fed back to the model are billed as input [google-genai UsageMetadata
    # tool_use_prompt_token_count; totalTokenCount sums them with the rest]
    tools = _count(meta.get("toolUsePromptTokenCount"))
    prompt = _count(meta.get("promptTokenCount")) + tools
    candidates = _count(meta.get("candidatesTokenCount"))
    thoughts = _count(meta.get("thoughtsTokenCount"))
    image_in = min(_by_modality(meta.get("promptTokensDetails"), "IMAGE"), prompt)
    image_out = min(_by_modality(meta.get("candidatesTokensDetails"), "IMAGE"), candidates)
    text_out = candidates - image_out + thoughts
    total = _count(meta.get("totalTokenCount")) or prompt + candidates + thoughts
    return Usage(
        input_tokens=prompt,
        output_tokens=candidates + thoughts,
        total_tokens=total,
        input_tokens_details=InputTokensDetails(
            text_tokens=prompt - image_in, image_tokens=image_in
        ),
        output_tokens_details=OutputTokensDetails(text_tokens=text_out, image_tokens=image_out),
    )


def cached_at_full_price(meta: Any) -> tuple[int, list[Notice]]:
    """The prompt tokens ``usageMetadata`` says came from Gemini's context cache, and the notice
    that the cost prices them at the full input rate (the price sources give no cache rate)."""
    cached = meta.get("cachedContentTokenCount") if isinstance(meta, dict) else None
    if not isinstance(cached, int) or cached <= 0:
        return 0, []
    notice = Notice(
        code="cached_tokens_at_full_price",
        message=f"{cached} of the prompt tokens came from Gemini's context cache; the cost "
        "prices them at the full input rate (the price sources give no cache rate), so it may "
        "be high",
    )
    return cached, [notice]


_ON_DEMAND = ("ON_DEMAND", "TRAFFIC_TYPE_UNSPECIFIED")


def priced_as_on_demand(meta: Any) -> list[Notice]:
    """The notice for a Vertex AI call served as other traffic than on-demand
    (``usageMetadata.trafficType``, [aiplatform discovery ``UsageMetadata``]): its cost uses
    the on-demand rates, the only ones the price sources give."""
    traffic = meta.get("trafficType") if isinstance(meta, dict) else None
    if not isinstance(traffic, str) or traffic in _ON_DEMAND:
        return []
    notice = Notice(
        code="priced_as_on_demand",
        message=f"Vertex AI served this call as {traffic} traffic; the cost uses on-demand "
        "(Pay-As-You-Go) rates, the only ones the price sources give (provisioned throughput "
        "is paid for in advance; flex, priority and off-peak traffic have rates of their own)",
    )
    return [notice]
