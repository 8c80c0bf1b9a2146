"""The file store behind ``/v1/files`` and ``response_format=url``: a small interface and a
local-directory implementation.

Each file is two entries written atomically (temporary name, then rename): the content, then its
metadata. A file exists once its metadata does, so a reader never sees a half-written file, and
several gateway instances can share one directory.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, Field, ValidationError

from ..errors import LimnerError, PayloadTooLargeError

__all__ = ["FileStore", "LocalFileStore", "StoreFullError", "StoredFile", "new_file_id"]

FILE_ID = re.compile(r"^file-[0-9a-f]{32}$")


def new_file_id() -> str:
    return f"file-{secrets.token_hex(16)}"


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
        used = self._sweep(now)
        if used + len(data) > self.max_total_bytes:
            raise StoreFullError("the gateway's file store is full; try again later")
        _write_atomically(self._content(meta.id), data)
        _write_atomically(self._meta(meta.id), meta.model_dump_json().encode())

    async def get(self, file_id: str) -> StoredFile | None:
        return await asyncio.to_thread(self._get, file_id)

    def _get(self, file_id: str) -> StoredFile | None:
        if not FILE_ID.match(file_id):
            return None
        try:
            meta = StoredFile.model_validate_json(self._meta(file_id).read_bytes())
        except (OSError, ValidationError):
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

    # ---- internals ---------------------------------------------------------------------------

    def _meta(self, file_id: str) -> Path:
        return self.directory / f"{file_id}.json"

    def _content(self, file_id: str) -> Path:
        return self.directory / f"{file_id}.bin"

    def _remove(self, file_id: str) -> None:
        self._meta(file_id).unlink(missing_ok=True)  # metadata first: the file is gone at once
        self._content(file_id).unlink(missing_ok=True)

    def _sweep(self, now: float) -> int:
        """Delete expired files; the bytes the others use."""
        used = 0
        for path in self.directory.glob("file-*.json"):
            try:
                meta = StoredFile.model_validate(json.loads(path.read_bytes()))
            except (OSError, ValueError):
                continue
            if meta.expired(now):
                self._remove(meta.id)
            else:
                used += meta.bytes
        return used


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
