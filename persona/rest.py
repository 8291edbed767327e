"""The transport: one urllib3 pool per ApiClient, attempts, retries, deadlines, and the
mapping of every urllib3/ssl/socket failure to persona's own exceptions.

``ApiException`` is importable from here, as in generated clients
(``from persona.rest import ApiException``).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any, Optional

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util import Retry, Timeout

from .configuration import Configuration, normalize_timeout
from .exceptions import (
    ApiClosedError,
    ApiConnectionError,
    ApiException,
    ApiResponseError,
    ApiTimeoutError,
    ApiTLSError,
    request_id_of,
)
from .log import logger
from .redaction import redact_headers, redact_json, scrub, scrub_json
from .retries import RETRY_STATUSES, parse_retry_after

__all__ = ["ApiException", "RESTClientObject", "RESTResponse"]

_CHUNK = 64 * 1024
_LOG_BODY_LIMIT = 2000
#: urllib3 must not retry or redirect (persona does its own retries); one immutable
#: instance serves every request instead of urllib3 building one per request.
_NO_RETRY = Retry(False, redirect=False)
_MAX_ROUTES = 64
_warned_plain_http: set[str] = set()
_warned_lock = threading.Lock()


class RESTResponse:
    """A complete HTTP response: status, reason, headers and the body bytes (``data``)."""

    __slots__ = ("data", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: Any, data: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.data = data

    @property
    def request_id(self) -> Optional[str]:
        """The server's ``X-Request-Id`` for this response."""
        return request_id_of(self.headers)

    def getheaders(self) -> Any:
        """All response headers (a case-insensitive mapping)."""
        return self.headers

    def getheader(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """One response header, or ``default``."""
        value = self.headers.get(name, default)
        return value if isinstance(value, str) or value is None else default

    def read(self) -> bytes:
        """The body (already read in full)."""
        return self.data

    def __repr__(self) -> str:
        return f"RESTResponse(status={self.status}, request_id={self.request_id!r})"


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _proxy_from_environment(url: str) -> Optional[str]:
    """The proxy the standard environment variables choose for ``url``, if any."""
    if not any(k.lower() in ("https_proxy", "http_proxy", "all_proxy") for k in os.environ):
        return None  # the common case, without importing urllib.request
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if bypass(parts.hostname or "", proxies):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


class RESTClientObject:
    """Sends requests for an :class:`ApiClient` over one thread-safe urllib3 pool.

    One call is one or more attempts: connection failures, read timeouts, 429, 502,
    503 and 504 are retried (as ``Configuration.max_retries`` allows) with jittered
    exponential backoff or the server's ``Retry-After``, all inside the call's
    deadline. The caller supplies the headers, so every attempt carries the same
    ``Idempotency-Key``.
    """

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        config = configuration
        pool_kwargs: dict[str, Any] = {
            "num_pools": 4,
            "maxsize": config.connection_pool_maxsize,
            "block": False,
            "retries": False,
            "timeout": Timeout(connect=config.timeout[0], read=config.timeout[1]),
        }
        # TLS settings go in even for an http host: Configuration.host may be switched to
        # https later, and urllib3 leaves them out of plain-http pools itself.
        import certifi  # here, not at import: `import persona` stays cheap

        pool_kwargs.update(
            cert_reqs="CERT_REQUIRED" if config.verify_ssl else "CERT_NONE",
            ca_certs=config.ssl_ca_cert or certifi.where(),
            cert_file=config.cert_file,
            key_file=config.key_file,
        )
        if config.assert_hostname is not None:
            pool_kwargs["assert_hostname"] = config.assert_hostname
        if config.tls_server_name:
            pool_kwargs["server_hostname"] = config.tls_server_name
        if not config.host.startswith("https:"):
            self._warn_plain_http(config.host)
        proxy = config.proxy or (_proxy_from_environment(config.host) if config.trust_env else None)
        self.pool_manager: urllib3.PoolManager
        if proxy:
            self.pool_manager = urllib3.ProxyManager(
                proxy, proxy_headers=config.proxy_headers, **pool_kwargs
            )
        else:
            self.pool_manager = urllib3.PoolManager(**pool_kwargs)
        # url -> (connection pool, request target): without a proxy, a request goes
        # straight to its host's pool, skipping PoolManager's per-request URL parsing
        # and pool lookup. (A proxy needs PoolManager's own routing.)
        self._routes: Optional[dict[str, tuple[Any, str]]] = None if proxy else {}
        self._closed = False
        self._timeouts = (
            config.timeout,
            Timeout(connect=config.timeout[0], read=config.timeout[1]),
        )

    @staticmethod
    def _warn_plain_http(host: str) -> None:
        hostname = urllib3.util.parse_url(host).host or ""
        if _is_loopback(hostname.strip("[]")):
            return
        with _warned_lock:
            if host in _warned_plain_http:
                return
            _warned_plain_http.add(host)
        logger.warning(
            "persona: host %s is plain http: passwords, codes and tokens would cross the "
            "network unencrypted; use https",
            host,
        )

    def close(self) -> None:
        """Close every pooled connection; later attempts raise :class:`ApiClosedError`."""
        self._closed = True
        if self._routes:
            self._routes = {}
        self.pool_manager.clear()

    # -- one call: attempts and retries -------------------------------------------
    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Optional[bytes] = None,
        *,
        timeout: Any = None,
        secrets: tuple[str, ...] = (),
        secret_names: frozenset[str] = frozenset(),
    ) -> RESTResponse:
        """Send one call, retrying as the configuration allows; return the final response.

        ``timeout`` (per attempt) is a number or ``(connect, read)`` pair overriding
        ``Configuration.timeout``. ``secrets`` are values that must never be logged.
        Raises :class:`ApiConnectionError` (or a subclass) when no response came.
        """
        config = self.configuration
        connect, read = (
            config.timeout if timeout is None else normalize_timeout(timeout, "_request_timeout")
        )
        deadline_at = time.monotonic() + config.deadline
        debug = logger.isEnabledFor(logging.DEBUG)
        if debug:
            self._log_request(method, url, headers, body, secrets, secret_names)
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            remaining = deadline_at - started
            if self._closed:  # e.g. between retries of a call that raced close()
                raise ApiClosedError("this ApiClient is closed; create a new one")
            if remaining <= 0:
                raise ApiTimeoutError(f"deadline of {config.deadline:g}s exceeded")
            try:
                response = self._attempt(
                    method,
                    url,
                    headers,
                    body,
                    min(connect, remaining),
                    min(read, remaining),
                    deadline_at,
                )
            except ApiTLSError:
                raise  # a certificate will not become trusted by asking again
            except ApiConnectionError as exc:
                delay = self._retry_delay(attempt, None, deadline_at)
                if delay is None:
                    raise
                self._log_retry(method, url, attempt, str(exc), delay)
                time.sleep(delay)
                continue
            if debug:
                elapsed_ms = (time.monotonic() - started) * 1000
                self._log_response(method, url, response, attempt, elapsed_ms, secrets)
            if response.status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = self._retry_delay(attempt, retry_after, deadline_at)
                if delay is not None:
                    rid = response.request_id
                    why = f"{response.status} (request id {rid})" if rid else str(response.status)
                    self._log_retry(method, url, attempt, why, delay)
                    time.sleep(delay)
                    continue
            return response

    def _retry_delay(
        self, attempt: int, retry_after: Optional[float], deadline_at: float
    ) -> Optional[float]:
        """Seconds to wait before retrying after failed ``attempt``; None: do not retry
        (retries used up, ``Retry-After`` over ``max_retry_after``, or past the deadline)."""
        config = self.configuration
        if attempt > config.max_retries:
            return None
        delay = config.retry_policy.delay(attempt, retry_after)
        if delay is None or time.monotonic() + delay >= deadline_at:
            return None
        return delay

    # -- one attempt ---------------------------------------------------------------
    def _attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Optional[bytes],
        connect: float,
        read: float,
        deadline_at: float,
    ) -> RESTResponse:
        pair, timeout = self._timeouts
        if pair != (connect, read):  # a call's own timeout, or the deadline is near
            timeout = Timeout(connect=connect, read=read)
        try:
            route = self._route(url) if self._routes is not None else None
            # The host's own pool when routed; else PoolManager (a proxy, a URL it must
            # report), whose urlopen takes the same arguments.
            pool, target = route if route is not None else (self.pool_manager, url)
            raw = pool.urlopen(
                method,
                target,
                body=body,
                headers=headers,
                timeout=timeout,
                retries=_NO_RETRY,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                data = self._read_body(raw, deadline_at, read)
            except BaseException:
                raw.close()  # a half-read connection must not go back to the pool
                raw.release_conn()
                raise
            raw.release_conn()
            if self._closed:  # closed while this call ran: drop what it may have re-opened
                self.pool_manager.clear()
        except ApiException:
            raise  # already ours (body too large, deadline while reading)
        except SSLError as exc:
            raise ApiTLSError(f"TLS failure talking to {self._origin(url)}: {exc}") from exc
        except NewConnectionError as exc:  # a subclass of ConnectTimeoutError, but refused
            raise ApiConnectionError(
                f"cannot connect to {self._origin(url)}: {_os_reason(exc)}"
            ) from exc
        except ConnectTimeoutError as exc:
            raise ApiTimeoutError(f"connect timeout ({connect:g}s) to {self._origin(url)}") from exc
        except (ReadTimeoutError, Urllib3TimeoutError, TimeoutError) as exc:
            if time.monotonic() >= deadline_at:
                raise ApiTimeoutError(
                    f"deadline of {self.configuration.deadline:g}s exceeded waiting for "
                    f"{self._origin(url)}"
                ) from exc
            raise ApiTimeoutError(f"read timeout ({read:g}s) from {self._origin(url)}") from exc
        except (HTTPError, OSError) as exc:
            raise ApiConnectionError(
                f"connection to {self._origin(url)} failed: {type(exc).__name__}"
            ) from exc
        return RESTResponse(raw.status, raw.reason or "", raw.headers, data)

    def _route(self, url: str) -> Optional[tuple[Any, str]]:
        """The connection pool of ``url``'s host and the request target, cached."""
        routes = self._routes
        assert routes is not None
        route = routes.get(url)
        if route is None or route[0].pool is None:  # new, or its pool was closed
            parsed = urllib3.util.parse_url(url)
            if not parsed.host:
                return None  # let PoolManager report the bad URL
            pool = self.pool_manager.connection_from_host(
                parsed.host, port=parsed.port, scheme=parsed.scheme or "http"
            )
            route = (pool, parsed.request_uri)
            if len(routes) >= _MAX_ROUTES:
                routes.clear()
            routes[url] = route
        return route

    def _read_body(self, raw: Any, deadline_at: float, read: float) -> bytes:
        limit = self.configuration.max_response_bytes
        length = raw.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limit:
            raise self._too_large(raw, f"Content-Length {length}")
        # read1 returns after one network read, so a server that drips bytes slower
        # than the deadline but faster than the read timeout cannot hold the call; each
        # read waits at most what is left of the deadline.
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        # With a Content-Length and no content coding, the body is complete once that
        # many bytes are in: no read is spent waiting for the end.
        sized = length is not None and "Content-Encoding" not in raw.headers
        chunks = []
        size = 0
        while True:
            if sock is not None:
                sock.settimeout(max(0.001, min(read, deadline_at - time.monotonic())))
            chunk = raw.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise self._too_large(raw, "more")
            chunks.append(chunk)
            if sized and raw.length_remaining == 0:
                break
            if time.monotonic() > deadline_at:
                raise ApiTimeoutError(
                    f"deadline of {self.configuration.deadline:g}s exceeded reading the response"
                )
        return b"".join(chunks)

    def _too_large(self, raw: Any, got: str) -> ApiResponseError:
        return ApiResponseError(
            raw.status,
            f"response body over max_response_bytes ({self.configuration.max_response_bytes} "
            f"bytes; got {got}); refused",
            headers=raw.headers,
        )

    @staticmethod
    def _origin(url: str) -> str:
        parsed = urllib3.util.parse_url(url)
        return f"{parsed.scheme}://{parsed.netloc}"

    # -- logging (never a secret) --------------------------------------------------
    @staticmethod
    def _log_request(
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Optional[bytes],
        secrets: tuple[str, ...],
        secret_names: frozenset[str],
    ) -> None:
        shown = _body_for_log(body, secrets, secret_names)
        logger.debug(
            "request %s %s headers=%s body=%s", method, url, redact_headers(headers), shown
        )

    @staticmethod
    def _log_response(
        method: str,
        url: str,
        response: RESTResponse,
        attempt: int,
        elapsed_ms: float,
        secrets: tuple[str, ...],
    ) -> None:
        logger.debug(
            "response %s %s -> %d in %.1f ms (attempt %d, request id %s) body=%s",
            method,
            url,
            response.status,
            elapsed_ms,
            attempt,
            response.request_id,
            _body_for_log(response.data, secrets, frozenset()),
        )

    def _log_retry(self, method: str, url: str, attempt: int, why: str, delay: float) -> None:
        logger.info(
            "retrying %s %s in %.2fs (retry %d of %d) after %s",
            method,
            url,
            delay,
            attempt,
            self.configuration.max_retries,
            why,
        )


def _os_reason(exc: BaseException) -> str:
    """The short OS-level reason inside a urllib3 error ("Connection refused")."""
    text = str(exc)
    return text.rsplit("] ", 1)[-1] if "] " in text else type(exc).__name__


def _body_for_log(body: Optional[bytes], secrets: tuple[str, ...], names: frozenset[str]) -> str:
    """A body as it may be logged: secret-named properties masked, secret values scrubbed."""
    if not body:
        return "-"
    text = body.decode("utf-8", "replace")  # whole: a cut JSON could not be masked by name
    try:
        shown = scrub_json(redact_json(json.loads(text), names), secrets)
        text = json.dumps(shown, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to walk
        text = scrub(text, secrets)
    if len(text) > _LOG_BODY_LIMIT:
        text = text[:_LOG_BODY_LIMIT] + "...(truncated)"
    return text
