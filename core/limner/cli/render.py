"""Text rendering for the ``limner`` command: the models table and one model's details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..capabilities import FieldRule, Lifecycle, ModelInfo, OperationCapabilities, PriceSheet
from ..dryrun import DryRun
from ..responses import Adjustment, Notice
from ..safe_text import escape_controls

__all__ = ["model_details", "models_table", "notes", "options_text"]


def _sizes(model: ModelInfo) -> str:
    caps = model.capabilities
    if caps.size_rules is not None:
        rules = caps.size_rules
        return f"{rules.min_side}-{rules.max_side}px /{rules.multiple_of}"
    if caps.sizes:  # a long list in full is the details' (limner models MODEL)
        listed = [size for size in caps.sizes if size != "auto"]
        auto = "auto, " if len(listed) < len(caps.sizes) else ""
        return ",".join(caps.sizes) if len(listed) <= 2 else f"{auto}{len(listed)} sizes"
    if caps.aspect_ratios:
        return f"{len(caps.aspect_ratios)} aspect ratios"
    return "-"


def terminal_safe(text: str) -> str:
    """``text`` with its control characters shown as escapes (``\u001b``): words a provider
    answered with reach the terminal, where an escape sequence could clear the screen, recolour
    it or plant a link."""
    return escape_controls(text)


def dollars(amount: Decimal) -> str:
    """An amount in USD as the CLI prints every cost and estimate: exact, with no trailing
    zeros past the cents (``$0.04``, ``$0.16005``, ``$0.40``)."""
    if not amount.is_finite():
        return f"${amount}"
    text = f"{amount.copy_abs() if amount.is_zero() else amount:f}"  # -0 is 0
    whole, _, fraction = text.partition(".")
    return f"${whole}.{fraction.rstrip('0').ljust(2, '0')}"


def _price(model: ModelInfo) -> str:
    """The per-image range of generation (or, for a model that does not generate, its first
    operation): an edit service may cost less or more. Token-billed models are marked ``~``
    (an estimate before the call)."""
    sheet = model.pricing
    if sheet is None:
        return "unknown"
    operations = model.capabilities.operations
    first = "generate" if "generate" in operations else next(iter(operations), None)
    prices = sorted({row.usd for row in sheet.per_image if row.operation in (None, first)})
    tokens = sheet.per_million_tokens is not None
    if not prices:
        return "per token" if tokens else "unknown"
    low, high = prices[0], prices[-1]
    text = dollars(low) if low == high else f"{dollars(low)}-{dollars(high)[1:]}"
    return f"~{text}" if tokens else text


def _status(model: ModelInfo) -> str:
    """The status and, where there is one, the shutdown date, said as past or to come."""
    life = model.lifecycle
    if life.shutdown_on is None:
        return life.status
    ended = _ended(life)
    if ended is not None:
        return f"{ended} {life.shutdown_on}"
    ends = "ended" if life.is_past_shutdown(dt.date.today()) else "ends"
    return f"{life.status}, {ends} {life.shutdown_on}"


def _ended(life: Lifecycle) -> str | None:
    """How a model whose status says it ended is said to have (``shut down``, ``retired``);
    ``None`` for another status, or one whose date is still to come."""
    if life.status not in ("shutdown", "retired") or life.shutdown_on is None:
        return None
    if not life.is_past_shutdown(dt.date.today()):
        return None
    return "shut down" if life.status == "shutdown" else "retired"


def models_table(models: Sequence[ModelInfo]) -> str:
    """One line per model."""
    header = ("MODEL", "STATUS", "OPERATIONS", "SIZES", "N/CALL", "PRICE/IMAGE")
    rows = [header] + [
        (
            model.id,
            _status(model),
            ",".join(model.capabilities.operations),
            _sizes(model),
            str(model.capabilities.max_images_per_call),
            _price(model),
        )
        for model in models
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _lifecycle(model: ModelInfo) -> str:
    life = model.lifecycle
    verb = _ended(life)
    if verb is not None:
        # "shut down on 2026-09-30 (deprecated on 2026-03-30)": the end first, then its history
        text = f"{verb} on {life.shutdown_on}"
        if life.deprecated_on:
            text += f" (deprecated on {life.deprecated_on})"
        return text + (f", replacement {life.replacement}" if life.replacement else "")
    text = str(life.status)
    for label, value in (
        ("deprecated on", life.deprecated_on),
        (_shuts(life), life.shutdown_on),
        ("replacement", life.replacement),
    ):
        if value:
            text += f", {label} {value}"
    return text


def _shuts(life: Lifecycle) -> str:
    if life.is_past_shutdown(dt.date.today()):  # the status is the source's; the date passed
        return "past its shutdown date,"
    return "shuts down on"


def _price_lines(sheet: PriceSheet) -> list[str]:
    lines = [f"  prices (USD, as of {sheet.as_of}; {sheet.source}):"]
    if sheet.per_million_tokens is not None:
        tokens = sheet.per_million_tokens.model_dump(exclude_none=True)
        lines.append("    per 1M tokens: " + ", ".join(f"{k} {v}" for k, v in tokens.items()))
    for index, row in enumerate(sheet.per_image):
        band = f"up to {row.max_size}" if row.max_size else None
        keys = " ".join(v for v in (row.operation, row.edit_mode, row.quality, row.size, band) if v)
        before = sheet.per_image[:index]  # rows are matched in order: later ones are fall-backs
        other = [
            f"other {what}"
            for what, missing, named in (
                ("qualities", row.quality is None, any(r.quality for r in before)),
                (
                    "sizes",
                    row.size is None and band is None,
                    any(r.size or r.max_size for r in before),
                ),
            )
            if missing and named
        ]
        fallback = "other qualities and sizes" if len(other) == 2 else "".join(other)
        label = ", ".join(part for part in (keys, fallback) if part)
        lines.append(f"    {label or 'any'}: {dollars(row.usd)}")
    if sheet.notes:
        lines.append(f"    note: {sheet.notes}")
    return lines


def _capability_lines(model: ModelInfo) -> list[str]:
    lines: list[str] = []
    for name, value in model.capabilities.model_dump().items():
        if value in ((), [], {}, None, False):
            continue
        if name == "field_rules":
            lines.extend(f"  rule: {_rule_text(rule)}" for rule in model.capabilities.field_rules)
            continue
        if name in ("per_operation", "per_backend"):
            per: dict[str, OperationCapabilities] = getattr(model.capabilities, name)
            lead = "on" if name == "per_backend" else "for"  # on BACKEND: ...; for edit: ...
            for key, differs in per.items():
                given = differs.model_dump(exclude_none=True).items()
                said = "; ".join(f"{field} {_listed(held)}" for field, held in given)
                lines.append(f"  {lead} {key}: {said}")
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={_number(v)}" for k, v in value.items() if v is not None)
        lines.append(f"  {name}: {value}")
    return lines


def _number(value: object) -> object:
    """A float as people write it (``0.3333`` for a third, ``3`` for 3.0); anything else as is."""
    return f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else value


def _listed(value: object) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(str(item) for item in value) or "none"
    return str(value)


def _rule_text(rule: FieldRule) -> str:
    when = f"{rule.when} {' or '.join(str(v) for v in rule.values)}"
    then = " or ".join(str(v) for v in rule.allowed)
    said = f"{rule.then} is {then}" if rule.allowed else f"no {rule.then}"
    return f"with {when}, {said} ({rule.reason})"


def model_details(model: ModelInfo) -> str:
    """Capabilities, lifecycle and prices of one model, as readable text."""
    lines = [model.id + (f" ({model.display_name})" if model.display_name else "")]
    if model.description:
        lines.append(f"  {model.description}")
    if model.aliases:
        lines.append(f"  aliases: {', '.join(model.aliases)}")
    lines.append(f"  lifecycle: {_lifecycle(model)}")
    lines.extend(_capability_lines(model))
    if model.pricing is not None:
        lines.extend(_price_lines(model.pricing))
    return "\n".join(lines)


def options_text(schema: dict[str, Any]) -> str | None:
    """The model's own ``provider_options``, from its request ``schema``, one line per option:
    its type, values or range, and description; ``None`` when the provider takes none."""
    namespaces = schema["properties"].get("provider_options", {}).get("properties", {})
    if not namespaces:
        return None
    names = " or ".join(namespaces)
    own = next(iter(namespaces.values()))
    options = _non_null(own).get("properties", {})
    if not options:
        return None
    lines = [f"provider_options ({names}):"]
    for name, prop in options.items():
        kind = _kind(_non_null(prop))
        about = prop.get("description", "")
        lines.append(f"  {name}: {kind}" + (f"; {about}" if about else ""))
    return "\n".join(lines)


def _non_null(prop: dict[str, Any]) -> dict[str, Any]:
    """``prop`` without the ``null`` it takes for "unset"."""
    parts = [part for part in prop.get("anyOf", []) if part != {"type": "null"}]
    if len(parts) == 1:
        return _non_null(parts[0]) if "anyOf" in parts[0] else parts[0]
    kinds = {str(part.get("type")) for part in parts}
    return {"type": kinds.pop()} if len(kinds) == 1 and parts else prop  # bytes or text


def _kind(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "one of " + ", ".join(str(value) for value in prop["enum"] if value is not None)
    kind = prop.get("type", "value")
    kind = " or ".join(k for k in kind if k != "null") if isinstance(kind, list) else str(kind)
    if kind == "array" and isinstance(prop.get("items"), dict):
        items = prop["items"]
        each = ", ".join(map(str, items["enum"])) if "enum" in items else _kind(items)
        kind = f"list of {each}"
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and high is not None:
        kind += f" {low} to {high}"
    elif low is not None:
        kind += f" from {low}"
    elif high is not None:
        kind += f" up to {high}"
    if "$ref" in prop:
        kind = "object " + str(prop["$ref"]).rsplit("/", 1)[-1]
    return kind


def notes(adjustments: Sequence[Adjustment], warnings: Sequence[Notice]) -> list[str]:
    """One line per adjustment and warning."""
    out = []
    for item in adjustments:
        applied = "dropped" if item.applied is None else f"-> {item.applied!r}"
        out.append(f"adjusted {item.param}: {item.requested!r} {applied} ({item.reason})")
    out.extend(f"warning: {notice.message}" for notice in warnings)
    return out


def dry_run_text(plan: DryRun) -> str:
    lines = [f"{plan.model} via {plan.provider}: {len(plan.requests)} request(s)"]
    for request in plan.requests:
        lines.append(f"  {request['method']} {request['url']}")
    cost = "unknown" if plan.estimated_cost_usd is None else dollars(plan.estimated_cost_usd)
    if plan.estimated_cost_usd is not None and any(e.output_only for e in plan.estimates):
        cost += " (the output images; the prompt's and input images' tokens are billed on top)"
    lines.append(f"estimated cost: {cost}")
    lines.extend(notes(plan.adjustments, plan.warnings))
    return "\n".join(lines)
