"""Building a request, without I/O: an :class:`Operation` and a model become a frozen
:class:`Request` (method, URL, headers, body, and what must be masked when it is shown).

Everything that can fail on the caller's input fails here, before anything is sent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any, NamedTuple, Optional

from ..exceptions import ApiTypeError, ApiValueError
from ..models.base import Model, encode_json
from ..redaction import MASK, redact_headers

__all__ = [
    "JSON_CONTENT_TYPE",
    "Operation",
    "Request",
    "build_request",
    "check_header",
    "encode_body",
    "merge_headers",
]

JSON_CONTENT_TYPE = "application/json;charset=utf-8"

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class Operation(NamedTuple):
    """One API operation: its method name, HTTP path and the models it sends and gets."""

    name: str
    path: str
    body_type: type[Model]
    response_type: type[Model]


class Request:
    """One request, ready for a :class:`~persona.transports.Transport`. Immutable.

    ``method``, ``url``, ``headers`` and ``body`` (bytes, or None) are what goes on the
    wire. ``secrets`` are the secret values the body carries, ``secret_names`` the JSON
    names of the body's secret properties and ``response_secret_names`` those of the
    expected response model: whatever shows a request or its response (logs, errors,
    ``repr``) masks them. ``operation`` names the API method that made it.
    """

    # A slotted class rather than a dataclass: importing dataclasses (and inspect) would
    # double the cost of importing the client.
    __slots__ = (
        "body",
        "headers",
        "method",
        "operation",
        "response_secret_names",
        "secret_names",
        "secrets",
        "url",
    )
    method: str
    url: str
    headers: Mapping[str, str]
    body: Optional[bytes]
    secrets: tuple[str, ...]
    secret_names: frozenset[str]
    response_secret_names: frozenset[str]
    operation: str

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Optional[bytes] = None,
        secrets: tuple[str, ...] = (),
        secret_names: frozenset[str] = frozenset(),
        response_secret_names: frozenset[str] = frozenset(),
        operation: str = "",
    ) -> None:
        setter = object.__setattr__
        setter(self, "method", method)
        setter(self, "url", url)
        setter(self, "headers", headers)
        setter(self, "body", body)
        setter(self, "secrets", secrets)
        setter(self, "secret_names", secret_names)
        setter(self, "response_secret_names", response_secret_names)
        setter(self, "operation", operation)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Request is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Request is immutable (cannot delete {name!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Request):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # headers are a mapping

    def json(self) -> Any:
        """The body parsed as JSON (None when there is no body)."""
        return None if self.body is None else json.loads(self.body)

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    def __repr__(self) -> str:
        body = (
            "None"
            if self.body is None
            else f"<{len(self.body)} bytes{', secrets ' + MASK if self.secrets else ''}>"
        )
        return (
            f"Request({self.method} {self.url}, headers={redact_headers(self.headers)!r}, "
            f"body={body})"
        )


def check_header(name: Any, value: Any) -> str:
    """``value``, or an error if the header could split the request or be mangled."""
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        raise ApiValueError(f"header name {name!r}: must be an HTTP token (letters, digits, -)")
    if not isinstance(value, str):
        raise ApiTypeError(f"header {name}: value must be str, got {type(value).__name__}")
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ApiValueError(f"header {name}: value must not contain CR, LF or NUL")
    if not value.isascii() and max(map(ord, value)) > 0xFF:
        # Checked without encoding: a UnicodeEncodeError would hold the value (a
        # credential, perhaps) as its .object, and ride along as __context__.
        raise ApiValueError(f"header {name}: value must be latin-1 text")
    return value


def merge_headers(
    base: Mapping[str, str],
    layers: tuple[Optional[Mapping[str, str]], ...],
    idempotency_key: Optional[str],
    method: str,
) -> dict[str, str]:
    """``base`` with each of ``layers`` applied in turn (a later layer replaces, never
    doubles: names are case-insensitive), and the call's ``Idempotency-Key``.

    The first layer holds the client's default headers, which may not set a key: a key
    belongs to one call. A POST without a key gets a fresh random one, which the retry
    loop keeps across attempts so that the server does the work once.
    """
    headers = dict(base)
    for index, layer in enumerate(layers):
        if not layer:
            continue
        for name, value in layer.items():
            check_header(name, value)
            lower = name.lower()
            if lower == "idempotency-key":
                if index == 0:
                    raise ApiValueError(
                        "default header Idempotency-Key: a key belongs to one call; "
                        "pass _idempotency_key= to the call instead"
                    )
                if idempotency_key is not None and value != idempotency_key:
                    raise ApiValueError("_idempotency_key and _headers['Idempotency-Key'] disagree")
                idempotency_key = value  # checked below like _idempotency_key
                continue
            for same in [k for k in headers if k.lower() == lower]:
                del headers[same]
            headers[name] = value
    if method == "POST":
        if idempotency_key is None:
            idempotency_key = os.urandom(16).hex()
        elif not isinstance(idempotency_key, str) or not _IDEMPOTENCY_KEY.fullmatch(
            idempotency_key
        ):
            raise ApiValueError(
                "_idempotency_key: must be 1-255 visible ASCII characters (no spaces)"
            )
        headers["Idempotency-Key"] = idempotency_key
    return headers


def encode_body(body: Model, validate: bool) -> tuple[bytes, tuple[str, ...]]:
    """The JSON bytes of ``body`` (checked against the contract first when ``validate``)
    and the secret values it carries."""
    if validate:
        body.validate()
    wire = body.to_dict()
    secrets = tuple([wire[n] for n in body._secret_json_names if isinstance(wire.get(n), str)])
    problem = None
    try:
        payload = encode_json(wire).encode()
    except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
        # Reachable only with client_side_validation off, or odd additional_properties.
        problem = type(exc).__name__
    if problem is not None:
        # Raised here, not in the except block: the encoder's error holds the body,
        # secrets and all, and would ride along as __context__.
        raise ApiValueError(f"{type(body).__name__}: cannot be encoded as JSON ({problem})")
    return payload, secrets


def build_request(
    operation: Operation,
    body: Any,
    *,
    host: str,
    headers: dict[str, str],
    validate: bool,
) -> Request:
    """The :class:`Request` that calls ``operation`` with ``body`` on ``host``.

    ``headers`` are the call's complete headers (see :func:`merge_headers`). Raises
    ApiValueError / ApiTypeError, naming the parameter or field, for a missing body, a
    body of the wrong model, or a model that breaks the contract.
    """
    if body is None:
        raise ApiValueError(
            f"Missing the required parameter `body` when calling `{operation.name}`"
        )
    if not isinstance(body, operation.body_type):
        raise ApiTypeError(
            f"{operation.name}: body must be {operation.body_type.__name__}, "
            f"got {type(body).__name__}",
            valid_classes=(operation.body_type,),
        )
    payload, secrets = encode_body(body, validate)
    return Request(
        "POST",
        host + operation.path,
        headers,
        payload,
        secrets,
        body._secret_json_names,
        operation.response_type._secret_json_names,
        operation.name,
    )
