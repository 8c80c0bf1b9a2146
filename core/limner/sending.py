"""One provider exchange, shared by the images engine and the chat surface: authorize (in a thread
when it may block), send with retries (the provider's ``retry_after`` and ``retryable``), map a
non-2xx answer with the provider's error parser (falling back to the status when it chokes), name
a retired model's successor, parse a 2xx answer; and best-effort pricing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .capabilities import ModelInfo, Operation
from .errors import (
    ContentPolicyError,
    LimnerError,
    ProviderError,
    ProviderSetting,
    RateLimitError,
)
from .exchange_failures import MAYBE_TAKEN, does_work
from .http import ConnectTo, RetryPolicy, Transport
from .lifecycle import lifecycle_notices, name_replacement
from .provider import Provider, ProviderSettings, Translation
from .redaction import raised_at
from .responses import CONTENT_FILTERED, RESENT, Adjustment, Notice, reported_usage
from .retry import provider_wait, retried
from .signing import Signing
from .status_errors import (
    RETRYABLE_STATUSES,
    TAKEN_STATUSES,
    endpoint_not_found,
    error_for_status,
    shown_url,
)
from .unreported import unreported_settings, unsent_end_users
from .wire import WireRequest, WireResponse

__all__ = [
    "Plan",
    "Share",
    "exchange",
    "generic_error",
    "plan_warnings",
    "unique",
    "with_resent",
]

CallT = TypeVar("CallT")

T = TypeVar("T")


@dataclass
class Plan(Generic[CallT]):
    """A request made ready to send: one call (and translation) per provider call, and what was
    changed on the way. Shared by the images engine and the chat surface. Core's own, never
    changed once made (not frozen: a frozen dataclass is slower to build, once per request)."""

    model: ModelInfo
    provider: Provider
    settings: ProviderSettings
    calls: tuple[CallT, ...]
    translations: tuple[Translation, ...]
    adjustments: tuple[Adjustment, ...]
    warnings: tuple[Notice, ...]
    options_spelled: str | None = None
    """How the request spelt the provider's ``provider_options`` entry, where not by the
    provider's name (an alias): the calls' errors name options so, as the plan's notices do."""

    def call_for(self, sent: Translation) -> CallT:
        """The call whose translation is ``sent`` (this very object)."""
        if len(self.calls) == 1:  # (the common case: no search)
            return self.calls[0]
        return _call_sent(self.calls, self.translations, sent)


def _call_sent(
    calls: tuple[CallT, ...], translations: tuple[Translation, ...], sent: Translation
) -> CallT:
    """:meth:`Plan.call_for` of several calls (apart: its generator's closure is made only
    for them)."""
    return next(c for c, t in zip(calls, translations, strict=True) if t is sent)


async def exchange(
    transport: Transport,
    provider: Provider,
    settings: ProviderSettings,
    model: ModelInfo,
    request: WireRequest,
    *,
    parse: Callable[[WireResponse], T],
    parse_error: Callable[[WireResponse], LimnerError],
    share: Share | None = None,
    retry: RetryPolicy | None = None,
    successor: bool = True,
    connect_to: ConnectTo | None = None,
    resent: list[str] | None = None,
) -> T:
    """Send ``request`` and return ``parse(response)``; raise the provider's error otherwise,
    naming the call when it is one ``share`` of a split request. ``retry`` replaces the
    transport's retry policy; ``successor=False`` keeps a 404 from naming the model's successor
    (a poll's 404 is about the job, not the model); ``connect_to`` gives each attempt an
    address checked for the URL's host to connect to (:meth:`Transport.send`).

    An attempt the provider may have taken before the one that answered becomes a ``resent``
    warning of the result; of a :class:`~limner.calls.Pending` result, it is left in ``resent``
    for the caller to add to the job's result.

    A parser that raises something other than a :class:`LimnerError` on a 2xx body becomes a
    :class:`ProviderError` quoting the body (no ``KeyError`` leaks to users)."""

    signing = Signing(transport, provider, settings, model.id)
    if resent is None:  # attempts the provider may have taken before the one answered
        resent = []
    try:
        response = await transport.send(
            request,
            signing,
            partial(provider_wait, provider),
            partial(retried, provider),
            retry=retry,
            connect_to=connect_to,
            on_resend=resent.append,
        )
        if not 200 <= response.status < 300:
            response = signing.scrubber().response(response)  # before any excerpt is cut from it
            error = _provider_error(provider, model, response, parse_error)
            taken = TAKEN_STATUSES.get(response.status)
            if taken is not None and does_work(request):  # as limner's resend would say
                error.add_billing_note(f"{taken}: {MAYBE_TAKEN}")
            raise name_replacement(error, model) if successor else error
        try:
            result = parse(response)
        except LimnerError as error:
            _attributed(error, provider, model, response)
            raise
        except Exception as exc:  # a malformed body must not leak KeyError/JSONDecodeError
            raise ProviderError(
                f"{provider.name} answered HTTP {response.status} with a body limner could not "
                f"read ({type(exc).__name__}: {exc}{raised_at(exc, provider)}): "
                f"{signing.scrubber().response(response).text_excerpt()}",
                provider=provider.name,
                model=model.id,
                status_code=response.status,
                request_id=response.request_id,
            ) from exc  # kept below only if its words carry no secret
        result = with_resent(result, resent)
        # an images or a chat result (not a Pending) that does not say the provider's id for
        # the answer gets the one its headers give, for the caller's support request
        if getattr(result, "request_id", "") is None and response.request_id is not None:
            result = replace(result, request_id=response.request_id)  # type: ignore[type-var]
        return result
    except LimnerError as error:
        error.attribute(provider.name, model.id)  # transport errors name neither yet
        failure = _resent_said(signing.scrubber().error(error), resent)
        if (
            share is not None and signing.signed
        ):  # not before anything was sent: every call would fail
            share.name(failure)
        raise failure from signing.scrubber().cause(error.__cause__)


