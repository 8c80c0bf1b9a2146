"""Reading request bodies: JSON objects, and multipart forms as the OpenAI SDK sends them
(``image`` / ``image[]`` files, ``key[sub]`` nested fields, numbers as text)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from ..client_options import CALL_OPTIONS
from ..errors import InvalidRequestError
from ..requests import ImageRef
from ..unsendable import refuse_unsendable
from ..values import read_flag
from .errors import missing_parameter
from .middleware import note

__all__ = [
    "Form",
    "is_multipart",
    "read_form",
    "read_json",
    "require",
]

INT_FIELDS = frozenset({"n", "seed", "output_compression", "partial_images"})
"""Form fields that are integers in the JSON requests (multipart sends every value as text)."""
BOOL_FIELDS = frozenset({"stream"})
"""Form fields that are booleans in the JSON requests (the OpenAI SDK sends ``"false"``), read
as a JSON body's text is (``"no"`` and ``"0"`` too)."""
EDIT_FILES = ("image", "mask", "markup")
VARIATION_FILES = ("image",)
UPLOAD_FILES = ("file",)


@dataclass
class Form:
    fields: dict[str, Any] = field(default_factory=dict)
    files: dict[str, list[ImageRef]] = field(default_factory=lambda: defaultdict(list))


def is_multipart(request: web.Request) -> bool:
    return request.content_type == "multipart/form-data"


