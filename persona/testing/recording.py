"""What the reference server remembers about the requests it received, within bounds.

Tests read ``ReferenceServer.requests`` and ``request_count()`` to see what a client sent.
The server may also run for days (``python -m persona.testing serve``) and take requests
from anyone who can reach it, so what it keeps is bounded: the most recent requests whose
headers fit in :data:`MAX_RECORDED_BYTES` (older ones are forgotten first), and counts per
path for at most :data:`MAX_COUNTED_PATHS` distinct paths (a scan of random paths cannot
grow the table; further paths count in the total only).
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

#: Header bytes (names and values) kept across all recorded requests.
MAX_RECORDED_BYTES = 8 * 1024 * 1024
#: Distinct paths counted one by one.
MAX_COUNTED_PATHS = 1024
#: What a masked header value shows instead.
MASK = "***"
# Header names that carry credentials. The SDK masks the same names (persona.redaction);
# the list is written again here, as the server shares no code with the SDK.
_CREDENTIAL = re.compile(r"authorization|cookie|token|secret|pass(word)?|api[-_]?key", re.I)


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` as a repr or a log may show them: credentials as ``***``, an
    ``Idempotency-Key`` cut to its first characters and ``...`` (whoever holds a
    codeForToken call's whole key may replay it with guessed codes)."""
    return {name: _shown(name, value) for name, value in headers.items()}


def _shown(name: str, value: str) -> str:
    if _CREDENTIAL.search(name):
        return MASK
    if name.lower() == "idempotency-key":
        return value[: min(8, len(value) // 2)] + "..."
    return value


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server received it. Bodies are not kept: they hold secrets."""

    method: str
    path: str
    headers: Mapping[str, str]

    def __repr__(self) -> str:
        """The request with its credentials masked (:func:`masked_headers`); read a value
        with :meth:`header`."""
        shown = masked_headers(self.headers)
        return f"RecordedRequest(method={self.method!r}, path={self.path!r}, headers={shown!r})"

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


def _size(request: RecordedRequest) -> int:
    return (
        len(request.method)
        + len(request.path)
        + sum(len(k) + len(v) for k, v in request.headers.items())
    )


class RequestLog:
    """The recent requests and the per-path counts; thread-safe."""

    def __init__(self, max_bytes: int = MAX_RECORDED_BYTES) -> None:
        """Keep recent requests up to ``max_bytes`` of method, path and headers."""
        self._max_bytes = max_bytes
        self._recent: deque[tuple[RecordedRequest, int]] = deque()
        self._bytes = 0
        self._total = 0
        self._by_path: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, request: RecordedRequest) -> None:
        """Count ``request`` and keep it, forgetting the oldest ones if need be."""
        size = _size(request)
        with self._lock:
            self._total += 1
            if request.path in self._by_path or len(self._by_path) < MAX_COUNTED_PATHS:
                self._by_path[request.path] = self._by_path.get(request.path, 0) + 1
            self._recent.append((request, size))
            self._bytes += size
            while self._bytes > self._max_bytes:
                _, dropped = self._recent.popleft()
                self._bytes -= dropped

    def clear(self) -> None:
        """Forget every request and count (``ReferenceServer.reset``)."""
        with self._lock:
            self._recent.clear()
            self._bytes = 0
            self._total = 0
            self._by_path.clear()

    def recent(self) -> list[RecordedRequest]:
        """The requests kept, oldest first (a copy)."""
        with self._lock:
            return [request for request, _ in self._recent]

    def count(self, path: Optional[str] = None) -> int:
        """How many requests were received, all or to ``path``, kept or forgotten."""
        with self._lock:
            return self._total if path is None else self._by_path.get(path, 0)
