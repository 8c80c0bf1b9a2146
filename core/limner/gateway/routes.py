"""``/v1/models``, ``/v1/images/models``, ``/v1/files``, ``/healthz`` and ``/openapi.json``."""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..capabilities import ModelInfo
from ..errors import InvalidRequestError, NotFoundError
from ..image_header import image_mime
from ..safe_text import is_lone_surrogate
from .bodies import UPLOAD_FILES, read_form
from .errors import NotImplementedByStoreError, missing_parameter
from .files import MAX_LIST_LIMIT, ListOrder, StoredFile
from .middleware import caller, may_use
from .openapi import openapi_document
from .schemas import FILE_PURPOSES, file_list, file_object, model_object
from .state import STATE

if TYPE_CHECKING:
    from ..client import AsyncClient

__all__ = [
    "delete_file",
    "file_content",
    "get_file",
    "health",
    "list_files",
    "list_models",
    "openapi",
    "retrieve_model",
    "upload_file",
]


async def list_models(request: web.Request) -> web.Response:
    """Every model with capabilities, lifecycle and prices (``client.models.list()``), as the
    gateway's client reaches it (``client.models.served``: a backend's differences applied);
    not one that serves no operation there (a model the backend in use does not offer)."""
    listed = [model_object(model) for model in served_models(request.app[STATE].client)]
    return web.json_response({"object": "list", "data": listed})


def served_models(client: AsyncClient) -> list[ModelInfo]:
    """The models the gateway lists, each as its client reaches it (``client.models.served``)."""
    models = client.models
    served = (models.served(m.id) for m in models.list())
    return [model for model in served if model.capabilities.operations]


async def retrieve_model(request: web.Request) -> web.Response:
    """One model; with ``?include=request_schemas``, also the JSON Schema of its requests for each
    operation but chat it serves, as the capabilities beside them say
    (``client.models.schemas(model, served=True)``)."""
    models = request.app[STATE].client.models
    model = models.served(request.match_info["model"])
    body = model_object(model)
    # include=a&include=b, or include[]=a as the OpenAI SDKs send a list
    includes = [*request.query.getall("include", []), *request.query.getall("include[]", [])]
    unknown = [name for name in includes if name != "request_schemas"]
    if unknown:
        raise InvalidRequestError(
            f"include: {unknown[0]!r} is not something a model can include; "
            "the one choice is 'request_schemas'",
            param="include",
        )
    if includes:
        body["request_schemas"] = models.schemas(model.id, served=True)
    return web.json_response(body)


MAX_FILENAME_CHARS = 255
"""The longest name an uploaded file may have (a file system's usual limit)."""


async def upload_file(request: web.Request) -> web.Response:
    """Multipart ``file`` plus ``purpose``; the id works as ``file_id`` in JSON edits."""
    state = request.app[STATE]
    form = await read_form(request, UPLOAD_FILES)
    files = form.files.get("file") or []
    data = files[0].data if len(files) == 1 else None
    if data is None:
        raise missing_parameter("file")
    if not data:  # (as OpenAI refuses one)
        raise InvalidRequestError("file is empty: upload a file with content", param="file")
    _check_upload_fields(form.fields, getattr(state.store, "ttl", None))
    purpose = str(form.fields.get("purpose") or "user_data")
    if purpose not in FILE_PURPOSES:  # kept with each file, listed back: no free text
        raise InvalidRequestError(
            f"Invalid 'purpose': {purpose[:40]!r}; expected one of {', '.join(FILE_PURPOSES)}",
            param="purpose",
        )
    # a name's undecodable bytes (Latin-1, say) are left out: JSON cannot say them back
    filename = "".join(ch for ch in files[0].filename or "" if not is_lone_surrogate(ch))
    filename = filename or "upload"
    if len(filename) > MAX_FILENAME_CHARS:
        raise InvalidRequestError(
            f"file: its filename has {len(filename)} characters; the most is {MAX_FILENAME_CHARS}",
            param="file",
        )
    stored = await state.store.put(
        data,
        filename=filename,
        purpose=purpose,
        content_type=image_mime(data) or "application/octet-stream",
        owner=caller(request),
    )
    return web.json_response(file_object(stored))


