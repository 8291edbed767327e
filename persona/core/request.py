"""Building a request, without I/O: an :class:`Operation` and a model become a frozen
:class:`Request` (method, URL, headers, body, and what must be masked when it is shown).

Everything that can fail on the caller's input fails here, before anything is sent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import quote

from ..exceptions import ApiTypeError, ApiValueError
from ..redaction import MASK, redact_headers, scrub
from . import kinds
from .model import Model, encode_json
from .operation import JSON, SAFE_METHODS, Body, Operation, Parameter, check_options

__all__ = [
    "JSON_CONTENT_TYPE",
    "Operation",
    "Parameter",
    "Request",
    "build_request",
    "check_header",
    "encode_body",
    "merge_headers",
]

JSON_CONTENT_TYPE = "application/json;charset=utf-8"

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


class Request:
    """One request, ready for a :class:`~persona.transports.Transport`. Immutable.

    ``method``, ``url``, ``headers`` and ``body`` (bytes, or None) are what goes on the
    wire. ``secrets`` are the secret values the body carries, ``secret_names`` the JSON
    names of the body's secret properties and ``response_secret_names`` those of the
    expected response model: whatever shows a request or its response (logs, errors,
    ``repr``) masks them. ``operation`` names the API method that made it, and
    ``responses`` holds the statuses its contract declares, each with its body's model
    (None for a request made by ``call_api``, which declares nothing), and ``contract``
    the whole :class:`~persona.core.operation.Operation` (its answers' required headers
    and media types too: ``MockTransport(strict=True)`` checks answers against it).
    """

    # A slotted class rather than a dataclass: importing dataclasses (and inspect) would
    # double the cost of importing the client.
    __slots__ = (
        "body",
        "contract",
        "headers",
        "method",
        "operation",
        "response_secret_names",
        "responses",
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
    responses: Optional[Mapping[int, Any]]
    contract: Optional[Operation]

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
        responses: Optional[Mapping[int, Any]] = None,
        contract: Optional[Operation] = None,
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
        setter(self, "responses", responses)
        setter(self, "contract", contract)

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

    @property
    def shown_url(self) -> str:
        """The URL as logs and ``repr`` show it: a secret parameter's value masked."""
        return scrub(self.url, self.secrets) if self.secrets else self.url

    def shown_headers(self) -> dict[str, str]:
        """The headers as logs and ``repr`` show them: credentials and secret
        parameters masked, the Idempotency-Key shortened."""
        headers = redact_headers(self.headers)
        if self.secrets:
            headers = {k: scrub(v, self.secrets) for k, v in headers.items()}
        return headers

    def __repr__(self) -> str:
        body = (
            "None"
            if self.body is None
            else f"<{len(self.body)} bytes{', secrets ' + MASK if self.secrets else ''}>"
        )
        headers = self.shown_headers()
        return f"Request({self.method} {self.shown_url}, headers={headers!r}, body={body})"


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
    loop keeps across attempts so that the server does the work once. So does every
    other method that may change something (PUT, PATCH, DELETE); a safe one (GET, HEAD)
    is retried as it is, and takes no key.
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
    if method.upper() in SAFE_METHODS:
        if idempotency_key is not None:
            raise ApiValueError(
                f"_idempotency_key: a {method.upper()} request takes none "
                "(it changes nothing, so it is retried as it is)"
            )
    else:
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
    secrets = body._secret_values() if body._masked_json_names else ()
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
    params: Optional[Mapping[str, Any]] = None,
    *,
    host: str,
    headers: dict[str, str],
    validate: bool,
) -> Request:
    """The :class:`Request` that calls ``operation`` with ``body`` and ``params`` (its
    path, query and header parameters by keyword name) on ``host``.

    ``headers`` are the call's complete headers (see :func:`merge_headers`). Raises
    ApiValueError / ApiTypeError, naming the parameter or field, for a missing body or
    required parameter, a value of the wrong type, or one that breaks the contract.
    """
    path, query, headers, secrets = _place_params(operation, params or {}, headers, validate)
    payload: Optional[bytes] = None
    secret_names: frozenset[str] = frozenset()
    body_type = operation.body_type
    if body is None:
        if operation.body_required:
            raise ApiValueError(
                f"Missing the required parameter `body` when calling `{operation.name}`"
            )
    elif body_type is None:
        raise ApiTypeError(f"{operation.name}: takes no body, got {type(body).__name__}")
    elif isinstance(body_type, Body):  # a list, a map, a scalar, or bytes of a media type
        payload, body_secrets = body_type.encode(body, validate)
        secrets += body_secrets
        secret_names = body_type._masked_json_names
        if body_type.media_type != JSON and headers.get("Content-Type") == JSON_CONTENT_TYPE:
            headers = {**headers, "Content-Type": body_type.media_type}
    elif not isinstance(body, body_type):
        raise ApiTypeError(
            f"{operation.name}: body must be {body_type.__name__}, got {type(body).__name__}",
            valid_classes=(body_type,),
        )
    else:
        payload, body_secrets = encode_body(body, validate)
        secrets += body_secrets
        secret_names = body._masked_json_names
    if payload is None and headers.get("Content-Type") == JSON_CONTENT_TYPE:
        headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    return Request(
        operation.method,
        host + path + query,
        headers,
        payload,
        secrets,
        secret_names,
        operation.response_secret_names,
        operation.name,
        operation.responses,
        operation,
    )


