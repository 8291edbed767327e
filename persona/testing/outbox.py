"""The outbox: where the reference server "e-mails" its one-time codes.

No mail is sent. Every code is appended to an in-process list (what tests read through
``ReferenceServer.outbox`` and ``last_code()``) and, when a file is configured, to a JSON
Lines file (``{"email": ..., "code": ..., "sent_at": RFC 3339}`` per line) that another
process, such as a demo script or ``python -m persona.testing outbox``, can read.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

#: Environment variable naming the default outbox file.
OUTBOX_ENV = "PERSONA_OUTBOX"


def rfc3339(epoch: float) -> str:
    """Format epoch seconds as an RFC 3339 UTC timestamp, e.g. ``2024-05-01T12:00:00Z``."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class OutboxEntry:
    """One code "e-mailed" by the server."""

    email: str
    code: str
    sent_at: datetime


class Outbox:
    """The codes sent so far, in order; thread-safe."""

    def __init__(self, path: Optional[str] = None) -> None:
        """Keep entries in memory, and append them to the file ``path`` if given."""
        self.path = path
        self._entries: list[OutboxEntry] = []
        self._lock = threading.Lock()

    def send(self, email: str, code: str, at: float) -> None:
        """Record that ``code`` was mailed to ``email`` at epoch time ``at``."""
        entry = OutboxEntry(
            email=email, code=code, sent_at=datetime.fromtimestamp(at, timezone.utc)
        )
        line = json.dumps({"email": email, "code": code, "sent_at": rfc3339(at)})
        with self._lock:
            self._entries.append(entry)
            if self.path:
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")

    def clear(self) -> None:
        """Forget the entries kept in memory (the file, if any, is left as it is)."""
        with self._lock:
            self._entries.clear()

    @property
    def entries(self) -> list[OutboxEntry]:
        """A copy of the entries, oldest first."""
        with self._lock:
            return list(self._entries)

    def last_code(self, email: str) -> Optional[str]:
        """The newest code sent to ``email`` (case-insensitive), or ``None``."""
        for entry in reversed(self.entries):
            if entry.email.lower() == email.lower():
                return entry.code
        return None


def last_code_in_file(path: str, email: str) -> Optional[str]:
    """The newest code for ``email`` in the JSON Lines outbox file ``path``, or ``None``.

    Lines that are not complete JSON objects (a line being written) are skipped.
    """
    code: Optional[str] = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(entry, dict)
                and str(entry.get("email", "")).lower() == email.lower()
                and isinstance(entry.get("code"), str)
            ):
                code = entry["code"]
    return code
