"""``POST /v1/images/generations``, ``/v1/images/edits`` and ``/v1/images/variations``: read the
body, call the one limner client in an upstream slot, answer the OpenAI image response (with
``cost``, ``provider``, ``adjustments`` and ``warnings``, and ``outside_spec`` for values OpenAI's
enums do not list)."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from ..error_base import renamed_param
from ..errors import InvalidRequestError, LimnerError, NotFoundError, PayloadTooLargeError
from ..image_header import image_mime
from ..requests import ImageRef
from ..responses import Adjustment, ImagesResponse
from ..safe_text import printable
from ..sending import unique
from .answers import answer, with_warnings, within_enums
from .bodies import (
    EDIT_FILES,
    VARIATION_FILES,
    Form,
    check_request,
    is_multipart,
    read_form,
    read_json,
    require,
    url_reference,
)
from .errors import missing_parameter
from .files import OUTPUT_PURPOSE, StoreFullError
from .middleware import caller, may_use, note
from .state import STATE, GatewayState

log = logging.getLogger("limner.gateway")

__all__ = ["edits", "generations", "variations"]

_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}


def _model(state: GatewayState, body: dict[str, Any]) -> str:
    """The model the request names, else the gateway's default (also noted for the log)."""
    model = body.pop("model", None)
    if model is None:
        model = state.config.default_model
        note().default_model = model is not None
        if model is None:
            raise missing_parameter(
                "model",
                "This gateway has no default model: name one, or start it with --default-model.",
            )
    if not isinstance(model, str):
        raise InvalidRequestError("model must be a string", param="model")
    note().model = model
    return model


