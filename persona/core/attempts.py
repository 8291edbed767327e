"""The decisions of one call's retry/deadline loop, without I/O: when the next attempt
may start and how long it may wait, whether a failure or a status is retried, how long
to back off, and what the caller is told when the call gives up.

The sync loop (:mod:`persona.retry_loop`) and the async one differ only in how they
sleep and which transport they call; both ask a :class:`CallPlan` everything else.
"""

from __future__ import annotations

import time
from typing import Optional

from ..exceptions import ApiConnectionError, ApiTimeoutError, ApiTLSError
from .policy import RETRY_STATUSES, AttemptTimeout, RetryPolicy, Timeout, parse_retry_after
from .request import Request
from .response import RESTResponse
from .trace import (
    debug_enabled,
    info_enabled,
    log_outcome,
    log_request,
    log_response,
    log_retry,
    shown_request_id,
)

__all__ = ["CallPlan"]


class CallPlan:
    """One call's attempts, under ``timeout`` (``total`` bounds the whole call) and
    ``policy``. Create it when the call starts; its deadline is fixed then."""

    __slots__ = (
        "_debug",
        "_info",
        "_log",
        "attempt",
        "deadline",
        "policy",
        "request",
        "started",
        "timeout",
    )

    def __init__(
        self, request: Request, timeout: Timeout, policy: RetryPolicy, debug: int = 0
    ) -> None:
        self.request = request
        self.timeout = timeout
        self.policy = policy
        self.started = time.monotonic()
        self.deadline = self.started + timeout.total
        self.attempt = 0
        self._debug = debug
        self._info = info_enabled(debug)
        # DEBUG is below INFO: when INFO is off, so is DEBUG (one logger check, not two).
        self._log = self._info and debug_enabled(debug)
        if self._log:
            log_request(request, debug)

    def next_attempt(self) -> AttemptTimeout:
        """The next attempt's time budget; raises ApiTimeoutError past the deadline."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self.timed_out()
        self.attempt += 1
        timeout = self.timeout
        return AttemptTimeout(
            min(timeout.connect, remaining), min(timeout.read, remaining), self.deadline
        )

    def attempt_budget(self) -> AttemptTimeout:
        """The current attempt's time budget, counted again: its request hooks ran since
        :meth:`next_attempt`, and their time is the call's. Raises ApiTimeoutError past
        the deadline (nothing is sent then)."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self.timed_out(" (in the request hooks)")
        timeout = self.timeout
        return AttemptTimeout(
            min(timeout.connect, remaining), min(timeout.read, remaining), self.deadline
        )

    def timed_out(self, where: str = "") -> ApiConnectionError:
        """The error that ends the call at its deadline (``where``: what was running),
        logged at INFO. Raise it."""
        return self._failed(ApiTimeoutError(f"deadline of {self.timeout.total:g}s exceeded{where}"))

    def after_error(self, exc: ApiConnectionError) -> float:
        """Seconds to back off before retrying after ``exc``; or raises the error the
        caller gets (TLS failures are never retried: a certificate will not become
        trusted by asking again)."""
        if isinstance(exc, ApiTLSError):
            raise self._failed(exc)
        delay = self._delay(None)
        if delay is None:
            raise self._failed(exc)
        log_retry(
            self.request,
            self.attempt,
            self.policy.max_retries,
            exc.reason or "",
            delay,
            self._debug,
        )
        return delay

    def after_response(self, response: RESTResponse, attempt_started: float) -> Optional[float]:
        """Seconds to back off before retrying after ``response``, or None: it is final."""
        if self._log:
            elapsed_ms = (time.monotonic() - attempt_started) * 1000
            log_response(self.request, response, self.attempt, elapsed_ms, self._debug)
        delay = None
        if response.status in RETRY_STATUSES:
            delay = self._delay(parse_retry_after(response.headers.get("Retry-After")))
        if delay is None and not self._info:
            return None  # final, and nothing to log: no words to build
        rid = shown_request_id(self.request, response) if self._info else None
        why = f"{response.status} (request id {rid})" if rid else str(response.status)
        if delay is not None:
            log_retry(self.request, self.attempt, self.policy.max_retries, why, delay, self._debug)
        elif self._info:
            self._log_outcome(why)
        return delay

    def _log_outcome(self, outcome: str) -> None:
        elapsed_ms = (time.monotonic() - self.started) * 1000
        log_outcome(self.request, outcome, self.attempt, elapsed_ms, self._debug)

    def _failed(self, exc: ApiConnectionError) -> ApiConnectionError:
        """``exc`` as the caller gets it (summarised), logged at INFO."""
        exc = self._summarised(exc) if not isinstance(exc, ApiTLSError) else exc
        exc.attempts = self.attempt  # a TLS failure's one attempt counts too
        if self._info:
            self._log_outcome(f"{type(exc).__name__}: {exc}")
        return exc

    def _delay(self, retry_after: Optional[float]) -> Optional[float]:
        if self.attempt > self.policy.max_retries:
            return None
        delay = self.policy.delay(self.attempt, retry_after)
        if delay is None or time.monotonic() + delay >= self.deadline:
            return None
        return delay

    def _summarised(self, exc: ApiConnectionError) -> ApiConnectionError:
        """``exc`` saying how many attempts were made over how long, when more than one."""
        if self.attempt > 1 or isinstance(exc, ApiTimeoutError):
            elapsed = time.monotonic() - self.started
            plural = "s" if self.attempt != 1 else ""
            exc.reason = f"{exc.reason} ({self.attempt} attempt{plural} over {elapsed:.1f}s)"
            exc.args = (str(exc),)
        exc.attempts = self.attempt
        return exc
