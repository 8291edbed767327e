"""ApiClient: turns an operation call into an HTTP request and its response into a
model or an exception. It owns headers, (de)serialization, the Idempotency-Key, the
``async_req`` thread pool and the transport (:mod:`persona.rest`).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, ClassVar, NamedTuple, Optional, Union

from .configuration import Configuration, normalize_timeout
from .exceptions import (
    ApiClosedError,
    ApiResponseError,
    ApiTypeError,
    ApiValueError,
    exception_for_status,
    request_id_of,
)
from .models.base import Model
from .redaction import scrub_body
from .rest import RESTClientObject, RESTResponse

if TYPE_CHECKING:
    from multiprocessing.pool import ThreadPool

__all__ = ["ApiClient", "ApiResponse", "Operation"]

JSON_CONTENT_TYPE = "application/json;charset=utf-8"

#: Keyword options every operation method accepts, as in generated clients, plus ours.
CALL_OPTIONS = frozenset(
    {
        "async_req",
        "_return_http_data_only",
        "_preload_content",
        "_request_timeout",
        "_idempotency_key",
        "_headers",
    }
)

_DECODE_JSON = json.JSONDecoder().decode


def _json_encoder() -> Callable[[dict[str, Any]], str]:
    """Compact JSON text of a request body's dict, from an encoder built once.

    ``json.dumps`` builds its C encoder anew for every call; this builds it once,
    without the circular-reference bookkeeping (a body is a dict of plain values; a
    cycle in ``additional_properties`` ends as a RecursionError, reported like any
    unencodable body). If this Python's ``json`` does not offer the C encoder, or it
    does not answer as ``json.dumps`` would, the plain encoder is used.
    """
    plain = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    try:
        make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
        iterencode = make(
            None, plain.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
        )

        def encode(obj: dict[str, Any]) -> str:
            return "".join(iterencode(obj, 0))

        probe = {"a": 'é\n"', "b": [1, 2.5, True, None], "c": {}}
        if encode(probe) == '{"a":"é\\n\\"","b":[1,2.5,true,null],"c":{}}':
            return encode
    except Exception:  # noqa: S110 - any surprise means: use the plain encoder
        pass
    return plain.encode


_ENCODE_JSON = _json_encoder()

_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


class Operation(NamedTuple):
    """One API operation: its method name, HTTP path and the models it sends and gets."""

    name: str
    path: str
    body_type: type[Model]
    response_type: type[Model]


class ApiResponse(NamedTuple):
    """What a ``*_with_http_info`` method returns: ``(data, status, headers)``."""

    data: Any
    status: int
    headers: Any

    @property
    def request_id(self) -> Optional[str]:
        """The server's ``X-Request-Id`` for this response."""
        return request_id_of(self.headers)


def _check_header(name: str, value: Any) -> str:
    """Refuse a header that could split the request or be mangled on the wire."""
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        raise ApiValueError(f"header name {name!r}: must be an HTTP token (letters, digits, -)")
    if not isinstance(value, str):
        raise ApiTypeError(f"header {name}: value must be str, got {type(value).__name__}")
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ApiValueError(f"header {name}: value must not contain CR, LF or NUL")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ApiValueError(f"header {name}: value must be latin-1 text") from None
    return value


