"""The exceptions persona raises. Every failure of an API call is an `ApiException`.

    OpenApiException
     └─ ApiException            .status .reason .body .data .headers .request_id
         ├─ ApiTypeError        (also TypeError)   client-side, status 0, nothing sent
         ├─ ApiValueError       (also ValueError)  client-side, status 0, nothing sent
         ├─ ApiClosedError      (also RuntimeError) the ApiClient was closed
         │   └─ ApiEventLoopError  an AsyncApiClient used from a second event loop
         ├─ BadRequestException          400
         ├─ UnauthorizedException        401
         ├─ ForbiddenException           403
         ├─ NotFoundException            404
         ├─ ConflictException            409
         ├─ TooManyRequestsException     429  .retry_after
         ├─ ServiceException             5xx
         ├─ ApiResponseError             a 2xx whose body is not what the contract promises
         └─ ApiConnectionError           status 0, nothing (usable) received
             ├─ ApiTimeoutError          (also TimeoutError)
             └─ ApiTLSError

Any other non-2xx status raises a plain `ApiException`. Messages are one line and
never contain a password, code or token: bodies are not printed, and the server's
own message is scrubbed of the secrets the request carried.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from .core.retry_after import parse_retry_after
from .redaction import printable, valid_text

__all__ = [
    "ApiClosedError",
    "ApiConnectionError",
    "ApiEventLoopError",
    "ApiException",
    "ApiResponseError",
    "ApiTLSError",
    "ApiTimeoutError",
    "ApiTypeError",
    "ApiValueError",
    "BadRequestException",
    "ConflictException",
    "ForbiddenException",
    "NotFoundException",
    "OpenApiException",
    "ServiceException",
    "TooManyRequestsException",
    "UnauthorizedException",
    "exception_for_status",
    "request_id_of",
]

PathToItem = Sequence[Union[str, int]]


class OpenApiException(Exception):
    """The base of every exception persona raises."""


class ApiException(OpenApiException):
    """A call to the API failed.

    Attributes: ``status`` (HTTP status, 0 when nothing was received), ``reason``
    (the HTTP reason phrase or a short description), ``body`` (the response body as
    text, or None), ``data`` (the body parsed as JSON, or None), ``headers`` (the
    response headers, or None), ``request_id`` (the server's ``X-Request-Id``) and
    ``hint`` (what to try next, when persona can tell; part of ``str(e)``).
    """

    hint: Optional[str] = None

    def __init__(
        self,
        status: Optional[int] = None,
        reason: Optional[str] = None,
        http_resp: Any = None,
        *,
        body: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        if http_resp is not None:
            status = http_resp.status if status is None else status
            reason = http_resp.reason if reason is None else reason
            raw = getattr(http_resp, "data", None)
            if body is None and isinstance(raw, (bytes, bytearray)):
                body = bytes(raw).decode("utf-8", "replace")
            if headers is None:
                headers = getattr(http_resp, "headers", None)
        self.status: int = status or 0
        self.reason: Optional[str] = valid_text(reason) if reason else reason
        # Writable in UTF-8 whatever the server sent (a lone surrogate from a "\ud800"
        # escape is written back as that escape).
        self.body: Optional[str] = valid_text(body) if body is not None else None
        self.headers: Optional[Mapping[str, str]] = headers
        self.data: Any = _parse_json(body)
        self.request_id: Optional[str] = request_id_of(headers)
        super().__init__(str(self))

    @property
    def error_code(self) -> Optional[str]:
        """The machine-readable ``code`` of the API's error body, e.g. ``"invalid_code"``."""
        value = self.data.get("code") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def error_message(self) -> Optional[str]:
        """The human-readable ``message`` of the API's error body."""
        value = self.data.get("message") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    def __str__(self) -> str:
        text = f"({self.status}) {self.reason or 'Error'}" if self.status else self.reason or ""
        if self.error_code or self.error_message:
            parts = [p for p in (self.error_code, self.error_message) if p]
            text += ": " + " - ".join(parts)
        if self.request_id:
            text += f" [request id {self.request_id}]"
        if self.hint:
            text += f" (hint: {self.hint})"
        # One line, printable on any terminal, whatever the server sent.
        return printable(" ".join(text.split()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


def request_id_of(headers: Optional[Mapping[str, Any]]) -> Optional[str]:
    """The server's ``X-Request-Id`` in response ``headers``, or None."""
    value = headers.get("X-Request-Id") if headers is not None else None
    return value if isinstance(value, str) else None


def _parse_json(body: Optional[str]) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        return None


class _ClientSideError(ApiException):
    """A failure detected before anything was sent (status 0)."""

    def __init__(self, msg: str, path_to_item: Optional[PathToItem] = None) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        super().__init__(status=0, reason=msg)


class ApiTypeError(_ClientSideError, TypeError):
    """An argument or field has the wrong type. Nothing was sent."""

    def __init__(
        self,
        msg: str,
        path_to_item: Optional[PathToItem] = None,
        valid_classes: Optional[tuple[type, ...]] = None,
        key_type: Optional[bool] = None,
    ) -> None:
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(msg, path_to_item)


class ApiValueError(_ClientSideError, ValueError):
    """An argument or field breaks a rule of the contract. Nothing was sent."""


class ApiClosedError(_ClientSideError, RuntimeError):
    """The ApiClient was closed; create a new one to make more calls."""


class ApiEventLoopError(ApiClosedError):
    """An :class:`~persona.AsyncApiClient` was used from an event loop other than the
    one it first ran in (or in a child process after ``fork()``). Its connections belong
    to that loop; create one client per event loop. Nothing was sent."""


class ApiConnectionError(ApiException):
    """The request could not be completed: no usable response was received.

    The underlying urllib3, aiohttp, ssl or socket error is chained as ``__cause__``.
    ``attempts`` is how many attempts the call made before giving up.
    """

    attempts: int = 0

    def __init__(self, reason: str) -> None:
        super().__init__(status=0, reason=reason)


class ApiTimeoutError(ApiConnectionError, TimeoutError):
    """A connect or read timeout, or the call's total deadline, ran out."""


class ApiTLSError(ApiConnectionError):
    """The TLS handshake failed (certificate not trusted, wrong host name, ...)."""


class ApiResponseError(ApiException):
    """The server answered 2xx, but not with the JSON the contract promises."""


class BadRequestException(ApiException):
    """400: the request broke a rule of the contract (``invalid_request``)."""


class UnauthorizedException(ApiException):
    """401: the code or token is wrong, expired or already used."""


class ForbiddenException(ApiException):
    """403: the request is not allowed."""


class NotFoundException(ApiException):
    """404: the path does not exist on the server (check ``Configuration.host``)."""


class ConflictException(ApiException):
    """409: an ``Idempotency-Key`` was reused with a different body."""


class TooManyRequestsException(ApiException):
    """429: too many requests. ``retry_after`` is the server's wait in whole seconds, or
    None."""

    @property
    def retry_after(self) -> Optional[int]:
        """Whole seconds the server asked to wait (its ``Retry-After``: delta-seconds, or an
        HTTP date counted from now and rounded up, so that waiting this long is enough),
        at most a year; None when absent or unreadable. An int, as ``Retry-After`` is:
        it can go back into a ``Retry-After`` header (``60``, not ``60.0``) or to
        ``time.sleep``."""
        seconds = parse_retry_after(self.headers.get("Retry-After") if self.headers else None)
        return None if seconds is None else math.ceil(seconds)


class ServiceException(ApiException):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    429: TooManyRequestsException,
}


def exception_for_status(status: int) -> type[ApiException]:
    """The exception class that a non-2xx ``status`` raises."""
    if 500 <= status <= 599:
        return ServiceException
    return _BY_STATUS.get(status, ApiException)
