"""One exchange's authorizing (:class:`Signing`): every attempt's request signed and kept, so an
error can be cleaned of each attempt's secret header values."""

from __future__ import annotations

from .authorizing import authorized
from .http import Transport
from .provider import Provider, ProviderSettings
from .ready_credentials import authorized_off_loop
from .redaction import Scrubber, secret_header_values
from .wire import WireRequest

__all__ = ["Signing"]


class Signing:
    """One exchange's authorizing: each attempt's request is authorized (in a thread when the
    provider's ``authorize`` may block) and kept, for its secret header values. An object,
    not two closures: their cells would be made for every exchange."""

    __slots__ = ("model_id", "provider", "settings", "signed", "transport")

    def __init__(
        self, transport: Transport, provider: Provider, settings: ProviderSettings, model_id: str
    ) -> None:
        self.transport, self.provider, self.settings = transport, provider, settings
        self.model_id = model_id
        self.signed: list[WireRequest] = []  # every attempt's request

    async def __call__(self, wire: WireRequest) -> WireRequest:
        """``wire`` authorized for one attempt (:data:`~limner.http.Authorize`)."""
        if self.provider.authorize_blocks:
            done = await authorized_off_loop(
                self.transport, self.provider, self.settings, self.model_id, wire
            )
        else:
            done = authorized(self.provider, wire, self.settings, self.model_id)
        self.signed.append(done)
        return done

    def scrubber(self) -> Scrubber:
        """What to take out of a call's error: the provider's secrets, every attempt's secret
        header values, and the proxies' credentials (a proxy may echo its own). Gathered only
        when there is an error to clean."""
        scrub = Scrubber(self.provider.secret_values(self.settings))
        proxies = self.transport.connections.proxies
        if proxies:
            scrub.add(proxies.secrets())
        for attempt in self.signed:
            scrub.add(secret_header_values(attempt))
        return scrub
