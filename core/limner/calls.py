"""The data that crosses the provider contract (:mod:`limner.provider`): one call's worth of a
request as core hands it to a plugin (:class:`ProviderCall`), the wire request the plugin builds
for it (:class:`Translation`), and what the provider's answer held (:class:`ProviderResult`, or
:class:`Pending` for a job still running)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .capabilities import ModelInfo, Operation
from .errors import LimnerError, PluginError
from .images import InputImage
from .pricing import hook_cost
from .provider_settings import ProviderSettings
from .requests import EditRequest, GenerateRequest, VariationRequest
from .responses import Adjustment, ImageData, Notice, Usage
from .wire import WireRequest

__all__ = [
    "MIN_POLL_WAIT",
    "AnyRequest",
    "Pending",
    "ProviderCall",
    "ProviderResult",
    "Translation",
    "split_n",
]

AnyRequest = GenerateRequest | EditRequest | VariationRequest


@dataclass(frozen=True, init=False)
class ProviderCall:
    """One HTTP call's worth of a request, as core hands it to a provider.

    ``n`` is this call's share of the images when core splits a request; ``index`` is the
    call's position. ``images``, ``mask`` and ``markup`` are loaded and checked. ``options`` is
    the provider's own ``provider_options`` namespace, validated with its ``options_model``, or
    ``None`` when the request sets none.
    """

    operation: Operation
    model: ModelInfo
    request: AnyRequest
    settings: ProviderSettings
    n: int = 1
    index: int = 0
    images: tuple[InputImage, ...] = ()
    mask: InputImage | None = None
    options: BaseModel | None = None
    markup: InputImage | None = None

    def __init__(  # written out: see the note above
        self,
        operation: Operation,
        model: ModelInfo,
        request: AnyRequest,
        settings: ProviderSettings,
        n: int = 1,
        index: int = 0,
        images: tuple[InputImage, ...] = (),
        mask: InputImage | None = None,
        options: BaseModel | None = None,
        markup: InputImage | None = None,
    ) -> None:
        fields = self.__dict__
        fields["operation"] = operation
        fields["model"] = model
        fields["request"] = request
        fields["settings"] = settings
        fields["n"] = n
        fields["index"] = index
        fields["images"] = images
        fields["mask"] = mask
        fields["options"] = options
        fields["markup"] = markup

    @property
    def is_split(self) -> bool:
        """Whether core split the request's ``n`` over several calls, this being one of them. A
        split call that comes back without images should say why in a notice
        (``content_filtered``, ``no_images``; :meth:`without_images`) with the usage the provider
        billed, which core prices. An error it raises instead is kept as a ``call_failed``
        notice beside the other calls' images, but without a usage."""
        return self.n < self.request.n

    def without_images(
        self,
        error: LimnerError,
        code: str,
        message: str,
        *,
        usage: Usage | None = None,
        output_format: str | None = None,
        billed_usd: Decimal | None = None,
    ) -> ProviderResult:
        """What a call that made no image returns. One share of a split request (:attr:`is_split`)
        returns an empty result with a notice (``code``: ``content_filtered`` or ``no_images``,
        ``message``), so the other calls' images, made and billed, are kept; core raises when no
        call made any. A request made in one call raises ``error``, carrying ``usage`` (core
        prices it into the error's ``cost``), or the bill the answer reported (``billed_usd``,
        which is then its ``cost``)."""
        if not self.is_split:
            if error.usage is None:
                error.usage = usage
            if billed_usd is not None and error.cost is None:
                try:
                    error.cost = hook_cost(billed_usd, "the answer reported a bill of")
                except PluginError as exc:  # the provider's error stands: its cost is unknown
                    error.add_billing_note(f"{exc.message}; its cost is unknown")
            raise error
        notice = Notice(code=code, message=message)
        return ProviderResult(
            images=[],
            usage=usage,
            output_format=output_format,
            warnings=[notice],
            billed_usd=billed_usd,
            withheld=error,
        )


