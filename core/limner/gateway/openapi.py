"""``GET /openapi.json``: the gateway's OpenAPI 3.1 document, generated from the pydantic
schemas the gateway and core validate with."""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ..chat import ChatCompletion, ChatRequest
from ..requests import GenerateRequest
from ..responses import ImagesResponse
from .files import MAX_LIST_LIMIT
from .schemas import (
    IMAGE_ENUMS,
    EditForm,
    EditJSON,
    ErrorResponse,
    FileDeleted,
    FileList,
    FileObject,
    FileUpload,
    Health,
    ModelList,
    ModelObject,
    OutsideSpec,
    VariationForm,
)

__all__ = ["openapi_document"]

REF = "#/components/schemas/{model}"
_MODELS: list[tuple[type[BaseModel], JsonSchemaMode]] = [
    (GenerateRequest, "validation"),
    (EditJSON, "validation"),
    (EditForm, "validation"),
    (VariationForm, "validation"),
    (FileUpload, "validation"),
    (ChatRequest, "validation"),
    (ImagesResponse, "serialization"),
    (OutsideSpec, "serialization"),
    (ChatCompletion, "serialization"),
    (ModelList, "serialization"),
    (ModelObject, "serialization"),
    (FileObject, "serialization"),
    (FileList, "serialization"),
    (FileDeleted, "serialization"),
    (Health, "serialization"),
    (ErrorResponse, "serialization"),
]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(name)}}


def _op(summary: str, ok: str | None, body: dict[str, Any] | None = None) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "default": {"description": "an OpenAI-shaped error", "content": _json("ErrorResponse")}
    }
    if ok is not None:
        responses["200"] = {"description": "OK", "content": _json(ok)}
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def _multipart(name: str) -> dict[str, Any]:
    return {"multipart/form-data": {"schema": _ref(name)}}


def _path_param(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}]


def _query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _list_files() -> dict[str, Any]:
    """``GET /v1/files``, with OpenAI's query parameters."""
    parameters = [
        _query_param("purpose", {"type": "string"}, "only files with this purpose"),
        _query_param(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIST_LIMIT, "default": MAX_LIST_LIMIT},
            "most files in the page",
        ),
        _query_param(
            "order",
            {"type": "string", "enum": ["asc", "desc"], "default": "desc"},
            "by created_at: asc oldest first, desc newest first",
        ),
        _query_param(
            "after",
            {"type": "string"},
            "a file id (the last_id of the previous page): the files after it in this order; "
            "an unknown id gives an empty page",
        ),
    ]
    return {**_op("unexpired files, a page at a time", "FileList"), "parameters": parameters}


def _paths() -> dict[str, Any]:
    content = _op("a stored file's bytes (with a key, or as a signed link without one)", None)
    content["responses"]["200"] = {
        "description": "the file, with the media type it was stored with (image/png...)",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
    content["parameters"] = [
        *_path_param("file_id"),
        _query_param("expires", {"type": "integer"}, "a signed link's expiry (Unix seconds)"),
        _query_param("signature", {"type": "string"}, "a signed link's signature"),
    ]
    content["security"] = [{"bearer": []}, {}]  # (a signed link needs no key)
    return {
        "/v1/images/generations": {
            "post": _op("make images from a prompt", "ImagesResponse", _json("GenerateRequest"))
        },
        "/v1/images/edits": {
            "post": _op(
                "edit images", "ImagesResponse", {**_json("EditJSON"), **_multipart("EditForm")}
            )
        },
        "/v1/images/variations": {
            "post": _op("variations of one image", "ImagesResponse", _multipart("VariationForm"))
        },
        "/v1/chat/completions": {
            "post": _op(
                "image output through chat (chat-capable image models)",
                "ChatCompletion",
                _json("ChatRequest"),
            )
        },
        "/v1/models": {"get": _op("every model, with capabilities and prices", "ModelList")},
        "/v1/models/{model}": {
            "get": {
                **_op("one model", "ModelObject"),
                "parameters": [
                    *_path_param("model"),
                    _query_param(
                        "include",
                        {"enum": ["request_schemas"]},
                        "request_schemas: add the JSON Schema of the model's requests, by "
                        "operation",
                    ),
                ],
            }
        },
        "/v1/images/models": {"get": _op("the image models", "ModelList")},
        "/v1/files": {
            "get": _list_files(),
            "post": _op("upload a file", "FileObject", _multipart("FileUpload")),
        },
        "/v1/files/{file_id}": {
            "get": {**_op("a file's metadata", "FileObject"), "parameters": _path_param("file_id")},
            "delete": {**_op("delete a file", "FileDeleted"), "parameters": _path_param("file_id")},
        },
        "/v1/files/{file_id}/content": {"get": content},
        "/healthz": {"get": {**_op("liveness", "Health"), "security": []}},
        "/openapi.json": {
            "get": {
                "summary": "this document",
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def _images_answer(schema: dict[str, Any]) -> None:
    """The image answer as the gateway gives it: the fields of OpenAI's enums hold only the
    values they list, and any other is in ``outside_spec``."""
    properties = schema["properties"]
    for name, listed in IMAGE_ENUMS.items():
        kept = {key: properties[name][key] for key in ("title",) if key in properties[name]}
        properties[name] = {**kept, "type": "string", "enum": list(listed)}
    properties["outside_spec"] = _ref("OutsideSpec")


@functools.cache
def _document() -> dict[str, Any]:
    _, schemas = models_json_schema(_MODELS, ref_template=REF)
    _images_answer(schemas["$defs"]["ImagesResponse"])
    paths = _paths()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "limner gateway",
            "version": "0.1.0",
            "description": "OpenAI-compatible image API over many providers. Errors are "
            '{"error": {"message", "type", "param", "code"}}.',
        },
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


# Image request bodies whose ``model`` a gateway with a default model does not require.
_IMAGE_BODIES = ("GenerateRequest", "EditJSON", "EditForm", "VariationForm")


def openapi_document(*, default_model: bool = False) -> dict[str, Any]:
    """The document (a fresh copy). With ``default_model``, image requests need no ``model``."""
    document = copy.deepcopy(_document())
    if default_model:
        schemas = document["components"]["schemas"]
        for name in _IMAGE_BODIES:
            required = schemas[name].get("required", [])
            if "model" in required:
                required.remove("model")
    return document
