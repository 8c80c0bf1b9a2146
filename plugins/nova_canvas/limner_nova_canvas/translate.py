"""One :class:`~limner.ProviderCall` → one ``InvokeModel`` request [nova-canvas.md §1-§2].

Task types: ``generate`` → ``TEXT_IMAGE`` (``COLOR_GUIDED_GENERATION`` with
``provider_options.amazon.colors``); ``edit`` → ``INPAINTING`` (mask or ``mask_prompt``),
``OUTPAINTING``, ``BACKGROUND_REMOVAL`` or ``IMAGE_VARIATION`` by ``edit_mode``; ``variation`` →
``IMAGE_VARIATION``. An inpaint or outpaint without a mask or ``mask_prompt`` takes the image's
fully transparent pixels as the area, as a mask marks it. Pure: no I/O, no credentials.
"""

from __future__ import annotations

import difflib
from typing import Any

from limner import (
    EditRequest,
    InvalidRequestError,
    ModelInfo,
    Notice,
    ProviderCall,
    Translation,
    UnsupportedFeatureError,
    WireRequest,
)
from limner.forwarding import forward_fields
from limner.masks import report_hard_edges
from limner.responses import TRANSPARENCY_NOT_USED_AS_MASK

from .images import decode_option_image, nova_image, nova_mask
from .options import NovaCanvasOptions
from .plan import Plan, option_param
from .request_config import apply_config, apply_text, drop_unsupported
from .settings import NovaCanvasSettings, invoke_url

__all__ = ["PARAMS_FIELD", "choose_task", "translate_call"]

PARAMS_FIELD = {
    "TEXT_IMAGE": "textToImageParams",
    "COLOR_GUIDED_GENERATION": "colorGuidedGenerationParams",
    "IMAGE_VARIATION": "imageVariationParams",
    "INPAINTING": "inPaintingParams",
    "OUTPAINTING": "outPaintingParams",
    "BACKGROUND_REMOVAL": "backgroundRemovalParams",
}
_ALL = frozenset(PARAMS_FIELD)
_OPTION_TASKS: dict[str, frozenset[str]] = {
    "mask_prompt": frozenset({"INPAINTING", "OUTPAINTING"}),
    "cfg_scale": _ALL - {"BACKGROUND_REMOVAL"},
    "style": frozenset({"TEXT_IMAGE"}),
    "similarity_strength": frozenset({"IMAGE_VARIATION"}),
    "outpainting_mode": frozenset({"OUTPAINTING"}),
    "condition_image": frozenset({"TEXT_IMAGE"}),
    "control_mode": frozenset({"TEXT_IMAGE"}),
    "control_strength": frozenset({"TEXT_IMAGE"}),
    "colors": frozenset({"COLOR_GUIDED_GENERATION"}),
    "reference_image": frozenset({"COLOR_GUIDED_GENERATION"}),
}
_MODE_TASK = {
    "inpaint": "INPAINTING",
    "erase": "INPAINTING",
    "outpaint": "OUTPAINTING",
    "remove-background": "BACKGROUND_REMOVAL",
    "variation": "IMAGE_VARIATION",
}
HEADERS = {"content-type": "application/json", "accept": "application/json"}

PURE_MASKS = "Nova Canvas takes a mask of pure black and white"  # [nova-canvas.md §2 Masks]


def choose_task(call: ProviderCall, options: NovaCanvasOptions) -> tuple[str, str | None]:
    """The Nova task type, and the edit mode actually used (``None`` outside ``edit``): the
    requested one, else ``inpaint`` with a mask or ``mask_prompt`` and ``variation`` without."""
    request = call.request
    if call.operation == "variation":
        return "IMAGE_VARIATION", None
    if not isinstance(request, EditRequest):
        return ("COLOR_GUIDED_GENERATION" if options.colors else "TEXT_IMAGE"), None
    mode = request.edit_mode
    if mode is None:
        mode = "inpaint" if call.mask is not None or options.mask_prompt else "variation"
    if mode not in _MODE_TASK:  # core validated edit_mode against the model's edit_modes
        raise UnsupportedFeatureError(f"Nova has no edit_mode {mode!r}", param="edit_mode")
    return _MODE_TASK[mode], mode


