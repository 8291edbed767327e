"""MockTransport: answer requests with a function, for unit tests without sockets.

    def handler(request):
        return RESTResponse(200, json={"success": True})

    client = persona.ApiClient(transport=MockTransport(handler))

Everything above the transport is real: validation, headers, the Idempotency-Key,
retries and their backoff (``Retry-After`` included), the deadline, exceptions and
secret masking. The handler may raise :class:`~persona.ApiConnectionError` or
:class:`~persona.ApiTimeoutError` to stand for a network failure.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Union

from ..core.policy import AttemptTimeout
from ..core.request import Request
from ..core.response import RESTResponse
from ..exceptions import ApiClosedError, ApiTypeError

__all__ = ["MockTransport"]

Handler = Callable[[Request], Any]


class MockTransport:
    """A transport whose answers come from ``handler(request)``: a
    :class:`~persona.rest.RESTResponse` (or raise). Works with :class:`~persona.ApiClient`
    and, when ``handler`` is a coroutine function or returns an awaitable, with
    ``AsyncApiClient`` too.

    ``requests`` lists every request sent, in order (one per attempt), so a test can
    assert on what went out.
    """

    def __init__(self, handler: Handler) -> None:
        if not callable(handler):
            raise ApiTypeError(
                f"MockTransport: handler must be callable, got {type(handler).__name__}"
            )
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._closed = False

    def _record(self, request: Request) -> None:
        if self._closed:
            raise ApiClosedError("this ApiClient is closed; create a new one")
        with self._lock:
            self.requests.append(request)

    def send(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """Answer one attempt with the handler."""
        self._record(request)
        return _checked(self.handler(request))

    async def send_async(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """Answer one attempt with the handler, awaiting it if it is async."""
        self._record(request)
        result = self.handler(request)
        import inspect  # only async tests pay for it

        if inspect.isawaitable(result):
            result = await result
        return _checked(result)

    def close(self) -> None:
        """Refuse later requests (as a real transport does after close)."""
        self._closed = True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed


def _checked(result: Union[RESTResponse, Any]) -> RESTResponse:
    if not isinstance(result, RESTResponse):
        raise ApiTypeError(
            f"MockTransport handler must return a RESTResponse, got {type(result).__name__}"
        )
    return result
