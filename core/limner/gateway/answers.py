"""The successful answers of the image and chat routes: their warnings as the gateway says them
(a failed call of a split request worded as the gateway words that error; query parameters no
route reads; OpenAI's account and idempotency headers, which the gateway does not use; the
operator's own matters, such as credentials sent unencrypted, said in its log instead), their
text scrubbed of the gateway's secrets, an image answer's values within OpenAI's enums, and the
upstream's request id."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from aiohttp import web

from ..chat.response import ChatCompletion
from ..clear_credentials import CREDENTIALS_IN_CLEAR
from ..exchange_failures import without_tls_advice
from ..redaction import Scrubber
from ..responses import FIELD_KEPT_OUT, ImagesResponse, Notice
from ..safe_text import printable
from .errors import failures_as_answered, upstream_id
from .schemas import IMAGE_ENUMS
from .state import STATE

__all__ = [
    "HEADER_NOT_USED",
    "LONGEST_TEXT",
    "OUTSIDE_SPEC",
    "QUERY_NOT_READ",
    "UNUSED_HEADERS",
    "answer",
    "answered",
    "unread_query",
    "unused_headers",
    "with_warnings",
    "within_enums",
]

QUERY_NOT_READ = "query_not_read"
"""``Notice.code`` of a warning naming query parameters a route does not read."""
HEADER_NOT_USED = "header_not_used"
"""``Notice.code`` of a warning naming request headers of OpenAI's that the gateway does not use."""
UNUSED_HEADERS = ("OpenAI-Organization", "OpenAI-Project", "Idempotency-Key")
"""OpenAI's request headers for its own account and retries (the OpenAI SDK sends the first two
from ``OPENAI_ORG_ID`` and ``OPENAI_PROJECT_ID``): the gateway calls each provider with the
settings its operator gave it, and passes none of them on."""
OUTSIDE_SPEC = "outside_spec"
"""The image answer's field holding the values OpenAI's enums do not list (see
:class:`~.schemas.OutsideSpec`)."""
LONGEST_TEXT = 2**20
"""Strings of an answer longer than this are image data (base64, a data URL): not scrubbed."""

OPERATORS_WARNINGS = frozenset({CREDENTIALS_IN_CLEAR})
"""``Notice.code`` of warnings about the gateway's own settings, which its clients can neither
change nor need to read (the upstream's address among them): said once in the gateway's log,
and left out of answers."""

Answered = TypeVar("Answered", ImagesResponse, ChatCompletion)

log = logging.getLogger("limner.gateway")


def with_warnings(result: Answered, request: web.Request, scrub: Scrubber) -> Answered:
    """``result`` with its warnings as the gateway says them: each failed call's (a split ``n``
    that others answered) worded as the gateway words that error when it fails a request, and
    the query parameters the route did not read (:func:`unread_query`) and the headers it does
    not use (:func:`unused_headers`); those about the gateway's own settings
    (:data:`OPERATORS_WARNINGS`) go to its log instead."""
    warnings: list[Notice] = result.warnings
    if any(notice.code in OPERATORS_WARNINGS for notice in warnings):
        warnings = _told_the_operator(warnings, request.app[STATE].told)
    if result.failures:
        warnings = failures_as_answered(warnings, result.failures, scrub)
    unread: list[Notice] = [*unread_query(request), *unused_headers(request)]
    if unread:
        warnings = [*warnings, *unread]
    if warnings is result.warnings:  # (nothing to add: no copy)
        return result
    return result.model_copy(update={"warnings": warnings})


def _told_the_operator(warnings: list[Notice], told: set[str]) -> list[Notice]:
    """``warnings`` without the operator's, each logged the first time it comes."""
    kept = []
    for notice in warnings:
        if notice.code not in OPERATORS_WARNINGS:
            kept.append(notice)
        elif notice.message not in told:
            told.add(notice.message)
            log.warning("%s: %s", notice.code, printable(notice.message, 1000))
    return kept


def unread_query(request: web.Request) -> list[Notice]:
    """A warning naming the query parameters of a request to a route that reads none (an SDK's
    ``extra_query``), which are said, not dropped silently: settings go in the body. Only their
    names are quoted: a value may be a token."""
    if not request.query:
        return []
    names = ", ".join(repr(name) for name in sorted(set(request.query)))
    return [
        Notice(
            code=QUERY_NOT_READ,
            message=f"the query parameters {names} were not read: this route takes its settings "
            "in the body (the OpenAI SDK's extra_body, not extra_query)",
        )
    ]


def unused_headers(request: web.Request) -> list[Notice]:
    """A warning naming the :data:`UNUSED_HEADERS` a request carries, which are said, not
    dropped silently. Only their names are quoted."""
    names = [name for name in UNUSED_HEADERS if name in request.headers]
    if not names:
        return []
    quoted = ", ".join(repr(name) for name in names)
    return [
        Notice(
            code=HEADER_NOT_USED,
            message=f"the headers {quoted} were not used: this gateway calls the provider with "
            "its own upstream settings, and passes none of them on",
        )
    ]


def within_enums(body: dict[str, Any]) -> dict[str, Any]:
    """An image answer's JSON ``body`` whose ``size``, ``quality``, ``output_format`` and
    ``background`` hold only values OpenAI's image response lists (:data:`IMAGE_ENUMS`), which
    clients generated from its spec check: another value moves to :data:`OUTSIDE_SPEC`. A
    provider's field of that name is left out (:func:`_without_providers_outside_spec`)."""
    if OUTSIDE_SPEC in body:
        body = _without_providers_outside_spec(body)
    outside = {
        name: body.pop(name)
        for name, listed in IMAGE_ENUMS.items()
        if name in body and body[name] not in listed
    }
    return {**body, OUTSIDE_SPEC: outside} if outside else body


def _without_providers_outside_spec(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without the provider's own ``outside_spec`` field (passed on as the Python
    API keeps it), which would be read as the gateway's: a ``field_kept_out`` warning says so."""
    kept = {name: value for name, value in body.items() if name != OUTSIDE_SPEC}
    notice = Notice(
        code=FIELD_KEPT_OUT,
        message=f"the provider's answer also held {OUTSIDE_SPEC!r}, left out of this answer, "
        "where the gateway's own field has that name",
    )
    kept["warnings"] = [
        *body.get("warnings", ()),
        notice.model_dump(mode="json", exclude_none=True),
    ]
    return kept


def answered(body: dict[str, Any], scrub: Scrubber) -> dict[str, Any]:
    """A successful answer's JSON ``body`` with the gateway's secrets scrubbed from its text: an
    upstream may echo a key in a revised prompt or a chat answer, as in an error, and the
    client is not the key's owner. Image data is not searched (see :data:`LONGEST_TEXT`)."""
    if not scrub.secrets:
        return body
    scrubbed: dict[str, Any] = scrub.value(body, LONGEST_TEXT)
    return scrubbed


def answer(body: dict[str, Any], request_id: str | None, scrub: Scrubber) -> web.Response:
    """The JSON answer of ``body`` (:func:`answered`), with the upstream's id for the call in
    ``x-request-id``, as on errors (the SDKs' ``_request_id``, for its support)."""
    shown = upstream_id(request_id, scrub)
    headers = {"x-request-id": shown} if shown else None
    for adjustment in body.get("adjustments") or ():  # (a link kept: the operator's to act on)
        if isinstance(adjustment, dict) and isinstance(adjustment.get("reason"), str):
            adjustment["reason"] = without_tls_advice(adjustment["reason"])
    return web.json_response(answered(body, scrub), headers=headers)
