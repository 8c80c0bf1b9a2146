"""Where ``-o`` writes: checked before the (paid) call, and a name that turns out taken after it
saved beside the old file, so paid images are never thrown away."""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..client import AsyncClient
from ..errors import InvalidRequestError
from ..responses import ImageFormatWarning, ImagesResponse, save_paths

__all__ = [
    "NotSaved",
    "check_output",
    "check_writable_here",
    "format_from_output",
    "save",
]

_FORMATS = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".webp": "webp",
    ".gif": "gif",
    ".svg": "svg",
    ".avif": "avif",
    ".heic": "heic",
    ".bmp": "bmp",
    ".tif": "tiff",
    ".tiff": "tiff",
}
"""``-o`` file extensions that name an image format (limner writes the bytes as answered: a
format the model does not make is refused before the call)."""


def format_from_output(
    client: AsyncClient, args: argparse.Namespace, fields: dict[str, Any]
) -> str | None:
    """``-o fox.jpg`` asks for JPEG: set ``output_format`` when the model makes that format,
    refuse when the request or the model's list of formats says otherwise (before the paid
    call). A model that lists none takes no ``output_format``: the returned warning says so
    before the call, and its answer is checked when saved (``ImagesResponse.save`` warns about
    a file whose name says another format). A directory, or a name without an image extension,
    asks for nothing."""
    wanted = _FORMATS.get(Path(args.output).suffix.lower())
    if wanted is None or _is_dir(Path(args.output)):
        return None
    given = fields.get("output_format")
    if given is not None:
        if isinstance(given, str) and given.lower() in (wanted, "jpg" if wanted == "jpeg" else ""):
            return None
        raise InvalidRequestError(
            f"-o {args.output} names a {wanted} file but output_format is {given!r}: make "
            "them agree (nothing was sent to the provider)",
            param="output",
        )
    model = client.models.served(args.model)  # (its formats on the backend in use)
    made = model.capabilities.output_formats
    if wanted == "jpeg" and fields.get("background") == "transparent":
        others = [f".{fmt}" for fmt in made or ("png", "webp") if fmt in ("png", "webp")]
        instead = f"use a {' or '.join(others)} name" if others else "leave out -o's extension"
        raise InvalidRequestError(
            f"-o {args.output} asks for JPEG, which has no transparency: {instead} with "
            "background=transparent (nothing was sent to the provider)",
            param="output",
        )
    if wanted in made:
        fields["output_format"] = wanted
    elif made:
        raise InvalidRequestError(
            f"-o {args.output} names a {wanted} file, but {model.id} makes "
            f"{', '.join(made)} only: use a name ending in one of those (nothing was sent to "
            "the provider)",
            param="output",
        )
    elif wanted != "png":  # none listed: the model takes no output_format (such models answer
        # PNG, so a .png name needs no word; the save warns if the answer differs)
        return (
            f"warning: -o {args.output}: {model.id} takes no output_format, so the file holds "
            f"the format it answers in (a warning follows if that is not {wanted})"
        )
    return None


ANSWERED = ("png", "jpeg", "webp")
"""The formats checked for a model that lists none it can be asked for: it answers in one of
its own choice."""


