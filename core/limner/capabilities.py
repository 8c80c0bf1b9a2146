"""What a model can do, declared as data by its plugin: operations, sizes, qualities, limits,
lifecycle and prices. Users read it through ``client.models``, ``limner models`` and JSON Schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import Field, model_validator

from .declared import Frozen as _Frozen, Operation
from .field_rule import FieldRule
from .price_sheet import ImagePrice, PriceSheet, TokenPrices
from .size_rules import SizeRules

__all__ = [
    "PORTABLE_QUALITIES",
    "BackendCapabilities",
    "Capabilities",
    "FieldRule",
    "ImagePrice",
    "Lifecycle",
    "ModelFields",
    "ModelInfo",
    "Operation",
    "OperationCapabilities",
    "PriceSheet",
    "SizeRules",
    "TokenPrices",
    "model_object",
]

PORTABLE_QUALITIES = ("auto", "low", "medium", "high", "standard", "hd")
"""The OpenAI-compatible quality vocabulary; every plugin maps these onto its own values
(:attr:`Capabilities.quality_map` says how)."""

LifecycleStatus = Literal["active", "preview", "legacy", "deprecated", "retired", "shutdown"]


class Lifecycle(_Frozen):
    """Where a model is in its provider's life cycle. Dates move, so a call to a model past its
    ``shutdown_on`` date still goes out, with a warning."""

    status: LifecycleStatus = "active"
    deprecated_on: dt.date | None = None
    shutdown_on: dt.date | None = None
    replacement: str | None = Field(default=None, description="full id of the successor model")
    source: str | None = None

    def is_past_shutdown(self, today: dt.date) -> bool:
        """Whether ``today`` is on or after the announced shutdown date."""
        return self.shutdown_on is not None and today >= self.shutdown_on


class OperationCapabilities(_Frozen):
    """What one operation of a model takes differently from its others, in
    :attr:`Capabilities.per_operation`: each field given replaces the model-wide value for that
    operation (a model whose style presets apply to text-to-image only lists no style for its
    edits). A value the operation does not take is dropped, with an adjustment."""

    aspect_ratios: tuple[str, ...] | None = None
    image_sizes: tuple[str, ...] | None = None
    output_formats: tuple[str, ...] | None = None
    backgrounds: tuple[str, ...] | None = None
    styles: tuple[str, ...] | None = None
    moderation: tuple[str, ...] | None = None
    seed: bool | None = None
    negative_prompt: bool | None = None


class BackendCapabilities(OperationCapabilities):
    """What a model takes differently when its provider reaches it through one of its backends,
    in :attr:`Capabilities.per_backend` (a provider served by two APIs, say): each
    field given replaces the model-wide value there. limner acts on it (drops and reports a
    setting, or refuses the call); this says so as data, for a tool choosing a model."""

    operations: tuple[Operation, ...] | None = Field(
        default=None, description="the operations this backend serves (none: not served)"
    )
    max_input_images: int | None = None
    output_compression: bool | None = None
    note: str | None = Field(
        default=None,
        description="why this backend serves the model less, or what reaches it elsewhere "
        "(said when a call is refused for it)",
    )


class Capabilities(_Frozen):
    """Everything a request may ask of one model.

    A list names the values a request may give, each sent as it is or translated into the
    provider's own form. An empty list means the model declares no list, not that the setting
    is refused: the plugin translates the request's value (a ``size`` into the provider's
    aspect ratio, an ``aspect_ratio`` into a width and height within ``size_rules``), adjusts it
    or drops it. Every change is reported in the response's ``adjustments``, and a dry run
    shows what a value becomes. For ``aspect_ratios`` and ``image_sizes`` the built-in plugins
    follow one rule: empty on a model (or operation) with ``size_rules``, the value is computed
    into a size; empty without them, it is dropped. ``operations`` and ``edit_modes`` are the
    exception: what they do not list is refused."""

    operations: tuple[Operation, ...] = ("generate",)
    sizes: tuple[str, ...] = Field(
        default=(), description="accepted WIDTHxHEIGHT values (and 'auto')"
    )
    size_rules: SizeRules | None = Field(default=None, description="rules for free-form sizes")
    default_size: str | None = Field(
        default=None,
        description="the size the provider makes when a request names none (it describes the "
        "provider: changing it does not make a plugin send it)",
    )
    aspect_ratios: tuple[str, ...] = ()
    image_sizes: tuple[str, ...] = Field(
        default=(), description="resolution classes such as 1K, 2K, 4K"
    )
    qualities: tuple[str, ...] = ()
    quality_map: dict[str, str] = Field(
        default_factory=dict,
        description="the portable qualities (auto, low, medium, high, standard, hd) this model "
        "takes under another name, each with the one of its qualities sent instead (a request "
        "naming one gets an adjustment saying so); read a price row through it",
    )
    default_quality: str | None = Field(
        default=None,
        description="the quality the provider uses when a request names none (it describes the "
        "provider, as default_size does)",
    )
    max_images_per_call: int = Field(
        default=1, ge=1, description="images one provider call can return"
    )
    max_n: int = Field(
        default=10, ge=1, description="largest n limner accepts (split across calls)"
    )
    max_prompt_chars: int = 32000
    max_input_images: int = 0
    edit_modes: tuple[str, ...] = Field(
        default=(),
        description="kinds of edit the model offers through edit_mode; unset, the plugin picks "
        "one from the request (typically inpaint with a mask), as its README says",
    )
    mask: bool = False
    markup: bool = Field(
        default=False,
        description="takes a markup: a PNG the size of the first input image (as it shows), "
        "drawn over it to guide the edit, transparent elsewhere (not with a mask); limner "
        "downloads the remote inputs of a request with a markup",
    )
    mask_any_size: bool = Field(
        default=False,
        description="the provider resizes a mask of another size than the image itself; "
        "otherwise limner refuses such a mask",
    )
    mask_format: str | None = Field(
        default=None,
        description="how the provider's own mask marks the edit area; limner converts the "
        "OpenAI-convention mask (transparent = edit) to it",
    )
    regions: tuple[str, ...] = Field(default=(), description="cloud regions that serve the model")
    remote_image_urls: bool = Field(
        default=False, description="provider fetches https image URLs itself"
    )
    file_ids: bool = Field(
        default=False, description="provider accepts uploaded file ids as input images"
    )
    response_formats: tuple[Literal["url", "b64_json"], ...] = ("b64_json",)
    output_formats: tuple[str, ...] = ()
    output_compression: bool = False
    backgrounds: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    moderation: tuple[str, ...] = ()
    seed: bool = False
    seed_range: tuple[int, int] | None = Field(
        default=None,
        description="smallest and largest seed the provider takes; limner refuses others "
        "(null: any integer, or seeds are not supported)",
    )
    negative_prompt: bool = False
    edit_modes_needing_mask: tuple[str, ...] = Field(
        default=(),
        description="edit modes that need the area to change marked: by a mask or, where "
        "mask_from_alpha is true, by the first input image's transparent pixels (the plugin's "
        "README names any other way, such as a prompt describing the area); when it lists "
        "every one of edit_modes, every edit needs one, edit_mode set or not",
    )
    mask_from_alpha: bool = Field(
        default=False,
        description="an edit without a mask may mark its area with the first input image's "
        "transparent pixels",
    )
    edit_modes_without_prompt: tuple[str, ...] = Field(
        default=(),
        description="edit modes whose prompt may be left out (the provider takes none, or "
        "makes do without one); every other edit needs a prompt",
    )
    input_fidelity: tuple[Literal["high", "low"], ...] = Field(
        default=(),
        description="the input_fidelity values the model's edits honour (another is adjusted "
        "to one of them); empty: none (a value is dropped, with an adjustment)",
    )
    max_negative_prompt_chars: int | None = Field(
        default=None,
        ge=1,
        description="longest negative_prompt the provider takes (null: no limit)",
    )
    streaming: bool = False
    field_rules: tuple[FieldRule, ...] = Field(
        default=(), description="rules between request fields, such as a mode that takes no mask"
    )
    per_operation: dict[Operation, OperationCapabilities] = Field(
        default_factory=dict,
        description="what an operation takes differently from the model's others (its edits "
        "no style, say); for_operation(operation) gives that operation's capabilities",
    )
    per_backend: dict[str, BackendCapabilities] = Field(
        default_factory=dict,
        description="what the model takes differently through one of its provider's backends, "
        "by the backend's name (the plugin's README names them); for_backend(name) gives the "
        "capabilities there. The rest of these capabilities hold on every backend",
    )

    @model_validator(mode="after")
    def _ordered_seed_range(self) -> Capabilities:
        if self.seed_range is not None and self.seed_range[0] > self.seed_range[1]:
            raise ValueError(f"seed_range {self.seed_range} runs backwards: give (low, high)")
        return self

    @model_validator(mode="after")
    def _quality_map_into_qualities(self) -> Capabilities:
        for portable, sent in self.quality_map.items():
            if portable not in PORTABLE_QUALITIES or portable in self.qualities:
                raise ValueError(
                    f"quality_map maps {portable!r}, which is not a portable quality the model "
                    f"lacks (portable: {', '.join(PORTABLE_QUALITIES)})"
                )
            if sent not in self.qualities:
                raise ValueError(
                    f"quality_map maps {portable!r} to {sent!r}, which is not one of its "
                    f"qualities ({', '.join(self.qualities) or 'none'})"
                )
        return self

    @model_validator(mode="after")
    def _per_backend_of_its_operations(self) -> Capabilities:
        for backend, differs in self.per_backend.items():
            unknown = [op for op in differs.operations or () if op not in self.operations]
            if unknown:
                raise ValueError(
                    f"per_backend[{backend!r}] serves {', '.join(unknown)}, which the model does "
                    f"not offer ({', '.join(self.operations)})"
                )
        return self

    @model_validator(mode="after")
    def _per_operation_of_its_operations(self) -> Capabilities:
        unknown = [op for op in self.per_operation if op not in self.operations]
        if unknown:
            raise ValueError(
                f"per_operation names {', '.join(unknown)}, which the model does not offer "
                f"(its operations: {', '.join(self.operations)})"
            )
        return self

    def supports(self, operation: Operation) -> bool:
        return operation in self.operations

    def for_backend(self, backend: str) -> Capabilities:
        """What the model takes through ``backend`` (one of the names its plugin's README
        gives): these capabilities with its :attr:`per_backend` entry applied (these same ones
        when it has none)."""
        differs = self.per_backend.get(backend)
        if differs is None:
            return self
        return self.model_copy(update=differs.model_dump(exclude_none=True, exclude={"note"}))

    def for_operation(self, operation: Operation) -> Capabilities:
        """What ``operation`` takes: these capabilities with its :attr:`per_operation` entry
        applied (these same ones when it has none). A variation takes no prompt, so none of
        the settings that go with one (quality, style, seed, ``image_config``...): for it,
        their capabilities are empty."""
        differs = self.per_operation.get(operation)
        update = {} if differs is None else differs.model_dump(exclude_none=True)
        if operation == "variation":
            update |= _NOT_VARIED
        return self.model_copy(update=update) if update else self


_NOT_VARIED: dict[str, Any] = {
    "aspect_ratios": (),
    "image_sizes": (),
    "qualities": (),
    "quality_map": {},
    "default_quality": None,
    "output_formats": (),
    "output_compression": False,
    "backgrounds": (),
    "styles": (),
    "moderation": (),
    "seed": False,
    "seed_range": None,
    "negative_prompt": False,
    "max_negative_prompt_chars": None,
    "streaming": False,
}
"""The capabilities of the settings a variation request has no field for, as a model without
them declares them."""


class ModelFields(_Frozen):
    """What a plugin declares of a model (:class:`ModelInfo`, which adds the openai SDK's
    ``Model`` attributes; the gateway's model object adds them as fields)."""

    id: str
    provider: str
    name: str
    display_name: str | None = None
    description: str | None = None
    aliases: tuple[str, ...] = ()
    capabilities: Capabilities
    lifecycle: Lifecycle = Lifecycle()
    pricing: PriceSheet | None = None


class ModelInfo(ModelFields):
    """One model as a plugin declares it. ``id`` is ``provider/name``; ``name`` is the wire name.
    ``object``, ``created``, ``owned_by`` and ``shutdown_date`` read as the openai SDK's
    ``Model`` does."""

    @property
    def object(self) -> str:
        """``"model"``, as the openai SDK's ``Model.object``."""
        return "model"

    @property
    def created(self) -> int:
        """``0``, as the gateway's ``/v1/models`` says it: limner knows no release time."""
        return 0

    @property
    def owned_by(self) -> str:
        """The provider, as the openai SDK's ``Model.owned_by``."""
        return self.provider

    @property
    def shutdown_date(self) -> str | None:
        """``lifecycle.shutdown_on`` as ``YYYY-MM-DD``, as the openai SDK's
        ``Model.shutdown_date``."""
        shutdown = self.lifecycle.shutdown_on
        return None if shutdown is None else shutdown.isoformat()

    def to_dict(
        self, *, mode: Literal["json", "python"] = "json", exclude_none: bool = False
    ) -> dict[str, Any]:
        """The model as an OpenAI model object, as the openai SDK's ``Model.to_dict()`` gives
        one: ``object``, ``created``, ``owned_by`` and ``shutdown_date``, then every field.
        JSON data by default (``mode="python"`` keeps dates); with ``exclude_none``, fields
        without a value are left out. ``limner models --json`` and the gateway's
        ``/v1/models`` give ``to_dict()``."""
        sdk: dict[str, Any] = {
            "object": self.object,
            "created": self.created,
            "owned_by": self.owned_by,
            "shutdown_date": self.shutdown_date,
        }
        if exclude_none and self.shutdown_date is None:
            del sdk["shutdown_date"]
        return sdk | self.model_dump(mode=mode, exclude_none=exclude_none)

    def to_json(self, *, indent: int | None = 2, exclude_none: bool = False) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(exclude_none=exclude_none), indent=indent)


def model_object(model: ModelInfo) -> dict[str, Any]:
    """``model.to_dict()``: the model as an OpenAI model object, JSON data."""
    return model.to_dict()
