"""The body being built for one call, the changes made on the way, and size mapping.

``size`` (OpenAI's ``WIDTHxHEIGHT``) becomes the nearest supported ``aspectRatio`` (by ratio, on
a log scale) plus a resolution class from the long side; an explicit ``image_config`` field wins
over what ``size`` implies. Every change is an :class:`~limner.Adjustment`; an explicit value the
model cannot take is an :class:`~limner.InvalidRequestError` naming it (never a silent 1:1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from limner import Changes, InvalidRequestError, ModelInfo, ProviderCall
from limner.requests import EditRequest, GenerateRequest, ImageConfig, parse_size
from limner.sizing import nearest_ratio, parse_ratio

from .models import SEED_RANGE
from .options import GoogleOptions
from .settings import Endpoint

__all__ = [
    "ClassFor",
    "Plan",
    "SizeChoice",
    "choose_size",
    "class_by_pixels",
    "pick_size",
    "split_seed",
]

# The side of each resolution class's square output. A class keeps about that many pixels at
# every aspect ratio (1K: 1024x1024, 1264x848 at 3:2, 1376x768 at 16:9).
CLASS_SIDE = {"512": 512, "1K": 1024, "2K": 2048, "4K": 4096}

ClassFor = Callable[[int, int, Sequence[str]], str]
"""``(width, height, allowed)``: the resolution class of ``allowed`` for a requested size."""


@dataclass
class Plan(Changes):
    """One call being translated."""

    call: ProviderCall
    endpoint: Endpoint
    options: GoogleOptions
    size: str | None = None

    @property
    def request(self) -> GenerateRequest | EditRequest:
        request = self.call.request
        assert isinstance(request, GenerateRequest | EditRequest)
        return request

    @property
    def on_vertex(self) -> bool:
        return self.endpoint.backend == "vertex"

    def call_seed(self, seed: int) -> int:
        """The seed for this call: its own when core split ``n`` (see :meth:`Changes.split_seed`),
        in the range the model takes (its ``seed_range``)."""
        return split_seed(self, self.call.model, seed, self.call.index)

    def drop_unsupported(self, names: Sequence[str], why: str) -> None:
        """Report each request field in ``names`` that is set as dropped."""
        for name in names:
            value = getattr(self.request, name, None)
            if value is not None:
                self.drop(name, value, why)

    def vertex_only(self, param: str, value: Any, send: Callable[[], None]) -> None:
        """Send a Vertex-only setting on Vertex; on the Gemini API report it dropped."""
        if value is None:
            return
        if self.on_vertex:
            send()
        else:
            self.drop(param, value, "only Vertex AI takes this setting (vertexai=True)")


def split_seed(
    changes: Changes, model: ModelInfo, seed: int, index: int, *, param: str = "seed"
) -> int:
    """The seed for call ``index`` of a split request, in the range ``model`` declares
    (``capabilities.seed_range``; a model that declares none gets Google's int32,
    :data:`~.models.SEED_RANGE`), its change recorded in ``changes`` under ``param``. A seed
    outside it is refused: wrapped, it would not be the seed asked for."""
    low, high = model.capabilities.seed_range or SEED_RANGE
    if not low <= seed <= high:
        raise InvalidRequestError(
            f"seed {seed} is out of range: Google takes a 32-bit seed ({low} to {high})",
            param=param,
            provider="google",
        )
    applied = changes.split_seed(seed, index, low=max(low, 0), high=high, param=param)
    assert applied is not None
    return applied


@dataclass(frozen=True)
class SizeChoice:
    aspect_ratio: str | None
    image_size: str | None


def nearest_class(long_side: int, allowed: Sequence[str]) -> str:
    return min(allowed, key=lambda c: abs(math.log(CLASS_SIDE[c] / long_side)))


def class_by_pixels(width: int, height: int, allowed: Sequence[str]) -> str:
    """The class of ``allowed`` whose outputs hold the pixel count nearest ``width`` x
    ``height`` (on a log scale): 1536x1024 is 1K (1264x848 at 3:2), not 2K (2528x1696).
    Matching the long side with a square's would pick 2K for every wide OpenAI size."""
    return nearest_class(math.isqrt(width * height), allowed)


