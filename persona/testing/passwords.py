"""Password hashing for the reference server: salted scrypt, compared in constant time.

Passwords are never stored in clear. The work factor is deliberately modest (the server
runs inside test suites, where a reset must take milliseconds) but the construction is the
real one: a random 16-byte salt per password, ``hashlib.scrypt``, and the parameters stored
with the hash so that they could be raised later without breaking old hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: scrypt cost parameters: n=2**12, r=8, p=1 uses 4 MiB and a few milliseconds.
SCRYPT_N = 2**12
SCRYPT_R = 8
SCRYPT_P = 1
_DKLEN = 32


def hash_password(password: str) -> str:
    """Return ``scrypt$n$r$p$salt_hex$hash_hex`` for ``password`` with a fresh salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches the ``encoded`` hash made by :func:`hash_password`."""
    try:
        scheme, n, r, p, salt_hex, digest_hex = encoded.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(digest_hex)
        actual = _scrypt(password, bytes.fromhex(salt_hex), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # "surrogatepass" so that no str, however odd, makes hashing fail.
    secret = password.encode("utf-8", "surrogatepass")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=_DKLEN)
