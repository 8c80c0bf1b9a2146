"""A request's ``extra_headers``, checked before translation: no credential header (credentials
come from the provider's settings), none that frames or routes the request, and none that the
provider's ``authorize`` would replace; then added to each translation's request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol, get_args

from pydantic import SecretStr

from .authorizing import authorized
from .errors import InvalidRequestError
from .provider import Provider, ProviderSettings, Translation
from .responses import Notice
from .wire import GENERIC_SECRET_HEADERS, WireRequest

__all__ = ["HEADER_REPLACED", "check_extra_headers", "check_not_overwritten", "with_extra_headers"]


class _WithHeaders(Protocol):
    """An images request or a chat request."""

    @property
    def extra_headers(self) -> dict[str, str] | None: ...


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # tab is allowed in a value


def check_extra_headers(
    request: _WithHeaders, providers: Mapping[str, Provider], own: Provider | None = None
) -> dict[str, str]:
    """``extra_headers`` lowercased; credential headers of any provider are refused, the error
    saying where the credential of ``own`` (the provider called) is set instead."""
    if not request.extra_headers:
        return {}
    refused = set(GENERIC_SECRET_HEADERS)
    for provider in providers.values():
        refused |= provider.credential_headers
    headers = {name.lower(): value for name, value in (request.extra_headers or {}).items()}
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name) or _CONTROL.search(value):
            raise InvalidRequestError(
                f"extra_headers {name!r}: a header name is a token (letters, digits, "
                "!#$%&'*+-.^_`|~) and a value holds no control character such as a line break",
                param=f"extra_headers.{name}",
            )
        if name in refused:
            raise InvalidRequestError(
                f"extra_headers may not set the credential header {name!r}: "
                + _where_credentials_go(name, providers, own),
                param=f"extra_headers.{name}",
                code="credential_header",
            )
        if name in _TRANSPORT_HEADERS or name.startswith("proxy-"):
            raise InvalidRequestError(
                f"extra_headers may not set {name!r}: limner and its HTTP client set how the "
                "request is framed and encoded and where it goes",
                param=f"extra_headers.{name}",
                code="transport_header",
            )
    return headers


def _where_credentials_go(
    header: str, providers: Mapping[str, Provider], own: Provider | None
) -> str:
    """Where the credential ``header`` carries comes from instead: the settings of the provider
    called (``own``; else of one that sends it), named by their environment variables (which
    the command line and the gateway read): a secret's, and the setting the header is named
    after (``openai-organization``). Not how to pass them from Python: a gateway's client
    reads this too, and the request, not a setting, is what it must change."""
    if own is None:
        own = next((p for p in providers.values() if header in p.credential_headers), None)
    if own is None:
        return "credentials come from each provider's settings, not from a request"
    fields = own.settings_model.model_fields
    names = [
        variable
        for field, variables in own.env.items()
        if field in fields and (_is_secret(fields[field].annotation) or field in header)
        for variable in variables
    ]
    where = f" ({', '.join(names)})" if names else ""
    return f"credentials come from the provider's settings{where}, not from a request"


def _is_secret(annotation: object) -> bool:
    """Whether a settings field's type is ``SecretStr`` (or an optional one)."""
    return annotation is SecretStr or any(_is_secret(arg) for arg in get_args(annotation))


_TRANSPORT_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "expect",
    }
)
"""Headers that frame the request, say how its body is encoded, or route it (RFC 9110's
connection-specific fields among them): set by the user, they would break or redirect the call
(a content type without the multipart boundary limner sends, a gzip encoding of a plain body;
a gateway's client could aim the operator's credential elsewhere, or desynchronise a pooled
connection)."""


def check_not_overwritten(
    headers: Mapping[str, str],
    provider: Provider,
    settings: ProviderSettings,
    request: WireRequest,
    model_id: str,
) -> None:
    """Refuse ``extra_headers`` that the provider's ``authorize`` would replace (a credential
    header it did not list in ``credential_headers``): the user's value would vanish unsaid.
    ``request`` is one call's (the first): ``authorize`` sets the same headers on every call.
    What ``authorize`` raises leaves as it does on a call (:mod:`limner.authorizing`)."""
    signed = authorized(provider, request, settings, model_id, dry_run=True)
    for name, value in headers.items():
        if signed.headers.get(name) != value:
            raise InvalidRequestError(
                f"extra_headers may not set {name!r}: {provider.name} sets it itself "
                "(a credential); configure the provider's credential on the client instead",
                param=f"extra_headers.{name}",
                code="credential_header",
            )


def with_extra_headers(translation: Translation, headers: dict[str, str]) -> Translation:
    """``translation`` with the request's ``extra_headers`` added to its wire request; one
    that replaces a header the translation set, with another value, is said in a
    ``header_replaced`` warning (the translation made it from the request or the settings)."""
    if not headers:
        return translation
    replaced = _replaced(translation.request, headers)
    return replace(
        translation,
        request=translation.request.with_headers(headers),
        warnings=(*translation.warnings, *replaced) if replaced else translation.warnings,
    )


def _replaced(request: WireRequest, headers: dict[str, str]) -> list[Notice]:
    """A ``header_replaced`` warning for each of ``headers`` that replaces, with another value,
    one ``request`` sets (apart: its comprehension's closure is made only for extra headers)."""
    built = request.headers
    hidden = request.secret_headers | GENERIC_SECRET_HEADERS
    return [
        Notice(
            code=HEADER_REPLACED,
            param=f"extra_headers.{name}",
            message=f"extra_headers {name!r} replaced the "
            f"{'value' if name.lower() in hidden else repr(built[name.lower()])} limner would "
            "have sent, made from the request or the provider's settings",
        )
        for name, value in headers.items()
        if built.get(name.lower(), value) != value
    ]


HEADER_REPLACED = "header_replaced"