def with_resent(result: T, resent: Sequence[str]) -> T:
    """An images or chat result warning first of the attempts sent again (``resent``), not a
    silent second bill; a new list, as a plugin's warnings may be a tuple. A
    :class:`~limner.calls.Pending`, which has no warnings, leaves them to :func:`poll`."""
    warnings = getattr(result, "warnings", None)
    if not resent or warnings is None:
        return result
    return replace(result, warnings=[*resent_notices(resent), *warnings])  # type: ignore[type-var]


def resent_notices(resent: Sequence[str]) -> list[Notice]:
    """The ``resent`` warnings of a call whose request was sent again after attempts the
    provider may have taken (``resent`` says each), as the call's own."""
    return [Notice(code=RESENT, message=note) for note in resent]


def _resent_said(failure: LimnerError, resent: list[str]) -> LimnerError:
    """``failure`` whose billing note names, before what it says of its own attempt, each
    earlier attempt that the provider may have taken and that was sent again (as the
    ``resent`` warnings say on success): each may be billed."""
    if resent:
        failure.billing_note = "; ".join([*resent, failure.billing_note]).removesuffix("; ")
    return failure


def _provider_error(
    provider: Provider,
    model: ModelInfo,
    response: WireResponse,
    parse_error: Callable[[WireResponse], LimnerError],
) -> LimnerError:
    """The error for a non-2xx ``response``: a redirect's, or the plugin's (by status if its
    parser fails), naming the provider and model, with the answer as ``body`` where the plugin
    gave none (:meth:`~limner.wire.WireResponse.error_body`), and retryable as core's retries
    judged."""
    if 300 <= response.status < 400:
        return _redirected(provider, model, response)
    try:
        error = parse_error(response)
    except Exception:  # a plugin's parser choked on an odd body: map by status
        error = generic_error(provider, model, response)
    if not isinstance(error, LimnerError):  # (returned, not raised: the same, for the user)
        error = generic_error(provider, model, response)
    error = _attributed(error, provider, model, response)
    if error.body is None:  # one rule for every provider's errors (a plugin may set none)
        error.body = response.error_body()
    verdict = retried(provider, response)  # one truth: the verdict core retried by
    if response.status in RETRYABLE_STATUSES or verdict:  # (else the plugin's own word stands)
        error.retryable = verdict
        if not error.retryable:  # no wait helps: none is given, to read as advice
            error.retry_after = None
        elif error.retry_after is None:  # the wait, for the caller and a gateway to pass on
            error.retry_after = provider_wait(provider, response)
    return error


@dataclass(frozen=True)
class Share:
    """One call of a request whose ``n`` core split over ``calls`` calls: call ``index``, asked
    for ``images`` images where that is known."""

    index: int
    calls: int
    images: int | None = None

    def name(self, error: LimnerError) -> None:
        """Say in ``error`` which call failed (its message begins so, and ``error.call`` keeps
        it). A request made in one call is left as it is."""
        if self.calls > 1:
            asked = f" ({self.images} image(s))" if self.images is not None else ""
            error.call = f"call {self.index + 1} of {self.calls}{asked}"
            error.message = f"{error.call} failed: {error.message}"