def _check_upload_fields(fields: dict[str, Any], ttl: float | None) -> None:
    """Refuse what an upload asks that the gateway would not do: a field OpenAI's files API
    has not, and an ``expires_after`` other than the store's own time to keep a file (it keeps
    every file as long, neither less, which the client may rely on, nor more)."""
    unknown = sorted(set(fields) - {"purpose", "expires_after"})
    if unknown:
        raise InvalidRequestError(
            f"{unknown[0]}: an upload takes file, purpose and expires_after", param=unknown[0]
        )
    asked = fields.get("expires_after")
    if asked is None:
        return
    seconds = asked.get("seconds") if isinstance(asked, dict) else None
    anchor = asked.get("anchor", "created_at") if isinstance(asked, dict) else None
    try:
        asked_seconds = float(seconds) if seconds is not None else None
    except (TypeError, ValueError):
        asked_seconds = None
    if anchor == "created_at" and ttl is not None and asked_seconds == ttl:
        return
    if ttl is None:
        said = "this gateway's file store sets when its files expire (expires_at says when):"
    else:
        said = f"this gateway keeps every file {ttl:.0f} s after its upload; ask for that, or"
    raise InvalidRequestError(
        f"expires_after: {said} leave out expires_after", param="expires_after"
    )


async def list_files(request: web.Request) -> web.Response:
    """Unexpired files, newest first unless ``order=asc``; ``purpose`` filters, ``limit`` and
    ``after`` (a file id) page (``client.files.list()``)."""
    query = request.query
    store = request.app[STATE].store
    if not callable(getattr(store, "list", None)):
        raise NotImplementedByStoreError(
            f"this gateway's file store ({type(store).__name__}) cannot list files: it needs a "
            "list() method (see limner.gateway.FileStore)"
        )
    page = await store.list(
        owner=caller(request),
        purpose=query.get("purpose") or None,
        limit=_limit(query.get("limit")),
        order=_order(query.get("order")),
        after=query.get("after") or None,
    )
    return web.json_response(file_list(page))


_DIGITS = re.compile(r"[0-9]{1,6}")


def _limit(text: str | None) -> int:
    """The ``limit`` query parameter: an integer from 1 to ``MAX_LIST_LIMIT`` (the default)."""
    if text is None:
        return MAX_LIST_LIMIT
    if _DIGITS.fullmatch(text) and 1 <= int(text) <= MAX_LIST_LIMIT:
        return int(text)
    raise InvalidRequestError(
        f"Invalid 'limit': {text[:40]!r}; expected an integer from 1 to {MAX_LIST_LIMIT}",
        param="limit",
        code="invalid_value",
    )


def _order(text: str | None) -> ListOrder:
    """The ``order`` query parameter: ``asc`` or ``desc`` (the default)."""
    if text is None or text == "desc":
        return "desc"
    if text == "asc":
        return "asc"
    raise InvalidRequestError(
        f"Invalid 'order': {text[:40]!r}; expected 'asc' or 'desc'",
        param="order",
        code="invalid_value",
    )


async def _known(request: web.Request) -> StoredFile:
    """The file the path names, if the caller may see it (another key's file is not found)."""
    file_id = request.match_info["file_id"]
    stored = await request.app[STATE].store.get(file_id)
    if stored is None or not may_use(request, stored):
        raise _no_such_file(file_id)
    return stored


def _no_such_file(file_id: str) -> NotFoundError:
    """Unknown, expired, or another key's: the same answer, so ids reveal nothing."""
    return NotFoundError(
        f"No such file: {file_id} (unknown or expired)", param="file_id", code="file_not_found"
    )


async def get_file(request: web.Request) -> web.Response:
    return web.json_response(file_object(await _known(request)))


async def file_content(request: web.Request) -> web.Response:
    file_id = request.match_info["file_id"]
    stored = await request.app[STATE].store.read(file_id)  # metadata and bytes in one visit
    if stored is None or not may_use(request, stored[0]):
        raise _no_such_file(file_id)
    meta, data = stored
    return web.Response(
        body=data,
        content_type=meta.content_type,
        headers={"Cache-Control": "private, max-age=300", **_INERT},
    )


_INERT = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}
"""A stored file is shown as what it says it is and nothing runs in it: an SVG a model made
(or an upload) may hold scripts, which would run on the gateway's origin."""


async def delete_file(request: web.Request) -> web.Response:
    file_id = (await _known(request)).id
    deleted = await request.app[STATE].store.delete(file_id)
    return web.json_response({"id": file_id, "object": "file", "deleted": deleted})


async def health(request: web.Request) -> web.Response:
    return web.json_response(
        {"status": "ok", "models": len(served_models(request.app[STATE].client))}  # as listed
    )


async def openapi(request: web.Request) -> web.Response:
    default = request.app[STATE].config.default_model is not None
    return web.Response(body=_openapi_body(default), content_type="application/json")


@functools.cache
def _openapi_body(default_model: bool) -> bytes:
    """The document as served: built and encoded once per variant, not per request."""
    return json.dumps(openapi_document(default_model=default_model)).encode()
