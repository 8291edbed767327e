"""The outbox: where the reference server "e-mails" its one-time codes.

No mail is sent. Every code is appended to an in-process list (what tests read through
``ReferenceServer.outbox`` and ``last_code()``) and, when a file is configured, to a JSON
Lines file (``{"email": ..., "code": ..., "sent_at": RFC 3339}`` per line) that another
process, such as a demo script or ``python -m persona.testing outbox``, can read.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Optional

from persona.testing.limits import MAX_MESSAGES
from persona.testing.store import CODE_TTL
from persona.testing.waiters import ANY, Waiters

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


#: A message's code still redeems.
LIVE = "live"
#: A newer code was mailed to the same address (which replaced this one).
REPLACED = "replaced"
#: The code was exchanged for a token.
USED = "used"
#: The code's 15 minutes are over, or wrong tries burnt it, or a password reset ended it.
EXPIRED = "expired"
STATES = (LIVE, REPLACED, USED, EXPIRED)


@dataclass(frozen=True)
class Message:
    """One kept entry as the outbox page shows it: its id, the entry, its code's state
    (one of :data:`STATES`) when it was read."""

    number: int
    entry: OutboxEntry
    state: str


class OutboxError(ValueError):
    """The outbox file cannot be written (a directory, a missing folder, no permission)."""


@dataclass(frozen=True)
class Letter:
    """A code ready to be "mailed": the entry kept in memory, its line for the file and
    when it was sent (epoch seconds, exact: ``entry.sent_at`` is rounded)."""

    entry: OutboxEntry
    line: str
    at: float


@dataclass(frozen=True)
class _Kept:
    number: int
    entry: OutboxEntry
    expires_at: float  # epoch seconds, as the store expires the code


def compose(email: str, code: str, at: float) -> Letter:
    """Prepare the mail of ``code`` to ``email`` at epoch time ``at`` (nothing is sent).

    The server composes a letter for every forgotPass, account or not, and then has
    :meth:`Outbox.post` deliver it only to accounts: the time an answer takes must not
    tell whether an address has an account.
    """
    entry = OutboxEntry(email=email, code=code, sent_at=datetime.fromtimestamp(at, timezone.utc))
    line = json.dumps({"email": email, "code": code, "sent_at": rfc3339(at)})
    return Letter(entry, line, at)


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
    """The codes sent so far, in order, the newest :data:`~persona.testing.limits.MAX_MESSAGES`
    of them (older ones are dropped; a file keeps them all); thread-safe.

    Every forgotPass posts a letter (:meth:`post`), account or not, and posting costs the
    same either way: the file is opened, written and closed, with the line for an account
    and with nothing otherwise. With ``open()`` and a text file the write took ~40
    microseconds more for accounts, enough to tell them apart; with the os-level calls
    used here the whole write costs about a microsecond, and an empty one nearly as much.
    The file is complete as soon as the answer is sent, so another process may read it
    at once. A failed write goes to ``on_error``, not to the client: an error for accounts
    only would reveal them too.

    Messages are also filed by address, so that finding an address's newest one, and
    waking the threads waiting for it, costs the same however many others there are.
    """

    def __init__(
        self,
        path: Optional[str] = None,
        on_error: Optional[Callable[[str], None]] = None,
        max_messages: int = MAX_MESSAGES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keep up to ``max_messages`` entries in memory, and append them all to the file
        ``path`` if given; raise :class:`OutboxError` at once if ``path`` cannot be
        written. ``clock`` (the server's, epoch seconds) says when codes expire."""
        if path:
            check_writable(path)
        self.path = path
        self._on_error = on_error
        self._max = max_messages
        # (id, entry) pairs, oldest first; ids grow by one with every delivery.
        self._entries: deque[_Kept] = deque()
        self._by_address: dict[str, deque[_Kept]] = {}
        self._waiters = Waiters()
        # States set by what happened to a code (used, burnt, cancelled), by id; the
        # entries themselves never change.
        self._marks: dict[int, str] = {}
        self._clock = clock
        self._lock = threading.Lock()
        #: How many letters were ever delivered (the id of the newest one).
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
                self._keep(letter)
            if self.path:
                self._append(self.path, data)

    def _keep(self, letter: Letter) -> None:
        self.delivered += 1
        self.version += 1
        item = _Kept(self.delivered, letter.entry, letter.at + CODE_TTL)
        key = letter.entry.email.lower()
        self._entries.append(item)
        self._by_address.setdefault(key, deque()).append(item)
        if len(self._entries) > self._max:
            dropped = self._entries.popleft()
            self._marks.pop(dropped.number, None)
            oldest = dropped.entry
            # The oldest of all is the oldest of its address too.
            theirs = self._by_address[oldest.email.lower()]
            theirs.popleft()
            if not theirs:
                del self._by_address[oldest.email.lower()]
        self._waiters.notify(key)

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
        it is left as it is). Ids go on growing from where they were."""
        with self._lock:
            self._entries.clear()
            self._by_address.clear()
            self._marks.clear()
            self.version += 1
            self._waiters.notify_all()
            if truncate and self.path:
                try:
                    os.truncate(self.path, 0)
                except OSError as exc:
                    if self._on_error is not None:
                        self._on_error(f"cannot empty the outbox file: {exc.strerror or exc}")

    def settle(self, email: str, code: Optional[str], state: str) -> None:
        """Mark the newest message to ``email`` :data:`USED` or :data:`EXPIRED`, if its
        code is ``code`` (any code: ``None``) and nothing marked it before. The server
        calls this when a code is redeemed, burnt or cancelled."""
        with self._lock:
            mine = self._by_address.get(email.lower())
            if not mine:
                return
            newest = mine[-1]
            if newest.number in self._marks or (code is not None and newest.entry.code != code):
                return
            self._marks[newest.number] = state
            self.version += 1
            self._waiters.notify(email.lower())

    def _state(self, kept: _Kept, now: float) -> str:
        mark = self._marks.get(kept.number)
        if mark is not None:
            return mark
        if self._by_address[kept.entry.email.lower()][-1] is not kept:
            return REPLACED
        if kept.expires_at <= now:
            return EXPIRED
        return LIVE

    def newest(self, email: Optional[str] = None, limit: Optional[int] = None) -> list[Message]:
        """Up to ``limit`` messages, newest first, all or to ``email`` only
        (case-insensitive), each with its code's state now."""
        now = self._clock()
        with self._lock:
            items = self._entries if email is None else self._by_address.get(email.lower(), ())
            return [
                Message(kept.number, kept.entry, self._state(kept, now))
                for kept in itertools.islice(reversed(items), limit)
            ]

    def latest(self, email: str) -> Optional[Message]:
        """The newest message to ``email`` (case-insensitive), or ``None``."""
        found = self.newest(email, 1)
        return found[0] if found else None

    def wait_for_mail(self, email: str, timeout: float, stop: threading.Event) -> Optional[Message]:
        """:meth:`latest`, waiting up to ``timeout`` seconds for one to come; ``stop``
        (set before :meth:`interrupt`) ends the wait early. Only a delivery to ``email``
        (or a clear) wakes this thread."""
        key = email.lower()
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                left = deadline - time.monotonic()
                done = key in self._by_address or left <= 0 or stop.is_set()
                if not done:
                    event = self._waiters.register(key)
            if done:
                return self.latest(email)
            try:
                event.wait(left)
            finally:
                with self._lock:
                    self._waiters.unregister(key, event)

    def wait_for_change(self, since: int, timeout: float, stop: threading.Event) -> int:
        """Wait until :attr:`version` is no longer ``since`` (a delivery or a clear),
        ``timeout`` seconds at most, or until ``stop`` is set (before :meth:`interrupt`);
        return the version then."""
        with self._lock:
            if self.version != since or timeout <= 0 or stop.is_set():
                return self.version
            event = self._waiters.register(ANY)
        try:
            event.wait(timeout)
        finally:
            with self._lock:
                self._waiters.unregister(ANY, event)
        with self._lock:
            return self.version

    def interrupt(self) -> None:
        """Wake every waiting thread, to look at its ``stop`` event (set it first)."""
        with self._lock:
            self._waiters.notify_all()

    @property
    def entries(self) -> list[OutboxEntry]:
        """A copy of the entries kept, oldest first."""
        with self._lock:
            return [kept.entry for kept in self._entries]

    def last_code(self, email: str) -> Optional[str]:
        """The newest code sent to ``email`` (case-insensitive), or ``None``."""
        found = self.latest(email)
        return None if found is None else found.entry.code


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
