"""``limner serve``: an OpenAI-compatible HTTP gateway over one :class:`~limner.AsyncClient`.

Point any OpenAI client at ``http://127.0.0.1:8080/v1``::

    openai.OpenAI(base_url="http://127.0.0.1:8080/v1", api_key="<a gateway key or anything>")

Modules: :mod:`.app` (application and runner), :mod:`.image_routes` (images),
:mod:`.chat_routes` (chat completions), :mod:`.routes` (models, files, health, OpenAPI),
:mod:`.bodies` (JSON and multipart), :mod:`.middleware` (errors, log, auth, body size),
:mod:`.errors` (OpenAI error bodies), :mod:`.protocol_log` (requests that are not valid
HTTP), :mod:`.files` and :mod:`.local_store` (the file store), :mod:`.urls` (signed
file URLs), :mod:`.shutdown` (the end of a stopping gateway's grace), :mod:`.openapi`,
:mod:`.schemas`, :mod:`.config`, :mod:`.state`, :mod:`.server` (the ``serve`` command).
"""

from __future__ import annotations

from .app import SHUTDOWN_GRACE, create_app, make_runner
from .config import GatewayConfig, keys_from
from .files import FilePage, FileStore, StoredFile
from .local_store import LocalFileStore

__all__ = [
    "SHUTDOWN_GRACE",
    "FilePage",
    "FileStore",
    "GatewayConfig",
    "LocalFileStore",
    "StoredFile",
    "create_app",
    "keys_from",
    "make_runner",
]
