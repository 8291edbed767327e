"""Masking secrets out of what persona shows: logs, reprs and exception messages.

Two complementary nets: by name (a JSON property or header whose name says it is
secret) and by value (the secrets a request carried, wherever a server echoes them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MASK", "is_secret_name", "redact_headers", "redact_json", "scrub"]

MASK = "***"

# Names that carry credentials. "code" is secret in a request (the e-mailed code);
# an error body's "code" is a machine code, so callers pass ``extra_names`` per context.
_SECRET_NAME = re.compile(r"pass(word)?|secret|token|authorization|cookie|api[-_]?key", re.I)


def is_secret_name(name: str) -> bool:
    """Whether a JSON property or header called ``name`` holds a credential."""
    return bool(_SECRET_NAME.search(name))


def redact_json(obj: Any, extra_names: Iterable[str] = ()) -> Any:
    """A copy of a JSON value with secret-named properties replaced by ``***``."""
    names = frozenset(extra_names)
    return _redact(obj, names)


def _redact(obj: Any, names: frozenset[str]) -> Any:
    if isinstance(obj, dict):
        return {
            key: MASK
            if isinstance(key, str) and (key in names or is_secret_name(key))
            else _redact(value, names)
            for key, value in obj.items()
        }
    if isinstance(obj, list):
        return [_redact(item, names) for item in obj]
    return obj


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credential-bearing values replaced by ``***``."""
    return {key: MASK if is_secret_name(key) else value for key, value in headers.items()}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret value replaced by ``***``.

    A secret is also found in its JSON-escaped form (``\\u00e9``, ``\\"``), as a server
    may echo it inside a JSON body.
    """
    forms = set()
    for secret in secrets:
        if secret:
            forms.add(secret)
            forms.add(json.dumps(secret)[1:-1])
            forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    for secret in sorted(forms, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
