"""What the parts of a reference server share: one object, built by the server.

The HTTP handler and the outbox page get their state from a :class:`ServerContext`
instead of reaching into :class:`~persona.testing.server.ReferenceServer`, so that each
part says what it depends on and the server's own attributes stay its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from persona.testing.connections import Connections
    from persona.testing.faults import FaultQueue
    from persona.testing.hosts import HostPolicy
    from persona.testing.keylocks import KeyedLocks
    from persona.testing.operations import Routes
    from persona.testing.outbox import Outbox
    from persona.testing.outbox_web import OutboxWeb
    from persona.testing.recording import RequestLog
    from persona.testing.service import Service
    from persona.testing.store import Store


@dataclass(frozen=True)
class ServerContext:
    """The state and services of one reference server, as its handlers use them.

    ``stopping`` is set once, when the server stops; ``wake`` is set while the server
    stops or a reset drains its requests: waits (injected stalls, long polls) end early.
    """

    store: Store
    service: Service
    outbox: Outbox
    outbox_web: Optional[OutboxWeb]
    faults: FaultQueue
    locks: KeyedLocks
    requests: RequestLog
    connections: Connections
    hosts: HostPolicy
    routes: Routes
    log: Callable[[str], None]
    stopping: threading.Event
    wake: threading.Event
