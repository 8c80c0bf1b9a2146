"""What ``limner generate`` and ``edit`` print for a call that made images: the saved paths,
links and cost (or, with ``--json``, the response without its image data), the notes, and the
shortfalls that make the exit status 1 (images saved elsewhere or nowhere, links not downloaded,
fewer images than asked), said on stderr and, with ``--json``, as the summary's ``error``."""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import sys
from pathlib import Path

from ..errors import LimnerError
from ..image_header import image_mime
from ..responses import ImagesResponse, file_extension
from .output import NotSaved, save
from .render import dollars, notes, terminal_safe
from .stdout import StdoutError, emit

__all__ = ["report"]


def report(
    result: ImagesResponse,
    args: argparse.Namespace,
    *,
    asked: int,
    links_asked: bool,
    stopped: bool = False,
) -> int:
    """Save the images and print what was made; 1 when not all of them were saved where asked
    (said on stderr, and with ``--json`` in the summary's ``error`` too). ``stopped``: the
    command was interrupted, and that error is the one said on stderr."""
    # the extension of a format limner knows (never the provider's text: it could be a path)
    target = args.output or f"limner-{result.created}.{file_extension(result.file_format())}"
    # response_format=url answers carry links, not bytes: those are printed, not saved
    urls = [item.url for item in result.data if item.b64_json is None and item.url is not None]
    with_bytes = [item for item in result.data if item.b64_json is not None]
    paths: list[Path] = []
    elsewhere = False
    renamed: list[Path] = []
    lost: NotSaved | None = None
    if with_bytes:
        try:
            paths, warnings, elsewhere, renamed = save(
                result.model_copy(update={"data": with_bytes}), target, asked
            )
        except NotSaved as exc:  # made and billed: the summary and cost are still printed
            lost, warnings = exc, []
        for line in warnings:
            print(terminal_safe(line), file=sys.stderr)
    # saved, but not where asked, or not at all, or not all of them: a script should notice
    shortfalls = (
        [_lost(len(with_bytes), lost)]
        if lost is not None
        else _shortfalls(
            made=len(result.data),
            asked=asked,
            unsaved=urls if not links_asked else [],
            elsewhere=paths if elsewhere else [],
            renamed=renamed if args.output else [],  # (a default name is no name asked for)
            target=target,
        )
    )
    try:
        kept = lost is not None  # saved nowhere: the image data goes to stdout, not lost
        if args.json:
            error = _shortfall_error(shortfalls)
            _print_summary(result, paths, urls, error, stopped=stopped, with_data=kept)
        else:
            data = (
                [_data_url(item.b64_json) for item in with_bytes if item.b64_json] if kept else []
            )
            _print_text(result, paths, [*data, *urls], shortfalls)
    except StdoutError as exc:  # what stdout would have said, for the error on stderr to say
        exc.made = _made(paths, urls)
        raise
    return 1 if shortfalls else 0


def _made(paths: list[Path], urls: list[str]) -> str:
    """Where the images are, when standard output cannot say it: the files saved, and the
    links (which expire, and were printed nowhere else)."""
    said = []
    if paths:
        said.append(f"the images were saved: {', '.join(str(path) for path in paths)}")
    if urls:
        said.append(f"download the images before their links expire: {' '.join(urls)}")
    return terminal_safe("; ".join(said))


def _print_summary(
    result: ImagesResponse,
    paths: list[Path],
    urls: list[str],
    error: LimnerError | None,
    *,
    stopped: bool,
    with_data: bool = False,
) -> None:
    """``--json``: the response without its image data (``with_data``: with it, for images
    saved nowhere), with ``files``, ``urls`` and the ``error`` that makes the status 1, which
    stderr says too (unless the command was stopped: then the interruption is the error
    there)."""
    summary = result.model_dump(mode="json", exclude={"data"})
    # each image's words (revised_prompt, seed, url), in order, without its bytes
    left_out = set() if with_data else {"b64_json"}
    summary["data"] = [
        item.model_dump(mode="json", exclude=left_out, exclude_none=True) for item in result.data
    ]
    summary["files"] = [str(path) for path in paths]
    if urls:
        summary["urls"] = urls
    if error is not None:
        summary |= error.to_openai()
    emit(json.dumps(summary, indent=2))
    if error is not None and not stopped:
        print(json.dumps(error.to_openai()), file=sys.stderr)


