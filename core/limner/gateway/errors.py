"""OpenAI-shaped error answers: ``{"error": {"message", "type", "param", "code"}}`` with the
status of limner's error tree, ``Retry-After`` where a retry can help, and no secret ever echoed."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ..authorizing import AUTHORIZE_TIMEOUT, SETTINGS_TIMEOUT
from ..errors import (
    AuthenticationError,
    BillingError,
    InvalidRequestError,
    JobTimeoutError,
    LimnerError,
    MissingCredentialsError,
    NoImageGeneratedError,
    NotFoundError,
    ProviderConnectionError,
    RateLimitError,
    RequestTimeoutError,
)
from ..exchange_failures import TLS_ADVICE, without_tls_advice
from ..outcomes import failed_call_notice
from ..redaction import Scrubber
from ..responses import CALL_FAILED, CONTENT_FILTERED, Notice
from ..retry import RetryPolicy
from ..safe_text import printable
from ..status_errors import ENDPOINT_NOT_FOUND, error_for_status
from ..validation import NOT_ON_BACKEND

log = logging.getLogger("limner.gateway")

__all__ = [
    "LONGEST_ID",
    "BusyError",
    "NotImplementedByStoreError",
    "Scrubber",
    "error_response",
    "failures_as_answered",
    "http_error_response",
    "internal_error_response",
    "missing_parameter",
    "upstream_id",
]


def missing_parameter(name: str, hint: str = "") -> InvalidRequestError:
    """A required field is missing: 400 ``missing_required_parameter``, worded as OpenAI words
    it ("Missing required parameter: 'prompt'."), so SDKs raise their usual bad-request error."""
    return InvalidRequestError(
        f"Missing required parameter: '{name}'.{hint and ' ' + hint}",
        param=name,
        code="missing_required_parameter",
    )


class NotImplementedByStoreError(LimnerError):
    """The gateway's file store lacks an operation (a store written before it existed)."""

    http_status = 501
    error_type = "api_error"
    default_code = "not_implemented"


class BusyError(RateLimitError):
    """Every upstream slot stayed busy for the queue timeout."""

    default_code = "gateway_busy"


LONGEST_ID = 200
"""Characters of an upstream's request id the gateway passes on (OpenAI's are about 40)."""


def upstream_id(request_id: str | None, scrub: Scrubber) -> str | None:
    """The upstream's request id for the client's ``x-request-id`` (and the log line), scrubbed
    (an upstream may echo a key anywhere) and cut to :data:`LONGEST_ID` characters."""
    return scrub(request_id)[:LONGEST_ID] if request_id else None


def error_response(exc: LimnerError, scrub: Scrubber) -> web.Response:
    """The answer for a limner error: its status, its OpenAI body, ``Retry-After`` when known."""
    exc = scrub.error(exc)  # an upstream may echo a key in any of its fields
    body, answer = _as_answered(exc)
    headers: dict[str, str] = {}
    shown = upstream_id(exc.request_id, scrub)
    if shown:  # the upstream's id for the call, as OpenAI's own answers carry one
        headers["x-request-id"] = shown
    # a call the provider may have taken (a connection dropped after the request went out)
    # is not for the SDK to send again: its second bill would be silent, where limner's own
    # resend is said in a ``resent`` warning
    retry = exc.retryable and not answer.final and not exc.billing_note
    if exc.retry_after is not None and retry:  # a 429's or a 503's, say: the SDKs wait it
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        # a longer wait than limner retries after (an hourly or daily limit): an SDK that obeys
        # "true" retries after its own short back-off when Retry-After is over a minute
        retry = retry and exc.retry_after <= RetryPolicy.max_retry_after
    # the SDKs obey this over the status: limner's own verdict on whether a retry can help
    headers["x-should-retry"] = "true" if retry else "false"
    return web.json_response(body, status=answer.status, headers=headers)


def failures_as_answered(
    warnings: Sequence[Notice], failures: Sequence[LimnerError], scrub: Scrubber
) -> list[Notice]:
    """``warnings`` of a successful answer, each failed call's (a split ``n`` that others
    answered: ``call_failed``, or ``content_filtered`` for a refusal) worded as the gateway
    words that error when it fails a request: scrubbed, with the operator's matters kept for
    the log."""
    worded: dict[str, str] = {}
    for failure in failures:
        said = failed_call_notice(failure).message  # as the notice has it, before scrubbing
        body, answer = _as_answered(scrub.error(failure), within="a call of a request answered 200")
        # words the gateway rewrote lost the call's name, which the message began with
        named = f"{failure.call} failed: " if failure.call and "message" in answer.changes else ""
        worded[said] = named + body["error"]["message"]
    return [
        notice.model_copy(update={"message": worded[notice.message]})
        if notice.code in (CALL_FAILED, CONTENT_FILTERED) and notice.message in worded
        else notice
        for notice in warnings
    ]


