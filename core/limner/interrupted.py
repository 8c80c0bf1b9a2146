"""What an images call cancelled midway had already made.

A call whose ``n`` is split across provider calls may be cancelled (Ctrl-C, a caller's
timeout) after some of them answered: those images are made, and billed. Inside
:func:`keep_made_images`, such a call leaves them in the yielded list, as a response whose
``call_failed`` warnings name the calls that were cancelled, before the cancellation goes on::

    with limner.interrupted.keep_made_images() as made:
        try:
            result = await client.images.generate(model=..., prompt=..., n=4)
        except asyncio.CancelledError:
            save(made)  # the images of the calls that had answered
            raise
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from .errors import LimnerError
from .responses import Adjustment

if TYPE_CHECKING:
    from .responses import ImagesResponse

__all__ = ["CANCELLED", "LINKS_KEPT", "cancelled_call", "keep_made_images", "kept"]

CANCELLED = "cancelled"
"""``LimnerError.code`` of a provider call cancelled before it answered."""

LINKS_KEPT = Adjustment(
    param="response_format",
    requested="b64_json",
    applied="url",
    reason="the call was cancelled while limner downloaded the images: the provider's links are "
    "kept as they came",
)
"""The adjustment of a kept response whose links were not downloaded."""

_kept: ContextVar[list[ImagesResponse] | None] = ContextVar("limner_kept", default=None)


@contextlib.contextmanager
def keep_made_images() -> Iterator[list[ImagesResponse]]:
    """Collect, in the yielded list, the images of calls cancelled inside the block after some
    of their provider calls answered (one response per cancelled call)."""
    made: list[ImagesResponse] = []
    token = _kept.set(made)
    try:
        yield made
    finally:
        _kept.reset(token)


def kept() -> list[ImagesResponse] | None:
    """The list a cancelled call leaves its images in, or ``None`` outside
    :func:`keep_made_images`."""
    return _kept.get()


def cancelled_call(index: int, calls: int, n: int, job: str | None = None) -> LimnerError:
    """The error standing for a provider call that had not answered when its call was
    cancelled; ``job``: the provider's id of the job it had started, which may still finish."""
    which = f"call {index + 1} of {calls} ({n} image(s))"
    if job is not None:
        error = LimnerError(
            f"{which} was cancelled while its job {job} ran: the job may still finish, and be "
            "billed",
            code=CANCELLED,
        )
        error.submitted, error.job = True, job
        return error
    return LimnerError(
        f"{which} was cancelled before it answered; if it had been sent, the provider may "
        "still bill it",
        code=CANCELLED,
    )
