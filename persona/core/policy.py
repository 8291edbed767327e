"""The call's policies as frozen values: :class:`Timeout` (how long) and
:class:`RetryPolicy` (how often, how far apart), and ``Retry-After`` parsing.

Both are immutable, so one instance is shared by every call and every thread; change
one with ``replace(...)``, which returns a checked copy. Defaults live in
:mod:`persona._constants`.

Retrying a POST is safe here because every attempt of one call carries the same
``Idempotency-Key``: the server performs the work once and replays its answer.
"""

from __future__ import annotations

import math
import random
import time
from typing import Any, NamedTuple, Optional, TypeVar, Union

from .._constants import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_READ_TIMEOUT,
)
from ..exceptions import ApiValueError
from .retry_after import MAX_SECONDS, parse_retry_after

__all__ = [
    "MAX_SECONDS",
    "RETRY_STATUSES",
    "AttemptTimeout",
    "FrozenValue",
    "RetryPolicy",
    "Timeout",
    "TimeoutSetting",
    "check_seconds",
    "parse_retry_after",
]

#: Statuses worth another attempt: rate limited, or a gateway/service that may recover.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def shown(value: Any) -> str:
    """``value`` as an error quotes it: its repr, cut to 60 characters, or its type when
    it has none that can be made (an int of more than 4,300 digits, a broken __repr__)."""
    try:
        text = repr(value)
    except Exception:  # whatever the value's own __repr__ raises
        return f"<{type(value).__name__} that cannot be shown>"
    return text if len(text) <= 60 else text[:57] + "..."


def check_seconds(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """``value`` as float seconds, or ApiValueError naming ``name`` and the rule."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiValueError(f"{name}: must be a number of seconds, got {shown(value)}")
    try:
        seconds = float(value)
    except OverflowError:  # an int beyond any float (10**400)
        seconds = math.inf
    low_ok = seconds >= 0 if allow_zero else seconds > 0
    if not (low_ok and seconds <= MAX_SECONDS):  # also refuses nan
        rule = ">= 0" if allow_zero else "> 0"
        raise ApiValueError(
            f"{name}: must be {rule} and at most {MAX_SECONDS:g} seconds, got {shown(value)}"
        )
    return seconds


TimeoutSetting = Union[float, tuple[float, float], "Timeout"]

F = TypeVar("F", bound="FrozenValue")


class FrozenValue:
    """The base of persona's policy values: immutable (a change is a checked copy made
    by :meth:`replace`), compared and hashed by their settings (the ``__slots__``)."""

    __slots__: tuple[str, ...] = ()

    def _settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def replace(self: F, **changes: Any) -> F:
        """A copy with ``changes`` (any of the constructor's parameters) applied."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no setting {sorted(unknown)[0]!r}")
        return type(self)(**{**self._settings(), **changes})

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; use replace({name}=...)")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenValue) or type(other) is not type(self):
            return NotImplemented
        return self._settings() == other._settings()

    def __hash__(self) -> int:
        return hash(tuple(self._settings().values()))


class Timeout(FrozenValue):
    """How long a call may take, in seconds.

    :param connect: the longest wait for a connection (TCP and TLS) on each attempt.
        Default 10.
    :param read: the longest wait for the next bytes of a response on each attempt.
        Default 30.
    :param total: the most one call may take, from start to model or exception:
        every attempt, every backoff sleep, status line, headers, interim answers and
        body included. Default 120 (``Configuration.deadline``).

    Immutable: ``Timeout(read=5)`` keeps the other defaults, ``t.replace(total=10)``
    returns a copy. ``connect`` and ``read`` never exceed what is left of ``total``.
    """

    __slots__ = ("connect", "read", "total")
    connect: float
    read: float
    total: float

    def __init__(
        self,
        connect: float = DEFAULT_CONNECT_TIMEOUT,
        read: float = DEFAULT_READ_TIMEOUT,
        total: float = DEFAULT_DEADLINE,
    ) -> None:
        object.__setattr__(self, "connect", check_seconds("timeout.connect", connect))
        object.__setattr__(self, "read", check_seconds("timeout.read", read))
        object.__setattr__(self, "total", check_seconds("timeout.total", total))

    @classmethod
    def of(cls, value: Any, name: str = "timeout", total: float = DEFAULT_DEADLINE) -> Timeout:
        """A Timeout from a number (connect and read), a ``(connect, read)`` pair or a
        Timeout; ``total`` applies to the first two forms. ``name`` words the errors."""
        if isinstance(value, Timeout):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds = check_seconds(name, value)
            return cls(seconds, seconds, total)
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return cls(
                check_seconds(name + "[0]", value[0]), check_seconds(name + "[1]", value[1]), total
            )
        raise ApiValueError(
            f"{name}: must be a number of seconds, a (connect, read) pair or a Timeout, "
            f"got {shown(value)}"
        )

    def __repr__(self) -> str:
        return f"Timeout(connect={self.connect:g}, read={self.read:g}, total={self.total:g})"


class AttemptTimeout(NamedTuple):
    """What one attempt may wait, given to ``Transport.send``: ``connect`` and ``read``
    in seconds (already capped by what is left of the call), and ``deadline``, the
    ``time.monotonic()`` instant by which the attempt must have ended, whatever
    arrives and however slowly."""

    connect: float
    read: float
    deadline: float

    def remaining(self) -> float:
        """Seconds left before :attr:`deadline` (0 or less: it has passed)."""
        return self.deadline - time.monotonic()


class RetryPolicy(FrozenValue):
    """How many times to retry and how long to wait between attempts.

    :param max_retries: attempts after the first (0 turns retries off). Default 2.
    :param backoff_base: the first backoff window in seconds; it doubles each retry.
        Default 0.5.
    :param backoff_max: the largest backoff window in seconds. Default 8.
    :param max_retry_after: the longest ``Retry-After`` (seconds) waited for; when the
        server asks for longer, the call fails at once instead of stalling the caller.
        Default 10.

    Connection failures (TLS failures excepted) and the statuses in ``RETRY_STATUSES``
    (429, 502, 503, 504) are retried. Backoff uses "full jitter" (a uniform draw from 0
    to the window), which spreads retries of many clients apart instead of
    synchronising them. Every wait also ends within the call's ``Timeout.total``.
    Immutable: change it with :meth:`replace`.
    """

    __slots__ = ("backoff_base", "backoff_max", "max_retries", "max_retry_after")
    max_retries: int
    backoff_base: float
    backoff_max: float
    max_retry_after: float

    def __init__(
        self,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ApiValueError(
                f"max_retries: must be a whole number >= 0, got {shown(max_retries)}"
            )
        if max_retries > 100:
            raise ApiValueError(f"max_retries: must be at most 100, got {shown(max_retries)}")
        object.__setattr__(self, "max_retries", max_retries)
        for name, value in (
            ("backoff_base", backoff_base),
            ("backoff_max", backoff_max),
            ("max_retry_after", max_retry_after),
        ):
            object.__setattr__(self, name, check_seconds(name, value, allow_zero=True))

    def delay(self, retry_number: int, retry_after: Optional[float] = None) -> Optional[float]:
        """Seconds to sleep before retry ``retry_number`` (1 for the first retry).

        None means "do not retry": the server asked for a longer wait than
        ``max_retry_after``, and the caller is better served by the error at once.
        """
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        window = min(self.backoff_max, self.backoff_base * (2 ** min(retry_number - 1, 60)))
        return random.uniform(0.0, window)

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(max_retries={self.max_retries}, backoff_base={self.backoff_base}, "
            f"backoff_max={self.backoff_max}, max_retry_after={self.max_retry_after})"
        )
