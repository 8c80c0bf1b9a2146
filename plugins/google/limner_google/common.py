"""Pieces both model families share: dropped fields, forwarded fields, images inline, blocks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from limner import (
    Changes,
    ContentPolicyError,
    InputImage,
    InvalidRequestError,
    ModelInfo,
    ProviderCall,
    ProviderError,
    ProviderResult,
    UnsupportedFeatureError,
    Usage,
    WireResponse,
)
from limner.images import accepted_image
from limner.responses import CONTENT_FILTERED

from .models import RECOMMENDED_INPUTS, thinking_levels
from .options import GoogleOptions
from .plan import Plan

__all__ = [
    "ABOVE_RECOMMENDED_INPUTS",
    "EDIT_ONLY",
    "GEMINI_INPUT_MIMES",
    "IGNORED_FIELDS",
    "IMAGEN_INPUT_MIMES",
    "IMAGEN_ONLY",
    "PERSON_GENERATION",
    "THINKING_PARAM",
    "WHY_DROPPED",
    "blocked",
    "check_input_count",
    "drop_ignored",
    "drop_options",
    "fail",
    "flagged_categories",
    "gemini_image_part",
    "mime_format",
    "no_thinking",
    "output_options",
    "person_generation",
    "thinking_level",
    "unsupported_thinking_level",
]

IGNORED_FIELDS = (
    "quality",
    "style",
    "background",
    "moderation",
    "user",
    "safety_identifier",
    "metadata",
    "partial_images",
)
WHY_DROPPED = {
    "quality": "Google has no quality field; pick a model tier or image_config.image_size instead",
    "negative_prompt": "Gemini has no negative prompt",
    "partial_images": "Google's image APIs have no such setting (partial images come in "
    "OpenAI's streamed responses, and limner does not stream images)",
}


# provider_options.google settings only one kind of call uses; any other call reports them dropped.
IMAGEN_ONLY = ("safety_setting", "add_watermark", "enhance_prompt", "guidance_scale")
EDIT_ONLY = ("mask_dilation", "base_steps")  # Imagen edits (maskImageConfig, editConfig)


def drop_ignored(plan: Plan) -> None:
    for name in IGNORED_FIELDS:
        value = getattr(plan.request, name, None)
        if value is not None:
            plan.drop(
                name, value, WHY_DROPPED.get(name, "Google's image APIs have no such setting")
            )
    fidelity = getattr(plan.request, "input_fidelity", None)
    if fidelity is not None:
        plan.drop("input_fidelity", fidelity, "Google's image APIs have no such setting")


def drop_options(
    changes: Changes, options: GoogleOptions, names: Sequence[str], reason: str
) -> None:
    """Report each of the Google options ``names`` that is set as dropped, because ``reason``."""
    for name in names:
        value = getattr(options, name)
        if value is not None:
            changes.drop(f"provider_options.google.{name}", value, reason)


THINKING_PARAM = "provider_options.google.thinking_level"


def thinking_level(changes: Changes, model: ModelInfo, level: str | None) -> str | None:
    """``provider_options.google.thinking_level`` for ``model`` (see
    :data:`~.models.THINKING_LEVELS`): reported dropped on a model without thinking, refused when
    the model does not take the value, else sent as given."""
    if level is None:
        return None
    levels = thinking_levels(model)
    if not levels:
        changes.drop(THINKING_PARAM, level, no_thinking(model))
        return None
    if level not in levels:
        raise unsupported_thinking_level(model, THINKING_PARAM, level, levels)
    return level


def no_thinking(model: ModelInfo) -> str:
    return f"{model.id} has no thinking (no thinkingConfig)"


def unsupported_thinking_level(
    model: ModelInfo, param: str, value: str, levels: Sequence[str]
) -> InvalidRequestError:
    """The error for a thinking level ``model`` does not take (``levels`` are the ones it
    does, as the user would write them for ``param``)."""
    return InvalidRequestError(
        f"{param} {value!r}: {model.id} takes {' or '.join(levels)}",
        param=param,
        provider="google",
        model=model.id,
    )


def output_options(
    changes: Changes, output_format: str | None, compression: int | None
) -> dict[str, Any]:
    """Google's output options for a format and a compression level: ``{"mimeType",
    "compressionQuality"}`` with only what was set (Imagen's ``outputOptions``, Gemini's
    ``imageConfig.imageOutputOptions`` on Vertex). The compression quality is "for
    ``image/jpeg`` only" [SDK types.py ``GenerateImagesConfig``/``EditImageConfig``/
    ``ImageConfig.output_compression_quality``], so for any other output (PNG, or no format: the
    default) it is not sent and is reported dropped."""
    options: dict[str, Any] = {}
    if output_format is not None:
        options["mimeType"] = f"image/{output_format}"
    if compression is not None and output_format == "jpeg":
        options["compressionQuality"] = compression
    elif compression is not None:
        given = (
            "no output_format is set"
            if output_format is None
            else f"output_format is {output_format!r}"
        )
        changes.drop(
            "output_compression",
            compression,
            f"applies to JPEG output only; {given} (set output_format='jpeg' to compress)",
        )
    return options


# Input image formats Google takes (anything else is re-encoded as PNG):
# - Gemini: PNG, JPEG, WEBP, HEIC, HEIF — ai.google.dev/gemini-api/docs/image-understanding
#   ("Supported image formats"); Vertex's image-understanding table lists the same for the
#   Gemini 3 image models, but png, jpeg and webp alone for gemini-2.5-flash-image
#   (docs.cloud.google.com/vertex-ai/generative-ai/docs/multimodal/image-understanding); a GIF
#   is refused as an invalid argument (discuss.ai.google.dev/t/71468, where Google staff
#   answered with this list).
# - Imagen :predict: "Only the images in below listed MIME types are supported. - image/jpeg -
#   image/png" (Vertex REST reference, VisionGenerativeModelInstance Image.mimeType).
GEMINI_INPUT_MIMES = frozenset(
    {"image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"}
)
_NO_HEIF = frozenset({"image/png", "image/jpeg", "image/webp"})
_NO_HEIF_ON_VERTEX = frozenset({"gemini-2.5-flash-image"})
IMAGEN_INPUT_MIMES = frozenset({"image/png", "image/jpeg"})


def gemini_image_part(
    changes: Changes, image: InputImage, param: str, *, model: ModelInfo, on_vertex: bool
) -> dict[str, Any]:
    """An input image as a Gemini ``inlineData`` part, in a format ``model`` takes on its
    backend (a GIF becomes a PNG, and a HEIC photo for a model that takes none, reported as
    ``param``): the images and chat paths send the same part."""
    if on_vertex and model.name in _NO_HEIF_ON_VERTEX:
        mimes, said = _NO_HEIF, f"{model.id} on Vertex AI takes PNG, JPEG or WebP input images"
    else:
        mimes, said = GEMINI_INPUT_MIMES, "Gemini takes PNG, JPEG, WebP, HEIC or HEIF input images"
    image = accepted_image(changes, image, param, mimes, said)
    return {"inlineData": {"mimeType": image.mime, "data": image.b64}}


ABOVE_RECOMMENDED_INPUTS = "above_recommended_inputs"
"""Notice code: more input images than Google recommends for the model (they are all sent)."""


def check_input_count(
    changes: Changes,
    model: ModelInfo,
    count: int,
    param: str,
    *,
    on_vertex: bool,
    refuse: bool = True,
) -> None:
    """Check ``count`` input images against the model's recommended number
    (:data:`~.models.RECOMMENDED_INPUTS`). Vertex AI's model card makes that number a maximum
    ("Maximum images per prompt: 3" for gemini-2.5-flash-image), so with ``refuse`` more are
    refused there; the Gemini API only recommends it ("works best with up to 3 images"), so more
    are sent with a notice. Chat passes ``refuse=False``: whether Vertex counts a conversation's
    earlier images against the limit is not documented."""
    recommended = RECOMMENDED_INPUTS.get(model.name)
    if recommended is None or count <= recommended:
        return
    card = f"Vertex AI's model card for {model.id} lists 'Maximum images per prompt: {recommended}'"
    if on_vertex and refuse:
        raise UnsupportedFeatureError(
            f"{count} input images: {card}. Send at most {recommended}, or use the Gemini API or "
            "a Gemini 3 image model (up to 14)",
            param=param,
        )
    vertex = f"; {card}, so Google may refuse the call" if on_vertex else ""
    changes.warn(
        ABOVE_RECOMMENDED_INPUTS,
        f"{count} input images sent to {model.id}, which Google says works best with up to "
        f"{recommended}{vertex}; the Gemini 3 image models take up to 14",
        param=param,
    )


def mime_format(mime: str | None) -> str | None:
    """``image/jpeg`` → ``jpeg``."""
    return mime.split("/", 1)[1] if mime and mime.startswith("image/") else None


class _ForModel(Protocol):
    """An images or a chat call: whatever names the model."""

    @property
    def model(self) -> ModelInfo: ...


def fail(call: _ForModel, response: WireResponse, what: str) -> ProviderError:
    return ProviderError(
        f"Google answered HTTP {response.status} but {what}: {response.text_excerpt()}",
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )


def flagged_categories(ratings: Any) -> tuple[str, ...]:
    """The categories of the ``safetyRatings`` (a prompt's or a candidate's) that Google marked
    ``blocked``: ``("HARM_CATEGORY_SEXUALLY_EXPLICIT",)``."""
    return tuple(
        rating["category"]
        for rating in (ratings if isinstance(ratings, list) else ())
        if isinstance(rating, dict)
        and rating.get("blocked") is True
        and isinstance(rating.get("category"), str)
    )


def blocked(
    call: ProviderCall,
    response: WireResponse,
    reason: str,
    said: str,
    usage: Usage | None = None,
    *,
    stage: str,
    categories: Sequence[str] = (),
    billed_usd: Decimal | None = None,
) -> ProviderResult:
    """A safety block. When ``n`` was split over several calls, the other calls' images (already
    billed) are kept: this call becomes a ``content_filtered`` notice, which strict mode turns
    into an error (and when every call was blocked, core raises :class:`ContentPolicyError`
    carrying the notices), with the call's ``usage`` when Google reported it, so that its tokens
    are priced. A request made in one call fails here with :class:`ContentPolicyError` and
    Google's own reason, the ``stage`` it blocked (``"input"``: the prompt or images;
    ``"output"``: what the model made) and the ``categories`` it flagged; ``billed_usd``: the
    bill when Google says it (Imagen's filtered images are not charged: 0)."""
    error = ContentPolicyError(
        f"Google blocked the request: {said} — rephrase the prompt or change the input images",
        reason=reason,
        stage=stage,
        categories=categories,
        provider="google",
        model=call.model.id,
        status_code=response.status,
    )
    return call.without_images(
        error,
        CONTENT_FILTERED,
        f"{call.n} image(s) blocked: {said}",
        usage=usage,
        billed_usd=billed_usd,
    )


PERSON_PARAM = "provider_options.google.person_generation"
PERSON_GENERATION: dict[str, tuple[str, ...]] = {
    # Imagen's parameters.personGeneration [google.md (a) request; SDK PersonGeneration]
    "imagen": ("DONT_ALLOW", "ALLOW_ADULT", "ALLOW_ALL"),
    # Gemini's imageConfig.personGeneration on Vertex [DISC GoogleCloudAiplatformV1ImageConfig]
    "gemini": ("ALLOW_ALL", "ALLOW_ADULT", "ALLOW_NONE"),
}
"""The values each model family takes: the two spell "no people" differently."""
_NO_PEOPLE = {"DONT_ALLOW": "ALLOW_NONE", "ALLOW_NONE": "DONT_ALLOW"}


def person_generation(changes: Changes, value: str, family: str) -> str:
    """``value`` (one of :class:`~limner_google.options.GoogleOptions`' four) in the spelling
    ``family`` takes: the family's own values pass, "no people" in the other's spelling is
    renamed and reported."""
    if value in PERSON_GENERATION[family]:
        return value
    renamed = _NO_PEOPLE[value]
    changes.adjust(
        PERSON_PARAM, value, renamed, f"the {family} models spell the same setting {renamed}"
    )
    return renamed
