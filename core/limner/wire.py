"""HTTP requests and responses as plain data, so translation stays pure and testable.

A plugin builds a :class:`WireRequest`; core sends it and hands back a :class:`WireResponse`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field as _field
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = [
    "REDACTED",
    "FilePart",
    "WireRequest",
    "WireResponse",
    "loads",
    "parse_retry_after",
]

REDACTED = "<redacted>"

# One encoder for every body: json.dumps builds a new one per call when given options.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
"""No NaN or Infinity: they are not JSON, and no provider reads them."""

# Credential headers limner always treats as secret, whatever the provider.
GENERIC_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"}
)


@dataclass(frozen=True)
class FilePart:
    """A file in a multipart body."""

    field: str
    filename: str
    content_type: str
    data: bytes = _field(repr=False)


@dataclass(frozen=True, init=False)
class WireRequest:
    """One HTTP call to a provider.

    The body is ``json``, or multipart ``form`` fields plus ``files``, or raw ``content``. Header
    names are lowercase (given names are lowercased). ``secret_headers`` lists headers whose
    values must never be shown.
    """

    method: str
    url: str
    headers: Mapping[str, str] = _field(default_factory=dict)
    json: Any = None
    form: tuple[tuple[str, str], ...] = ()
    files: tuple[FilePart, ...] = ()
    content: bytes | None = _field(default=None, repr=False)
    secret_headers: frozenset[str] = frozenset()

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        form: tuple[tuple[str, str], ...] = (),
        files: tuple[FilePart, ...] = (),
        content: bytes | None = None,
        secret_headers: frozenset[str] = frozenset(),
    ) -> None:
        # Written out, as provider.ProviderCall's is: built for every provider call.
        fields = self.__dict__
        fields["method"] = method
        fields["url"] = url
        fields["headers"] = {} if headers is None else headers
        fields["json"] = json
        fields["form"] = form
        fields["files"] = files
        fields["content"] = content
        fields["secret_headers"] = secret_headers
        self.__post_init__()

    def __post_init__(self) -> None:
        # Header names are case-insensitive: lowercase them so redaction by name cannot miss one.
        # (A dataclass subclass's generated __init__ calls this too.)
        if self.headers and not all(name.islower() for name in self.headers):
            headers = {name.lower(): value for name, value in self.headers.items()}
            object.__setattr__(self, "headers", headers)
        if self.secret_headers and not all(name.islower() for name in self.secret_headers):
            secrets = frozenset(name.lower() for name in self.secret_headers)
            object.__setattr__(self, "secret_headers", secrets)

    def __repr__(self) -> str:
        return (
            f"WireRequest(method={self.method!r}, url={self.url!r}, "
            f"headers={self.redacted_headers()!r}, content_type={self.content_type!r})"
        )

    @property
    def is_multipart(self) -> bool:
        return bool(self.files) or (bool(self.form) and self.json is None)

    @property
    def content_type(self) -> str | None:
        """The body's media type (multipart without its boundary, which is chosen when sending)."""
        if self.json is not None:
            return "application/json"
        if self.is_multipart:
            return "multipart/form-data"
        return self.headers.get("content-type")

    def with_headers(self, headers: Mapping[str, str], *, secret: bool = False) -> WireRequest:
        """A copy with more headers (names lowercased); ``secret`` marks them for redaction."""
        lowered: dict[str, str] = {}
        for name, value in headers.items():  # (a loop: cheaper than a comprehension's call)
            lowered[name.lower()] = value
        merged = {**self.headers, **lowered}
        secrets = self.secret_headers | frozenset(lowered) if secret else self.secret_headers
        # A shallow copy with two fields swapped: both are already lowercase, so the checks in
        # __init__ (which ``dataclasses.replace`` would rerun on every attempt) are not needed.
        copy = object.__new__(type(self))
        fields = self.__dict__.copy()
        fields["headers"] = merged
        fields["secret_headers"] = secrets
        object.__setattr__(copy, "__dict__", fields)
        return copy

    def json_bytes(self) -> bytes:
        """The JSON body exactly as sent. Encoded once: signing and every retry reuse it (a
        request's body is fixed once built; copies made by :meth:`with_headers` share it)."""
        encoded: bytes | None = self.__dict__.get("_json_bytes")
        if encoded is None:
            encoded = self.__dict__["_json_bytes"] = _COMPACT_JSON.encode(self.json).encode()
        return encoded

    def redacted_headers(self) -> dict[str, str]:
        """Headers with every secret value replaced by ``"<redacted>"``."""
        hidden = self.secret_headers | GENERIC_SECRET_HEADERS
        return {
            name: (REDACTED if name in hidden else value) for name, value in self.headers.items()
        }

    def describe(self) -> dict[str, Any]:
        """The dry-run view: method, URL, redacted headers and the body (multipart as ``form`` plus
        ``files`` with sizes)."""
        headers = self.redacted_headers()
        if "content-type" not in headers and self.content_type:
            headers["content-type"] = self.content_type
        out: dict[str, Any] = {"method": self.method, "url": self.url, "headers": headers}
        if self.json is not None:
            out["json"] = self.json
        elif self.is_multipart:
            form: dict[str, str | list[str]] = {}
            for key, value in self.form:
                if key in form:
                    previous = form[key]
                    form[key] = (
                        [*previous, value] if isinstance(previous, list) else [previous, value]
                    )
                else:
                    form[key] = value
            out["form"] = form
            out["files"] = [
                {
                    "field": part.field,
                    "filename": part.filename,
                    "content_type": part.content_type,
                    "size": len(part.data),
                }
                for part in self.files
            ]
        elif self.content is not None:
            out["content_length"] = len(self.content)
        return out


