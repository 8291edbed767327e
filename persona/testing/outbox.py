"""The outbox: where the reference server "e-mails" its one-time codes.

No mail is sent. Every code is appended to an in-process list (what tests read through
``ReferenceServer.outbox`` and ``last_code()``) and, when a file is configured, to a JSON
Lines file (``{"email": ..., "code": ..., "sent_at": RFC 3339}`` per line) that another
process, such as a demo script or ``python -m persona.testing outbox``, can read.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Optional

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


class OutboxError(ValueError):
    """The outbox file cannot be written (a directory, a missing folder, no permission)."""


@dataclass(frozen=True)
class Letter:
    """A code ready to be "mailed": the entry kept in memory and its line for the file."""

    entry: OutboxEntry
    line: str


def compose(email: str, code: str, at: float) -> Letter:
    """Prepare the mail of ``code`` to ``email`` at epoch time ``at`` (nothing is sent).

    The server composes a letter for every forgotPass, account or not, and then has
    :meth:`Outbox.post` deliver it only to accounts: the time an answer takes must not
    tell whether an address has an account.
    """
    entry = OutboxEntry(email=email, code=code, sent_at=datetime.fromtimestamp(at, timezone.utc))
    return Letter(entry, json.dumps({"email": email, "code": code, "sent_at": rfc3339(at)}))


def check_writable(path: str) -> None:
    """Raise :class:`OutboxError` if the outbox file ``path`` cannot be appended to.

    Opening it for appending is the real test (it creates the file if missing); doing it
    at start turns a wrong path into a clear error instead of failed deliveries later.
    """
    if os.path.isdir(path):
        raise OutboxError(f"outbox {path!r} is a directory; name a file (e.g. outbox.jsonl)")
    try:
        os.close(open_private(path))
    except OSError as exc:
        raise OutboxError(f"cannot write the outbox file {path!r}: {exc.strerror or exc}") from None


def open_private(path: str) -> int:
    """Open ``path`` for appending, created readable by its owner only (``0600``, whatever
    the umask): it holds live reset codes."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with contextlib.suppress(OSError):  # a file someone else owns keeps its mode
        os.fchmod(fd, 0o600)
    return fd


class Outbox:
    """The codes sent so far, in order; thread-safe.

    Every forgotPass posts a letter (:meth:`post`), account or not, and posting costs the
    same either way: the file is opened, written and closed, with the line for an account
    and with nothing otherwise. With ``open()`` and a text file the write took ~40
    microseconds more for accounts, enough to tell them apart; with the os-level calls
    used here the whole write costs about a microsecond, and an empty one nearly as much.
    The file is complete as soon as the answer is sent, so another process may read it
    at once. A failed write goes to ``on_error``, not to the client: an error for accounts
    only would reveal them too.
    """

    def __init__(
        self, path: Optional[str] = None, on_error: Optional[Callable[[str], None]] = None
    ) -> None:
        """Keep entries in memory, and append them to the file ``path`` if given; raise
        :class:`OutboxError` at once if ``path`` cannot be written."""
        if path:
            check_writable(path)
        self.path = path
        self._on_error = on_error
        self._entries: list[OutboxEntry] = []
        self._lock = threading.Lock()
        #: Notified on every delivery and clear (the outbox page's live updates wait on it).
        self.changed = threading.Condition(self._lock)
        #: How many letters were ever delivered: entry ``i`` of :attr:`entries` has the id
        #: ``delivered - len(entries) + i + 1``, stable until a clear.
        self.delivered = 0
        #: Grows with every delivery and every clear.
        self.version = 0

    def send(self, email: str, code: str, at: float) -> None:
        """Record that ``code`` was mailed to ``email`` at epoch time ``at``."""
        self.post(compose(email, code, at), deliver=True)

    def post(self, letter: Letter, *, deliver: bool) -> None:
        """Mail ``letter`` if ``deliver``, else drop it, at the same cost either way."""
        data = (letter.line + "\n").encode("utf-8") if deliver else b""
        with self._lock:
            if deliver:
                self._entries.append(letter.entry)
                self.delivered += 1
                self.version += 1
                self.changed.notify_all()
            if self.path:
                self._append(self.path, data)

    def _append(self, path: str, data: bytes) -> None:
        try:
            fd = open_private(path)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            if self._on_error is not None:
                self._on_error(f"outbox: cannot write {path}: {exc.strerror or exc}")

    def clear(self, truncate: bool = False) -> None:
        """Forget the entries kept in memory; with ``truncate``, empty the file too (else
        it is left as it is)."""
        with self._lock:
            self._entries.clear()
            self.version += 1
            self.changed.notify_all()
            if truncate and self.path:
                try:
                    os.truncate(self.path, 0)
                except OSError as exc:
                    if self._on_error is not None:
                        self._on_error(f"cannot empty the outbox file: {exc.strerror or exc}")

    def numbered(self) -> tuple[int, list[OutboxEntry]]:
        """The id of the first entry and a copy of the entries, oldest first."""
        with self._lock:
            return self.delivered - len(self._entries) + 1, list(self._entries)

    def wait_for_change(self, since: int, timeout: float, stop: threading.Event) -> int:
        """Wait until :attr:`version` is no longer ``since`` (a delivery or a clear),
        ``timeout`` seconds at most, or until ``stop`` is set; return the version then."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self.version == since and not stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(min(left, 0.25))  # short: a stopping server is seen soon
            return self.version

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
