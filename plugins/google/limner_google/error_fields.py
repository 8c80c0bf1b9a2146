"""The request field a Google 400 is about, as the caller named it: Google names the field of
its own JSON it refused (``generation_config.image_config.image_size``), which a gateway's
clients never saw. A field limner wrote of its own accord (``responseModalities``), or one
passed through, keeps Google's name: no field of the caller's gave it."""

from __future__ import annotations

import re
from typing import Any

from .common import THINKING_PARAM
from .options import GoogleOptions

__all__ = ["caller_param"]

_SAME: dict[str, tuple[str, ...]] = {
    "seed": ("seed",),
    "samplecount": ("n",),
    "negativeprompt": ("negative_prompt",),
    "prompt": ("prompt",),
    "compressionquality": ("output_compression",),
    "topp": ("top_p",),
    "temperature": ("temperature",),
    "stopsequences": ("stop",),
    "frequencypenalty": ("frequency_penalty",),
    "presencepenalty": ("presence_penalty",),
    "maxoutputtokens": ("max_completion_tokens", "max_tokens"),
    "responsemodalities": ("modalities",),
    "thinkinglevel": ("reasoning_effort",),
}
"""Google's fields (lowercased, without ``_``) that carry a request field, by the request's
names for it, the first one set deciding."""

_OPTIONS = {name.replace("_", ""): name for name in GoogleOptions.model_fields}
_OUTPUT_OPTIONS = frozenset({"outputoptions", "imageoutputoptions"})
_LIMNERS = frozenset({"generationconfig", "parameters", "instances", "contents"})
"""Google's top-level fields limner writes: below them, a field's name is limner's choice."""


def caller_param(field: str, call: Any) -> str:
    """``field`` (Google's path, in either spelling) as ``call``'s request named it, or its
    ``provider_options``; Google's own path when no field of the caller's gave it."""
    request = getattr(call, "request", None)
    parts = [part.replace("_", "").lower() for part in re.split(r"[.\[\]]", field)]
    parts = [part for part in parts if part and not part.isdigit()]
    if not parts or parts[0] not in _LIMNERS or _passed_through(parts[0], request):
        return field
    last, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
    if last in ("aspectratio", "imagesize", "sampleimagesize"):
        which = "aspect_ratio" if last == "aspectratio" else "image_size"
        given = getattr(getattr(request, "image_config", None), which, None) is not None
        if given or getattr(request, "size", None) is None:
            return f"image_config.{which}"
        return "size"
    if last == "mimetype":
        return "output_format" if parent in _OUTPUT_OPTIONS else field
    for name in _SAME.get(last, ()):
        if getattr(request, name, None) is not None:
            return name
    option = _OPTIONS.get(last)
    if option is not None and getattr(getattr(call, "options", None), option, None) is not None:
        return THINKING_PARAM if option == "thinking_level" else f"provider_options.google.{option}"
    return field


def _passed_through(top: str, request: Any) -> bool:
    """Whether ``request`` passes Google's top-level field ``top`` through itself."""
    forwarded = getattr(request, "forwarded", None)
    return isinstance(forwarded, dict) and any(
        key.replace("_", "").lower() == top for key in forwarded
    )
