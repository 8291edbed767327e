"""ApiClient: the sync client. It owns the lifecycle (close, the default client, the
``async_req`` thread pool, fork safety), the call options, and the path of a call:
core builds the request -> the retry loop sends it through the Transport -> core reads
the response into a model or an exception.

What the sync and the async client (:mod:`persona.async_api_client`) share -- settings,
``with_options()``, headers, building the request and reading the result -- lives once,
in :class:`BaseClient`; each client adds only its lifecycle and its loop.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, Optional, TypeVar, Union, cast

from . import _fork
from .configuration import Configuration, stderr_level
from .core.attempts import CallPlan
from .core.call_options import (
    NOT_GIVEN,
    OPTION_ALIASES,
    OPTION_NAMES,
    NotGiven,
    RequestTimeout,
)
from .core.model import Model
from .core.operation import NO_BODY, answer_model, check_options
from .core.policy import RetryPolicy, Timeout, check_seconds
from .core.request import (
    JSON_CONTENT_TYPE,
    Operation,
    Request,
    build_request,
    check_header,
    encode_body,
    merge_headers,
)
from .core.response import ApiResponse, RESTResponse, decode_model, read_response
from .exceptions import ApiClosedError, ApiTypeError, ApiValueError
from .lifecycle import Lifecycle
from .retry_loop import send_with_retries

if TYPE_CHECKING:
    from multiprocessing.pool import ThreadPool

    from .hooks import AsyncEventHooks, EventHooks, Hooks
    from .transports.base import Transport

__all__ = ["ApiClient", "ApiResponse", "BaseClient", "Operation"]

M = TypeVar("M", bound=Model)
C = TypeVar("C", bound="BaseClient[Any]")
#: What a client's ``event_hooks`` are: :class:`~persona.hooks.EventHooks` for the sync
#: client, :class:`~persona.hooks.AsyncEventHooks` for the async one.
H = TypeVar("H", "EventHooks", "AsyncEventHooks")

#: Keyword options every operation method accepts (declared in core/call_options.py).
CALL_OPTIONS = OPTION_NAMES


def _new_default_lock() -> None:
    ApiClient._default_lock = threading.Lock()


class ClientSettings:
    """What a client's calls read from its Configuration and ``with_options()``
    overrides, snapshotted once per change of either (not on every call)."""

    __slots__ = ("debug", "host", "policy", "revision", "timeout", "user_agent", "validate")

    def __init__(self, config: Configuration, overrides: Mapping[str, Any]) -> None:
        self.revision = config.revision
        self.host = config.host
        self.validate = config.client_side_validation
        self.debug = stderr_level(config)  # the lowest level logged to stderr (0: none)
        self.user_agent = config.user_agent
        timeout = config.timeouts
        if "deadline" in overrides:
            timeout = timeout.replace(total=overrides["deadline"])
        if "timeout" in overrides:
            timeout = Timeout.of(overrides["timeout"], "timeout", timeout.total)
        self.timeout = timeout
        policy = overrides.get("retry_policy") or config.retry_policy
        if "max_retries" in overrides:
            policy = policy.replace(max_retries=overrides["max_retries"])
        self.policy = policy


class BaseClient(Generic[H]):
    """What :class:`ApiClient` and :class:`~persona.AsyncApiClient` share: the
    configuration and its snapshot, ``with_options()``, default headers and the
    User-Agent, event hooks, and building a call's request and policies. Not used
    directly."""

    #: The client's name in messages ("this ApiClient is closed").
    _kind: ClassVar[str] = "ApiClient"
    #: Whether the client awaits its event hooks (the async client) or calls them.
    _async_hooks: ClassVar[bool] = False

    configuration: Configuration
    default_headers: dict[str, str]
    cookie: Optional[str]
    _overrides: dict[str, Any]
    _user_agent: Optional[str]
    _settings: Optional[ClientSettings]
    #: (settings revision, user agent, cookie), default headers, merged headers.
    _header_cache: Optional[
        tuple[tuple[int, Optional[str], Optional[str]], dict[str, str], dict[str, str]]
    ] = None
    #: Closed or not, shared with the with_options() copies (closing closes them too).
    _life: Lifecycle
    #: The event hooks its calls run, or None (the common case: one check per attempt).
    _hooks: Optional[Hooks] = None

    def _init_common(
        self,
        configuration: Optional[Configuration],
        header_name: Optional[str],
        header_value: Optional[str],
        cookie: Optional[str],
        event_hooks: Optional[H] = None,
    ) -> None:
        self.configuration = (
            configuration if configuration is not None else Configuration.get_default()
        )
        self.configuration.mark_in_use()  # changed in place from now on: a warning
        self.default_headers = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        self.cookie = cookie
        self._overrides = {}
        self._user_agent = None
        self._settings = None
        self._life = Lifecycle()
        self._hooks = self._checked_hooks(event_hooks)

    def _checked_hooks(self, event_hooks: Optional[H]) -> Optional[Hooks]:
        if event_hooks is None:
            return None  # hooks.py is not even imported by a client without hooks
        from .hooks import Hooks

        return Hooks.of(event_hooks, self._async_hooks)

    @property
    def event_hooks(self) -> H:
        """The client's event hooks, as ``event_hooks=`` takes them (a copy: change them
        with ``with_options(event_hooks=...)``)."""
        hooks = self._hooks
        return cast("H", hooks.as_dict() if hooks is not None else {"request": [], "response": []})

    @property
    def _closed(self) -> bool:
        return self._life.closed

    def _closed_error(self) -> ApiClosedError:
        return ApiClosedError(f"this {self._kind} is closed; create a new one")

    # -- options -------------------------------------------------------------------
    def with_options(
        self: C,
        *,
        timeout: Union[RequestTimeout, NotGiven] = NOT_GIVEN,
        deadline: Union[float, NotGiven] = NOT_GIVEN,
        max_retries: Union[int, NotGiven] = NOT_GIVEN,
        retry_policy: Union[RetryPolicy, NotGiven] = NOT_GIVEN,
        headers: Union[Mapping[str, str], NotGiven] = NOT_GIVEN,
        event_hooks: Union[H, NotGiven, None] = NOT_GIVEN,
    ) -> C:
        """A client like this one with some options changed, sharing its connection pool
        (closing it leaves this one open) and nothing that can change: the copy has its
        own settings and headers, so changing one never changes the other.

        An option left out keeps this client's value.

        :param timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`Timeout` (whose ``total`` then bounds the call); ``None``: no
            per-attempt limit (the deadline still bounds each call).
        :param deadline: the most seconds one call may take.
        :param max_retries: retries after the first attempt.
        :param retry_policy: a whole :class:`RetryPolicy`.
        :param headers: headers to add to every request of the new client.
        :param event_hooks: the new client's event hooks, instead of this one's
            (``None``: none); this client's stay as they are.
        """
        hooks = self._hooks
        if not isinstance(event_hooks, NotGiven):
            hooks = self._checked_hooks(event_hooks)  # checked now, not at the first call
        overrides = dict(self._overrides)
        total = self._settings_now().timeout.total
        if not isinstance(deadline, NotGiven):
            total = check_seconds("deadline", deadline)  # checked now, not at the first call
            overrides["deadline"] = total
        if not isinstance(timeout, NotGiven):
            overrides["timeout"] = (
                Timeout(total, total, total)
                if timeout is None
                else Timeout.of(timeout, "timeout", total)
            )
        if not isinstance(retry_policy, NotGiven):
            if not isinstance(retry_policy, RetryPolicy):
                raise ApiTypeError(
                    f"retry_policy: must be RetryPolicy, got {type(retry_policy).__name__}"
                )
            overrides["retry_policy"] = retry_policy
            overrides.pop("max_retries", None)
        if not isinstance(max_retries, NotGiven):
            RetryPolicy(max_retries=max_retries)  # checked now
            overrides["max_retries"] = max_retries
        cls = type(self)
        child = cls.__new__(cls)
        child.__dict__.update(self.__dict__)
        # Its own settings: a change to this client's Configuration (deprecated) does not
        # reach the copy, nor the other way round.
        child.configuration = self.configuration.replace()
        child.configuration.mark_in_use()
        child.default_headers = dict(self.default_headers)
        if not isinstance(headers, NotGiven):
            for name, value in headers.items():
                child.set_default_header(name, value)
        child._overrides = overrides
        child._hooks = hooks
        child._settings = None
        child._header_cache = None
        child._life = Lifecycle(self._life)  # closed when this client is
        child._derived()
        child._settings_now()
        return child

    def _derived(self) -> None:
        """Called on a ``with_options()`` copy: drop what must not be shared."""

    def _settings_now(self) -> ClientSettings:
        settings = self._settings
        if settings is None or settings.revision != self.configuration.revision:
            settings = self._settings = ClientSettings(self.configuration, self._overrides)
        return settings

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    # -- headers ---------------------------------------------------------------------
    @property
    def user_agent(self) -> str:
        """The User-Agent header sent with every request (default: the Configuration's)."""
        return self._user_agent or self._settings_now().user_agent

    @user_agent.setter
    def user_agent(self, value: str) -> None:
        self._user_agent = check_header("User-Agent", value)

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send ``header_name: header_value`` with every request."""
        check_header(header_name, header_value)
        if isinstance(header_name, str) and header_name.lower() == "idempotency-key":
            raise ApiValueError(
                "default header Idempotency-Key: a key belongs to one call; "
                "pass _idempotency_key= to the call instead"
            )
        self.default_headers[header_name] = header_value

    def _headers(
        self,
        method: str,
        extra: Optional[Mapping[str, str]],
        idempotency_key: Optional[str],
    ) -> dict[str, str]:
        if extra is None and idempotency_key is None:
            # The common call: the client's own headers, merged and checked once per
            # change of what they are made from, and the call's fresh key.
            fixed = self._fixed_headers()
            return merge_headers(fixed, (), None, method)
        return self._merged_headers(method, extra, idempotency_key)

    def _fixed_headers(self) -> dict[str, str]:
        """The headers every call of this client sends (no Idempotency-Key), cached
        until the configuration, the User-Agent, the cookie or ``default_headers``
        change (``default_headers`` is a public dict: it is compared, not trusted)."""
        key = (self._settings_now().revision, self._user_agent, self.cookie)
        cached = self._header_cache
        if cached is not None and cached[0] == key and cached[1] == self.default_headers:
            return cached[2]
        fixed = self._merged_headers("GET", None, None)  # GET: no key added
        self._header_cache = (key, dict(self.default_headers), fixed)
        return fixed

    def _merged_headers(
        self,
        method: str,
        extra: Optional[Mapping[str, str]],
        idempotency_key: Optional[str],
    ) -> dict[str, str]:
        base = {
            "Content-Type": JSON_CONTENT_TYPE,
            "Accept": JSON_CONTENT_TYPE,
            "User-Agent": self.user_agent,
        }
        cookie = {"Cookie": self.cookie} if self.cookie else None
        if extra is not None and not isinstance(extra, Mapping):
            raise ApiTypeError(f"_headers: must be a dict of str, got {type(extra).__name__}")
        # default_headers is a public dict (set_default_header is not the only way in),
        # so merge_headers checks its values too: a bad one fails before sending.
        return merge_headers(base, (self.default_headers, cookie, extra), idempotency_key, method)

    # -- calls -----------------------------------------------------------------------
    def _prepare_call(
        self,
        operation: Operation,
        body: Any,
        options: Mapping[str, Any],
        with_http_info: bool,
        allowed: frozenset[str],
        params: Optional[Mapping[str, Any]] = None,
    ) -> PreparedCall:
        """Everything a call of ``operation`` needs before its first attempt, from an API
        method's ``body``, ``params`` (path, query and header parameters by name) and
        keyword ``options``; shared by both clients. Whatever can fail on the caller's
        input fails here, before anything is sent."""
        if operation.safe:  # a GET is retried as it is: no Idempotency-Key
            allowed = allowed - {"_idempotency_key", "idempotency_key"}
        if not options.keys() <= allowed:
            check_options(operation, options, allowed)
        if self._life.closed:
            raise self._closed_error()
        settings = self._settings_now()
        timeout = settings.timeout
        policy = settings.policy
        extra_headers = idempotency_key = None
        if options:
            options, spelled = _canonical(options)
            timeout, policy = _call_limits(options, timeout, policy, spelled)
            extra_headers = options.get("headers")
            idempotency_key = options.get("idempotency_key")
            if extra_headers is not None and not isinstance(extra_headers, Mapping):
                raise ApiTypeError(
                    f"{spelled.get('headers', 'headers')}: must be a dict of str, got "
                    f"{type(extra_headers).__name__}"
                )
        headers = self._headers(operation.method, extra_headers, idempotency_key)
        request = build_request(
            operation,
            body,
            params,
            host=settings.host,
            headers=headers,
            validate=settings.validate,
        )
        data_only = options.get("_return_http_data_only")
        return PreparedCall(
            request,
            operation.response_type,
            timeout,
            policy,
            settings.debug,
            with_http_info if data_only is None else not data_only,
            options.get("_preload_content", True),
        )

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"{self._kind}(host={self.configuration.host!r}, {state})"


def _canonical(options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``options`` under today's names (an old name such as ``_request_timeout`` becomes
    its new one), and the name each was given by, for messages. Both names of one
    option in one call is an error naming them."""
    out = dict(options)
    spelled: dict[str, str] = {}
    for old, new in OPTION_ALIASES.items():
        value = out.pop(old, None)  # None: the client's setting, as in generated clients
        if value is not None:
            if out.get(new) is not None:
                raise ApiTypeError(f"{old} and {new} are one option: pass {new} only")
            out[new] = value
            spelled[new] = old
    return out, spelled


def _call_limits(
    options: Mapping[str, Any], timeout: Timeout, policy: RetryPolicy, spelled: Mapping[str, str]
) -> tuple[Timeout, RetryPolicy]:
    """The call's Timeout and RetryPolicy: the client's, with the call's options."""
    if "deadline" in options:
        timeout = timeout.replace(total=check_seconds("deadline", options["deadline"]))
    if "timeout" in options:
        value = options["timeout"]
        if value is None:  # no per-attempt limit: the deadline still bounds the call
            timeout = Timeout(timeout.total, timeout.total, timeout.total)
        else:
            timeout = Timeout.of(value, spelled.get("timeout", "timeout"), timeout.total)
    if "retry_policy" in options:
        policy = options["retry_policy"]
        if not isinstance(policy, RetryPolicy):
            raise ApiTypeError(f"retry_policy: must be RetryPolicy, got {type(policy).__name__}")
    if "max_retries" in options:
        policy = policy.replace(max_retries=options["max_retries"])
    return timeout, policy


class PreparedCall(NamedTuple):
    """One call, ready for its retry loop: the request, the model expected back, the
    call's timeout and retry policy, and what the caller asked to get."""

    request: Request
    response_type: Optional[type[Model]]
    timeout: Timeout
    policy: RetryPolicy
    debug: int
    with_http_info: bool
    preload_content: bool

    def plan(self) -> CallPlan:
        """A new plan for this call's attempts; its deadline starts now."""
        return CallPlan(self.request, self.timeout, self.policy, self.debug)

    def result(self, response: RESTResponse) -> Any:
        """What the call returns for its final ``response`` (or the exception it raises)."""
        return result_of(
            response, self.request, self.response_type, self.with_http_info, self.preload_content
        )


def result_of(
    response: RESTResponse,
    request: Request,
    response_type: Optional[type[Model]],
    with_http_info: bool,
    preload_content: bool,
) -> Any:
    """What a call returns for its final ``response`` (or the exception it raises)."""
    if request.responses is not None and 200 <= response.status <= 299:
        model = answer_model(request.responses, response.status, response_type)
        response_type = None if model is NO_BODY else model  # a 204, say: nothing to read
    if response_type is None:
        return _untyped(response, request, with_http_info, preload_content)
    return read_response(
        response,
        request,
        response_type,
        with_http_info=with_http_info,
        preload_content=preload_content,
    )


class ApiClient(BaseClient["EventHooks"]):
    """Sends the API's requests. Share one between threads; close it when done
    (or use it as a context manager).

    :param configuration: the settings; default :meth:`Configuration.get_default`.
    :param header_name: a header to send with every request (with ``header_value``).
    :param header_value: its value.
    :param cookie: a ``Cookie`` header to send with every request.
    :param pool_threads: threads of the pool that serves ``async_req=True`` calls.
    :param transport: what sends each attempt; default a :class:`Urllib3Transport` of
        ``configuration`` (``persona.testing.MockTransport`` in unit tests).
    :param event_hooks: functions called on every attempt of every call:
        ``{"request": [f, ...], "response": [g, ...]}`` (see :mod:`persona.hooks`).

    Safe across ``fork()``: a child process makes its own connections and thread pool.
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
        *,
        transport: Optional[Transport] = None,
        event_hooks: Optional[EventHooks] = None,
    ) -> None:
        self._init_common(configuration, header_name, header_value, cookie, event_hooks)
        if transport is None:
            from .transports.urllib3_transport import Urllib3Transport

            transport = Urllib3Transport(self.configuration)
            self._owns_transport = True
        else:
            if not callable(getattr(transport, "send", None)):
                raise ApiTypeError(
                    f"transport: must have a send(request, timeout) method, got "
                    f"{type(transport).__name__}"
                )
            self._owns_transport = False
        self.transport: Transport = transport
        if isinstance(pool_threads, bool) or not isinstance(pool_threads, int) or pool_threads < 1:
            raise ApiValueError(f"pool_threads: must be a whole number >= 1, got {pool_threads!r}")
        self.pool_threads = pool_threads
        self._pool: Optional[ThreadPool] = None
        self._lock = threading.Lock()
        self._generation = _fork.generation()
        self._life.on_close = self._close_pool
        self._settings_now()  # a bad setting fails here, not at the first call

    def _derived(self) -> None:
        self._owns_transport = False  # the pool stays with the client that made it
        self._pool = None
        self._lock = threading.Lock()
        self._life.on_close = self._close_pool

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool and the ``async_req`` thread pool. Idempotent;
        final for this client and every ``with_options()`` copy made from it: calls made
        after it, or while it runs, raise :class:`ApiClosedError`, and nothing more is sent.

        Calls still running end at once with ApiClosedError: an attempt in progress on
        the client's connections is cut off, a wait before a retry or for a pool thread
        is ended. It returns without waiting for them.
        """
        self._life.close()  # this client's and its copies' pools too (_close_pool)
        if self._owns_transport:
            self.transport.close()

    def _close_pool(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()  # its threads end as their calls do: at once, cut off by close()

    @property
    def pool(self) -> ThreadPool:
        """The thread pool behind ``async_req=True``, created on first use."""
        if self._generation != _fork.generation():
            # Forked: the parent's pool threads do not exist here, and its lock may
            # have been held by one of them at fork time.
            self._generation = _fork.generation()
            self._lock = threading.Lock()
            self._pool = None
        with self._lock:
            if self._closed:
                raise self._closed_error()
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

    # -- calls -----------------------------------------------------------------------
    def call_operation(
        self,
        operation: Operation,
        body: Any = None,
        *,
        with_http_info: bool = False,
        params: Optional[Mapping[str, Any]] = None,
        **options: Any,
    ) -> Any:
        """Call ``operation`` with ``body``, its ``params`` (path, query and header
        parameters by keyword name) and an API method's keyword ``options``
        (``async_req``, ``_request_timeout``, ``_idempotency_key``, ``_headers``,
        ``_preload_content``, ``_return_http_data_only``).

        Returns the response model (or :class:`ApiResponse` when ``with_http_info``),
        the raw :class:`RESTResponse` with ``_preload_content=False``, or an
        ``ApplyResult`` for ``async_req=True``. Everything that can fail on the caller's
        input fails here, in the caller's thread, before anything is sent.
        """
        call = self._prepare_call(operation, body, options, with_http_info, CALL_OPTIONS, params)
        if options.get("async_req"):
            return self._in_pool(call)
        return self._send(call)

    def _in_pool(self, call: PreparedCall) -> Any:
        """``call`` sent by a thread of the ``async_req`` pool, in the caller's context
        (its ``contextvars``: a tracing span that is current there is the parent of the
        call's, a tenant a hook reads is the caller's)."""
        import contextvars  # here: only async_req calls need it, not every import

        return self.pool.apply_async(contextvars.copy_context().run, (self._send, call))

    def _send(self, call: PreparedCall) -> Any:
        response = send_with_retries(self.transport, call.plan(), self._life.event, self._hooks)
        return call.result(response)

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
        _request_timeout: Union[float, tuple[float, float], Timeout, None] = None,
        _idempotency_key: Optional[str] = None,
    ) -> Any:
        """Send a request to ``host + resource_path`` and handle its response (as
        generated clients offer; the API methods use :meth:`call_operation`).

        Non-2xx statuses raise the matching :class:`ApiException` subclass. With
        ``_preload_content=False`` the :class:`RESTResponse` is returned undecoded.
        """
        if self._closed:
            raise self._closed_error()
        settings = self._settings_now()
        headers = self._headers(method, header_params, _idempotency_key)
        payload: Optional[bytes] = None
        secrets: tuple[str, ...] = ()
        names: frozenset[str] = frozenset()
        if body is not None:
            payload, secrets = encode_body(body, settings.validate)
            names = body._masked_json_names
        request = Request(
            method,
            settings.host + resource_path,
            headers,
            payload,
            secrets,
            names,
            response_type._masked_json_names if response_type else frozenset(),
        )
        timeout = settings.timeout
        if _request_timeout is not None:
            timeout = Timeout.of(_request_timeout, "_request_timeout", timeout.total)
        call = PreparedCall(
            request,
            response_type,
            timeout,
            settings.policy,
            settings.debug,
            not _return_http_data_only,
            _preload_content,
        )
        if async_req:
            return self._in_pool(call)
        return self._send(call)

    # -- responses -------------------------------------------------------------------
    def deserialize(
        self,
        response: RESTResponse,
        response_type: type[M],
        secrets: tuple[str, ...] = (),
    ) -> M:
        """The ``response_type`` model in ``response``'s JSON body.

        Raises :class:`ApiResponseError` (with status and request id) when the body is
        not JSON or not that model; the model's secrets, and the request's ``secrets``
        (a server may echo the request), never reach the exception.
        """
        return decode_model(response, response_type, secrets)

    def sanitize_for_serialization(self, obj: Any) -> Any:
        """``obj`` as JSON-ready data: models become dicts with the API's names."""
        if isinstance(obj, Model):
            return obj.to_dict()
        if isinstance(obj, (list, tuple)):
            return [self.sanitize_for_serialization(item) for item in obj]
        if isinstance(obj, dict):
            return {key: self.sanitize_for_serialization(value) for key, value in obj.items()}
        return obj


_fork.in_child(_new_default_lock)


def _untyped(
    response: RESTResponse, request: Request, with_http_info: bool, preload_content: bool
) -> Any:
    """The result of a call_api without a response_type: no data, or the raw response."""
    from .core.response import error_for

    if not 200 <= response.status <= 299:
        raise error_for(response, request)
    if not preload_content:
        return response
    return ApiResponse(None, response.status, response.headers) if with_http_info else None
