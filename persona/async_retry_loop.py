"""The async retry/deadline loop: the twin of :mod:`persona.retry_loop`, with
``await transport.send(...)`` and ``await asyncio.sleep(...)``. Every decision is the
:class:`~persona.core.attempts.CallPlan`'s; this file only sleeps and sends."""

from __future__ import annotations

import asyncio
import time

from .core.attempts import CallPlan
from .core.response import RESTResponse
from .exceptions import ApiConnectionError
from .transports.base import AsyncTransport

__all__ = ["send_with_retries_async"]


async def send_with_retries_async(transport: AsyncTransport, plan: CallPlan) -> RESTResponse:
    """The final response of ``plan``'s call, or the exception that ends it."""
    while True:
        budget = plan.next_attempt()
        started = time.monotonic()
        try:
            response = await transport.send(plan.request, budget)
        except ApiConnectionError as exc:
            await asyncio.sleep(plan.after_error(exc))
            continue
        delay = plan.after_response(response, started)
        if delay is None:
            return response
        await asyncio.sleep(delay)
