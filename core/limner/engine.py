"""The request pipeline: resolve, validate, load inputs, split ``n``, translate, send, parse, price,
merge. Providers only translate and parse; every network call happens here."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .admission import admitted, before_download
from .answer_costs import price_made, total_cost
from .calls import AnyRequest, Pending, ProviderCall, ProviderResult, Translation, split_n
from .capabilities import ModelInfo, Operation
from .clear_credentials import clear_credentials
from .client_defaults import DEFAULT_POLL_TIMEOUT
from .delivery import (
    BYTES_NOT_URLS,
    answered_shape,
    deliver,
    not_images,
    unusable_images,
    unusable_warnings,
)
from .describing import describe
from .download import DownloadPolicy, check_url, download
from .dryrun import DryRun
from .errors import LimnerError, PluginError
from .estimates import estimate_calls
from .extra_headers import check_extra_headers, check_not_overwritten, with_extra_headers
from .failure_cost import price_failure
from .http import Transport
from .images import InputImage
from .inputs import (
    NO_INPUTS,
    OPTIONS,
    LoadedImages,
    load_images,
    provider_options,
    respell_error,
    respelled,
    spelling,
    takes_inputs,
)
from .interrupted import LINKS_KEPT, cancelled_call, kept
from .masks import mask_notices
from .merging import Merged, collect, respond
from .money import exact_money
from .off_loop import carries_image_data, run_translation
from .outcomes import gather_settled
from .plugins import Registry
from .polling import jobs_billable, poll
from .provider import Provider, ProviderSettings
from .ready_credentials import credentials
from .requests import set_aside_misplaced
from .responses import CONTENT_FILTERED, ImagesResponse
from .sending import Plan, Share, exchange, plan_warnings, unique
from .settings_store import SettingsStore
from .typos import typo_notices
from .validation import check_backend, validate_request

__all__ = ["CONTENT_FILTERED", "Engine", "EngineOptions", "split_n"]


@dataclass(frozen=True)
class EngineOptions:
    """Client-wide behaviour. ``strict`` turns content-filter notices into
    :class:`ContentPolicyError`."""

    download: DownloadPolicy = field(default_factory=DownloadPolicy)
    strict: bool = False
    poll_timeout: float = DEFAULT_POLL_TIMEOUT
    """Seconds to wait in all for a provider's job (see :mod:`limner.polling`)."""
    # repr=False: both can hold credentials.
    provider_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)


_Plan = Plan[ProviderCall]


def _calls(
    operation: Operation,
    model: ModelInfo,
    request: AnyRequest,
    settings: ProviderSettings,
    inputs: LoadedImages,
    options: BaseModel | None,
) -> tuple[ProviderCall, ...]:
    """The provider calls of ``request``: one per share of its ``n`` (:func:`split_n`)."""
    calls = []  # (a loop, not a generator: no closure over these per request)
    for index, count in enumerate(split_n(request.n, model.capabilities.max_images_per_call)):
        calls.append(
            ProviderCall(
                operation=operation,
                model=model,
                request=request,
                settings=settings,
                n=count,
                index=index,
                images=inputs.images,
                mask=inputs.mask,
                markup=inputs.markup,
                options=options,
            )
        )
    return tuple(calls)


