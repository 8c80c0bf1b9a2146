"""Checking a request against its model's JSON Schema and capabilities before translation.

The common case is a quick check of the constraints :mod:`limner.schema` compiles per model;
jsonschema runs only when that check fails, to find and word the error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .capabilities import FieldRule, ModelInfo, Operation
from .errors import InvalidRequestError, LimnerError, UnsupportedFeatureError
from .input_errors import SCHEMA_BOUNDS, out_of_range, param_path, shown_value
from .kinds import BYTES_LIKE, LIST_LIKE
from .requests import INPUT_FIELDS, EditRequest, ImageRequest
from .schema import check_operation, compiled

if TYPE_CHECKING:
    import jsonschema

    from .provider import Provider, ProviderSettings

__all__ = ["NOT_ON_BACKEND", "check_backend", "satisfies", "validate_request"]

_IMAGE_FIELDS = set(INPUT_FIELDS)  # bytes, left out of the JSON the schema checks
_MESSAGE_LIMIT = 300


def satisfies(request: ImageRequest, rules: dict[str, dict[str, Any]]) -> bool:
    """Whether a request (already valid against the shared schema, which pydantic enforces)
    meets the model's constraints. Only fields the caller set are checked: the defaults (``n=1``
    and ``None``) meet every constraint."""
    for field in request.model_fields_set & rules.keys():
        rule = rules[field]
        value = getattr(request, field, None)
        if value is None:
            continue
        if "enum" in rule and value not in rule["enum"]:
            return False
        if "minimum" in rule and value < rule["minimum"]:
            return False
        if "maximum" in rule and value > rule["maximum"]:
            return False
        if "maxLength" in rule and len(value) > rule["maxLength"]:
            return False
        if "maxItems" in rule and len(value) > rule["maxItems"]:
            return False
    return True


def validate_request(model: ModelInfo, operation: Operation, request: ImageRequest) -> None:
    """Check ``request`` against the model's JSON Schema and capabilities; raise an
    :class:`InvalidRequestError` naming the parameter on the first problem.

    The common case is a quick check of the model's constraints; jsonschema runs when that
    check fails, to find and word the error.
    """
    check_operation(model, operation)
    if isinstance(request, EditRequest):
        _check_edit(model, request)
    entry = compiled(model, operation)
    if not satisfies(request, entry.rules):
        _raise_schema_error(model, entry.schema, request)
    for rule in entry.field_rules:
        _check_rule(model, rule, request)


def _check_rule(model: ModelInfo, rule: FieldRule, request: ImageRequest) -> None:
    """Refuse ``request`` when it breaks ``rule``; a field left unset breaks none."""
    value = getattr(request, rule.when, None)
    if value is None or value not in rule.values:
        return
    other = getattr(request, rule.then, None)
    if other is None or (rule.allowed and other in rule.allowed):
        return
    allowed = " or ".join(repr(value) for value in rule.allowed)
    needs = f"must be {allowed}" if rule.allowed else "must be left unset"
    raise UnsupportedFeatureError(
        f"{rule.then} {needs} when {rule.when} is {value!r}: {rule.reason} (model {model.id})",
        param=rule.then,
        model=model.id,
    )


def _raise_schema_error(model: ModelInfo, schema: dict[str, Any], request: ImageRequest) -> None:
    import jsonschema

    document = _document(request)
    # Images are checked when loaded (and their count by _check_edit); stand-ins keep the
    # schema's "required" satisfied without dumping image bytes.
    for name in _IMAGE_FIELDS:
        value = getattr(request, name, None)
        if value is not None:
            document[name] = ["<image>"] * len(value) if name == "images" else "<image>"
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        param = param_path(error.absolute_path) or _required_name(error)
        raise InvalidRequestError(
            f"{param}: {_wording(error)} (model {model.id})", param=param, code="invalid_value"
        )


def _document(request: ImageRequest) -> dict[str, Any]:
    """The request as the JSON the schema checks, but for its input images. Bytes elsewhere
    (a plugin's option that takes an image, such as a conditioning image) become a
    stand-in: they are no text, and the option's own check reads them."""
    try:
        return request.model_dump(mode="json", exclude=_IMAGE_FIELDS, exclude_none=True)
    except ValueError:  # bytes that are no UTF-8 text, deep in an option
        dumped = request.model_dump(exclude=_IMAGE_FIELDS, exclude_none=True)
        document: dict[str, Any] = _json_ready(dumped)
        return document


def _json_ready(value: Any) -> Any:
    """``value`` with bytes replaced by a stand-in, and tuples made lists (JSON arrays)."""
    if isinstance(value, BYTES_LIKE):
        return "<bytes>"
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, LIST_LIKE):
        return [_json_ready(item) for item in value]
    return value


