"""The wire's dates and times (RFC 3339), and the JSON name of a value's type: the
plain helpers the model base and the field kinds both read values with."""

from __future__ import annotations

import math
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Any, Optional

__all__ = [
    "first_non_finite",
    "format_datetime",
    "json_type_name",
    "parse_date",
    "parse_datetime",
]


def first_non_finite(value: Any) -> Optional[str]:
    """Where, inside a JSON-like ``value``, a number is NaN or infinite (``"['a'][2]"``,
    ``""`` for the value itself), or None. JSON has no such numbers; Python's decoder
    reads ``NaN``, ``Infinity`` and ``1e400`` as them. Walked with a stack, not
    recursion: a free-form value may be nested deeper than Python's recursion limit."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return where
        elif isinstance(item, dict):
            stack.extend((v, f"{where}[{k!r}]") for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
    return None


def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


#: Python 3.11+ reads RFC 3339 with a trailing "Z" itself (in C); earlier versions
#: need the "Z" spelled "+00:00" first.
_ISO_Z = sys.version_info >= (3, 11)
_fromisoformat = datetime.fromisoformat


def parse_datetime(value: str) -> datetime:
    """An aware datetime from an RFC 3339 string; ValueError when it is not one."""
    if _ISO_Z:
        try:
            parsed = _fromisoformat(value)
        except ValueError:
            return _parse_datetime_slowly(value)
        if parsed.tzinfo is None:  # fromisoformat gives a fixed offset or none
            raise ValueError("has no time-zone offset (RFC 3339 needs one, e.g. Z or +01:00)")
        return parsed
    return _parse_datetime_slowly(value)


def _parse_datetime_slowly(value: str) -> datetime:
    text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        from dateutil.parser import isoparse  # the rarer forms; imported only when needed

        try:
            parsed = isoparse(value)
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"is not an RFC 3339 date-time ({exc})") from None
    if parsed.utcoffset() is None:
        raise ValueError("has no time-zone offset (RFC 3339 needs one, e.g. Z or +01:00)")
    return parsed


def parse_date(value: str) -> date:
    """A date from an RFC 3339 full-date (``2026-12-04``); ValueError when it is not one."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("is not an RFC 3339 full-date (YYYY-MM-DD)")


def format_datetime(value: datetime) -> str:
    """The RFC 3339 text of an aware datetime, ``Z`` for UTC."""
    offset = value.utcoffset()
    if offset is not None and offset % timedelta(minutes=1):
        value = value.astimezone(timezone.utc)  # RFC 3339 offsets have no seconds
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
