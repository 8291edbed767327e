"""The deadline of an attempt, enforced from outside the blocked thread.

http.client reads a status line, headers, ``100 Continue`` answers and chunk trailers
one socket read at a time, and the socket timeout bounds each read, not their sum: a
server that sends one byte every few seconds holds such a read loop for as long as it
likes. A :class:`Watch` is armed for each attempt; if the attempt is still running at
its deadline, the watchdog shuts down the attempt's socket (``shutdown(SHUT_RDWR)``),
which ends the blocked read at once, and the transport then raises ApiTimeoutError.

One daemon thread serves every watch of the process, sleeping until the earliest
deadline on a heap. Arming and disarming a watch is a heap push and a flag under a
lock, with no thread per call; disarmed watches are dropped lazily when they reach the
top of the heap, or all at once when they outnumber the live ones. After ``fork()`` the
child starts its own thread (the parent's does not exist there).
"""

from __future__ import annotations

import contextlib
import heapq
import socket
import threading
import time
from typing import Any, Optional

from .. import _fork

__all__ = ["Watch", "arm"]

#: How soon a watch that fired before its connection had a socket (still resolving or
#: connecting) looks again: the attempt may reach a slow TLS handshake after that.
_RECHECK = 0.05


class Watch:
    """One attempt's deadline. ``connection`` is set by the connection the attempt uses
    (it may change once, when a pooled connection turns out to be dead); ``fired`` says
    the deadline passed while the attempt ran, ``closed`` that the client was closed,
    ``released`` that the connection may be back in the pool (see :meth:`release`)."""

    __slots__ = ("closed", "connection", "deadline", "done", "fired", "lock", "released")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.connection: Any = None
        self.fired = False
        self.closed = False
        self.done = False
        self.released = False
        self.lock = threading.Lock()

    def release(self) -> None:
        """Stop watching the connection: it may go back to the pool now (the response
        is complete, or closed on an error), where another call can take it at once.
        Called before every path that can return it; from then on the watchdog never
        touches it, whatever the deadline (the attempt has nothing left to wait for)."""
        with self.lock:
            self.released = True
            self.connection = None

    def disarm(self) -> bool:
        """End the watch (the attempt is over); True if it had fired (or was closed)
        first. After this returns, the watchdog never touches the connection again."""
        with self.lock:
            self.done = True
            self.connection = None  # the heap may keep the watch until its deadline
            return self.fired

    def fire(self, closed: bool = False) -> bool:
        """Cut the attempt short: shut down its socket. Returns whether there was a socket
        to shut down (False: look again soon). Called by the watchdog at the deadline and
        by ``Transport.close()``."""
        with self.lock:
            if self.done or self.released:
                return True
            self.fired = True
            self.closed = self.closed or closed
            sock = getattr(self.connection, "sock", None)  # http.client's public attribute
            if sock is None:
                return False
            # shutdown, not close: the blocked thread still owns the descriptor (closing
            # it under a read could hand the number to another socket of the process).
            # socket.socket's own shutdown, also for a TLS socket: SSLSocket.shutdown
            # first drops its TLS state, and a send racing with it could go out in clear.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            return True


class _Watchdog:
    """The thread and heap behind :func:`arm` (one per process)."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.heap: list[tuple[float, int, Watch]] = []
        self.count = 0  # tie-breaker, so that Watch objects are never compared
        self.compact_at = 256
        self.thread: Optional[threading.Thread] = None

    def add(self, watch: Watch) -> None:
        with self.cond:
            heap = self.heap
            if len(heap) >= self.compact_at:
                # Most entries belong to attempts that ended long before their deadline;
                # the threshold doubles with what is left, so this costs O(1) per watch.
                heap[:] = [entry for entry in heap if not entry[2].done]
                heapq.heapify(heap)
                self.compact_at = max(256, 2 * len(heap))
            self.count += 1
            earliest = heap[0][0] if heap else None
            heapq.heappush(heap, (watch.deadline, self.count, watch))
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self.run, name="persona-watchdog", daemon=True
                )
                self.thread.start()
            elif earliest is None or watch.deadline < earliest:
                self.cond.notify()  # the thread sleeps until a later instant: wake it

    def run(self) -> None:
        heap = self.heap
        while True:
            with self.cond:
                while heap and heap[0][2].done:
                    heapq.heappop(heap)
                if not heap:
                    self.cond.wait()
                    continue
                wait = heap[0][0] - time.monotonic()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                _, _, watch = heapq.heappop(heap)
            if not watch.fire():
                watch.deadline = time.monotonic() + _RECHECK
                with self.cond:
                    self.count += 1
                    heapq.heappush(heap, (watch.deadline, self.count, watch))


class _Current:
    """This process's watchdog, made on first use, and again in a forked child."""

    def __init__(self) -> None:
        self.dog: Optional[_Watchdog] = None
        self.lock = threading.Lock()

    def get(self) -> _Watchdog:
        dog = self.dog
        if dog is None:
            with self.lock:
                dog = self.dog
                if dog is None:
                    dog = self.dog = _Watchdog()
        return dog

    def forget(self) -> None:
        """In a forked child: the parent's thread is not here (its heap holds the
        parent's attempts), and the lock may have been held by one of its threads."""
        self.dog = None
        self.lock = threading.Lock()


_current = _Current()
_fork.in_child(_current.forget)


def arm(deadline: float) -> Watch:
    """A :class:`Watch` that fires at ``deadline`` (a ``time.monotonic()`` instant)
    unless disarmed first."""
    watch = Watch(deadline)
    _current.get().add(watch)
    return watch
