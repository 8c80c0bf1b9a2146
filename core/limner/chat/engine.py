"""Chat completions: resolve, refuse what cannot be served, load the conversation's images,
translate (one call per choice), send, parse, price, merge. Providers only translate and parse;
the network calls, retries, error mapping, downloads and pricing are the images engine's own
pieces (:mod:`limner.sending`, :mod:`limner.download`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from ..admission import admitted
from ..call_prices import billed_or_notice, estimated_notice, price_or_notice
from ..clear_credentials import clear_credentials
from ..delivery import not_images
from ..describing import describe
from ..dryrun import DryRun, Estimate
from ..engine import Engine
from ..errors import (
    LimnerError,
    NoImageGeneratedError,
    PluginError,
)
from ..estimates import estimate_calls
from ..extra_headers import check_extra_headers, check_not_overwritten, with_extra_headers
from ..failure_cost import price_bills, price_failure
from ..inputs import OPTIONS, provider_options, respell_error, respelled, spelling
from ..merging import note_resent
from ..money import exact_money
from ..off_loop import carries_image_data, run_translation
from ..outcomes import failed_call_notice, failed_calls, gather_settled
from ..plugin_failures import raise_from_plugin
from ..provider import Provider, Translation
from ..ready_credentials import credentials
from ..responses import NO_IMAGES, RESENT, Notice, reported_usage
from ..sending import (
    Plan,
    Share,
    exchange,
    plan_warnings,
    raise_if_filtered,
    unique,
)
from ..translation_check import checked_translation
from ..unreported import unreported_message_settings
from ..unsendable import refuse_unsendable
from .contract import ChatCall, ChatResult
from .messages import assistant_message, load_turns
from .refusals import NOT_SUPPORTED, refuse_unsupported
from .response import ChatChoice, ChatCompletion, ChatUsage
from .schema import ChatRequest

__all__ = ["NOT_SUPPORTED", "TEXT_ONLY", "ChatEngine"]

TEXT_ONLY = "text_only"
"""Notice code for a chat translation whose answer can hold no image (a provider option asked
for text alone): a dry run then estimates no image price, as for ``modalities=["text"]``."""


_Plan = Plan[ChatCall]


class ChatEngine:
    """Runs chat requests with an images :class:`Engine`'s registry, transport, settings and
    download rules."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def dry_run(self, request: ChatRequest) -> DryRun:
        """What would be sent (secrets redacted) and the estimated cost; needs no credentials."""
        plan = await self._plan(request, sending=False)
        text_only = any(w.code == TEXT_ONLY for t in plan.translations for w in t.warnings)
        if request.modalities == ["text"] or text_only:  # only tokens, not known before the call
            said = Notice(
                code="price_unknown",
                message=f"a text-only answer from {plan.model.id} is billed by its tokens, "
                "which are not known before the call",
            )
            unknown = [
                Estimate(operation="chat", images=1, quality=t.quality, size=t.size)
                for t in plan.translations
            ]
            return describe(plan, unknown, [said])
        calls = [(call, 1, t) for call, t in zip(plan.calls, plan.translations, strict=True)]
        with exact_money():
            estimates, notices = estimate_calls(self.engine.registry, plan.model, "chat", calls)
            return describe(plan, estimates, notices)

    async def create(self, request: ChatRequest) -> ChatCompletion:
        plan = await self._plan(request, sending=True)
        outcomes: list[ChatResult | LimnerError] = []
        with exact_money():  # (the caller may have set a precision that would round)
            try:
                ready = credentials(self.engine.transport, plan)
                async with admitted(ready):  # (a gateway's slot: taken once the plan holds)
                    outcomes = await gather_settled(
                        [
                            self._send(plan, call, translation)
                            for call, translation in zip(plan.calls, plan.translations, strict=True)
                        ]
                    )
                return self._merge(plan, outcomes)
            except LimnerError as error:  # no answer: the usage reported may still be billed
                answers = [(o.billed_usd, o.usage) for o in outcomes if isinstance(o, ChatResult)]
                failed = reported_usage(o for o in outcomes if isinstance(o, LimnerError))
                step = f"{plan.provider.name}.parse_chat_response"
                price_bills(self.engine.registry, plan, answers, failed, step, error)
                price_failure(self.engine.registry, plan, "chat", error)
                raise

    # ---- planning ----------------------------------------------------------------------------

    async def _plan(self, request: ChatRequest, *, sending: bool) -> _Plan:
        registry = self.engine.registry
        model = registry.resolve(request.model)
        refuse_unsupported(request, model, registry.models())
        provider = registry.provider_for(model)
        headers = check_extra_headers(request, registry.providers, provider)
        options = provider_options(request, provider, registry)
        settings = self.engine.settings.loaded(provider)
        turns, notices = await load_turns(
            request,
            model,
            provider.name,
            self.engine.fetch,
            max_bytes=self.engine.options.download.max_bytes,
        )
        calls = tuple(
            ChatCall(model, request, settings, turns, options, index) for index in range(request.n)
        )

        def translate_all(calls: tuple[ChatCall, ...]) -> tuple[Translation, ...]:
            return tuple(self._translate(provider, call, headers) for call in calls)

        images = (part.image for turn in turns for part in turn.parts)
        thoughts = (image for turn in turns for image in turn.thought_images)
        given = request.provider_options
        spelled = spelling(given, provider, OPTIONS) if given else None
        heavy = carries_image_data((*images, *thoughts), given)
        try:
            translations = await run_translation(translate_all, calls, heavy=heavy)
            if sending:  # the request is valid: settings that need I/O may be looked up now
                store = self.engine.settings
                within = self.engine.transport.total_timeout
                completed = store.completed(provider) or await store.to_send(
                    provider, model, within=within
                )
                if completed is not settings:  # the first call sent: translated again with them
                    settings = completed
                    calls = tuple(replace(call, settings=completed) for call in calls)
                    translations = await run_translation(translate_all, calls, heavy=heavy)
        except LimnerError as exc:
            if spelled is not None:  # the options as the caller named them
                respell_error(exc, provider, OPTIONS, spelled)
            raise
        if headers:
            check_not_overwritten(headers, provider, settings, translations[0].request, model.id)
        adjustments = unique(a for t in translations for a in t.adjustments)
        said = [w for t in translations for w in t.warnings]
        notices += unreported_message_settings(turns, adjustments, said)
        notices += clear_credentials(
            provider, settings, model.id, (t.request for t in translations)
        )
        warnings = plan_warnings(
            model,
            request,
            adjustments,
            translations,
            notices,
            operation="chat",
            replacement=registry.replacement(model),
        )
        if spelled is not None:
            adjustments = list(respelled(tuple(adjustments), provider, OPTIONS, spelled))
            warnings = list(respelled(tuple(warnings), provider, OPTIONS, spelled))
        return Plan(
            model,
            provider,
            settings,
            calls,
            translations,
            tuple(adjustments),
            tuple(warnings),
            spelled,
        )

    @staticmethod
    def _translate(provider: Provider, call: ChatCall, headers: dict[str, str]) -> Translation:
        step = f"{type(provider).__name__}.translate_chat"
        try:
            translation = checked_translation(provider.translate_chat(call), step)
        except Exception as exc:  # named and scrubbed as the images path does (Registry.translate)
            if not isinstance(exc, LimnerError) or isinstance(exc, PluginError):
                refuse_unsendable(call.request)  # the caller's text, if it cannot be sent
            raise_from_plugin(provider, call.settings, call.model.id, exc, "translate_chat")
        return with_extra_headers(translation, headers)

    # ---- sending and merging -----------------------------------------------------------------

    async def _send(self, plan: _Plan, call: ChatCall, translation: Translation) -> ChatResult:
        try:
            return await self._exchanged(plan, call, translation)
        except LimnerError as exc:
            if plan.options_spelled is not None:  # its options as the caller named them
                respell_error(exc, plan.provider, OPTIONS, plan.options_spelled)
            raise

    async def _exchanged(self, plan: _Plan, call: ChatCall, translation: Translation) -> ChatResult:
        provider = plan.provider
        result = await exchange(
            self.engine.transport,
            provider,
            plan.settings,
            plan.model,
            translation.request,
            parse=lambda response: provider.parse_chat_response(call, response),
            parse_error=lambda response: provider.parse_chat_error(call, response),
            share=Share(call.index, len(plan.calls)),
        )
        if not isinstance(result, ChatResult):
            step = f"{provider.name}.parse_chat_response"
            raise PluginError.returned(step, result, "a ChatResult")
        inline = [url.partition(",")[2] for url in result.images if url.startswith("data:")]
        broken = not_images(inline, provider.name, plan.model.id, result.request_id)
        if broken is not None:
            broken.usage = result.usage  # the answer's bill: priced into the error's cost
            raise broken
        return result

    def _merge(self, plan: _Plan, outcomes: list[ChatResult | LimnerError]) -> ChatCompletion:
        """One choice per call that answered; a failed call, when others answered, is left out
        with a notice (their answers are billed). An empty answer (neither text nor an image) is
        an error when every answer is empty, and otherwise a choice with a ``no_images``
        notice."""
        strict = self.engine.options.strict
        failed = failed_calls(outcomes, answered=_said_something, strict=strict)
        warnings = [*plan.warnings, *(failed_call_notice(error) for error in failed.values())]
        results = [
            (o, t)
            for o, t in zip(outcomes, plan.translations, strict=True)
            if isinstance(o, ChatResult)
        ]
        if not any(_said_something(result) for result, _ in results):
            silent = _nothing_said(plan, results[0][0])
            note_resent(silent, outcomes)  # (as the images path says it)
            silent.usage = reported_usage(outcomes)
            raise silent
        choices: list[ChatChoice] = []
        usages: list[ChatUsage] = []
        cost: Decimal | None = Decimal(0)
        if strict:
            for result, _ in results:
                raise_if_filtered(result.warnings, plan, outcomes, result.request_id)
        for index, (result, sent) in enumerate(results):
            if not _said_something(result):
                said = _nothing_said(plan, result).message
                empty = Notice(code=NO_IMAGES, message=f"choice {index}: {said}", index=index)
                warnings.append(empty)
            warnings.extend(
                w.model_copy(update={"message": f"choice {index}: {w.message}"})
                if w.code == RESENT and len(plan.calls) > 1  # which choice's call was resent
                else w
                for w in result.warnings
            )
            message = assistant_message(result, plan.provider.name, plan.model.id)
            choices.append(
                ChatChoice(index=index, message=message, finish_reason=result.finish_reason)
            )
            if result.usage is not None:
                usages.append(
                    ChatUsage.from_usage(
                        result.usage, result.reasoning_tokens, result.cached_tokens
                    )
                )
            notice: Notice | None
            if result.billed_usd is not None:  # the provider's own bill: the cost as it stands
                step = f"{plan.provider.name}.parse_chat_response"
                price, notice = billed_or_notice(plan.model, result.billed_usd, step)
            elif result.usage is None and not result.images:  # billed by tokens: unknown
                price, notice = None, _no_usage(plan, index)
            else:  # by the usage, or (without one) estimated from the images as a dry run is
                price, notice = price_or_notice(
                    self.engine.registry,
                    plan.model,
                    "chat",
                    len(result.images),
                    sent.quality,
                    sent.size,
                    result.usage,
                    call=plan.call_for(sent),
                )
                if notice is None:
                    notice = estimated_notice(self.engine.registry, plan.model, result.usage)
            if notice is not None:
                warnings.append(notice)
            cost = None if price is None or cost is None else cost + price
        if usages and len(usages) < len(results):
            missing = [i for i, (result, _) in enumerate(results) if result.usage is None]
            warnings.append(
                Notice(
                    code="usage_incomplete",
                    message=f"choice(s) {', '.join(map(str, missing))} came without token usage; "
                    "usage counts the others only",
                )
            )
        cost = self._add_failed(plan, failed.values(), usages, warnings, cost)
        first = results[0][0]
        completion = ChatCompletion(
            id=f"chatcmpl-{first.id or uuid.uuid4().hex}",
            created=first.created or int(time.time()),
            model=plan.model.id,
            choices=choices,
            usage=sum(usages[1:], usages[0]) if usages else None,
            cost=cost,
            provider=plan.provider.name,
            adjustments=list(plan.adjustments),
            warnings=unique(warnings),
            request_id=first.request_id,
        )
        completion._failures = tuple(failed.values())
        return completion

    def _add_failed(
        self,
        plan: _Plan,
        failed: Iterable[LimnerError],
        usages: list[ChatUsage],
        warnings: list[Notice],
        cost: Decimal | None,
    ) -> Decimal | None:
        """``cost`` with the price of the usage failed calls reported (a refusal's: no choice,
        but billed), which ``usages`` gets too."""
        sent = plan.translations[0]
        for error in failed:
            if error.usage is None:
                continue
            usages.append(ChatUsage.from_usage(error.usage, 0, 0))
            price, notice = price_or_notice(
                self.engine.registry,
                plan.model,
                "chat",
                0,
                sent.quality,
                sent.size,
                error.usage,
                call=plan.calls[0],
            )
            if notice is not None:
                warnings.append(notice)
            cost = None if price is None or cost is None else cost + price
        return cost


def _said_something(result: ChatResult) -> bool:
    """Whether a choice has text or an image. An answer cut short by max_tokens is an answer
    (OpenAI's finish_reason "length"), billed for its tokens: returned, not raised."""
    said = result.text.strip() if result.text else ""
    return bool(said or result.images or result.finish_reason == "length")


def _nothing_said(plan: _Plan, result: ChatResult) -> NoImageGeneratedError:
    return NoImageGeneratedError(
        f"{plan.model.id} answered with neither text nor an image "
        f"(finish reason {result.finish_reason})",
        provider=plan.provider.name,
        model=plan.model.id,
        request_id=result.request_id,
    )


def _no_usage(plan: _Plan, index: int) -> Notice:
    return Notice(
        code="price_unknown",
        message=f"{plan.model.id} reported no token usage for choice {index}, which has no "
        "image; its text is billed by tokens, so the cost is unknown",
    )
