"""The reference server's state in sqlite3: accounts, codes, tokens, replays, rate limits.

Nothing in the database hands out access to whoever reads (or copies) the file: passwords
are salted scrypt hashes; codes, tokens and the addresses that codes, tokens and rate
limits are filed under are HMACs under a key the file does not hold
(:mod:`persona.testing.dbkey`); replayed answers are sealed with keys derived from it and
from the request (:mod:`persona.testing.sealing`). Only the accounts table names addresses,
as a mail server must know where to deliver. The file, and sqlite's journal beside it
(which takes the file's mode), are created ``0600`` whatever the umask. Work does not
depend on whether an address has an account: forgotPass stores a code for every address
(one that no code can redeem when there is no account) and codeForToken reads and updates
the same rows either way.

Every public method is one ``BEGIN IMMEDIATE`` transaction: it holds sqlite's write lock
from its first read, so each step of the flow (redeem a code, spend a token, claim an
Idempotency-Key, count a request against a rate limit) is atomic even when requests race,
in one server or in several servers sharing one database file; the steps that spend
something also check the row count of the statement that spends it. ``":memory:"`` (the
default) keeps the state for the life of the server; a file path keeps it across restarts.

E-mail addresses are matched case-insensitively (``Ann@Example.com`` is ``ann@example.com``);
the account keeps the spelling it was created with.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Optional

from persona.testing.dbkey import db_key, is_memory, private_file
from persona.testing.passwords import hash_password, verify_password

#: How long a code and a token stay valid, in seconds (the contract's 15 minutes).
CODE_TTL = 15 * 60
TOKEN_TTL = 15 * 60
#: Wrong guesses after which a code is burnt.
MAX_CODE_FAILURES = 5
#: How long an Idempotency-Key is remembered, in seconds.
IDEMPOTENCY_TTL = 24 * 60 * 60
#: The rolling window of the forgotPass rate limit, in seconds.
RATE_WINDOW = 60
#: The rolling window of the per-address cap on wrong codes, in seconds (the contract's 15
#: minutes): a fresh code must not buy fresh guesses.
GUESS_WINDOW = 15 * 60

#: The schema's version (``PRAGMA user_version``). Version 2 stores codes, tokens and the
#: addresses they are filed under as keyed hashes; an older file's short-lived state
#: (codes, tokens, replays, rate limits) is dropped on opening, its accounts kept.
SCHEMA_VERSION = 2
_EPHEMERAL = ("codes", "tokens", "replays", "rate_events", "guess_events", "idempotency")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    email_key TEXT PRIMARY KEY, code_mac TEXT NOT NULL, expires_at REAL NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, email_key TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS codes_by_time ON codes (expires_at);
-- Earlier versions kept whole answers, live tokens included, in "idempotency": drop it.
DROP TABLE IF EXISTS idempotency;
CREATE TABLE IF NOT EXISTS replays (
    lookup TEXT PRIMARY KEY, path TEXT NOT NULL, body_mac TEXT NOT NULL,
    status INTEGER NOT NULL, sealed TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS replays_by_time ON replays (created_at);
CREATE TABLE IF NOT EXISTS rate_events (email_key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS rate_events_by_email ON rate_events (email_key, at);
CREATE INDEX IF NOT EXISTS rate_events_by_time ON rate_events (at);
CREATE TABLE IF NOT EXISTS guess_events (email_key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS guess_events_by_email ON guess_events (email_key, at);
CREATE INDEX IF NOT EXISTS guess_events_by_time ON guess_events (at);
"""


@dataclass(frozen=True)
class ReplayRecord:
    """The first answer to a request with an ``Idempotency-Key``, as stored: ``lookup``
    and ``body_mac`` are keyed hashes of the key and the body, ``sealed`` the sealed
    answer body (see :mod:`persona.testing.sealing`). ``status`` 0 marks a key claimed
    by a request still running (:meth:`Store.claim_replay`)."""

    lookup: str
    path: str
    body_mac: str
    status: int
    sealed: str


@dataclass(frozen=True)
class Redemption:
    """What codeForToken got: a token, or ``retry_after`` seconds (too many wrong codes
    for the address), or neither (the code is wrong, expired, used or burnt; ``burnt``
    when this try ended the address's code)."""

    token: Optional[str] = None
    expires_at: float = 0.0
    retry_after: Optional[int] = None
    burnt: bool = False


def _key(email: str) -> str:
    return email.lower()