def check_output(client: AsyncClient, args: argparse.Namespace, fields: dict[str, Any]) -> None:
    """Refuse, before the provider is called (and paid), a ``-o`` whose files exist or cannot be
    written. Without a requested ``output_format`` every format the model makes is checked."""
    if not args.output:
        raise InvalidRequestError("-o/--output needs a path", param="output")
    if args.output == "-":
        raise InvalidRequestError(
            "-o - (standard output) is not supported: give a file or folder name", param="output"
        )
    model = client.models.served(args.model)  # (its formats on the backend in use)
    if fields.get("response_format") == "url" and "url" in model.capabilities.response_formats:
        raise InvalidRequestError(
            f"-o saves image bytes, but with response_format=url {model.id} answers with links "
            "(printed, not saved): leave out -o, or response_format to get the bytes",
            param="output",
        )
    n = fields.get("n", 1)
    count = min(n, model.capabilities.max_n) if isinstance(n, int) and n > 0 else 1
    requested = fields.get("output_format")
    if isinstance(requested, str):
        formats = [requested]
    else:  # (a model that takes no format may answer in any: JPEG from a PNG default, say)
        formats = list(dict.fromkeys(["png", *(model.capabilities.output_formats or ANSWERED)]))
    _refuse_long_names([Path(args.output)])  # as given, then as limner would name the files
    names = {path for fmt in formats for path in save_paths(args.output, count, fmt)}
    _refuse_long_names(names)
    existing = sorted(str(path) for path in names if os.path.lexists(path))  # links too
    if existing:
        unsure = ""
        free = [  # a format the model takes whose names are all free: asking for it would do
            fmt
            for fmt in model.capabilities.output_formats
            if not any(os.path.lexists(path) for path in save_paths(args.output, count, fmt))
        ]
        if len(names) > count and free:  # the file names depend on the format answered
            unsure = (
                f"; the names depend on the format answered ({', '.join(formats)}): "
                f"--option output_format={free[0]} writes free ones, where the model takes it"
            )
        raise InvalidRequestError(
            f"refusing to overwrite {', '.join(existing)}: choose another -o/--output, or move "
            f"the file away (nothing was sent to the provider){unsure}",
            param="output",
        )
    probed: dict[Path, bool] = {}  # (one file made per folder, however many images)
    for path in names:
        folder = path.parent
        # (a link to nowhere, or in a loop, does not "exist": it is the folder to check, not
        # its parent, as the save would make its folders through it and fail after the call)
        while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
            folder = folder.parent
        if folder not in probed:
            probed[folder] = folder.is_dir() and _can_write_in(folder)
        if not probed[folder]:
            what = (
                "a link to nowhere (or in a loop)"
                if folder.is_symlink() and not folder.exists()
                else "not a writable directory"
            )
            raise InvalidRequestError(
                f"cannot write {path}: {folder} is {what}; choose another -o/--output "
                "(nothing was sent to the provider)",
                param="output",
            )


def _can_write_in(folder: Path) -> bool:
    """Whether a file can be made in ``folder``, found by making one (unnamed where the system
    allows, and removed): permission bits say nothing for root, nor of a read-only or pseudo
    file system (``/sys``, ``/proc``), where the save would fail after the paid call."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _is_dir(path: Path) -> bool:
    """Whether ``path`` is a directory; a name the system refuses to look up (too long) is
    none, and :func:`check_output` says why."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _refuse_long_names(paths: Iterable[Path]) -> None:
    """Refuse, before the paid call, a file name longer than its file system takes (limner may
    add an extension and ``-1``, ``-2``...)."""
    for path in sorted(paths):
        folder = path.parent
        while not _is_dir(folder) and folder != folder.parent:
            folder = folder.parent
        most, units, size = _name_limit(folder)
        for name in path.parts:  # a folder to make, or the file
            if size(name) > most:
                raise InvalidRequestError(
                    f"cannot write {name[:40]}…: a name here is at most {most} {units}, and this "
                    f"one is {size(name)}; give a shorter -o/--output (nothing was sent to the "
                    "provider)",
                    param="output",
                )


def _name_limit(folder: Path) -> tuple[int, str, Callable[[str], int]]:
    """The longest file name ``folder``'s file system takes, its unit, and a name's size in
    it: bytes as the system encodes them (POSIX ``PC_NAME_MAX``, 255 when unsaid); without
    ``pathconf`` (Windows), 255 UTF-16 code units, as NTFS counts them."""
    pathconf = getattr(os, "pathconf", None)
    if pathconf is None:
        return 255, "characters", lambda name: len(name.encode("utf-16-le")) // 2
    try:
        most = int(pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):  # no such limit to read here
        most = 255
    return most, "bytes", lambda name: len(os.fsencode(name))


def check_writable_here() -> None:
    """Without ``-o`` the images go to the current directory: refuse, before the paid call, one
    that cannot be written."""
    if not _can_write_in(Path(".")):
        raise InvalidRequestError(
            f"cannot save images in the current directory ({Path.cwd()}): choose a writable "
            "-o/--output (nothing was sent to the provider)",
            param="output",
        )


class NotSaved(Exception):
    """The images were made (and billed) but could be saved neither where asked nor in a
    temporary folder: its words say where it tried, and why each failed."""


