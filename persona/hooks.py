"""Event hooks, in the httpx convention: functions a client calls on every attempt of
every call, to time it, count it, or add a header to it.

    def add_tenant(request: HookRequest) -> None:
        request.headers["X-Tenant"] = "acme"

    def timed(response: HookResponse) -> None:
        print(response.request.operation, response.status, response.elapsed)

    client = persona.ApiClient(event_hooks={"request": [add_tenant], "response": [timed]})

:class:`~persona.ApiClient` takes plain functions (:class:`EventHooks`),
:class:`~persona.AsyncApiClient` coroutine functions (:class:`AsyncEventHooks`). A
request hook gets a :class:`HookRequest` before each attempt is sent, and the headers it
leaves are the ones that attempt sends; a response hook gets a :class:`HookResponse` for
each answer (every status, retried ones included). What a hook raises ends the call
unchanged, and is not retried. See docs/Observability.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator, Mapping, MutableMapping, Sequence
from typing import Callable, Optional, TypedDict

from .core.request import Request, check_header
from .core.response import RESTResponse, masked_headers
from .exceptions import ApiTypeError, ApiValueError, request_id_of
from .redaction import MASK

__all__ = [
    "AsyncEventHooks",
    "AsyncRequestHook",
    "AsyncResponseHook",
    "EventHooks",
    "HookHeaders",
    "HookRequest",
    "HookResponse",
    "RequestHook",
    "ResponseHook",
]


class HookHeaders(MutableMapping[str, str]):
    """An attempt's headers as a request hook changes them: names are case-insensitive
    (setting ``user-agent`` replaces ``User-Agent``), and a name keeps the spelling it
    was last set with. A small dict of its own: urllib3's ``HTTPHeaderDict`` costs
    several times more to fill and read, on every attempt of a client with hooks."""

    __slots__ = ("_items", "_secrets")

    def __init__(self, headers: Mapping[str, str], secrets: tuple[str, ...] = ()) -> None:
        self._items = {name.lower(): (name, value) for name, value in headers.items()}
        self._secrets = secrets  # the request's, masked wherever a value holds one

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __setitem__(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def __delitem__(self, name: str) -> None:
        del self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def as_dict(self) -> dict[str, str]:
        """The headers as a plain dict, each under the spelling it was set with."""
        return dict(self._items.values())

    def shown(self) -> dict[str, str]:
        """The headers as logs show them: credentials and the request's secrets masked,
        the Idempotency-Key shortened."""
        masked = Request("", "", _printable(self.as_dict()), None, self._secrets)
        return masked.shown_headers()

    def __repr__(self) -> str:
        return f"HookHeaders({self.shown()!r})"


class _ResponseHeaders(Mapping[str, str]):
    """A response's headers (case-insensitive, read-only) whose repr masks credentials
    and the request's secrets, as an exception's do."""

    __slots__ = ("_request", "_response")

    def __init__(self, response: RESTResponse, request: Request) -> None:
        self._response = response
        self._request = request

    def __getitem__(self, name: str) -> str:
        return self._response.headers[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._response.headers)

    def __len__(self) -> int:
        return len(self._response.headers)

    def shown(self) -> dict[str, str]:
        """The headers as errors show them: credentials and echoed secrets masked."""
        return _printable(dict(masked_headers(self._response.headers, self._request).items()))

    def __repr__(self) -> str:
        return repr(self.shown())


class HookRequest:
    """One attempt of a request, as a request hook sees it, before it is sent.

    ``headers`` (a case-insensitive mutable mapping) are the ones this attempt sends:
    a hook may set or remove one (``request.headers["X-Tenant"] = "acme"``); every
    attempt starts again from the call's own headers. The rest is read-only: ``method``,
    ``url``, ``operation`` (the API method's operation name, ``""`` for ``call_api``),
    ``attempt`` (1 for the first) and ``body`` (the bytes sent, secrets included: what
    a hook does with them is up to it). Its ``repr`` masks credentials and secrets as
    persona's logs do.
    """

    __slots__ = ("_attempt", "_headers", "_request")

    def __init__(self, request: Request, attempt: int) -> None:
        self._request = request
        self._attempt = attempt
        self._headers = HookHeaders(request.headers, request.secrets)

    @property
    def method(self) -> str:
        """The HTTP method."""
        return self._request.method

    @property
    def url(self) -> str:
        """The whole URL, query string included."""
        return self._request.url

    @property
    def operation(self) -> str:
        """The operation's name (``account_forgot_pass_post``); ``""`` for ``call_api``."""
        return self._request.operation

    @property
    def attempt(self) -> int:
        """This attempt's number: 1 for the first, 2 for the first retry..."""
        return self._attempt

    @property
    def headers(self) -> MutableMapping[str, str]:
        """The headers this attempt sends (case-insensitive; set or delete to change)."""
        return self._headers

    @property
    def body(self) -> Optional[bytes]:
        """The body this attempt sends (JSON bytes), or None."""
        return self._request.body

    def check(self, hook: object) -> None:
        """Raise ApiTypeError / ApiValueError, naming ``hook``, if the headers it left
        cannot be sent, or if it changed the call's Idempotency-Key."""
        call = self._request.headers
        try:
            for name, value in self._headers.as_dict().items():
                if call.get(name) is not value:  # the call's own were checked already
                    check_header(name, value)
        except (ApiTypeError, ApiValueError) as exc:
            raise type(exc)(f"request hook {hook_name(hook)}: {exc.reason}") from None
        key = self._request.header("Idempotency-Key")
        if self._headers.get("Idempotency-Key") != key:
            raise ApiValueError(
                f"request hook {hook_name(hook)}: the Idempotency-Key belongs to the call "
                "(its retries send the same one); pass idempotency_key= to the call instead"
            )

    def sent(self) -> Request:
        """The request this attempt sends: the call's, with the headers the hooks left
        (the call's own object when they changed none)."""
        request = self._request
        headers = self._headers.as_dict()
        if headers == request.headers:
            return request
        return Request(
            request.method,
            request.url,
            headers,
            request.body,
            request.secrets,
            request.secret_names,
            request.response_secret_names,
            request.operation,
            request.responses,
        )

    def shown_headers(self) -> dict[str, str]:
        """The headers as logs show them: credentials and secrets masked."""
        return self._headers.shown()

    def __repr__(self) -> str:
        request = self._request
        body = "None"
        if request.body is not None:
            body = f"<{len(request.body)} bytes{', secrets ' + MASK if request.secrets else ''}>"
        return (
            f"HookRequest({self.method} {request.shown_url}, operation={self.operation!r}, "
            f"attempt={self._attempt}, headers={self.shown_headers()!r}, body={body})"
        )


class HookResponse:
    """One attempt's answer, as a response hook sees it (every status: a 503 that will
    be retried too): ``status``, ``reason``, ``headers`` (case-insensitive), ``request``
    (the :class:`HookRequest` of the attempt, with the headers it sent), ``attempt`` (1
    for the first) and ``elapsed`` (seconds, from sending the request to reading the
    whole body). The body is not offered: it may carry a token; the call returns it.
    Its ``repr`` masks credentials and secrets as persona's logs do.
    """

    __slots__ = ("_elapsed", "_request", "_response")

    def __init__(self, response: RESTResponse, request: HookRequest, elapsed: float) -> None:
        self._response = response
        self._request = request
        self._elapsed = elapsed

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self._response.status

    @property
    def reason(self) -> str:
        """The reason phrase (may be empty)."""
        return self._response.reason

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers (case-insensitive, read-only; their repr is masked)."""
        return _ResponseHeaders(self._response, self._request._request)

    @property
    def request(self) -> HookRequest:
        """The attempt's request, with the headers it sent."""
        return self._request

    @property
    def attempt(self) -> int:
        """This attempt's number: 1 for the first."""
        return self._request.attempt

    @property
    def elapsed(self) -> float:
        """The attempt's time in seconds, from sending to the end of the body."""
        return self._elapsed

    @property
    def request_id(self) -> Optional[str]:
        """The server's ``X-Request-Id`` for this response."""
        return request_id_of(self._response.headers)

    def __repr__(self) -> str:
        call = self._request._request  # its secrets, masked wherever a server echoes them
        headers = _ResponseHeaders(self._response, call).shown()
        return (
            f"HookResponse({self.status} for {call.method} {call.shown_url}, "
            f"attempt={self.attempt}, elapsed={self._elapsed:.3f}s, "
            f"request_id={self.request_id!r}, headers={headers!r})"
        )


def _printable(headers: Mapping[str, object]) -> dict[str, str]:
    """``headers`` as a plain dict of text, whatever a hook left in them (a value of the
    wrong type shown as its repr: never an error in a repr)."""
    return {
        name: value if isinstance(value, str) else repr(value) for name, value in headers.items()
    }


# What a hook returns is ignored: typed None, so that a type checker also catches an
# async def given to the sync client (whose coroutine nobody would await).

#: A request hook of :class:`~persona.ApiClient`: called with each attempt's request.
RequestHook = Callable[[HookRequest], None]
#: A response hook of :class:`~persona.ApiClient`: called with each attempt's response.
ResponseHook = Callable[[HookResponse], None]
#: A request hook of :class:`~persona.AsyncApiClient`: a coroutine function, awaited.
AsyncRequestHook = Callable[[HookRequest], Awaitable[None]]
#: A response hook of :class:`~persona.AsyncApiClient`: a coroutine function, awaited.
AsyncResponseHook = Callable[[HookResponse], Awaitable[None]]


class EventHooks(TypedDict, total=False):
    """``ApiClient(event_hooks=...)``: the functions called on each attempt, in order."""

    #: Called before each attempt is sent, with its :class:`HookRequest`.
    request: Sequence[RequestHook]
    #: Called with each attempt's :class:`HookResponse`.
    response: Sequence[ResponseHook]


class AsyncEventHooks(TypedDict, total=False):
    """``AsyncApiClient(event_hooks=...)``: coroutine functions awaited on each attempt."""

    #: Awaited before each attempt is sent, with its :class:`HookRequest`.
    request: Sequence[AsyncRequestHook]
    #: Awaited with each attempt's :class:`HookResponse`.
    response: Sequence[AsyncResponseHook]


def hook_name(hook: object) -> str:
    """A hook as messages name it: its qualified name, or its repr."""
    name = getattr(hook, "__qualname__", None)
    return name if isinstance(name, str) else repr(hook)


class Hooks:
    """A client's event hooks, checked once (when the client is made): what its retry
    loop calls. ``Hooks.of()`` gives None for no hooks, so that a call without hooks
    costs one ``is None`` per attempt."""

    __slots__ = ("asynchronous", "request", "response")

    def __init__(
        self,
        request: tuple[Callable[[HookRequest], object], ...],
        response: tuple[Callable[[HookResponse], object], ...],
        asynchronous: bool,
    ) -> None:
        self.request = request
        self.response = response
        self.asynchronous = asynchronous

    @classmethod
    def of(cls, event_hooks: object, asynchronous: bool) -> Optional[Hooks]:
        """The hooks of ``event_hooks`` (``{"request": [...], "response": [...]}``), or
        None when there are none; raises ApiTypeError / ApiValueError, naming the hook,
        for anything a client could not call as it must (a sync function given to the
        async client, or the other way round)."""
        if event_hooks is None:
            return None
        if not isinstance(event_hooks, Mapping):
            raise ApiTypeError(
                "event_hooks: must be a dict like {'request': [...], 'response': [...]}, "
                f"got {type(event_hooks).__name__}"
            )
        unknown = sorted(str(key) for key in event_hooks if key not in ("request", "response"))
        if unknown:
            raise ApiValueError(
                f"event_hooks: unknown event {unknown[0]!r} (the events are 'request' and "
                "'response')"
            )
        request = _checked(event_hooks.get("request"), "request", asynchronous)
        response = _checked(event_hooks.get("response"), "response", asynchronous)
        if not request and not response:
            return None
        return cls(request, response, asynchronous)

    def as_dict(self) -> dict[str, list[Callable[..., object]]]:
        """The hooks as ``event_hooks`` takes them (new lists: changing them changes
        nothing)."""
        return {"request": list(self.request), "response": list(self.response)}


def _checked(hooks: object, event: str, asynchronous: bool) -> tuple[Callable[..., object], ...]:
    if hooks is None:
        return ()
    if isinstance(hooks, (str, bytes)) or not isinstance(hooks, Sequence):
        raise ApiTypeError(
            f"event_hooks[{event!r}]: must be a list of functions, got {type(hooks).__name__}"
        )
    import inspect  # here, not at import: only a client given hooks needs it

    for index, hook in enumerate(hooks):
        where = f"event_hooks[{event!r}][{index}]"
        if not callable(hook):
            raise ApiTypeError(f"{where}: must be callable, got {type(hook).__name__}")
        is_async = inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(
            getattr(hook, "__call__", None)  # noqa: B004 - an object with an async __call__
        )
        if asynchronous and not is_async:
            raise ApiTypeError(
                f"{where} ({hook_name(hook)}): AsyncApiClient awaits its hooks: make it an "
                "async def (a plain function belongs to the sync ApiClient)"
            )
        if not asynchronous and is_async:
            raise ApiTypeError(
                f"{where} ({hook_name(hook)}): ApiClient calls its hooks, it cannot await "
                "them: make it a plain def (async hooks belong to AsyncApiClient)"
            )
    return tuple(hooks)


def refuse_awaitable(result: object, hook: object, event: str) -> None:
    """Raise ApiTypeError if a sync client's ``hook`` returned an awaitable (a
    coroutine nobody would await: the hook's work would silently not happen)."""
    if hasattr(result, "__await__"):
        close = getattr(result, "close", None)
        if callable(close):
            close()  # no "coroutine was never awaited" warning on top of the error
        raise ApiTypeError(
            f"{event} hook {hook_name(hook)} returned an awaitable: ApiClient cannot await "
            "it (async hooks belong to AsyncApiClient)"
        )
