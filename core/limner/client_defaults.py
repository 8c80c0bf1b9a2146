"""A client's default limits, in one place: the Python clients' signatures, the transport, engine
and download policy they build, and the command line's help all read them (``limner serve`` has
its own timeouts, in :mod:`limner.serve_defaults`)."""

from __future__ import annotations

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_POLL_TIMEOUT",
    "DEFAULT_TIMEOUT",
]

DEFAULT_TIMEOUT = 600.0
"""Seconds one HTTP request to a provider (or one download) may take in all."""

DEFAULT_CONNECT_TIMEOUT = 30.0
"""Seconds a connection may take to open."""

DEFAULT_POLL_TIMEOUT = 600.0
"""Seconds to wait in all for a provider's job."""

DEFAULT_MAX_RETRIES = 2
"""Extra attempts after a retryable failure."""

DEFAULT_MAX_DOWNLOAD_BYTES = 50 * 2**20
"""The largest image limner downloads (an input given as a URL, a result link)."""