class Engine:
    """Runs requests for a client: owns no state beyond its providers' settings
    (:class:`~limner.settings_store.SettingsStore`)."""

    def __init__(self, registry: Registry, transport: Transport, options: EngineOptions) -> None:
        self.registry = registry
        self.transport = transport
        self.options = options
        self.settings = SettingsStore(registry, options.provider_settings, options.environ)

    async def dry_run(self, operation: Operation, request: AnyRequest) -> DryRun:
        """What would be sent (secrets redacted) and the estimated cost; needs no credentials."""
        plan = await self._plan(operation, request, sending=False)
        calls = [(call, call.n, t) for call, t in zip(plan.calls, plan.translations, strict=True)]
        with exact_money():
            estimates, notices = estimate_calls(self.registry, plan.model, operation, calls)
            return describe(plan, estimates, notices)

    async def run(self, operation: Operation, request: AnyRequest) -> ImagesResponse:
        plan = await self._plan(operation, request, sending=True)
        ended: dict[int, ProviderResult | LimnerError] = {}
        jobs: dict[int, str] = {}  # the jobs calls started, by call: named if cancelled
        with exact_money():  # (the caller may have set a precision that would round)
            try:
                async with admitted(credentials(self.transport, plan)):  # (a gateway's slot)
                    sends = []  # (a loop, not a comprehension: no closure cells for its names)
                    for call, translation in zip(plan.calls, plan.translations, strict=True):
                        sends.append(self._send(plan, call, translation, jobs))
                    outcomes = await gather_settled(sends, into=ended)
                    return await self._merge(operation, request, plan, outcomes)
            except asyncio.CancelledError:  # while calls were out, or their images downloading
                self._keep_made(operation, request, plan, ended, jobs)
                raise
            except LimnerError as error:  # no image returned: what was made may still be billed
                jobs_billable(error, [jobs[index] for index in sorted(jobs)])
                price_made(self.registry, operation, plan, ended, error)
                price_failure(self.registry, plan, operation, error)
                raise

    def _keep_made(
        self,
        operation: Operation,
        request: AnyRequest,
        plan: _Plan,
        ended: Mapping[int, ProviderResult | LimnerError],
        jobs: Mapping[int, str],
    ) -> None:
        """A call cancelled after some of its provider calls answered: their images, billed,
        go to :func:`~limner.interrupted.keep_made_images`'s list when the caller keeps one, at
        once and as answered (a link is not downloaded)."""
        made = kept()
        if made is None or not any(isinstance(o, ProviderResult) for o in ended.values()):
            return
        count = len(plan.calls)
        outcomes = [
            ended.get(index, cancelled_call(index, count, call.n, jobs.get(index)))
            for index, call in enumerate(plan.calls)
        ]
        with contextlib.suppress(LimnerError):  # (what answered made no image after all)
            merged = collect(plan, outcomes, strict=False)
            if request.response_format == "b64_json" and any(
                item.b64_json is None for item in merged.data
            ):
                merged.adjustments.append(LINKS_KEPT)
            made.append(self._response(operation, plan, merged, None))

    # ---- planning ----------------------------------------------------------------------------

    async def _plan(self, operation: Operation, request: AnyRequest, *, sending: bool) -> _Plan:
        model = self.registry.resolve(request.model)
        if model.capabilities.per_backend:  # (not served where this client reaches it: first)
            self._check_backend(model, operation)
        validate_request(model, operation, request)
        variation_edit = "variation" in model.capabilities.edit_modes
        request, misplaced = set_aside_misplaced(request, variation_edit=variation_edit)
        providers = self.registry.providers
        provider = self.registry.provider_for(model)
        extra_headers = check_extra_headers(request, providers, provider)
        options = provider_options(request, provider, self.registry)
        settings = self.settings.loaded(provider)
        inputs = (  # (a generation's: none, without a coroutine to await)
            await load_images(request, model, self.fetch, max_bytes=self.options.download.max_bytes)
            if takes_inputs(request)
            else NO_INPUTS
        )

        given = request.provider_options
        spelled = spelling(given, provider, OPTIONS) if given else None
        heavy = carries_image_data((*inputs.images, inputs.mask, inputs.markup), given)
        try:
            calls = _calls(operation, model, request, settings, inputs, options)
            translations = (  # (a light one at once, without a coroutine to await)
                await self._translate_off_loop(provider, extra_headers, calls)
                if heavy
                else self._translate_all(provider, extra_headers, calls)
            )
            if sending:  # the request is valid: settings that need I/O may be looked up now
                completed = self.settings.completed(provider) or await self.settings.to_send(
                    provider, model, within=self.transport.total_timeout
                )  # (the lookup first: no coroutine to await on every call)
                if completed is not settings:  # the first call sent: translated again with them
                    settings = completed
                    calls = _calls(operation, model, request, settings, inputs, options)
                    translations = (
                        await self._translate_off_loop(provider, extra_headers, calls)
                        if heavy
                        else self._translate_all(provider, extra_headers, calls)
                    )
        except LimnerError as exc:
            if spelled is not None:  # the options as the caller named them
                respell_error(exc, provider, OPTIONS, spelled)
            raise
        if extra_headers:
            check_not_overwritten(
                extra_headers, provider, settings, translations[0].request, model.id
            )
        adjusted, sent = list(misplaced), []  # (a loop: no generators' functions per request)
        for translation in translations:
            adjusted += translation.adjustments
            sent.append(translation.request)
        adjustments = tuple(unique(adjusted))
        if spelled is not None:
            adjustments = respelled(adjustments, provider, OPTIONS, spelled)
        if (
            request.response_format == "url"
            and "url" not in model.capabilities.response_formats
            and not any(a.param == "response_format" for a in adjustments)
        ):  # known before the call, so dry runs show it too
            adjustments = (*adjustments, BYTES_NOT_URLS)
        found = [  # (no unknown fields, the common case: nothing to look at)
            *(typo_notices(request, provider.own_fields) if request.model_extra else ()),
            *(mask_notices(inputs.mask) if inputs.mask is not None else ()),
            *clear_credentials(provider, settings, model.id, sent),
        ]
        replacement = self.registry.replacement(model)
        warnings = tuple(
            plan_warnings(
                model,
                request,
                adjustments,
                translations,
                found,
                operation=operation,
                replacement=replacement,
            )
        )
        if spelled is not None:
            warnings = respelled(warnings, provider, OPTIONS, spelled)
        # Plan(...), not _Plan(...): calling a subscripted generic costs a failed setattr per call
        return Plan(model, provider, settings, calls, translations, adjustments, warnings, spelled)

    async def _translate_off_loop(
        self, provider: Provider, extra_headers: dict[str, str], calls: tuple[ProviderCall, ...]
    ) -> tuple[Translation, ...]:
        """:meth:`_translate_all` in a worker thread (calls given image bytes)."""
        translate = functools.partial(self._translate_all, provider, extra_headers)
        return await run_translation(translate, calls, heavy=True)

    def _translate_all(
        self, provider: Provider, extra_headers: dict[str, str], calls: tuple[ProviderCall, ...]
    ) -> tuple[Translation, ...]:
        """Each call's translation, with the request's ``extra_headers``."""
        translations = []  # (a loop, not a generator: no closure over these per request)
        for call in calls:
            translated = self.registry.translate(provider, call)
            translations.append(with_extra_headers(translated, extra_headers))
        return tuple(translations)

    def _check_backend(self, model: ModelInfo, operation: Operation) -> None:
        """:func:`~limner.validation.check_backend` with the settings this client has for the
        model's provider; settings that do not load are said after the request's checks."""
        provider = self.registry.provider_for(model)
        try:
            settings = self.settings.loaded(provider)
        except LimnerError:
            return
        check_backend(model, operation, provider, settings)

    async def fetch(self, url: str, param: str, *, provider_url: bool = False) -> bytes:
        """The bytes at ``url`` under the client's download policy, timeouts and retries, the
        back-offs cut short by the client's closing (see :func:`~limner.download.download`).
        An input image's waits for the admission set for it (a gateway's download share)."""
        if not provider_url:
            policy = self.options.download
            await before_download(functools.partial(check_url, url, policy, param=param))
        return await download(
            self.transport.download_session,
            url,
            self.options.download,
            param=param,
            provider_url=provider_url,
            timeout=self.transport.timeout,
            retry=self.transport.retry,
            pauses=self.transport.connections.pauses,
        )

    # ---- sending -----------------------------------------------------------------------------

    async def _send(
        self,
        plan: _Plan,
        call: ProviderCall,
        translation: Translation,
        jobs: dict[int, str],
    ) -> ProviderResult:
        provider = plan.provider
        share = Share(call.index, len(plan.calls), call.n)
        try:
            resent: list[str] = []  # the submission's attempts the provider may have taken
            result = await exchange(
                self.transport,
                provider,
                plan.settings,
                plan.model,
                translation.request,
                parse=lambda response: provider.parse_response(call, response),
                parse_error=lambda response: provider.parse_error(call, response),
                share=share,
                resent=resent,
            )
            if isinstance(result, Pending):  # a job: the images come from polling it
                if result.job is not None:
                    jobs[call.index] = result.job
                result = await poll(
                    self.transport,
                    provider,
                    plan.settings,
                    call,
                    translation.request,
                    result,
                    timeout=self.options.poll_timeout,
                    policy=self.options.download,
                    share=share,
                    resent=resent,
                )
            if not isinstance(result, ProviderResult):
                step = f"{provider.name}.parse_response"
                raise PluginError.returned(step, result, "a ProviderResult or Pending")
            broken = (
                unusable_images(result.images, provider.name)
                or unusable_warnings(result.warnings, provider.name)
                or not_images(
                    [item.b64_json for item in result.images],
                    provider.name,
                    plan.model.id,
                    result.request_id,
                )
            )
            if broken is not None:
                broken.usage = result.usage  # the answer's bill: priced into the error's cost
                raise broken
            return result
        except LimnerError as exc:
            if plan.options_spelled is not None:  # its options as the caller named them
                respell_error(exc, provider, OPTIONS, plan.options_spelled)
            raise

    # ---- merging -----------------------------------------------------------------------------

    async def _merge(
        self,
        operation: Operation,
        request: AnyRequest,
        plan: _Plan,
        outcomes: Sequence[ProviderResult | LimnerError],
    ) -> ImagesResponse:
        merged = collect(plan, outcomes, strict=self.options.strict)
        read = None  # the first image, as limner read it if it downloaded it
        if request.response_format is not None:
            fetch = functools.partial(self.fetch, provider_url=True)
            merged.data, read = await deliver(
                request.response_format, merged.data, merged.adjustments, fetch
            )
        return self._response(operation, plan, merged, read)

    def _response(
        self, operation: Operation, plan: _Plan, merged: Merged, read: InputImage | None
    ) -> ImagesResponse:
        first, sent = merged.answered[0]
        shape = answered_shape(first, sent, merged.data, read)  # the size priced is the one shown
        cost, notices = total_cost(self.registry, operation, plan, merged.answered, shape[0])
        return respond(plan, merged, cost, notices, shape)
