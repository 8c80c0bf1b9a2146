"""A wait before a planned call is sent, set by whoever serves many callers on one client (the
gateway's upstream slots). The request is checked, and its input images loaded, first: a request
that cannot succeed is refused at once, not after waiting for a slot it would never use."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar

__all__ = ["Admit", "admitted", "admitting"]

Admit = Callable[[], AbstractAsyncContextManager[object]]
"""Makes the context a call is sent in: entered once the request is planned, left once its
answer is merged (images downloaded), so that it bounds the work done upstream."""

_ADMIT: ContextVar[Admit | None] = ContextVar("limner_admit", default=None)
_NOTHING: AbstractAsyncContextManager[object] = contextlib.nullcontext()


@contextlib.contextmanager
def admitting(admit: Admit) -> Iterator[None]:
    """Calls made inside this block (in this task, or tasks it starts) wait for ``admit``."""
    token = _ADMIT.set(admit)
    try:
        yield
    finally:
        _ADMIT.reset(token)


def admitted() -> AbstractAsyncContextManager[object]:
    """The context to send a planned call in: the one :func:`admitting` set, else none."""
    admit = _ADMIT.get()
    return _NOTHING if admit is None else admit()
