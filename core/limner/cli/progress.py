"""A small progress indicator on stderr while waiting for a provider."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType

__all__ = ["Spinner"]


class Spinner:
    """Shows elapsed seconds on stderr until the block ends; silent when ``enabled`` is false."""

    def __init__(self, *, enabled: bool, label: str = "generating") -> None:
        self.enabled = enabled
        self.label = label
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _spin(self) -> None:
        start = time.monotonic()
        frames = "|/-\\"
        tick = 0
        while not self._stop.wait(0.2):
            elapsed = time.monotonic() - start
            sys.stderr.write(f"\r{frames[tick % 4]} {self.label}... {elapsed:.0f}s")
            sys.stderr.flush()
            tick += 1
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()

    def __enter__(self) -> Spinner:
        if self.enabled:
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
