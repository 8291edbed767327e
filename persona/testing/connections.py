"""The connections a reference server has open, so that stopping and resetting can end them.

A handler thread owns its socket and closes it; ``stop()`` and ``reset()`` only shut the
sockets down, which makes the handler's next read or write fail and its thread finish.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Callable


def _shut(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


class Connections:
    """The open connections of one server; thread-safe."""

    def __init__(self, stopping: threading.Event) -> None:
        """``stopping`` is set when the server stops: a connection accepted after that is
        shut down at once."""
        self._stopping = stopping
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._draining = False

    def opened(self, conn: socket.socket) -> None:
        """Note a connection a handler thread now serves."""
        with self._lock:
            self._open.add(conn)
            if self._stopping.is_set() or self._draining:
                # Accepted just as stop() or a drain ran: do not let it wait for a request.
                _shut(conn)

    def closed(self, conn: socket.socket) -> None:
        """Note that the handler of ``conn`` has finished with it."""
        with self._lock:
            self._open.discard(conn)
            self._changed.notify_all()

    def shut_all(self) -> None:
        """Shut down every open connection (their handlers then finish)."""
        with self._lock:
            connections = list(self._open)
        for conn in connections:
            _shut(conn)

    def drain(self, timeout: float, after_shut: Callable[[], None]) -> bool:
        """Shut down the connections open now, call ``after_shut``, and wait up to
        ``timeout`` seconds for their handlers to finish; return whether they all did.
        Connections accepted meanwhile are shut down as they come."""
        with self._lock:
            connections = set(self._open)
            self._draining = True
        try:
            for conn in connections:
                _shut(conn)
            after_shut()
            deadline = time.monotonic() + timeout
            with self._lock:
                while self._open & connections:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(left)
            return True
        finally:
            with self._lock:
                self._draining = False
