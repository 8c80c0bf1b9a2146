"""What one Gemini chat request is built with: the call, the endpoint and the options, and the
changes made on the way."""

from __future__ import annotations

from limner import Changes
from limner.chat import ChatCall

from .options import GoogleOptions
from .settings import Endpoint

__all__ = ["NO_SUCH", "ChatBody"]

NO_SUCH = "Google's generateContent has no such setting"


class ChatBody(Changes):
    """The changes made while building one chat request."""

    def __init__(self, call: ChatCall, endpoint: Endpoint, options: GoogleOptions) -> None:
        super().__init__()
        self.call, self.endpoint, self.options = call, endpoint, options

    @property
    def on_vertex(self) -> bool:
        return self.endpoint.backend == "vertex"