class ApiClient:
    """Sends the API's requests. Share one between threads; close it when done
    (or use it as a context manager).

    :param configuration: the settings; default :meth:`Configuration.get_default`.
    :param header_name: a header to send with every request (with ``header_value``).
    :param header_value: its value.
    :param cookie: a ``Cookie`` header to send with every request.
    :param pool_threads: threads of the pool that serves ``async_req=True`` calls.
    """

    _default: ClassVar[Optional[ApiClient]] = None
    _close_at_exit_registered: ClassVar[bool] = False
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        header_name: Optional[str] = None,
        header_value: Optional[str] = None,
        cookie: Optional[str] = None,
        pool_threads: int = 1,
    ) -> None:
        self.configuration = (
            configuration if configuration is not None else (Configuration.get_default())
        )
        self.rest_client = RESTClientObject(self.configuration)
        self.default_headers: dict[str, str] = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        self.cookie = cookie
        self.pool_threads = pool_threads
        self._pool: Optional[ThreadPool] = None
        self._lock = threading.Lock()
        self._closed = False
        self._base_headers = {
            "Content-Type": JSON_CONTENT_TYPE,
            "Accept": JSON_CONTENT_TYPE,
            "User-Agent": _check_header("User-Agent", self.configuration.user_agent),
        }

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool and the ``async_req`` thread pool. Idempotent;
        calls made after it raise :class:`ApiClosedError`."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
            pool.join()
        self.rest_client.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def pool(self) -> ThreadPool:
        """The thread pool behind ``async_req=True``, created on first use."""
        with self._lock:
            if self._closed:
                raise ApiClosedError("this ApiClient is closed; create a new one")
            if self._pool is None:
                from multiprocessing.pool import ThreadPool

                self._pool = ThreadPool(self.pool_threads)
            return self._pool

    @classmethod
    def get_default(cls) -> ApiClient:
        """The ApiClient used by ``AccountApi()`` when none is given; closed at exit."""
        with cls._default_lock:
            if cls._default is None or cls._default.closed:
                if not cls._close_at_exit_registered:
                    # One hook for whichever default is current at exit; a hook per
                    # client would keep every replaced client alive until then.
                    atexit.register(cls._close_default)
                    cls._close_at_exit_registered = True
                cls._default = cls()
            return cls._default

    @classmethod
    def _close_default(cls) -> None:
        default = cls._default
        if default is not None:
            default.close()

    @classmethod
    def set_default(cls, default: Optional[ApiClient]) -> None:
        """Make ``default`` the ApiClient used where none is given (None resets it)."""
        with cls._default_lock:
            cls._default = default

    # -- headers ---------------------------------------------------------------------
    @property
    def user_agent(self) -> str:
        """The User-Agent header sent with every request."""
        return self._base_headers["User-Agent"]

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self._base_headers["User-Agent"] = _check_header("User-Agent", value)

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send ``header_name: header_value`` with every request."""
        _check_header(header_name, header_value)
        if header_name.lower() == "idempotency-key":
            raise ApiValueError(
                "default header Idempotency-Key: a key belongs to one call; "
                "pass _idempotency_key= to the call instead"
            )
        self.default_headers[header_name] = header_value

    # -- calls -----------------------------------------------------------------------
    def call_operation(
        self,
        operation: Operation,
        body: Any,
        options: Mapping[str, Any],
        *,
        with_http_info: bool,
    ) -> Any:
        """Call ``operation`` with ``body`` and an API method's keyword ``options``.

        Returns the response model (or :class:`ApiResponse` when ``with_http_info``),
        or an ``ApplyResult`` for ``async_req=True``.
        """
        unknown = set(options) - CALL_OPTIONS
        if unknown:
            raise ApiTypeError(
                f"Got an unexpected keyword argument {sorted(unknown)[0]!r} to method "
                f"{operation.name}"
            )
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
        return self.call_api(
            operation.path,
            "POST",
            body=body,
            response_type=operation.response_type,
            header_params=options.get("_headers"),
            async_req=bool(options.get("async_req", False)),
            _return_http_data_only=options.get("_return_http_data_only", not with_http_info),
            _preload_content=options.get("_preload_content", True),
            _request_timeout=options.get("_request_timeout"),
            _idempotency_key=options.get("_idempotency_key"),
        )

    def call_api(
        self,
        resource_path: str,
        method: str,
        *,
        body: Optional[Model] = None,
        response_type: Optional[type[Model]] = None,
        header_params: Optional[Mapping[str, str]] = None,
        async_req: bool = False,
        _return_http_data_only: bool = True,
        _preload_content: bool = True,
        _request_timeout: Union[float, tuple[float, float], None] = None,
        _idempotency_key: Optional[str] = None,
    ) -> Any:
        """Send a request to ``host + resource_path`` and handle its response.

        Non-2xx statuses raise the matching :class:`ApiException` subclass. With
        ``_preload_content=False`` the :class:`RESTResponse` is returned undecoded.
        """
        if self._closed:
            raise ApiClosedError("this ApiClient is closed; create a new one")
        # Everything that can fail on the caller's input fails here, in the caller's thread.
        headers = self._headers(method, header_params, _idempotency_key)
        payload, secrets, secret_names = self._serialize(body)
        if _request_timeout is not None:
            _request_timeout = normalize_timeout(_request_timeout, "_request_timeout")
        args = (
            resource_path,
            method,
            headers,
            payload,
            secrets,
            secret_names,
            response_type,
            _return_http_data_only,
            _preload_content,
            _request_timeout,
        )
        if async_req:
            return self.pool.apply_async(self._send, args)
        return self._send(*args)

    def _send(
        self,
        resource_path: str,
        method: str,
        headers: dict[str, str],
        payload: Optional[bytes],
        secrets: tuple[str, ...],
        secret_names: frozenset[str],
        response_type: Optional[type[Model]],
        return_data_only: bool,
        preload_content: bool,
        request_timeout: Any,
    ) -> Any:
        response = self.rest_client.request(
            method,
            self.configuration.host + resource_path,
            headers,
            payload,
            timeout=request_timeout,
            secrets=secrets,
            secret_names=secret_names,
        )
        if not 200 <= response.status <= 299:
            raise self._error(response, secrets)
        if not preload_content:
            return response
        data = self.deserialize(response, response_type, secrets) if response_type else None
        if return_data_only:
            return data
        return ApiResponse(data, response.status, response.headers)

    def _headers(
        self,
        method: str,
        extra: Optional[Mapping[str, str]],
        idempotency_key: Optional[str],
    ) -> dict[str, str]:
        headers = dict(self._base_headers)
        # default_headers is a public dict (set_default_header is not the only way in),
        # so its values are checked here too: a bad one must fail before sending.
        layers: list[Mapping[str, str]] = [self.default_headers]
        if self.cookie:
            layers.append({"Cookie": self.cookie})
        if extra:
            layers.append(extra)
        for layer in layers:
            for name, value in layer.items():
                _check_header(name, value)
                if name.lower() == "idempotency-key":
                    if layer is self.default_headers:
                        raise ApiValueError(
                            "default header Idempotency-Key: a key belongs to one call; "
                            "pass _idempotency_key= to the call instead"
                        )
                    if idempotency_key is not None and value != idempotency_key:
                        raise ApiValueError(
                            "_idempotency_key and _headers['Idempotency-Key'] disagree"
                        )
                    idempotency_key = value  # checked below like _idempotency_key
                    continue
                # Header names are case-insensitive: a later layer replaces, never doubles.
                for same in [k for k in headers if k.lower() == name.lower()]:
                    del headers[same]
                headers[name] = value
        if method == "POST":
            if idempotency_key is None:
                # Kept across this call's retries, so the server does the work once.
                idempotency_key = os.urandom(16).hex()
            elif not isinstance(idempotency_key, str) or not _IDEMPOTENCY_KEY.fullmatch(
                idempotency_key
            ):
                raise ApiValueError(
                    "_idempotency_key: must be 1-255 visible ASCII characters (no spaces)"
                )
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def _serialize(
        self, body: Optional[Model]
    ) -> tuple[Optional[bytes], tuple[str, ...], frozenset[str]]:
        if body is None:
            return None, (), frozenset()
        if self.configuration.client_side_validation:
            body.validate()
        wire = body.to_dict()
        names = body._secret_json_names
        secrets = tuple([wire[n] for n in names if isinstance(wire.get(n), str)])
        try:
            payload = _ENCODE_JSON(wire).encode()
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as exc:
            # Reachable only with client_side_validation off, or odd additional_properties.
            raise ApiValueError(
                f"{type(body).__name__}: cannot be encoded as JSON ({type(exc).__name__})"
            ) from None
        return payload, secrets, names

    # -- responses -------------------------------------------------------------------
    def _error(self, response: RESTResponse, secrets: tuple[str, ...]) -> Exception:
        text = response.data.decode("utf-8", "replace") if response.data else None
        if text and secrets:
            text = scrub_body(text, secrets)  # a server that echoes the request must not leak it
        return exception_for_status(response.status)(
            response.status, response.reason, body=text, headers=response.headers
        )

    def deserialize(
        self,
        response: RESTResponse,
        response_type: type[Model],
        secrets: tuple[str, ...] = (),
    ) -> Any:
        """The ``response_type`` model in ``response``'s JSON body.

        Raises :class:`ApiResponseError` (with status and request id) when the body is
        not JSON or not that model; the model's secrets, and the request's ``secrets``
        (a server may echo the request), never reach the exception.
        """
        data = response.data
        try:
            try:
                obj = _DECODE_JSON(data.decode())  # JSON on the wire is UTF-8 (RFC 8259)
            except (ValueError, AttributeError):
                obj = json.loads(data)  # otherwise exactly as json.loads reads it, or fails
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
            content_type = response.headers.get("Content-Type", "no Content-Type")
            what = "empty" if not response.data else f"not JSON ({content_type})"
            raise self._bad_response(response, response_type, f"body is {what}", secrets) from None
        try:
            return response_type.from_dict(obj)
        except (ApiTypeError, ApiValueError) as exc:
            raise self._bad_response(response, response_type, exc.reason or "", secrets) from exc

    @staticmethod
    def _bad_response(
        response: RESTResponse,
        response_type: type[Model],
        problem: str,
        secrets: tuple[str, ...] = (),
    ) -> ApiResponseError:
        # A broken body of a model that carries secrets may still hold one: withhold it.
        keep = not response_type._secret_json_names and response.data
        text = scrub_body(response.data.decode("utf-8", "replace"), secrets) if keep else None
        return ApiResponseError(
            response.status,
            f"invalid {response_type.__name__} in response: {problem}",
            body=text,
            headers=response.headers,
        )

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """``obj`` as JSON-ready data: models become dicts with the API's names."""
        if isinstance(obj, Model):
            return obj.to_dict()
        if isinstance(obj, (list, tuple)):
            return [self.sanitize_for_serialization(item) for item in obj]
        if isinstance(obj, dict):
            return {key: self.sanitize_for_serialization(value) for key, value in obj.items()}
        return obj

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"ApiClient(host={self.configuration.host!r}, {state})"
