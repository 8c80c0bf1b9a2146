"""The gateway's own request and response schemas (beyond core's image requests and
responses); the OpenAPI document is generated from these and core's."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..capabilities import ModelFields, model_object
from .files import FileObject, FilePage, StoredFile

__all__ = [
    "IMAGE_ENUMS",
    "EditForm",
    "EditJSON",
    "ErrorDetail",
    "ErrorResponse",
    "FileDeleted",
    "FileList",
    "FileObject",
    "FileUpload",
    "Health",
    "ImageReference",
    "ModelList",
    "ModelObject",
    "OutsideSpec",
    "VariationForm",
    "file_list",
    "file_object",
    "model_object",
]


_PROMPT: dict[str, Any] = {"minLength": 1, "maxLength": 32000, "pattern": r"\S"}
"""The prompt's rules, as the image requests' own schema states them (not blank)."""


class ImageReference(BaseModel):
    """One input image in a JSON edit: exactly one of ``file_id`` (from ``POST /v1/files``) or
    ``image_url`` (an https or ``data:`` URL)."""

    model_config = ConfigDict(extra="forbid")

    file_id: str | None = None
    image_url: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ImageReference:
        if (self.file_id is None) == (self.image_url is None):
            raise ValueError("exactly one of file_id or image_url")
        return self


_EDIT_PROMPT: dict[str, Any] = {
    **_PROMPT,
    "description": "what to change; an edit needs one, except in the edit modes the model "
    "lists in capabilities.edit_modes_without_prompt (GET /v1/models/{model}), where it "
    "may be left out",
}


class EditJSON(BaseModel):
    """``POST /v1/images/edits`` as JSON. Other fields as in ``images.generate``."""

    model_config = ConfigDict(extra="allow")

    model: str
    prompt: str | None = Field(default=None, json_schema_extra=_EDIT_PROMPT)
    images: list[ImageReference] = Field(min_length=1, max_length=16)
    mask: ImageReference | None = None
    markup: ImageReference | None = None


class EditForm(BaseModel):
    """``POST /v1/images/edits`` as multipart: ``image`` (or repeated ``image[]``) files, an
    optional ``mask`` or ``markup`` file, and the other fields as text
    (``image_config[aspect_ratio]``...)."""

    model_config = ConfigDict(extra="allow")

    model: str
    prompt: str | None = Field(default=None, json_schema_extra=_EDIT_PROMPT)
    image: bytes | list[bytes] = Field(json_schema_extra={"description": "image or image[]"})
    mask: bytes | None = None
    markup: bytes | None = None
    n: int | None = None
    size: str | None = None
    response_format: Literal["url", "b64_json"] | None = None


class VariationForm(BaseModel):
    """``POST /v1/images/variations`` (multipart)."""

    model_config = ConfigDict(extra="allow")

    model: str
    image: bytes
    n: int | None = None
    size: str | None = None
    response_format: Literal["url", "b64_json"] | None = None


IMAGE_ENUMS: dict[str, tuple[str, ...]] = {
    "size": ("1024x1024", "1024x1536", "1536x1024"),
    "quality": ("low", "medium", "high"),
    "output_format": ("png", "webp", "jpeg"),
    "background": ("transparent", "opaque"),
}
"""The values OpenAI's image response lists for these fields (``ImagesResponse``'s enums);
clients generated from its spec refuse any other."""


class OutsideSpec(BaseModel):
    """The image answer's ``size``, ``quality``, ``output_format`` or ``background`` whose value
    OpenAI's image response does not list (a 1792x1024 image, a quality ``hd`` or ``auto``): it
    is said here instead, and the field of OpenAI's name is left out."""

    size: str | None = None
    quality: str | None = None
    output_format: str | None = None
    background: str | None = None


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class ModelObject(ModelFields):
    """An OpenAI model object (``id``, ``object``, ``created``, ``owned_by``) carrying limner's
    capabilities, lifecycle and prices."""

    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str
    shutdown_date: str | None = Field(
        default=None, description="lifecycle.shutdown_on, as OpenAI's model object says it"
    )
    request_schemas: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="with ?include=request_schemas on GET /v1/models/{model}: the JSON Schema "
        "(Draft 2020-12) of the model's requests, by operation",
    )


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelObject]


class FileList(BaseModel):
    """``GET /v1/files``: one page of files; ``first_id`` and ``last_id`` are null when it is
    empty, and ``has_more`` says whether a request with ``after=last_id`` would find more."""

    object: Literal["list"] = "list"
    data: list[FileObject]
    first_id: str | None
    last_id: str | None
    has_more: bool


FilePurpose = Literal["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
"""The purposes the OpenAI API's ``POST /files`` takes (``CreateFileRequest.purpose``)."""
FILE_PURPOSES: tuple[str, ...] = get_args(FilePurpose)


class FileUpload(BaseModel):
    """``POST /v1/files`` (multipart)."""

    file: bytes
    purpose: FilePurpose = "user_data"


class FileDeleted(BaseModel):
    id: str
    object: Literal["file"] = "file"
    deleted: bool


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    models: int


def file_object(stored: StoredFile) -> dict[str, Any]:
    """The OpenAI file object of ``stored`` (without what only the gateway sees)."""
    return stored.model_dump(mode="json", include=set(FileObject.model_fields))


def file_list(page: FilePage) -> dict[str, Any]:
    """The ``GET /v1/files`` body for ``page``."""
    data = [file_object(stored) for stored in page.files]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more,
    }
