"""Per-model JSON Schema of the requests a model accepts (:mod:`limner.validation` checks
requests against it).

The schema is the OpenAI-compatible request schema narrowed by the model's capabilities.
Settings a model cannot honour but that its plugin adjusts (a seed it drops, a size it snaps)
stay valid here: the plugin reports the adjustment. Values no model understands are refused.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .capabilities import PORTABLE_QUALITIES, FieldRule, ModelInfo, Operation
from .errors import UnsupportedFeatureError
from .per_model import PerModel
from .requests import ASPECT_PATTERN, SIZE_PATTERN
from .suggest import did_you_mean
from .unknown_names import forbid_in_schema

if TYPE_CHECKING:
    from .provider import Provider

__all__ = [
    "PORTABLE_QUALITIES",
    "Compiled",
    "check_operation",
    "compiled",
    "field_rules",
    "model_constraints",
    "request_schema",
]


_IMAGE_ITEM: dict[str, Any] = {
    "description": "an https or data: URL, or an uploaded file reference",
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "properties": {"file_id": {"type": "string"}},
            "required": ["file_id"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"image_url": {"type": "string"}},
            "required": ["image_url"],
            "additionalProperties": False,
        },
    ],
}


def _base(operation: Operation) -> dict[str, Any]:
    common: dict[str, Any] = {
        "model": {"type": "string", "minLength": 1},
        # null means the default, as in OpenAI's API (its SDKs send it when told n=None)
        "n": {"type": ["integer", "null"], "minimum": 1, "maximum": 10, "default": 1},
        "size": {"type": "string", "pattern": SIZE_PATTERN},
        "response_format": {"enum": ["url", "b64_json"]},
        "user": {"type": "string"},
        "extra_headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "provider_options": {
            "type": "object",
            "additionalProperties": {"type": ["object", "null"]},
        },
    }
    if operation == "variation":
        return {**common, "image": _IMAGE_ITEM}
    prompt: dict[str, Any] = {
        "prompt": {
            "type": "string",
            "minLength": 1,
            "maxLength": 32000,
            "pattern": "\\S",
            "description": "not blank",
        },
        "quality": {"type": "string"},
        "style": {"type": "string"},
        "background": {"type": "string"},
        "output_format": {"type": "string"},
        "output_compression": {"type": "integer", "minimum": 0, "maximum": 100},
        "moderation": {"type": "string"},
        "seed": {"type": "integer"},
        "negative_prompt": {"type": "string"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "safety_identifier": {"type": "string"},
        "partial_images": {
            "type": "integer",
            "minimum": 0,
            "maximum": 3,
            "description": "partial images of a streamed response, which limner does not make",
        },
        "image_config": {
            "type": "object",
            "properties": {
                "aspect_ratio": {"type": ["string", "null"], "pattern": ASPECT_PATTERN},
                "image_size": {"type": ["string", "null"], "minLength": 1},
            },
            "additionalProperties": False,
        },
    }
    if operation == "edit":
        prompt["images"] = {"type": "array", "items": _IMAGE_ITEM, "minItems": 1, "maxItems": 16}
        prompt["mask"] = _IMAGE_ITEM
        prompt["markup"] = _IMAGE_ITEM
        prompt["input_fidelity"] = {"enum": ["high", "low", None]}
        prompt["edit_mode"] = {"type": "string"}
    return {**common, **prompt}


_PLURAL = {
    "output_format": "output_formats",
    "background": "backgrounds",
    "style": "styles",
    "moderation": "moderation",
}
"""Each request field narrowed by an enum, and the capability listing its values."""


def model_constraints(model: ModelInfo, operation: Operation) -> dict[str, dict[str, Any]]:
    """What the model narrows in the shared request schema, field by field (JSON Schema
    keywords). The schema and the fast check in :func:`limner.validation.validate_request` both
    come from here."""
    caps = model.capabilities.for_operation(operation)
    rules: dict[str, dict[str, Any]] = {"n": {"maximum": caps.max_n}}
    if operation != "variation":
        rules["prompt"] = {"maxLength": caps.max_prompt_chars}
        said_untaken = f"not taken by {operation}: dropped, and said"  # (the model's others)
        if caps.qualities:
            allowed = list(dict.fromkeys((*caps.qualities, *PORTABLE_QUALITIES)))
            mapped = ", ".join(f"{k} as {v}" for k, v in caps.quality_map.items())
            said = f"mapped onto the model's: {mapped}" if mapped else "mapped onto the model's"
            rules["quality"] = {"enum": allowed, "description": said}
        for field, plural in _PLURAL.items():
            values = getattr(caps, plural)
            if values:
                rules[field] = {"enum": list(values)}
            elif getattr(model.capabilities, plural):
                rules[field] = {"description": said_untaken}
        if caps.seed and caps.seed_range is not None:
            rules["seed"] = {"minimum": caps.seed_range[0], "maximum": caps.seed_range[1]}
        elif not caps.seed and model.capabilities.seed:
            rules["seed"] = {"description": said_untaken}
        if caps.negative_prompt and caps.max_negative_prompt_chars is not None:
            rules["negative_prompt"] = {"maxLength": caps.max_negative_prompt_chars}
        elif not caps.negative_prompt and model.capabilities.negative_prompt:
            rules["negative_prompt"] = {"description": said_untaken}
    if operation == "edit":
        rules["images"] = {"maxItems": max(caps.max_input_images, 1)}
        honoured = ", ".join(caps.input_fidelity) or "none: a value is dropped, and said"
        rules["input_fidelity"] = {"description": f"honoured by this model: {honoured}"}
        if caps.edit_modes:
            rules["edit_mode"] = {"enum": list(caps.edit_modes)}
    return rules


def _build_schema(model: ModelInfo, operation: Operation) -> dict[str, Any]:
    props = _base(operation)
    for field, rule in model_constraints(model, operation).items():
        if "enum" in rule:
            props[field] = dict(rule)
        else:
            props[field].update(rule)
    required = ["model", "image"] if operation == "variation" else ["model", "prompt"]
    rules = [_rule_schema(rule) for rule in field_rules(model, operation)]
    if operation == "edit":
        rules += _edit_rules(model, props, required)
    for name, prop in props.items():
        if name not in required:
            props[name] = _nullable(prop)
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{model.id} {operation} request",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": True,
    }
    if rules:
        schema["allOf"] = rules
    return schema


def _edit_rules(
    model: ModelInfo, props: dict[str, Any], required: list[str]
) -> list[dict[str, Any]]:
    """What an edit's schema adds for ``model``: ``images`` required, the fields it takes no
    value of made null-only (in ``props``, ``required``), and the rules between fields."""
    required.append("images")
    caps = model.capabilities
    rules: list[dict[str, Any]] = []
    if caps.edit_modes_without_prompt:  # the prompt of prompt-less edit modes may be left out
        required.remove("prompt")
        strict = {
            "type": "string",
            **{key: props["prompt"].pop(key) for key in ("minLength", "pattern")},
        }
        props["prompt"]["pattern"] = r"^$|\S"  # none, or not blank: a blank one is refused
        rules.append(
            {
                "description": "these edit modes may do without a prompt",
                "if": {
                    "properties": {"edit_mode": {"enum": list(caps.edit_modes_without_prompt)}},
                    "required": ["edit_mode"],
                },
                "else": {"required": ["prompt"], "properties": {"prompt": strict}},
            }
        )
    for name, taken in (
        ("mask", caps.mask),
        ("markup", caps.markup),
        ("edit_mode", caps.edit_modes),
    ):
        if not taken:  # refused by _check_edit (a null one is none): the schema says so
            props[name] = {"type": "null"}
    if caps.markup and caps.mask:
        rules.append(_ONE_OF_MASK_AND_MARKUP)
    needing = caps.edit_modes_needing_mask
    if needing and not caps.mask_from_alpha:
        rules.append(_mask_needed(needing, every=set(caps.edit_modes) <= set(needing)))
    return rules


def _mask_needed(modes: tuple[str, ...], *, every: bool) -> dict[str, Any]:
    """The rule that an edit in one of ``modes`` (``every`` edit, when they are all the modes
    there are, edit_mode set or not) has a mask."""
    has_mask = {"required": ["mask"], "properties": {"mask": {"not": {"type": "null"}}}}
    if every:
        return {"description": "every edit needs a mask", **has_mask}
    return {
        "description": "these edit modes need a mask",
        "if": {"properties": {"edit_mode": {"enum": list(modes)}}, "required": ["edit_mode"]},
        "then": has_mask,
    }


_ONE_OF_MASK_AND_MARKUP: dict[str, Any] = {
    "description": "a mask or a markup, not both",
    "not": {
        "required": ["mask", "markup"],
        "properties": {"mask": {"not": {"type": "null"}}, "markup": {"not": {"type": "null"}}},
    },
}


def _without_ref(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "$ref"}


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """``prop`` also taking ``null``: an optional field set to null is unset, as the request
    models (and OpenAI's API) read it."""
    prop = dict(prop)
    if "enum" in prop and None not in prop["enum"]:
        prop["enum"] = [*prop["enum"], None]
    if "type" in prop:
        kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        if "null" not in kinds:
            prop["type"] = [*kinds, "null"]
    elif "oneOf" in prop:
        prop["oneOf"] = [*prop["oneOf"], {"type": "null"}]
    elif "enum" not in prop and {"type": "null"} not in prop.get("anyOf", []):
        return {"anyOf": [prop, {"type": "null"}]}  # a $ref, an anyOf without null, ...
    return prop


def field_rules(model: ModelInfo, operation: Operation) -> tuple[FieldRule, ...]:
    """The model's :class:`~limner.capabilities.FieldRule` s that apply to ``operation``: those
    whose two fields the operation's requests have."""
    fields = _base(operation)
    return tuple(
        rule
        for rule in model.capabilities.field_rules
        if rule.when in fields and rule.then in fields
    )


def _rule_schema(rule: FieldRule) -> dict[str, Any]:
    # null is "unset" for every request field (the request models read None so): it passes
    allowed = [*rule.allowed, None] if rule.allowed else [None]
    then = {"properties": {rule.then: {"enum": allowed}}}
    return {
        "description": rule.reason,
        "if": {"properties": {rule.when: {"enum": list(rule.values)}}, "required": [rule.when]},
        "then": then,
    }


@dataclass(frozen=True)
class Compiled:
    """What :func:`compiled` keeps per model and operation: the constraints of
    :func:`model_constraints`, the JSON Schema, and the field rules that apply."""

    rules: dict[str, dict[str, Any]]
    schema: dict[str, Any]
    field_rules: tuple[FieldRule, ...]


_COMPILED: PerModel[dict[Operation, Compiled]] = PerModel(lambda model: {})
"""Rules and schema per model and operation, built on first use."""


def compiled(model: ModelInfo, operation: Operation) -> Compiled:
    """The model's :class:`Compiled` constraints and schema for ``operation``, built on first
    use and shared: callers must not change them (:func:`request_schema` hands out copies)."""
    by_operation = _COMPILED(model)
    entry = by_operation.get(operation)
    if entry is None:
        entry = by_operation[operation] = Compiled(
            model_constraints(model, operation),
            _build_schema(model, operation),
            field_rules(model, operation),
        )
    return entry


def request_schema(
    model: ModelInfo, operation: Operation, provider: Provider | None = None
) -> dict[str, Any]:
    """The JSON Schema of ``operation`` requests for ``model``; an operation the model does not
    offer raises :class:`UnsupportedFeatureError` (no request for it can succeed), as does
    ``chat``, whose requests are OpenAI's chat completions body for every model.

    Given the model's ``provider``, ``provider_options`` describes that provider's namespace
    (under its name and each alias) with the JSON Schema of its ``options_model``; other
    namespaces stay open objects, since a request may carry options for several providers.
    """
    if operation == "chat":
        raise UnsupportedFeatureError(
            "chat requests are OpenAI's chat completions body for every model; per-model "
            "schemas cover generate, edit and variation",
            param="operation",
        )
    check_operation(model, operation, param="operation")
    schema = copy.deepcopy(compiled(model, operation).schema)
    if provider is not None:
        _describe_options(schema, provider)
    return schema


def _describe_options(schema: dict[str, Any], provider: Provider) -> None:
    """Put ``provider``'s own ``provider_options`` namespace into ``schema``: the JSON Schema of
    its ``options_model`` (its ``$defs`` lifted to the top); when it has none, no value, as
    :func:`limner.inputs.provider_options` refuses every one."""
    names = (provider.name, *provider.aliases)
    if provider.options_model is None:
        own: dict[str, Any] = {"not": {}, "description": f"{provider.name} takes none"}
    else:
        own = provider.options_model.model_json_schema(ref_template="#/$defs/{model}")
        defs = own.pop("$defs", None)
        forbid_in_schema(provider.options_model, own, defs)  # as validation refuses them
        if defs:
            schema.setdefault("$defs", {}).update(defs)
        if "$ref" in own:  # a model that refers to itself is all in $defs: take its copy
            own = {**copy.deepcopy(defs[own["$ref"].rsplit("/", 1)[-1]]), **_without_ref(own)}
        own.pop("title", None)  # the class name and docstring, written for Python readers
        own["description"] = f"options only {provider.display_name or provider.name} understands"
        own["properties"] = {  # null: unset (limner.inputs.provider_options)
            name: _nullable(prop) for name, prop in own.get("properties", {}).items()
        }
    options: dict[str, Any] = {
        "type": ["object", "null"],
        "description": f"settings only one provider understands, under its name; "
        f"{' or '.join(repr(name) for name in names)} for this model",
        "properties": {name: _nullable(own) for name in names},
        "additionalProperties": {"type": ["object", "null"]},
    }
    if len(names) > 1:  # one provider's settings under two of its names are refused
        options["not"] = {
            "type": "object",  # "required" holds for null too: let null through
            "anyOf": [
                {"required": [first, second]}
                for index, first in enumerate(names)
                for second in names[index + 1 :]
            ],
        }
    schema["properties"]["provider_options"] = options


def check_operation(model: ModelInfo, operation: Operation, param: str = "model") -> None:
    """Raise :class:`UnsupportedFeatureError` naming ``param`` unless ``model`` offers
    ``operation``."""
    caps = model.capabilities
    if not caps.supports(operation):
        meant = did_you_mean(str(operation), caps.operations, quoted=False)
        offered = ", ".join(caps.operations) or "none, where this client reaches it"
        raise UnsupportedFeatureError(
            f"{model.id} does not support {operation} (it supports: {offered}){meant}",
            param=param,
        )
