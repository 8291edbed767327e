"""Sealing of replayed answers: an ``Idempotency-Key`` record that is useless to whoever
reads the database.

A replayed answer must be given back exactly (a retried codeForToken gets the same token),
so it has to be stored; but a token stored readably is a password reset for anyone who can
read the ``--db`` file. So the answer is encrypted with a key the file does not hold: one
derived from the request itself, its ``Idempotency-Key`` and its body, which only the
client that sent it has. The record is found by a keyed hash of the Idempotency-Key, and
"same body or not" is decided by a MAC of the body under that key, so the file shows
neither the key, nor the body, nor the answer.

Every key is also bound to the database key (:mod:`persona.testing.dbkey`), which is not in
the file either: a reader of a copied file who also knows an Idempotency-Key (from a log,
say) still cannot find, test or open its record. The protection is as strong as either the
database key or the Idempotency-Key plus the request body's own secrets (the code, for
codeForToken). The SDK sends 128 random bits; a client that sends ``"key-1"`` gets what it
asked for.

Only the standard library is available, so the cipher is SHAKE-256 used as a keyed stream
(key, then a fresh 16-byte nonce, as input; the output XORed with the text) and HMAC-SHA256
over nonce and ciphertext as the tag (encrypt-then-MAC, with separate keys).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Optional

_NONCE = 16
_TAG = 32
_VERSION = "v1"


def _prf(key: bytes, label: bytes, data: bytes = b"") -> bytes:
    return hmac.new(key, label + b"\x00" + data, hashlib.sha256).digest()


def _base(secret: bytes, idempotency_key: str) -> bytes:
    return _prf(secret, b"persona-replay-key", idempotency_key.encode("ascii"))


def lookup(secret: bytes, idempotency_key: str) -> str:
    """Where the record of ``idempotency_key`` is filed (the key itself is not stored);
    ``secret`` is the database key."""
    return _prf(_base(secret, idempotency_key), b"persona-replay-lookup").hex()


def body_mac(secret: bytes, idempotency_key: str, body: bytes) -> str:
    """A MAC of the request ``body`` under ``idempotency_key``: tells "same body" apart
    without letting the file's reader test guesses of the body (which holds the code)."""
    return _prf(_base(secret, idempotency_key), b"persona-replay-body", body).hex()


def _keys(secret: bytes, idempotency_key: str, body: bytes) -> tuple[bytes, bytes]:
    master = _prf(_base(secret, idempotency_key), b"persona-replay-seal", body)
    return _prf(master, b"encrypt"), _prf(master, b"authenticate")


def _stream(key: bytes, nonce: bytes, data: bytes) -> bytes:
    pad = hashlib.shake_256(key + nonce).digest(len(data))
    mixed = int.from_bytes(data, "big") ^ int.from_bytes(pad, "big")
    return mixed.to_bytes(len(data), "big")


def seal(secret: bytes, idempotency_key: str, body: bytes, answer: str) -> str:
    """Encrypt and authenticate ``answer`` under a key derived from the request."""
    enc_key, mac_key = _keys(secret, idempotency_key, body)
    nonce = secrets.token_bytes(_NONCE)
    ciphertext = _stream(enc_key, nonce, answer.encode("utf-8"))
    tag = hmac.new(mac_key, nonce + ciphertext, hashlib.sha256).digest()
    return _VERSION + ":" + base64.b64encode(nonce + ciphertext + tag).decode("ascii")


def unseal(secret: bytes, idempotency_key: str, body: bytes, sealed: str) -> Optional[str]:
    """The answer sealed by :func:`seal` for this same request, or ``None`` if the record
    was not made for it (or was altered)."""
    version, _, encoded = sealed.partition(":")
    if version != _VERSION:
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        return None
    if len(raw) < _NONCE + _TAG:
        return None
    nonce, ciphertext, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    enc_key, mac_key = _keys(secret, idempotency_key, body)
    expected = hmac.new(mac_key, nonce + ciphertext, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        return None
    return _stream(enc_key, nonce, ciphertext).decode("utf-8")
