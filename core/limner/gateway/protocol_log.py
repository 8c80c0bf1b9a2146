"""The log of requests aiohttp could not read as HTTP (a malformed header, a control character
in the request line), which the gateway answers 400 before any middleware runs.

aiohttp logs each with its exception, whose message quotes the offending line: an
``Authorization`` header with its key, a signed file link with its signature. The gateway's
runner logs them on :data:`PROTOCOL_LOG` instead, whose filter keeps only the client's address,
the exception's type and the status answered, as the gateway's log never shows headers or query
strings."""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError

__all__ = ["PROTOCOL_LOG", "WithoutRequestText"]

MOST_CHAINED = 10
"""How many exceptions of a chain (``__cause__``, ``__context__``) are searched."""


class WithoutRequestText(logging.Filter):
    """Rewrites a record of a request that was not valid HTTP to its exception's type and the
    status answered, without the exception's message or traceback (they quote the request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        unreadable = _unreadable_request(record)
        if unreadable is not None:
            args = record.args if isinstance(record.args, tuple) else ()
            remote = args[0] if args and isinstance(args[0], str) else "an unknown address"
            record.msg = "a request from %s that is not valid HTTP (%s), answered %d"
            record.args = (remote, type(unreadable).__name__, unreadable.code)
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def _unreadable_request(record: logging.LogRecord) -> HttpProcessingError | None:
    """The record's exception, or one it was raised from, that says a request was not valid
    HTTP; ``None`` when there is none."""
    exc = record.exc_info[1] if record.exc_info else None
    for _ in range(MOST_CHAINED):
        if exc is None or isinstance(exc, HttpProcessingError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


PROTOCOL_LOG = logging.getLogger("aiohttp.server.limner_gateway")
"""The logger of the gateway's HTTP server (aiohttp's ``aiohttp.server`` takes its records, and
its level applies), filtered by :class:`WithoutRequestText`."""
PROTOCOL_LOG.addFilter(WithoutRequestText())
