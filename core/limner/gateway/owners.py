"""Who a stored file belongs to: the tag of the gateway key it was stored with."""

from __future__ import annotations

import hashlib

__all__ = ["owner_tag"]


def owner_tag(key: str) -> str:
    """What files stored with ``key`` are tagged with: a digest, never the key."""
    return hashlib.sha256(b"limner-gateway-file-owner\0" + key.encode()).hexdigest()[:32]