def _attributed(
    error: LimnerError, provider: Provider, model: ModelInfo, response: WireResponse
) -> LimnerError:
    """``error`` naming the provider, the model, the request id and (for an error status) the
    status, where the plugin that raised it did not."""
    status = None if 200 <= response.status < 300 else response.status
    return error.attribute(
        provider.name, model.id, request_id=response.request_id, status_code=status
    )


def _redirected(provider: Provider, model: ModelInfo, response: WireResponse) -> LimnerError:
    """limner does not follow a provider's redirects: the request's credential headers would go
    to another address, perhaps over plain http. That address is named by its scheme, host and
    path only: its query or ``user:password@`` part may hold a token."""
    target = shown_url(response.headers.get("location") or "") or "another address"
    return ProviderError(
        f"{provider.name} answered HTTP {response.status}, a redirect to {target}; limner does "
        "not follow redirects (they would carry the credentials elsewhere): set the provider's "
        "base_url to the address the API is served from",
        provider=provider.name,
        model=model.id,
        status_code=response.status,
        request_id=response.request_id,
        body=response.error_body(),
    )


def generic_error(provider: Provider, model: ModelInfo, response: WireResponse) -> LimnerError:
    """The error class that fits the status, quoting the body (the contract's default). It is
    ``retryable`` when core retries that status and the provider's ``retryable`` agrees. A 401
    names the variables of the provider's key (``Provider.env``); a 404 whose body is not JSON
    (no API's own error: a web server's page) asks whether the base URL is right."""
    said = f"{provider.name} answered HTTP {response.status}: {response.text_excerpt()}"
    common: dict[str, Any] = {
        "provider": provider.name,
        "model": model.id,
        "status_code": response.status,
        "request_id": response.request_id,
        "body": response.error_body(),
    }
    if response.status == 404 and response.json_or_none() is None:
        names = provider.env.get("base_url")
        return endpoint_not_found(
            said,
            response.url,
            where=" or ".join(names) if names else f"the {provider.name} base_url",
            setting=ProviderSetting(provider.name, "base_url"),
            **common,
        )
    cls = error_for_status(response.status)
    extra: dict[str, Any] = {"retryable": retried(provider, response)}
    if issubclass(cls, RateLimitError) and extra["retryable"]:  # a final one waits for nothing
        extra["retry_after"] = provider_wait(provider, response)  # the wait its retries obeyed
    names = provider.env.get("api_key")
    if response.status == 401 and names:
        said = f"{said} — check {' or '.join(names)}"
        extra["setting"] = ProviderSetting(provider.name, "api_key")
    return cls(said, **common, **extra)


def raise_if_filtered(
    notices: Iterable[Notice],
    plan: Plan[Any],
    outcomes: Iterable[object] = (),
    request_id: str | None = None,
) -> None:
    """Strict mode's rule, for every surface: an image a provider withheld or blurred
    (a ``content_filtered`` notice) fails the request with :class:`ContentPolicyError`,
    carrying the usage the calls' ``outcomes`` reported (what they made may be billed) and
    the ``request_id`` of the answer that said it."""
    for notice in notices:
        if notice.code == CONTENT_FILTERED:
            refusal = ContentPolicyError(
                f"{plan.model.id}: {notice.message}",
                reason=notice.message,
                provider=plan.provider.name,
                model=plan.model.id,
                request_id=request_id,
            )
            refusal.usage = reported_usage(outcomes)
            raise refusal


def plan_warnings(
    model: ModelInfo,
    request: BaseModel,
    adjustments: Iterable[Adjustment],
    translations: Iterable[Translation],
    found: Iterable[Notice] = (),
    *,
    operation: Operation | None = None,
    replacement: ModelInfo | None = None,
) -> list[Notice]:
    """What a plan warns of before any call: the model's lifecycle (for ``operation``, with the
    ``replacement`` model when there is one), what core ``found`` while reading the request,
    each translation's warnings, and each setting the model declares unsupported that no
    translation reported (``unreported_setting``)."""
    adjustments = tuple(adjustments)
    reported: list[Notice] = []
    sent: list[WireRequest] = []
    for translation in translations:  # (a loop: no comprehension's or generator's function)
        reported += translation.warnings
        sent.append(translation.request)
    return unique(
        [
            *lifecycle_notices(model, operation, replacement),
            *found,
            *reported,
            *unreported_settings(model, request, adjustments, reported, operation=operation),
            *unsent_end_users(model, request, sent, adjustments, reported),
        ]
    )


def unique(items: Iterable[T]) -> list[T]:
    """Items in order without repeats (split calls report the same adjustment each)."""
    seen: list[T] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
