"""Google's own request fields a caller passes through (unknown top-level fields), merged into
the body limner builds: refused where they would replace what limner set from a setting, or
where only Vertex AI takes them; what the finished body asks for, passed-through fields
included."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from limner import InvalidRequestError

from .options import GoogleOptions
from .passed_seed import split_passed_seed
from .plan import Plan
from .spelling import camel, field_of

__all__ = [
    "RESPONSE_MODALITIES",
    "VERTEX_TOP_LEVEL",
    "as_sent",
    "forward",
    "merge_passed_through",
    "modality_default",
    "refuse_vertex_only",
]

VERTEX_TOP_LEVEL = ("labels", "modelArmorConfig")
"""``GenerateContentRequest`` fields only Vertex AI takes [aiplatform discovery]; the Gemini API
answers them with a 400."""


def refuse_vertex_only(names: Iterable[str], on_vertex: bool) -> None:
    """Refuse the first of ``names`` (fields given by their JSON or snake_case name) that only
    Vertex AI takes, when the call goes to the Gemini API."""
    if on_vertex:
        return
    for name in names:
        if camel(name) in VERTEX_TOP_LEVEL:
            raise InvalidRequestError(
                f"{name!r}: only Vertex AI takes it (vertexai=True)", param=name
            )


def forward(body: dict[str, Any], plan: Plan, section: str = "generationConfig") -> dict[str, Any]:
    """Unknown request fields go into the body (see :func:`merge_passed_through`); a seed
    passed through in ``section`` gets the call's own (see :func:`split_passed_seed`)."""
    forwarded = plan.request.forwarded
    if not forwarded:
        return body
    call = plan.call
    seed = plan.request.seed
    passed = split_passed_seed(plan, call.model, call.index, seed, forwarded, body, section)
    return merge_passed_through(body, passed, defaults=modality_default(plan.options))


RESPONSE_MODALITIES = "generationConfig.responseModalities"


def modality_default(options: GoogleOptions, asked: object = None) -> frozenset[str]:
    """The body paths limner fills with a default rather than from a setting: a Google field
    passed through may replace them (``responseModalities`` when neither the request's
    ``modalities`` nor ``provider_options.google.response_modalities`` is set)."""
    if asked is None and "response_modalities" not in options.model_fields_set:
        return frozenset({RESPONSE_MODALITIES})
    return frozenset()


def as_sent(body: dict[str, Any]) -> tuple[list[str] | None, str | None]:
    """The ``responseModalities`` and ``imageConfig.imageSize`` a finished body asks for, fields
    passed through included (they may replace what limner filled in): what the call is priced
    and checked on."""
    generation = field_of(body, "generationConfig")
    modalities = field_of(generation, "responseModalities")
    if isinstance(modalities, str):  # one, not in a list
        modalities = [modalities]
    size = field_of(field_of(generation, "imageConfig"), "imageSize")
    return (
        [str(m).upper() for m in modalities] if isinstance(modalities, list) else None,
        size.strip().upper() if isinstance(size, str) else None,  # priced as the class it names
    )


def merge_passed_through(
    mine: dict[str, Any],
    given: Mapping[str, Any],
    path: str = "",
    *,
    defaults: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """``given`` (Google fields passed through, snake_case or camelCase) merged into ``mine``
    (what limner built): objects key by key, a key that names one of limner's in the other
    spelling taken as that key. A value that would replace one limner set from a setting is
    refused, since the report of what was sent would then be wrong; one it only defaulted
    (a path in ``defaults``) is replaced. Keys limner did not set keep the caller's spelling."""
    merged = dict(mine)
    for key, value in given.items():
        name = key if key in mine or camel(key) not in mine else camel(key)
        here = f"{path}.{name}" if path else name
        if name not in merged or here in defaults:
            merged[name] = value
            continue
        have = merged[name]
        if isinstance(have, dict) and isinstance(value, dict):
            merged[name] = merge_passed_through(have, value, here, defaults=defaults)
        elif have != value:
            raise InvalidRequestError(
                f"{here} ({value!r}) would replace the {have!r} limner sends for the request's "
                "own fields; set it in one place",
                param=here,
                provider="google",
            )
    return merged
