"""What every generated API method shares, written once: how type checkers see its
variants, and its ``*_with_http_info`` twin.

A generated method is one plain ``def`` with its real parameters and its real return
type. The options that change what a call returns, kept from generated clients
(``async_req=True``, ``_preload_content=False``, ``_return_http_data_only=False``), are
handled by the client at run time; here they are typed, once for every method:

=======================================  =============================================
call                                     type checkers see
=======================================  =============================================
``api.method(body)``                     the model (``TokenResponse``)
``api.method_with_http_info(body)``      ``ApiResponse[TokenResponse]``
``api.method(body, async_req=True)``     ``ApplyResult[TokenResponse]``
``..., _preload_content=False``          ``RESTResponse`` (``ApplyResult`` of it with
                                         ``async_req=True``)
``..., _return_http_data_only=False``    ``ApiResponse[TokenResponse]``
=======================================  =============================================

At run time :func:`api_method` returns the function itself: the typing costs a call
nothing. In a call that uses one of the three options, the other arguments are not
checked by type checkers (they are by the client, at run time); the plain call is
checked whole.
"""

# The overloads below overlap on purpose: the last one (the plain call) takes the
# method's own parameters, which a type checker cannot prove free of async_req & co.
# mypy: disable-error-code="overload-overlap"

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

__all__ = ["api_method", "async_api_method", "async_with_http_info", "with_http_info"]

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from multiprocessing.pool import ApplyResult
    from typing import Generic, Literal, overload

    from typing_extensions import Concatenate, ParamSpec, Self

    from .response import ApiResponse, RESTResponse

    P = ParamSpec("P")
    R = TypeVar("R")
    S = TypeVar("S")
    NoneTrue = Optional[Literal[True]]

    class BoundMethod(Generic[P, R]):
        """A sync API method, bound: ``api.account_forgot_pass_post``."""

        __name__: str
        __qualname__: str

        @overload
        def __call__(
            self, *args: Any, async_req: Literal[True], _preload_content: Literal[False], **kw: Any
        ) -> ApplyResult[RESTResponse]: ...
        @overload
        def __call__(
            self,
            *args: Any,
            async_req: Literal[True],
            _return_http_data_only: Literal[False],
            _preload_content: Literal[True] = ...,
            **kw: Any,
        ) -> ApplyResult[ApiResponse[R]]: ...
        @overload
        def __call__(
            self,
            *args: Any,
            async_req: Literal[True],
            _preload_content: Literal[True] = ...,
            _return_http_data_only: NoneTrue = ...,
            **kw: Any,
        ) -> ApplyResult[R]: ...
        @overload
        def __call__(
            self,
            *args: Any,
            _preload_content: Literal[False],
            async_req: Literal[False] = ...,
            **kw: Any,
        ) -> RESTResponse: ...
        @overload
        def __call__(
            self,
            *args: Any,
            _return_http_data_only: Literal[False],
            async_req: Literal[False] = ...,
            _preload_content: Literal[True] = ...,
            **kw: Any,
        ) -> ApiResponse[R]: ...
        @overload
        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...
        def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    class BoundInfoMethod(Generic[P, R]):
        """A sync ``*_with_http_info`` twin, bound: it returns ``ApiResponse[R]``."""

        __name__: str
        __qualname__: str

        @overload
        def __call__(
            self, *args: Any, async_req: Literal[True], _preload_content: Literal[False], **kw: Any
        ) -> ApplyResult[RESTResponse]: ...
        @overload
        def __call__(
            self,
            *args: Any,
            async_req: Literal[True],
            _return_http_data_only: Literal[True],
            _preload_content: Literal[True] = ...,
            **kw: Any,
        ) -> ApplyResult[R]: ...
        @overload
        def __call__(
            self,
            *args: Any,
            async_req: Literal[True],
            _preload_content: Literal[True] = ...,
            _return_http_data_only: Optional[Literal[False]] = ...,
            **kw: Any,
        ) -> ApplyResult[ApiResponse[R]]: ...
        @overload
        def __call__(
            self,
            *args: Any,
            _preload_content: Literal[False],
            async_req: Literal[False] = ...,
            **kw: Any,
        ) -> RESTResponse: ...
        @overload
        def __call__(
            self,
            *args: Any,
            _return_http_data_only: Literal[True],
            async_req: Literal[False] = ...,
            _preload_content: Literal[True] = ...,
            **kw: Any,
        ) -> R: ...
        @overload
        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> ApiResponse[R]: ...
        def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    class BoundAsyncMethod(Generic[P, R]):
        """An async API method, bound: ``await api.account_forgot_pass_post(body)``."""

        __name__: str
        __qualname__: str

        @overload
        async def __call__(
            self, *args: Any, _preload_content: Literal[False], **kw: Any
        ) -> RESTResponse: ...
        @overload
        async def __call__(
            self,
            *args: Any,
            _return_http_data_only: Literal[False],
            _preload_content: Literal[True] = ...,
            **kw: Any,
        ) -> ApiResponse[R]: ...
        @overload
        async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...
        async def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    class BoundAsyncInfoMethod(Generic[P, R]):
        """An async ``*_with_http_info`` twin, bound: it returns ``ApiResponse[R]``."""

        __name__: str
        __qualname__: str

        @overload
        async def __call__(
            self, *args: Any, _preload_content: Literal[False], **kw: Any
        ) -> RESTResponse: ...
        @overload
        async def __call__(
            self,
            *args: Any,
            _return_http_data_only: Literal[True],
            _preload_content: Literal[True] = ...,
            **kw: Any,
        ) -> R: ...
        @overload
        async def __call__(self, *args: P.args, **kwargs: P.kwargs) -> ApiResponse[R]: ...
        async def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

    B = TypeVar("B")

    class Method(Generic[B]):
        """A method of an API class: bound on attribute access (``B``: the bound form)."""

        __name__: str
        __doc__: Optional[str]

        @overload
        def __get__(self, obj: None, owner: Any) -> Self: ...
        @overload
        def __get__(self, obj: object, owner: Any) -> B: ...
        def __get__(self, obj: object, owner: Any) -> Any: ...


