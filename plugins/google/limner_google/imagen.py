"""Imagen through ``:predict`` [SDK-prev ``_GenerateImagesConfig_to_mldev``/``_to_vertex``; SDK
``_EditImageParameters_to_vertex``; FB and vercel fixtures for the answers].

``sampleCount`` is 1 to 4 per call (core splits larger ``n``). ``negativePrompt``, ``seed``,
``addWatermark`` and ``enhancePrompt`` exist only on Vertex AI, and ``negativePrompt`` only for
the capability model there; edits (RAW + MASK reference
images, white = edit) only on Vertex's capability model. ``includeRaiReason`` is always sent so
filtered images come back as ``raiFilteredReason`` entries, reported per image and not billed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from limner import (
    EditRequest,
    ImageData,
    InputImage,
    InvalidRequestError,
    NoImageGeneratedError,
    Notice,
    ProviderCall,
    ProviderResult,
    ProviderSetting,
    Translation,
    UnsupportedFeatureError,
    WireRequest,
    WireResponse,
)
from limner.images import accepted_image
from limner.masks import mask_to_binary, report_hard_edges
from limner.responses import CONTENT_FILTERED

from .common import (
    EDIT_ONLY,
    IMAGEN_INPUT_MIMES,
    blocked,
    drop_ignored,
    drop_options,
    fail,
    mime_format,
    output_options,
    person_generation,
)
from .models import VERTEX_ONLY
from .passthrough import forward
from .plan import Plan, choose_size

__all__ = ["EDIT_MODES", "parse_imagen", "translate_imagen"]

EDIT_MODES = {
    "inpaint": "EDIT_MODE_INPAINT_INSERTION",
    "erase": "EDIT_MODE_INPAINT_REMOVAL",
    "outpaint": "EDIT_MODE_OUTPAINT",
}
_GEMINI_API_REFUSES = {"person_generation": "ALLOW_ALL", "safety_setting": "BLOCK_NONE"}
_GEMINI_ONLY = ("thinking_level", "temperature")


def imagen_class(width: int, height: int, allowed: Sequence[str]) -> str:
    """``2K`` when the long side is over 1408 px, the longest 1K output [Vertex model card]."""
    wanted = "2K" if max(width, height) > 1408 else "1K"
    return wanted if wanted in allowed else allowed[0]


PROMPT_CHARS_HINT = 1920
"""About 480 tokens, Imagen's prompt limit [google.md §(b)], at some 4 characters a token of
English. Tokens cannot be counted without Google's tokenizer, so a longer prompt is sent, with a
warning, not refused."""


def translate_imagen(plan: Plan) -> Translation:
    call, request = plan.call, plan.request
    if call.model.name in VERTEX_ONLY and not plan.on_vertex:
        raise UnsupportedFeatureError(
            f"{call.model.id} is served only by Vertex AI: set GOOGLE_GENAI_USE_VERTEXAI=true",
            param="model",
            setting=ProviderSetting(call.model.provider, "vertexai", "True"),
        )
    drop_ignored(plan)
    _refuse_storage(plan)
    if len(request.prompt) > PROMPT_CHARS_HINT:
        plan.warn(
            "prompt_may_be_too_long",
            f"Imagen takes prompts of up to 480 tokens, about {PROMPT_CHARS_HINT:,} characters "
            f"of English; this one has {len(request.prompt):,}, and Google may cut or refuse it",
            param="prompt",
        )
    params: dict[str, Any] = {"sampleCount": call.n, "includeRaiReason": True}
    # (an erase or an outpaint may go without: the model fills in from the image's context)
    instance: dict[str, Any] = {"prompt": request.prompt} if request.prompt else {}
    if isinstance(request, EditRequest):
        _edit(plan, request, instance, params)
    else:
        caps = call.model.capabilities
        choice = choose_size(plan, caps.aspect_ratios, caps.image_sizes, imagen_class)
        if choice.aspect_ratio is not None:
            params["aspectRatio"] = choice.aspect_ratio
        if choice.image_size is not None:
            params["sampleImageSize"] = choice.image_size  # the wire name, not imageSize
        plan.size = _pixels(choice.aspect_ratio or "1:1", choice.image_size or "1K")
    _vertex_params(plan, params)
    _output(plan, params)
    _options(plan, params, editing=isinstance(request, EditRequest))
    body = {"instances": [instance], "parameters": params}
    return Translation(
        request=WireRequest(
            method="POST",
            url=plan.endpoint.url(call.model.name, "predict"),
            json=forward(body, plan, "parameters"),
        ),
        adjustments=tuple(plan.adjustments),
        warnings=tuple(plan.warnings),
        size=plan.size,
    )


def _refuse_storage(plan: Plan) -> None:
    """A ``storageUri`` passed through is refused: Vertex would write the images to Cloud
    Storage and answer with ``gcsUri`` links in place of the images [Vertex
    ``VisionGenerativeModelParams``], made and billed, which an images response cannot carry."""
    passed = plan.request.forwarded.get("parameters")
    if not isinstance(passed, dict):
        return
    for key in ("storageUri", "storage_uri"):
        if passed.get(key) is not None:  # (null: unset, as Google reads it)
            raise InvalidRequestError(
                f"parameters.{key} is not supported: Google would save the images to Cloud "
                "Storage and answer with gs:// links instead of the images; leave it out, and "
                "store the images limner returns yourself",
                param=f"parameters.{key}",
                provider="google",
            )


def _options(plan: Plan, params: dict[str, Any], *, editing: bool) -> None:
    options = plan.options
    for name, refused in _GEMINI_API_REFUSES.items():
        value = getattr(options, name)
        if value == refused and not plan.on_vertex:
            raise InvalidRequestError(
                f"provider_options.google.{name}={refused} is refused by the Gemini API "
                "(Vertex AI only)",
                param=f"provider_options.google.{name}",
            )
    if options.person_generation is not None:
        params["personGeneration"] = person_generation(plan, options.person_generation, "imagen")
    if options.safety_setting is not None:
        params["safetySetting"] = options.safety_setting
    if options.guidance_scale is not None:
        params["guidanceScale"] = options.guidance_scale
    drop_options(plan, options, _GEMINI_ONLY, "a Gemini setting, not Imagen's")
    if not editing:  # _edit sends them on an edit
        drop_options(plan, options, EDIT_ONLY, "an Imagen edit setting; this call generates")
    else:  # google-genai's EditImageConfig has none of them
        drop_options(plan, options, _GENERATE_ONLY, "an Imagen generation setting; this call edits")
    if "response_modalities" in options.model_fields_set:  # given: said, even as the default
        plan.drop(
            "provider_options.google.response_modalities",
            list(options.response_modalities),
            "a Gemini setting, not Imagen's",
        )


_GENERATE_ONLY = ("enhance_prompt",)  # (GenerateImagesConfig's, not EditImageConfig's)

_PIXELS = {
    "1:1": (1024, 1024), "3:4": (896, 1280), "4:3": (1280, 896),
    "9:16": (768, 1408), "16:9": (1408, 768),
}  # fmt: skip


def _pixels(aspect: str, image_size: str) -> str | None:
    if aspect not in _PIXELS:
        return None
    scale = 2 if image_size == "2K" else 1
    width, height = _PIXELS[aspect]
    return f"{width * scale}x{height * scale}"


def _vertex_params(plan: Plan, params: dict[str, Any]) -> None:
    request, options = plan.request, plan.options
    if request.negative_prompt is not None and not plan.call.model.capabilities.negative_prompt:
        plan.drop(
            "negative_prompt",
            request.negative_prompt,
            f"{plan.call.model.name} takes no negative prompt (on Vertex AI only "
            "imagen-3.0-capability-001 among limner's Imagen models does); say what to leave "
            "out in the prompt",
        )
    else:
        plan.vertex_only(
            "negative_prompt",
            request.negative_prompt,
            lambda: params.__setitem__("negativePrompt", request.negative_prompt),
        )
    sent = [("add_watermark", "addWatermark")]
    if not isinstance(request, EditRequest):  # (on an edit, _options drops it)
        sent.append(("enhance_prompt", "enhancePrompt"))
    for name, wire in sent:
        value = getattr(options, name)
        plan.vertex_only(f"provider_options.google.{name}", value, _setter(params, wire, value))
    plan.vertex_only("seed", request.seed, lambda: _seed(plan, params))


def _setter(params: dict[str, Any], key: str, value: Any) -> Callable[[], None]:
    return lambda: params.__setitem__(key, value)


def _seed(plan: Plan, params: dict[str, Any]) -> None:
    """Google refuses ``seed`` while the watermark is on, and the watermark defaults to on
    [SDK docstring GenerateImagesConfig.seed; vercel docs]."""
    if plan.options.add_watermark:
        raise InvalidRequestError(
            "seed cannot be used with add_watermark=True on Imagen; drop one of them",
            param="seed",
        )
    seed = plan.request.seed
    assert seed is not None  # vertex_only calls this only for a set seed
    params["seed"] = plan.call_seed(seed)
    if plan.options.add_watermark is None:
        params["addWatermark"] = False
        plan.adjust(
            "provider_options.google.add_watermark",
            None,
            False,
            "Imagen takes a seed only without its (default) watermark",
        )


def _output(plan: Plan, params: dict[str, Any]) -> None:
    out = output_options(plan, plan.request.output_format, plan.request.output_compression)
    if out:
        params["outputOptions"] = out


def _edit(
    plan: Plan, request: EditRequest, instance: dict[str, Any], params: dict[str, Any]
) -> None:
    call = plan.call
    mode = request.edit_mode or call.model.capabilities.edit_modes[0]
    if call.mask is None or call.mask.data is None:
        raise InvalidRequestError(
            f"{call.model.id} edits need a mask (transparent pixels mark the area to {mode})",
            param="mask",
        )
    image = accepted_image(
        plan, call.images[0], "images[0]", IMAGEN_INPUT_MIMES, "Imagen takes PNG or JPEG images"
    )
    mask_config: dict[str, Any] = {"maskMode": "MASK_MODE_USER_PROVIDED"}
    if plan.options.mask_dilation is not None:
        mask_config["dilation"] = plan.options.mask_dilation
    instance["referenceImages"] = [
        {
            "referenceType": "REFERENCE_TYPE_RAW",
            "referenceId": 1,
            "referenceImage": {"bytesBase64Encoded": image.b64, "mimeType": image.mime},
        },
        {
            "referenceType": "REFERENCE_TYPE_MASK",
            "referenceId": 2,
            "referenceImage": {
                "bytesBase64Encoded": call.mask.derived("white_is_edit_b64", _white_is_edit),
                "mimeType": "image/png",
            },
            "maskImageConfig": mask_config,
        },
    ]
    report_hard_edges(plan, call.mask, "mask", "Imagen takes a black-and-white mask")
    params["editMode"] = EDIT_MODES[mode]
    if plan.options.base_steps is not None:
        params["editConfig"] = {"baseSteps": plan.options.base_steps}
    plan.drop_unsupported(("size",), "an Imagen edit keeps the input image's size")
    if request.image_config is not None:
        plan.drop("image_config", request.image_config.model_dump(exclude_none=True), "as size")


def _white_is_edit(mask: InputImage) -> str:
    """OpenAI's convention (transparent = edit) → Google's (white = edit, black = keep), as
    base64."""
    import base64

    assert mask.data is not None
    return base64.b64encode(mask_to_binary(mask.data)).decode()


def parse_imagen(call: ProviderCall, response: WireResponse) -> ProviderResult:
    body = response.json_or_none()
    if not isinstance(body, dict):
        raise fail(call, response, "the body is not a JSON object")
    predictions = body.get("predictions") or []
    if not isinstance(predictions, list):
        raise fail(call, response, "'predictions' is not a list")
    images: list[ImageData] = []
    filtered: list[str] = []
    formats: list[str] = []
    for item in predictions:
        if not isinstance(item, dict) or item.get("contentType") == "Positive Prompt":
            continue
        data = item.get("bytesBase64Encoded")
        if isinstance(data, str) and data:
            prompt = item.get("prompt")
            images.append(ImageData(b64_json=data, revised_prompt=prompt or None))
            formats.append(mime_format(item.get("mimeType")) or "png")
        elif isinstance(item.get("raiFilteredReason"), str):
            filtered.append(item["raiFilteredReason"])
    if not images:
        if filtered:
            reason = " ".join(filtered)
            what = f"all images were filtered ({reason})"
            # "You will not be charged for blocked images" [google.md: Imagen filtering]
            return blocked(call, response, reason, what, stage="output", billed_usd=Decimal(0))
        raise NoImageGeneratedError(
            f"{call.model.id} answered without an image or a filter reason",
            provider="google",
            model=call.model.id,
            status_code=response.status,
        )
    warnings = [
        Notice(code=CONTENT_FILTERED, message=f"Imagen filtered image(s) (not billed): {reason}")
        for reason in filtered
    ]
    if not filtered and len(images) < call.n:
        warnings.append(
            Notice(
                code=CONTENT_FILTERED,
                message=f"Imagen returned {len(images)} of {call.n} images without a reason "
                "(most likely filtered; not billed)",
            )
        )
    return ProviderResult(
        images=images, output_format=formats[0] if formats else None, warnings=warnings
    )
