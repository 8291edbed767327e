"""The default transport: urllib3, one thread-safe connection pool per client.

One attempt: send the request, read the status, headers and body (at most
``max_response_bytes``, and never past the attempt's deadline), and map every urllib3,
ssl and socket failure to persona's own exceptions through one table
(:data:`ERROR_MAP`, most specific first, the original chained as ``__cause__``).

The deadline bounds the whole attempt, not only each socket read: a watchdog
(:mod:`persona.transports.watchdog`) shuts down the attempt's socket when it passes,
whether the attempt is connecting, in a TLS handshake, or reading a dripped status
line, headers, interim ``1xx`` answers, body or chunk trailers. Interim answers
(``103 Early Hints``...) are skipped, as HTTP says; only the final answer is returned.

The pool follows its :class:`~persona.Configuration`: a change to a TLS, proxy or pool
setting makes a new pool for the next attempt. After ``fork()`` the child makes its own
pool and never touches the parent's sockets.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
from typing import TYPE_CHECKING, Any, Optional

import urllib3
import urllib3.connection
from urllib3.exceptions import (
    ClosedPoolError,
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util import Retry, Timeout

from .. import _fork
from ..configuration import stderr_level
from ..core.policy import AttemptTimeout
from ..core.request import Request
from ..core.response import RESTResponse
from ..exceptions import (
    ApiClosedError,
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
)
from ..log import emit
from .common import (
    ErrorTable,
    failed,
    find_error,
    hostname,
    is_loopback,
    not_resolved,
    origin,
    os_reason,
    proxy_from_environment,
    read_timed_out,
    refused,
    tls_failed,
    too_large,
)
from .watchdog import Watch, arm

if TYPE_CHECKING:
    from ..configuration import Configuration

__all__ = ["ERROR_MAP", "Urllib3Transport", "map_error"]

_CHUNK = 64 * 1024
#: Bound of the per-URL route and per-(connect, read) Timeout caches.
_MAX_ROUTES = 64
#: urllib3 must not retry or redirect: persona's loop retries, with the same key.
_NO_RETRY = Retry(False, redirect=False)
_warned_plain_http: set[str] = set()
_warned_lock = threading.Lock()


def _resolve_failed(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    cause = exc.__cause__
    why = cause.strerror if isinstance(cause, socket.gaierror) and cause.strerror else ""
    return not_resolved(url, why)


def _refused(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    return refused(url, os_reason(exc))


class _ConnectPhaseTimeout(ConnectTimeoutError):
    """The connect timeout passed during a proxy's CONNECT or the TLS handshake."""

    def __init__(self, connection: Any, proxy: Any) -> None:
        super().__init__(connection, "connecting timed out (proxy CONNECT or TLS handshake)")
        #: The tunnelling proxy's URL (urllib3's parsed Url), or None.
        self.proxy = proxy


