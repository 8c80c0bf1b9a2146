"""Core's safety net for the rule "never drop a setting silently".

A plugin reports each setting it changes or drops as an :class:`~limner.responses.Adjustment`.
When a model's capabilities declare a setting unsupported (no qualities, ``seed=False`` and so
on) and its plugin's translation reports nothing about a value the user set, the user cannot
tell whether the setting was used: core says so in a warning. A chat's messages get the same
net for what they carry besides text and images (a ``name``, an image's ``detail`` hint).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from pydantic import BaseModel

from .capabilities import Capabilities, ModelInfo, Operation
from .kinds import LIST_LIKE
from .per_model import PerModel
from .responses import Adjustment, Notice

if TYPE_CHECKING:
    from .chat.contract import ChatTurn
    from .wire import WireRequest

__all__ = [
    "END_USER_FIELDS",
    "UNREPORTED_SETTING",
    "unreported_message_settings",
    "unreported_settings",
    "unsent_end_users",
]

UNREPORTED_SETTING = "unreported_setting"
"""``Notice.code`` of a setting the model declares unsupported and its plugin said nothing of."""

_UNSUPPORTED: dict[str, Callable[[Capabilities], bool]] = {
    "quality": lambda caps: not caps.qualities,
    "style": lambda caps: not caps.styles,
    "background": lambda caps: not caps.backgrounds,
    "output_format": lambda caps: not caps.output_formats,
    "output_compression": lambda caps: not caps.output_compression,
    "moderation": lambda caps: not caps.moderation,
    "seed": lambda caps: not caps.seed,
    "negative_prompt": lambda caps: not caps.negative_prompt,
    "input_fidelity": lambda caps: not caps.input_fidelity,
    "image_config": lambda caps: not caps.aspect_ratios and not caps.image_sizes,
    "partial_images": lambda caps: not caps.streaming,  # (a streamed response's)
}
"""Request fields, and when a model's capabilities say it takes no value of them."""


def _unsupported(caps: Capabilities) -> frozenset[str]:
    return frozenset(name for name, lacks in _UNSUPPORTED.items() if lacks(caps))


_unsupported_fields: PerModel[frozenset[str]] = PerModel(
    lambda model: _unsupported(model.capabilities)
)
"""The fields a model declares unsupported."""


def unreported_settings(
    model: ModelInfo,
    request: BaseModel,
    *reported: Iterable[Adjustment | Notice],
    operation: Operation | None = None,
) -> list[Notice]:
    """A warning for each field the user set (other than to ``"auto"``, which is what leaving
    it out means) that ``model`` declares unsupported (for ``operation``, when its
    capabilities differ by operation) and no ``reported`` adjustment or warning names.
    ``request`` is an images request or a chat request."""
    caps = model.capabilities
    unsupported = (
        _unsupported(caps.for_operation(operation))
        if operation is not None and operation in caps.per_operation
        else _unsupported_fields(model)
    )
    candidates = request.model_fields_set & unsupported
    if not candidates:  # the common case: nothing to look at
        return []
    named = {item.param.split(".", 1)[0] for items in reported for item in items if item.param}
    notices = []
    for field in sorted(candidates - named):
        value = getattr(request, field)
        if isinstance(value, BaseModel):  # image_config: the fields the user set
            value = value.model_dump(exclude_none=True) or None
        if value is None or value == "auto":
            continue
        notices.append(
            Notice(
                code=UNREPORTED_SETTING,
                param=field,
                message=f"{field}={value!r}: {model.id} declares no {field} setting, and its "
                "plugin did not say whether it was sent (most likely it was not)",
            )
        )
    return notices


END_USER_FIELDS = ("user", "safety_identifier")
"""The end-user ids a request may carry; no capability says whether a model takes one."""


def unsent_end_users(
    model: ModelInfo,
    request: BaseModel,
    sent: Iterable[WireRequest],
    *reported: Iterable[Adjustment | Notice],
) -> list[Notice]:
    """A warning for each end-user id the user set that no ``reported`` adjustment or warning
    names and that no request ``sent`` carries: a plugin that does not know the field (a
    third-party one written before it) would otherwise leave it out without a word."""
    given: list[tuple[str, str]] = []
    for name in END_USER_FIELDS:
        value = getattr(request, name, None)
        if isinstance(value, str) and value:
            given.append((name, value))
    if not given:  # the common case: ``sent`` is not even looked at
        return []
    return _unsent(model, given, sent, reported)


def _unsent(
    model: ModelInfo,
    given: list[tuple[str, str]],
    sent: Iterable[WireRequest],
    reported: tuple[Iterable[Adjustment | Notice], ...],
) -> list[Notice]:
    """:func:`unsent_end_users` once the request sets one (apart: its comprehensions' closures
    are made only then)."""
    named = {item.param.split(".", 1)[0] for items in reported for item in items if item.param}
    given = [(name, value) for name, value in given if name not in named]
    if not given:
        return []
    carried = [text for wire in sent for text in _texts(wire)]
    return [
        Notice(
            code=UNREPORTED_SETTING,
            param=name,
            message=f"{name}={value!r}: {model.id}'s plugin did not say what it did with it, "
            "and its request does not carry it (most likely it was not sent)",
        )
        for name, value in given
        if not any(value in text for text in carried)
    ]


def _texts(wire: WireRequest) -> Iterator[str]:
    """Every text a request carries: its URL (decoded too), header values, form values, JSON
    strings, and a raw body (decoded, and its JSON strings)."""
    yield wire.url
    yield unquote_plus(wire.url)
    yield from wire.headers.values()
    yield from (value for _, value in wire.form)
    pending: list[Any] = [wire.json]
    if wire.content:
        text = wire.content.decode("utf-8", "replace")
        yield text
        with contextlib.suppress(ValueError):
            pending.append(json.loads(text))
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, LIST_LIKE):
            pending.extend(item)


def unreported_message_settings(
    turns: Iterable[ChatTurn], *reported: Iterable[Adjustment | Notice]
) -> list[Notice]:
    """The same safety net for a chat's messages: a warning for each message ``name`` and image
    ``detail`` hint that no adjustment or warning names, since the plugin did not say whether it
    was sent."""
    params = {item.param for items in reported for item in items if item.param}
    notices = []
    for turn in turns:
        where = f"messages[{turn.index}]"
        if turn.name is not None and f"{where}.name" not in params:
            notices.append(_unreported(f"{where}.name", f"the name {turn.name!r}"))
        hinted = any(part.detail is not None for part in turn.parts)
        if hinted and not any(p.startswith(where) and p.endswith(".detail") for p in params):
            notices.append(_unreported(where, "an image's detail hint"))
    return notices


def _unreported(param: str, what: str) -> Notice:
    return Notice(
        code=UNREPORTED_SETTING,
        message=f"{param}: {what} was given, and the provider's plugin did not say whether it "
        "was sent",
        param=param,
    )