async def read_json(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object (400 when it is not one), without its top-level fields set to
    null: null means unset, as in OpenAI's API."""
    if request.content_type != "application/json":
        raise InvalidRequestError(
            f"expected Content-Type application/json, got {request.content_type or 'none'}",
            code="unsupported_content_type",
        )
    try:
        raw = await request.read()
    except RequestPayloadError:
        raise _undecodable(request, "invalid_json") from None
    try:
        body = json.loads(raw, parse_constant=_not_json, parse_float=_finite_float)
    except ValueError as exc:
        raise InvalidRequestError(
            f"the body is not valid JSON: {exc}", code="invalid_json"
        ) from None
    except RecursionError:
        raise InvalidRequestError(
            "the body's JSON is nested too deeply", code="invalid_json"
        ) from None
    if not isinstance(body, dict):
        raise InvalidRequestError("the body must be a JSON object", code="invalid_json")
    try:
        refuse_unsendable(body)  # a "\ud800" escape: not even said back in the answer
    except RecursionError:  # (Python 3.12's parser reads ten times deeper than 3.11's)
        raise InvalidRequestError(
            "the body's JSON is nested too deeply", code="invalid_json"
        ) from None
    return {name: value for name, value in body.items() if value is not None}  # null: unset


def _undecodable(request: web.Request, code: str) -> InvalidRequestError:
    """The error of a body whose bytes its ``Content-Encoding`` does not decode. The answer
    closes the connection (``Note.close_connection``): the rest of the body, undecodable, is
    still on it, and a next request there would be read after it (a reset, mostly)."""
    note().close_connection = True  # and nothing more is read of it
    encoding = request.headers.get("Content-Encoding", "")
    return InvalidRequestError(
        f"the body does not decode as its Content-Encoding ({encoding[:40]!r}) says; send it "
        "as that encoding makes it, or without Content-Encoding",
        code=code,
    )


def _not_json(constant: str) -> float:
    """Python reads NaN and Infinity in a JSON body; the JSON standard has no such values."""
    raise ValueError(f"{constant} is not a JSON value")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise ValueError(f"{text} is out of the range of a number")
    return number


async def read_form(request: web.Request, files: tuple[str, ...]) -> Form:
    """A multipart form: the ``files`` fields by name (``image[]`` collected under ``image``),
    text fields with ``key[sub]`` nesting and integers converted. A file in another field is
    refused."""
    if not is_multipart(request):
        raise InvalidRequestError(
            f"expected Content-Type multipart/form-data, got {request.content_type or 'none'}",
            code="unsupported_content_type",
        )
    form = Form()
    try:
        posted = await request.post()
    except RequestPayloadError:
        raise _undecodable(request, "invalid_multipart") from None
    except (
        ValueError,
        LookupError,
        AssertionError,
        RuntimeError,
        HttpProcessingError,
    ) as exc:
        # UnicodeDecodeError is a ValueError; a malformed part header, an HttpProcessingError;
        # a part's unknown Content-Transfer-Encoding, a RuntimeError
        raise InvalidRequestError(
            f"the multipart body cannot be read: {exc}", code="invalid_multipart"
        ) from None
    for key, value in posted.items():
        name = _file_field(key, files) or key.removesuffix("[]")
        if isinstance(value, web.FileField):
            if name not in files:
                raise InvalidRequestError(
                    f"{key}: this endpoint takes no file in {key!r} (files go in "
                    f"{', '.join(files)})",
                    param=key,
                    code="invalid_type",
                )
            form.files[name].append(ImageRef(data=value.file.read(), filename=value.filename))
            continue
        if name in files and not isinstance(value, str):  # a file's bytes, without a filename
            form.files[name].append(ImageRef(data=bytes(value)))
            continue
        text = value if isinstance(value, str) else bytes(value).decode(errors="replace")
        if name in files:
            form.files[name].append(url_reference(text, key))  # a data: or https URL as text
        else:
            _set_field(form.fields, key, text)
    return form


def _file_field(key: str, files: tuple[str, ...]) -> str | None:
    """The file field ``key`` names with a list index (``image[]``, ``image[1]``), if any."""
    base, bracket, rest = key.partition("[")
    index = rest.removesuffix("]")
    if bracket and base in files and rest.endswith("]") and (index == "" or index.isdigit()):
        return base
    return None


def url_reference(value: Any, param: str) -> ImageRef:
    """An image a gateway client points at: a ``data:`` or https URL, given as a string or as
    ``{"image_url": ...}``. Never a path: a client must not make the server read its own disk."""
    try:  # the Python API's reading of an image reference, then the gateway's narrower rule
        url = ImageRef.coerce(value).url if isinstance(value, str | dict) else None
    except ValueError:
        url = None
    if url is None or not url.startswith(("data:", "https://")):
        raise InvalidRequestError(
            f"{param}: send an uploaded file ({{'file_id': ...}}) or an image_url "
            "(a data: or https URL)",
            param=param,
            code="invalid_image_reference",
        )
    return ImageRef(url=url)


def _set_field(fields: dict[str, Any], key: str, value: str) -> None:
    """One form field into ``fields``: ``a[b][c]`` nests objects, and a trailing ``[]`` appends
    to a list (``provider_options[PROVIDER][OPTION][]``), as the SDKs flatten
    them."""
    head, _, rest = key.partition("[")
    path = [head, *(part.rstrip("]") for part in rest.split("["))] if rest else [head]
    listed = len(path) > 1 and path[-1] == ""
    if listed:
        path = path[:-1]
    if "" in path:
        raise InvalidRequestError(
            f"{key}: only a trailing [] makes a list here", param=_dotted(path)
        )
    target = fields
    for part in path[:-1]:
        nested = target.setdefault(part, {})
        if not isinstance(nested, dict):
            raise InvalidRequestError(f"{key}: conflicting form fields", param=_dotted(path))
        target = nested
    if listed:
        items = target.setdefault(path[-1], [])
        if not isinstance(items, list):
            raise InvalidRequestError(f"{key}: conflicting form fields", param=_dotted(path))
        items.append(value)
        return
    if path[-1] in target:  # given twice (a list, then one value): neither may win silently
        raise InvalidRequestError(f"{key}: conflicting form fields", param=_dotted(path))
    target[path[-1]] = _typed(head, value) if len(path) == 1 else value


def _dotted(path: list[str]) -> str:
    """A form field's path as limner names parameters (``provider_options.PROVIDER.OPTION``)."""
    return ".".join(part for part in path if part)


def _typed(name: str, value: str) -> int | bool | str:
    """A top-level text field as the JSON request would carry it; a value that does not read as
    the type stays text (core's validation names the parameter)."""
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in BOOL_FIELDS:
        try:
            return read_flag(value, name)
        except InvalidRequestError:
            return value
    return value


def require(body: dict[str, Any], *names: str) -> None:
    """400 naming the first required field that is missing."""
    for name in names:
        if body.get(name) in (None, "", []):
            raise missing_parameter(name)


def check_request(body: dict[str, Any], *, max_n: int, reserved: tuple[str, ...] = ()) -> None:
    """Checks every image and chat request shares: no ``dry_run``; no ``extra_body`` (an SDK
    option that the SDK merges into the body itself: nested, it would slip its fields past these
    checks); none of the ``reserved`` names the route passes to the client itself; no
    ``timeout`` or ``max_retries``, which the Python client takes per call; and ``n``
    (images, or chat choices, each an upstream call) within the gateway's limit."""
    if "dry_run" in body:
        raise InvalidRequestError(
            "dry_run is not available through the gateway; use limner's Python API or CLI",
            param="dry_run",
        )
    if "extra_body" in body:
        raise InvalidRequestError(
            "extra_body is the SDKs' client-side option (they merge it into the body); send "
            "its fields at the top level of the body",
            param="extra_body",
        )
    for name in ("self", *reserved):
        if name in body:
            raise InvalidRequestError(f"{name} is not a parameter of this endpoint", param=name)
    for name in CALL_OPTIONS:  # the Python client's per-call limits: here, the operator's
        if name in body:
            raise InvalidRequestError(
                f"{name} is not a request field; this gateway's operator sets it for every "
                f"request (the {name} of the gateway's client: limner serve "
                f"--{name.replace('_', '-')}, or AsyncClient({name}=...) given to create_app)",
                param=name,
            )
    n = body.get("n")
    if n is not None and (type(n) is not int):  # core would read "5" and 5.0 as 5: past max_n
        raise InvalidRequestError(
            f"Invalid type for 'n': expected an integer, but got {type(n).__name__}",
            param="n",
            code="invalid_type",
        )
    if n is not None and n < 1:  # worded as OpenAI words it
        raise InvalidRequestError(
            f"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {n} "
            "instead.",
            param="n",
            code="integer_below_min_value",
        )
    if n is not None and n > max_n:  # worded as OpenAI words it
        raise InvalidRequestError(
            f"Invalid 'n': integer above maximum value. Expected a value <= {max_n} on this "
            f"gateway, but got {n} instead.",
            param="n",
            code="integer_above_max_value",
        )
