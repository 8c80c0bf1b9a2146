"""The answers of a request's provider calls as one response: their images in order, a notice
for each call that failed or made fewer images than asked, the refusals raised when nothing came
back, then the response with its usage summed and its cost."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .calls import ProviderResult, Translation
from .errors import ContentPolicyError, LimnerError, NoImageGeneratedError, PluginError
from .outcomes import (
    explained,
    failed_call_notice,
    failed_calls,
    fewer_images,
    more_images,
    said_once,
)
from .responses import (
    CONTENT_FILTERED,
    FIELD_KEPT_OUT,
    NO_IMAGES,
    RESENT,
    Adjustment,
    ImageData,
    ImagesResponse,
    Notice,
    Usage,
    built_response,
    reported_usage,
)
from .sending import Plan, raise_if_filtered

__all__ = ["Merged", "collect", "note_resent", "respond"]


@dataclass
class Merged:
    """What the calls answered, before any download of their links."""

    data: list[ImageData]
    adjustments: list[Adjustment]
    warnings: list[Notice]
    answered: list[tuple[ProviderResult, Translation]]
    failed: dict[int, LimnerError]


def collect(
    plan: Plan[Any], outcomes: Sequence[ProviderResult | LimnerError], *, strict: bool
) -> Merged:
    """The calls' images in order, with a notice per failed or short call; raises when no call
    made an image (a refusal, when a filter withheld them all), and in ``strict`` mode when a
    filter withheld any."""
    failed = failed_calls(outcomes, answered=_made_images, strict=strict)
    adjustments = list(plan.adjustments)
    warnings = list(plan.warnings)
    data: list[ImageData] = []
    answered: list[tuple[ProviderResult, Translation]] = []
    calls = len(plan.calls)
    for call, sent, result in zip(plan.calls, plan.translations, outcomes, strict=True):
        if isinstance(result, LimnerError):  # others made images: it is said, not raised
            warnings.append(failed_call_notice(result))
            continue
        answered.append((result, sent))
        for notice in result.warnings:  # (most answers have none)
            update: dict[str, Any] = {}
            if notice.index is not None:
                update["index"] = notice.index + len(data)
            if notice.code == RESENT and calls > 1:  # which call was sent again
                update["message"] = f"call {call.index + 1} of {calls}: {notice.message}"
            warnings.append(notice.model_copy(update=update) if update else notice)
        if len(result.images) < call.n and not explained(result):
            warnings.append(fewer_images(plan, call, len(result.images)))
        elif len(result.images) > call.n:  # billed all the same: kept, and said
            warnings.append(more_images(plan, call, len(result.images)))
        data.extend(result.images)
    if not data:
        raise _nothing_made(plan, warnings, outcomes)
    if strict:  # (a call that failed as a refusal was raised by failed_calls)
        for result, _ in answered:
            raise_if_filtered(result.warnings, plan, outcomes, result.request_id)
    return Merged(data, adjustments, warnings, answered, failed)


def _made_images(result: ProviderResult) -> bool:
    return bool(result.images)


def _nothing_made(
    plan: Plan[Any], warnings: Sequence[Notice], outcomes: Sequence[ProviderResult | LimnerError]
) -> LimnerError:
    """The error of a request whose calls all answered without an image: a refusal when a
    filter withheld them, else :class:`NoImageGeneratedError`; with the usage they reported
    (which core prices into its ``cost``), the first answer's request id (for the
    provider's support: the answers may be billed), and the provider's words from the first
    call's own error (:attr:`ProviderResult.withheld`): a refusal's reason, stage and
    categories, or the model's text."""
    ids = [o.request_id for o in outcomes if isinstance(o, ProviderResult) and o.request_id]
    withheld = [o.withheld for o in outcomes if isinstance(o, ProviderResult) and o.withheld]
    filtered = [n.message for n in warnings if n.code == CONTENT_FILTERED]
    error: LimnerError
    if filtered:
        refusal = next((e for e in withheld if isinstance(e, ContentPolicyError)), None)
        error = ContentPolicyError(
            f"{plan.model.id}: every image was withheld: {said_once(filtered)}",
            reason=(refusal and refusal.reason) or filtered[0],
            categories=refusal.categories if refusal else (),
            stage=refusal.stage if refusal else None,
            provider=plan.provider.name,
            model=plan.model.id,
            request_id=ids[0] if ids else None,
        )
    else:
        said = [n.message for n in warnings if n.code == NO_IMAGES]
        answer = next((e for e in withheld if isinstance(e, NoImageGeneratedError)), None)
        error = NoImageGeneratedError(
            f"{plan.model.id} returned no image" + (f": {said_once(said)}" if said else ""),
            text=answer.text if answer else None,
            provider=plan.provider.name,
            model=plan.model.id,
            request_id=ids[0] if ids else None,
        )
    note_resent(error, outcomes)
    error.usage = reported_usage(outcomes)
    return error


