"""Configuration: every setting of the SDK, its default and its environment variable.

Defaults live in :mod:`persona._constants`. A value passed to ``Configuration(...)``
wins over the environment, which wins over the default. The environment is read when
the Configuration is created.

A Configuration cannot lie: every setting is checked when it is set (the error names
it), a misspelt name raises ``AttributeError`` naming the close match, and a change
made after a client exists takes effect on that client's next call.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import Any, Callable, ClassVar, Optional, Union
from urllib.parse import urlsplit

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
from .core.policy import MAX_SECONDS, RetryPolicy, Timeout, check_seconds, shown
from .core.request import check_header
from .exceptions import ApiException, ApiTypeError, ApiValueError
from .log import logger
from .redaction import redact_url

__all__ = ["Configuration", "TimeoutSetting"]

#: A timeout in seconds for each attempt, or a ``(connect, read)`` pair.
TimeoutSetting = Union[float, tuple[float, float]]


#: The most connections a pool may keep per host (urllib3 makes room for each at once).
MAX_POOL_SIZE = 1000

#: The values PERSONA_LOG takes: what the clients of a Configuration log to stderr.
LOG_LEVELS: dict[str, int] = {"off": 0, "warning": 30, "info": 20, "debug": 10}

# What an environment variable holding seconds or a count may look like: ASCII digits
# (not the other scripts' digits float() and int() accept), an optional fraction.
_SECONDS_TEXT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class _SettingTypeError(ApiTypeError, ApiValueError):
    """A setting of the wrong type: an ApiTypeError, and also an ApiValueError, so that
    ``except ValueError`` around a Configuration catches every refused setting."""


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else None


def _shown(value: str) -> str:
    """An environment value as an error quotes it: short (it may be 5,000 digits)."""
    return repr(value if len(value) <= 40 else value[:40] + "...")


def _env_seconds(name: str) -> Optional[float]:
    value = _env(name)
    if value is None:
        return None
    rule = f"must be a number of seconds > 0 and at most {MAX_SECONDS:g}"
    if not (value.isascii() and _SECONDS_TEXT.fullmatch(value)):
        raise ApiValueError(
            f"environment variable {name}: {rule} (digits and an optional decimal point), "
            f"got {_shown(value)}"
        )
    seconds = float(value)  # ASCII digits: cannot raise; a huge one is inf, refused next
    if not 0 < seconds <= MAX_SECONDS:
        raise ApiValueError(f"environment variable {name}: {rule}, got {_shown(value)}")
    return seconds


def _env_retries(name: str) -> Optional[int]:
    value = _env(name)
    if value is None:
        return None
    digits = value.lstrip("0") or "0"
    # Its length first: int() refuses more than 4,300 digits with its own ValueError.
    if not (value.isascii() and value.isdigit() and len(digits) <= 3 and int(digits) <= 100):
        raise ApiValueError(
            f"environment variable {name}: must be a whole number from 0 to 100 "
            f"(ASCII digits), got {_shown(value)}"
        )
    return int(digits)


def _env_setting(name: str, setting: str) -> Optional[Any]:
    """Environment variable ``name`` checked as ``setting`` is, the error naming both."""
    value = _env(name)
    if value is None:
        return None
    try:
        return _CHECKS[setting](setting, value)
    except ApiException as exc:
        reason = exc.reason or ""
        reason = reason[len(setting) + 2 :] if reason.startswith(f"{setting}: ") else reason
    raise ApiValueError(f"environment variable {name} ({setting}): {reason}") from None


def _env_log_level(name: str) -> Optional[str]:
    value = _env(name)
    if value is None:
        return None
    level = value.lower()
    if level not in LOG_LEVELS:
        raise ApiValueError(
            f"environment variable {name}: must be one of {', '.join(LOG_LEVELS)}, "
            f"got {_shown(value)}"
        )
    return level


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
    :param proxy_headers: extra headers for the proxy (e.g. Proxy-Authorization); kept
        read-only, checked when set: assign a new dict to change them.
    :param trust_env: when no ``proxy`` is set, take it from ``HTTPS_PROXY`` /
        ``HTTP_PROXY`` / ``ALL_PROXY``, honouring ``NO_PROXY``. Default True.
    :param connection_pool_maxsize: connections kept per host. Default 16.
    :param max_response_bytes: the largest response body accepted. Default 1 MiB.
    :param user_agent: the User-Agent header. Default ``persona-python/<version>``.
    :param debug: log this client's requests at DEBUG to stderr (masked). Only the
        clients of this Configuration are affected: no logger's level or handlers
        change. Env ``PERSONA_LOG=debug``.
    :param log_level: what this Configuration's clients log to stderr when ``debug`` is
        off: ``"off"`` (nothing, the default), ``"warning"``, ``"info"`` (one line per
        call's outcome and one per retry, masked) or ``"debug"`` (the same as
        ``debug=True``). Env ``PERSONA_LOG``.
    :param client_side_validation: check request models against the contract before
        sending. Default True.

    Every setting may also be assigned later (``config.host = ...``); it is checked then,
    and clients already made from this Configuration use it from their next call.
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
        log_level: Optional[str] = None,
    ) -> None:
        object.__setattr__(self, "_revision", 0)
        object.__setattr__(self, "_policy", None)
        self.host = (
            host if host is not None else (_env_setting("PERSONA_HOST", "host") or DEFAULT_HOST)
        )
        if timeout is None:
            env_timeout = _env_seconds("PERSONA_TIMEOUT")
            timeout = (
                (DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT)
                if env_timeout is None
                else env_timeout
            )
        self.timeout = timeout
        if deadline is None:
            env_deadline = _env_seconds("PERSONA_DEADLINE")
            deadline = DEFAULT_DEADLINE if env_deadline is None else env_deadline
        self.deadline = deadline
        if max_retries is None:
            env_retries = _env_retries("PERSONA_MAX_RETRIES")
            max_retries = DEFAULT_MAX_RETRIES if env_retries is None else env_retries
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self.verify_ssl = verify_ssl
        self.ssl_ca_cert = (
            ssl_ca_cert
            if ssl_ca_cert is not None
            else _env_setting("PERSONA_CA_BUNDLE", "ssl_ca_cert")
        )
        self.cert_file = cert_file
        self.key_file = key_file
        self.assert_hostname = assert_hostname
        self.tls_server_name = tls_server_name
        self.proxy = proxy
        self.proxy_headers = proxy_headers
        self.trust_env = trust_env
        self.connection_pool_maxsize = connection_pool_maxsize
        self.max_response_bytes = max_response_bytes
        self.user_agent = user_agent or f"persona-python/{__version__}"
        self.client_side_validation = client_side_validation
        env_level = _env_log_level("PERSONA_LOG") if log_level is None else None
        self.log_level = log_level if log_level is not None else (env_level or "off")
        if debug is None:
            debug = self.log_level == "debug"
        self.debug = debug

    # Type declarations of the settings (values live in the instance __dict__).
    host: str
    deadline: float
    max_retries: int
    backoff_base: float
    backoff_max: float
    max_retry_after: float
    verify_ssl: bool
    ssl_ca_cert: Optional[str]
    cert_file: Optional[str]
    key_file: Optional[str]
    assert_hostname: Union[str, bool, None]
    tls_server_name: Optional[str]
    proxy: Optional[str]
    proxy_headers: Optional[dict[str, str]]
    trust_env: bool
    connection_pool_maxsize: int
    max_response_bytes: int
    user_agent: str
    debug: bool
    client_side_validation: bool
    log_level: str

    def __setattr__(self, name: str, value: Any) -> None:
        check = _CHECKS.get(name)
        if check is None:
            import difflib  # only on this error path: not paid for by every import

            close = difflib.get_close_matches(name, _CHECKS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise AttributeError(
                f"Configuration has no setting {name!r}{hint} (settings: {', '.join(_CHECKS)})"
            )
        problem: Optional[BaseException] = None
        try:
            value = check(name, value)
        except _SettingTypeError:
            raise
        except ApiTypeError as exc:
            problem = _SettingTypeError(exc.reason or name)
        except ApiException:
            raise
        except Exception as exc:
            # A value that breaks a check in a way it did not foresee (a str subclass
            # whose methods raise, an int whose comparison does) is still ours to refuse.
            problem = ApiValueError(f"{name}: cannot be taken ({type(exc).__name__})")
        if problem is not None:
            raise problem  # outside the except block: the value stays out of __context__
        self.__dict__[name] = value
        # Clients compare this with what they last read, and re-read on a change.
        self.__dict__["_revision"] += 1
        self.__dict__["_policy"] = None

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Configuration settings cannot be deleted ({name!r})")

    @property
    def timeout(self) -> tuple[float, float]:
        """The per-attempt ``(connect, read)`` timeout in seconds (set a number or a pair)."""
        return self.__dict__["timeout"]  # type: ignore[no-any-return]

    @timeout.setter
    def timeout(self, value: TimeoutSetting) -> None:  # pragma: no cover - see __setattr__
        Configuration.__setattr__(self, "timeout", value)

    @property
    def revision(self) -> int:
        """A number that grows with every change of a setting (clients re-read on it)."""
        return self.__dict__["_revision"]  # type: ignore[no-any-return]

    @property
    def logger(self) -> Any:
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


def _new_default_lock() -> None:
    Configuration._default_lock = threading.Lock()


_fork.in_child(_new_default_lock)


# -- the checks each setting goes through when it is set -----------------------------
def _check_host(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ApiTypeError(f"host: must be str, got {type(value).__name__}")
    # Checked first, and the value never echoed: it would carry the password.
    if _has_userinfo(value):
        raise ApiValueError("host: must not contain a user name or password")
    if parts_hostname(value) is None or any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ApiValueError(
            f"host: must be an http:// or https:// URL with a host name, got {shown(value)}"
        )
    return value.rstrip("/")


def parts_hostname(url: str) -> Optional[str]:
    """The host name of an http(s) ``url`` whose port, if any, is ASCII digits in range;
    None when it is not such a URL."""
    try:
        parts = urlsplit(url)  # "http://[::1" raises here
        hostname = parts.hostname
        port = parts.netloc.rpartition("@")[2].rpartition("]")[2].partition(":")[2]
        if port and not (port.isascii() and port.isdigit()):
            return None  # urlsplit reads other scripts' digits on older Pythons
        parts.port  # noqa: B018 - a port out of range raises here, not at the first call
    except ValueError:
        return None
    return hostname if parts.scheme in ("http", "https") and hostname else None


def _check_timeout(name: str, value: Any) -> tuple[float, float]:
    return normalize_timeout(value, name)


def _check_seconds(name: str, value: Any) -> float:
    return check_seconds(name, value)


def _check_seconds_or_zero(name: str, value: Any) -> float:
    return check_seconds(name, value, allow_zero=True)


def _check_retries(name: str, value: Any) -> int:
    return RetryPolicy(max_retries=value).max_retries


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ApiTypeError(f"{name}: must be True or False, got {shown(value)}")
    return value


def _check_optional_text(name: str, value: Any) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be str or None, got {type(value).__name__}")
    return value


def _check_assert_hostname(name: str, value: Any) -> Union[str, bool, None]:
    if value is not None and value is not False and not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be a host name, False or None, got {shown(value)}")
    return _check_host_name(name, value) if isinstance(value, str) else value


def _check_host_name(name: str, value: Any) -> Optional[str]:
    """A host name (or IP address) as TLS can check and send it, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be str or None, got {type(value).__name__}")
    import ipaddress  # only when the setting is set

    try:
        ipaddress.ip_address(value)
        ok = True
    except ValueError:
        try:
            value.encode("idna")  # refuses empty labels, and labels over 63 characters
            ok = 0 < len(value) <= 253 and not any(c.isspace() or c in "\x00/:@" for c in value)
        except UnicodeError:
            ok = False
    if not ok or value.startswith("."):
        raise ApiValueError(f"{name}: must be a host name or an IP address, got {shown(value)}")
    return value