def choose_size(
    plan: Plan,
    aspects: Sequence[str],
    classes: Sequence[str],
    class_for: ClassFor,
) -> SizeChoice:
    """Aspect ratio and resolution class from ``image_config`` and ``size``."""
    request = plan.request
    return pick_size(
        plan.call.model.id,
        request.image_config,
        request.size,
        aspects,
        classes,
        class_for,
        plan.adjust,
    )


Report = Callable[[str, Any, Any, str], None]
"""``(param, requested, applied, reason)``; ``applied`` ``None`` means dropped."""


def pick_size(
    model_id: str,
    config: ImageConfig | None,
    size: str | None,
    aspects: Sequence[str],
    classes: Sequence[str],
    class_for: ClassFor,
    report: Report,
) -> SizeChoice:
    """Aspect ratio and resolution class from ``image_config`` (which wins, field by field) and
    ``size`` (``WIDTHxHEIGHT`` or ``auto``); every change goes to ``report``. Shared by the
    images path and chat."""
    aspect = config.aspect_ratio if config else None
    given = config.image_size if config else None
    image_size = _normal_class(given) if given else None
    if given is not None and image_size != given and image_size in classes:
        report(  # never silently, even a spelling
            "image_config.image_size",
            given,
            image_size,
            f"resolution classes are written {', '.join(CLASS_SIDE)}",
        )
    if aspect is not None and aspect not in aspects:  # as OpenAI's and Stability's sizes do
        wanted = parse_ratio(aspect)
        nearest = nearest_ratio(wanted, aspects)
        report(
            "image_config.aspect_ratio",
            aspect,
            nearest,
            f"the nearest of the aspect ratios {model_id} offers ({', '.join(aspects)})",
        )
        aspect = nearest
    if given is not None and image_size is not None and image_size not in classes:
        image_size = _offered_class(model_id, image_size, given, classes, report)
    wh = parse_size(size) if size is not None else None
    if size is not None and wh is None:  # "auto": the provider's default
        report("size", size, None, "Google picks its default size for 'auto'")
    if wh is None:
        return SizeChoice(aspect, image_size)
    width, height = wh
    from_size_aspect = nearest_ratio(width / height, aspects)  # ties: the earlier (1:1 first)
    from_size_class = class_for(width, height, classes) if classes else None
    applied = []
    if aspect is None:
        aspect = from_size_aspect
        applied.append(f"aspectRatio {aspect}")
    if image_size is None and from_size_class is not None:
        image_size = from_size_class
        applied.append(f"imageSize {image_size}")
    if not applied:
        why = (
            "image_config sets aspect_ratio and image_size"
            if classes
            else "image_config sets aspect_ratio, and this model's resolution is fixed (1024-class)"
        )
        report("size", size, None, why)
        return SizeChoice(aspect, image_size)
    note = "" if classes else "; this model's resolution is fixed (1024-class)"
    report(
        "size",
        size,
        ", ".join(applied),
        f"Google takes an aspect ratio and a resolution class, not pixels{note}",
    )
    return SizeChoice(aspect, image_size)


def _offered_class(
    model_id: str, image_size: str, given: str, classes: Sequence[str], report: Report
) -> str | None:
    """The offered resolution class nearest ``image_size`` (one of 512, 1K, 2K, 4K; ``given``
    as the request spelled it), reported; dropped, and reported, when the model's resolution is
    fixed."""
    if image_size not in CLASS_SIDE:
        known = ", ".join(CLASS_SIDE)
        raise InvalidRequestError(
            f"image_config.image_size {image_size!r} is not a resolution class ({known})",
            param="image_config.image_size",
        )
    if not classes:
        report(
            "image_config.image_size",
            given,
            None,
            f"{model_id} has one resolution (1024-class): it takes no imageSize",
        )
        return None
    nearest = nearest_class(CLASS_SIDE[image_size], classes)
    report(
        "image_config.image_size",
        given,
        nearest,
        f"the nearest of the resolution classes {model_id} offers ({', '.join(classes)})",
    )
    return nearest


def _normal_class(value: str) -> str:
    upper = value.strip().upper()
    return upper if upper in CLASS_SIDE else value
