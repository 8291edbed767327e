"""The keyword options of every API method, declared once: :class:`CallOptions`.

Every generated method takes them as ``**options: Unpack[CallOptions]``, so that a
misspelt option is an error for type checkers, and the client checks them again at run
time (:data:`OPTION_NAMES`). They have the names :meth:`ApiClient.with_options` gives
the same settings for a whole client; the names generated clients use
(``_request_timeout``, ``_headers``, ``_idempotency_key``) keep working.

:class:`OperationMethod` / :class:`AsyncOperationMethod` type a body-taking API method
held as a value (a callback). :data:`NOT_GIVEN` is an option left out, told apart
from an option given as ``None`` (``with_options(timeout=None)``: no per-attempt timeout).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Optional, Protocol, TypedDict, TypeVar, Union

from .policy import RetryPolicy, Timeout

if TYPE_CHECKING:
    from collections.abc import Awaitable

    # Re-exported for the generated modules (`**options: Unpack[CallOptions]`), so that
    # they import their typing from persona alone.
    from typing_extensions import Unpack

__all__ = [
    "NOT_GIVEN",
    "OPTION_ALIASES",
    "OPTION_NAMES",
    "AsyncOperationMethod",
    "CallOptions",
    "NotGiven",
    "OperationMethod",
    "RequestTimeout",
    "SafeCallOptions",
    "Unpack",
]


class NotGiven(enum.Enum):
    """The type of :data:`NOT_GIVEN` (an enum, so that type checkers can narrow it)."""

    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


#: An option left out: the client's own value stays.
NOT_GIVEN: Final = NotGiven.NOT_GIVEN


#: What ``timeout`` takes: seconds, a ``(connect, read)`` pair, or a Timeout; ``None``
#: means no per-attempt limit (the call's deadline still bounds it).
RequestTimeout = Union[float, tuple[float, float], Timeout, None]

B_contra = TypeVar("B_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)


class SafeCallOptions(TypedDict, total=False):
    """The keyword options of a safe method's call (GET, HEAD, OPTIONS: retried as it
    is, so it takes no Idempotency-Key); each one left out keeps the client's setting.
    """

    #: Per attempt: seconds, a ``(connect, read)`` pair, or a :class:`~persona.Timeout`
    #: (whose ``total`` then bounds the call); None: no per-attempt limit.
    timeout: RequestTimeout
    #: The most seconds this call may take, retries and waits included.
    deadline: float
    #: Retries after the first attempt.
    max_retries: int
    #: A whole :class:`~persona.RetryPolicy` for this call.
    retry_policy: RetryPolicy
    #: Headers to add to this call's request.
    headers: Mapping[str, str]
    #: The generated clients' name of ``timeout``; None keeps the client's timeout.
    _request_timeout: RequestTimeout
    #: The generated clients' name of ``headers``.
    _headers: Optional[Mapping[str, str]]


class CallOptions(SafeCallOptions, total=False):
    """The keyword options of every other API method's call: :class:`SafeCallOptions`
    and the Idempotency-Key. ``api.account_forgot_pass_post(body, timeout=5,
    headers={"X-Trace": "1"})``."""

    #: The call's Idempotency-Key (default: a fresh one, kept across its retries; pass
    #: the same one again to retry a call whose outcome you did not see).
    idempotency_key: str
    #: The generated clients' name of ``idempotency_key``.
    _idempotency_key: Optional[str]


#: Old name -> name, for the options generated clients spelled with an underscore.
OPTION_ALIASES = {
    "_request_timeout": "timeout",
    "_headers": "headers",
    "_idempotency_key": "idempotency_key",
}

#: Every keyword option an API method accepts at run time: :class:`CallOptions` and the
#: three that change what a call returns (typed in :mod:`persona.core.methods`).
OPTION_NAMES = (
    frozenset(SafeCallOptions.__annotations__)
    | frozenset(CallOptions.__annotations__)
    | {
        "async_req",
        "_preload_content",
        "_return_http_data_only",
    }
)


class OperationMethod(Protocol[B_contra, R_co]):
    """A sync API method held as a value: ``method(body, **options)``."""

    def __call__(self, body: B_contra, /, **options: Unpack[CallOptions]) -> R_co: ...


class AsyncOperationMethod(Protocol[B_contra, R_co]):
    """An async API method held as a value: ``await method(body, **options)``."""

    def __call__(self, body: B_contra, /, **options: Unpack[CallOptions]) -> Awaitable[R_co]: ...