def _check_file(name: str, value: Any) -> Optional[str]:
    """A file path, or None. Whether the file exists is seen when a TLS connection
    loads it (an http host never does), but what no file system can open is refused
    now: the empty path, a NUL byte (Python's own ValueError at the first call)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be a file path (str) or None, got {type(value).__name__}")
    if not value or "\x00" in value or _has_lone_surrogate(value):
        raise ApiValueError(
            f"{name}: must be a file path (not empty, no NUL byte), got {shown(value)}"
        )
    return value


def _has_lone_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_log_level(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be one of {', '.join(LOG_LEVELS)}, got {shown(value)}")
    if value.lower() not in LOG_LEVELS:
        raise ApiValueError(f"{name}: must be one of {', '.join(LOG_LEVELS)}, got {shown(value)}")
    return value.lower()


def _check_proxy(name: str, value: Any) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiTypeError(f"proxy: must be str or None, got {type(value).__name__}")
    if parts_hostname(value) is None:
        raise ApiValueError(
            f"proxy: must be an http:// or https:// URL with a host name, got {redact_url(value)!r}"
        )
    return value


def _check_proxy_headers(name: str, value: Any) -> Optional[dict[str, str]]:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ApiTypeError(f"proxy_headers: must be a dict of str, got {type(value).__name__}")
    # Read-only: a header changed in place would skip this check and reach http.client
    # (a ValueError at the first CONNECT) without a new revision to rebuild the pool.
    return _ReadOnlyHeaders(_check_headers("proxy_headers", value))


def _check_headers(name: str, headers: Mapping[Any, Any]) -> dict[str, str]:
    """``headers`` checked as check_header does, the errors naming the setting."""
    checked = {}
    for key, item in headers.items():
        problem: Optional[ApiException] = None
        try:
            checked[key] = check_header(key, item)
        except (ApiValueError, ApiTypeError) as exc:
            problem = exc  # re-raised below, outside this block: no value in __context__
        if isinstance(problem, ApiTypeError):
            raise ApiTypeError(f"{name}: {problem.reason}")
        if problem is not None:
            raise ApiValueError(f"{name}: {problem.reason}")
    return checked


class _ReadOnlyHeaders(dict):  # type: ignore[type-arg]
    """A dict of checked headers that refuses changes in place (copy and pickle work)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise ApiTypeError(
            "proxy_headers: read-only once set (they are checked then); "
            "assign a new dict to Configuration.proxy_headers instead"
        )

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> Any:
        return (_ReadOnlyHeaders, (dict(self),))

    def __copy__(self) -> _ReadOnlyHeaders:
        return self  # immutable: a copy is the same value

    def __deepcopy__(self, memo: Any) -> _ReadOnlyHeaders:
        return self