class Store:
    """All persistent state of one reference server; thread-safe, and safe to share one
    database file between servers (processes)."""

    def __init__(
        self,
        path: str = ":memory:",
        clock: Callable[[], float] | None = None,
        key: Optional[bytes] = None,
    ) -> None:
        """Open (creating if needed) the database at ``path``; ``clock`` gives epoch seconds;
        ``key`` is the database key (default: :func:`persona.testing.dbkey.db_key`)."""
        self._clock: Callable[[], float] = clock or time.time
        self.key = key if key is not None else db_key(path)
        self._lock = threading.RLock()
        if not is_memory(path) and not path.startswith("file:"):
            private_file(path)
        # Autocommit mode: transactions are begun explicitly (BEGIN IMMEDIATE) by _write.
        # timeout: how long a statement waits for another server's write lock.
        self._conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=10.0
        )
        with self._write():
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                # Short-lived state of an older schema (codes in clear among it) goes.
                for table in _EPHEMERAL:
                    self._conn.execute(f'DROP TABLE IF EXISTS "{table}"')
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._adopt_key()

    def _adopt_key(self) -> None:
        """File the accounts under this key. A database opened with another key (an older
        schema, or a lost key file) keeps its accounts, whose addresses it holds, and
        drops what only the old key could match (codes, tokens, replays, rate limits)."""
        key_id = self._mac("key-id", "")
        row = self._conn.execute("SELECT value FROM meta WHERE name = 'key_id'").fetchone()
        if row is not None and row[0] == key_id:
            return
        for table in _EPHEMERAL[:-1]:  # "idempotency" no longer exists
            self._conn.execute(f'DELETE FROM "{table}"')
        accounts = self._conn.execute("SELECT email, password_hash FROM accounts").fetchall()
        self._conn.execute("DELETE FROM accounts")
        self._conn.executemany(
            "INSERT OR REPLACE INTO accounts (email_key, email, password_hash) VALUES (?, ?, ?)",
            [(self._email_mac(email), email, encoded) for email, encoded in accounts],
        )
        self._conn.execute(
            "INSERT OR REPLACE INTO meta (name, value) VALUES ('key_id', ?)", (key_id,)
        )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction holding the write lock from its start (``BEGIN IMMEDIATE``), so
        that what it reads cannot change before it writes, in this server or another."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _mac(self, label: str, value: str) -> str:
        """The keyed hash of ``value`` (an address, code or token) for column ``label``."""
        data = label.encode("ascii") + b"\x00" + value.encode("utf-8", "surrogatepass")
        return hmac.new(self.key, data, hashlib.sha256).hexdigest()

    def _email_mac(self, email: str) -> str:
        return self._mac("email", _key(email))

    def _token_mac(self, token: str) -> str:
        return self._mac("token", token)

    def now(self) -> float:
        """The current time according to the server's clock."""
        return float(self._clock())

    def clear(self) -> None:
        """Delete every row of every table: accounts, codes, tokens, idempotency records
        and rate-limit counts. The schema stays."""
        with self._write() as conn:
            # Every table the schema has, not a list kept here: a table added later is
            # cleared too.
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                conn.execute(f'DELETE FROM "{table}"')

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # Accounts -------------------------------------------------------------------------

    def add_account(self, email: str, password: str) -> None:
        """Create the account, or set its password if it exists."""
        encoded = hash_password(password)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO accounts (email_key, email, password_hash) VALUES (?, ?, ?) "
                "ON CONFLICT (email_key) DO UPDATE SET password_hash = excluded.password_hash",
                (self._email_mac(email), email, encoded),
            )

    def check_password(self, email: str, password: str) -> bool:
        """Whether ``email`` has an account whose password is ``password``."""
        with self._lock:
            row = self._conn.execute(
                "SELECT password_hash FROM accounts WHERE email_key = ?",
                (self._email_mac(email),),
            ).fetchone()
        return row is not None and verify_password(password, row[0])

    # forgotPass -----------------------------------------------------------------------

    def take_rate_slot(self, email: str, limit: int) -> Optional[int]:
        """Count one forgotPass for ``email``; return ``None`` if allowed, else the seconds
        until a slot frees (at least 1). Refused requests are not counted."""
        return self._take_slot("rate_events", email, limit, RATE_WINDOW)

    def _take_slot(self, table: str, email: str, limit: int, window: float) -> Optional[int]:
        """Count one event for ``email`` in ``table`` if it has fewer than ``limit`` in the
        rolling ``window``, in one transaction; else count nothing and return the wait."""
        now = self.now()
        mac = self._email_mac(email)
        with self._write() as conn:
            wait = self._window_wait(table, mac, limit, window, now)
            if wait is None:
                conn.execute(f"INSERT INTO {table} (email_key, at) VALUES (?, ?)", (mac, now))
        return wait

    def _window_wait(
        self, table: str, email_mac: str, limit: int, window: float, now: float
    ) -> Optional[int]:
        """``None`` if ``email_mac`` has fewer than ``limit`` events in ``table`` within the
        rolling ``window``, else the whole seconds until enough of them leave it."""
        # Every address's old events, so those of addresses that never return go too.
        self._conn.execute(f"DELETE FROM {table} WHERE at <= ?", (now - window,))
        times = [
            row[0]
            for row in self._conn.execute(
                f"SELECT at FROM {table} WHERE email_key = ? ORDER BY at", (email_mac,)
            )
        ]
        if len(times) < limit:
            return None
        # The slot held by the oldest event in the window frees first; when the limit is
        # exceeded by more than one, wait for enough of them to expire.
        frees_at = times[len(times) - limit] + window
        return max(1, int(-(-(frees_at - now) // 1)))

    def issue_code(self, email: str) -> tuple[Optional[str], str]:
        """Issue a fresh 6-digit code for ``email``, replacing any earlier one.

        Return ``(account_email, code)``; ``account_email`` is ``None`` when there is no
        such account. The code is stored either way (the same work, so the same time),
        but without an account no code redeems it (see :meth:`redeem_code`). Only its
        keyed hash is stored: the code itself leaves in the mail.
        """
        code = f"{secrets.randbelow(10**6):06d}"
        now = self.now()
        mac = self._email_mac(email)
        with self._write() as conn:
            # Codes stored for addresses without an account expire like any other.
            conn.execute("DELETE FROM codes WHERE expires_at <= ?", (now,))
            row = conn.execute("SELECT email FROM accounts WHERE email_key = ?", (mac,)).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO codes (email_key, code_mac, expires_at, failures) "
                "VALUES (?, ?, ?, 0)",
                (mac, self._code_mac(mac, code), now + CODE_TTL),
            )
        return (None if row is None else str(row[0])), code

    def _code_mac(self, email_mac: str, code: str) -> str:
        # Bound to the address: one code's hash says nothing about another address's.
        return self._mac("code", email_mac + ":" + code)

    # codeForToken ---------------------------------------------------------------------

    def guess_wait(self, email: str, guess_limit: int) -> Optional[int]:
        """``None`` if ``email`` may try a code now, else the seconds until it may."""
        with self._write():
            return self._window_wait(
                "guess_events", self._email_mac(email), guess_limit, GUESS_WINDOW, self.now()
            )

    def count_guess(self, email: str, guess_limit: int) -> Optional[int]:
        """Count one refused try for ``email`` that did not reach a code (a replay of an
        Idempotency-Key with a different body, say); return ``None``, or the seconds to
        wait when the address is already over ``guess_limit`` (then nothing is counted)."""
        return self._take_slot("guess_events", email, guess_limit, GUESS_WINDOW)

    def redeem_code(self, email: str, code: str, guess_limit: int) -> Redemption:
        """Exchange a matching, unexpired code of an account for a new token.

        Every refused try counts against the address: past ``guess_limit`` of them in
        :data:`GUESS_WINDOW`, the answer is ``retry_after`` without looking at the code. A
        wrong guess also counts against the code; the fifth one burns it. The same rows
        are read and written whether or not the address has an account.
        """
        mac = self._email_mac(email)
        offered = self._code_mac(mac, code)
        now = self.now()
        with self._write() as conn:
            wait = self._window_wait("guess_events", mac, guess_limit, GUESS_WINDOW, now)
            if wait is not None:
                return Redemption(retry_after=wait)
            row = conn.execute(
                "SELECT code_mac, expires_at, failures FROM codes WHERE email_key = ?", (mac,)
            ).fetchone()
            account = conn.execute("SELECT 1 FROM accounts WHERE email_key = ?", (mac,)).fetchone()
            stored, expires_at, failures = row or ("", 0.0, 0)
            # Constant-time comparison of two hex MACs, made even when there is no code.
            matches = hmac.compare_digest(stored.encode("ascii"), offered.encode("ascii"))
            if row is None or expires_at <= now or not matches or account is None:
                expired = row is not None and expires_at <= now
                burnt = self._refuse(mac, failures, burn=expired, now=now)
                return Redemption(burnt=row is not None and burnt)
            # Spent by the statement that checks it is still there: one redemption per code.
            spent = conn.execute(
                "DELETE FROM codes WHERE email_key = ? AND code_mac = ?", (mac, stored)
            ).rowcount
            if spent != 1:
                return Redemption()
            token = secrets.token_urlsafe(32)
            token_expires = now + TOKEN_TTL
            conn.execute(
                "INSERT INTO tokens (token_hash, email_key, expires_at) VALUES (?, ?, ?)",
                (self._token_mac(token), mac, token_expires),
            )
        return Redemption(token=token, expires_at=token_expires)

    def _refuse(self, mac: str, failures: int, *, burn: bool, now: float) -> bool:
        """Count a refused try against the address and against its code (if any); return
        whether the code is burnt now."""
        self._conn.execute("INSERT INTO guess_events (email_key, at) VALUES (?, ?)", (mac, now))
        if burn or failures + 1 >= MAX_CODE_FAILURES:
            self._conn.execute("DELETE FROM codes WHERE email_key = ?", (mac,))
            return True
        self._conn.execute("UPDATE codes SET failures = failures + 1 WHERE email_key = ?", (mac,))
        return False

    # resetForgottenPassword -----------------------------------------------------------

    def reset_password(self, token: str, password_hash: str) -> Optional[str]:
        """Spend ``token`` and set its account's password to ``password_hash``.

        Return the account's address, or ``None`` if the token is unknown, expired or
        spent. A reset also cancels every other outstanding code and token of the account.
        """
        now = self.now()
        token_mac = self._token_mac(token)
        with self._write() as conn:
            row = conn.execute(
                "SELECT email_key, expires_at FROM tokens WHERE token_hash = ?", (token_mac,)
            ).fetchone()
            if row is None:
                return None
            email_key, expires_at = row
            # Spent by the statement that finds it: of two resets with one token, one wins.
            spent = conn.execute("DELETE FROM tokens WHERE token_hash = ?", (token_mac,)).rowcount
            if spent != 1 or expires_at <= now:
                return None
            account = conn.execute(
                "SELECT email FROM accounts WHERE email_key = ?", (email_key,)
            ).fetchone()
            conn.execute(
                "UPDATE accounts SET password_hash = ? WHERE email_key = ?",
                (password_hash, email_key),
            )
            conn.execute("DELETE FROM tokens WHERE email_key = ?", (email_key,))
            conn.execute("DELETE FROM codes WHERE email_key = ?", (email_key,))
        return None if account is None else str(account[0])

    # Idempotency-Key ------------------------------------------------------------------

    def claim_replay(self, lookup: str, path: str, body_mac: str) -> Optional[ReplayRecord]:
        """Claim ``lookup`` for a request about to run: ``None`` if this call claimed it
        (then :meth:`finish_replay` or :meth:`release_replay`), else the record already
        there (``status`` 0: another request holding the key is still running)."""
        now = self.now()
        with self._write() as conn:
            conn.execute("DELETE FROM replays WHERE created_at <= ?", (now - IDEMPOTENCY_TTL,))
            claimed = conn.execute(
                "INSERT OR IGNORE INTO replays "
                "(lookup, path, body_mac, status, sealed, created_at) VALUES (?, ?, ?, 0, '', ?)",
                (lookup, path, body_mac, now),
            ).rowcount
            if claimed == 1:
                return None
            row = conn.execute(
                "SELECT path, body_mac, status, sealed FROM replays WHERE lookup = ?", (lookup,)
            ).fetchone()
        return ReplayRecord(lookup, path=row[0], body_mac=row[1], status=row[2], sealed=row[3])

    def finish_replay(self, lookup: str, status: int, sealed: str) -> None:
        """Store the answer of the request that claimed ``lookup``."""
        with self._write() as conn:
            conn.execute(
                "UPDATE replays SET status = ?, sealed = ? WHERE lookup = ? AND status = 0",
                (status, sealed, lookup),
            )

    def release_replay(self, lookup: str) -> None:
        """Give up the claim on ``lookup`` (the answer is not to be replayed)."""
        with self._write() as conn:
            conn.execute("DELETE FROM replays WHERE lookup = ? AND status = 0", (lookup,))

    def get_replay(self, lookup: str) -> Optional[ReplayRecord]:
        """The answer remembered under ``lookup`` in the last 24 hours, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT path, body_mac, status, sealed FROM replays "
                "WHERE lookup = ? AND created_at > ?",
                (lookup, self.now() - IDEMPOTENCY_TTL),
            ).fetchone()
        if row is None:
            return None
        return ReplayRecord(lookup, path=row[0], body_mac=row[1], status=row[2], sealed=row[3])
