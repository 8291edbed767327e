"""Threads waiting for the outbox to change, filed by what they wait for.

A long poll waits for mail to one address; waking every waiter at each delivery made each
of them look again, so one delivery among a thousand polls stalled the server. Here a
delivery wakes the waiters of its own address and those waiting for any change (the event
streams, few and capped) only.

Not thread-safe on its own: :class:`~persona.testing.outbox.Outbox` calls it under its
lock, so that a waiter is registered in the same step as it finds nothing, and a delivery
cannot come between the two unseen.
"""

from __future__ import annotations

import threading
from typing import Optional

#: The key of waiters for any change (a delivery to any address, or a clear).
ANY: Optional[str] = None


class Waiters:
    """Events of waiting threads, by address (lower-case) or :data:`ANY`."""

    def __init__(self) -> None:
        """Start with nobody waiting."""
        self._by_key: dict[Optional[str], set[threading.Event]] = {}

    def register(self, key: Optional[str]) -> threading.Event:
        """A new event, set when ``key`` is notified (or everyone is)."""
        event = threading.Event()
        self._by_key.setdefault(key, set()).add(event)
        return event

    def unregister(self, key: Optional[str], event: threading.Event) -> None:
        """Forget ``event`` (its thread stopped waiting)."""
        events = self._by_key.get(key)
        if events is not None:
            events.discard(event)
            if not events:
                del self._by_key[key]

    def notify(self, key: Optional[str]) -> None:
        """Wake the waiters of ``key`` and those waiting for any change."""
        for events in (self._by_key.get(key, ()), self._by_key.get(ANY, ())):
            for event in events:
                event.set()

    def notify_all(self) -> None:
        """Wake every waiter (a clear, or the server stopping)."""
        for events in self._by_key.values():
            for event in events:
                event.set()
