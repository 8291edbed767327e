"""The reference server's state in sqlite3: accounts, codes, tokens, replays, rate limits.

Nothing in the database hands out access to whoever reads the file: passwords are salted
scrypt hashes, tokens SHA-256 hashes, and replayed answers are sealed with a key the file
does not hold (:mod:`persona.testing.sealing`). Work does not depend on whether an address
has an account: forgotPass stores a code for every address (one that no code can redeem
when there is no account) and codeForToken reads and updates the same rows either way.

One connection is shared by all request threads and guarded by a lock; every public method
is one transaction, so each step of the flow (redeem a code, spend a token, count a request
against the rate limit) is atomic even when requests race. ``":memory:"`` (the default)
keeps the state for the life of the server; a file path keeps it across restarts.

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
from dataclasses import dataclass
from typing import Callable, Optional

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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    email_key TEXT PRIMARY KEY, code TEXT NOT NULL, expires_at REAL NOT NULL,
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
    answer body (see :mod:`persona.testing.sealing`)."""

    lookup: str
    path: str
    body_mac: str
    status: int
    sealed: str


@dataclass(frozen=True)
class Redemption:
    """What codeForToken got: a token, or ``retry_after`` seconds (too many wrong codes
    for the address), or neither (the code is wrong, expired, used or burnt)."""

    token: Optional[str] = None
    expires_at: float = 0.0
    retry_after: Optional[int] = None


def _key(email: str) -> str:
    return email.lower()


