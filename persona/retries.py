"""When a failed attempt is tried again, and how long to wait first.

Retrying a POST is safe here because every attempt of one call carries the same
``Idempotency-Key``: the server performs the work once and replays its answer.
"""

from __future__ import annotations

import math
import random
import re
import time
from email.utils import parsedate_to_datetime
from typing import Optional

from ._constants import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
)

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Statuses worth another attempt: rate limited, or a gateway/service that may recover.
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# delta-seconds (RFC 9110), leniently with a fraction; no sign, exponent or "_".
_DELTA_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    Returns None when the value is absent or unreadable (a negative number, ``nan``,
    ``1e3``: the caller then backs off as usual); a date in the past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:  # pragma: no cover - defensive, lib-dependent
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RetryPolicy:
    """How many times to retry and how long to wait between attempts.

    :param max_retries: attempts after the first (0 turns retries off).
    :param backoff_base: the first backoff window in seconds; it doubles each retry.
    :param backoff_max: the largest backoff window in seconds.
    :param max_retry_after: the longest ``Retry-After`` (seconds) waited for; when the
        server asks for longer, the call fails at once instead of stalling the caller.

    Backoff uses "full jitter" (a uniform draw from 0 to the window), which spreads
    retries of many clients apart instead of synchronising them.
    """

    __slots__ = ("backoff_base", "backoff_max", "max_retries", "max_retry_after")

    def __init__(
        self,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    ) -> None:
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after

    def delay(self, retry_number: int, retry_after: Optional[float] = None) -> Optional[float]:
        """Seconds to sleep before retry ``retry_number`` (1 for the first retry).

        None means "do not retry": the server asked for a longer wait than
        ``max_retry_after``, and the caller is better served by the error at once.
        """
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        window = min(self.backoff_max, self.backoff_base * (2 ** (retry_number - 1)))
        return random.uniform(0.0, window)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_retries={self.max_retries}, backoff_base={self.backoff_base}, "
            f"backoff_max={self.backoff_max}, max_retry_after={self.max_retry_after})"
        )
