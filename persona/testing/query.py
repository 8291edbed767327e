"""Query strings of the outbox API: parsed strictly, each failure a 400 naming the parameter.

Numbers are read from a bounded number of ASCII digits before ``int()`` or ``float()``
sees them: those accept more than a query should (``1_0``, ``\u0665``, `` 5``, ``inf``),
and ``int()`` of thousands of digits is an error of its own. Values are never repeated in
a message: a query may carry anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Optional
from urllib.parse import parse_qs

__all__ = ["BadInput", "email", "flag", "integer", "only", "parse", "required_email", "seconds"]

_EMAIL = re.compile(r"[^\s@]{1,64}@[^\s@]{1,253}")
#: Digits a fraction of seconds may have (milliseconds).
_FRACTION_DIGITS = 3


class BadInput(Exception):
    """A query the API refuses: 400 with the contract's Error body; ``str()`` names the
    parameter first."""


def parse(text: str) -> dict[str, str]:
    """The parameters of a query string, each given once (at most 10)."""
    try:
        pairs = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=10)
    except ValueError:
        raise BadInput("query: malformed") from None
    out = {}
    for name, values in pairs.items():
        if len(values) != 1:
            raise BadInput(f"{name}: given more than once")
        out[name] = values[0]
    return out


def only(query: Mapping[str, str], *allowed: str) -> None:
    """Refuse a parameter not in ``allowed``."""
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        known = ", ".join(allowed) or "none"
        raise BadInput(f"{unknown[0]}: unknown parameter (known: {known})")


def email(query: Mapping[str, str], name: str) -> Optional[str]:
    """An e-mail address (one ``@``, no spaces, at most 254 characters), or ``None`` when
    absent or empty."""
    return required_email(query, name) if query.get(name) else None


def required_email(query: Mapping[str, str], name: str) -> str:
    """An e-mail address, which must be given."""
    value = query.get(name)
    if value is None:
        raise BadInput(f"{name}: required")
    if len(value) > 254 or not _EMAIL.fullmatch(value) or not value.isprintable():
        raise BadInput(f"{name}: must be an e-mail address (one @, no spaces, at most 254)")
    return value


def integer(query: Mapping[str, str], name: str, low: int, high: int, default: int) -> int:
    """A whole number from ``low`` to ``high`` (``0 <= low``), ``default`` if absent."""
    value = query.get(name)
    if value is None:
        return default
    digits = len(str(high))
    if not re.fullmatch(f"[0-9]{{1,{digits}}}", value) or not low <= int(value) <= high:
        raise BadInput(f"{name}: must be a whole number from {low} to {high}")
    return int(value)


def seconds(query: Mapping[str, str], name: str, low: float, high: float) -> float:
    """A number of seconds from ``low`` to ``high`` (``0 <= low``, at most millisecond
    precision), ``low`` if absent."""
    value = query.get(name)
    if value is None:
        return low
    digits = len(str(int(high)))
    pattern = f"[0-9]{{1,{digits}}}(?:\\.[0-9]{{1,{_FRACTION_DIGITS}}})?"
    if not re.fullmatch(pattern, value) or not low <= float(value) <= high:
        raise BadInput(f"{name}: must be a number of seconds from {low:g} to {high:g}")
    return float(value)


def flag(query: Mapping[str, str], name: str) -> bool:
    """``1`` or ``true`` (on), ``0`` or ``false`` (off, also when absent)."""
    value = query.get(name)
    if value is None or value in ("0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise BadInput(f"{name}: must be 1, 0, true or false")