def _connect_timed_out(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    proxy = getattr(exc, "proxy", None)
    through = f" through proxy {origin(str(proxy))}" if proxy is not None else ""
    return ApiTimeoutError(f"connect timeout ({timeout.connect:g}s) to {origin(url)}{through}")


#: Dependency errors -> persona's, most specific first (NameResolutionError and
#: NewConnectionError are ConnectTimeoutErrors to urllib3, but not timeouts).
ERROR_MAP: ErrorTable = (
    (SSLError, tls_failed),
    (NameResolutionError, _resolve_failed),
    (NewConnectionError, _refused),
    (ConnectTimeoutError, _connect_timed_out),
    (ReadTimeoutError, read_timed_out),
    (Urllib3TimeoutError, read_timed_out),
    (TimeoutError, read_timed_out),
    (HTTPError, failed),
    (OSError, failed),
)


def map_error(exc: BaseException, url: str, timeout: AttemptTimeout) -> Optional[ApiException]:
    """persona's exception for a dependency's ``exc``, or None if the table has none."""
    return find_error(ERROR_MAP, exc, url, timeout)


# -- the watched connection classes (urllib3's documented ConnectionCls and
#    pool_classes_by_scheme extension points) -----------------------------------------
_current = threading.local()


def _watch_connection(connection: Any) -> Optional[Watch]:
    """Tell the running attempt's watch (if any) which connection it uses."""
    watch: Optional[Watch] = getattr(_current, "watch", None)
    if watch is not None:
        watch.connection = connection
    return watch


class _FinalResponse(http.client.HTTPResponse):
    """http.client's response, reading past interim answers: http.client skips
    ``100 Continue`` itself but returns any other 1xx (``102``, ``103 Early Hints``) as
    if it were the answer. ``101 Switching Protocols`` is final (and refused later).

    It also releases the attempt's watch once it is closed: urllib3 returns the
    connection to the pool from inside the read that closes it (it asks ``isclosed()``
    first), before the transport regains control; a watch still holding the connection
    then could shut the socket of the next call that took it from the pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Made in the attempt's thread, inside urlopen, while its watch is current.
        self.persona_watch: Optional[Watch] = getattr(_current, "watch", None)

    def isclosed(self) -> bool:
        closed = super().isclosed()
        if closed and self.persona_watch is not None:
            self.persona_watch.release()
        return closed

    def begin(self) -> None:
        super().begin()
        while 100 <= self.status < 200 and self.status != 101:
            # begin() reads a new status line and headers only when none are held.
            self.headers = self.msg = None  # type: ignore[assignment]
            super().begin()
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1 or (lengths and "," in lengths[0]):
            distinct = {v.strip().lstrip("0") for value in lengths for v in value.split(",")}
            if len(distinct) > 1:
                # Refused here, where the response can still be closed: urllib3 refuses
                # it later, from a point that leaves this response's socket file open.
                self.close()
                raise http.client.HTTPException("conflicting Content-Length values")


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _FinalResponse

    def connect(self) -> None:
        watch = _watch_connection(self)
        super().connect()
        if watch is not None and watch.fired:
            watch.fire()  # it fired while there was no socket yet to shut down

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _watch_connection(self)  # a pooled connection: connect() is not called
        if watch is not None and watch.fired:
            watch.fire()  # close() or the deadline came first: nothing goes out
        super().request(*args, **kwargs)


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _FinalResponse

    def connect(self) -> None:
        watch = _watch_connection(self)
        try:
            super().connect()  # the TLS handshake too: its socket is .sock meanwhile
        except socket.timeout as exc:
            # A proxy's CONNECT answer or the TLS handshake outlasted the connect
            # timeout (the socket's timeout until connected): urllib3 raises the TCP
            # connect's own timeout as ConnectTimeoutError, but lets these through as
            # bare socket timeouts, which it then reports as *read* timeouts.
            raise _ConnectPhaseTimeout(self, self.proxy) from exc
        if watch is not None and watch.fired:
            watch.fire()

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _watch_connection(self)
        if watch is not None and watch.fired:
            watch.fire()
        super().request(*args, **kwargs)


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOL_CLASSES = {"http": _HTTPPool, "https": _HTTPSPool}


def _warn_plain_http(host: str, debug: int = 0) -> None:
    """Warn once per host that is plain http and not this machine (to stderr too when
    the Configuration's log level, ``debug``, says so)."""
    if host.startswith("https:") or is_loopback(hostname(host)):
        return
    with _warned_lock:
        if host in _warned_plain_http:
            return
        _warned_plain_http.add(host)
    emit(
        logging.WARNING,
        debug,
        "host %s is plain http: passwords, codes and tokens would cross the network "
        "unencrypted; use https",
        host,
    )


def pool_key(config: Configuration) -> tuple[Any, ...]:
    """Every setting a connection pool is built from (the host too: it picks the
    environment's proxy). A pool is rebuilt when this changes."""
    headers = tuple(sorted((config.proxy_headers or {}).items()))
    return (
        config.host,
        config.verify_ssl,
        config.ssl_ca_cert,
        config.cert_file,
        config.key_file,
        config.assert_hostname,
        config.tls_server_name,
        config.proxy,
        headers,
        config.trust_env,
        config.connection_pool_maxsize,
    )


def build_pool_manager(config: Configuration) -> urllib3.PoolManager:
    """A PoolManager (or ProxyManager) for ``config``'s TLS, proxy and pool settings."""
    import certifi  # here, not at import: `import persona` stays cheap

    kwargs: dict[str, Any] = {
        "num_pools": 4,
        "maxsize": config.connection_pool_maxsize,
        "block": False,
        "retries": _NO_RETRY,
        # TLS settings go in even for an http host: urllib3 leaves them out of
        # plain-http pools itself.
        "cert_reqs": "CERT_REQUIRED" if config.verify_ssl else "CERT_NONE",
        "ca_certs": config.ssl_ca_cert or certifi.where(),
        "cert_file": config.cert_file,
        "key_file": config.key_file,
    }
    if config.assert_hostname is not None:
        kwargs["assert_hostname"] = config.assert_hostname
    if config.tls_server_name:
        kwargs["server_hostname"] = config.tls_server_name
    _warn_plain_http(config.host, stderr_level(config))
    proxy = config.proxy or (proxy_from_environment(config.host) if config.trust_env else None)
    manager: urllib3.PoolManager
    if proxy:
        manager = urllib3.ProxyManager(proxy, proxy_headers=config.proxy_headers, **kwargs)
    else:
        manager = urllib3.PoolManager(**kwargs)
    manager.pool_classes_by_scheme = _POOL_CLASSES
    return manager


def _close_pools(manager: urllib3.PoolManager, routes: dict[str, tuple[Any, str]]) -> None:
    """Close ``manager``'s pools and the routed ones: PoolManager.clear() only forgets
    its pools in recent urllib3 (their sockets close when they are collected), and the
    routes still hold theirs."""
    pools = [pool for pool, _ in list(routes.values())]
    routes.clear()
    manager.clear()
    for pool in pools:
        pool.close()


class Urllib3Transport:
    """Sends attempts over urllib3 with ``configuration``'s TLS, proxy and pool settings.

    Thread-safe; shared by an :class:`~persona.ApiClient` and the clients its
    ``with_options()`` makes. Fork-safe: a child process makes its own pool.
    """

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self._lock = threading.Lock()
        self._closed = False
        #: The watches of the attempts running now, so that close() can end them.
        self._running: set[Watch] = set()
        self._routes: dict[str, tuple[Any, str]] = {}
        #: urllib3 Timeouts by (connect, read): built once, not on every attempt.
        self._timeouts: dict[tuple[float, float], Timeout] = {}
        self._state: tuple[int, int, tuple[Any, ...], urllib3.PoolManager] = self._build()

    def _build(self) -> tuple[int, int, tuple[Any, ...], urllib3.PoolManager]:
        config = self.configuration
        self._routes = {}  # the new manager's pools
        return (_fork.generation(), config.revision, pool_key(config), build_pool_manager(config))

    @property
    def pool_manager(self) -> urllib3.PoolManager:
        """The urllib3 PoolManager (or ProxyManager) the next attempt goes through."""
        state = self._state
        if state[0] != _fork.generation() or state[1] != self.configuration.revision:
            state = self._refresh(state)
        return state[3]

    def _opener(self, manager: urllib3.PoolManager, url: str) -> tuple[Any, str]:
        """Who opens ``url`` and with what target: the host's own connection pool and
        the path (found once per URL through PoolManager's public ``connection_from_url``,
        which saves parsing the URL and looking the pool up on every request), or, through
        a proxy, the ProxyManager and the whole URL."""
        if isinstance(manager, urllib3.ProxyManager):
            return manager, url
        routes = self._routes
        route = routes.get(url)
        if route is None:
            pool = manager.connection_from_url(url)
            route = (pool, urllib3.util.parse_url(url).request_uri)
            if len(routes) >= _MAX_ROUTES:
                routes.clear()
            routes[url] = route
        return route

    def _refresh(
        self, seen: tuple[int, int, tuple[Any, ...], urllib3.PoolManager]
    ) -> tuple[int, int, tuple[Any, ...], urllib3.PoolManager]:
        forked = seen[0] != _fork.generation()
        if forked:
            # The parent's lock may have been held by one of its threads at fork time;
            # the parent's running attempts are not this process's to end.
            self._lock = threading.Lock()
            self._running = set()
        with self._lock:
            state = self._state
            if state is not seen:
                return state  # another thread refreshed it
            config = self.configuration
            if not forked and pool_key(config) == state[2]:
                state = (state[0], config.revision, state[2], state[3])  # nothing to rebuild
            else:
                old_routes = self._routes
                state = self._build()
                if not forked:  # the parent's sockets are the parent's: never closed here
                    _close_pools(seen[3], old_routes)
            self._state = state
            return state

    def close(self) -> None:
        """Close every pooled connection and end the attempts still running (they raise
        ApiClosedError); later sends raise ApiClosedError. Idempotent."""
        self._closed = True
        if self._state[0] == _fork.generation():
            # Never in a forked child: its copies of the parent's sockets share the
            # parent's connections, and a shutdown would cut the parent's calls.
            for watch in list(self._running):
                watch.fire(closed=True)
        _close_pools(self._state[3], self._routes)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def send(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """One attempt of ``request``, ended by ``timeout.deadline`` whatever the server
        does (see the module's docstring)."""
        watch = arm(timeout.deadline)
        running = self._running
        # Registered before the closed check: close() sets the flag, then fires every
        # registered watch, so an attempt racing with close() either sees the flag or
        # has its watch fired (then cut off as soon as it has a socket).
        running.add(watch)
        try:
            if self._closed:
                watch.disarm()
                raise ApiClosedError("this ApiClient is closed; create a new one")
            return self._attempt(self.pool_manager, request, timeout, watch)
        finally:
            running.discard(watch)
            watch.disarm()

    def _attempt(
        self, manager: urllib3.PoolManager, request: Request, timeout: AttemptTimeout, watch: Watch
    ) -> RESTResponse:
        url = request.url
        try:
            _current.watch = watch
            try:
                opener, target = self._opener(manager, url)
                limits = self._timeouts.get((timeout.connect, timeout.read))
                if limits is None:
                    limits = Timeout(connect=timeout.connect, read=timeout.read)
                    if len(self._timeouts) < _MAX_ROUTES:
                        self._timeouts[(timeout.connect, timeout.read)] = limits
                arguments: dict[str, Any] = {
                    "body": request.body,
                    "headers": request.headers,
                    "timeout": limits,
                    "retries": _NO_RETRY,
                    "redirect": False,
                    "assert_same_host": False,
                    "preload_content": False,
                }
                try:
                    raw = opener.urlopen(request.method, target, **arguments)
                except ClosedPoolError:
                    # The PoolManager closed that pool (evicted, or cleared): raised
                    # before anything was sent, so go the long way, once.
                    self._routes.pop(url, None)
                    raw = manager.urlopen(request.method, url, **arguments)
            finally:
                _current.watch = None
            try:
                data = self._read_body(raw, request, timeout)
            except BaseException:
                watch.release()  # before its connection can go back to the pool
                raw.close()  # a half-read connection must not be reused
                raw.release_conn()
                raise
            if watch.disarm():
                # Cut short by the watchdog: the body (or its trailers) may be partial
                # though the read "ended". Its socket is shut down, so a pool that got it
                # back already sees it dropped and never reuses it.
                raw.close()
                raw.release_conn()
                raise _cut_short(watch, url)
            raw.release_conn()
            if self.closed:  # closed while this attempt ran: drop what it re-opened
                _close_pools(manager, self._routes)
        except ApiException as exc:
            if watch.disarm() and not isinstance(exc, ApiClosedError):
                raise _cut_short(watch, url) from None
            raise  # already ours (body too large, deadline while reading)
        except Exception as exc:
            if watch.disarm():
                # Whatever the shut-down socket made the read raise, the cause is the
                # deadline (or close()), and the caller is told that.
                raise _cut_short(watch, url) from exc
            mapped = map_error(exc, url, timeout)
            if mapped is None:
                # Not in the table: still the caller's ApiException (every failure of a
                # call is one), with the original chained for whoever debugs it.
                mapped = ApiConnectionError(
                    f"connection to {origin(url)} failed: {type(exc).__name__}"
                )
            raise mapped from exc
        return RESTResponse(raw.status, raw.reason or "", raw.headers, data)

    def _read_body(self, raw: Any, request: Request, timeout: AttemptTimeout) -> bytes:
        limit = self.configuration.max_response_bytes
        length = raw.headers.get("Content-Length")
        # Compared by its digits first: int() refuses more than 4300 of them (ValueError).
        digits = length.lstrip("0") if length and length.isascii() and length.isdigit() else ""
        if digits and (len(digits) > len(str(limit)) or int(digits) > limit):
            raise too_large(raw.status, raw.headers, request, limit, f"Content-Length {length}")
        # read1 returns after one network read, so a server that drips bytes slower
        # than the deadline but faster than the read timeout cannot hold the call; each
        # read waits at most what is left of the deadline.
        connection = raw.connection
        sock = getattr(connection, "sock", None)
        # With a Content-Length and no content coding, the body is complete once that
        # many bytes are in: no read is spent waiting for the end.
        sized = length is not None and "Content-Encoding" not in raw.headers
        chunks = []
        size = 0
        while True:
            if sock is not None:
                sock.settimeout(max(0.001, min(timeout.read, timeout.remaining())))
            chunk = raw.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise too_large(raw.status, raw.headers, request, limit, "more")
            chunks.append(chunk)
            if sized and raw.length_remaining == 0:
                break
            if timeout.remaining() <= 0:
                raise ApiTimeoutError("deadline exceeded reading the response")
        return b"".join(chunks)


def _cut_short(watch: Watch, url: str) -> ApiException:
    """The error of an attempt the watchdog (or close()) ended."""
    if watch.closed:
        return ApiClosedError("this ApiClient was closed while the call was running")
    return ApiTimeoutError(f"deadline exceeded waiting for {origin(url)}")
