"""The request field a Google 400 is about, as the caller named it: Google names the field of
its own JSON it refused (``generation_config.image_config.image_size``), which a gateway's
clients never saw. A field limner did not write (one passed through) keeps Google's name,
which is how the caller sent it."""

from __future__ import annotations

import re
from typing import Any

from .common import THINKING_PARAM
from .options import GoogleOptions

__all__ = ["caller_param"]

_SAME: dict[str, str] = {
    "seed": "seed",
    "samplecount": "n",
    "negativeprompt": "negative_prompt",
    "prompt": "prompt",
    "compressionquality": "output_compression",
    "topp": "top_p",
}
"""Google's fields that carry one request field, by their name lowercased without ``_``."""

_OPTIONS = {name.replace("_", ""): name for name in GoogleOptions.model_fields}
_OUTPUT_OPTIONS = frozenset({"outputoptions", "imageoutputoptions"})
_LIMNERS = frozenset({"generationconfig", "parameters", "instances", "contents"})
"""Google's top-level fields limner writes: below them, a field's name is limner's choice."""


def caller_param(field: str, request: Any) -> str:
    """``field`` (Google's path, in either spelling) as ``request`` named it; Google's own
    path when limner did not write it."""
    parts = [part.replace("_", "").lower() for part in re.split(r"[.\[\]]", field)]
    parts = [part for part in parts if part and not part.isdigit()]
    if not parts or parts[0] not in _LIMNERS or _passed_through(parts[0], request):
        return field
    last, parent = parts[-1], parts[-2] if len(parts) > 1 else ""
    if last in ("aspectratio", "imagesize", "sampleimagesize"):
        which = "aspect_ratio" if last == "aspectratio" else "image_size"
        config = getattr(request, "image_config", None)
        given = getattr(config, which, None) is not None
        return (
            f"image_config.{which}" if given or getattr(request, "size", None) is None else "size"
        )
    if last == "mimetype" and parent in _OUTPUT_OPTIONS:
        return "output_format"
    if last == "temperature" and getattr(request, "temperature", None) is not None:
        return "temperature"
    if last == "thinkinglevel":
        given = getattr(request, "reasoning_effort", None) is not None
        return "reasoning_effort" if given else THINKING_PARAM
    if last in _SAME:
        return _SAME[last]
    if last in _OPTIONS:
        return f"provider_options.google.{_OPTIONS[last]}"
    return field


def _passed_through(top: str, request: Any) -> bool:
    """Whether ``request`` passes Google's top-level field ``top`` through itself."""
    forwarded = getattr(request, "forwarded", None)
    return isinstance(forwarded, dict) and any(
        key.replace("_", "").lower() == top for key in forwarded
    )
