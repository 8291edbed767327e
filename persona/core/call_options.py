"""The keyword options every API method takes, as type checkers see them.

The generated methods spell their options out as keyword-only parameters (so a misspelt
one is an error) with overloads saying what ``async_req=True`` and
``_preload_content=False`` return; :data:`RequestTimeout` is the type of
``_request_timeout``. :class:`CallOptions` is the options as a ``TypedDict``, for code
that passes them along (``**options``), and :class:`OperationMethod` /
:class:`AsyncOperationMethod` type a body-taking API method held as a value (a callback).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, Optional, Protocol, TypedDict, TypeVar, Union, overload

from ..core.policy import Timeout
from ..core.response import RESTResponse

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from multiprocessing.pool import ApplyResult

    from typing_extensions import Unpack

__all__ = ["AsyncOperationMethod", "CallOptions", "OperationMethod", "RequestTimeout"]

#: What ``_request_timeout`` takes: seconds, a ``(connect, read)`` pair, or a Timeout.
RequestTimeout = Union[float, tuple[float, float], Timeout, None]

B_contra = TypeVar("B_contra", contravariant=True)
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class CallOptions(TypedDict, total=False):
    """Keyword options of every API method (besides ``async_req`` and
    ``_preload_content``, which change what a call returns)."""

    #: Per attempt: seconds, a ``(connect, read)`` pair, or a :class:`Timeout`.
    _request_timeout: Union[float, tuple[float, float], Timeout, None]
    #: The call's Idempotency-Key (default: a fresh one, kept across retries).
    _idempotency_key: Optional[str]
    #: Extra request headers.
    _headers: Optional[Mapping[str, str]]
    #: False returns ``ApiResponse`` (data, status, headers), as ``*_with_http_info``.
    _return_http_data_only: bool


class OperationMethod(Protocol[B_contra, R]):
    """A sync API method: ``method(body, **options)``."""

    @overload
    def __call__(
        self,
        body: B_contra,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        **options: Unpack[CallOptions],
    ) -> R: ...

    @overload
    def __call__(
        self,
        body: B_contra,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        **options: Unpack[CallOptions],
    ) -> ApplyResult[R]: ...

    @overload
    def __call__(
        self,
        body: B_contra,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        **options: Unpack[CallOptions],
    ) -> RESTResponse: ...

    @overload
    def __call__(
        self,
        body: B_contra,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        **options: Unpack[CallOptions],
    ) -> ApplyResult[RESTResponse]: ...


class AsyncOperationMethod(Protocol[B_contra, R_co]):
    """An async API method: ``await method(body, **options)``."""

    @overload
    def __call__(
        self,
        body: B_contra,
        *,
        _preload_content: Literal[True] = True,
        **options: Unpack[CallOptions],
    ) -> Awaitable[R_co]: ...

    @overload
    def __call__(
        self,
        body: B_contra,
        *,
        _preload_content: Literal[False],
        **options: Unpack[CallOptions],
    ) -> Awaitable[RESTResponse]: ...
