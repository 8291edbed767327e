"""Whether a client is closed, shared down the tree of its ``with_options()`` copies.

Closing a client closes every copy made from it (and theirs), never the client it was
made from. Each node has an event that its waits (a backoff sleep before a retry, a
queued ``async_req`` call) watch, so that ``close()`` ends them at once, wherever in the
tree they started.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Callable, Optional

from . import _fork

if TYPE_CHECKING:
    # Only the async client's waits use asyncio: the sync client must not pay ~15 ms of
    # import for it (async_wait_event imports it, in a loop that has it loaded already).
    import asyncio

__all__ = ["Lifecycle"]

#: One lock for every tree (with_options() and close() are rare); a new one in a forked
#: child, where a thread of the parent may have held it at that instant.
_lock = [threading.Lock()]


def _new_lock() -> None:
    _lock[0] = threading.Lock()


_fork.in_child(_new_lock)


class Lifecycle:
    """One client's closed state; ``Lifecycle(parent)`` for a ``with_options()`` copy."""

    __slots__ = ("__weakref__", "async_event", "children", "closed", "event", "on_close", "parent")

    def __init__(self, parent: Optional[Lifecycle] = None) -> None:
        self.closed = False
        #: Held so that a copy of a copy stays reachable from the original, whose
        #: ``children`` only refer weakly (a dropped copy must not be kept alive).
        self.parent = parent
        #: Run once when this node closes (the client releases what it owns).
        self.on_close: Optional[Callable[[], None]] = None
        #: Set by close(): sync waits watch it.
        self.event = threading.Event()
        #: Made by the first async wait, in the client's event loop; set by close().
        self.async_event: Optional[asyncio.Event] = None
        self.children: weakref.WeakSet[Lifecycle] = weakref.WeakSet()
        if parent is not None:
            with _lock[0]:
                parent.children.add(self)
                closed = parent.closed
            if closed:  # made from a closed client: closed from the start
                self.close()

    def close(self) -> None:
        """Close this node and every node below it; idempotent."""
        with _lock[0]:
            was_closed, self.closed = self.closed, True
            children = list(self.children)
        self.event.set()
        if self.async_event is not None:
            self.async_event.set()  # close() of an async client runs in its loop
        for child in children:
            child.close()
        if not was_closed and self.on_close is not None:
            self.on_close()

    def async_wait_event(self) -> asyncio.Event:
        """The event an async wait watches (made here, in the running loop)."""
        event = self.async_event
        if event is None:
            import asyncio

            event = self.async_event = asyncio.Event()
            if self.closed:
                event.set()
        return event
