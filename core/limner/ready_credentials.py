"""A provider's ``authorize`` that may block (a token refresh over the network), run off the
event loop; and run once more before a gateway's upstream slot, so that requests waiting on a
token service that hangs do not hold the slots every other provider's requests need."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from .authorizing import authorized_in_thread
from .daemon_threads import lane_for
from .errors import LimnerError
from .wire import WireRequest

if TYPE_CHECKING:
    from .http import Transport
    from .provider import Provider, ProviderSettings
    from .sending import Plan

__all__ = ["authorized_off_loop", "credentials"]


async def authorized_off_loop(
    transport: Transport,
    provider: Provider,
    settings: ProviderSettings,
    model_id: str,
    request: WireRequest,
) -> WireRequest:
    """``provider.authorize(request, settings)`` in a thread of the client's lane for the
    provider (one provider's token service that hangs holds no other), bounded by the client's
    ``timeout`` (see :func:`~limner.authorizing.authorized_in_thread`)."""
    lane = lane_for(transport.connections, provider.name)
    return await authorized_in_thread(
        provider, request, settings, model_id, lane=lane, within=transport.total_timeout
    )


def credentials(transport: Transport, plan: Plan[Any]) -> Callable[[], Awaitable[object]] | None:
    """What makes ``plan``'s credentials ready before it waits for a gateway's upstream slot
    (:func:`~limner.admission.admitted`), when its provider's ``authorize`` may block: its
    first call's request authorized once, with an empty body (nothing to sign at length), the
    result dropped. The token fetched is kept by the provider's credentials for the calls
    themselves; a request whose token service hangs times out (code ``authorize_timeout``,
    nothing sent) without having held a slot."""
    if not plan.provider.authorize_blocks:
        return None
    sent = plan.translations[0].request
    light = WireRequest(sent.method, sent.url, headers=sent.headers, json={})
    return partial(_ready, transport, plan.provider, plan.settings, plan.model.id, light)


async def _ready(
    transport: Transport,
    provider: Provider,
    settings: ProviderSettings,
    model_id: str,
    request: WireRequest,
) -> None:
    """``request`` authorized, the result dropped. A failure the call's own attempts retry (a
    token service not reached) is left to them: it is retried there, not answered here."""
    try:
        await authorized_off_loop(transport, provider, settings, model_id, request)
    except LimnerError as exc:
        if not exc.retryable:
            raise
