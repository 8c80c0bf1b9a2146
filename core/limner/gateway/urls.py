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

    def verify(self, file_id: str, query: Mapping[str, str]) -> str | None:
        """The owner tag of the gateway key whose signature the query carries for
        ``file_id``, unexpired (``""`` for a gateway without keys); ``None`` when none does.
        The file must be that key's own: any key holder can sign a link to any id."""
        try:
            expires = int(query.get("expires", ""))
        except ValueError:
            return None
        if expires < time.time():
            return None
        given = query.get("signature", "").encode("utf-8", "surrogateescape")  # any text
        keys = self._keys.items() if self._keys else [("", self._default)]
        found = None
        for owner, key in keys:
            expected = self._signature(key, file_id, expires).encode()
            if hmac.compare_digest(expected, given):  # (each compared: no early exit)
                found = owner
        return found
