"""Reading a response, without I/O: a :class:`RESTResponse` becomes the operation's
model, an :class:`ApiResponse`, or the matching :class:`~persona.exceptions.ApiException`.

Nothing a server sends escapes as a built-in exception, and no secret of the request
or of the response model reaches an exception: bodies are masked before they are kept.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Optional, Tuple, TypeVar, Union  # noqa: UP035 (see ApiResponse)
from urllib.parse import urlsplit

from urllib3 import HTTPHeaderDict

from ..exceptions import (
    ApiResponseError,
    ApiTypeError,
    ApiValueError,
    exception_for_status,
    request_id_of,
)
from ..redaction import MASK, is_secret_name, mask_response_text, response_text
from .model import Model
from .operation import Body
from .request import JSON_CONTENT_TYPE, Request

__all__ = ["ApiResponse", "RESTResponse", "decode_model", "read_response"]

T = TypeVar("T")
M = TypeVar("M", bound=Model)

_DECODE_JSON = json.JSONDecoder().decode


class RESTResponse:
    """A complete HTTP response: ``status``, ``reason``, ``headers`` (a case-insensitive
    mapping) and the body bytes (``data``).

    Transports return one per attempt; ``_preload_content=False`` returns it undecoded.
    In tests, build one for :class:`persona.testing.MockTransport`::

        RESTResponse(200, json={"token": "t"}, headers={"X-Request-Id": "req_1"})
    """

    __slots__ = ("data", "headers", "reason", "status")

    def __init__(
        self,
        status: int,
        reason: str = "",
        headers: Optional[Mapping[str, str]] = None,
        data: bytes = b"",
        *,
        json: Any = None,
    ) -> None:
        if json is not None:
            data = _encode_json(json)
        headers = headers if isinstance(headers, HTTPHeaderDict) else HTTPHeaderDict(headers)
        if json is not None and "Content-Type" not in headers:
            headers["Content-Type"] = JSON_CONTENT_TYPE
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data

    @property
    def request_id(self) -> Optional[str]:
        """The server's ``X-Request-Id`` for this response."""
        return request_id_of(self.headers)

    def getheaders(self) -> HTTPHeaderDict:
        """All response headers (a case-insensitive mapping)."""
        return self.headers

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """One response header, or ``default``."""
        value = self.headers.get(name, default)
        return value if isinstance(value, str) or value is None else default

    def read(self) -> bytes:
        """The body (already read in full)."""
        return self.data

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.data)

    def __repr__(self) -> str:
        return f"RESTResponse(status={self.status}, request_id={self.request_id!r})"


def _encode_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


# typing.Tuple, not tuple: subclassing tuple[...] would not make the class generic on 3.9.
class ApiResponse(Tuple[T, int, Mapping[str, str]]):  # noqa: UP006
    """What a ``*_with_http_info`` method returns: ``(data, status, headers)``, a tuple
    with those names, generic in ``data``: ``data, status, headers = api.x_with_http_info(
    body)`` gives a ``TokenResponse``, an ``int`` and a ``Mapping[str, str]``."""

    __slots__ = ()

    def __new__(cls, data: T, status: int, headers: Mapping[str, str]) -> ApiResponse[T]:
        return tuple.__new__(cls, (data, status, headers))

    @property
    def data(self) -> T:
        """The response model."""
        return self[0]

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self[1]

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers (a case-insensitive mapping)."""
        return self[2]

    def __repr__(self) -> str:
        return (
            f"ApiResponse(data={self.data!r}, status={self.status}, request_id={self.request_id!r})"
        )

    @property
    def request_id(self) -> Optional[str]:
        """The server's ``X-Request-Id`` for this response."""
        return request_id_of(self.headers)


def read_response(
    response: RESTResponse,
    request: Request,
    response_type: type[M],
    *,
    with_http_info: bool,
    preload_content: bool,
) -> Union[M, ApiResponse[M], RESTResponse]:
    """The result of a call whose last attempt got ``response``: the model (or
    ``ApiResponse``, or the raw response when not ``preload_content``); raises the
    matching ApiException for a non-2xx status or a 2xx body that is not the model."""
    if not 200 <= response.status <= 299:
        raise error_for(response, request)
    if not preload_content:
        return response
    data = decode_model(response, response_type, request.secrets)
    if with_http_info:
        return ApiResponse(data, response.status, response.headers)
    return data


