"""The client's limits that an error can run into, so that each surface says how to raise them
its own way: Python names the keyword argument, the command line its flag, and the gateway its
operator (clients of a gateway cannot change them)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DOWNLOAD_TIMEOUT", "POLL_TIMEOUT", "TIMEOUT", "ClientLimit"]


@dataclass(frozen=True)
class ClientLimit:
    """A client setting that bounds a call, as :attr:`limner.LimnerError.limit` names it."""

    name: str
    """The setting's name on :class:`limner.Client` (``timeout``)."""
    purpose: str
    """What raising it is for, as an advice begins (``for a slow model``)."""
    per_call: bool
    """Whether a single call can set it too."""

    def python(self) -> str:
        """How to raise it from Python."""
        if self.per_call:
            where = "the client, with_options() or the call"
        else:
            where = "the client or with_options()"
        return f"{self.purpose}, pass a larger {self.name}= to {where}"


TIMEOUT = ClientLimit("timeout", "for a slow model", per_call=True)
"""The bound on one HTTP request to a provider."""

DOWNLOAD_TIMEOUT = ClientLimit("timeout", "for a slow image server", per_call=True)
"""The same bound, on a download of an image (an input given as a URL, a result link)."""

POLL_TIMEOUT = ClientLimit("poll_timeout", "to wait longer for the job", per_call=False)
"""The bound on the wait for a provider's job."""
