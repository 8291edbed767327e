"""MockTransport: answer requests with a function, for unit tests without sockets.

    def handler(request):
        return RESTResponse(200, json={"success": True})

    client = persona.ApiClient(transport=MockTransport(handler))

Everything above the transport is real: validation, headers, the Idempotency-Key,
retries and their backoff (``Retry-After`` included), the deadline, exceptions and
secret masking. The handler may raise :class:`~persona.ApiConnectionError` or
:class:`~persona.ApiTimeoutError` to stand for a network failure.

It behaves as the real transports do, so that a unit test sees what production would:

- an OS-level error the handler raises (``ConnectionResetError``, ``ConnectionRefusedError``,
  ``TimeoutError``, ``ssl.SSLError``, any ``OSError``) becomes the exception the real
  transports make of it (:data:`ERROR_MAP`, on the makers of
  :mod:`persona.transports.common`), and is retried as they are;
- an answer that no server could send (a status that is not an int from 100 to 599, a
  reason that is not str, a header name or value that is not str, a body that is not
  bytes) is an :class:`~persona.ApiTypeError` naming the handler;
- the attempt's time is enforced: an async handler is cancelled at the attempt's read
  timeout or deadline, whichever comes first; a sync handler runs in the caller's thread
  and cannot be interrupted, so when it returns after them its answer is dropped and
  the attempt raises the :class:`~persona.ApiTimeoutError` the real transport would
  (``read timeout (Ns)``, retried, or ``deadline exceeded``);
- it holds the handler to the API's contract (``strict=True``, the default): an answer
  to an API method whose status the operation never gives (502, 503 and 504 excepted:
  any proxy may send them), or whose body does not fit the schema declared for that
  status (a model's types, required properties and limits; no body for a 204), is an
  :class:`~persona.ApiTypeError` naming the handler, so that a unit test cannot drift
  from the API it stands for. ``strict=False`` lets any answer through, for a test
  about off-contract servers. Requests made with ``call_api`` declare nothing and are
  not checked.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from ..core.policy import AttemptTimeout
from ..core.request import Request
from ..core.response import RESTResponse
from ..exceptions import ApiClosedError, ApiException, ApiTypeError
from .answer_contract import header_syntax_problem, off_contract
from .common import (
    ErrorTable,
    failed,
    find_error,
    not_resolved,
    read_timed_out,
    refused,
    tls_failed,
)

__all__ = ["ERROR_MAP", "MockTransport"]


def _refused(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    return refused(url, _strerror(exc))


def _resolve_failed(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    return not_resolved(url, _strerror(exc))


def _strerror(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


#: What a handler's OS-level errors become: as the real transports map the same
#: failures (most specific first), so that they are retried (or not) the same way.
ERROR_MAP: ErrorTable = (
    (ssl.SSLError, tls_failed),
    (ssl.CertificateError, tls_failed),
    (socket.gaierror, _resolve_failed),
    (ConnectionRefusedError, _refused),
    (TimeoutError, read_timed_out),
    # socket.timeout is TimeoutError from Python 3.10 on; on 3.9 it is an OSError of its own.
    (socket.timeout, read_timed_out),
    (OSError, failed),  # reset, aborted, broken pipe, unreachable...
)

Handler = Callable[[Request], Any]


class MockTransport:
    """A transport whose answers come from ``handler(request)``: a
    :class:`~persona.rest.RESTResponse` (or raise). Works with :class:`~persona.ApiClient`
    and, when ``handler`` is a coroutine function or returns an awaitable, with
    ``AsyncApiClient`` too.

    ``requests`` lists every request sent, in order (one per attempt), so a test can
    assert on what went out.

    :param strict: refuse an answer the operation's contract does not declare (a status
        it never gives, a body that does not fit); False lets any answer through.
    """

    def __init__(self, handler: Handler, *, strict: bool = True) -> None:
        if not callable(handler):
            raise ApiTypeError(
                f"MockTransport: handler must be callable, got {type(handler).__name__}"
            )
        if not isinstance(strict, bool):
            raise ApiTypeError(f"MockTransport: strict must be bool, got {type(strict).__name__}")
        self.handler = handler
        self.strict = strict
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
        started = time.monotonic()
        try:
            result = self.handler(request)
        except OSError as exc:
            raise _mapped(exc, request, timeout) from exc
        _check_time(started, request, timeout)
        return self._checked(result, request)

    async def send_async(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """Answer one attempt with the handler, awaiting it if it is async."""
        self._record(request)
        started = time.monotonic()
        try:
            result = self.handler(request)
            import inspect  # only async tests pay for it

            if inspect.isawaitable(result):
                import asyncio

                limit = max(0.0, min(timeout.read, timeout.remaining()))
                try:
                    result = await asyncio.wait_for(_awaited(result), limit)
                except asyncio.TimeoutError:
                    raise read_timed_out(TimeoutError(), request.url, timeout) from None
        except OSError as exc:
            raise _mapped(exc, request, timeout) from exc
        _check_time(started, request, timeout)
        return self._checked(result, request)

    def _checked(self, result: Any, request: Request) -> RESTResponse:
        response = _checked(result, self.handler)
        if self.strict and request.responses is not None:
            problem = off_contract(response, request)
            if problem is not None:
                raise ApiTypeError(
                    f"MockTransport handler {_name(self.handler)} answered "
                    f"{request.operation} with {problem}; fix the handler, or pass "
                    "strict=False to MockTransport to allow it"
                )
        return response

    def close(self) -> None:
        """Refuse later requests (as a real transport does after close)."""
        self._closed = True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed


async def _awaited(result: Any) -> Any:
    return await result


def _mapped(exc: OSError, request: Request, timeout: AttemptTimeout) -> ApiException:
    mapped = find_error(ERROR_MAP, exc, request.url, timeout)
    return mapped or failed(exc, request.url, timeout)  # OSError, the last row, matches


def _check_time(started: float, request: Request, timeout: AttemptTimeout) -> None:
    """Raise what the real transport would have raised for an answer this slow."""
    if time.monotonic() - started > timeout.read or timeout.remaining() <= 0:
        raise read_timed_out(TimeoutError(), request.url, timeout)


def _name(handler: Any) -> str:
    return str(getattr(handler, "__qualname__", None) or type(handler).__name__)


def _checked(result: Union[RESTResponse, Any], handler: Any = None) -> RESTResponse:
    if not isinstance(result, RESTResponse):
        raise ApiTypeError(
            f"MockTransport handler {_name(handler)} must return a RESTResponse, got "
            f"{type(result).__name__}"
        )
    problem = _malformed(result)
    if problem is not None:
        raise ApiTypeError(
            f"MockTransport handler {_name(handler)} returned a RESTResponse no server "
            f"could send: {problem}"
        )
    return result


def _malformed(response: RESTResponse) -> Optional[str]:
    """What in ``response`` a real transport could never return, or None."""
    # Typed Any: the handler's object may hold anything, whatever RESTResponse declares.
    status: Any = response.status
    reason: Any = response.reason
    data: Any = response.data
    headers: Any = response.headers
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return f"status must be an int from 100 to 599, got {status!r}"
    if not isinstance(reason, str):
        return f"reason must be str, got {type(reason).__name__}"
    if not isinstance(data, bytes):
        return f"data must be bytes (or pass json=...), got {type(data).__name__}"
    if not isinstance(headers, Mapping):
        return f"headers must be a mapping of str to str, got {type(headers).__name__}"
    try:
        for name, value in headers.items():
            if not isinstance(name, str):
                return f"header names must be str, got {type(name).__name__}"
            if not isinstance(value, str):
                return f"header {name!r} must have a str value, got {type(value).__name__}"
            problem = header_syntax_problem(name, value)
            if problem is not None:
                return problem
    except (TypeError, AttributeError):  # several values of one header, not all str
        return "headers must map str names to str values"
    return None
