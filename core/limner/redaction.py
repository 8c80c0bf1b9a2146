"""Keeping secrets out of what limner says: error messages, error bodies and logs."""

from __future__ import annotations

import base64
import os
import re
import sys
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import BaseModel, SecretStr

from .errors import LimnerError
from .wire import NOT_PARSED, REDACTED, WireRequest, WireResponse

__all__ = [
    "MIN_SECRET",
    "TOO_DEEP",
    "Scrubber",
    "drop_frame_locals",
    "environment_secrets",
    "raised_at",
    "secret_forms",
    "secret_header_values",
    "settings_secrets",
]

MIN_SECRET = 8
"""The shortest value hidden as a secret: a shorter one would hide ordinary words, and real
credentials are long."""

TOO_DEEP = "<nested too deeply to show>"
"""What a value nested too deeply to scrub (:meth:`Scrubber.value`) shows in its place."""


def secret_forms(secret: str) -> set[str]:
    """``secret`` as an upstream may echo it: as is, percent-encoded (in a URL it quotes, as
    ``+`` for spaces too, its escapes in either case), with ``/`` escaped as ``\\/`` (some
    JSON encoders), and base64 encoded (alone, or at the start of a longer encoding: a
    ``Basic`` credential)."""
    whole = base64.b64encode(secret.encode()).decode()
    lead = base64.b64encode(secret.encode()[: len(secret.encode()) // 3 * 3]).decode()
    quoted = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms = {
        secret,
        *quoted,
        *(_LOWER_HEX.sub(lambda escape: escape.group().lower(), form) for form in quoted),
        secret.replace("/", "\\/"),
        whole,
        lead,
        lead.replace("+", "-").replace("/", "_"),
    }
    return {form for form in forms if len(form) >= MIN_SECRET}


_LOWER_HEX = re.compile(r"%[0-9A-F]{2}")
"""A percent-escape as Python writes it (``%2F``); some encoders write ``%2f``."""


class Scrubber:
    """Replaces known secret values in text, each in the forms an upstream may echo it in
    (:func:`secret_forms`), longest first, so a key inside a longer token is caught too."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        forms = {form for s in secrets if len(s) >= MIN_SECRET for form in secret_forms(s)}
        self.secrets = sorted({*self.secrets, *forms}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def value(self, value: Any, longest: int | None = None) -> Any:
        """Strings scrubbed inside nested dicts, lists and tuples (an error's parsed body, a
        content filter's categories); strings over ``longest`` characters, when it is given,
        are left as they are (an answer's image data, which no one reads as text). A value
        nested too deeply to walk (a body of hundreds of levels: Python's parser reads about
        a thousand, 3.13's thousands) is :data:`TOO_DEEP` in its place, not shown unscrubbed."""
        try:
            return self._value(value, longest)
        except RecursionError:
            return TOO_DEEP

    def _value(self, value: Any, longest: int | None) -> Any:
        if isinstance(value, str):
            return self(value) if longest is None or len(value) <= longest else value
        if isinstance(value, dict):
            return {  # keys too: a body may hold a key as one (``{"sk-...": "not valid"}``)
                self(key) if isinstance(key, str) else key: self._value(item, longest)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._value(item, longest) for item in value]
        if isinstance(value, tuple):
            return tuple(self._value(item, longest) for item in value)
        return value

    def response(self, response: WireResponse) -> WireResponse:
        """``response`` with the secrets replaced in its body and headers, before anything is
        quoted from it: an excerpt cut from the raw body could keep part of a key that the
        cut made unrecognisable."""
        if not self.secrets:
            return response
        body = response.body
        for secret in self.secrets:
            body = body.replace(secret.encode(), REDACTED.encode())
        parsed = response.parsed
        return WireResponse(
            response.status,
            {name: self(value) for name, value in response.headers.items()},
            body,
            response.url,
            parsed=parsed if parsed is NOT_PARSED else self.value(parsed),
        )

    def error(self, error: LimnerError) -> LimnerError:
        """The same error with secrets removed from every text it carries (an upstream may echo
        a key in any field of its error, and a plugin may quote it in any attribute: the
        message, the body, a content filter's ``reason``...)."""
        if self.secrets:
            for name, value in vars(error).items():
                if isinstance(value, str | dict | list | tuple):
                    setattr(error, name, self.value(value))
            error.args = tuple(self.value(arg) for arg in error.args)
        return error

    def cause(self, cause: BaseException | None) -> BaseException | None:
        """``cause`` to chain to a scrubbed error, or ``None`` when its words, or those of any
        exception chained below it (which no one scrubs: a plugin's exception may quote the body
        that echoed a key, or be raised ``from`` one that does), hold a secret."""
        if cause is None or not self.secrets:
            return cause
        seen: set[int] = set()
        link: BaseException | None = cause
        while link is not None and id(link) not in seen:  # (a chain may loop)
            seen.add(id(link))
            try:
                said = f"{link!s} {link!r} {link.args!r}"
            except Exception:  # a broken __repr__: nothing to check it by, so not chained
                return None
            if any(secret in said for secret in self.secrets):
                return None
            link = link.__cause__ if link.__cause__ is not None else link.__context__
        return cause


def raised_at(exc: BaseException, owner: object) -> str:
    """The last line of ``owner``'s package (a plugin's provider) that ``exc`` passed through
    (``, at limner_acme/parse.py:42``; else where it was raised), for the plugin's author, whose
    traceback :meth:`Scrubber.cause` may leave unchained."""
    frames = traceback.extract_tb(exc.__traceback__)
    module = sys.modules.get(type(owner).__module__)
    where = getattr(module, "__file__", None)  # (none for ``None``'s module: builtins)
    file = Path(where) if where else None
    if file is None or (not hasattr(module, "__path__") and file.name != "__init__.py"):
        own = [frame for frame in frames if file is not None and Path(frame.filename) == file]
    else:  # a package: any of its modules
        own = [frame for frame in frames if file.parent in Path(frame.filename).parents]
    if not (own or frames):
        return ""
    last = (own or frames)[-1]
    path = Path(last.filename)
    return f", at {path.parent.name}/{path.name}:{last.lineno}"


_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL", re.IGNORECASE)


def environment_secrets(environ: Mapping[str, str] | None = None) -> Scrubber:
    """A scrubber of the values of the environment variables named like secrets
    (``ACME_API_KEY``, ``..._SESSION_TOKEN``...), for what a plugin says before any provider's
    settings are known (loading, registering): a plugin may quote one."""
    values = os.environ if environ is None else environ
    return Scrubber(
        value for name, value in values.items() if len(value) >= 8 and _SECRET_NAME.search(name)
    )


def settings_secrets(settings: BaseModel) -> list[str]:
    """Every ``SecretStr`` value a settings model holds."""
    found = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr) and value.get_secret_value():
            found.append(value.get_secret_value())
    return found


def secret_header_values(request: WireRequest) -> list[str]:
    """The values of a request's secret headers, and the long tokens inside them (the key in
    ``Bearer <key>``, the parts of a signature header)."""
    found = []
    for name in request.secret_headers:
        value = request.headers.get(name)
        if value:
            found.append(value)
            found.extend(part for part in value.replace(",", " ").split() if len(part) >= 12)
    return found


def drop_frame_locals(exc: BaseException) -> None:
    """Drop the local variables of the finished frames that ``exc``, and the exceptions it
    chains, passed through. A call cancelled while a request is out (a ``wait_for`` timeout
    chains the cancellation) passes through frames that hold the request's headers as plain
    dicts, credentials included (limner's transport, aiohttp's client); error trackers record
    the locals of every frame of a traceback, so those must not keep them."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)  # (a frame still running is left alone)
        pending += (current.__cause__, current.__context__)
