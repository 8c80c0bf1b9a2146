"""The Google image models, as data: capabilities, lifecycle and prices.

Facts come from ``shared/providers/google.md`` (cited per entry there); prices are in
:mod:`limner_google.prices`. Model ids move often: to correct a fact, edit the table. Code only
asks :func:`family` whether a model is a Gemini image model (``:generateContent``) or Imagen
(``:predict``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from limner import BackendCapabilities, Capabilities, Lifecycle, ModelInfo

from .prices import SHEETS

__all__ = [
    "GEMINI_API",
    "GEMINI_REGIONS",
    "IMAGEN_ASPECTS",
    "IMAGEN_MASK_FORMAT",
    "MODELS",
    "PROVIDER",
    "RECOMMENDED_INPUTS",
    "SEED_RANGE",
    "THINKING_LEVELS",
    "VERTEX_AI",
    "VERTEX_ONLY",
    "family",
    "thinking_levels",
]

PROVIDER = "google"
Family = Literal["gemini", "imagen"]

GEMINI_ASPECTS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
WIDE_ASPECTS = (*GEMINI_ASPECTS, "1:8", "8:1", "1:4", "4:1")
IMAGEN_ASPECTS = ("1:1", "3:4", "4:3", "9:16", "16:9")

# The Imagen edit (capability) model exists only on Vertex AI.
VERTEX_ONLY = frozenset({"imagen-3.0-capability-001"})

# Vertex AI locations the notes give: Gemini 3 image models are served at ``global`` [SKILL].
# gemini-2.5-flash-image is served in regions as well: Google's data-residency page lists it for
# ML processing in the US and EU multi-regions and in regions such as europe-west9, and Firebase's
# locations page says Gemini 2.5 models default to us-central1 with the location optional
# (cloud.google.com/vertex-ai/generative-ai/docs/learn/data-residency; firebase.google.com/docs/
# ai-logic/locations). So it lists no regions and goes where configured, as Imagen does (no
# location is documented for Imagen; the us-central1 cassettes replay Firebase mock answers).
GEMINI_REGIONS = ("global",)
# Google's mask polarity [notes (b) Edit: vercel docs, Firebase ImagenRawMask]; core checks the
# size and limner converts OpenAI's transparent = edit masks to it.
IMAGEN_MASK_FORMAT = "white = edit, black = keep, same size as the image"

_NOTES = "shared/providers/google.md"

# The seeds Google takes: generationConfig.seed is int32 [PROTO generative_service.proto
# GenerationConfig.seed; DISC GoogleCloudAiplatformV1GenerationConfig.seed, format int32], and
# Imagen's seed is a 32-bit integer too (java-genai GenerateImagesConfig/EditImageConfig.seed,
# Optional<Integer>). Every model that takes a seed declares it; plan.split_seed refuses others.
SEED_RANGE = (-(2**31), 2**31 - 1)

# The thinkingLevel values each Gemini image model takes, where the notes narrow the enum
# MINIMAL|LOW|MEDIUM|HIGH [google.md §(c) request, DISC]: the 3.1 image models take MINIMAL (their
# default) and HIGH [google.md §(c), SKILL]; gemini-2.5-flash-image has no thinking [google.md
# §(c) table: "no thinking/grounding", VAI 15-google.mdx; SKILL], so it takes none. A model not
# listed (gemini-3-pro-image: "thinking always on", levels not given) takes the whole enum.
THINKING_ENUM = ("MINIMAL", "LOW", "MEDIUM", "HIGH")
THINKING_LEVELS: dict[str, tuple[str, ...]] = {
    "gemini-2.5-flash-image": (),
    "gemini-3.1-flash-image-preview": ("MINIMAL", "HIGH"),
    "gemini-3.1-flash-image": ("MINIMAL", "HIGH"),
    "gemini-3.1-flash-lite-image": ("MINIMAL", "HIGH"),
}

# Input images Google recommends at most, where that is below the model's max_input_images.
# gemini-2.5-flash-image "works best with up to 3 images as input" on the Gemini API
# (ai.google.dev/gemini-api/docs/image-generation, Limitations): more are sent there, with an
# ``above_recommended_inputs`` notice. Vertex AI's model card lists "Maximum images per prompt: 3"
# (cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/2-5-flash-image), so on Vertex
# more are refused (common.check_input_count).
RECOMMENDED_INPUTS = {"gemini-2.5-flash-image": 3}

# Backends, as Capabilities.per_backend names them: what differs on one is said there as data
# (limner acts on it in the translation: a setting dropped and reported, a call refused).
GEMINI_API, VERTEX_AI = "gemini", "vertex"

# On the Gemini API the model picks the output format: imageOutputOptions is Vertex's alone
# [SDK _ImageConfig_to_mldev raises] (gemini._output_options drops it).
_GEMINI_ON_GEMINI_API = BackendCapabilities(output_formats=(), output_compression=False)

_GEMINI = Capabilities(
    operations=("generate", "edit", "chat"),
    aspect_ratios=GEMINI_ASPECTS,
    max_images_per_call=1,  # candidateCount > 1 is a 400 on image models: n fans out
    max_n=10,
    max_input_images=14,
    output_formats=("png", "jpeg"),
    output_compression=True,
    seed=True,
    seed_range=SEED_RANGE,
    negative_prompt=False,
    regions=GEMINI_REGIONS,
    per_backend={GEMINI_API: _GEMINI_ON_GEMINI_API},
)
_IMAGEN = Capabilities(
    operations=("generate",),
    aspect_ratios=IMAGEN_ASPECTS,
    image_sizes=("1K", "2K"),
    max_images_per_call=4,
    max_n=10,
    max_prompt_chars=32000,
    output_formats=("png", "jpeg"),
    output_compression=True,
    seed=True,
    seed_range=SEED_RANGE,
    # Vertex AI's "Omit content using a negative prompt" page lists imagen-3.0-capability-001,
    # imagen-3.0-fast-generate-001 and imagen-3.0-generate-001 as the models that take one
    # (cloud.google.com/vertex-ai/generative-ai/docs/image/omit-content-using-a-negative-prompt);
    # Firebase's ImagenGenerationConfig says it is gone on the Gemini API after
    # imagen-3.0-generate-002. None of the generation models here is on that list.
    negative_prompt=False,
    # the Gemini API takes no seed for Imagen (imagen._vertex_params drops it there)
    per_backend={GEMINI_API: BackendCapabilities(seed=False)},
)


def family(model: ModelInfo) -> Family:
    return "imagen" if model.name.startswith("imagen-") else "gemini"


def thinking_levels(model: ModelInfo) -> tuple[str, ...]:
    """The thinkingLevel values ``model`` takes (empty: it has no thinking)."""
    return THINKING_LEVELS.get(model.name, THINKING_ENUM)


def _model(name: str, display: str, caps: Capabilities, **extra: Any) -> ModelInfo:
    return ModelInfo.model_validate(
        {
            "id": f"{PROVIDER}/{name}",
            "provider": PROVIDER,
            "name": name,
            "display_name": display,
            "capabilities": caps,
            "pricing": SHEETS.get(name),
            **extra,
        }
    )


def _imagen_life(shutdown: dt.date, replacement: str, source: str) -> Lifecycle:
    return Lifecycle(
        status="shutdown",
        shutdown_on=shutdown,
        replacement=f"{PROVIDER}/{replacement}",
        source=source,
    )


def _preview_life(replacement: str) -> Lifecycle:
    """The two Gemini 3 image previews, shut down once their GA models came out."""
    return Lifecycle(
        status="shutdown",
        shutdown_on=dt.date(2026, 6, 25),
        replacement=f"{PROVIDER}/{replacement}",
        source="ai.google.dev/gemini-api/docs/deprecations (Preview models: shutdown June 25, "
        "2026, replacement the GA id) and the Gemini API changelog of 2026-05-28 (GA of "
        "gemini-3.1-flash-image and gemini-3-pro-image; the previews deprecated)",
    )


_IMAGEN4_SHUTDOWN = (
    "Gemini API shutdown 2026-08-17 (" + _NOTES + " §0: dev.to, qiita, azmym/gemini-mcp; SDK "
    "removed the Gemini-API path 2026-08-21, vercel/ai dropped Imagen 2026-08-20). Vertex AI "
    "deprecated it too ('update before June 30, 2026'); calls still go out. Replacement per "
    "firebase.google.com/docs/ai-logic/imagen-models-migration"
)
_IMAGEN3_SHUTDOWN = (
    "Vertex AI model page: 'Discontinuation date: June 30, 2026', recommended migration "
    "gemini-2.5-flash-image (cloud.google.com/vertex-ai/generative-ai/docs/models/imagen/3-0-"
    "generate), itself deprecated since; Firebase's migration table also offers "
    "gemini-3.1-flash-image(-preview), the active successor used here"
)

MODELS: tuple[ModelInfo, ...] = (
    _model(
        "gemini-2.5-flash-image",
        "Gemini 2.5 Flash Image",
        # No hard input-image limit is documented for this model on the Gemini API, only the
        # recommendation of 3 (RECOMMENDED_INPUTS); Vertex's model card makes 3 the maximum, which
        # is enforced there. The cap here is the family's documented ceiling, 14 (the Gemini 3
        # image models), as for its siblings. Regional on Vertex too (see GEMINI_REGIONS).
        _GEMINI.model_copy(
            update={
                "regions": (),
                "per_backend": {
                    GEMINI_API: _GEMINI_ON_GEMINI_API,
                    VERTEX_AI: BackendCapabilities(max_input_images=3),  # its model card
                },
            }
        ),
        description="1024-class output; no imageSize; up to 3 input images (on the Gemini API "
        "more are sent, with a notice; Vertex AI refuses more).",
        lifecycle=Lifecycle(
            status="deprecated",
            shutdown_on=dt.date(2027, 3, 15),
            replacement=f"{PROVIDER}/gemini-3.1-flash-image",
            source="ai.google.dev/gemini-api/docs/deprecations: 'October 2, 2026' in one copy, "
            "'Earliest October 2026' in another, 2027-03-15 in the latest (qiita kai_kou)",
        ),
    ),
    _model(
        "gemini-3-pro-image-preview",
        "Gemini 3 Pro Image (preview)",
        _GEMINI.model_copy(update={"image_sizes": ("1K", "2K", "4K")}),
        description="Up to 14 reference images; thinking always on; 1K, 2K or 4K.",
        lifecycle=_preview_life("gemini-3-pro-image"),
    ),
    _model(
        "gemini-3-pro-image",
        "Gemini 3 Pro Image",
        _GEMINI.model_copy(update={"image_sizes": ("1K", "2K", "4K")}),
        description="Up to 14 reference images; thinking always on; 1K, 2K or 4K.",
        lifecycle=Lifecycle(status="active", source="GA 2026-05-28 (qiita kai_kou; SKILL)"),
    ),
    _model(
        "gemini-3.1-flash-image-preview",
        "Gemini 3.1 Flash Image (preview)",
        _GEMINI.model_copy(
            update={"aspect_ratios": WIDE_ASPECTS, "image_sizes": ("512", "1K", "2K", "4K")}
        ),
        description="Adds 1:8, 8:1, 1:4 and 4:1; imageSize 512 (the literal wire value) to 4K.",
        lifecycle=_preview_life("gemini-3.1-flash-image"),
    ),
    _model(
        "gemini-3.1-flash-image",
        "Gemini 3.1 Flash Image",
        _GEMINI.model_copy(
            update={"aspect_ratios": WIDE_ASPECTS, "image_sizes": ("512", "1K", "2K", "4K")}
        ),
        description="Adds 1:8, 8:1, 1:4 and 4:1; imageSize 512 (the literal wire value) to 4K.",
        lifecycle=Lifecycle(status="active", source="GA 2026-05-28 (qiita kai_kou; SKILL)"),
    ),
    _model(
        "gemini-nano-banana-2.1",
        "Gemini Nano Banana 2.1",
        _GEMINI.model_copy(
            update={"aspect_ratios": WIDE_ASPECTS, "image_sizes": ("512", "1K", "2K", "4K")}
        ),
        description=(
            "Listed by google-genai 3.4.0 (_gaos/types/interactions/model.py: 'Gemini Nano Banana "
            "2.1') and reported GA 2026-10-06; its limits are not published in the sources, so "
            "it is given gemini-3.1-flash-image's (unverified). No price is published in the "
            "sources."
        ),
        lifecycle=Lifecycle(
            status="active",
            source="google-genai 3.4.0 on PyPI; GA 2026-10-06 per a digest of "
            "ai.google.dev/gemini-api/docs/deprecations (qiita kai_kou; SKILL)",
        ),
    ),
    _model(
        "gemini-3.1-flash-lite-image",
        "Gemini 3.1 Flash-Lite Image",
        _GEMINI.model_copy(update={"aspect_ratios": WIDE_ASPECTS, "image_sizes": ("1K",)}),
        description="1K only; conventional and panoramic aspect ratios.",
        lifecycle=Lifecycle(status="active", source="GA 2026-06-30 (qiita kai_kou; SKILL)"),
    ),
    _model(
        "imagen-4.0-generate-001",
        "Imagen 4",
        _IMAGEN,
        lifecycle=_imagen_life(dt.date(2026, 8, 17), "gemini-3.1-flash-image", _IMAGEN4_SHUTDOWN),
    ),
    _model(
        "imagen-4.0-fast-generate-001",
        "Imagen 4 Fast",
        # No sampleImageSize: Vertex AI's "Set output resolution" page lists only
        # imagen-4.0-generate-001 and imagen-4.0-ultra-generate-001 as the models that take it
        # (cloud.google.com/vertex-ai/generative-ai/docs/image/set-output-resolution), the Fast
        # model card lists 1K resolutions only (.../models/imagen/4-0-fast-generate-preview-06-06),
        # and the Gemini API's Imagen page says imageSize "is only supported for the Standard and
        # Ultra models" (ai.google.dev/gemini-api/docs/imagen, Imagen configuration).
        _IMAGEN.model_copy(update={"image_sizes": ()}),
        description="No sampleImageSize (1K output only); size and image_size are reported.",
        lifecycle=_imagen_life(dt.date(2026, 8, 17), "gemini-3.1-flash-image", _IMAGEN4_SHUTDOWN),
    ),
    _model(
        "imagen-4.0-ultra-generate-001",
        "Imagen 4 Ultra",
        _IMAGEN,
        lifecycle=_imagen_life(dt.date(2026, 8, 17), "gemini-3-pro-image", _IMAGEN4_SHUTDOWN),
    ),
    _model(
        "imagen-3.0-generate-002",
        "Imagen 3",
        _IMAGEN.model_copy(update={"image_sizes": ()}),
        description="No sampleImageSize (1K output only).",
        lifecycle=_imagen_life(dt.date(2026, 6, 30), "gemini-3.1-flash-image", _IMAGEN3_SHUTDOWN),
    ),
    _model(
        "imagen-3.0-capability-001",
        "Imagen 3 capability (edits)",
        Capabilities(
            operations=("edit",),
            max_images_per_call=4,
            max_input_images=1,
            edit_modes=("inpaint", "erase", "outpaint"),
            edit_modes_needing_mask=("inpaint", "erase", "outpaint"),  # each: _edit in imagen.py
            # Vertex's edit reference: "Optional. If a prompt isn't specified, the model fills in
            # content from the image context"; Firebase's outpaintImage: "optionally, the prompt"
            edit_modes_without_prompt=("erase", "outpaint"),
            mask=True,
            mask_format=IMAGEN_MASK_FORMAT,
            output_formats=("png", "jpeg"),
            output_compression=True,
            seed=True,
            seed_range=SEED_RANGE,
            negative_prompt=True,
            per_backend={  # (VERTEX_ONLY)
                GEMINI_API: BackendCapabilities(
                    operations=(),
                    note="served only by Vertex AI: set GOOGLE_GENAI_USE_VERTEXAI=true (or "
                    "vertexai=True in the client's google settings)",
                )
            },
        ),
        description="Vertex AI only: mask edits (white = edit on the wire; limner converts "
        "OpenAI-style transparent masks). No published price.",
        lifecycle=_imagen_life(dt.date(2026, 6, 30), "gemini-3.1-flash-image", _IMAGEN3_SHUTDOWN),
    ),
)
