"""A client's behaviour settings (timeouts, retries, strictness, downloads): checked when a
client is made, and changed for a client made with ``with_options`` or for one call (the openai
SDK's per-request ``timeout`` and ``max_retries``)."""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypedDict

from .arguments import sdk_unset
from .engine import Engine
from .errors import InvalidRequestError
from .kinds import NUMBER
from .retry import RetryPolicy

__all__ = [
    "ClientOptions",
    "check_client_settings",
    "check_providers",
    "check_retry_arguments",
    "for_call",
    "with_options",
]


class ClientOptions(TypedDict, total=False):
    """What ``with_options`` may change; each means what the client's argument of that name
    means, and ``None`` keeps the client's own."""

    timeout: float | None
    connect_timeout: float | None
    poll_timeout: float | None
    max_retries: int | None
    retry: RetryPolicy | None
    strict: bool | None
    allow_private_networks: bool | None
    max_download_bytes: int | None


def check_client_settings(
    timeout: object,
    connect_timeout: object,
    poll_timeout: object,
    max_retries: object,
    max_download_bytes: object,
    **flags: object,
) -> None:
    """Refuse settings that would silently mean something else (a timeout of 0 is none, a
    ``strict`` of ``"no"`` is true) or fail later with a bare ``TypeError``."""
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise InvalidRequestError(f"{name} must be True or False; got {flag!r}", param=name)
    for name, seconds in (
        ("timeout", timeout),
        ("connect_timeout", connect_timeout),
        ("poll_timeout", poll_timeout),
    ):
        number = isinstance(seconds, NUMBER) and not isinstance(seconds, bool)
        if not number or not 0 < seconds < math.inf:  # type: ignore[operator]
            raise InvalidRequestError(
                f"{name} must be a positive number of seconds (limner has no 'no timeout'; give "
                f"a large one); got {seconds!r}",
                param=name,
            )
    for name, count in (("max_retries", max_retries), ("max_download_bytes", max_download_bytes)):
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise InvalidRequestError(
                f"{name} must be a whole number, 0 or more; got {count!r}", param=name
            )


def check_sdk_arguments(api_key: object, base_url: object) -> None:
    """Refuse the openai SDK's ``api_key=`` and ``base_url=`` (a client migrated from it passes
    them first): limner calls several providers, each with its own settings. The value is not
    quoted: it may be a key."""
    for name, value in (("api_key", api_key), ("base_url", base_url)):
        if value is not None:
            raise InvalidRequestError(
                f"{name}: limner calls several providers, each with its own settings: pass "
                f"providers={{'<provider>': {{{name!r}: ...}}}}, or set the provider's "
                "environment variable (limner models lists the providers; "
                "client.missing_credentials() names the variables a client lacks)",
                param=name,
            )


def check_retry_arguments(max_retries: object, retry: object) -> None:
    """``max_retries`` and ``retry`` say the same thing: one of them, not both."""
    if retry is not None and max_retries is not None:
        raise InvalidRequestError(
            "give max_retries or retry=RetryPolicy(max_retries=...), not both",
            param="max_retries",
        )
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise InvalidRequestError(
            f"retry must be a limner.RetryPolicy, not a {type(retry).__name__}", param="retry"
        )


def check_providers(providers: object) -> None:
    """Refuse ``providers=`` that is not settings by provider name (``{"<provider>": "sk-..."}``
    would fail at the first call with a bare ``AttributeError``). The values are not quoted:
    they may be keys."""
    if providers is None:
        return
    if not isinstance(providers, Mapping):
        raise InvalidRequestError(
            "providers must map provider names to their settings, such as "
            "{'<provider>': {'api_key': ...}}",
            param="providers",
        )
    for name, settings in providers.items():
        if not isinstance(settings, Mapping):
            raise InvalidRequestError(
                f"providers[{name!r}] must be a dict of settings, such as {{'api_key': ...}}, "
                f"not a {type(settings).__name__}",
                param=f"providers.{name}",
            )


CALL_OPTIONS = ("timeout", "max_retries")
"""The openai SDK's per-request options that a call of the Python clients takes too."""


def for_call(engine: Engine, params: Mapping[str, Any]) -> tuple[Engine, Mapping[str, Any]]:
    """The engine for one call, and the call's other arguments: the openai SDK's per-request
    ``timeout`` and ``max_retries``, when given, apply to this call alone."""
    if "timeout" not in params and "max_retries" not in params:  # the common case: as it was
        return engine, params
    fields = dict(params)
    changes: dict[str, Any] = {}
    for name in CALL_OPTIONS:  # (a loop: no comprehension's closure over fields)
        if name in fields:
            changes[name] = fields.pop(name)
    changes = {name: None if sdk_unset(value) else value for name, value in changes.items()}
    return with_options(engine, changes), fields


def with_options(engine: Engine, changes: Mapping[str, Any]) -> Engine:
    """An engine for ``engine``'s providers, settings and connections, with the
    :class:`ClientOptions` in ``changes`` (``None`` values change nothing) checked and applied."""
    unknown = sorted(set(changes) - set(ClientOptions.__annotations__))
    if unknown:
        raise InvalidRequestError(
            f"with_options does not change {', '.join(unknown)}; it changes "
            f"{', '.join(ClientOptions.__annotations__)} (make a new client for other settings: "
            "credentials and base URLs go in its providers=)",
            param=unknown[0],
        )
    given = {name: value for name, value in changes.items() if value is not None}
    if not given:
        return engine
    check_retry_arguments(given.get("max_retries"), given.get("retry"))
    transport, options = engine.transport, engine.options
    timeout = given.get("timeout", transport.total_timeout)
    connect_timeout = given.get("connect_timeout", transport.connect_timeout)
    poll_timeout = given.get("poll_timeout", options.poll_timeout)
    max_retries = given.get("max_retries", transport.retry.max_retries)
    max_bytes = given.get("max_download_bytes", options.download.max_bytes)
    strict = given.get("strict", options.strict)
    private = given.get("allow_private_networks", options.download.allow_private_networks)
    check_client_settings(
        timeout,
        connect_timeout,
        poll_timeout,
        max_retries,
        max_bytes,
        strict=strict,
        allow_private_networks=private,
    )
    retry = given.get("retry") or dataclasses.replace(transport.retry, max_retries=max_retries)
    derived = copy.copy(engine)  # the same registry and provider settings (credentials)
    derived.transport = transport.with_options(
        timeout=timeout, connect_timeout=connect_timeout, retry=retry
    )
    derived.options = dataclasses.replace(
        options,
        poll_timeout=poll_timeout,
        strict=strict,
        download=dataclasses.replace(
            options.download, max_bytes=max_bytes, allow_private_networks=private
        ),
    )
    return derived
