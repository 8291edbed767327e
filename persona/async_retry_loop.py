"""The async retry/deadline loop: the twin of :mod:`persona.retry_loop`, with
``await transport.send(...)``, ``await asyncio.sleep(...)`` and awaited event hooks
(cancelled at the call's deadline). Every decision is the
:class:`~persona.core.attempts.CallPlan`'s; this file only awaits, sleeps and sends."""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import TYPE_CHECKING, Optional, TypeVar

from .core.attempts import CallPlan
from .core.response import RESTResponse
from .exceptions import ApiClosedError, ApiConnectionError, ApiTypeError
from .transports.base import AsyncTransport

if TYPE_CHECKING:
    from collections.abc import Callable

    from .hooks import Hooks
    from .lifecycle import Lifecycle

__all__ = ["send_with_retries_async"]

_A = TypeVar("_A")


async def send_with_retries_async(
    transport: AsyncTransport,
    plan: CallPlan,
    life: Optional[Lifecycle] = None,
    hooks: Optional[Hooks] = None,
) -> RESTResponse:
    """The final response of ``plan``'s call, or the exception that ends it. Once
    ``life`` is closed (the client closed), no attempt starts and a backoff sleep ends
    at once, with ApiClosedError. ``hooks`` are awaited around every attempt; what one
    raises ends the call as it is."""
    if hooks is not None:
        from .hooks import HookRequest, HookResponse
    while True:
        if life is not None and life.closed:
            raise ApiClosedError("this AsyncApiClient is closed; create a new one")
        budget = plan.next_attempt()
        request = plan.request
        if hooks is not None:
            seen = HookRequest(request, plan.attempt)
            if hooks.request:
                for on_request in hooks.request:
                    await _run_hook(on_request, seen, plan, "request")
                    seen.check(on_request)
                request = seen.sent()
                budget = plan.attempt_budget()
        started = time.monotonic()
        try:
            response = await transport.send(request, budget)
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
        if hooks is not None and hooks.response:
            answer = HookResponse(response, seen, time.monotonic() - started)
            for on_response in hooks.response:
                await _run_hook(on_response, answer, plan, "response")
        delay = plan.after_response(response, started)
        if delay is None:
            return response
        await _sleep(delay, life)


async def _run_hook(hook: Callable[[_A], object], arg: _A, plan: CallPlan, event: str) -> None:
    """Await ``hook(arg)``, cancelled at the call's deadline (then ApiTimeoutError); what
    the hook raises itself passes unchanged."""
    result = hook(arg)
    if not inspect.isawaitable(result):
        from .hooks import hook_name

        raise ApiTypeError(
            f"{event} hook {hook_name(hook)} returned {type(result).__name__}, not an "
            "awaitable: AsyncApiClient awaits its hooks (make it an async def)"
        )
    try:
        await asyncio.wait_for(result, plan.deadline - time.monotonic())
    except asyncio.TimeoutError:
        if time.monotonic() < plan.deadline:
            raise  # the hook's own
        raise plan.timed_out(f" (in the {event} hooks)") from None


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
