"""The file store in a local directory (:class:`LocalFileStore`), as :mod:`.files` describes
one: each file its content and its metadata, each written atomically, and room counted per store
and per owner."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from ..errors import PayloadTooLargeError
from .dir_lock import LOCKS, exclusive
from .files import (
    FILE_ID,
    MAX_LIST_LIMIT,
    STORE_BYTES,
    FilePage,
    ListOrder,
    StoredFile,
    StoreFullError,
    id_time_ns,
    new_file_id,
    sort_key,
)
from .leftovers import remove_leftovers

__all__ = ["FILE_OVERHEAD", "LocalFileStore", "charged"]


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
        self._parsed: dict[str, tuple[tuple[int, int], StoredFile]] = {}  # (see _scan)
        self._room: _Room | None = None  # (see _counted)
        self._unlocked = not LOCKS  # no flock here, or its file system takes none

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
        with self._exclusive():  # (and across processes sharing the directory)
            self._put_counted(meta, data, now)

    def _put_counted(self, meta: StoredFile, data: bytes, now: float) -> None:
        swept = self._counted(now, meta.owner)
        if swept.used + charged(len(data)) > self.max_total_bytes:
            raise StoreFullError("the gateway's file store is full; try again later")
        share = self.max_owner_bytes
        if share is not None and swept.owners + charged(len(data)) > share:
            raise StoreFullError(
                f"this key's files hold {swept.owners} bytes of the {share} one key may keep; "
                "delete some (DELETE /v1/files/{id}) or wait for them to expire"
            )
        described = meta.model_dump_json().encode()  # before anything is written
        room, self._room = self._room, None  # (counted again if the writing fails midway)
        _write_atomically(self._content(meta.id), data)
        try:
            _write_atomically(self._meta(meta.id), described)
        except BaseException:  # content without metadata is never listed, swept or counted
            self._content(meta.id).unlink(missing_ok=True)
            raise
        if room is not None:  # this file counted in, by its owner, at its expiry
            owners = dict(room.owners)
            owners[meta.owner] = owners.get(meta.owner, 0) + charged(len(data))
            expiry = min(room.next_expiry, meta.expires_at or math.inf)
            used = room.used + charged(len(data))
            self._room = room._replace(
                stamp=self._stamp(), used=used, owners=owners, next_expiry=expiry
            )

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
        return await asyncio.to_thread(self._delete, file_id)

    def _delete(self, file_id: str) -> bool:
        with self._exclusive():  # (not between an upload's count and its write)
            return self._remove(file_id)

    async def sweep(self) -> int:
        """Remove every expired file now, and what a crash left (:mod:`.leftovers`); how many
        expired files this call removed."""
        async with self._lock:
            swept = await asyncio.to_thread(self._sweep_exclusive, time.time())
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
        """Every file's metadata, expired or not; unreadable or half-removed entries skipped.
        Each is parsed once, and read again only when its file changed (its modification time
        or size: another instance sharing the directory may rewrite it): every upload counts
        the store's room, and parsing thousands of files each time made uploads slow."""
        seen: dict[str, tuple[tuple[int, int], StoredFile]] = {}
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            name = entry.name
            if not (name.startswith("file-") and name.endswith(".json")):
                continue
            try:
                stat = entry.stat()
            except OSError:  # removed meanwhile
                continue
            stamp = (stat.st_mtime_ns, stat.st_size)
            known = self._parsed.get(name)
            meta = known[1] if known is not None and known[0] == stamp else _load(Path(entry.path))
            if meta is not None:
                seen[name] = (stamp, meta)
                yield meta
        self._parsed = seen

    def _sweep_exclusive(self, now: float) -> _Swept:
        with self._exclusive():
            remove_leftovers(self.directory, now)
            return self._sweep(now)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """The directory's writers one at a time (:func:`~.dir_lock.exclusive`), so that a room
        counted before a write and carried past it misses no other writer's file; where they
        cannot be kept apart, the room is counted on every upload."""
        with exclusive(self.directory) as kept_apart:
            if not kept_apart:
                self._unlocked = True
            yield

    def _counted(self, now: float, owner: str | None) -> _Swept:
        """The bytes the files use, and those of ``owner``'s, as :meth:`_sweep` counts them;
        counted again when the directory changed since (another instance's file, a file
        removed), a file expired, or :data:`RECOUNT_EVERY` seconds passed (a clock too coarse
        to tell two changes apart, a network file system's cached times), else as last counted
        plus this process's own files since: counting stats every file, and each upload took
        longer as the store filled (80 ms at 10,000 files, with the store's lock held)."""
        room = self._room
        if (
            self._unlocked
            or room is None
            or now >= room.next_expiry
            or time.monotonic() - room.counted_at >= RECOUNT_EVERY
            or self._stamp() != room.stamp
        ):
            return self._sweep(now, owner)
        return _Swept(removed=0, used=room.used, owners=room.owners.get(owner, 0))

    def _sweep(self, now: float, owner: str | None = None) -> _Swept:
        """Delete expired files; how many went, the bytes the others use, and those of
        ``owner``'s."""
        removed = used = 0
        owners: dict[str | None, int] = {}
        expiry = math.inf
        counted_at = time.monotonic()
        for meta in self._scan():
            if not meta.expired(now):
                used += charged(meta.bytes)
                owners[meta.owner] = owners.get(meta.owner, 0) + charged(meta.bytes)
                expiry = min(expiry, meta.expires_at or math.inf)
            elif self._remove(meta.id):
                removed += 1
        # (stamped after the removals above; no other writer meanwhile: see _exclusive)
        self._room = _Room(self._stamp(), used, owners, expiry, counted_at)
        return _Swept(removed=removed, used=used, owners=owners.get(owner, 0))

    def _stamp(self) -> int:
        """The directory's modification time (ns): it changes as a file is added or removed."""
        try:
            return os.stat(self.directory).st_mtime_ns
        except OSError:
            return -1


RECOUNT_EVERY = 5.0
"""Seconds after which an upload counts the store's room again, changed or not."""

FILE_OVERHEAD = 8192
"""Bytes each stored file is counted for besides its content (its metadata file, and the disk
blocks of both): empty files fill the store's room too, not only its directory."""


def charged(size: int) -> int:
    """The room a file of ``size`` bytes takes in the store's counts."""
    return size + FILE_OVERHEAD


class _Room(NamedTuple):
    """The store's room as last counted: at directory time ``stamp``, the bytes of the files
    not expired, by owner, and when the first of them expires."""

    stamp: int
    used: int
    owners: dict[str | None, int]
    next_expiry: float
    counted_at: float  # (time.monotonic())


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