def save(
    result: ImagesResponse, target: str, asked: int = 1
) -> tuple[list[Path], list[str], bool, list[Path]]:
    """Save the images; a file that appeared since the check (or a name the check could not
    foresee: fewer images, another format) is kept, and that image saved under a fresh name
    beside it, so paid images are never thrown away. When ``target`` cannot be written at all
    the images go to a new temporary directory instead (:class:`NotSaved` when that fails too).
    More images than the ``asked`` for keep the names asked for (``fox.png``) and are saved
    beside them (``fox-2.png``). Returns the paths, the warnings, whether the images went
    somewhere other than ``target``, and the paths of those saved under a fresh name."""
    renamed: list[Path] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ImageFormatWarning)
        try:
            paths, said, renamed = _save_beside(result, target, asked)
            elsewhere = False
        except OSError as exc:  # found only now (a name too long, a full disk, a file where
            # the folder was, a name taken by another writer meanwhile): keep the images
            why = exc.strerror or str(exc)
            try:
                folder = tempfile.mkdtemp(prefix="limner-")
            except OSError as again:
                raise NotSaved(
                    f"{target} ({why}), nor in a temporary folder ({again.strerror or again})"
                ) from None
            try:
                paths = result.save(folder)
            except OSError as again:  # the same full disk: no half-written file, no empty folder
                shutil.rmtree(folder, ignore_errors=True)
                raise NotSaved(
                    f"{target} ({why}), nor in {folder} ({again.strerror or again})"
                ) from None
            said, elsewhere = (
                [f"warning: could not save to {target} ({why}); saved in {folder}"],
                True,
            )
    for warning in caught:  # the file-name warnings are the CLI's own lines; others go on
        if issubclass(warning.category, ImageFormatWarning):
            said.append(f"warning: {warning.message}")
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return paths, said, elsewhere, renamed


def _save_beside(
    result: ImagesResponse, target: str, asked: int
) -> tuple[list[Path], list[str], list[Path]]:
    made, fmt = len(result.data), result.file_format()
    extra = 0 < asked < made  # (fox.png asked, two made: fox.png and fox-2.png, not fox-1, -2)
    if not extra:
        try:
            return result.save(target), [], []
        except FileExistsError:
            pass
    names = save_paths(target, made, fmt)
    if extra:
        names = [*save_paths(target, asked, fmt), *names[asked:]]
    taken = set(names)
    paths: list[Path] = []
    said: list[str] = []
    fresh: list[Path] = []
    collided = False  # default names count on: from the first taken, each gets the next
    try:
        for item, name in zip(result.data, names, strict=True):
            path = name
            exists = os.path.lexists(name)
            if exists or (collided and _counted(name, result.created)):
                collided = True
                path = _fresh_name(name, result.created, taken)
                taken.add(path)
                if exists:  # (a free default name after a taken one: counted on, in order)
                    said.append(f"warning: {name} exists and was kept; saved this image as {path}")
                fresh.append(path)
            paths.extend(result.model_copy(update={"data": [item]}).save(path))
    except OSError:  # all of them go elsewhere, then: none is left here, unsaid, as a copy
        for path in paths:
            path.unlink(missing_ok=True)
        raise
    return paths, said, fresh


def _fresh_name(name: Path, created: int, taken: set[Path]) -> Path:
    """``moon.png`` -> ``moon.<created>.png`` (then ``moon.<created>-2.png``...), a name neither
    on disk nor already chosen. A default name has the time in it already, and takes the next
    counter: ``limner-<created>.png`` or ``limner-<created>-2.png`` -> ``limner-<created>-3.png``
    (while ``-2`` is taken)."""
    stamped = _counted(name, created)
    for attempt in itertools.count(1):
        if stamped:
            candidate = name.with_name(f"{stamped.group(1)}-{attempt + 1}{name.suffix}")
        else:
            tag = f"{created}" if attempt == 1 else f"{created}-{attempt}"
            candidate = name.with_name(f"{name.stem}.{tag}{name.suffix}")
        if candidate not in taken and not os.path.lexists(candidate):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _counted(name: Path, created: int) -> re.Match[str] | None:
    """Whether ``name`` is a default one (``limner-<created>.png``, ``limner-<created>-2.png``),
    which takes a counter: the match's first group is the name without it."""
    return re.fullmatch(rf"(.*-{created})(?:-\d+)?", name.stem)