NOT_PARSED: Any = object()


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads(data)``; raises ``ValueError`` for what is not JSON, and for JSON nested
    deeper than Python's parser goes (its ``RecursionError``)."""
    try:
        return json.loads(data)
    except RecursionError as exc:
        raise ValueError("the JSON is nested too deeply to read") from exc


@dataclass(frozen=True, init=False)
class WireResponse:
    """A provider's HTTP answer. Header names are lowercase.

    ``body`` is the raw body, except when the transport already decoded a JSON body into
    ``parsed`` (it does so as the body arrives, so a large image payload is never held twice):
    then ``body`` keeps only the first KiB, for error messages. Read JSON with :meth:`json`.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes = _field(repr=False)
    url: str = ""
    parsed: Any = _field(default=NOT_PARSED, repr=False, compare=False)

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        url: str = "",
        parsed: Any = NOT_PARSED,
    ) -> None:
        # Written out, as provider.ProviderCall's is: built for every answer.
        fields = self.__dict__
        fields["status"] = status
        fields["headers"] = headers
        fields["body"] = body
        fields["url"] = url
        fields["parsed"] = parsed

    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not JSON (or is nested
        deeper than Python's parser goes)."""
        if self.parsed is not NOT_PARSED:
            return self.parsed
        return loads(self.body)

    def json_or_none(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON."""
        try:
            return self.json()
        except ValueError:
            return None

    def error_body(self) -> Any:
        """The answer as an error's ``body`` holds it, by the OpenAI SDK's rule for
        ``APIStatusError.body``: the JSON's ``error`` member when the JSON is an object that
        has one, else the JSON, else the body's text (stripped; ``""`` for an empty body)."""
        try:
            parsed = self.json()
        except ValueError:
            return self.body.decode("utf-8", "replace").strip()
        return parsed.get("error", parsed) if isinstance(parsed, dict) else parsed

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
        return parse_retry_after(self.headers)

    @property
    def request_id(self) -> str | None:
        for name in ("x-request-id", "request-id", "x-amzn-requestid"):
            if name in self.headers:
                return self.headers[name]
        return None

    def text_excerpt(self, limit: int = 300) -> str:
        """The start of the body as text, for error messages."""
        text = self.body[:limit].decode("utf-8", "replace").strip()
        return text + ("..." if len(self.body) > limit else "")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date).
    ``None`` when neither holds a finite, non-negative number (``NaN``, ``inf`` and ``-5`` are
    not waits) or a date; a date in the past means no wait."""
    millis = _finite_non_negative(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _finite_non_negative(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # the asctime form, which HTTP dates are in GMT
        when = when.replace(tzinfo=dt.UTC)
    return max(when.timestamp() - time.time(), 0.0)


_LONGEST_WAIT = 366 * 86400.0
"""What a wait of more digits than a float holds stands for: longer than any retry waits."""


def _finite_non_negative(value: str | None) -> float | None:
    """``value`` as a finite, non-negative number, else ``None``; a number of digits too many
    for a float is a very long wait (``_LONGEST_WAIT``), not none."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    if number == math.inf and value.strip().lstrip("+")[:1].isdigit():
        return _LONGEST_WAIT
    return number if math.isfinite(number) and number >= 0 else None