def error_for(response: RESTResponse, request: Request) -> Exception:
    """The exception a non-2xx ``response`` raises, with the body and reason masked."""
    text = None
    if response.data:
        text = mask_response_text(
            response_text(response.data), request.secrets, request.response_secret_names
        )
    reason = mask_response_text(response.reason or "", request.secrets, frozenset())
    exc = exception_for_status(response.status)(
        response.status, reason, body=text, headers=masked_headers(response.headers, request)
    )
    if response.status == 404:
        exc.hint = _base_path_hint(request.url)
    elif response.status == 401:
        exc.hint = _UNAUTHORIZED_HINTS.get(exc.error_code or "")
    return exc


#: What to do next after a 401, by the API's error code.
_UNAUTHORIZED_HINTS = {
    "invalid_code": (
        "check the code, or ask for a new one with forgotPass (account_forgot_pass_post) "
        "if it was used or has expired"
    ),
    "invalid_token": (
        "a reset token works once and expires: start again with forgotPass "
        "(account_forgot_pass_post), then codeForToken"
    ),
}


def masked_headers(headers: Any, request: Request) -> Any:
    """Response ``headers`` as an exception keeps them: a header named for a credential
    (``Set-Cookie``, ``X-Auth-Token``...) masked, and the request's secrets masked in
    every other value (a server may echo them). A copy only when something changed."""
    changed = None
    for name, value in headers.items():
        if is_secret_name(name):
            shown = MASK
        elif request.secrets and isinstance(value, str):
            shown = mask_response_text(value, request.secrets, ())
        else:
            continue
        if shown != value:
            if changed is None:
                changed = HTTPHeaderDict(headers)
            changed[name] = shown
    return headers if changed is None else changed


def _base_path_hint(url: str) -> Optional[str]:
    """Advice for a 404 whose request URL lacks the API's ``/v1`` base path."""
    path = urlsplit(url).path
    if path.startswith("/v1/") or "/v1/" in path:
        return None
    parts = urlsplit(url)
    return f"the host has no /v1 base path: try host='{parts.scheme}://{parts.netloc}/v1'"


def decode_model(
    response: RESTResponse, response_type: type[M], secrets: tuple[str, ...] = ()
) -> M:
    """The ``response_type`` model in ``response``'s JSON body.

    Raises :class:`ApiResponseError` (with status and request id) when the body is not
    JSON or not that model; the model's secrets, and the request's ``secrets`` (a server
    may echo the request), never reach the exception, its message or its context.
    """
    data = response.data
    kind: Any = response_type  # a model class, or a Body (a list, a map, a scalar, bytes)
    if isinstance(kind, Body) and kind.raw:
        return data  # type: ignore[return-value]  # bytes of its media type, as they came
    problem: Optional[str] = None
    try:
        obj = _DECODE_JSON(data.decode())  # JSON on the wire is UTF-8 (RFC 8259)
    except (ValueError, AttributeError, RecursionError):
        try:
            obj = json.loads(data)  # otherwise exactly as json.loads reads it (a BOM...)
        except (ValueError, TypeError, RecursionError):  # RecursionError: nested too deep
            content_type = response.headers.get("Content-Type", "no Content-Type")
            problem = "body is " + ("empty" if not data else f"not JSON ({content_type})")
    if problem is None:
        try:
            if isinstance(kind, Body):  # a list, a map or a scalar
                return kind.read(obj)  # type: ignore[no-any-return]
            return response_type.from_dict(obj)
        except (ApiTypeError, ApiValueError) as exc:  # these name fields, never values
            raise _bad_response(response, response_type, exc.reason or "", secrets) from exc
    # Raised outside the except blocks: the decoder's error (its .doc is the body, with
    # every secret in it) must not ride along as __context__.
    raise _bad_response(response, response_type, problem or "", secrets)


def _bad_response(
    response: RESTResponse, response_type: type[Model], problem: str, secrets: tuple[str, ...]
) -> ApiResponseError:
    # A broken body of a model that carries secrets may still hold one: withhold it.
    keep = not response_type._masked_json_names and response.data
    text = mask_response_text(response_text(response.data), secrets, ()) if keep else None
    shown = Request("", "", {}, secrets=secrets)
    return ApiResponseError(
        response.status,
        f"invalid {response_type.__name__} in response: {problem}",
        body=text,
        headers=masked_headers(response.headers, shown),
    )
