"""How much the outbox keeps and serves at once: bounds that keep a long-running server
(or one under a careless test) responsive."""

from __future__ import annotations

from dataclasses import dataclass, fields

#: Messages the outbox keeps in memory; older ones are dropped (an outbox file keeps all).
MAX_MESSAGES = 10_000
#: Long polls (``/outbox/api/messages/latest?wait=``) waiting at once; more get 503.
MAX_LONG_POLLS = 256
#: Event streams (``/outbox/api/events``) open at once; more get 503.
MAX_EVENT_STREAMS = 32
#: The ``Retry-After`` of a 503 past a cap, in seconds.
RETRY_AFTER = 1


@dataclass(frozen=True)
class OutboxLimits:
    """The outbox's bounds (``ReferenceServer(outbox_limits=...)``); each at least 1."""

    messages: int = MAX_MESSAGES
    long_polls: int = MAX_LONG_POLLS
    event_streams: int = MAX_EVENT_STREAMS

    def __post_init__(self) -> None:
        """Refuse a bound below 1, naming it."""
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"OutboxLimits.{field.name}: must be a whole number >= 1")
