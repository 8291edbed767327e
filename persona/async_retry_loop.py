"""The async retry/deadline loop: the twin of :mod:`persona.retry_loop`, with
``await transport.send(...)`` and ``await asyncio.sleep(...)``. Every decision is the
:class:`~persona.core.attempts.CallPlan`'s; this file only sleeps and sends."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Optional

from .core.attempts import CallPlan
from .core.response import RESTResponse
from .exceptions import ApiClosedError, ApiConnectionError
from .transports.base import AsyncTransport

if TYPE_CHECKING:
    from .lifecycle import Lifecycle

__all__ = ["send_with_retries_async"]


async def send_with_retries_async(
    transport: AsyncTransport, plan: CallPlan, life: Optional[Lifecycle] = None
) -> RESTResponse:
    """The final response of ``plan``'s call, or the exception that ends it. Once
    ``life`` is closed (the client closed), no attempt starts and a backoff sleep ends
    at once, with ApiClosedError."""
    while True:
        if life is not None and life.closed:
            raise ApiClosedError("this AsyncApiClient is closed; create a new one")
        budget = plan.next_attempt()
        started = time.monotonic()
        try:
            response = await transport.send(plan.request, budget)
        except ApiConnectionError as exc:
            if _closed(transport, life):  # the connection was cut by close()
                raise ApiClosedError(_CLOSED_WHILE_RUNNING) from exc
            await _sleep(plan.after_error(exc), life)
            continue
        except asyncio.CancelledError:
            # close() cancels aiohttp's wait for a free connection of the pool; a
            # cancellation of the caller's own task passes unchanged.
            if _closed(transport, life) and not _task_cancelled():
                raise ApiClosedError(_CLOSED_WHILE_RUNNING) from None
            raise
        delay = plan.after_response(response, started)
        if delay is None:
            return response
        await _sleep(delay, life)


_CLOSED_WHILE_RUNNING = "this AsyncApiClient was closed while the call was running"


def _closed(transport: AsyncTransport, life: Optional[Lifecycle]) -> bool:
    """Whether the client (or the one it was copied from, which owns the transport)
    was closed: the transport says so from the first instant of its close()."""
    return (life is not None and life.closed) or getattr(transport, "closed", False) is True


def _task_cancelled() -> bool:
    """Whether the running task itself is being cancelled (Python 3.11+ can tell; before,
    a cancellation that comes with the client's close() is taken to be close()'s)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


async def _sleep(seconds: float, life: Optional[Lifecycle]) -> None:
    if life is None:
        await asyncio.sleep(seconds)
        return
    try:
        await asyncio.wait_for(life.async_wait_event().wait(), seconds)
    except asyncio.TimeoutError:
        return  # slept the whole backoff
    raise ApiClosedError("this AsyncApiClient was closed while the call waited to retry")