def _place_params(
    operation: Operation, values: Mapping[str, Any], headers: dict[str, str], validate: bool
) -> tuple[str, str, dict[str, str], tuple[str, ...]]:
    """The path with its parameters filled in, the query string (``""`` or ``?...``),
    ``headers`` with the header parameters, and the values of secret parameters (to
    mask wherever the request is shown): every value checked, then written as the
    spec's default styles say (``simple`` for path and header, ``form`` exploded for
    the query: a list is the name repeated) and percent-encoded."""
    path = operation.path
    if not operation.params:
        check_options(operation, values)
        return path, "", headers, ()
    secrets: list[str] = []
    pairs: list[str] = []
    known = set()
    for param in operation.params:
        known.add(param.name)
        value = values.get(param.name)
        if value is None:
            if param.required:
                raise ApiValueError(
                    f"Missing the required parameter `{param.name}` when calling `{operation.name}`"
                )
            continue
        _check_param(param, value, validate)
        items = value if isinstance(value, list) else [value]
        texts = [kinds.text(param.type, item) for item in items]
        if param.secret:
            secrets.extend(t for t in texts if t)
        if param.location == "path":
            if not texts or any(not t for t in texts):
                # Checked whatever `validate` says: an empty segment would send the call
                # to the collection (DELETE /things/), another resource.
                raise ApiValueError(f"{param.label}: must not be empty (it is a path segment)")
            if any(t in (".", "..") for t in texts):
                # Checked whatever `validate` says: a dot segment would move the URL to
                # another resource (".." is the parent), percent-encoded or not.
                raise ApiValueError(f"{param.label}: must not be '.' or '..' (a path segment)")
            path = path.replace(
                "{" + param.json_name + "}", ",".join(quote(t, safe="") for t in texts)
            )
        elif param.location == "query":
            name = quote(param.json_name, safe="")
            pairs.extend(f"{name}={quote(t, safe='')}" for t in texts)
        else:
            text = ",".join(texts)
            check_header(param.json_name, text)
            lower = param.json_name.lower()
            headers = {k: v for k, v in headers.items() if k.lower() != lower}
            headers[param.json_name] = text
    check_options(operation, values, known)
    return path, ("?" + "&".join(pairs)) if pairs else "", headers, tuple(secrets)


def _check_param(param: Parameter, value: Any, validate: bool) -> None:
    """Raise ApiTypeError / ApiValueError, naming the parameter, for a value of the
    wrong kind, or (when ``validate``) one that breaks the contract."""
    param.check_type(value)
    if isinstance(value, str) and not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # Checked whatever `validate` says: such text cannot be percent-encoded.
            raise ApiValueError(
                f"{param.label}: must be valid Unicode text (it contains a lone surrogate)"
            ) from None
    if isinstance(value, (Model, dict)):
        raise ApiTypeError(f"{param.label}: an object cannot be sent in a {param.location}")
    if validate:
        problem = param.problem(value)
        if problem:
            raise ApiValueError(f"{param.label}: {problem}", path_to_item=[param.name])
