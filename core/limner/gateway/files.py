"""The file store behind ``/v1/files`` and ``response_format=url``: a small interface and a
local-directory implementation.

Each file is two entries written atomically (temporary name, then rename): the content, then its
metadata. A file exists once its metadata does, so a reader never sees a half-written file, and
several gateway instances can share one directory. Expired files go when a file is written, when
one is read, and on :meth:`LocalFileStore.sweep` (the gateway calls it periodically).

A file belongs to an ``owner``: an opaque tag of the gateway key that stored it (``None`` when
the gateway has no keys). Listing filters by it; the routes check it on every other access.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, Field, ValidationError

from ..errors import LimnerError, PayloadTooLargeError

__all__ = [
    "FILE_ID_PATTERN",
    "MAX_LIST_LIMIT",
    "STORE_BYTES",
    "FileObject",
    "FilePage",
    "FileStore",
    "ListOrder",
    "LocalFileStore",
    "StoreFullError",
    "StoredFile",
    "id_time_ns",
    "new_file_id",
    "sort_key",
]

FILE_ID_PATTERN = r"file-(?:[0-9a-f]{32}|[0-9a-f]{48})"  # 32: random only (older ids)
FILE_ID = re.compile(f"^{FILE_ID_PATTERN}$")
MAX_LIST_LIMIT = 10_000
"""The most files one ``list`` call returns (also its default), as OpenAI's ``GET /v1/files``."""

ListOrder = Literal["asc", "desc"]


_last_ns = 0
_ids_lock = threading.Lock()


def new_file_id() -> str:
    """``file-`` and 48 hex digits: the creation time in nanoseconds (16; strictly increasing in
    this process, even if the clock steps back), then 128 random bits (32). Ids sort as their
    files were made, so a listing's cursor can be placed from the id alone."""
    global _last_ns
    with _ids_lock:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        made = _last_ns
    return f"file-{made:016x}{secrets.token_hex(16)}"


def id_time_ns(file_id: str) -> int | None:
    """The creation time an id carries (ids of 48 hex digits), else ``None``."""
    digits = file_id.removeprefix("file-")
    return int(digits[:16], 16) if len(digits) == 48 and FILE_ID.match(file_id) else None


STORE_BYTES = 2 * 2**30
"""A local file store's room for all files together, by default."""


class StoreFullError(LimnerError):
    """The file store has no room left for this file."""

    http_status = 503
    error_type = "api_error"
    default_code = "file_store_full"


class FileObject(BaseModel):
    """OpenAI's file object."""

    id: str = Field(examples=["file-0123456789abcdef0123456789abcdef"])
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    expires_at: int | None = None
    filename: str
    purpose: str
    status: Literal["processed"] = "processed"


class StoredFile(FileObject):
    """OpenAI's file object, plus what only the gateway sees: the content type it serves the
    bytes with, and the owner."""

    content_type: str = "application/octet-stream"
    owner: str | None = Field(default=None, description="tag of the gateway key that stored it")

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True)
class FilePage:
    """One page of :meth:`FileStore.list`: its files in the order asked for, and whether more
    files follow them in that order."""

    files: Sequence[StoredFile]
    has_more: bool


class FileStore(Protocol):
    """Where the gateway keeps files. Implement it to put them elsewhere (S3, a database)."""

    async def put(
        self,
        data: bytes,
        *,
        filename: str,
        purpose: str,
        content_type: str,
        owner: str | None = None,
    ) -> StoredFile:
        """Store ``data`` for ``owner`` and return its metadata (with a :func:`new_file_id`)."""
        ...

    async def get(self, file_id: str) -> StoredFile | None:
        """A file's metadata; ``None`` when unknown or expired."""
        ...

    async def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        """A file's metadata and content; ``None`` when unknown or expired."""
        ...

    async def delete(self, file_id: str) -> bool:
        """Remove a file; whether it existed."""
        ...

    async def list(
        self,
        *,
        owner: str | None = None,
        purpose: str | None = None,
        limit: int = MAX_LIST_LIMIT,
        order: ListOrder = "desc",
        after: str | None = None,
    ) -> FilePage:
        """``owner``'s unexpired files (everyone's when ``owner`` is ``None``; only ``purpose``'s
        when given), in the order they were made (:func:`sort_key`): oldest first for ``asc``,
        newest first for ``desc``; at most ``limit`` of them (the caller keeps it within
        1..``MAX_LIST_LIMIT``).

        ``after`` is a file id, the cursor: the page holds the files that come after it in this
        order. The cursor file need not exist any more (an id carries its creation time); an
        older id without one that the store does not know gives an empty page. ``has_more`` says
        whether matching files follow the page."""
        ...


