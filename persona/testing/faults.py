"""Fault injection: scripted misbehaviour for testing clients' retries and error handling.

A fault is armed with ``ReferenceServer.inject_fault(kind, times=1, path=None)`` and fires
on the next ``times`` requests (to ``path`` only, if given). Faults fire in the order they
were armed. Kinds:

``"status:NNN"``
    Answer status NNN with the JSON error body before doing any work (``retry_after=``
    adds a ``Retry-After`` header).
``"drop_before"``
    Close the connection without answering, before doing any work.
``"drop_after"``
    Do the work (and remember the answer under the request's Idempotency-Key), then close
    the connection without answering.
``"stall:SECONDS"``
    Wait SECONDS before handling the request (the request then proceeds normally).
``"exception"``
    Raise an exception inside the handler, as a bug would: the server answers 500
    ``internal_error`` and keeps serving.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional


@dataclass
class Fault:
    """One armed fault; ``kind`` is the name before the colon, ``arg`` what follows it."""

    kind: str
    arg: float
    remaining: int
    path: Optional[str]
    retry_after: Optional[int]


def normalize_path(path: str) -> str:
    """``/account/forgotPass`` and ``/v1/account/forgotPass`` name the same operation."""
    return path if path.startswith("/v1/") or path == "/v1" else "/v1" + path


def parse_fault(kind: str, times: int, path: Optional[str], retry_after: Optional[int]) -> Fault:
    """Check ``kind`` and build the :class:`Fault`; raise ``ValueError`` if malformed."""
    if times < 1:
        raise ValueError("times must be at least 1")
    name, _, arg = kind.partition(":")
    value = 0.0
    if name == "status":
        if not arg.isdigit() or not 100 <= int(arg) <= 599:
            raise ValueError(f"bad fault {kind!r}: expected 'status:NNN' with NNN in 100-599")
        value = float(arg)
    elif name == "stall":
        try:
            value = float(arg)
        except ValueError:
            raise ValueError(f"bad fault {kind!r}: expected 'stall:SECONDS'") from None
        if value < 0:
            raise ValueError(f"bad fault {kind!r}: SECONDS must not be negative")
    elif name not in ("drop_before", "drop_after", "exception") or arg:
        raise ValueError(
            f"unknown fault {kind!r}: expected status:NNN, drop_before, drop_after, "
            "stall:SECONDS or exception"
        )
    return Fault(
        kind=name,
        arg=value,
        remaining=times,
        path=normalize_path(path) if path is not None else None,
        retry_after=retry_after,
    )


class FaultQueue:
    """Armed faults in the order they were armed; thread-safe."""

    def __init__(self) -> None:
        """Start with no faults."""
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Arm ``fault`` after those already armed."""
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Optional[Fault]:
        """Consume one firing of the first fault that applies to ``path``, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path == path:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None