F = TypeVar("F", bound=Callable[..., Any])


def api_method(func: Callable[Concatenate[S, P], R]) -> Method[BoundMethod[P, R]]:
    """Mark a generated sync API method (the function itself, at run time)."""
    return func  # type: ignore[return-value]  # what type checkers see is above


def async_api_method(
    documented: Method[Any],
) -> Callable[
    [Callable[Concatenate[S, P], Coroutine[Any, Any, R]]], Method[BoundAsyncMethod[P, R]]
]:
    """Mark a generated async API method: it takes the docstring of ``documented``, its
    sync twin, so that the text is written once."""

    def mark(func: Callable[..., Any]) -> Any:
        func.__doc__ = documented.__doc__
        return func

    return mark


def with_http_info(method: Method[BoundMethod[P, R]]) -> Method[BoundInfoMethod[P, R]]:
    """The ``*_with_http_info`` twin of a sync API ``method``: the same call, returning
    ``ApiResponse(data, status, headers)``."""
    func: Callable[..., Any] = method  # type: ignore[assignment]  # a function at run time

    def twin(self: Any, *args: Any, **options: Any) -> Any:
        if options.get("_return_http_data_only") is None:
            options["_return_http_data_only"] = False
        return func(self, *args, **options)

    return _named_twin(twin, func)  # type: ignore[return-value]


def async_with_http_info(
    method: Method[BoundAsyncMethod[P, R]],
) -> Method[BoundAsyncInfoMethod[P, R]]:
    """The ``*_with_http_info`` twin of an async API ``method``."""
    func: Callable[..., Any] = method  # type: ignore[assignment]  # a function at run time

    async def twin(self: Any, *args: Any, **options: Any) -> Any:
        if options.get("_return_http_data_only") is None:
            options["_return_http_data_only"] = False
        return await func(self, *args, **options)

    return _named_twin(twin, func)  # type: ignore[return-value]


def _named_twin(twin: F, func: Callable[..., Any]) -> F:
    # __wrapped__ (set here) shows func's parameters to inspect.signature and IDEs; the
    # annotations say what the twin returns.
    functools.update_wrapper(twin, func)
    annotations = dict(func.__annotations__)
    annotations["return"] = f"ApiResponse[{annotations.get('return', 'None')}]"
    twin.__annotations__ = annotations
    twin.__name__ = f"{func.__name__}_with_http_info"
    twin.__qualname__ = f"{func.__qualname__}_with_http_info"
    summary, _, rest = (func.__doc__ or "").partition("\n")
    twin.__doc__ = (
        f"{summary.rstrip('.')}; with HTTP info.\n\n"
        "        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.\n"
        f"{rest}"
    )
    return twin
