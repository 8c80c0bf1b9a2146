"""URLs to stored files that a client can open without the API key: the gateway signs them.

A link is signed with a key derived from the gateway key of the request that made it, so every
instance sharing that key (and the file store) accepts the others' links, and adding or
removing another key leaves it valid; no state is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence

from .owners import owner_tag

__all__ = ["LINK_NOT_VALID", "UrlSigner"]

LINK_NOT_VALID = "invalid_file_link"
"""``code`` of the 401 for a file link whose signature does not hold: expired, or made with a
gateway key the gateway no longer has."""


def _derived(material: str) -> bytes:
    return hashlib.sha256(b"limner-gateway-file-url\n" + material.encode()).digest()


class UrlSigner:
    """Signs ``/v1/files/{id}/content`` URLs with an expiry, each with its owner's key (a
    gateway without keys: one fixed key, for a gateway that serves this machine only)."""

    def __init__(self, api_keys: Sequence[str]) -> None:
        self._keys = {owner_tag(key): _derived(key) for key in api_keys}
        self._default = _derived("")

    def _signature(self, key: bytes, file_id: str, expires: int) -> str:
        message = f"{file_id}\n{expires}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def url(self, origin: str, file_id: str, expires: int, owner: str | None = None) -> str:
        """The content URL for ``file_id``, valid until ``expires`` (Unix seconds), signed with
        the key of ``owner`` (the tag of the request's gateway key)."""
        signature = self._signature(self._keys.get(owner or "", self._default), file_id, expires)
        return (
            f"{origin.rstrip('/')}/v1/files/{file_id}/content"
            f"?expires={expires}&signature={signature}"
        )

    def verify(self, file_id: str, query: Mapping[str, str]) -> bool:
        """Whether the query carries a valid, unexpired signature for ``file_id``, by any of the
        gateway's keys."""
        try:
            expires = int(query.get("expires", ""))
        except ValueError:
            return False
        if expires < time.time():
            return False
        given = query.get("signature", "").encode("utf-8", "surrogateescape")  # any text
        found = False
        for key in self._keys.values() if self._keys else (self._default,):
            expected = self._signature(key, file_id, expires).encode()
            found |= hmac.compare_digest(expected, given)  # (each compared: no early exit)
        return found
