"""A seed passed through in Google's own fields, split across the calls of a split request as
the request's ``seed`` is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from limner import Changes, ModelInfo

from .plan import split_seed
from .spelling import camel, field_of

__all__ = ["split_passed_seed"]


def split_passed_seed(
    changes: Changes,
    model: ModelInfo,
    index: int,
    asked: int | None,
    forwarded: Mapping[str, Any],
    built: Mapping[str, Any],
    section: str,
) -> Mapping[str, Any]:
    """``forwarded`` with a seed passed through in ``section`` (``generationConfig.seed``,
    Imagen's ``parameters.seed``, either spelling) made call ``index``'s own, as the request's
    ``seed`` is (see :func:`~.plan.split_seed`): the same seed in every call of a split request
    would make the first call's images again, each billed. The request's seed (``asked``),
    given there too, is already split in ``built``; a different one is left to be refused when
    merged."""
    if index == 0:
        return forwarded
    passed = dict(forwarded)
    for name, config in forwarded.items():  # (both spellings, if both are given)
        if camel(name) != section or not isinstance(config, dict):
            continue
        for key, value in config.items():
            seed = _whole_number(value) if camel(key) == "seed" else None
            if seed is None:
                continue
            mine = field_of(field_of(built, section), "seed")
            if mine is None:
                own = split_seed(changes, model, seed, index, param=f"{section}.seed")
            elif seed == asked:
                own = mine
            else:
                continue  # two seeds: refused when merged
            passed[name] = {**passed[name], key: own}
    return passed


def _whole_number(value: Any) -> int | None:
    """A seed as Google's JSON takes it: a whole number, also spelt as a string (``"5"``, as
    protobuf's JSON reads int fields) or a float without a fraction; else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None