def _as_answered(
    exc: LimnerError, *, within: str = ""
) -> tuple[dict[str, dict[str, Any]], _Answer]:
    """The OpenAI body of ``exc`` (already scrubbed) as the gateway answers it, and how; an
    error only the operator can act on goes to the log (``within``: the answer it is part of,
    when it is not the answer itself)."""
    body = exc.to_openai()
    answer = _as_the_gateway_answers(exc, body["error"]["message"])
    body["error"].update(answer.changes)
    if exc.billing_note and "message" in answer.changes:  # the gateway rewords: say it again
        body["error"]["message"] = f"{body['error']['message']}; {exc.billing_note}"
    code = body["error"]["code"]
    hidden_cause = "message" in answer.changes and isinstance(
        exc, ProviderConnectionError | RequestTimeoutError
    )  # the host, the DNS or TLS failure: a wrong base URL or no route out shows here
    if code in _OPERATORS or hidden_cause:  # the client is told little: the operator, all
        said = f"{within}: said as {code}" if within else f"answered {answer.status} {code}"
        billed = _billed(exc)  # sent: not "unreached"
        # (a provider's words: on one line, and not its whole body)
        log.warning("%s%s (%s)", printable(exc.message, _LOGGED), billed, said)
    return body, answer


def _billed(exc: LimnerError) -> str:
    """The billing note to add to ``exc``'s message in the log: none when the message already
    says it (a timeout's does)."""
    if not exc.billing_note or exc.billing_note in exc.message:
        return ""
    return f"; {exc.billing_note}"


_LOGGED = 1000
"""The most of an error's message the operator's log line quotes."""

_OPERATORS = frozenset({"provider_not_configured", "provider_credential_rejected"})
"""Error codes only the gateway's operator can act on; the log line says what to do."""


@dataclass(frozen=True)
class _Answer:
    status: int
    changes: Mapping[str, str | None] = field(default_factory=dict)
    final: bool = False  # retrying cannot help


def _as_the_gateway_answers(exc: LimnerError, said: str) -> _Answer:
    """The status, and the body fields to replace, for errors that are the gateway operator's
    business (the client can do nothing about them, and should not see upstream hosts) or that
    OpenAI answers differently from limner's error tree. ``said`` is the scrubbed message."""
    upstream = f"the {exc.provider} API" if exc.provider else "the provider's API"
    operators = _for_the_operator(exc, upstream)
    if operators is not None:
        return operators
    if isinstance(exc, NotFoundError) and exc.provider is None and exc.param == "model":
        # limner's own refusal of a model id: what to do next, said the HTTP way
        hint = f" Did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        message = f"Unknown model {exc.model!r}.{hint} GET /v1/models lists the models."
        return _Answer(exc.http_status, {"message": message}, final=True)
    if isinstance(exc, ProviderConnectionError | RequestTimeoutError):
        return _unanswered(exc, said, upstream)
    if isinstance(exc, BillingError):  # OpenAI answers a used-up quota so
        changes = {"type": "insufficient_quota", "code": "insufficient_quota"}
        return _Answer(429, changes, final=True)
    if isinstance(exc, NoImageGeneratedError):  # an answer, billed: a retry is the client's call
        return _Answer(exc.http_status, final=True)
    return _Answer(exc.http_status)


def _unanswered(exc: LimnerError, said: str, upstream: str) -> _Answer:
    """The answer for a provider not reached, or not answering in time."""
    if exc.param is not None:  # an image URL the client gave: theirs to fix, as OpenAI says
        if TLS_ADVICE in said:  # the operator's to act on (the log says it), not the client's
            unadvised = without_tls_advice(said)
            return _Answer(400, {"type": "invalid_request_error", "message": unadvised}, True)
        return _Answer(400, {"type": "invalid_request_error"}, final=True)
    if exc.submitted and exc.job is None and not isinstance(exc, JobTimeoutError):
        # a 2xx whose body was lost (a job's polls: said below, with the job's note)
        how = (
            "was cut off"
            if isinstance(exc, ProviderConnectionError)
            else ("did not finish within the gateway's timeout")
        )
        message = f"{upstream} began answering, but its answer {how}"
        return _Answer(exc.http_status, {"message": message}, final=True)
    if isinstance(exc, ProviderConnectionError):
        message = (
            f"the connection to {upstream} was lost"
            if exc.dropped  # after sending: its billing note, said after this, says so
            else f"the gateway could not reach {upstream}"
        )
        later = "; try again later" if exc.retryable and not exc.billing_note else ""
        return _Answer(exc.http_status, {"message": message + later})
    if isinstance(exc, JobTimeoutError):  # answered, but its job ran past poll_timeout
        message = f"{upstream}'s job was not done within the gateway's poll timeout"
        return _Answer(exc.http_status, {"message": message})
    if exc.status_code is not None:  # the provider answered that it timed out: its words
        return _Answer(exc.http_status)
    if exc.code == AUTHORIZE_TIMEOUT:  # the gateway's own credentials were not ready
        message = (
            f"the gateway's credentials for {upstream} were not ready within its timeout "
            "(a token still being refreshed); nothing was sent upstream"
        )
        return _Answer(exc.http_status, {"message": message})
    if exc.code == SETTINGS_TIMEOUT:  # the gateway's settings for it were still being read
        message = (
            f"the gateway's settings for {upstream} were not ready within its timeout (read "
            "over the network, such as a cloud project); nothing was sent upstream"
        )
        return _Answer(exc.http_status, {"message": message})
    message = f"{upstream} did not answer within the gateway's timeout"
    return _Answer(exc.http_status, {"message": message})


