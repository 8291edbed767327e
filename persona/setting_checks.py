"""What each setting of :class:`~persona.Configuration` may hold (the checks every
value goes through when it is set, the error naming the setting and the rule) and how
its ``PERSONA_*`` environment variable is read."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union
from urllib.parse import urlsplit

from .core.policy import MAX_SECONDS, RetryPolicy, check_seconds, shown
from .core.request import check_header
from .exceptions import ApiException, ApiTypeError, ApiValueError
from .redaction import redact_url

#: The most connections a pool may keep per host (urllib3 makes room for each at once).
MAX_POOL_SIZE = 1000

#: The values PERSONA_LOG takes: what the clients of a Configuration log to stderr.
LOG_LEVELS: dict[str, int] = {"off": 0, "warning": 30, "info": 20, "debug": 10}

# What an environment variable holding seconds or a count may look like: ASCII digits
# (not the other scripts' digits float() and int() accept), an optional fraction.
_SECONDS_TEXT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else None


def _shown(value: str) -> str:
    """An environment value as an error quotes it: short (it may be 5,000 digits)."""
    return repr(value if len(value) <= 40 else value[:40] + "...")


def env_seconds(name: str, setting: str = "") -> Optional[float]:
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


def env_retries(name: str, setting: str = "") -> Optional[int]:
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


def env_checked(check: Callable[[str, Any], Any]) -> Callable[[str, str], Optional[Any]]:
    """An environment reader that checks the variable's text as the setting's values
    are checked, the error naming both."""

    def read(name: str, setting: str) -> Optional[Any]:
        return _env_setting(name, setting, check)

    return read


def env_debug(name: str, setting: str = "") -> Optional[bool]:
    """``PERSONA_LOG=debug`` turns ``debug`` on."""
    return True if env_log_level(name, setting) == "debug" else None


def _env_setting(name: str, setting: str, check: Callable[[str, Any], Any]) -> Optional[Any]:
    """Environment variable ``name`` checked as ``setting`` is, the error naming both."""
    value = _env(name)
    if value is None:
        return None
    try:
        return check(setting, value)
    except ApiException as exc:
        reason = exc.reason or ""
        reason = reason[len(setting) + 2 :] if reason.startswith(f"{setting}: ") else reason
    raise ApiValueError(f"environment variable {name} ({setting}): {reason}") from None


def env_log_level(name: str, setting: str = "") -> Optional[str]:
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


def check_host(name: str, value: Any) -> str:
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


def check_timeout(name: str, value: Any) -> tuple[float, float]:
    return normalize_timeout(value, name)


def check_positive_seconds(name: str, value: Any) -> float:
    return check_seconds(name, value)


def check_seconds_or_zero(name: str, value: Any) -> float:
    return check_seconds(name, value, allow_zero=True)


def check_retries(name: str, value: Any) -> int:
    return RetryPolicy(max_retries=value).max_retries


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ApiTypeError(f"{name}: must be True or False, got {shown(value)}")
    return value


def _check_optional_text(name: str, value: Any) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be str or None, got {type(value).__name__}")
    return value


def check_assert_hostname(name: str, value: Any) -> Union[str, bool, None]:
    if value is not None and value is not False and not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be a host name, False or None, got {shown(value)}")
    return check_host_name(name, value) if isinstance(value, str) else value


def check_host_name(name: str, value: Any) -> Optional[str]:
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


def check_file(name: str, value: Any) -> Optional[str]:
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


def check_log_level(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ApiTypeError(f"{name}: must be one of {', '.join(LOG_LEVELS)}, got {shown(value)}")
    if value.lower() not in LOG_LEVELS:
        raise ApiValueError(f"{name}: must be one of {', '.join(LOG_LEVELS)}, got {shown(value)}")
    return value.lower()


def check_proxy(name: str, value: Any) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiTypeError(f"proxy: must be str or None, got {type(value).__name__}")
    if parts_hostname(value) is None:
        raise ApiValueError(
            f"proxy: must be an http:// or https:// URL with a host name, got {redact_url(value)!r}"
        )
    return value


def check_proxy_headers(name: str, value: Any) -> Optional[dict[str, str]]:
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


def check_size(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiTypeError(f"{name}: must be a whole number, got {shown(value)}")
    if value < 1:
        raise ApiValueError(f"{name}: must be at least 1, got {shown(value)}")
    return int(value)


def check_pool_size(name: str, value: Any) -> int:
    size = check_size(name, value)
    if size > MAX_POOL_SIZE:  # urllib3 fills its pool queue with one slot per connection
        raise ApiValueError(f"{name}: must be at most {MAX_POOL_SIZE}, got {shown(value)}")
    return size


def check_user_agent(name: str, value: Any) -> str:
    return _check_headers("user_agent", {"User-Agent": value})["User-Agent"]


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