class LocalFileStore:
    """Files in a local directory, each kept ``ttl`` seconds.

    :param max_file_bytes: largest single file (413 beyond).
    :param max_total_bytes: room for all files together; expired files are swept first.
    :param max_owner_bytes: room for one owner's files together (``None``: all of it), so that
        one gateway key cannot fill the store for the others.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        ttl: float = 3600.0,
        max_file_bytes: int = 50 * 2**20,
        max_total_bytes: int = STORE_BYTES,
        max_owner_bytes: int | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.ttl = ttl
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self.max_owner_bytes = max_owner_bytes
        self._lock = asyncio.Lock()

    async def put(
        self,
        data: bytes,
        *,
        filename: str,
        purpose: str,
        content_type: str,
        owner: str | None = None,
    ) -> StoredFile:
        if len(data) > self.max_file_bytes:
            raise PayloadTooLargeError(
                f"file is {len(data)} bytes; the limit is {self.max_file_bytes}", param="file"
            )
        now = time.time()
        meta = StoredFile(
            id=new_file_id(),
            bytes=len(data),
            created_at=int(now),
            expires_at=int(now + self.ttl),
            filename=os.path.basename(filename) or "file",
            purpose=purpose,
            content_type=content_type,
            owner=owner,
        )
        async with self._lock:  # one writer per process checks room and writes
            await asyncio.to_thread(self._put, meta, data, now)
        return meta

    def _put(self, meta: StoredFile, data: bytes, now: float) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        swept = self._sweep(now, meta.owner)
        if swept.used + charged(len(data)) > self.max_total_bytes:
            raise StoreFullError("the gateway's file store is full; try again later")
        share = self.max_owner_bytes
        if share is not None and swept.owners + charged(len(data)) > share:
            raise StoreFullError(
                f"this key's files hold {swept.owners} bytes of the {share} one key may keep; "
                "delete some (DELETE /v1/files/{id}) or wait for them to expire"
            )
        described = meta.model_dump_json().encode()  # before anything is written
        _write_atomically(self._content(meta.id), data)
        try:
            _write_atomically(self._meta(meta.id), described)
        except BaseException:  # content without metadata is never listed, swept or counted
            self._content(meta.id).unlink(missing_ok=True)
            raise

    async def get(self, file_id: str) -> StoredFile | None:
        return await asyncio.to_thread(self._get, file_id)

    def _get(self, file_id: str) -> StoredFile | None:
        if not FILE_ID.match(file_id):
            return None
        meta = _load(self._meta(file_id))
        if meta is None:
            return None
        if meta.expired(time.time()):
            self._remove(file_id)
            return None
        return meta

    async def read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        return await asyncio.to_thread(self._read, file_id)

    def _read(self, file_id: str) -> tuple[StoredFile, bytes] | None:
        meta = self._get(file_id)
        if meta is None:
            return None
        try:
            return meta, self._content(file_id).read_bytes()
        except OSError:
            return None

    async def delete(self, file_id: str) -> bool:
        # One visit to the disk: removing the metadata says whether the file was there (an
        # expired file not yet swept goes too).
        if not FILE_ID.match(file_id):
            return False
        return await asyncio.to_thread(self._remove, file_id)

    async def sweep(self) -> int:
        """Remove every expired file now; how many this call removed."""
        async with self._lock:
            swept = await asyncio.to_thread(self._sweep, time.time())
        return swept.removed

    async def list(
        self,
        *,
        owner: str | None = None,
        purpose: str | None = None,
        limit: int = MAX_LIST_LIMIT,
        order: ListOrder = "desc",
        after: str | None = None,
    ) -> FilePage:
        """As :meth:`FileStore.list`."""
        return await asyncio.to_thread(self._list, owner, purpose, limit, order, after, time.time())

    def _list(
        self,
        owner: str | None,
        purpose: str | None,
        limit: int,
        order: ListOrder,
        after: str | None,
        now: float,
    ) -> FilePage:
        known = {meta.id: meta for meta in self._scan()}
        cursor: tuple[int, str] | None = None
        if after is not None:
            if after in known:
                cursor = sort_key(known[after])
            elif (made := id_time_ns(after)) is not None:
                cursor = (made, after)
            else:
                return FilePage(files=[], has_more=False)
        live = (
            meta
            for meta in known.values()
            if not meta.expired(now)
            and (owner is None or meta.owner == owner)
            and (purpose is None or meta.purpose == purpose)
        )
        chosen = _ordered_after(live, order, cursor)
        return FilePage(files=chosen[:limit], has_more=len(chosen) > limit)

    # ---- internals ---------------------------------------------------------------------------

    def _meta(self, file_id: str) -> Path:
        return self.directory / f"{file_id}.json"

    def _content(self, file_id: str) -> Path:
        return self.directory / f"{file_id}.bin"

    def _remove(self, file_id: str) -> bool:
        """Delete a file, metadata first (so it is gone at once); whether this call removed it
        (``False`` when another reader or instance got there first)."""
        try:
            self._meta(file_id).unlink()
            removed = True
        except FileNotFoundError:
            removed = False
        self._content(file_id).unlink(missing_ok=True)
        return removed

    def _scan(self) -> Iterator[StoredFile]:
        """Every file's metadata, expired or not; unreadable or half-removed entries skipped."""
        for path in self.directory.glob("file-*.json"):
            meta = _load(path)
            if meta is not None:
                yield meta

    def _sweep(self, now: float, owner: str | None = None) -> _Swept:
        """Delete expired files; how many went, the bytes the others use, and those of
        ``owner``'s."""
        removed = used = owners = 0
        for meta in self._scan():
            if not meta.expired(now):
                used += charged(meta.bytes)
                owners += charged(meta.bytes) if meta.owner == owner else 0
            elif self._remove(meta.id):
                removed += 1
        return _Swept(removed=removed, used=used, owners=owners)


