"""The hooks a limner plugin can implement.

A plugin is a module (or object) with functions marked ``@limner.hookimpl`` and named like the
specs below, made known through an entry point in group ``limner``::

    [project.entry-points.limner]
    myprovider = "limner_myprovider"

Hooks are synchronous and answer questions; network I/O stays in core. Implementations may take
fewer arguments than the spec lists.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .capabilities import ModelInfo, Operation
    from .chat.contract import ChatCall
    from .provider import Provider, ProviderCall, Translation
    from .responses import Usage

__all__ = ["hookimpl", "hookspec"]

PROJECT = "limner"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Decorator marking a plugin's hook implementations."""


# ---- registration ----------------------------------------------------------------------------


@hookspec
def register_providers(register: Callable[[Provider], None]) -> None:
    """Register the providers this plugin ships.

    Called once each time the registry is built. Call ``register(provider)`` once per
    :class:`~limner.provider.Provider` instance; its ``models()`` become available. Two plugins
    registering the same provider name is a :class:`~limner.errors.PluginError`.

    :param register: the callback that adds a provider.
    """


@hookspec
def register_models(register: Callable[[ModelInfo], None]) -> None:
    """Add models to providers registered by any plugin (a newly released model id, a private
    deployment) without shipping a provider.

    Called once each time the registry is built, after ``register_providers``. A model whose id
    is already known replaces the earlier entry, so a plugin can also correct a built-in model's
    capabilities, lifecycle or prices: take the entry from its provider's ``models()`` (an
    instance of the provider class its plugin exports) and register
    ``model.model_copy(update={...})`` with the fields that differ (core validates what is
    registered again, as ``model_copy`` does not: a misspelt field or a value out of range is a
    :class:`~limner.errors.PluginError`). ``model.provider`` must name
    a registered provider: otherwise the registry refuses to build, naming the plugin, unless the
    user disabled plugins. Then the model is left out (most likely a disabled plugin serves its
    provider), with a :class:`~limner.loading.PluginWarning` when the provider's name is close
    to a registered one's (then it is most likely misspelt).

    :param register: the callback that adds a :class:`~limner.capabilities.ModelInfo`.
    """


# ---- per call --------------------------------------------------------------------------------


@hookspec(firstresult=True)
def translate_request(provider: Provider, call: ProviderCall) -> Translation | None:
    """Build the wire request for one call.

    Stops at the first non-None result. Core's own implementation runs last and returns
    ``provider.translate(call)``; a plugin returns a :class:`~limner.provider.Translation` to
    override a provider's translation (or ``None`` to leave it alone). Must be pure: no I/O.

    :param provider: the provider that will receive the request.
    :param call: the validated request, its loaded images and this call's share of ``n``.
    :returns: the translation, or ``None`` to defer.
    """


@hookspec(firstresult=True)
def price_call(
    model: ModelInfo,
    operation: Operation,
    images: int,
    quality: str | None,
    size: str | None,
    usage: Usage | None,
    edit_mode: str | None,
    call: ProviderCall | ChatCall | None,
) -> Decimal | None:
    """Price one provider call in USD.

    Stops at the first non-None result. Core's own implementation runs last and prices from the
    model's :class:`~limner.capabilities.PriceSheet` (tokens when ``usage`` is given and the sheet
    has token prices, else the per-image table, whose rows may be exact sizes or size bands).
    Use ``@hookimpl(tryfirst=True)`` to apply negotiated rates. An answer that does not come
    from :func:`~limner.pricing.price_from_sheet` is the call's whole price (a dry run's
    estimate names the hook and is not ``output_only``); one that scales its per-image
    estimate of a model billed by tokens is still that estimate, and is said so. ``usage`` is
    ``None`` for estimates made before the call (dry runs). An exception here never fails a
    generation: core reports it as a warning and leaves the cost unknown. A call whose answer
    reported its bill (``ProviderResult.billed_usd``) is not priced: that bill is its cost.

    :param model: the model called.
    :param operation: ``generate``, ``edit``, ``variation`` or ``chat`` (a chat completion's
        call, which makes at most one image).
    :param images: images the call returned (or will return, for an estimate).
    :param quality: the quality sent, if any.
    :param size: the size sent, if any.
    :param usage: the provider's token usage for this call, when it reported one.
    :param edit_mode: for edits, the kind of edit made (``inpaint``, ``outpaint``...), if any.
    :param call: the call priced (a :class:`~limner.provider.ProviderCall`, or for ``chat`` a
        :class:`~limner.chat.contract.ChatCall`): its ``request``, ``settings`` and validated
        ``options`` (the plugin's ``provider_options``), for a price that depends on them.
        Usage an error carries (of calls whose answers it throws away) is priced with the
        request's first call. ``None`` only for a price asked outside a request
        (:meth:`~limner.plugins.Registry.price` without one).
    :returns: the cost as a ``Decimal`` (an ``int``, a ``float`` or a numeric string is read
        as its decimal digits), or ``None`` if this implementation cannot price it.
    """
