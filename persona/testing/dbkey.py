"""The reference server's database key: what the stored codes, tokens and addresses are
hashed with, kept out of the database file.

A copied ``--db`` file must not be enough to reset a password. Codes are six digits, so an
unkeyed hash of one falls to a brute force in well under a second; a keyed hash (HMAC) with
a key the file does not hold does not. Where the key comes from, first match wins:

1. ``PERSONA_DB_KEY`` in the environment (any text of at least 16 characters), so that
   servers on different machines, or a key kept in a secret store, can share one;
2. an in-memory database (the default) gets a fresh random key: nothing outlives it;
3. a database file ``FILE`` uses the key file ``FILE.key`` beside it, created once with 32
   random bytes and mode ``0600``. Two servers started on one file share it (the first
   creates it atomically, the second reads it), and a copy of the database alone is
   useless. Keep the two apart when you copy one.
"""

from __future__ import annotations

import contextlib
import os
import secrets

__all__ = ["DB_KEY_ENV", "MIN_KEY_CHARS", "DbKeyError", "db_key", "private_file"]

DB_KEY_ENV = "PERSONA_DB_KEY"
MIN_KEY_CHARS = 16
_KEY_BYTES = 32


class DbKeyError(ValueError):
    """The database key cannot be read or made (the message says which file and why)."""


def db_key(path: str) -> bytes:
    """The key for the database at ``path`` (see the module docs for where it comes from)."""
    configured = os.environ.get(DB_KEY_ENV)
    if configured is not None:
        if len(configured) < MIN_KEY_CHARS:
            raise DbKeyError(f"{DB_KEY_ENV}: must be at least {MIN_KEY_CHARS} characters")
        return configured.encode("utf-8", "surrogatepass")
    if is_memory(path):
        return secrets.token_bytes(_KEY_BYTES)
    return _key_file(path + ".key")


def is_memory(path: str) -> bool:
    """Whether ``path`` names an in-memory (or temporary) sqlite database."""
    return path in ("", ":memory:") or (path.startswith("file:") and "mode=memory" in path)


def private_file(path: str) -> None:
    """Create ``path`` if missing, and make it readable and writable by its owner only
    (``0600``), whatever the umask."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def _key_file(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return _checked(path, fh.read())
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise DbKeyError(f"cannot read the database key {path!r}: {exc.strerror}") from None
    # Written whole under a temporary name, then linked into place: link() fails if the
    # key exists, so of two servers starting together one key wins and both use it.
    temp = f"{path}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(_KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # another server made it first: use theirs
            os.link(temp, path)
    except OSError as exc:
        raise DbKeyError(f"cannot create the database key {path!r}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    with open(path, "rb") as fh:
        return _checked(path, fh.read())


def _checked(path: str, key: bytes) -> bytes:
    if len(key) < MIN_KEY_CHARS:
        raise DbKeyError(f"the database key {path!r} is too short (damaged?): delete it")
    return key
