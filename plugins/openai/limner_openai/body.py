"""Turn a :class:`~limner_openai.fields.Plan` into the HTTP request OpenAI expects.

* generations: JSON to ``/images/generations``;
* edits: multipart to ``/images/edits`` (one image → part ``image``, several → parts
  ``image[]``, as the official SDK sends them), or the JSON form (``images`` of
  ``{"image_url"}``/``{"file_id"}`` references, local images as base64 data URLs) when an input
  is a remote URL or a file id, or ``moderation`` is set (the multipart form has no such field);
* variations: multipart to ``/images/variations``.

Input images in a format the model does not take are converted in one place,
:func:`limner_openai.uploads.input_image`, for both edit forms and variations.

``content-type`` is left to core (it follows from ``json`` or ``files``); credentials are added
by :meth:`OpenAIProvider.authorize`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from limner import (
    EditRequest,
    FilePart,
    GenerateRequest,
    InputImage,
    PayloadTooLargeError,
    ProviderCall,
    Translation,
    UnsupportedFeatureError,
    VariationRequest,
    WireRequest,
)

from .fields import Form, Plan, prompt_fields, variation_fields
from .models import JSON_EDIT_SIZES
from .settings import DEFAULT_BASE_URL, OpenAISettings
from .sizing import apply_size
from .uploads import check_mask_bytes, input_image, prepare_uploads

__all__ = ["edit_form", "translate_call"]


def translate_call(call: ProviderCall) -> Translation:
    """The wire request for one call."""
    request = call.request
    if call.operation == "variation" and isinstance(request, VariationRequest):
        plan = variation_fields(call, request)
        wire = _multipart(call, "variations", plan, _variation_files(call, plan))
    elif call.operation == "edit" and isinstance(request, EditRequest):
        form = edit_form(call)
        plan = prompt_fields(call, request, form)
        wire = _json_edit(call, plan) if form == "json" else _multipart_edit(call, plan)
    elif call.operation == "generate" and isinstance(request, GenerateRequest):
        plan = prompt_fields(call, request, "json")
        wire = WireRequest(method="POST", url=_url(call, "generations"), json=plan.fields)
    else:
        raise UnsupportedFeatureError(
            f"OpenAI cannot do {call.operation!r} with a {type(request).__name__}",
            param="model",
            provider="openai",
            model=call.model.id,
        )
    return Translation(
        request=wire,
        adjustments=tuple(plan.adjustments),
        warnings=tuple(plan.warnings),
        size=plan.size,
        quality=plan.quality,
    )


def edit_form(call: ProviderCall) -> Form:
    """``json`` when an input image or the mask is a remote URL or a file id, else
    ``multipart``. Checks the model can take what was given."""
    caps = call.model.capabilities
    images = call.images
    if not images:
        raise UnsupportedFeatureError(
            "an edit needs at least one loaded input image", param="images", provider="openai"
        )
    if len(images) > max(caps.max_input_images, 1):
        raise UnsupportedFeatureError(
            f"{call.model.id} edits {caps.max_input_images} image(s) per call; got {len(images)}",
            param="images",
            provider="openai",
            model=call.model.id,
        )
    if call.mask is not None and not caps.mask:
        raise UnsupportedFeatureError(
            f"{call.model.id} takes no mask", param="mask", provider="openai", model=call.model.id
        )
    refs = [(f"images[{i}]", image) for i, image in enumerate(images)]
    if call.mask is not None:
        refs.append(("mask", call.mask))
    remote = False
    for param, image in refs:
        if image.data is None:
            _check_reference(call, param, image)
            remote = True
    if call.markup is not None:
        _check_markup(call, call.markup, remote)
        return "multipart"
    return "json" if remote or _moderated(call, refs) else "multipart"


def _moderated(call: ProviderCall, refs: list[tuple[str, InputImage]]) -> bool:
    """Whether the edit sets ``moderation``, which only the JSON form takes (the multipart form
    has no such field [SPEC CreateImageEditRequest, EditImageBodyJsonParam]), and the JSON form
    keeps the rest of the call as asked: every image fits a data URL there, and the size asked
    for is one it takes. Then the JSON form is sent, local images as data URLs; else the
    multipart form, without ``moderation`` (reported)."""
    caps = call.model.capabilities
    if getattr(call.request, "moderation", None) is None or not caps.moderation:
        return False
    if not caps.remote_image_urls:  # (the JSON form is the GPT image models')
        return False
    if _needs_free_size(call):
        return False
    return all(
        image.data is None or 4 * ((len(image.data) + 2) // 3) + 64 <= MAX_IMAGE_URL_CHARS
        for _, image in refs
    )


def _needs_free_size(call: ProviderCall) -> bool:
    """Whether the edit asks a model that takes free sizes for a size the JSON form's closed
    list (:data:`~limner_openai.models.JSON_EDIT_SIZES`) lacks, by ``size`` or by
    ``image_config``: the multipart form sends it as asked, the JSON form the nearest listed
    one, another shape [SPEC EditImageBodyJsonParam.size]. The size is the one the multipart
    form would send (``1:1`` is 1024x1024, which the JSON form lists too)."""
    request = call.request
    if call.model.capabilities.size_rules is None or not isinstance(request, EditRequest):
        return False  # (listed sizes only: the two forms send the same one)
    trial = Plan(call=call, form="multipart")
    apply_size(trial, request.size, request)
    sent = trial.fields.get("size")
    return sent is not None and sent not in JSON_EDIT_SIZES


def _check_markup(call: ProviderCall, markup: InputImage, remote: bool) -> None:
    """A markup goes in the multipart form, as a file after the images [SDK images.edit]: the
    JSON edit names none, so every input must have bytes (core downloads remote ones when a
    request has a markup; a file id stays one)."""
    if not call.model.capabilities.markup:
        raise UnsupportedFeatureError(
            f"{call.model.id} takes no markup",
            param="markup",
            provider="openai",
            model=call.model.id,
        )
    if remote or markup.data is None:
        raise UnsupportedFeatureError(
            "a markup is sent in a multipart edit, with the images as uploads: give the "
            "markup and every image as bytes, a path or a URL, not a file id",
            param="markup",
            provider="openai",
            model=call.model.id,
        )


def _check_reference(call: ProviderCall, param: str, image: InputImage) -> None:
    caps = call.model.capabilities
    ok = caps.file_ids if image.file_id is not None else caps.remote_image_urls
    if not ok:
        kind = "file ids" if image.file_id is not None else "remote image URLs"
        raise UnsupportedFeatureError(
            f"{call.model.id} does not take {kind} ({param}); pass the image's bytes or a path, "
            "or use a GPT image model",
            param=param,
            provider="openai",
            model=call.model.id,
        )


def _url(call: ProviderCall, endpoint: str) -> str:
    settings = call.settings
    base = (
        settings.api_base()
        if isinstance(settings, OpenAISettings)
        else (settings.base_url or DEFAULT_BASE_URL).rstrip("/")
    )
    return f"{base}/images/{endpoint}"


# ---- JSON edit ---------------------------------------------------------------------------------


# ``ImageRefParam.image_url``: "A fully qualified URL or base64-encoded data URL", maxLength
# 20971520 characters [SPEC], about 15 MiB of image once base64 adds its third.
MAX_IMAGE_URL_CHARS = 20_971_520


def _reference(plan: Plan, image: InputImage, param: str) -> dict[str, str]:
    """An ``ImageRefParam``: exactly one of ``image_url`` or ``file_id``; bytes as a data URL."""
    if image.file_id is not None:
        return {"file_id": image.file_id}
    if image.url is not None and image.data is None:
        return {"image_url": image.url}
    url = image.data_url()
    if len(url) > MAX_IMAGE_URL_CHARS:
        raise PayloadTooLargeError(
            _too_long(plan, param, len(url)),
            param=param,
            provider="openai",
            model=plan.call.model.id,
        )
    return {"image_url": url}


def _too_long(plan: Plan, param: str, length: int) -> str:
    said = (
        f"{param} is {length:,} characters as a base64 data URL; a JSON edit (used because an "
        f"input is a remote URL or a file id) takes at most {MAX_IMAGE_URL_CHARS:,} "
        "(about 15 MiB of image)."
    )
    return (
        f"{said} Send a smaller image, pass it as a file_id (OpenAI's Files API), or give "
        "every image and the mask as bytes or a file path (no remote URL or file id) so that "
        "limner sends the multipart form, which takes images under 50 MB"
    )


def _json_edit(call: ProviderCall, plan: Plan) -> WireRequest:
    body: dict[str, Any] = dict(plan.fields)
    params = [f"images[{i}]" for i in range(len(call.images))]
    body["images"] = [
        _reference(plan, input_image(plan, image, param), param)
        for image, param in zip(call.images, params, strict=True)
    ]
    if call.mask is not None:
        check_mask_bytes(plan, call.mask)  # under 4 MB, as in the multipart form
        body["mask"] = _reference(plan, call.mask, "mask")  # a mask is never converted
    return WireRequest(method="POST", url=_url(call, "edits"), json=body)


# ---- multipart ---------------------------------------------------------------------------------


def form_parts(name: str, value: Any) -> list[tuple[str, str]]:
    """The multipart text parts of one field, as the API reads a form and the official SDK sends
    one: an object's members as ``name[key]``, a list's items each as ``name[]`` (nested the
    same way), numbers as decimal strings, booleans as ``true``/``false``, and ``None`` not at
    all."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [part for key, item in value.items() for part in form_parts(f"{name}[{key}]", item)]
    if isinstance(value, list | tuple):
        return [part for item in value for part in form_parts(f"{name}[]", item)]
    if isinstance(value, bool):
        return [(name, "true" if value else "false")]
    return [(name, str(value))]


