"""The requests the server answered lately, for the outbox page's "Requests" view.

The page's own requests (``/outbox...``: its event stream reconnecting, its refreshes)
would soon be all there is, so they are kept apart, in a ring of their own: the view
shows the API's requests, and the page's too only when asked.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Optional

from persona.testing.outbox import rfc3339

#: Requests kept of each kind (the API's, the outbox page's own).
KEPT = 200


def is_outbox_path(path: str) -> bool:
    """Whether ``path`` is the outbox page's or its API's."""
    return path == "/outbox" or path.startswith("/outbox/")


@dataclass(frozen=True)
class RecentRequest:
    """One request as the request view shows it (no query string, no body)."""

    method: str
    path: str
    status: int
    milliseconds: float
    request_id: str
    at: float

    def as_json(self) -> dict[str, Any]:
        """A new dict for the API's answer; the record itself is shared and never changed."""
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "milliseconds": self.milliseconds,
            "request_id": self.request_id,
            "at": rfc3339(self.at),
        }


class RecentRequests:
    """The last requests the server answered, the API's and the outbox's apart;
    thread-safe."""

    def __init__(self, size: int = KEPT) -> None:
        """Keep the last ``size`` requests of each kind."""
        self._api: deque[tuple[int, RecentRequest]] = deque(maxlen=size)
        self._outbox: deque[tuple[int, RecentRequest]] = deque(maxlen=size)
        self._order = itertools.count()
        self._lock = threading.Lock()

    def add(self, item: RecentRequest) -> None:
        """Remember ``item``, forgetting the oldest one of its kind if full."""
        with self._lock:
            ring = self._outbox if is_outbox_path(item.path) else self._api
            ring.append((next(self._order), item))

    def newest_first(
        self, limit: Optional[int] = None, *, include_outbox: bool = False
    ) -> list[RecentRequest]:
        """Up to ``limit`` requests, newest first: the API's, and with ``include_outbox``
        the outbox page's own as well."""
        with self._lock:
            rings = [reversed(self._api)]
            if include_outbox:
                rings.append(reversed(self._outbox))
            merged = heapq.merge(*rings, key=lambda pair: pair[0], reverse=True)
            return [item for _, item in itertools.islice(merged, limit)]

    def clear(self) -> None:
        """Forget them all."""
        with self._lock:
            self._api.clear()
            self._outbox.clear()