def _print_text(
    result: ImagesResponse, paths: list[Path], urls: list[str], shortfalls: list[_Shortfall]
) -> None:
    """The paths and links, and the cost, on stdout; the notes and shortfalls on stderr."""
    for line in [*map(str, paths), *urls]:
        emit(terminal_safe(line))
    cost = "unknown" if result.cost is None else dollars(result.cost)
    emit(f"cost: {cost} ({result.model})")
    for line in notes(result.adjustments, result.warnings):
        print(terminal_safe(line), file=sys.stderr)
    for shortfall in shortfalls:
        if shortfall.line is not None:
            print(terminal_safe(shortfall.line), file=sys.stderr)


@dataclasses.dataclass(frozen=True)
class _Shortfall:
    """One reason a command that made images exits 1: ``code``, ``param`` and ``message`` for
    the JSON error, ``line`` for stderr without ``--json`` (``None``: a warning said it
    already)."""

    code: str
    param: str
    message: str
    line: str | None


def _data_url(b64: str) -> str:
    """An image saved nowhere, as a ``data:`` URL (its format read from its first bytes)."""
    head = b64[:64]
    try:
        mime = image_mime(base64.b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:  # (binascii.Error: not base64, said as it came)
        mime = None
    return f"data:{mime or 'application/octet-stream'};base64,{b64}"


def _lost(count: int, lost: NotSaved) -> _Shortfall:
    """Images made, and billed, that could be saved nowhere: their data is on stdout."""
    message = (
        f"{count} image(s) were made, and billed, but could be saved neither in {lost}; their "
        "data is on stdout (as data: URLs; with --json, as b64_json): free some space or "
        "choose another -o/--output"
    )
    return _Shortfall("images_not_saved", "output", message, f"limner: error: {message}")


def _shortfalls(
    *,
    made: int,
    asked: int,
    unsaved: list[str],
    elsewhere: list[Path],
    renamed: list[Path],
    target: str,
) -> list[_Shortfall]:
    """Why the images made are not all saved where asked: ``elsewhere`` the paths of images
    saved in a temporary folder instead, ``renamed`` those saved under a fresh name beside a
    file that took the name asked for, ``unsaved`` the links of images asked for as bytes
    that limner could not download (the notes say why)."""
    found: list[_Shortfall] = []
    if renamed:  # `limner generate ... -o out.png && upload out.png` must not upload another's
        found.append(
            _Shortfall(
                "images_saved_renamed",
                "output",
                f"{len(renamed)} image(s) saved under another name than asked, beside a file "
                f"that took the name meanwhile ({', '.join(str(p) for p in renamed)})",
                None,  # the warning on stderr said it
            )
        )
    if elsewhere:
        found.append(
            _Shortfall(
                "images_saved_elsewhere",
                "output",
                f"{len(elsewhere)} image(s) could not be saved in {target}, and were saved in "
                f"{elsewhere[0].parent} instead (the warning says why); move them where you "
                "want them",
                None,  # the warning on stderr said it
            )
        )
    if unsaved:
        found.append(
            _Shortfall(
                "images_not_downloaded",
                "response_format",
                f"{len(unsaved)} image(s) not saved: download them from the link(s) in urls "
                "before they expire",
                f"limner: {len(unsaved)} image(s) not saved: download them from the link(s) "
                "printed before they expire",
            )
        )
    if made < asked:  # a failed call, or images a filter withheld: the notes say why
        message = f"{made} of the {asked} image(s) asked for were made; the warnings say why"
        found.append(_Shortfall("fewer_images", "n", message, f"limner: {message}"))
    return found


def _shortfall_error(shortfalls: list[_Shortfall]) -> LimnerError | None:
    """The one error ``--json`` gives for ``shortfalls``: the first one's code and param, and
    every message."""
    if not shortfalls:
        return None
    first = shortfalls[0]
    message = "; ".join(shortfall.message for shortfall in shortfalls)
    return LimnerError(message, code=first.code, param=first.param)
