"""A dry run of a plan: each call's request as it would be sent, secrets redacted, with its
estimate and the credentials a real call would lack."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .authorizing import authorized
from .credential_notes import noting_missing
from .dryrun import DryRun, Estimate
from .redaction import Scrubber
from .responses import Notice
from .sending import Plan, unique
from .wire import WireRequest

__all__ = ["describe"]


def _hidden(scrub: Scrubber, request: WireRequest) -> dict[str, Any]:
    """``request`` as a dry run shows it, with the client's secrets hidden in its URL and
    headers (a key the caller put in a header of its own). The body is shown as it is: a
    prompt may hold the key's text by chance (``lm-studio``), and a translation holds no
    credential (the standard tests check it)."""
    described = request.describe()
    described["url"] = scrub(described["url"])
    described["headers"] = scrub.value(described["headers"])
    return described


def describe(
    plan: Plan[Any], estimates: Sequence[Estimate], notices: Sequence[Notice] = ()
) -> DryRun:
    """The dry run of ``plan``: each call's request as it would be sent (secrets redacted), its
    estimate, and their sum (``None`` when any is unknown), with the estimates' ``notices``."""
    with noting_missing() as missing:
        scrub = Scrubber(plan.provider.secret_values(plan.settings))
        described = [
            _hidden(
                scrub,
                authorized(plan.provider, t.request, plan.settings, plan.model.id, dry_run=True),
            )
            for t in plan.translations
        ]
    lacking = [
        Notice(
            code="missing_credentials",
            message=f"{error.message} before a real call (this dry run shows a placeholder)",
            param=error.param,
        )
        for error in missing[:1]
    ]
    costs = [estimate.usd for estimate in estimates if estimate.usd is not None]
    return DryRun(
        model=plan.model.id,
        provider=plan.provider.name,
        requests=described,
        estimated_cost_usd=sum(costs, Decimal(0)) if len(costs) == len(estimates) else None,
        estimates=list(estimates),
        adjustments=list(plan.adjustments),
        warnings=unique([*plan.warnings, *notices, *lacking]),
    )
