"""The reference server's state in sqlite3: accounts, codes, tokens, idempotency, rate limits.

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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    email_key TEXT PRIMARY KEY, email TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    email_key TEXT PRIMARY KEY, code TEXT NOT NULL, expires_at REAL NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, email_key TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY, path TEXT NOT NULL, body_hash TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS rate_events (email_key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS rate_events_by_email ON rate_events (email_key, at);
CREATE INDEX IF NOT EXISTS rate_events_by_time ON rate_events (at);
CREATE INDEX IF NOT EXISTS idempotency_by_time ON idempotency (created_at);
"""


@dataclass(frozen=True)
class IdempotencyRecord:
    """The first answer given to a request that carried an ``Idempotency-Key``."""

    path: str
    body_hash: str
    status: int
    body: str


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

    def clear(self) -> None:
        """Delete every row of every table: accounts, codes, tokens, idempotency records
        and rate-limit counts. The schema stays."""
        with self._lock, self._conn:
            # Every table the schema has, not a list kept here: a table added later is
            # cleared too.
            tables = [
                row[0]
                for row in self._conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                self._conn.execute(f'DELETE FROM "{table}"')

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
            # Every address's old events, so those of addresses that never return go too.
            self._conn.execute("DELETE FROM rate_events WHERE at <= ?", (now - RATE_WINDOW,))
            times = [
                row[0]
                for row in self._conn.execute(
                    "SELECT at FROM rate_events WHERE email_key = ? ORDER BY at", (_key(email),)
                )
            ]
            if len(times) >= limit:
                # The slot held by the oldest request in the window frees first; when the
                # limit is exceeded by more than one, wait for enough of them to expire.
                frees_at = times[len(times) - limit] + RATE_WINDOW
                return max(1, int(-(-(frees_at - now) // 1)))
            self._conn.execute(
                "INSERT INTO rate_events (email_key, at) VALUES (?, ?)", (_key(email), now)
            )
        return None

    def issue_code(self, email: str) -> Optional[tuple[str, str]]:
        """Issue a fresh 6-digit code for the account, replacing any earlier one.

        Return ``(account_email, code)``, or ``None`` when there is no such account.
        """
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock, self._conn:
            row = self._conn.execute(
                "SELECT email FROM accounts WHERE email_key = ?", (_key(email),)
            ).fetchone()
            if row is None:
                return None
            self._conn.execute(
                "INSERT OR REPLACE INTO codes (email_key, code, expires_at, failures) "
                "VALUES (?, ?, ?, 0)",
                (_key(email), code, self.now() + CODE_TTL),
            )
        return str(row[0]), code

    # codeForToken ---------------------------------------------------------------------

    def redeem_code(self, email: str, code: str) -> Optional[tuple[str, float]]:
        """Exchange a matching, unexpired code for a new token.

        Return ``(token, expires_at)``, or ``None`` if the code is wrong, expired, used or
        burnt. A wrong guess counts against the code; the fifth one burns it.
        """
        now = self.now()
        with self._lock, self._conn:
            row = self._conn.execute(
                "SELECT code, expires_at, failures FROM codes WHERE email_key = ?",
                (_key(email),),
            ).fetchone()
            if row is None:
                return None
            stored, expires_at, failures = row
            if expires_at <= now:
                self._conn.execute("DELETE FROM codes WHERE email_key = ?", (_key(email),))
                return None
            # Constant-time comparison, on bytes because compare_digest refuses non-ASCII str.
            if not hmac.compare_digest(stored.encode("utf-8"), code.encode("utf-8")):
                if failures + 1 >= MAX_CODE_FAILURES:
                    self._conn.execute("DELETE FROM codes WHERE email_key = ?", (_key(email),))
                else:
                    self._conn.execute(
                        "UPDATE codes SET failures = failures + 1 WHERE email_key = ?",
                        (_key(email),),
                    )
                return None
            self._conn.execute("DELETE FROM codes WHERE email_key = ?", (_key(email),))
            token = secrets.token_urlsafe(32)
            token_expires = now + TOKEN_TTL
            self._conn.execute(
                "INSERT INTO tokens (token_hash, email_key, expires_at) VALUES (?, ?, ?)",
                (_token_hash(token), _key(email), token_expires),
            )
        return token, token_expires

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

    def get_idempotent(self, key: str) -> Optional[IdempotencyRecord]:
        """The answer remembered for ``key`` in the last 24 hours, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT path, body_hash, status, body FROM idempotency "
                "WHERE key = ? AND created_at > ?",
                (key, self.now() - IDEMPOTENCY_TTL),
            ).fetchone()
        if row is None:
            return None
        return IdempotencyRecord(path=row[0], body_hash=row[1], status=row[2], body=row[3])

    def put_idempotent(self, key: str, record: IdempotencyRecord) -> None:
        """Remember ``record`` as the answer for ``key`` (and forget expired answers)."""
        with self._lock, self._conn:
            self._conn.execute(
                "DELETE FROM idempotency WHERE created_at <= ?", (self.now() - IDEMPOTENCY_TTL,)
            )
            self._conn.execute(
                "INSERT OR REPLACE INTO idempotency "
                "(key, path, body_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (key, record.path, record.body_hash, record.status, record.body, self.now()),
            )
