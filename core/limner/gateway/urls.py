"""URLs to stored files that a client can open without the API key: the gateway signs them.

The signing key derives from the gateway's API keys, so every instance sharing those keys (and
the file store) accepts the others' URLs; no state is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence

__all__ = ["UrlSigner"]


class UrlSigner:
    """Signs ``/v1/files/{id}/content`` URLs with an expiry."""

    def __init__(self, api_keys: Sequence[str]) -> None:
        material = "\n".join(sorted(api_keys)).encode()
        self._key = hashlib.sha256(b"limner-gateway-file-url\n" + material).digest()

    def _signature(self, file_id: str, expires: int) -> str:
        message = f"{file_id}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def url(self, origin: str, file_id: str, expires: int) -> str:
        """The content URL for ``file_id``, valid until ``expires`` (Unix seconds)."""
        signature = self._signature(file_id, expires)
        return (
            f"{origin.rstrip('/')}/v1/files/{file_id}/content"
            f"?expires={expires}&signature={signature}"
        )

    def verify(self, file_id: str, query: Mapping[str, str]) -> bool:
        """Whether the query carries a valid, unexpired signature for ``file_id``."""
        try:
            expires = int(query.get("expires", ""))
        except ValueError:
            return False
        if expires < time.time():
            return False
        expected = self._signature(file_id, expires).encode()
        given = query.get("signature", "").encode("utf-8", "surrogateescape")  # any text
        return hmac.compare_digest(expected, given)
