"""The file store behind ``/v1/files`` and ``response_format=url``: the stored files, their ids
and the interface a store implements (:mod:`.local_store` keeps them in a local directory).

Each file is two entries written atomically (temporary name, then rename): the content, then its
metadata. A file exists once its metadata does, so a reader never sees a half-written file, and
several gateway instances can share one directory. Expired files go when a file is written, when
one is read, and on :meth:`.local_store.LocalFileStore.sweep` (the gateway calls it periodically).

A file belongs to an ``owner``: an opaque tag of the gateway key that stored it (``None`` when
the gateway has no keys). Listing filters by it; the routes check it on every other access.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from ..errors import LimnerError

__all__ = [
    "FILE_ID_PATTERN",
    "MAX_LIST_LIMIT",
    "OUTPUT_PURPOSE",
    "STORE_BYTES",
    "FileObject",
    "FilePage",
    "FileStore",
    "ListOrder",
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

OUTPUT_PURPOSE = "assistants_output"
"""The purpose of the images the gateway stores for ``response_format=url``: of the purposes
OpenAI's file object lists, the one of a file its API made rather than one uploaded, which no
upload may take (``POST /files`` refuses it), so ``GET /v1/files?purpose=assistants_output``
lists the gateway's images and nothing else."""


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


def sort_key(meta: StoredFile) -> tuple[int, str]:
    """Files in the order they were made: the id's nanoseconds (``created_at``'s for older ids),
    then the id."""
    made = id_time_ns(meta.id)
    return (meta.created_at * 10**9 if made is None else made), meta.id