def _token_hash(token: str) -> str:
    # Tokens are stored hashed, so a leaked database does not hand out live tokens. They
    # are 256-bit random, so a plain SHA-256 is enough (no need for a slow hash).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Store:
    """All persistent state of one reference server; thread-safe."""

    def __init__(self, path: str = ":memory:", clock: Callable[[], float] | None = None) -> None:
        """Open (creating if needed) the database at ``path``; ``clock`` gives epoch seconds."""
        self._clock: Callable[[], float] = clock or time.time
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False)
        with self._lock, self._conn:
            self._conn.executescript(_SCHEMA)

    def now(self) -> float:
        """The current time according to the server's clock."""
        return float(self._clock())

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # Accounts -------------------------------------------------------------------------

    def add_account(self, email: str, password: str) -> None:
        """Create the account, or set its password if it exists."""
        encoded = hash_password(password)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO accounts (email_key, email, password_hash) VALUES (?, ?, ?) "
                "ON CONFLICT (email_key) DO UPDATE SET password_hash = excluded.password_hash",
                (_key(email), email, encoded),
            )

    def check_password(self, email: str, password: str) -> bool:
        """Whether ``email`` has an account whose password is ``password``."""
        with self._lock:
            row = self._conn.execute(
                "SELECT password_hash FROM accounts WHERE email_key = ?", (_key(email),)
            ).fetchone()
        return row is not None and verify_password(password, row[0])

    # forgotPass -----------------------------------------------------------------------

    def take_rate_slot(self, email: str, limit: int) -> Optional[int]:
        """Count one forgotPass for ``email``; return ``None`` if allowed, else the seconds
        until a slot frees (at least 1). Refused requests are not counted."""
        now = self.now()
        with self._lock, self._conn:
            wait = self._window_wait("rate_events", _key(email), limit, RATE_WINDOW, now)
            if wait is None:
                self._conn.execute(
                    "INSERT INTO rate_events (email_key, at) VALUES (?, ?)", (_key(email), now)
                )
        return wait

    def _window_wait(
        self, table: str, email_key: str, limit: int, window: float, now: float
    ) -> Optional[int]:
        """``None`` if ``email_key`` has fewer than ``limit`` events in ``table`` within the
        rolling ``window``, else the whole seconds until enough of them leave it."""
        # Every address's old events, so those of addresses that never return go too.
        self._conn.execute(f"DELETE FROM {table} WHERE at <= ?", (now - window,))
        times = [
            row[0]
            for row in self._conn.execute(
                f"SELECT at FROM {table} WHERE email_key = ? ORDER BY at", (email_key,)
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
        but without an account no code redeems it (see :meth:`redeem_code`).
        """
        code = f"{secrets.randbelow(10**6):06d}"
        now = self.now()
        with self._lock, self._conn:
            # Codes stored for addresses without an account expire like any other.
            self._conn.execute("DELETE FROM codes WHERE expires_at <= ?", (now,))
            row = self._conn.execute(
                "SELECT email FROM accounts WHERE email_key = ?", (_key(email),)
            ).fetchone()
            self._conn.execute(
                "INSERT OR REPLACE INTO codes (email_key, code, expires_at, failures) "
                "VALUES (?, ?, ?, 0)",
                (_key(email), code, now + CODE_TTL),
            )
        return (None if row is None else str(row[0])), code

    # codeForToken ---------------------------------------------------------------------

    def redeem_code(self, email: str, code: str, guess_limit: int) -> Redemption:
        """Exchange a matching, unexpired code of an account for a new token.

        Every refused try counts against the address: past ``guess_limit`` of them in
        :data:`GUESS_WINDOW`, the answer is ``retry_after`` without looking at the code. A
        wrong guess also counts against the code; the fifth one burns it. The same rows
        are read and written whether or not the address has an account.
        """
        key = _key(email)
        now = self.now()
        with self._lock, self._conn:
            wait = self._window_wait("guess_events", key, guess_limit, GUESS_WINDOW, now)
            if wait is not None:
                return Redemption(retry_after=wait)
            row = self._conn.execute(
                "SELECT codes.code, codes.expires_at, codes.failures, accounts.email_key "
                "FROM codes LEFT JOIN accounts ON accounts.email_key = codes.email_key "
                "WHERE codes.email_key = ?",
                (key,),
            ).fetchone()
            stored, expires_at, failures, account = row or ("", 0.0, 0, None)
            # Constant-time comparison, on bytes because compare_digest refuses non-ASCII str;
            # made even when there is no code, so that both cases cost the same.
            matches = hmac.compare_digest(stored.encode("utf-8"), code.encode("utf-8"))
            if row is None or expires_at <= now or not matches or account is None:
                self._refuse(key, failures, burn=row is not None and expires_at <= now, now=now)
                return Redemption()
            self._conn.execute("DELETE FROM codes WHERE email_key = ?", (key,))
            token = secrets.token_urlsafe(32)
            token_expires = now + TOKEN_TTL
            self._conn.execute(
                "INSERT INTO tokens (token_hash, email_key, expires_at) VALUES (?, ?, ?)",
                (_token_hash(token), key, token_expires),
            )
        return Redemption(token=token, expires_at=token_expires)

    def _refuse(self, key: str, failures: int, *, burn: bool, now: float) -> None:
        """Count a refused try against the address and against its code (if any)."""
        self._conn.execute("INSERT INTO guess_events (email_key, at) VALUES (?, ?)", (key, now))
        if burn or failures + 1 >= MAX_CODE_FAILURES:
            self._conn.execute("DELETE FROM codes WHERE email_key = ?", (key,))
        else:
            self._conn.execute(
                "UPDATE codes SET failures = failures + 1 WHERE email_key = ?", (key,)
            )

    # resetForgottenPassword -----------------------------------------------------------

    def reset_password(self, token: str, password_hash: str) -> bool:
        """Spend ``token`` and set its account's password to ``password_hash``.

        Return ``False`` if the token is unknown, expired or spent. A reset also cancels
        every other outstanding code and token of the account.
        """
        now = self.now()
        with self._lock, self._conn:
            row = self._conn.execute(
                "SELECT email_key, expires_at FROM tokens WHERE token_hash = ?",
                (_token_hash(token),),
            ).fetchone()
            if row is None:
                return False
            email_key, expires_at = row
            self._conn.execute("DELETE FROM tokens WHERE token_hash = ?", (_token_hash(token),))
            if expires_at <= now:
                return False
            self._conn.execute(
                "UPDATE accounts SET password_hash = ? WHERE email_key = ?",
                (password_hash, email_key),
            )
            self._conn.execute("DELETE FROM tokens WHERE email_key = ?", (email_key,))
            self._conn.execute("DELETE FROM codes WHERE email_key = ?", (email_key,))
        return True

    # Idempotency-Key ------------------------------------------------------------------

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

    def put_replay(self, record: ReplayRecord) -> None:
        """Remember ``record`` (and forget expired ones)."""
        with self._lock, self._conn:
            self._conn.execute(
                "DELETE FROM replays WHERE created_at <= ?", (self.now() - IDEMPOTENCY_TTL,)
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO replays "
                "(lookup, path, body_mac, status, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.lookup,
                    record.path,
                    record.body_mac,
                    record.status,
                    record.sealed,
                    self.now(),
                ),
            )
