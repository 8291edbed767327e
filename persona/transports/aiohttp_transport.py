"""The async transport: aiohttp, one connection pool (``ClientSession``) per client.

Needs the ``async`` extra (``pip install "persona-account-sdk[async]"``); importing this module
without aiohttp raises an ImportError that says so.

One attempt: send the request, read the status, headers and body (at most
``max_response_bytes``), all inside the attempt's deadline, and map every aiohttp,
asyncio, ssl and socket failure to persona's own exceptions through one table
(:data:`ERROR_MAP`, most specific first, the original chained as ``__cause__``).

The session is bound to the event loop it was made in (aiohttp's connections are);
use from another loop, or in a child process after ``fork()``, raises
:class:`~persona.ApiEventLoopError`. A change to a TLS, proxy or pool setting of the
:class:`~persona.Configuration` makes a new session for the next attempt.

An application may give its own session (``AsyncApiClient(session=...)``): attempts
then go through it -- its connector, trace configs and middlewares -- with persona's
deadline, timeouts, TLS context, proxy, size limit and error table passed on each
request; it is never closed by persona.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import ssl
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

try:
    import aiohttp
except ImportError as exc:  # pragma: no cover - tested in a subprocess without aiohttp
    raise ImportError(
        "persona's async client needs aiohttp: pip install 'persona-account-sdk[async]' "
        "(from a checkout of persona: pip install '.[async]')"
    ) from exc
from urllib3 import HTTPHeaderDict

from .. import _fork
from ..configuration import stderr_level
from ..core.policy import MAX_SECONDS, AttemptTimeout
from ..core.request import Request
from ..core.response import RESTResponse
from ..exceptions import (
    ApiClosedError,
    ApiConnectionError,
    ApiEventLoopError,
    ApiException,
    ApiTimeoutError,
    ApiTLSError,
    ApiTypeError,
    ApiValueError,
)
from .common import (
    ErrorTable,
    failed,
    find_error,
    not_resolved,
    origin,
    os_reason,
    read_timed_out,
    refused,
    tls_failed,
    too_large,
)
from .common import proxy_from_environment as _proxy_from_environment
from .urllib3_transport import _warn_plain_http, pool_key

if TYPE_CHECKING:
    from ..configuration import Configuration

__all__ = ["ERROR_MAP", "AiohttpTransport", "map_error"]

#: aiohttp rounds timeouts of 5 s or more up to a whole second; a deadline is exact.
#: (The settings that say so are newer than aiohttp 3.9: passed only where they exist.)
_NO_CEIL = MAX_SECONDS
_TIMEOUT_EXTRA: dict[str, Any] = (
    {"ceil_threshold": _NO_CEIL}
    if "ceil_threshold" in inspect.signature(aiohttp.ClientTimeout).parameters
    else {}
)
_CONNECTOR_EXTRA: dict[str, Any] = (
    {"timeout_ceil_threshold": _NO_CEIL}
    if "timeout_ceil_threshold" in inspect.signature(aiohttp.TCPConnector).parameters
    else {}
)
#: aiohttp sets no timer for a total of 0: past the deadline, an attempt still gets one.
_MIN_WAIT = 0.001
_DNSError: type[BaseException] = getattr(
    aiohttp, "ClientConnectorDNSError", aiohttp.ClientConnectorError
)
_ConnectTimeout: type[BaseException] = getattr(
    aiohttp, "ConnectionTimeoutError", aiohttp.ServerTimeoutError
)


def _connector_failed(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    os_error = getattr(exc, "os_error", None)
    why = os_error.strerror if isinstance(os_error, OSError) and os_error.strerror else None
    if isinstance(os_error, OSError) and isinstance(os_error.errno, int) and os_error.errno > 0:
        why = os.strerror(os_error.errno)  # asyncio's own words: "Connect call failed (...)"
    return refused(url, why or os_reason(exc))


def _dns_failed(exc: BaseException, url: str) -> ApiException:
    """As the sync client words it: the resolver's own reason in brackets."""
    os_error = getattr(exc, "os_error", None)
    why = os_error.strerror if isinstance(os_error, OSError) and os_error.strerror else ""
    return not_resolved(url, why)


