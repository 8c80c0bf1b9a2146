"""``--option KEY=VALUE`` and the flags, merged into one request: objects key by key, a key set
twice to different values refused (naming both settings), so no setting is dropped."""

from __future__ import annotations

import argparse
import base64
import functools
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NoReturn

from ..errors import InvalidRequestError
from ..image_header import image_mime
from ..suggest import did_you_mean

__all__ = ["request_fields"]


@functools.cache
def _text_fields() -> frozenset[str]:
    """The request fields that hold text, so ``--option user=123`` stays the text ``"123"``."""
    from ..requests import EditRequest, GenerateRequest

    return frozenset(
        name
        for model in (GenerateRequest, EditRequest)
        for name, field in model.model_fields.items()
        if field.annotation in (str, str | None)
    )


def _value(text: str, key: str, *, text_field: bool = False) -> Any:
    """``text`` as JSON when it parses, else the string; a JSON object naming one key twice with
    different values is refused (``json.loads`` would keep the last silently), and so is an
    object or list that does not parse, but for a text field (where it is text)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, item in pairs:
            if name in out and not _same(out[name], item):
                raise InvalidRequestError(
                    f"--option {key}: {name!r} appears twice in the JSON value "
                    f"({out[name]!r} and {item!r}); give it once",
                    param="option",
                )
            out[name] = item
        return out

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        if not text_field and text.lstrip()[:1] in ("{", "["):  # meant as JSON: say why not
            raise InvalidRequestError(
                f"--option {key}: the value is not valid JSON ({exc.msg} at character "
                f'{exc.pos}); quote it for the shell, e.g. --option \'{key}={{"k": "v"}}\'',
                param="option",
            ) from None
        return text
    except ValueError:
        return text
    except RecursionError:
        raise InvalidRequestError(
            f"--option {key}: the JSON value nests too deeply to read", param="option"
        ) from None


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


Origins = dict[tuple[str, ...], str]


def _put(
    fields: dict[str, Any], path: tuple[str, ...], value: Any, source: str, origins: Origins
) -> None:
    """Set ``fields[path[0]][path[1]]...`` to ``value``, merging objects key by key. A key given
    twice with different values is refused, naming both settings: no setting is dropped."""
    node = fields
    for depth, key in enumerate(path[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            _conflict(path[: depth + 1], child, value, source, origins)
        node = child
    key = path[-1]
    if isinstance(value, dict):
        current = node.setdefault(key, {})
        if not isinstance(current, dict):
            _conflict(path, current, value, source, origins)
        for name, item in value.items():
            _put(fields, (*path, name), item, source, origins)
        return
    if key in node:
        if _same(node[key], value):
            return
        _conflict(path, node[key], value, source, origins)
    node[key] = value
    origins[path] = source


def _conflict(
    path: tuple[str, ...], current: Any, value: Any, source: str, origins: Origins
) -> NoReturn:
    earlier = next(
        (
            origin
            for where, origin in origins.items()
            if where[: len(path)] == path or path[: len(where)] == where
        ),
        "an earlier setting",
    )
    name = ".".join(path)
    raise InvalidRequestError(
        f"{name} is set twice with different values: {current!r} by {earlier} and {value!r} by "
        f"{source}; give {name} once",
        param="option",
    )


def _option_path(key: str, providers: Collection[str]) -> tuple[str, ...]:
    """Where ``--option KEY=...`` goes: ``FIELD``, or ``PROVIDER[.OPTION...]`` (also spelled
    ``provider_options.PROVIDER...``) under ``provider_options``."""
    parts = key.split(".")
    explicit = parts[0] == "provider_options" and len(parts) > 1
    if explicit:
        parts = parts[1:]
    if all(parts):
        if parts[0] in providers:
            return ("provider_options", *parts)
        if len(parts) == 1 and not explicit:
            return (parts[0],)
    hint = did_you_mean(parts[0], providers) if len(parts) > 1 and parts[0] not in providers else ""
    raise InvalidRequestError(
        f"--option {key!r}: use FIELD=VALUE or PROVIDER.OPTION=VALUE "
        f"(providers: {', '.join(sorted(providers))}){hint}",
        param="option",
    )


def request_fields(
    args: argparse.Namespace, providers: Mapping[str, Collection[str]]
) -> dict[str, Any]:
    """The request's fields from the flags, then every ``--option`` in order, merged key by key
    (``image_config``, ``provider_options``...); one key set to two values is refused.
    ``providers``: each name a provider answers to, with the names of its options that hold
    text."""
    reserved = {
        "model": "-m/--model",
        "prompt": "the PROMPT argument",
        "dry_run": "--dry-run",
        "timeout": "--timeout",  # the client's settings, which the flags give (not request fields)
        "max_retries": "--max-retries",
        "poll_timeout": "--poll-timeout",
    }
    flags: list[tuple[tuple[str, ...], Any, str]] = [
        (("size",), args.size, "--size"),
        (("quality",), args.quality, "--quality"),
        (("seed",), args.seed, "--seed"),
        (("n",), args.n, "-n"),
        (("negative_prompt",), args.negative_prompt, "--negative-prompt"),
        (("image_config", "aspect_ratio"), args.aspect_ratio, "--aspect-ratio"),
        (("image_config", "image_size"), args.image_size, "--image-size"),
    ]
    if args.command == "edit":
        reserved |= {"image": "--image", "images": "--image"}
        flags += [
            (("mask",), args.mask, "--mask"),  # a path or URL, as ImageRef reads text
            (("markup",), args.markup, "--markup"),
            (("edit_mode",), args.edit_mode, "--edit-mode"),
        ]
    fields: dict[str, Any] = {}
    origins: Origins = {}
    for path, value, source in flags:
        if value is not None:
            _put(fields, path, value, source, origins)
    for option in args.option:
        key, sep, raw = option.partition("=")
        if not sep or not key:
            raise InvalidRequestError(f"--option {option!r}: expected KEY=VALUE", param="option")
        path = _option_path(key, providers)
        if path[0] in reserved:
            raise InvalidRequestError(
                f"--option {key}: give {path[0]} with {reserved[path[0]]}, not --option",
                param="option",
            )
        text_field = (len(path) == 1 and path[0] in _text_fields()) or (
            len(path) == 3 and path[2] in providers[path[1]]  # a provider's text option
        )
        if len(path) == 3 and not text_field and raw.startswith("@"):  # (no JSON starts so)
            _put(fields, path, _file_value(raw[1:], key), f"--option {key}", origins)
            continue
        value = _value(raw, key, text_field=text_field)
        if text_field and not isinstance(value, str | None):
            value = raw  # user=123 is the text "123"; '"vivid"' and null read as JSON still
        _put(fields, path, value, f"--option {key}", origins)
    return fields


def _file_value(name: str, key: str) -> str:
    """``--option KEY=@FILE``: the file's bytes as a ``data:`` URL, for an option that takes an
    image (Nova Canvas's ``condition_image``), which on the command line would otherwise be a
    base64 argument past the system's limit on an argument's length."""
    try:
        data = Path(name).expanduser().read_bytes()
    except OSError as exc:
        raise InvalidRequestError(
            f"--option {key}=@{name}: cannot read the file ({exc.strerror or exc})",
            param="option",
        ) from None
    mime = image_mime(data) or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"
