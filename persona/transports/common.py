"""What both transports share: reading a URL for messages, the environment's proxy, and
the exceptions a failed attempt becomes (each transport's table maps its own library's
errors onto these, most specific first)."""

from __future__ import annotations

import os
import ssl
from typing import Any, Callable, Optional

import urllib3

from ..core.policy import AttemptTimeout
from ..core.request import Request
from ..core.response import masked_headers
from ..exceptions import (
    ApiConnectionError,
    ApiException,
    ApiResponseError,
    ApiTimeoutError,
    ApiTLSError,
)

__all__ = [
    "ErrorTable",
    "failed",
    "find_error",
    "hostname",
    "is_loopback",
    "not_resolved",
    "origin",
    "os_reason",
    "proxy_from_environment",
    "read_timed_out",
    "refused",
    "tls_failed",
    "too_large",
]

#: (dependency exception class, how to make persona's exception from it), most specific
#: first; each maker gets the exception, the request URL and the attempt's timeout.
ErrorTable = tuple[
    tuple[type[BaseException], Callable[[BaseException, str, AttemptTimeout], ApiException]], ...
]


def find_error(
    table: ErrorTable, exc: BaseException, url: str, timeout: AttemptTimeout
) -> Optional[ApiException]:
    """persona's exception for a dependency's ``exc`` by ``table``, or None if it has none."""
    for kind, make in table:
        if isinstance(exc, kind):
            return make(exc, url, timeout)
    return None


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``: what messages name (never a path or a query)."""
    parsed = urllib3.util.parse_url(url)
    return f"{parsed.scheme}://{parsed.netloc}"


def hostname(url: str) -> str:
    """The host of ``url``, without an IPv6 address's brackets."""
    return (urllib3.util.parse_url(url).host or "").strip("[]")


def _port(url: str) -> int:
    """The port of ``url``, its scheme's default when it names none."""
    parsed = urllib3.util.parse_url(url)
    return parsed.port or (443 if parsed.scheme == "https" else 80)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        import ipaddress  # once per client, not at import

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def os_reason(exc: BaseException) -> str:
    """The short OS-level reason behind a connection failure ("Connection refused")."""
    seen = exc
    for _ in range(5):
        nxt = seen.__cause__ or seen.__context__
        if nxt is None:
            break
        seen = nxt
        if isinstance(seen, OSError) and seen.strerror:
            # By its errno where there is one: asyncio words a refused connect as
            # "Connect call failed (...)", which does not say what happened.
            if isinstance(seen.errno, int) and seen.errno > 0:
                return os.strerror(seen.errno)
            return seen.strerror
    text = str(exc)
    return text.rsplit("] ", 1)[-1].rstrip(")") if "] " in text else type(exc).__name__


def proxy_from_environment(url: str) -> Optional[str]:
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


def refused(url: str, why: str) -> ApiConnectionError:
    """No connection to ``url``'s host; for a local host, say how to start one."""
    error = ApiConnectionError(f"cannot connect to {origin(url)}: {why}")
    if is_loopback(hostname(url)):
        error.hint = (
            "is the server running? For a local one: "
            f"python -m persona.testing serve --port {_port(url)}"
        )
    return error


def not_resolved(url: str, why: str) -> ApiConnectionError:
    """``url``'s host name does not resolve; ``why`` is the resolver's reason, or empty."""
    error = ApiConnectionError(
        f"cannot connect to {origin(url)}: Failed to resolve '{hostname(url)}'"
        + (f" ({why})" if why else "")
    )
    error.hint = "the host name does not resolve: check Configuration.host or PERSONA_HOST"
    return error


#: OpenSSL's reasons for a first answer that is not TLS at all (a plain-HTTP server's).
_NOT_TLS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "UNKNOWN_PROTOCOL"}
)


def tls_failed(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    """The TLS handshake failed (never retried)."""
    error = ApiTLSError(f"TLS failure talking to {origin(url)}: {exc}")
    if _ssl_reason(exc) in _NOT_TLS:
        netloc = urllib3.util.parse_url(url).netloc
        error.hint = (
            f"the server does not answer in TLS; if it serves plain HTTP, use http://{netloc} "
            "in the host, not https://"
        )
    return error


def _ssl_reason(exc: BaseException) -> Optional[str]:
    """The reason OpenSSL gave (``WRONG_VERSION_NUMBER``...) for ``exc`` or what it wraps."""
    seen: Optional[BaseException] = exc
    for _ in range(5):
        if seen is None:
            break
        reason = getattr(seen, "reason", None) if isinstance(seen, ssl.SSLError) else None
        if isinstance(reason, str):
            return reason
        # aiohttp's SSL errors are ssl.SSLErrors themselves, without a reason: the one
        # OpenSSL raised is their os_error (and their cause).
        seen = getattr(seen, "os_error", None) or seen.__cause__ or seen.__context__
    return None


def read_timed_out(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    """A read waited too long: the attempt's read timeout, or the call's deadline."""
    if timeout.remaining() <= 0:
        return ApiTimeoutError(f"deadline exceeded waiting for {origin(url)}")
    return ApiTimeoutError(f"read timeout ({timeout.read:g}s) from {origin(url)}")


def failed(exc: BaseException, url: str, timeout: AttemptTimeout) -> ApiException:
    """Any other failure of the connection (named by its class only: messages of the
    libraries may quote what was sent)."""
    return ApiConnectionError(f"connection to {origin(url)} failed: {type(exc).__name__}")


def too_large(
    status: int, headers: Any, request: Request, limit: int, got: str
) -> ApiResponseError:
    """A response refused for its size; its headers masked like any error's."""
    return ApiResponseError(
        status,
        f"response body over max_response_bytes ({limit} bytes; got {got}); refused",
        headers=masked_headers(headers, request),
    )
