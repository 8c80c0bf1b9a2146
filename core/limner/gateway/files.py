"""The file store behind ``/v1/files`` and ``response_format=url``: a small interface and a
local-directory implementation.

Each file is two entries written atomically (temporary name, then rename): the content, then its
metadata. A file exists once its metadata does, so a reader never sees a half-written file, and
several gateway instances can share one directory. Expired files go when a file is written, when
one is read, and on :meth:`LocalFileStore.sweep` (the gateway calls it periodically).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from pydantic import BaseModel, Field, ValidationError

from ..errors import LimnerError, PayloadTooLargeError

__all__ = [
    "MAX_LIST_LIMIT",
    "FilePage",
    "FileStore",
    "ListOrder",
    "LocalFileStore",
    "StoreFullError",
    "StoredFile",
    "new_file_id",
]

FILE_ID = re.compile(r"^file-[0-9a-f]{32}$")
MAX_LIST_LIMIT = 10_000
"""The most files one ``list`` call returns (also its default), as OpenAI's ``GET /v1/files``."""

ListOrder = Literal["asc", "desc"]


def new_file_id() -> str:
    """``file-`` and 32 hex digits: the creation time in nanoseconds (16), then 16 random ones.
    Ids made later sort later, so a listing orders files made in the same second as made."""
    return f"file-{time.time_ns():016x}{secrets.token_hex(8)}"


class StoreFullError(LimnerError):
    """The file store has no room left for this file."""

    http_status = 503
    error_type = "api_error"
    default_code = "file_store_full"


class StoredFile(BaseModel):
    """OpenAI's file object, plus the content type the gateway serves the bytes with."""

    id: str = Field(examples=["file-0123456789abcdef0123456789abcdef"])
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    expires_at: int | None = None
    filename: str
    purpose: str
    status: Literal["processed"] = "processed"
    content_type: str = "application/octet-stream"

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
        self, data: bytes, *, filename: str, purpose: str, content_type: str
    ) -> StoredFile:
        """Store ``data`` and return its metadata (with a new ``file-...`` id)."""
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
        purpose: str | None = None,
        limit: int = MAX_LIST_LIMIT,
        order: ListOrder = "desc",
        after: str | None = None,
    ) -> FilePage:
        """Unexpired files (only ``purpose``'s when given), sorted by ``created_at`` then ``id``:
        oldest first for ``asc``, newest first for ``desc``; at most ``limit`` of them (the caller
        keeps it within 1..``MAX_LIST_LIMIT``).

        ``after`` is a file id, the cursor: the page holds the files that come after that file in
        this order (the cursor file itself may have another purpose, or have expired while still
        known). An id the store does not know gives an empty page. ``has_more`` says whether
        matching files follow the page."""
        ...


class LocalFileStore:
    """Files in a local directory, each kept ``ttl`` seconds.

    :param max_file_bytes: largest single file (413 beyond).
    :param max_total_bytes: room for all files together; expired files are swept first.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        ttl: float = 3600.0,
        max_file_bytes: int = 50 * 2**20,
        max_total_bytes: int = 2 * 2**30,
    ) -> None:
        self.directory = Path(directory)
        self.ttl = ttl
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self._lock = asyncio.Lock()

    async def put(
        self, data: bytes, *, filename: str, purpose: str, content_type: str
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
        )
        async with self._lock:  # one writer per process checks room and writes
            await asyncio.to_thread(self._put, meta, data, now)
        return meta

    def _put(self, meta: StoredFile, data: bytes, now: float) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        used = self._sweep(now).used
        if used + len(data) > self.max_total_bytes:
            raise StoreFullError("the gateway's file store is full; try again later")
        _write_atomically(self._content(meta.id), data)
        _write_atomically(self._meta(meta.id), meta.model_dump_json().encode())

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
        if await self.get(file_id) is None:
            return False
        await asyncio.to_thread(self._remove, file_id)
        return True

    async def sweep(self) -> int:
        """Remove every expired file now; how many this call removed."""
        async with self._lock:
            swept = await asyncio.to_thread(self._sweep, time.time())
        return swept.removed

    async def list(
        self,
        *,
        purpose: str | None = None,
        limit: int = MAX_LIST_LIMIT,
        order: ListOrder = "desc",
        after: str | None = None,
    ) -> FilePage:
        """As :meth:`FileStore.list`; an ``after`` file still on disk places the cursor even once
        expired, so a client paging through keeps its place."""
        return await asyncio.to_thread(self._list, purpose, limit, order, after, time.time())

    def _list(
        self, purpose: str | None, limit: int, order: ListOrder, after: str | None, now: float
    ) -> FilePage:
        known = {meta.id: meta for meta in self._scan()}
        cursor = None
        if after is not None:
            cursor = known.get(after)
            if cursor is None:
                return FilePage(files=[], has_more=False)
        live = (
            meta
            for meta in known.values()
            if not meta.expired(now) and (purpose is None or meta.purpose == purpose)
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

    def _sweep(self, now: float) -> _Swept:
        """Delete expired files; how many went, and the bytes the others use."""
        removed = used = 0
        for meta in self._scan():
            if not meta.expired(now):
                used += meta.bytes
            elif self._remove(meta.id):
                removed += 1
        return _Swept(removed=removed, used=used)


class _Swept(NamedTuple):
    removed: int
    used: int


def _load(path: Path) -> StoredFile | None:
    """The metadata in ``path``; ``None`` when it is missing or not a file's metadata."""
    try:
        return StoredFile.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None


def _sort_key(meta: StoredFile) -> tuple[int, str]:
    return meta.created_at, meta.id


def _ordered_after(
    files: Iterable[StoredFile], order: ListOrder, cursor: StoredFile | None
) -> list[StoredFile]:
    """``files`` by ``created_at`` then ``id`` in ``order``, only those past ``cursor`` if any."""
    descending = order == "desc"
    if cursor is not None:
        start = _sort_key(cursor)
        files = [f for f in files if (_sort_key(f) < start if descending else _sort_key(f) > start)]
    return sorted(files, key=_sort_key, reverse=descending)


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