def _file(field: str, image: InputImage) -> FilePart:
    assert image.data is not None  # multipart is chosen only when every image has bytes
    return FilePart(field, image.filename, image.mime or "application/octet-stream", image.data)


def _multipart_edit(call: ProviderCall, plan: Plan) -> WireRequest:
    params = tuple(f"images[{i}]" for i in range(len(call.images)))
    images, mask = prepare_uploads(plan, call.images, params)
    field = "image" if len(images) == 1 else "image[]"
    files = [_file(field, image) for image in images]
    if call.markup is not None:  # a PNG with transparent pixels the size of images[0] (core)
        files.append(_file("markup", call.markup))
    if mask is not None:
        files.append(_file("mask", mask))
    return _multipart(call, "edits", plan, files)


def _variation_files(call: ProviderCall, plan: Plan) -> list[FilePart]:
    if len(call.images) != 1 or call.images[0].data is None:
        raise UnsupportedFeatureError(
            "a variation takes exactly one uploaded image (bytes or a path, not a URL or file id)",
            param="image",
            provider="openai",
            model=call.model.id,
        )
    images, _ = prepare_uploads(plan, call.images, ("image",))
    return [_file("image", images[0])]


def _multipart(call: ProviderCall, endpoint: str, plan: Plan, files: list[FilePart]) -> WireRequest:
    form = tuple(part for key, value in plan.fields.items() for part in form_parts(key, value))
    return WireRequest(method="POST", url=_url(call, endpoint), form=form, files=tuple(files))
