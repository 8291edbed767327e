"""Reading a server's ``Retry-After`` (RFC 9110): the one rule the retry policy and
the exceptions (``ApiException.retry_after``) both apply. Imports nothing of persona's,
so that the exceptions can use it without an import cycle."""

from __future__ import annotations

import math
import re
import time
from typing import Optional

__all__ = ["MAX_SECONDS", "parse_retry_after"]

#: The longest wait any setting may ask for (one year). Longer finite values would
#: overflow the platform's timers (``OverflowError`` from a socket or a sleep) instead
#: of failing where they are set.
MAX_SECONDS = 365 * 24 * 3600.0

# delta-seconds (RFC 9110), leniently with a fraction; no sign, exponent or "_".
_DELTA_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    Returns None when the value is absent or unreadable (a negative number, ``nan``,
    ``1e3``, a date no clock can hold: the caller then backs off as usual); a date in
    the past gives 0, and a wait over :data:`MAX_SECONDS` gives that (so that the value
    can be handed to ``time.sleep``). Never raises: the value comes from the server.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        if _DELTA_SECONDS.fullmatch(value):
            seconds = float(value)
        else:
            from email.utils import parsedate_to_datetime  # rare: not at import

            when = parsedate_to_datetime(value)
            if when is None or when.tzinfo is None:  # pragma: no cover - lib-dependent
                return None
            seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if not math.isfinite(seconds):
        return None
    return min(max(0.0, seconds), MAX_SECONDS)