async def generations(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = await read_json(request)
    model = _model(state, body)
    require(body, "prompt")
    check_request(body, max_n=state.config.max_n)
    prompt = body.pop("prompt")
    result = await state.upstream(
        lambda: state.client.images.generate(model=model, prompt=prompt, **body), caller(request)
    )
    return await _answer(request, state, result, body.get("response_format"))


async def edits(request: web.Request) -> web.Response:
    """JSON with ``images: [{file_id | image_url}]`` and an optional ``mask`` or ``markup``, or
    multipart with ``image`` / ``image[]`` files and an optional ``mask`` or ``markup`` file."""
    state = request.app[STATE]
    multipart = is_multipart(request)
    if multipart:
        body = _from_form(await read_form(request, EDIT_FILES), "image", "images")
    else:
        body = await read_json(request)
    try:
        return await _edit(request, state, body, images_as="image" if multipart else "images")
    except LimnerError as error:
        if multipart:  # the form's field is ``image`` (``image[]``), as the SDKs send it
            error.rename_param("images", "image")
        raise


async def _edit(
    request: web.Request, state: GatewayState, body: dict[str, Any], *, images_as: str
) -> web.Response:
    """``images_as``: the images' field as the request named them (``image`` in a form), which
    the answer's adjustments and warnings name them by, as errors do."""
    model = _model(state, body)
    require(body, "images")  # and a prompt, unless the model's edit_mode does without (core)
    check_request(body, max_n=state.config.max_n, reserved=("image",))
    images = body.pop("images")
    if not isinstance(images, list):
        raise InvalidRequestError("images must be a list of image objects", param="images")
    if len(images) > state.config.max_input_images:
        raise InvalidRequestError(
            f"images: at most {state.config.max_input_images} per edit on this gateway",
            param="images",
            code="too_many_images",
        )
    # left out (or null): "", which core refuses unless the edit mode does without a prompt
    prompt = body.pop("prompt", None)
    if prompt is None:
        prompt = ""

    # each stored file read once however often the body names it (a small body naming a large
    # file many times held it many times); before the slot, so an unknown one is a 404, not a 429
    read: dict[str, ImageRef] = {}
    refs = [
        await _resolve(request, state, item, f"images[{i}]", read) for i, item in enumerate(images)
    ]
    for name in ("mask", "markup"):
        if body.get(name) is not None:
            body[name] = await _resolve(request, state, body[name], name, read)

    async def edit() -> ImagesResponse:
        done = await state.client.images.edit(model=model, prompt=prompt, image=refs, **body)
        assert isinstance(done, ImagesResponse)  # no dry_run through the gateway
        return done

    result = await state.upstream(edit, caller(request))
    if images_as != "images":
        result = _images_renamed(result, images_as)
    return await _answer(request, state, result, body.get("response_format"))


def _images_renamed(result: ImagesResponse, name: str) -> ImagesResponse:
    """``result`` with its adjustments and warnings on ``images`` (``images[0]``) on ``name``
    (``image[0]``) instead, as :meth:`~limner.errors.LimnerError.rename_param` names it in an
    error."""
    adjustments = [
        a.model_copy(update={"param": renamed_param(a.param, "images", name)})
        for a in result.adjustments
    ]
    warnings = [
        n.model_copy(update={"param": renamed_param(n.param, "images", name)})
        for n in result.warnings
    ]
    return result.model_copy(update={"adjustments": adjustments, "warnings": warnings})


async def variations(request: web.Request) -> web.Response:
    state = request.app[STATE]
    body = _from_form(await read_form(request, VARIATION_FILES), "image", "image")
    model = _model(state, body)
    require(body, "image")
    check_request(body, max_n=state.config.max_n)
    images = body.pop("image")
    if not isinstance(images, list) or len(images) != 1:
        raise InvalidRequestError("variations take exactly one image file", param="image")
    result = await state.upstream(
        lambda: state.client.images.create_variation(model=model, image=images[0], **body),
        caller(request),
    )
    return await _answer(request, state, result, body.get("response_format"))


def _from_form(form: Form, field: str, key: str) -> dict[str, Any]:
    body = dict(form.fields)
    if form.files.get(field):
        if key in body:  # images given as text fields and as files: neither may win silently
            raise InvalidRequestError(
                f"{key}: send the images once, as {field} files or as {key} in JSON", param=key
            )
        body[key] = list(form.files[field])
    for name in ("mask", "markup"):
        files = form.files.get(name) or []
        if len(files) > 1:
            raise InvalidRequestError(f"send at most one {name}", param=name)
        if files:
            body[name] = files[0]
    return body


async def _resolve(
    request: web.Request,
    state: GatewayState,
    item: Any,
    param: str,
    read: dict[str, ImageRef],
) -> ImageRef:
    """An uploaded multipart file stays as it is; a ``{"file_id": ...}`` from the gateway's store
    becomes its bytes (``read`` keeps those the request already read); anything else must be an
    ``image_url`` (a data: or https URL), never a path on the server."""
    if isinstance(item, ImageRef):
        return item
    if isinstance(item, dict) and set(item) == {"file_id"} and isinstance(item["file_id"], str):
        if item["file_id"] in read:
            return read[item["file_id"]]
        stored = await state.store.read(item["file_id"])
        if stored is None or not may_use(request, stored[0]):
            raise NotFoundError(
                f"{param}: no file {item['file_id']!r} on this gateway (unknown or expired)",
                param=f"{param}.file_id",
                code="file_not_found",
            )
        meta, data = stored
        read[item["file_id"]] = ImageRef(data=data, filename=meta.filename)
        return read[item["file_id"]]
    if isinstance(item, dict) and len(item) > 1:
        raise InvalidRequestError(f"{param}: exactly one of 'file_id' or 'image_url'", param=param)
    return url_reference(item, param)


async def _answer(
    request: web.Request, state: GatewayState, result: ImagesResponse, response_format: Any
) -> web.Response:
    note().cost = result.cost
    result = with_warnings(result, request, state.scrub)
    if response_format == "url" and any(item.url is None for item in result.data):
        result = await _as_urls(request, state, result)
    body = within_enums(result.model_dump(mode="json", exclude_none=True))
    body.setdefault("cost", None)
    return answer(body, result.request_id, state.scrub)


async def _as_urls(
    request: web.Request, state: GatewayState, result: ImagesResponse
) -> ImagesResponse:
    """Store images that came back as bytes and answer URLs to them on this gateway."""
    origin = state.config.public_url or _own_origin(request, state)
    data = []
    kept: list[Adjustment] = []  # why images the store could not keep are answered as data
    for index, item in enumerate(result.data):
        if item.url is not None or item.b64_json is None:
            data.append(item)
            continue
        raw = item.to_bytes()  # damaged base64: a ProviderError, answered 502
        mime = image_mime(raw) or ("image/svg+xml" if result.output_format == "svg" else None)
        try:
            stored = await state.store.put(
                raw,
                filename=f"image-{index + 1}.{_EXTENSIONS.get(mime or '', 'bin')}",
                purpose=OUTPUT_PURPOSE,
                content_type=mime or "application/octet-stream",
                owner=caller(request),
            )
        except Exception as exc:  # made and paid for: answered as data rather than lost
            kept.append(_unstored(exc, index))
            data.append(item)
            continue
        expires = stored.expires_at or stored.created_at + int(state.config.file_ttl)
        url = state.signer.url(origin, stored.id, expires, caller(request))
        data.append(item.model_copy(update={"url": url, "b64_json": None}))
    # The gateway honoured response_format=url, so drop the notes that it could not be.
    adjustments = [a for a in result.adjustments if a.param != "response_format"]
    adjustments.extend(unique(kept))
    return result.model_copy(update={"data": data, "adjustments": adjustments})


def _unstored(exc: Exception, index: int) -> Adjustment:
    """Why image ``index`` is answered as b64_json: the store full or its size limit (another
    key's files, an operator's limit), or the store failing (a full disk, a third-party
    store's outage), which is logged for the operator and not shown to the caller."""
    if isinstance(exc, StoreFullError):  # the whole store, or this key's share of it
        why = exc.message.partition(";")[0]
    elif isinstance(exc, PayloadTooLargeError):
        why = "an image is larger than the gateway's file store takes (max_file_bytes)"
    else:
        log.error("could not store image %d for a url answer", index + 1, exc_info=exc)
        why = "the gateway's file store failed (its log says why)"
    return Adjustment(
        param="response_format",
        requested="url",
        applied="b64_json",
        reason=f"{why}, so image(s) it could not keep are returned as b64_json: they were made "
        "and paid for",
    )


def _own_origin(request: web.Request, state: GatewayState) -> str:
    """The origin of links without ``--public-url``: the request's own. A request a proxy
    forwarded (``X-Forwarded-Proto``, ``X-Forwarded-Host``, ``Forwarded``, which the gateway
    does not trust) gets it all the same, and the operator's log says once to set it."""
    origin = str(request.url.origin())
    forwarded = [name for name in _PROXY_HEADERS if name in request.headers]
    if forwarded and PUBLIC_URL_UNSET not in state.told:
        state.told.add(PUBLIC_URL_UNSET)
        log.warning(
            "requests come through a proxy (%s) but --public-url is not set: image links "
            "point at %s; set --public-url to the address clients reach (https://...)",
            ", ".join(forwarded),
            printable(origin),
        )
    return origin


_PROXY_HEADERS = ("X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded")
PUBLIC_URL_UNSET = "public_url_unset"