def _deadline(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    return ApiTimeoutError(f"deadline exceeded waiting for {origin(url)}")


#: Dependency errors -> persona's, most specific first (aiohttp's certificate and SSL
#: errors are ClientConnectorErrors, its timeouts are asyncio.TimeoutErrors).
ERROR_MAP: ErrorTable = (
    (aiohttp.ClientConnectorCertificateError, tls_failed),
    (aiohttp.ClientSSLError, tls_failed),
    (ssl.SSLError, tls_failed),
    (
        aiohttp.ClientProxyConnectionError,
        lambda exc, url, t: ApiConnectionError(
            f"cannot connect to the proxy for {origin(url)}: {os_reason(exc)}"
        ),
    ),
    (_DNSError, lambda exc, url, t: _dns_failed(exc, url)),
    (aiohttp.ClientConnectorError, _connector_failed),
    (
        _ConnectTimeout,
        lambda exc, url, t: ApiTimeoutError(f"connect timeout ({t.connect:g}s) to {origin(url)}"),
    ),
    (aiohttp.ServerTimeoutError, read_timed_out),  # sock_read
    # A plain TimeoutError is the attempt's ``total``: the call's deadline.
    (asyncio.TimeoutError, _deadline),
    (TimeoutError, _deadline),
    (
        aiohttp.ClientHttpProxyError,
        lambda exc, url, t: ApiConnectionError(
            f"the proxy for {origin(url)} refused the tunnel: "
            f"{getattr(exc, 'status', '')} {getattr(exc, 'message', '')}".rstrip()
        ),
    ),
    (aiohttp.ClientError, failed),
    (OSError, failed),
)


def map_error(exc: BaseException, url: str, timeout: AttemptTimeout) -> Optional[ApiException]:
    """persona's exception for a dependency's ``exc``, or None if the table has none."""
    return find_error(ERROR_MAP, exc, url, timeout)


def build_ssl_context(config: Configuration) -> ssl.SSLContext:
    """The TLS context of ``config``: certifi's CAs (or ``ssl_ca_cert``), a client
    certificate when set, and no verification when ``verify_ssl`` is off."""
    import certifi

    context = ssl.create_default_context(cafile=config.ssl_ca_cert or certifi.where())
    if config.cert_file:
        context.load_cert_chain(config.cert_file, config.key_file)
    if not config.verify_ssl:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif config.assert_hostname is False:
        context.check_hostname = False  # the chain is still verified
    return context


class _Session:
    """One aiohttp session (persona's own, or the application's ``given`` one) and
    what every request through it needs."""

    __slots__ = ("key", "options", "owned", "proxy_headers", "revision", "session", "tunnel")

    def __init__(self, config: Configuration, given: Optional[aiohttp.ClientSession]) -> None:
        self.revision = config.revision
        self.key = pool_key(config)
        _warn_plain_http(config.host, stderr_level(config))
        # TLS settings matter only for an https host (as with urllib3): an http host
        # neither loads the CA bundle nor fails on a bad one.
        tls: Any = True
        if config.host.startswith("https:"):
            try:
                tls = build_ssl_context(config)
            except (OSError, ssl.SSLError) as exc:
                raise ApiTLSError(f"cannot load the TLS settings: {exc}") from exc
        options: dict[str, Any] = {"allow_redirects": False}
        self.owned = given is None
        if given is None:
            connector = aiohttp.TCPConnector(
                limit=config.connection_pool_maxsize, ssl=tls, **_CONNECTOR_EXTRA
            )
            # trust_env=False: aiohttp would otherwise read netrc and the proxy variables
            # in a thread on every request. The environment's proxy is resolved once here.
            # DummyCookieJar: a cookie a server sets is not sent back on later calls, as
            # the sync client (urllib3 keeps no cookies) does not; ApiClient(cookie=...)
            # is the one way to send one, in both clients.
            self.session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                timeout=aiohttp.ClientTimeout(total=None),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        else:
            # The application's session: its connector is not ours to configure, so the
            # TLS settings go with each request; and a session made with
            # raise_for_status=True must not turn a 503 into a connection error.
            self.session = given
            options["raise_for_status"] = False
            if tls is not True:
                options["ssl"] = tls
        proxy = config.proxy or (_proxy_from_environment(config.host) if config.trust_env else None)
        #: The proxy an https host is reached through with CONNECT, or None: its answer
        #: to CONNECT is part of connecting (sock_read does not bound it).
        self.tunnel: Optional[str] = proxy if proxy and config.host.startswith("https:") else None
        #: Headers for the proxy on each plain-http request: aiohttp sends
        #: ``proxy_headers`` only with an https tunnel's CONNECT.
        self.proxy_headers: Optional[dict[str, str]] = None
        if proxy:
            options["proxy"] = proxy
            if config.proxy_headers:
                if config.host.startswith("https:"):
                    options["proxy_headers"] = config.proxy_headers
                else:
                    self.proxy_headers = dict(config.proxy_headers)
        server_name = config.tls_server_name or (
            config.assert_hostname if isinstance(config.assert_hostname, str) else None
        )
        if server_name:
            options["server_hostname"] = server_name
        self.options = options


class AiohttpTransport:
    """Sends attempts over aiohttp with ``configuration``'s TLS, proxy and pool settings.

    Made by :class:`~persona.AsyncApiClient`; the session is created at the first
    attempt, in the event loop the client then belongs to. Shared with the clients its
    ``with_options()`` makes. ``connection_pool_maxsize`` bounds the open connections:
    calls beyond it wait for a free one (inside their deadline).

    With ``session``, the application's ``aiohttp.ClientSession`` (made with
    ``cookie_jar=aiohttp.DummyCookieJar()``), attempts go through it instead: its
    connector's limits apply, not ``connection_pool_maxsize``, and :meth:`close` leaves
    it open.
    """

    def __init__(
        self, configuration: Configuration, session: Optional[aiohttp.ClientSession] = None
    ) -> None:
        if session is not None:
            _check_session(session)
        self._given = session
        self.configuration = configuration
        self._closed = False
        self._current: Optional[_Session] = None
        self._retired: list[_Session] = []
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._generation = _fork.generation()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def owns_session(self) -> bool:
        """Whether the aiohttp session is persona's own (closed by :meth:`close`), not
        one the application gave."""
        return self._given is None

    @property
    def loop(self) -> Optional[asyncio.AbstractEventLoop]:
        """The event loop this transport belongs to (None before its first attempt)."""
        return self._loop

    def _check_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._generation != _fork.generation():
            raise ApiEventLoopError(
                "this AsyncApiClient was made before fork(); create a new one in the child"
            )
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ApiEventLoopError(
                "this AsyncApiClient belongs to another event loop; create one client "
                "per event loop (e.g. inside the coroutine that asyncio.run() runs; in a "
                "web application, in its lifespan, not at module level)"
            )
        return loop

    def _session(self) -> _Session:
        current = self._current
        config = self.configuration
        if current is None:
            current = self._current = _Session(config, self._given)
        elif current.revision != config.revision:
            if pool_key(config) == current.key:
                current.revision = config.revision  # nothing to rebuild
            else:
                # Calls in flight finish on the old session; it is closed with the client.
                self._retired.append(current)
                current = self._current = _Session(config, self._given)
        return current

    async def close(self) -> None:
        """Close every connection; later sends raise ApiClosedError. Idempotent. A
        session the application gave is left open (and its connections with it)."""
        loop = asyncio.get_running_loop()
        if self._loop is not None and loop is not self._loop and not self._loop.is_closed():
            raise ApiEventLoopError("close this AsyncApiClient in the event loop it belongs to")
        self._closed = True
        sessions = [s for s in (*self._retired, self._current) if s is not None]
        self._retired = []
        self._current = None
        for held in sessions:
            if held.owned:
                await held.session.close()  # its loop closed: only marked closed
        # The sockets close in a callback of the next loop iteration: let it run, so
        # that a loop stopped right after close() leaves none open.
        await asyncio.sleep(0)

    async def send(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """One attempt of ``request`` within ``timeout``."""
        if self._closed:
            raise ApiClosedError("this AsyncApiClient is closed; create a new one")
        if asyncio.get_running_loop() is not self._loop or self._generation != _fork.generation():
            self._check_loop()  # the first attempt, or the wrong loop or process: it says which
        held = self._current
        if held is None or held.revision != self.configuration.revision:
            held = self._session()
        try:
            # The whole attempt in this one coroutine: each coroutine layer costs its
            # creation and a hop on every resumption.
            headers = _identity_asked(request.headers)
            if held.proxy_headers:
                headers = {**headers, **held.proxy_headers}
            remaining = timeout.deadline - time.monotonic()
            read: Optional[float] = timeout.read
            if read is not None and read >= remaining:
                # Every wait for bytes would outlast the deadline, which ``total`` ends
                # first: aiohttp's per-read timer (re-armed on every chunk) would never fire.
                read = None
            response = await held.session.request(
                request.method,
                request.url,
                data=request.body,
                headers=headers,
                # ``total`` bounds the whole attempt -- connecting, sending, status line,
                # headers and body, until the connection is released -- by the call's
                # deadline. aiohttp's own timer does it: an asyncio.timeout() around the
                # attempt would cost a second timer (about 9 µs a call).
                timeout=aiohttp.ClientTimeout(
                    total=max(_MIN_WAIT, remaining),
                    sock_connect=timeout.connect,
                    sock_read=read,
                    # Through a CONNECT proxy, its answer too (this also bounds a wait for
                    # a free connection of the pool: on the direct path only total does).
                    connect=timeout.connect if held.tunnel else None,
                    **_TIMEOUT_EXTRA,
                ),
                **held.options,
            )
            try:
                length = response.content_length
                if (
                    length is not None
                    and length <= self.configuration.max_response_bytes
                    and "Content-Encoding" not in response.headers
                ):
                    data = await response.read()  # at most `length` bytes: aiohttp stops there
                else:
                    data = await self._read_body(response, request)
            except BaseException:
                # Cancelled, timed out or failed mid-body: the connection is closed, never
                # returned half-read to the pool.
                response.close()
                raise
            response.release()
            return _Response(response.status, response.reason or "", response.headers, data)
        except ApiException:
            raise  # already ours (body too large)
        except Exception as exc:  # CancelledError is a BaseException: it passes unchanged
            if not held.owned and held.session.closed:
                raise ApiClosedError(
                    "the aiohttp session this AsyncApiClient sends through was closed by "
                    "its owner; give the client an open one"
                ) from exc
            mapped = map_error(exc, request.url, timeout)
            if mapped is None:
                raise
            if held.tunnel and isinstance(exc, _ConnectTimeout):
                mapped = ApiTimeoutError(
                    f"connect timeout ({timeout.connect:g}s) to {origin(request.url)} "
                    f"through proxy {origin(held.tunnel)}"
                )
            raise mapped from exc

    async def _read_body(self, response: aiohttp.ClientResponse, request: Request) -> bytes:
        """A body that ``send`` cannot read inline: one whose Content-Length is over the
        limit, or that has no Content-Length or a content coding (counted as decoded)."""
        limit = self.configuration.max_response_bytes
        length = response.content_length
        if length is not None and length > limit:
            raise too_large(
                response.status, response.headers, request, limit, f"Content-Length {length}"
            )
        chunks = []
        size = 0
        while True:
            chunk = await response.content.readany()
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise too_large(
                    response.status, _header_dict(response.headers), request, limit, "more"
                )
            chunks.append(chunk)
        return b"".join(chunks)

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _check_session(session: object) -> None:
    """Refuse a session persona cannot keep its promises through."""
    if not isinstance(session, aiohttp.ClientSession):
        raise ApiTypeError(
            f"session: must be an aiohttp.ClientSession, got {type(session).__name__}"
        )
    if session.closed:
        raise ApiValueError("session: it is closed; give an open aiohttp.ClientSession")
    if not isinstance(session.cookie_jar, aiohttp.DummyCookieJar):
        # A real jar sends the application's cookies to the API, and keeps the cookies the
        # API sets to send them back on every later call (of every user): persona's
        # calls carry no cookie but the one given with AsyncApiClient(cookie=...).
        raise ApiValueError(
            "session: its cookie jar would send cookies to the API and keep the ones it "
            "sets; make the session with cookie_jar=aiohttp.DummyCookieJar()"
        )


def _identity_asked(headers: Mapping[str, str]) -> Mapping[str, str]:
    """``headers`` asking for no compression, as the sync client's (urllib3's
    ``Accept-Encoding: identity``), unless they choose an Accept-Encoding themselves.
    (A compressed body is still decoded, and counted against max_response_bytes as it
    is decoded.) Cheaper than aiohttp's ``skip_auto_headers``, which builds and merges
    two header multidicts on every request."""
    for name in headers:
        if name.lower() == "accept-encoding":
            return headers
    return {**headers, "Accept-Encoding": "identity"}


def _header_dict(headers: Mapping[str, str]) -> HTTPHeaderDict:
    """aiohttp's headers as the HTTPHeaderDict the sync transport gives (repeats kept)."""
    copy = HTTPHeaderDict()
    for name, value in headers.items():
        copy.add(name, value)
    return copy


_HEADERS_SLOT: Any = RESTResponse.__dict__["headers"]


class _Response(RESTResponse):
    """A RESTResponse whose ``headers`` are copied from aiohttp's on first use: a call
    that succeeds never reads them, and the copy is a measurable part of its cost."""

    __slots__ = ("_source",)

    def __init__(self, status: int, reason: str, source: Mapping[str, str], data: bytes) -> None:
        self.status = status
        self.reason = reason
        self.data = data
        self._source = source

    @property
    def headers(self) -> HTTPHeaderDict:
        try:
            return _HEADERS_SLOT.__get__(self, RESTResponse)  # type: ignore[no-any-return]
        except AttributeError:
            copy = _header_dict(self._source)
            _HEADERS_SLOT.__set__(self, copy)
            return copy

    @headers.setter
    def headers(self, value: HTTPHeaderDict) -> None:
        _HEADERS_SLOT.__set__(self, value)
