"""Configuration: every setting of the SDK, its default and its environment variable.

Defaults live here and nowhere else. A value passed to ``Configuration(...)`` wins
over the environment, which wins over the default. The environment is read when the
Configuration is created.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, ClassVar, Optional, Union
from urllib.parse import urlsplit

from ._constants import (
    DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_MAX,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE,
    DEFAULT_HOST,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
    DEFAULT_POOL_MAXSIZE,
    DEFAULT_READ_TIMEOUT,
)
from ._version import __version__
from .exceptions import ApiValueError
from .log import disable_stderr_logging, enable_debug_logging, logger
from .redaction import redact_url
from .retries import RetryPolicy

__all__ = ["Configuration", "TimeoutSetting"]

#: A timeout in seconds for each attempt, or a ``(connect, read)`` pair.
TimeoutSetting = Union[float, tuple[float, float]]


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else None


def _env_float(name: str) -> Optional[float]:
    value = _env(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise ApiValueError(
            f"environment variable {name}: must be a number, got {value!r}"
        ) from None


class Configuration:
    """Settings for an :class:`ApiClient`.

    :param host: base URL of the API, ``scheme://host[:port]/v1``.
        Default ``http://localhost:8080/v1``; env ``PERSONA_HOST``.
    :param timeout: per-attempt timeout in seconds, a number (connect and read) or a
        ``(connect, read)`` pair. Default ``(10, 30)``; env ``PERSONA_TIMEOUT`` (a number).
    :param deadline: the most seconds one call may take, all retries and waits
        included. Default 120; env ``PERSONA_DEADLINE``.
    :param max_retries: retries after the first attempt (0 turns retries off).
        Default 2; env ``PERSONA_MAX_RETRIES``.
    :param backoff_base: first backoff window in seconds, doubled each retry. Default 0.5.
    :param backoff_max: largest backoff window in seconds. Default 8.
    :param max_retry_after: the longest ``Retry-After`` (seconds) waited for; a longer one
        raises at once (e.g. ``TooManyRequestsException`` with ``retry_after``), so that a
        caller is not blocked for a minute by a rate limit. Default 10.
    :param verify_ssl: verify the server's TLS certificate. Default True.
    :param ssl_ca_cert: CA bundle file to trust instead of certifi's.
        Env ``PERSONA_CA_BUNDLE``.
    :param cert_file: client certificate (PEM) for mutual TLS.
    :param key_file: private key of ``cert_file``.
    :param assert_hostname: host name to check the certificate against, or False to
        skip the check (not recommended). Default: the host of ``host``.
    :param tls_server_name: SNI name to send, when it differs from the host.
    :param proxy: proxy URL, e.g. ``http://proxy:3128``.
    :param proxy_headers: extra headers for the proxy (e.g. Proxy-Authorization).
    :param trust_env: when no ``proxy`` is set, take it from ``HTTPS_PROXY`` /
        ``HTTP_PROXY`` / ``ALL_PROXY``, honouring ``NO_PROXY``. Default True.
    :param connection_pool_maxsize: connections kept per host. Default 16.
    :param max_response_bytes: the largest response body accepted. Default 1 MiB.
    :param user_agent: the User-Agent header. Default ``persona-python/<version>``.
    :param debug: log requests at DEBUG on the ``persona`` logger, to stderr.
        Env ``PERSONA_LOG=debug``.
    :param client_side_validation: check request models against the contract before
        sending. Default True.
    """

    _default: ClassVar[Optional[Configuration]] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        host: Optional[str] = None,
        *,
        timeout: Optional[TimeoutSetting] = None,
        deadline: Optional[float] = None,
        max_retries: Optional[int] = None,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        verify_ssl: bool = True,
        ssl_ca_cert: Optional[str] = None,
        cert_file: Optional[str] = None,
        key_file: Optional[str] = None,
        assert_hostname: Union[str, bool, None] = None,
        tls_server_name: Optional[str] = None,
        proxy: Optional[str] = None,
        proxy_headers: Optional[dict[str, str]] = None,
        trust_env: bool = True,
        connection_pool_maxsize: int = DEFAULT_POOL_MAXSIZE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        user_agent: Optional[str] = None,
        debug: Optional[bool] = None,
        client_side_validation: bool = True,
    ) -> None:
        self.host = host if host is not None else (_env("PERSONA_HOST") or DEFAULT_HOST)
        if timeout is None:
            env_timeout = _env_float("PERSONA_TIMEOUT")
            timeout = (
                (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
                if env_timeout is None
                else env_timeout
            )
        self.timeout = timeout
        if deadline is None:
            env_deadline = _env_float("PERSONA_DEADLINE")
            deadline = DEFAULT_DEADLINE if env_deadline is None else env_deadline
        self.deadline = _positive("deadline", deadline)
        if max_retries is None:
            env_retries = _env("PERSONA_MAX_RETRIES")
            if env_retries is None:
                max_retries = DEFAULT_MAX_RETRIES
            elif env_retries.isascii() and env_retries.isdigit():
                max_retries = int(env_retries)
            else:
                raise ApiValueError(
                    "environment variable PERSONA_MAX_RETRIES: must be a whole number >= 0, "
                    f"got {env_retries!r}"
                )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ApiValueError(f"max_retries: must be a whole number >= 0, got {max_retries!r}")
        self.max_retries = max_retries
        self.backoff_base = _positive("backoff_base", backoff_base, allow_zero=True)
        self.backoff_max = _positive("backoff_max", backoff_max, allow_zero=True)
        self.max_retry_after = _positive("max_retry_after", max_retry_after, allow_zero=True)
        self.verify_ssl = verify_ssl
        self.ssl_ca_cert = ssl_ca_cert if ssl_ca_cert is not None else _env("PERSONA_CA_BUNDLE")
        self.cert_file = cert_file
        self.key_file = key_file
        self.assert_hostname = assert_hostname
        self.tls_server_name = tls_server_name
        self.proxy = proxy
        self.proxy_headers = proxy_headers
        self.trust_env = trust_env
        if connection_pool_maxsize < 1:
            raise ApiValueError("connection_pool_maxsize: must be at least 1")
        self.connection_pool_maxsize = connection_pool_maxsize
        if max_response_bytes < 1:
            raise ApiValueError("max_response_bytes: must be at least 1")
        self.max_response_bytes = max_response_bytes
        self.user_agent = user_agent or f"persona-python/{__version__}"
        self.client_side_validation = client_side_validation
        self.logger = logger
        env_log = (_env("PERSONA_LOG") or "").lower()
        self._debug = False
        if debug is None:
            # Left unset, the logger stays as the application (or PERSONA_LOG) set it.
            if env_log == "debug":
                self.debug = True
        else:
            self.debug = debug

    # -- host ------------------------------------------------------------------
    @property
    def host(self) -> str:
        """Base URL of the API, without a trailing slash."""
        return self._host

    @host.setter
    def host(self, value: str) -> None:
        # Checked first, and the value never echoed: it would carry the password.
        if _has_userinfo(value):
            raise ApiValueError("host: must not contain a user name or password")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ApiValueError(
                f"host: must be an http:// or https:// URL with a host name, got {value!r}"
            )
        self._host = value.rstrip("/")

    # -- timeouts ----------------------------------------------------------------
    @property
    def timeout(self) -> tuple[float, float]:
        """The per-attempt ``(connect, read)`` timeout in seconds."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: TimeoutSetting) -> None:
        self._timeout = normalize_timeout(value, "timeout")

    # -- retries -----------------------------------------------------------------
    @property
    def retry_policy(self) -> RetryPolicy:
        """The :class:`RetryPolicy` these settings describe."""
        return RetryPolicy(
            self.max_retries, self.backoff_base, self.backoff_max, self.max_retry_after
        )

    # -- logging -----------------------------------------------------------------
    @property
    def debug(self) -> bool:
        """When True, requests are logged at DEBUG on the ``persona`` logger (to stderr).

        Only persona's own logger changes: ``http.client`` and ``urllib3`` are left alone.
        """
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = bool(value)
        if self._debug:
            enable_debug_logging()
        else:
            disable_stderr_logging()

    # -- defaults ----------------------------------------------------------------
    @classmethod
    def get_default(cls) -> Configuration:
        """The Configuration used where none is given (created on first use)."""
        with cls._default_lock:
            if cls._default is None:
                cls._default = cls()
            return cls._default

    @classmethod
    def set_default(cls, default: Optional[Configuration]) -> None:
        """Make ``default`` the Configuration used where none is given (None resets it)."""
        with cls._default_lock:
            cls._default = default

    @classmethod
    def get_default_copy(cls) -> Configuration:
        """A copy of the default Configuration (as generated clients offer)."""
        import copy  # rarely used: not paid for by every import

        return copy.copy(cls.get_default())

    def __repr__(self) -> str:
        fields = ("host", "timeout", "deadline", "max_retries", "verify_ssl")
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields)
        proxy = redact_url(self.proxy) if self.proxy else None  # proxy URLs carry passwords
        return f"Configuration({inner}, proxy={proxy!r})"

    def to_debug_report(self) -> str:
        """A few lines describing the environment, for bug reports."""
        import platform
        import sys

        import urllib3

        return (
            f"Python SDK Debug Report:\nOS: {sys.platform}\n"
            f"Python Version: {platform.python_version()}\n"
            f"urllib3 Version: {urllib3.__version__}\n"  # type: ignore[attr-defined]
            f"Version of the API: 1.0\nSDK Package Version: {__version__}"
        )


def _has_userinfo(url: str) -> bool:
    """Whether ``url``'s authority carries ``user[:password]@`` (with or without a scheme).

    The API needs no credentials, and URLs end up in logs and error messages.
    """
    authority = re.split(r"[/?#]", url.split("://", 1)[-1], maxsplit=1)[0]
    return "@" in authority


def normalize_timeout(value: Any, name: str) -> tuple[float, float]:
    """A ``(connect, read)`` pair from a number or a pair, checked to be positive."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = _positive(name, value)
        return (seconds, seconds)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (_positive(name + "[0]", value[0]), _positive(name + "[1]", value[1]))
    raise ApiValueError(
        f"{name}: must be a number of seconds or a (connect, read) pair, got {value!r}"
    )


def _positive(name: str, value: Any, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApiValueError(f"{name}: must be a number of seconds, got {value!r}")
    seconds = float(value)
    if not (seconds >= 0 if allow_zero else seconds > 0) or seconds == float("inf"):
        rule = ">= 0" if allow_zero else "> 0"
        raise ApiValueError(f"{name}: must be finite and {rule}, got {value!r}")
    return seconds