@dataclass(frozen=True, init=False)
class Translation:
    """A provider's wire request for one call, and every setting it changed or dropped.

    ``size``, ``quality`` and ``edit_mode`` are the values actually used, to price the call.
    """

    request: WireRequest
    adjustments: tuple[Adjustment, ...] = ()
    warnings: tuple[Notice, ...] = ()
    size: str | None = None
    quality: str | None = None
    edit_mode: str | None = None

    def __init__(  # written out: see the note above
        self,
        request: WireRequest,
        adjustments: Sequence[Adjustment] = (),
        warnings: Sequence[Notice] = (),
        size: str | None = None,
        quality: str | None = None,
        edit_mode: str | None = None,
    ) -> None:
        fields = self.__dict__
        fields["request"] = request
        # a Changes' lists become tuples; anything else is kept for checked_translation to judge
        fields["adjustments"] = tuple(adjustments) if isinstance(adjustments, list) else adjustments
        fields["warnings"] = tuple(warnings) if isinstance(warnings, list) else warnings
        fields["size"] = size
        fields["quality"] = quality
        fields["edit_mode"] = edit_mode


@dataclass(frozen=True, init=False)
class ProviderResult:
    """What a provider's 2xx answer held."""

    images: list[ImageData]
    created: int | None = None
    usage: Usage | None = None
    output_format: str | None = None
    size: str | None = None
    quality: str | None = None
    background: str | None = None
    warnings: list[Notice] = field(default_factory=list)
    request_id: str | None = None
    """The provider's id for the answer (``x-request-id``...); core fills it in from the
    answer's headers when the plugin does not."""
    billed_usd: Decimal | None = None
    """What the answer says the call cost, in USD, for a provider that reports its bill: it is
    the call's cost as it stands (no ``price_call`` hook or price sheet is asked). ``None``
    otherwise. A value that is no amount a bill can have leaves the cost unknown, said in a
    ``price_failed`` warning."""
    withheld: LimnerError | None = field(default=None, repr=False, compare=False)
    """The error a split call that made no image would have raised alone
    (:meth:`ProviderCall.without_images` keeps it): when no call made an image, core's error
    takes the provider's words from the first (a refusal's ``reason``, ``stage`` and
    ``categories``; the text a model said instead)."""
    extra: dict[str, Any] | None = None
    """The answer's other top-level fields, which the plugin does not map onto those above, as
    the provider gave them (a ``svg_usage``): the response carries them as its own extra
    fields (the first call's, when ``n`` was split), except those named like one of its fields
    (``cost``, ``provider``...), which a ``field_kept_out`` warning names. ``None`` for none:
    give only what the provider said, which a user of its own SDK would read."""

    def __init__(  # written out: see the note above
        self,
        images: list[ImageData],
        created: int | None = None,
        usage: Usage | None = None,
        output_format: str | None = None,
        size: str | None = None,
        quality: str | None = None,
        background: str | None = None,
        warnings: list[Notice] | None = None,
        request_id: str | None = None,
        billed_usd: Decimal | None = None,
        withheld: LimnerError | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        fields = self.__dict__
        fields["images"] = images
        fields["created"] = created
        fields["usage"] = usage
        fields["output_format"] = output_format
        fields["size"] = size
        fields["quality"] = quality
        fields["background"] = background
        fields["warnings"] = [] if warnings is None else warnings
        fields["request_id"] = request_id
        fields["billed_usd"] = billed_usd
        fields["withheld"] = withheld
        fields["extra"] = extra


@dataclass(frozen=True)
class Pending:
    """A 2xx answer saying the images are still being made: the provider queued a job.

    Core waits ``after`` seconds (at least :data:`MIN_POLL_WAIT`), sends ``request`` (a poll,
    usually a ``GET`` of the job's status URL; ``authorize`` adds credentials and the user's
    ``extra_headers`` are added, as for every request) and hands the answer to
    :meth:`Provider.parse_poll` with this object. ``job`` is the provider's id for the job: errors
    after the job was submitted name it, so the user can find a result that is billed anyway.
    ``state`` is the plugin's own (a count of polls, for a backoff); core never reads it. Return a
    new ``Pending`` for each poll rather than changing one.

    The poll goes to the origin the call was sent to, or over ``https`` to another host, which
    must resolve to public addresses unless the client allows private networks: credentials are
    not sent in the clear or to a local service. Check in ``parse_response`` that the host is the
    provider's own.
    """

    request: WireRequest
    after: float = 1.0
    job: str | None = None
    state: Any = None


MIN_POLL_WAIT = 0.1
"""Seconds core waits at least between polls, whatever ``Pending.after`` says."""


def split_n(n: int, per_call: int) -> list[int]:
    """``n`` images as the counts of successive calls: ``split_n(5, 2) == [2, 2, 1]``."""
    full, rest = divmod(n, per_call)
    return [per_call] * full + ([rest] if rest else [])