def note_resent(error: LimnerError, outcomes: Sequence[object]) -> None:
    """Say in ``error``'s billing note each call of ``outcomes`` (images or chat results) that
    was sent again after an attempt the provider may have taken, as its ``resent`` warning
    would have said it had the request succeeded: each may be billed."""
    for index, outcome in enumerate(outcomes):
        for notice in getattr(outcome, "warnings", None) or ():
            if notice.code == RESENT:
                which = f"call {index + 1} of {len(outcomes)}: " if len(outcomes) > 1 else ""
                error.add_billing_note(which + notice.message)


def respond(
    plan: Plan[Any],
    merged: Merged,
    cost: Decimal | None,
    price_warnings: Sequence[Notice],
    shape: tuple[str | None, str | None],
) -> ImagesResponse:
    """The response: ``shape`` is its size and output format (see
    :func:`~limner.delivery.answered_shape`)."""
    answered = merged.answered
    first, sent = answered[0]
    size, kind = shape
    extra = first.extra
    try:
        usage = first.usage if len(answered) == 1 else _summed_usage(answered)
        fields = {
            "created": first.created or int(time.time()),
            "data": merged.data,
            "output_format": kind,
            "size": size,
            "quality": first.quality or sent.quality,
            "background": first.background,
            "usage": usage,
            "cost": cost,
            "provider": plan.provider.name,
            "model": plan.model.id,
            "adjustments": merged.adjustments,
            "warnings": [*merged.warnings, *price_warnings],
            "request_id": first.request_id,
        }
        if extra is not None:  # (most answers have no other fields)
            extra = _passed_on(extra, fields, plan.provider.name)
        return built_response(fields, tuple(merged.failed.values()), extra)
    except ValidationError as exc:  # what the plugin returned is of the wrong type
        raise unreadable_result(plan.provider.name, exc) from None


def _passed_on(extra: object, fields: dict[str, Any], provider: str) -> dict[str, Any]:
    """The answer's other fields (:attr:`ProviderResult.extra`) the response carries: all but
    those named like one of its ``fields``, whose values limner keeps, saying so in a
    :data:`FIELD_KEPT_OUT` warning."""
    if not isinstance(extra, dict):
        error = PluginError.returned(
            f"the {provider} plugin", extra, "a dict in ProviderResult.extra"
        )
        error.add_billing_note("the provider answered, and may bill the images it made")
        raise error
    kept_out = [name for name in extra if name in fields]
    if not kept_out:
        return dict(extra)
    names = ", ".join(repr(name) for name in kept_out)
    fields["warnings"].append(
        Notice(
            code=FIELD_KEPT_OUT,
            message=f"{provider}'s answer also held {names}, left out of the response, "
            "where limner's own fields have those names",
        )
    )
    return {name: value for name, value in extra.items() if name not in fields}


def unreadable_result(provider: str, exc: ValidationError) -> PluginError:
    """The plugin's error for a :class:`ProviderResult` whose values do not fit the response
    (a ``request_id`` of ``123``, a ``size`` of ``True``): the provider answered, so it says
    the images may be billed."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    error = PluginError(
        f"the {provider} plugin returned a ProviderResult whose {where} cannot be one of the "
        f"response's ({first['msg']}, got {type(first['input']).__name__})"
    )
    error.add_billing_note("the provider answered, and may bill the images it made")
    return error


def _summed_usage(answered: Sequence[tuple[ProviderResult, Translation]]) -> Usage | None:
    """The usage the answers reported, summed (``None`` when none reported one); one that is
    no :class:`Usage` (a plugin's dict) is validated as one first, as a single answer's is."""
    usages = [
        usage if isinstance(usage, Usage) else Usage.model_validate(usage)
        for result, _ in answered
        if (usage := result.usage) is not None
    ]
    return sum(usages[1:], usages[0]) if usages else None
