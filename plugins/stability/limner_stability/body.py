"""Turn a call into the multipart request Stability expects.

Every v2beta stable-image endpoint takes ``multipart/form-data``, even without a file [SPEC]; core
encodes ``form`` + ``files`` as multipart whenever there is no JSON body. ``accept`` is
``application/json`` unless ``provider_options.stabilityai.accept`` says ``image/*``. Bodies over
10 MiB are refused here, before anything is sent (Stability answers 413).
"""

from __future__ import annotations

from limner import (
    EditRequest,
    GenerateRequest,
    PayloadTooLargeError,
    ProviderCall,
    Translation,
    UnsupportedFeatureError,
    WireRequest,
)

from . import fields
from .edits import edit_plan, endpoint_for, mode_of
from .generate import generate_plan
from .models import ENDPOINTS
from .plan import Plan
from .settings import api_base

__all__ = ["MAX_BODY_BYTES", "multipart_size", "translate_call"]

MAX_BODY_BYTES = 10 * 2**20  # [SPEC] 413 "Your request was larger than 10MiB"
# Per part: boundary line, Content-Disposition and Content-Type headers, CRLFs. aiohttp's come to
# about 110 bytes plus the names; 256 keeps the estimate an upper bound.
_PART_OVERHEAD = 256


def multipart_size(request: WireRequest) -> int:
    """An upper bound on the encoded multipart body's size."""
    size = 64
    for name, value in request.form:
        size += _PART_OVERHEAD + len(name.encode()) + len(value.encode())
    for part in request.files:
        size += _PART_OVERHEAD + len(part.field) + len(part.filename.encode()) + len(part.data)
    return size


def _rerouted(plan: Plan) -> None:
    """A retired sd3 name the user asked for (a model alias): reported as the sd3.5 model
    Stability re-routes it to [stability.md §2a, ``model`` row]."""
    call = plan.call
    asked = call.request.model.strip().rsplit("/", 1)[-1]
    if asked.lower() != call.model.name.lower():  # resolved by the registry: one of its aliases
        plan.adjust(
            "model",
            call.request.model,
            call.model.id,
            f"Stability re-routes {asked} to {call.model.name} at the same price since 2025-04-17",
        )


def translate_call(call: ProviderCall) -> Translation:
    """The wire request for one call."""
    request = call.request
    if call.operation == "generate" and isinstance(request, GenerateRequest):
        plan = Plan(call=call, endpoint=ENDPOINTS[call.model.name], mode="text-to-image")
        generate_plan(plan, request)
    elif call.operation == "edit" and isinstance(request, EditRequest):
        mode = mode_of(request, call.mask is not None)
        plan = Plan(call=call, endpoint=endpoint_for(call.model.name, mode), mode=mode)
        edit_plan(plan, request)
    else:
        raise UnsupportedFeatureError(
            f"{call.model.id} cannot do {call.operation!r}",
            param="model",
            model=call.model.id,
        )
    fields.forward(plan)
    _rerouted(plan)
    accept = fields.options_of(plan).accept or "application/json"
    wire = WireRequest(
        method="POST",
        url=f"{api_base(call.settings)}/v2beta/stable-image/{plan.endpoint}",
        headers={"accept": accept, **fields.user_header(request)},
        form=tuple(plan.fields.items()),
        files=tuple(plan.files),
    )
    size = multipart_size(wire)
    if size > MAX_BODY_BYTES:
        raise PayloadTooLargeError(
            f"the request body would be about {size / 2**20:.1f} MiB; Stability accepts at most "
            "10 MiB. Send a smaller input image (JPEG or WebP, or fewer pixels)",
            param="images" if plan.files else "prompt",
            model=call.model.id,
        )
    return Translation(
        request=wire,
        adjustments=tuple(plan.adjustments),
        warnings=tuple(plan.warnings),
        edit_mode=plan.mode if call.operation == "edit" else None,
    )
