"""A request's calls, run side by side, and what becomes of their outcomes: the images of the
calls that answered are kept (they are billed) beside a notice for each call that failed, and a
call's share of images is checked against what it returned."""

from __future__ import annotations

import asyncio
import collections
import inspect
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from .calls import ProviderCall, ProviderResult
from .errors import ContentPolicyError, LimnerError
from .responses import CALL_FAILED, CONTENT_FILTERED, NO_IMAGES, Notice, reported_usage
from .sending import Plan

__all__ = [
    "explained",
    "failed_call_notice",
    "failed_calls",
    "fewer_images",
    "gather_or_cancel",
    "gather_settled",
    "more_images",
    "said_once",
]

T = TypeVar("T")


async def gather_or_cancel(calls: Sequence[Awaitable[T]]) -> list[T]:
    """Run ``calls`` concurrently and return their results in order. On the first failure the
    others are cancelled (nothing is half-returned) and the failure is raised. A single call is
    awaited directly, without a task."""
    if len(calls) == 1:
        return [await calls[0]]
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def gather_settled(
    calls: Sequence[Awaitable[T]], *, into: dict[int, T | LimnerError] | None = None
) -> list[T | LimnerError]:
    """Run ``calls`` concurrently to their end and return, in order, each one's result or the
    :class:`LimnerError` it raised: one call's failure does not stop the others, whose work
    may already be billed. Anything else raised (a bug, a cancellation) cancels the others and
    is raised; ``into`` then holds the outcomes of the calls that had ended, by index."""

    if len(calls) == 1:  # the common case: awaited here, without a task or a wrapper
        try:
            only: T | LimnerError = await calls[0]
        except LimnerError as error:
            only = error
        if into is not None:
            into[0] = only
        return [only]

    return await _settled_side_by_side(calls, into)


async def _settled_side_by_side(
    calls: Sequence[Awaitable[T]], into: dict[int, T | LimnerError] | None
) -> list[T | LimnerError]:
    """:func:`gather_settled` of several calls (apart: its closure is made only for them)."""

    async def settled(index: int, call: Awaitable[T]) -> T | LimnerError:
        try:
            outcome: T | LimnerError = await call
        except LimnerError as error:
            outcome = error
        if into is not None:
            into[index] = outcome
        return outcome

    try:
        return await gather_or_cancel([settled(i, call) for i, call in enumerate(calls)])
    except BaseException:  # cancelled before some call began: it will never run
        for call in calls:
            if inspect.iscoroutine(call) and inspect.getcoroutinestate(call) == "CORO_CREATED":
                call.close()  # not "coroutine ... was never awaited"
        raise


def failed_calls(
    outcomes: Sequence[T | LimnerError], *, answered: Callable[[T], bool], strict: bool
) -> dict[int, LimnerError]:
    """The errors of the calls that failed among ``outcomes`` (:func:`gather_settled`'s), by
    index: what the other calls made is billed, so it is returned with a notice for each of
    these (:func:`failed_call_notice`). Raises the first call's error when no call
    ``answered`` usefully, and a refusal (:class:`ContentPolicyError`) in ``strict`` mode,
    carrying every call's usage (:func:`reported_usage`), which core prices: it may be billed."""
    failed: dict[int, LimnerError] = {}
    for index, outcome in enumerate(outcomes):  # (a loop: no comprehension's function)
        if isinstance(outcome, LimnerError):
            failed[index] = outcome
    if not failed:
        return failed
    return _some_failed(outcomes, failed, answered=answered, strict=strict)


def _some_failed(
    outcomes: Sequence[T | LimnerError],
    failed: dict[int, LimnerError],
    *,
    answered: Callable[[T], bool],
    strict: bool,
) -> dict[int, LimnerError]:
    """:func:`failed_calls` once some call failed (apart: its comprehensions' closures are
    made only then)."""
    made = any(answered(o) for o in outcomes if not isinstance(o, LimnerError))
    refused = [e for e in failed.values() if isinstance(e, ContentPolicyError)]
    if made and not (strict and refused):
        return failed
    if made:  # strict mode: the refusal is raised (the original error, not a notice's copy)
        refusal = refused[0]
        refusal.add_billing_note(
            "what the other calls made is billed but not returned (strict mode)"
        )
        refusal.usage = reported_usage(outcomes)
        raise refusal
    error = next(iter(failed.values()))
    others = [e for e in failed.values() if e is not error and e.message != error.message]
    if others:  # calls that failed alike before sending (a missing key) are not named
        error.message = f"{error.message} ({len(failed) - 1} other call(s) failed too)"
    alike: dict[str, list[str]] = {}  # what the others may bill, the calls saying each
    for other in failed.values():  # (job ids included)
        if other is not error and (other.billing_note or other.submitted):
            said = other.billing_note or "the provider took it, and may bill it"
            job = f" (job {other.job})" if other.job and other.job not in said else ""
            alike.setdefault(said, []).append(f"{other.call or 'another call'}{job}")
            error.retryable = error.retryable and not other.submitted  # (sent again: twice)
    for said, calls in alike.items():  # said once for the calls that say it alike
        error.add_billing_note(f"{', '.join(calls)}: {said}")
    error.usage = reported_usage(outcomes)
    raise error


def failed_call_notice(error: LimnerError) -> Notice:
    """The notice of a call that failed while others answered, quoting its error (which names
    the call when something was sent: :meth:`Share.name`): ``content_filtered`` for a
    refusal, ``call_failed`` otherwise."""
    code = CONTENT_FILTERED if isinstance(error, ContentPolicyError) else CALL_FAILED
    said, note = error.message, error.billing_note
    if note and note not in said:  # a resend said only in the note (what may be billed twice)
        head, sep, last = note.rpartition("; ")
        if sep and said.endswith(last):  # (the message says the note's last part already)
            note = head
        said = f"{said.rstrip('.')}; {note}"
    return Notice(code=code, message=said)


def explained(result: ProviderResult) -> bool:
    """Whether the result says why images are missing (a filter withheld them, or a
    ``no_images`` notice gives the provider's reason)."""
    return any(notice.code in (CONTENT_FILTERED, NO_IMAGES) for notice in result.warnings)


def fewer_images(plan: Plan[Any], call: ProviderCall, got: int) -> Notice:
    which = _which(plan, call)
    return Notice(
        code="fewer_images",
        message=f"{which}{plan.model.id} returned {got} of the {call.n} image(s) asked for, "
        "without a reason",
    )


def more_images(plan: Plan[Any], call: ProviderCall, got: int) -> Notice:
    which = _which(plan, call)
    return Notice(
        code="more_images",
        message=f"{which}{plan.model.id} returned {got} image(s), more than the {call.n} asked "
        "for; all are returned (and billed). Some models make more than asked (a story told "
        f"in pictures); otherwise the {plan.provider.name} plugin may send the wrong count "
        "(ProviderCall.n is the call's share of the request's n)",
    )


def said_once(messages: Iterable[str]) -> str:
    """The shares' reasons, in order, for a message: a reason given several times is said once,
    with how many times."""
    counts = collections.Counter(messages)
    return "; ".join(f"{text} (×{count})" if count > 1 else text for text, count in counts.items())


def _which(plan: Plan[Any], call: ProviderCall) -> str:
    """The call a notice is about, when the request was split: ``"call 2 of 3: "``."""
    return f"call {call.index + 1} of {len(plan.calls)}: " if len(plan.calls) > 1 else ""
