"""Who a stored file belongs to: the tag of the gateway key it was stored with."""

from __future__ import annotations

import hashlib

__all__ = ["log_tag", "owner_tag"]


def owner_tag(key: str) -> str:
    """What files stored with ``key`` are tagged with: a digest, never the key."""
    return hashlib.sha256(b"limner-gateway-file-owner\0" + key.encode()).hexdigest()[:32]


def log_tag(owner: str) -> str:
    """The start of an owner tag, which the access log names a request's key by (the keys'
    tags in order are printed as ``limner serve`` starts): enough to tell keys apart."""
    return owner[:8]