def translate_call(call: ProviderCall) -> Translation:
    settings = call.settings
    if not isinstance(settings, NovaCanvasSettings):
        settings = NovaCanvasSettings.model_validate(settings.model_dump())
    options = call.options if isinstance(call.options, NovaCanvasOptions) else NovaCanvasOptions()
    task, mode = choose_task(call, options)
    plan = Plan(call=call, options=options, task=task, mode=mode)
    plan.refuse_options(_OPTION_TASKS)
    _inputs(plan)
    apply_text(plan)
    drop_unsupported(plan)
    apply_config(plan)
    body: dict[str, Any] = {"taskType": task, PARAMS_FIELD[task]: plan.params}
    if plan.config:
        body["imageGenerationConfig"] = plan.config
    _forward(plan, body)
    _region_notices(plan, settings)
    model_id = invoked_id(settings, call.model)
    if model_id == call.model.name and settings.model_ids:  # none of its keys names the model
        _model_id_notices(plan, settings)
    wire = WireRequest("POST", invoke_url(settings, model_id), headers=HEADERS, json=body)
    return Translation(
        request=wire,
        adjustments=tuple(plan.adjustments),
        warnings=tuple(plan.warnings),
        size=plan.size,
        quality=plan.quality,
        edit_mode=mode,
    )


def _inputs(plan: Plan) -> None:
    """Input images, the mask, and the images given through provider options."""
    if plan.task in ("TEXT_IMAGE", "COLOR_GUIDED_GENERATION"):
        _option_images(plan)
    elif plan.task == "IMAGE_VARIATION":
        _variation_inputs(plan)
    else:
        _single_image_inputs(plan)


def _variation_inputs(plan: Plan) -> None:
    call = plan.call  # a mask with it: core refuses it (EDIT_RULES)
    plan.params["images"] = [
        nova_image(image, _image_param(call, i), plan.adjustments)
        for i, image in enumerate(call.images)
    ]
    request = call.request
    if isinstance(request, EditRequest) and request.edit_mode is None:
        _transparency_not_a_mask(plan)
    if plan.options.similarity_strength is not None:
        plan.params["similarityStrength"] = plan.options.similarity_strength


def _single_image_inputs(plan: Plan) -> None:
    call, task, options = plan.call, plan.task, plan.options
    if len(call.images) != 1:
        raise UnsupportedFeatureError(
            f"edit_mode {plan.mode!r} takes exactly one image; {len(call.images)} given",
            param="images",
        )
    image = call.images[0]
    plan.params["image"] = nova_image(image, _image_param(call, 0), plan.adjustments)
    if image.width and image.height:
        plan.size = f"{image.width}x{image.height}"
    if task == "BACKGROUND_REMOVAL":  # a mask, or n > 1, with it: core refuses them (EDIT_RULES)
        return
    if call.mask is not None and options.mask_prompt:
        raise InvalidRequestError(
            "give a mask or provider_options.amazon.mask_prompt, not both (Nova takes exactly "
            "one of maskImage and maskPrompt)",
            param=option_param("mask_prompt"),
        )
    if call.mask is not None:
        plan.params["maskImage"] = nova_mask(call.mask, edit_is_white=task == "OUTPAINTING")
        report_hard_edges(plan, call.mask, "mask", PURE_MASKS)
    elif options.mask_prompt:
        plan.params["maskPrompt"] = options.mask_prompt
    elif image.has_transparent_pixels(_image_param(call, 0)):  # they mark it, as a mask's do
        plan.params["maskImage"] = nova_mask(image, edit_is_white=task == "OUTPAINTING")
        report_hard_edges(plan, image, _image_param(call, 0), PURE_MASKS)
    else:
        raise InvalidRequestError(
            f"edit_mode {plan.mode!r} needs a mask (transparent = area to change), an image whose "
            "transparent pixels mark the area, or provider_options.amazon.mask_prompt "
            "describing it",
            param="mask",
        )
    if options.outpainting_mode is not None:
        plan.params["outPaintingMode"] = options.outpainting_mode


