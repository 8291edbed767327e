"""Validation of request bodies against the contract's models.

The reference server checks every request body here before doing any work. The rules are
written out again on purpose instead of being shared with the SDK's models: the server is a
second, independent implementation of the contract, so a mistake on one side shows up as a
disagreement in the tests instead of hiding in shared code.

Error messages name the field and the rule ("newPassword: must be 8-128 characters") and
never repeat the value that was sent, because that value may be a secret.
"""

from __future__ import annotations

import json
from typing import Any, Callable

#: Largest request body the server reads, in bytes (the contract's 64 KiB).
MAX_BODY_BYTES = 64 * 1024


class RuleViolation(ValueError):
    """A request body broke a rule; ``str()`` is the message sent back in the 400 answer."""


def _check_email(field: str, value: str) -> None:
    # The SDK applies the same rule independently: 3-254 characters, exactly one "@", a
    # non-empty local part of at most 64 characters, a non-empty domain, no whitespace or
    # control characters anywhere.
    if not 3 <= len(value) <= 254:
        raise RuleViolation(f"{field}: must be 3-254 characters")
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise RuleViolation(f"{field}: must not contain whitespace or control characters")
    if value.count("@") != 1:
        raise RuleViolation(f"{field}: must be an e-mail address with exactly one '@'")
    local, domain = value.split("@")
    if not local or len(local) > 64:
        raise RuleViolation(f"{field}: the part before '@' must be 1-64 characters")
    if not domain:
        raise RuleViolation(f"{field}: the part after '@' must not be empty")


def _is_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _length_rule(low: int, high: int) -> Callable[[str, str], None]:
    def check(field: str, value: str) -> None:
        if not low <= len(value) <= high:
            raise RuleViolation(f"{field}: must be {low}-{high} characters")

    return check


#: For each operation (path below ``/v1``): the required string properties and their rule.
#: Lengths count Python ``str`` characters (code points), as the contract does.
SCHEMAS: dict[str, dict[str, Callable[[str, str], None]]] = {
    "/account/forgotPass": {"email": _check_email},
    "/account/codeForToken": {"email": _check_email, "code": _length_rule(1, 64)},
    "/account/resetForgottenPassword": {
        "token": _length_rule(1, 512),
        "newPassword": _length_rule(8, 128),
    },
}


def parse_body(raw: bytes, operation: str) -> dict[str, str]:
    """Decode and check the JSON body for ``operation``; return the known properties.

    Unknown extra properties are accepted and dropped (clients may be newer than the
    server). Raises :class:`RuleViolation` for anything the contract calls a bad request.
    """
    if not raw.strip():
        raise RuleViolation("body: required (a JSON object)")
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise RuleViolation("body: must be valid UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise RuleViolation("body: must be a JSON object")
    fields = SCHEMAS[operation]
    result: dict[str, str] = {}
    for name, check in fields.items():
        if name not in data:
            raise RuleViolation(f"{name}: required")
        value = data[name]
        if value is None:
            raise RuleViolation(f"{name}: must not be null")
        if not isinstance(value, str):
            raise RuleViolation(f"{name}: must be a string")
        if not _is_encodable(value):
            # JSON can carry lone surrogates ("\\ud800") that no UTF-8 store can hold.
            raise RuleViolation(f"{name}: must be valid Unicode text")
        check(name, value)
        result[name] = value
    return result
