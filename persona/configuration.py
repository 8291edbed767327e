"""Configuration: every setting of the SDK, each declared once, with its default, its
``PERSONA_*`` variable, its check and its line of docs/Configuration.md.

A value passed to ``Configuration(...)`` wins over the environment, which wins over the
default (``None`` means "not given"). The environment is read when the Configuration is
created. Every setting is checked when it is set (the error names it), and a misspelt
name raises ``AttributeError`` naming the close match.

A client made with a Configuration uses it from then on: change a setting for one client
with ``client.with_options(...)`` or make new settings with ``config.replace(...)``.
Changing a Configuration a client uses, in place, is deprecated (it warns; persona 2.0
will refuse it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any, ClassVar, Optional, Union

from . import _fork
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
from .core.policy import RetryPolicy, Timeout
from .log import logger
from .redaction import redact_url
from .setting_checks import (
    LOG_LEVELS,
    MAX_POOL_SIZE,
    check_assert_hostname,
    check_bool,
    check_file,
    check_host,
    check_host_name,
    check_log_level,
    check_pool_size,
    check_positive_seconds,
    check_proxy,
    check_proxy_headers,
    check_retries,
    check_seconds_or_zero,
    check_size,
    check_timeout,
    check_user_agent,
    env_checked,
    env_debug,
    env_log_level,
    env_retries,
    env_seconds,
    normalize_timeout,
    parts_hostname,
)
from .settings import Setting, Settings, setting

__all__ = [
    "LOG_LEVELS",
    "MAX_POOL_SIZE",
    "Configuration",
    "TimeoutSetting",
    "default_user_agent",
    "normalize_timeout",
    "parts_hostname",
    "stderr_level",
]

#: A timeout in seconds for each attempt, or a ``(connect, read)`` pair.
TimeoutSetting = Union[float, tuple[float, float]]


def default_user_agent() -> str:
    """``persona-python/<version> Python/<version> <OS>/<arch>``: what the API's
    operators need to tell one runtime from another (as azure-core and twilio send)."""
    import platform  # once per Configuration: not paid for by every import

    system = platform.system() or "unknown"
    machine = platform.machine() or "unknown"
    return f"persona-python/{__version__} Python/{platform.python_version()} {system}/{machine}"


class Configuration(Settings):
    """Settings for an :class:`ApiClient` (each one's default, environment variable and
    meaning: :meth:`docs_table`, shown in docs/Configuration.md).

    ``Configuration(host="http://localhost:8080/v1", timeout=5)``. A client uses its
    Configuration from then on; for other values use ``client.with_options(...)`` or
    ``config.replace(...)``.
    """

    host: Setting[str, Optional[str]] = setting(
        default=DEFAULT_HOST,
        check=check_host,
        env="PERSONA_HOST",
        read_env=env_checked(check_host),
        kw_only=False,
        shown_default=f"`{DEFAULT_HOST}`",
        doc="Base URL of the API, `http(s)://host[:port]/v1`. A user name or password in it "
        "is refused: the API needs none, and URLs appear in logs and errors.",
    )
    timeout: Setting[tuple[float, float], Optional[TimeoutSetting]] = setting(
        default=(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT),
        check=check_timeout,
        env="PERSONA_TIMEOUT",
        read_env=env_seconds,
        shown_default="`(10, 30)`",
        shown_env="`PERSONA_TIMEOUT` (a number)",
        doc="Per-attempt timeout in seconds: a number, or `(connect, read)`.",
    )
    deadline: Setting[float, Optional[float]] = setting(
        default=DEFAULT_DEADLINE,
        check=check_positive_seconds,
        env="PERSONA_DEADLINE",
        read_env=env_seconds,
        shown_default="`120`",
        doc="The most seconds one call may take, retries and waits included.",
    )
    max_retries: Setting[int, Optional[int]] = setting(
        default=DEFAULT_MAX_RETRIES,
        check=check_retries,
        env="PERSONA_MAX_RETRIES",
        read_env=env_retries,
        doc="Retries after the first attempt; `0` turns retries off.",
    )
    backoff_base: float = setting(
        default=DEFAULT_BACKOFF_BASE,
        check=check_seconds_or_zero,
        doc="The first backoff window in seconds; doubled each retry.",
    )
    backoff_max: float = setting(
        default=DEFAULT_BACKOFF_MAX,
        check=check_seconds_or_zero,
        shown_default="`8`",
        doc="The largest backoff window in seconds.",
    )
    max_retry_after: float = setting(
        default=DEFAULT_MAX_RETRY_AFTER,
        check=check_seconds_or_zero,
        shown_default="`10`",
        doc="The longest `Retry-After` (seconds) the SDK waits for; a longer one raises at "
        "once, so a rate limit never blocks a caller for a minute.",
    )
    verify_ssl: bool = setting(
        default=True, check=check_bool, doc="Verify the server's certificate and host name."
    )
    ssl_ca_cert: Optional[str] = setting(
        default=None,
        check=check_file,
        env="PERSONA_CA_BUNDLE",
        read_env=env_checked(check_file),
        shown_default="certifi's bundle",
        doc="A CA bundle file (PEM) to trust instead. An empty path or one with a NUL byte "
        "is refused when set; a missing file when a TLS connection loads it.",
    )
    cert_file: Optional[str] = setting(
        default=None, check=check_file, doc="A client certificate (PEM) for mutual TLS."
    )
    key_file: Optional[str] = setting(
        default=None,
        check=check_file,
        doc="The private key of `cert_file` (if not in the same file).",
    )
    assert_hostname: Union[str, bool, None] = setting(
        default=None,
        check=check_assert_hostname,
        shown_default="the host of `host`",
        doc="The name the certificate must match, or `False` to skip the name check.",
    )
    tls_server_name: Optional[str] = setting(
        default=None,
        check=check_host_name,
        shown_default="the host of `host`",
        doc="The SNI name to send in the handshake.",
    )
    proxy: Optional[str] = setting(
        default=None,
        check=check_proxy,
        shown_env="`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`",
        doc="Proxy URL, e.g. `http://proxy.internal:3128`; `http://user:password@proxy:3128` "
        "logs in to the proxy (the password shows as `***` in `repr`).",
    )
    proxy_headers: Setting[Optional[Mapping[str, str]], Optional[Mapping[str, str]]] = setting(
        default=None,
        check=check_proxy_headers,
        doc="Extra headers for the proxy, e.g. `Proxy-Authorization`. Read-only once set: "
        "assign a new dict to change them.",
    )
    trust_env: bool = setting(
        default=True,
        check=check_bool,
        doc="Take the proxy from the environment variables when `proxy` is not set.",
    )
    connection_pool_maxsize: int = setting(
        default=DEFAULT_POOL_MAXSIZE,
        check=check_pool_size,
        doc=f"Connections kept open per host, for reuse (1 to {MAX_POOL_SIZE}).",
    )
    max_response_bytes: int = setting(
        default=DEFAULT_MAX_RESPONSE_BYTES,
        check=check_size,
        shown_default="`1048576` (1 MiB)",
        doc="The largest response body accepted.",
    )
    user_agent: Setting[str, Optional[str]] = setting(
        default=default_user_agent,
        check=check_user_agent,
        shown_default="`persona-python/<version> Python/<version> <OS>/<arch>`",
        doc="The `User-Agent` header.",
    )
    debug: Setting[bool, Optional[bool]] = setting(
        default=False,
        check=check_bool,
        env="PERSONA_LOG",
        read_env=env_debug,
        shown_env="`PERSONA_LOG=debug`",
        doc="Log this Configuration's calls at DEBUG to stderr (masked), changing no logger.",
    )
    log_level: Setting[str, Optional[str]] = setting(
        default="off",
        check=check_log_level,
        env="PERSONA_LOG",
        read_env=env_log_level,
        shown_default='`"off"`',
        doc='What this Configuration\'s calls log to stderr when `debug` is off: `"off"`, '
        '`"warning"`, `"info"` or `"debug"` (see [Logging](#logging)).',
    )
    client_side_validation: bool = setting(
        default=True,
        check=check_bool,
        doc="Check request models against the contract before sending.",
    )

    _default: ClassVar[Optional[Configuration]] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *args: Any, **values: Any) -> None:
        object.__setattr__(self, "_policy", None)
        super().__init__(*args, **values)
        if values.get("debug") is None:
            # Not given: log_level="debug" (given, or PERSONA_LOG=debug) turns it on.
            self.__dict__["debug"] = self.log_level == "debug"

    def _changed(self) -> None:
        self.__dict__["_policy"] = None  # the RetryPolicy is derived: made again on use

    @property
    def logger(self) -> logging.Logger:
        """The ``persona`` logger (configure it with the ``logging`` module)."""
        return logger

    # -- derived values ------------------------------------------------------------
    @property
    def retry_policy(self) -> RetryPolicy:
        """The :class:`RetryPolicy` these settings describe (immutable; one per change)."""
        policy = self.__dict__["_policy"]
        if policy is None:
            policy = RetryPolicy(
                self.max_retries, self.backoff_base, self.backoff_max, self.max_retry_after
            )
            self.__dict__["_policy"] = policy
        return policy  # type: ignore[no-any-return]

    @property
    def timeouts(self) -> Timeout:
        """``timeout`` and ``deadline`` as one :class:`Timeout` (``total`` = ``deadline``)."""
        connect, read = self.timeout
        return Timeout(connect, read, self.deadline)

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
        """A copy of the default Configuration (as generated clients offer), yours to
        change: no client uses it yet."""
        return cls.get_default().replace()

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


def _new_default_lock() -> None:
    Configuration._default_lock = threading.Lock()


_fork.in_child(_new_default_lock)


def stderr_level(config: Configuration) -> int:
    """The lowest level the clients of ``config`` log to stderr (0: nothing)."""
    return 10 if config.debug else LOG_LEVELS[config.log_level]