FILE_OVERHEAD = 8192
"""Bytes each stored file is counted for besides its content (its metadata file, and the disk
blocks of both): empty files fill the store's room too, not only its directory."""


def charged(size: int) -> int:
    """The room a file of ``size`` bytes takes in the store's counts."""
    return size + FILE_OVERHEAD


class _Swept(NamedTuple):
    removed: int
    used: int
    owners: int


def _load(path: Path) -> StoredFile | None:
    """The metadata in ``path``; ``None`` when it is missing or not a file's metadata."""
    try:
        return StoredFile.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def sort_key(meta: StoredFile) -> tuple[int, str]:
    """Files in the order they were made: the id's nanoseconds (``created_at``'s for older ids),
    then the id."""
    made = id_time_ns(meta.id)
    return (meta.created_at * 10**9 if made is None else made), meta.id


def _ordered_after(
    files: Iterable[StoredFile], order: ListOrder, cursor: tuple[int, str] | None
) -> list[StoredFile]:
    """``files`` in ``order`` (:func:`sort_key`), only those past ``cursor`` if any."""
    descending = order == "desc"
    if cursor is not None:
        files = [f for f in files if (sort_key(f) < cursor if descending else sort_key(f) > cursor)]
    return sorted(files, key=sort_key, reverse=descending)


def _write_atomically(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
