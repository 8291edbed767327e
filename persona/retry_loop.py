"""The sync retry/deadline loop: attempts through a Transport, backoff sleeps between
them. Every decision is the :class:`~persona.core.attempts.CallPlan`'s; this file only
sleeps and sends (its async twin does the same with ``await``)."""

from __future__ import annotations

import time

from .core.attempts import CallPlan
from .core.response import RESTResponse
from .exceptions import ApiConnectionError
from .transports.base import Transport

__all__ = ["send_with_retries"]


def send_with_retries(transport: Transport, plan: CallPlan) -> RESTResponse:
    """The final response of ``plan``'s call, or the exception that ends it."""
    while True:
        budget = plan.next_attempt()
        started = time.monotonic()
        try:
            response = transport.send(plan.request, budget)
        except ApiConnectionError as exc:
            time.sleep(plan.after_error(exc))
            continue
        delay = plan.after_response(response, started)
        if delay is None:
            return response
        time.sleep(delay)