def _for_the_operator(exc: LimnerError, upstream: str) -> _Answer | None:
    """The answer for a provider the gateway's operator set up wrongly (no credential, a wrong
    setting, a rejected credential, a URL that is not the API), or ``None``."""
    if isinstance(exc, MissingCredentialsError):
        return _not_configured(
            f"this gateway has no credential for {exc.provider or 'the provider'}"
        )
    if exc.param is not None and exc.param.startswith("providers."):
        # a provider setting of the gateway's own (clients send none): wrong, or missing, or
        # one the provider's answer blames (a region that does not serve the model)
        name = exc.provider or exc.param.split(".")[1]
        return _not_configured(
            f"this gateway's settings for {name} are wrong; the gateway's operator must fix them"
        )
    if (exc.setting is not None or exc.code == NOT_ON_BACKEND) and exc.status_code is None:
        # found before any call, and a provider setting fixes it: only the operator sets those
        provider = exc.setting.provider if exc.setting is not None else exc.provider
        return _not_configured(
            f"this gateway is not set up to serve this request with {provider}; "
            "the gateway's operator must change its settings"
        )
    if isinstance(exc, AuthenticationError) and exc.provider:  # not the client's gateway key
        # the upstream's words stay in the log: they may quote part of the operator's key
        message = f"{upstream} rejected this gateway's credential, which its operator must fix"
        changes = {"type": "api_error", "code": "provider_credential_rejected", "message": message}
        return _Answer(503, changes, final=True)
    if isinstance(exc, NotFoundError) and exc.code == ENDPOINT_NOT_FOUND:
        return _not_configured(
            f"this gateway's URL for {upstream} is wrong; the gateway's operator must fix it"
        )
    return None


def _not_configured(message: str) -> _Answer:
    """A provider the gateway's operator set up wrongly: 503, naming no parameter (the client
    sent none of it), its details in the operator's log."""
    changes: dict[str, str | None] = {
        "type": "api_error",
        "code": "provider_not_configured",
        "message": message,
        "param": None,
    }
    return _Answer(503, changes, final=True)


def http_error_response(exc: web.HTTPException, request: web.Request) -> web.Response:
    """aiohttp's own errors (unknown route, wrong method, body too large) in OpenAI's shape: the
    error class that fits the status renders the body; the status stays aiohttp's."""
    status = exc.status
    message = exc.text if exc.text and not exc.text.startswith(f"{status}:") else exc.reason
    if status == 404:  # as OpenAI words it; most often a base URL without /v1
        message = f"Invalid URL ({request.method} {request.path}); this gateway serves /v1/..."
    if status == 405 and exc.headers.get("Allow"):
        allowed = ", ".join(sorted(exc.headers["Allow"].split(",")))
        message = f"{request.method} is not allowed on {request.path}; it takes {allowed}"
    if status == 413:  # too many bytes, or too many form fields (aiohttp's 1000)
        fields = "number of form fields" in (exc.text or "")
        message = (
            "Request body has too many form fields for the gateway"
            if fields
            else "Request body too large for the gateway"
        )
    code = {
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
        417: "expectation_failed",
    }.get(status)
    body = error_for_status(status)(message, code=code).to_openai()
    headers = {"x-should-retry": "false"}  # an unknown route or a body too large stays so
    if "Allow" in exc.headers:
        headers["Allow"] = exc.headers["Allow"]
    return web.json_response(body, status=status, headers=headers)


def internal_error_response() -> web.Response:
    """A bug in limner or a plugin: 500 with no details (they are in the server log)."""
    error = LimnerError(
        "The gateway hit an internal error; the server log has the details.",
        code="internal_error",
    )
    # the call may have been made (and billed) before the bug: the SDKs must not send it again
    headers = {"x-should-retry": "false"}
    return web.json_response(error.to_openai(), status=error.http_status, headers=headers)
