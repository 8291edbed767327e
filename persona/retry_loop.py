"""The sync retry/deadline loop: attempts through a Transport, backoff sleeps between
them, and the client's event hooks around each attempt. Every decision is the
:class:`~persona.core.attempts.CallPlan`'s; this file only calls, sleeps and sends (its
async twin does the same with ``await``)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Optional

from .core.attempts import CallPlan
from .core.response import RESTResponse
from .exceptions import ApiClosedError, ApiConnectionError

if TYPE_CHECKING:
    from .hooks import Hooks
    from .transports.base import Transport

__all__ = ["send_with_retries"]


def send_with_retries(
    transport: Transport,
    plan: CallPlan,
    closing: Optional[threading.Event] = None,
    hooks: Optional[Hooks] = None,
) -> RESTResponse:
    """The final response of ``plan``'s call, or the exception that ends it. Once
    ``closing`` is set (the client closed), no attempt starts and a backoff sleep ends at
    once, with ApiClosedError. ``hooks`` run around every attempt; what one raises ends
    the call as it is."""
    if hooks is not None:
        from .hooks import HookRequest, HookResponse, refuse_awaitable
    while True:
        if closing is not None and closing.is_set():
            raise ApiClosedError("this ApiClient is closed; create a new one")
        budget = plan.next_attempt()
        request = plan.request
        if hooks is not None:
            seen = HookRequest(request, plan.attempt)
            if hooks.request:
                for on_request in hooks.request:
                    refuse_awaitable(on_request(seen), on_request, "request")
                    seen.check(on_request)
                request = seen.sent()
                budget = plan.attempt_budget()  # the hooks' time is the call's
        started = time.monotonic()
        try:
            response = transport.send(request, budget)
        except ApiConnectionError as exc:
            _sleep(plan.after_error(exc), closing)
            continue
        if hooks is not None and hooks.response:
            answer = HookResponse(response, seen, time.monotonic() - started)
            for on_response in hooks.response:
                refuse_awaitable(on_response(answer), on_response, "response")
        delay = plan.after_response(response, started)
        if delay is None:
            return response
        _sleep(delay, closing)


def _sleep(seconds: float, closing: Optional[threading.Event]) -> None:
    if closing is None:
        time.sleep(seconds)
    elif closing.wait(seconds):
        raise ApiClosedError("this ApiClient was closed while the call waited to retry")
