"""The gateway's settings: API keys, limits and the file store's rules."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..addresses import is_loopback_host
from ..errors import InvalidRequestError

__all__ = ["API_KEYS_ENV", "GatewayConfig", "is_loopback_host", "keys_from"]

API_KEYS_ENV = "LIMNER_API_KEYS"
"""Keys clients must send as ``Authorization: Bearer <key>``, separated by commas or line
breaks (one per line, as a file of keys holds them; lines starting with ``#`` are left out)."""


def keys_from(
    given: Iterable[str] = (), environ: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The accepted API keys: ``given`` (``--api-key``) plus ``LIMNER_API_KEYS`` (from
    ``environ``, by default the process's), blanks dropped."""
    environ = os.environ if environ is None else environ
    keys = [key.strip() for key in given]
    for line in environ.get(API_KEYS_ENV, "").splitlines():
        if not line.lstrip().startswith("#"):  # (a comment in a file of keys)
            keys += (key.strip() for key in line.split(","))
    return tuple(dict.fromkeys(key for key in keys if key))


@dataclass(frozen=True)
class GatewayConfig:
    """How the gateway behaves.

    :param api_keys: keys accepted in ``Authorization: Bearer`` (a list, or one key as a
        string); none means no authentication (the server then binds 127.0.0.1 only).
    :param max_body_bytes: largest request body; bigger ones get 413 before they are read.
    :param max_body_bytes_in_flight: request body bytes the gateway holds at once (a chunked
        body counts as ``max_body_bytes``); a request finding no room within ``queue_timeout``
        gets a 429. ``None``: four times ``max_body_bytes``.
    :param max_input_images: most input images in one edit.
    :param max_n: most images asked for in one request.
    :param max_concurrency: client requests served upstream at once across all clients (a
        request whose ``n`` the model splits makes several provider calls inside its slot; a
        provider's job keeps its slot until it is done).
    :param queue_timeout: seconds a request may wait for an upstream slot before a 429.
    :param file_ttl: seconds an uploaded or generated file is kept.
    :param sweep_interval: seconds between sweeps that remove expired files from the store (when
        the store has a ``sweep`` method); ``None`` (or 0) turns the periodic sweep off (expired
        files then go only when a file is written or an expired one is asked for).
    :param public_url: the gateway's own origin for image URLs (``https://img.example``); by
        default the origin the client used. One that is not a loopback host needs
        ``api_keys``: other machines reach the gateway there.
    :param default_model: the model for image requests that name none (the OpenAI API falls
        back to its own default model, and its SDK does not require one); without it such a
        request is a 400 naming ``model``. Checked when the app is made.
    """

    api_keys: Sequence[str] = field(default=(), repr=False)
    max_body_bytes: int = 64 * 2**20
    max_body_bytes_in_flight: int | None = None
    max_input_images: int = 16
    max_n: int = 10
    max_concurrency: int = 8
    queue_timeout: float = 30.0
    file_ttl: float = 3600.0
    sweep_interval: float | None = 300.0
    public_url: str | None = None
    default_model: str | None = None

    def __post_init__(self) -> None:
        given: object = self.api_keys
        if isinstance(given, str):  # one key, not its characters (each a key of one character)
            given = (given,)
        keys = tuple(given) if isinstance(given, Iterable) else None
        if keys is None or not all(isinstance(key, str) and key.strip() for key in keys):
            raise InvalidRequestError(
                "api_keys must be a list of keys, each a non-empty string; got "
                f"{type(self.api_keys).__name__}",
                param="api_keys",
            )
        # as clients' tokens are read, and as the command line reads keys (a key read from a
        # file ends in a newline, which would make it one no client could ever send)
        keys = tuple(dict.fromkeys(key.strip() for key in keys))
        unsendable = next(
            (k for k in keys if not (k.isascii() and k.isprintable()) or " " in k), None
        )
        if unsendable is not None:  # (its characters not quoted: it is a secret)
            raise InvalidRequestError(
                f"a gateway key holds a space, a line break, a control character or a letter "
                f"outside ASCII ({len(keys)} key(s) given): clients cannot send it as "
                "'Authorization: Bearer <key>'. Give one key per --api-key, or one per line or "
                "comma in LIMNER_API_KEYS",
                param="api_keys",
            )
        object.__setattr__(self, "api_keys", keys)
        slots = self.max_concurrency
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 1:
            raise InvalidRequestError(
                f"max_concurrency must be a whole number, 1 or more; got {slots!r} (with none, "
                "every request would wait for a slot and fail)",
                param="max_concurrency",
            )
        held = self.max_body_bytes_in_flight
        if held is not None and (
            isinstance(held, bool) or not isinstance(held, int) or held < self.max_body_bytes
        ):
            raise InvalidRequestError(
                f"max_body_bytes_in_flight must be a whole number of bytes, at least "
                f"max_body_bytes ({self.max_body_bytes}); got {held!r} (a body as large as the "
                "gateway takes would never find room)",
                param="max_body_bytes_in_flight",
            )
        if self.public_url is not None:
            scheme, sep, rest = self.public_url.partition("://")
            if scheme.lower() not in ("http", "https") or not sep or not rest.split("/")[0]:
                raise InvalidRequestError(
                    f"public_url {self.public_url!r} is not an http(s) URL such as "
                    "https://img.example: image links are built on it",
                    param="public_url",
                )
            object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
            public = urlsplit(self.public_url).hostname or ""
            if not self.api_keys and not is_loopback_host(public):  # a proxy others reach
                raise InvalidRequestError(
                    f"public_url {self.public_url} says other machines reach the gateway, but "
                    "it has no API keys, so anyone who reaches it could spend your provider "
                    "credits; give it keys (LIMNER_API_KEYS or --api-key), or leave public_url "
                    "out",
                    param="api_keys",
                )

    @property
    def body_budget(self) -> int:
        """:attr:`max_body_bytes_in_flight`, or its default."""
        held = self.max_body_bytes_in_flight
        return 4 * self.max_body_bytes if held is None else held

    @property
    def auth_required(self) -> bool:
        return bool(self.api_keys)
