"""Read a 2xx ``ImagesResponse`` body [SPEC ImagesResponse, Image, ImageGenUsage]."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, ValidationError

from limner import (
    ImageData,
    Notice,
    ProviderCall,
    ProviderError,
    ProviderResult,
    Usage,
    WireResponse,
)
from limner.responses import NO_IMAGES

from .errors import parse_error

__all__ = ["parse_images_response"]

_Model = TypeVar("_Model", bound=BaseModel)

_READ = frozenset(("created", "data", "output_format", "size", "quality", "background", "usage"))
"""The answer's fields the result holds in its own; the others (``svg_usage``,
``safety_identifier`` [SDK ImagesResponse]) are passed on as OpenAI gave them."""

_READ_PER_IMAGE = frozenset(ImageData.model_fields)
"""An image's fields the result holds in its own (``b64_json``, ``url``, ``revised_prompt``,
and limner's ``seed``, which OpenAI does not give); the others (a ``generation_id``) are passed
on as OpenAI gave them."""


def _fail(call: ProviderCall, response: WireResponse, what: str) -> ProviderError:
    return ProviderError(
        f"OpenAI answered HTTP {response.status} but {what}: {response.text_excerpt()}",
        provider="openai",
        model=call.model.id,
        status_code=response.status,
        request_id=response.request_id,
    )


def parse_images_response(call: ProviderCall, response: WireResponse) -> ProviderResult:
    """Images, usage and the echoed settings (``output_format``, ``size``, ``quality``,
    ``background``) of a successful call, and the answer's other fields as given."""
    body = response.json_or_none()
    if not isinstance(body, dict):
        raise _fail(call, response, "the body is not a JSON object")
    if "data" not in body and isinstance(body.get("error"), dict):
        raise parse_error(call, response)
    items = body.get("data")
    if not isinstance(items, list):
        raise _fail(call, response, "the body has no 'data' list")
    images: list[ImageData] = []
    for index, item in enumerate(items):  # (a loop: no comprehension's closure)
        images.append(_image(call, response, index, item))
    warnings: list[Notice] = []
    pricing = call.model.pricing  # (read once: a pydantic field)
    tokens = pricing is not None and pricing.per_million_tokens is not None
    usage = _usage(body.get("usage"), warnings, len(images) if tokens else 0)
    svg = body.get("svg_usage")
    if isinstance(svg, dict) and svg:
        warnings.append(_svg_tokens_unpriced(svg))
    if not images:
        warnings.append(Notice(code=NO_IMAGES, message="OpenAI returned no images"))
    created = body.get("created")
    return ProviderResult(
        images=images,
        created=created if isinstance(created, int) else None,
        usage=usage,
        output_format=_text(body.get("output_format")),
        size=_text(body.get("size")),
        quality=_text(body.get("quality")),
        background=_text(body.get("background")),
        warnings=warnings,
        extra=None if _READ.issuperset(body) else _not_read(body, _READ),
    )


def _image(call: ProviderCall, response: WireResponse, index: int, item: Any) -> ImageData:
    if not isinstance(item, dict):
        raise _fail(call, response, f"data[{index}] is not an object")
    b64, url = _text(item.get("b64_json")), _text(item.get("url"))
    if b64 is None and url is None:
        raise _fail(call, response, f"data[{index}] has neither b64_json nor url")
    if url is not None and response.url and _relative(url):  # on the server (RFC 3986 5.2)
        url = urljoin(response.url, url)
    fields = {"b64_json": b64, "url": url, "revised_prompt": _text(item.get("revised_prompt"))}
    if not _READ_PER_IMAGE.issuperset(item):  # (a cheap check: most images have no others)
        fields.update(_not_read(item, _READ_PER_IMAGE))
    return _validated(ImageData, fields)


def _not_read(fields: dict[str, Any], read: frozenset[str]) -> dict[str, Any]:
    """The fields of ``fields`` that are not ``read`` into the result's own, unchanged."""
    return {name: value for name, value in fields.items() if name not in read}


def _validated(model: type[_Model], data: Any) -> _Model:
    """``model.model_validate(data)`` (or ``model(**data)``: the same fields set, the same
    errors) through the model's validator itself, without pydantic's Python layer around it,
    which costs a third of validating a small model (run on every answer: its images and its
    usage)."""
    validated: _Model = model.__pydantic_validator__.validate_python(data)
    return validated


def _relative(url: str) -> bool:
    """Whether ``url`` is a reference relative to the answer's URL (``/files/x.png``,
    ``files/x.png``, ``//cdn/x.png``): one with no scheme."""
    try:
        return not urlsplit(url).scheme
    except ValueError:  # (not a URL at all: core says so)
        return False


def _svg_tokens_unpriced(svg: dict[str, Any]) -> Notice:
    """SVG output's authoring tokens come apart from the image's usage [SDK
    ImagesResponse.svg_usage], billed at the authoring model's rates, which the price sheet
    does not have: the cost covers the image only."""
    author = _text(svg.get("model"))
    counts = ", ".join(
        f"{svg[key]} {key.removesuffix('_tokens')}"
        for key in ("input_tokens", "output_tokens")
        if isinstance(svg.get(key), int)
    )
    return Notice(
        code="price_partial",
        message=f"the SVG's authoring tokens ({counts or 'counts not given'}"
        + (f", by {author}" if author else "")
        + ") are billed apart and not in the cost, which covers the image's tokens only",
    )


def _usage(raw: Any, warnings: list[Notice], images: int) -> Usage | None:
    """The answer's usage; ``None`` (priced per image, as an estimate) when it counts nothing
    for the ``images`` made by a model billed by tokens: ``{}`` or zeros, from a server that
    fills the field in blank, would price them at $0. A count or breakdown given as ``null``
    is read as one not given."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        raw = _without_nulls(raw)
    try:
        usage = _validated(Usage, raw)
    except ValidationError:
        warnings.append(
            Notice(code="unreadable_usage", message=f"OpenAI's usage block was unreadable: {raw!r}")
        )
        return None
    if images and not usage.output_tokens:
        warnings.append(
            Notice(
                code="unreadable_usage",
                message=f"OpenAI's usage block counted no output tokens for {images} image(s) "
                f"made: {raw!r}",
            )
        )
        return None
    return usage


def _without_nulls(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` without its ``null`` values, its breakdowns' too (the same object when it has
    none, the common case)."""
    for value in raw.values():  # (a loop: on every answer, cheaper than any() of a generator)
        if value is None or (type(value) is dict and None in value.values()):
            break
    else:
        return raw
    return {
        key: _without_nulls(value) if isinstance(value, dict) else value
        for key, value in raw.items()
        if value is not None
    }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