def _wording(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, without quoting a long value back (a 32,000-character prompt)."""
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return f"{len(error.instance)} characters; at most {error.validator_value} are accepted"
    if error.validator in SCHEMA_BOUNDS:  # as the request model's range errors say it
        kind = SCHEMA_BOUNDS[str(error.validator)]
        return out_of_range(kind, error.validator_value, error.instance)
    if error.validator == "enum":
        given = shown_value(error.instance)
        listed: Any = error.validator_value
        values = [value for value in listed if value is not None]  # null: unset
        return f"{given} is not one of {values!r}"
    message = error.message
    return message if len(message) <= _MESSAGE_LIMIT else message[: _MESSAGE_LIMIT - 3] + "..."


def _check_edit(model: ModelInfo, request: EditRequest) -> None:
    caps = model.capabilities
    if len(request.images) > caps.max_input_images:
        raise UnsupportedFeatureError(
            f"{model.id} takes at most {caps.max_input_images} input image(s); "
            f"{len(request.images)} given",
            param="images",
        )
    if request.mask is not None and not caps.mask:
        raise UnsupportedFeatureError(f"{model.id} does not take a mask", param="mask")
    if request.markup is not None and not caps.markup:
        raise UnsupportedFeatureError(f"{model.id} does not take a markup", param="markup")
    if request.markup is not None and request.mask is not None:
        raise InvalidRequestError(
            "markup and mask cannot be combined: a mask marks the area to change, a markup "
            "draws on the image what to do; send one",
            param="markup",
        )
    if request.edit_mode is not None and not caps.edit_modes:
        raise UnsupportedFeatureError(
            f"{model.id} offers one kind of edit; leave edit_mode unset", param="edit_mode"
        )
    needing = caps.edit_modes_needing_mask
    if request.mask is None and needing and not caps.mask_from_alpha:
        every = set(caps.edit_modes) <= set(needing)
        if request.edit_mode in needing or every:
            edits = f"{request.edit_mode} edits" if request.edit_mode else "edits"
            raise InvalidRequestError(
                f"mask: {model.id}'s {edits} need a mask, whose transparent pixels mark the area "
                "to change",
                param="mask",
                code="missing_required_parameter",
            )
    if not request.prompt and request.edit_mode not in caps.edit_modes_without_prompt:
        without = caps.edit_modes_without_prompt
        but = f" (only edit_mode {', '.join(without)} may do without)" if without else ""
        raise InvalidRequestError(
            f"prompt: give a prompt, what to change; {model.id} edits need one{but}",
            param="prompt",
            code="missing_required_parameter",
        )


def _required_name(error: jsonschema.ValidationError) -> str:
    if error.validator == "required" and isinstance(error.instance, dict):
        required: Any = error.validator_value
        missing = [name for name in required if name not in error.instance]
        if missing:
            return str(missing[0])
    return "request"


NOT_ON_BACKEND = "not_served_on_backend"
"""``code`` of the error for a model the provider's backend in use does not serve (its settings
choose the backend: a gateway's operator's, not its client's, to change)."""


def check_backend(
    model: ModelInfo, operation: Operation, provider: Provider, settings: ProviderSettings
) -> None:
    """Refuse, before the request's own checks, an ``operation`` the backend ``settings``
    reach does not serve for ``model`` (:attr:`~limner.Capabilities.per_backend`): a request
    was told to add a mask, then that the model is not served there at all."""
    if not model.capabilities.supports(operation):  # (not the backend's doing: said after)
        return
    try:
        backend = provider.backend(settings)
    except LimnerError:  # settings that do not load: said by the steps after
        return
    differs = model.capabilities.per_backend.get(backend) if backend is not None else None
    if differs is None or differs.operations is None or operation in differs.operations:
        return
    note = f": {differs.note}" if differs.note else ""
    raise UnsupportedFeatureError(
        f"{model.id} does not serve {operation} through {provider.name}'s {backend} backend{note}",
        param="model",
        provider=provider.name,
        model=model.id,
        code=NOT_ON_BACKEND,
    )