def _transparency_not_a_mask(plan: Plan) -> None:
    """An edit left to the default (a variation) whose image has transparent pixels: a
    transparent background is common, so the image is reworked whole (as gpt-image models edit
    without a mask), and the user learns how to edit only that area."""
    call = plan.call
    if any(
        image.has_transparent_pixels(_image_param(call, index))
        for index, image in enumerate(call.images)
    ):
        plan.warn(
            TRANSPARENCY_NOT_USED_AS_MASK,
            "an input image has transparent pixels, but with no mask and no edit_mode limner "
            "sends a variation of the whole image (transparency flattened to white); to edit "
            "only the transparent area, pass edit_mode='inpaint' with that one image",
            param="edit_mode",
        )


def _image_param(call: ProviderCall, index: int) -> str:
    return "image" if call.operation == "variation" else f"images[{index}]"


def _option_images(plan: Plan) -> None:
    options = plan.options
    if options.condition_image is not None:
        param = option_param("condition_image")
        image = decode_option_image(options.condition_image, param)
        plan.params["conditionImage"] = nova_image(image, param, plan.adjustments)
        if options.control_mode is not None:
            plan.params["controlMode"] = options.control_mode
        if options.control_strength is not None:
            plan.params["controlStrength"] = options.control_strength
    elif options.control_mode is not None or options.control_strength is not None:
        name = "control_mode" if options.control_mode is not None else "control_strength"
        raise InvalidRequestError(
            f"{option_param(name)} needs {option_param('condition_image')}",
            param=option_param(name),
        )
    if options.colors:
        plan.params["colors"] = list(options.colors)
        if options.reference_image is not None:
            param = option_param("reference_image")
            image = decode_option_image(options.reference_image, param)
            plan.params["referenceImage"] = nova_image(image, param, plan.adjustments)


def _forward(plan: Plan, body: dict[str, Any]) -> None:
    """Unknown top-level request fields go to the body unchanged; they may not replace a field
    limner builds."""
    instead = "the request's own fields or provider_options.amazon"
    forward_fields(body, plan.call.request.forwarded, instead=instead)


def _region_notices(plan: Plan, settings: NovaCanvasSettings) -> None:
    """A custom endpoint (``base_url``) is signed for the region too, so it gets the same
    notices: a wrong region is a ``SignatureDoesNotMatch`` 403. A Bedrock API key sent to a
    custom endpoint is not signed, and no region is used."""
    if settings.base_url and settings.api_key is not None:
        return
    if settings.region is None:
        plan.warnings.append(
            Notice(
                code="default_region",
                message="no AWS region configured (AWS_REGION, AWS_DEFAULT_REGION, the profile "
                f"or the 'region' setting); using {settings.signing_region()}",
                param="region",
            )
        )
        return
    regions = plan.call.model.capabilities.regions
    if regions and settings.region not in regions:
        plan.warnings.append(
            Notice(
                code="region_unsupported",
                message=f"{plan.call.model.id} is served in {', '.join(regions)} only "
                f"(in-Region); {settings.region} will likely refuse it",
                param="region",
            )
        )


def _model_id_notices(plan: Plan, settings: NovaCanvasSettings) -> None:
    """A ``model_ids`` key one slip from this model's alias (``nova-canvass``), none naming it:
    the call goes to the model itself, which the user meant to replace. (A key that is a
    Bedrock id, with its ``:``, may name a model another plugin adds: not looked at.)"""
    model = plan.call.model
    aliases = [*model.aliases, *(f"{model.provider}/{alias}" for alias in model.aliases)]
    for key in settings.model_ids:
        close = difflib.get_close_matches(key.casefold(), aliases, n=1, cutoff=0.85)
        if close and ":" not in key:
            plan.warnings.append(
                Notice(
                    code="possible_typo",
                    message=f"model_ids key {key!r} names no model; did you mean {close[0]!r}? "
                    f"{model.name} is invoked as itself",
                    param="model_ids",
                )
            )


def invoked_id(settings: NovaCanvasSettings, model: ModelInfo) -> str:
    """The Bedrock model id or ARN to invoke for ``model``: its entry in the ``model_ids``
    setting, keyed by the model's name (``amazon.nova-canvas-v1:0``) or an alias
    (``nova-canvas``), with or without the provider (``amazon/nova-canvas``), in any case;
    else its name."""
    if settings.model_ids:
        names = (model.name, *model.aliases)
        spellings = {name.casefold() for name in names}
        spellings.update(f"{model.provider}/{name}".casefold() for name in names)
        for key, target in settings.model_ids.items():
            if key.casefold() in spellings:
                return target
    return model.name
