"""``limner serve``'s timeouts, kept out of :mod:`limner.gateway` so that the command line reads
them without importing the gateway (and aiohttp's server).

Each stays under the OpenAI SDKs' own 600 s timeout, so a client most often hears the gateway's
answer (a 504 that says not to retry) rather than giving up and sending the request, a new
generation billed again, a second time. A provider's job may need both, one after the other
(its submission, then its polls), and a request may first wait for a slot: lower them for such
providers. An app made with ``create_app`` has its client's timeouts.
"""

from __future__ import annotations

__all__ = ["SERVE_POLL_TIMEOUT", "SERVE_TIMEOUT"]

SERVE_TIMEOUT = 300.0
"""``limner serve``'s ``timeout``: seconds one upstream request may take."""

SERVE_POLL_TIMEOUT = 300.0
"""``limner serve``'s ``poll_timeout``: seconds to wait for a provider's job."""