def _check_size(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiTypeError(f"{name}: must be a whole number, got {shown(value)}")
    if value < 1:
        raise ApiValueError(f"{name}: must be at least 1, got {shown(value)}")
    return int(value)


def _check_pool_size(name: str, value: Any) -> int:
    size = _check_size(name, value)
    if size > MAX_POOL_SIZE:  # urllib3 fills its pool queue with one slot per connection
        raise ApiValueError(f"{name}: must be at most {MAX_POOL_SIZE}, got {shown(value)}")
    return size


def _check_user_agent(name: str, value: Any) -> str:
    return _check_headers("user_agent", {"User-Agent": value})["User-Agent"]


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "host": _check_host,
    "timeout": _check_timeout,
    "deadline": _check_seconds,
    "max_retries": _check_retries,
    "backoff_base": _check_seconds_or_zero,
    "backoff_max": _check_seconds_or_zero,
    "max_retry_after": _check_seconds_or_zero,
    "verify_ssl": _check_bool,
    "ssl_ca_cert": _check_file,
    "cert_file": _check_file,
    "key_file": _check_file,
    "assert_hostname": _check_assert_hostname,
    "tls_server_name": _check_host_name,
    "proxy": _check_proxy,
    "proxy_headers": _check_proxy_headers,
    "trust_env": _check_bool,
    "connection_pool_maxsize": _check_pool_size,
    "max_response_bytes": _check_size,
    "user_agent": _check_user_agent,
    "debug": _check_bool,
    "client_side_validation": _check_bool,
    "log_level": _check_log_level,
}


def _has_userinfo(url: str) -> bool:
    """Whether ``url``'s authority carries ``user[:password]@`` (with or without a scheme).

    The API needs no credentials, and URLs end up in logs and error messages.
    """
    authority = re.split(r"[/?#]", url.split("://", 1)[-1], maxsplit=1)[0]
    return "@" in authority


def normalize_timeout(value: Any, name: str) -> tuple[float, float]:
    """A ``(connect, read)`` pair from a number or a pair, checked to be positive."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = check_seconds(name, value)
        return (seconds, seconds)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (check_seconds(name + "[0]", value[0]), check_seconds(name + "[1]", value[1]))
    raise ApiValueError(
        f"{name}: must be a number of seconds or a (connect, read) pair, got {shown(value)}"
    )


def stderr_level(config: Configuration) -> int:
    """The lowest level the clients of ``config`` log to stderr (0: nothing)."""
    return 10 if config.debug else LOG_LEVELS[config.log_level]
