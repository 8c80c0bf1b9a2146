"""Credentials a real call would lack, noted while a dry run authorizes its requests: a dry run
needs none, so ``authorize`` notes what is missing (:func:`note_missing`) and goes on with a
placeholder; core collects the notes (:func:`noting_missing`) into the dry run's
``missing_credentials`` warnings and :meth:`~limner.AsyncClient.missing_credentials`."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from .errors import MissingCredentialsError

__all__ = ["note_missing", "noting_missing"]

_NOTED: contextvars.ContextVar[list[MissingCredentialsError] | None] = contextvars.ContextVar(
    "limner_dry_run_missing", default=None
)
"""Where the ``authorize`` calls of a dry run note the credentials a real call would lack."""


def note_missing(error: MissingCredentialsError) -> None:
    """For ``authorize`` in a dry run (``dry_run=True``): ``error`` is what a real call would
    raise for want of a credential. :meth:`~limner.Provider.api_key` notes a missing API key
    so; a provider with other credentials notes theirs."""
    noted = _NOTED.get()
    if noted is not None:
        noted.append(error)


@contextlib.contextmanager
def noting_missing() -> Iterator[list[MissingCredentialsError]]:
    """The list the ``authorize`` calls in the block note missing credentials into."""
    noted: list[MissingCredentialsError] = []
    token = _NOTED.set(noted)
    try:
        yield noted
    finally:
        _NOTED.reset(token)
