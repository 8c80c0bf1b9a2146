"""The ``size`` field: explicit sizes, aspect ratios and resolution classes, fitted to the model."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from limner import EditRequest, GenerateRequest
from limner.requests import parse_size
from limner.sizing import fit_size, nearest_size, parse_ratio

from .models import EXPERIMENTAL_PIXELS, EXPERIMENTAL_SIZES, JSON_EDIT_SIZES
from .plan import Plan
from .translate import parse_image_size, size_for_aspect

__all__ = ["apply_size"]


def _allowed_sizes(plan: Plan) -> tuple[tuple[str, ...], bool]:
    """The listed sizes this call may send, and whether free-form sizes are allowed."""
    caps = plan.call.model.capabilities
    if plan.form == "json" and plan.call.operation == "edit":
        # EditImageBodyJsonParam.size is a closed enum, even for gpt-image-2 [SPEC].
        return tuple(size for size in caps.sizes if size in JSON_EDIT_SIZES), False
    return caps.sizes, caps.size_rules is not None


def _default_size(plan: Plan) -> str | None:
    """The size the model makes when none is sent: the model's default, for edits too. The
    spec's multipart edit says 1024x1024 [SPEC CreateImageEditRequest.size]; the newer SDK says
    "Defaults to `auto`" (openai 3.54.0, ImageEditParams.size), as the JSON edit does, so an
    edit without a size is priced as a generation's is (dall-e-2's default is 1024x1024)."""
    return plan.call.model.capabilities.default_size


def apply_size(plan: Plan, size: str | None, request: GenerateRequest | EditRequest | None) -> None:
    config = request.image_config if request is not None else None
    aspect = config.aspect_ratio if config is not None else None
    image_size = config.image_size if config is not None else None
    applied: str | None = None
    if size is not None:
        if config is not None:
            for param, value in (
                ("image_config.aspect_ratio", aspect),
                ("image_config.image_size", image_size),
            ):
                if value is not None:
                    plan.drop(param, value, f"an explicit size ({size}) wins over {param}")
        applied = _fit_explicit(plan, size)
    elif aspect is not None or image_size is not None:
        applied = _size_from_config(plan, aspect, image_size)
    if applied is not None:
        plan.fields["size"] = applied
        by = "size" if size is not None else _config_param(aspect, image_size)
        _warn_experimental(plan, applied, by)
    plan.size = applied if applied is not None else _default_size(plan)


def _config_param(aspect: str | None, image_size: str | None) -> str:
    """The ``image_config`` field that set a computed size's scale: the resolution class when
    given (it sets the long side), else the aspect ratio."""
    if image_size is not None or aspect is None:
        return "image_config.image_size"
    return "image_config.aspect_ratio"


def _warn_experimental(plan: Plan, size: str, param: str) -> None:
    """A notice when ``size`` has more pixels than 2560x1440 on a model that calls such sizes
    experimental (see :data:`~limner_openai.models.EXPERIMENTAL_SIZES`)."""
    if plan.model_name not in EXPERIMENTAL_SIZES:
        return
    pixels = _pixels(size)
    if pixels > EXPERIMENTAL_PIXELS:
        plan.warn(
            "experimental_size",
            f"{size} ({pixels:,} pixels) is above 2560x1440 "
            f"({EXPERIMENTAL_PIXELS:,} pixels); OpenAI calls such sizes experimental for "
            f"{plan.model_name}",
            param,
        )


@lru_cache(maxsize=256)
def _pixels(size: str) -> int:
    """The pixels of a ``WxH`` size (0 for ``auto``). Memoised (a pure function of the string,
    the cache bounded): a request's size is mostly one of a few, and a regex match costs more."""
    wh = parse_size(size)
    return wh[0] * wh[1] if wh is not None else 0


def _fit_explicit(plan: Plan, size: str) -> str:
    allowed, free = _allowed_sizes(plan)
    if size in allowed:
        return size
    rules = plan.call.model.capabilities.size_rules
    wh = parse_size(size)
    if wh is None:  # "auto" on a model without automatic sizing
        default = _default_size(plan) or nearest_size(1024, 1024, allowed)
        plan.adjust(
            "size", size, default, f"{plan.model_name} has no automatic size; sent its default"
        )
        return default
    if free and rules is not None:
        problems = rules.violations(*wh)
        if not problems:
            return size
        w, h = fit_size(wh[0], wh[1], rules)
        applied = f"{w}x{h}"
        reason = (
            f"{size} breaks {plan.model_name}'s size rules ({'; '.join(problems)}); "
            "sent the nearest valid size"
        )
    else:
        applied, accepts = _nearest_listed(plan, wh, allowed)
        reason = f"{accepts}; sent the nearest by aspect ratio, then area"
    plan.adjust("size", size, applied, reason)
    return applied


def _nearest_listed(plan: Plan, wh: tuple[int, int], allowed: Sequence[str]) -> tuple[str, str]:
    """The size ``allowed`` lists nearest ``wh``, and the words for the list ("gpt-image-2
    accepts only 1024x1024, ... in a JSON edit")."""
    listed = ", ".join(s for s in allowed if s != "auto")
    where = " in a JSON edit" if plan.form == "json" and plan.call.operation == "edit" else ""
    return nearest_size(wh[0], wh[1], allowed), f"{plan.model_name} accepts only {listed}{where}"


def _size_from_config(plan: Plan, aspect: str | None, image_size: str | None) -> str | None:
    allowed, free = _allowed_sizes(plan)
    rules = plan.call.model.capabilities.size_rules
    ratio = parse_ratio(aspect) if aspect is not None else 1.0
    fitted = ""  # why the long side differs from the resolution class asked, if it does
    if rules is not None:  # free sizes (in a JSON edit, the listed size nearest the one computed)
        long_side = parse_image_size(image_size) if image_size is not None else None
        standard = [s for s in allowed if s != "auto"]
        wanted = size_for_aspect(ratio, long_side, standard, rules)
        applied: str | None = wanted
        reason = "OpenAI takes a WIDTHxHEIGHT size: computed one (sides multiples of 16)"
        if not free and wanted not in allowed:  # (a JSON edit's closed list)
            applied, accepts = _nearest_listed(plan, parse_size(wanted) or (1024, 1024), allowed)
            reason = f"{accepts}: sent the one nearest {wanted}, the size computed"
        got = parse_size(applied) if applied is not None else None
        if long_side is not None and got is not None and max(got) != long_side and free:
            fitted = (
                f"; {image_size} means {long_side} px on the longer side, which "
                f"{plan.model_name}'s size limits bring to {max(got)}"
            )
    else:
        if image_size is not None:
            plan.drop(
                "image_config.image_size",
                image_size,
                f"{plan.model_name} has fixed sizes; choose one with size or aspect_ratio",
            )
        if aspect is None:
            return None
        default = parse_size(_default_size(plan) or "1024x1024") or (1024, 1024)
        area = default[0] * default[1]
        applied = nearest_size(math.sqrt(area * ratio), math.sqrt(area / ratio), allowed)
        reason = f"OpenAI takes a size: sent the {plan.model_name} size nearest this aspect ratio"
    if aspect is not None:
        plan.adjust("image_config.aspect_ratio", aspect, applied, reason)
    if image_size is not None and rules is not None:
        plan.adjust("image_config.image_size", image_size, applied, reason + fitted)
    return applied


# ---- quality, response format, style -----------------------------------------------------------
