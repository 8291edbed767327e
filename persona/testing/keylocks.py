"""One lock per Idempotency-Key, held while a request with that key runs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class _KeyLock:
    lock: threading.Lock
    users: int


class KeyedLocks:
    """One lock per Idempotency-Key, so two requests with the same key run one at a time
    (the second then sees the first's answer) while different keys run in parallel."""

    def __init__(self) -> None:
        """Start with no keys."""
        self._guard = threading.Lock()
        self._locks: dict[str, _KeyLock] = {}

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Hold the lock of ``key`` for the duration of the ``with`` block."""
        with self._guard:
            entry = self._locks.setdefault(key, _KeyLock(threading.Lock(), 0))
            entry.users += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._locks[key]
