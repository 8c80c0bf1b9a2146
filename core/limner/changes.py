"""The record of what a translation changed: every setting it adjusted or dropped, and every
warning, on their way into a :class:`~limner.provider.Translation`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .responses import Adjustment, Notice

__all__ = ["Changes"]


@dataclass(kw_only=True)
class Changes:
    """The adjustments and warnings a translation collects on its way to a :class:`Translation`.

    A plugin's plan of one call can subclass it; the subclass's own fields stay positional (these
    two are keyword-only). Never drop a user's setting silently: record it here.
    """

    adjustments: list[Adjustment] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)

    def adjust(self, param: str, requested: Any, applied: Any, reason: str) -> None:
        """``param`` is sent as ``applied`` instead of ``requested``, because ``reason``."""
        self.adjustments.append(
            Adjustment(param=param, requested=requested, applied=applied, reason=reason)
        )

    def drop(self, param: str, requested: Any, reason: str) -> None:
        """``param`` is not sent at all, because ``reason``."""
        self.adjust(param, requested, None, reason)

    def split_seed(
        self,
        seed: int | None,
        index: int,
        *,
        low: int,
        high: int,
        default: int | None = None,
        param: str = "seed",
    ) -> int | None:
        """The seed for call ``index`` of a request core split into several calls (``n`` above
        the model's images per call): ``seed + index``, wrapped into the provider's ``low`` to
        ``high``, and the change recorded; call 0 keeps ``seed``. The same seed in every call
        would repeat the first call's images. ``default`` is the seed the provider uses when
        none is sent, for providers whose default is fixed (``None``: a random one). ``param``
        names the setting in the adjustment (a provider's own seed field passed through)."""
        base = default if seed is None else seed
        if index == 0 or base is None:
            return seed
        applied = low + (base - low + index) % (high - low + 1)
        self.adjust(
            param,
            seed,
            applied,
            f"n was split across calls; call {index + 1} sends seed {applied} so its images "
            "differ from the other calls'",
        )
        return applied

    def warn(self, code: str, message: str, param: str | None = None) -> None:
        """A notice for the response's ``warnings`` (``code`` is machine-readable)."""
        self.warnings.append(Notice(code=code, message=message, param=param))
