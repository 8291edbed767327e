"""AsyncApiClient: the native asyncio client. Same settings, headers, requests, retries,
deadline, errors and logging as :class:`~persona.ApiClient` -- the same core code --
with an aiohttp transport and an async retry loop (:mod:`persona.async_retry_loop`).

Needs the ``async`` extra: ``pip install "persona-account-sdk[async]"``.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Optional, Union

from .api_client import CALL_OPTIONS, BaseClient
from .async_retry_loop import send_with_retries_async
from .configuration import Configuration
from .core.policy import AttemptTimeout
from .core.request import Operation, Request
from .core.response import RESTResponse
from .exceptions import ApiTypeError
from .transports.aiohttp_transport import AiohttpTransport
from .transports.base import AsyncTransport
from .transports.mock import MockTransport

if TYPE_CHECKING:
    import aiohttp

    from .hooks import AsyncEventHooks

__all__ = ["ASYNC_CALL_OPTIONS", "AsyncApiClient"]

#: The keyword options of an async API method: the sync ones but ``async_req``.
ASYNC_CALL_OPTIONS = CALL_OPTIONS - {"async_req"}


class _AwaitSendAsync:
    """A transport whose coroutine is ``send_async`` (``MockTransport``), seen as an
    :class:`~persona.transports.AsyncTransport`."""

    __slots__ = ("_send",)

    def __init__(self, transport: Any) -> None:
        self._send = transport.send_async

    async def send(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        return await self._send(request, timeout)  # type: ignore[no-any-return]

    async def close(self) -> None:  # pragma: no cover - the user's transport: not ours
        pass


class AsyncApiClient(BaseClient["AsyncEventHooks"]):
    """Sends the API's requests from asyncio code. Share one between the tasks of one
    event loop; close it when done (``await client.close()``, or ``async with``).

    :param configuration: the settings; default :meth:`Configuration.get_default`.
    :param transport: what sends each attempt; default an aiohttp transport of
        ``configuration`` (``persona.testing.MockTransport`` in unit tests).
    :param header_name: a header to send with every request (with ``header_value``).
    :param header_value: its value.
    :param cookie: a ``Cookie`` header to send with every request.
    :param event_hooks: coroutine functions awaited on every attempt of every call:
        ``{"request": [f, ...], "response": [g, ...]}`` (see :mod:`persona.hooks`).
    :param session: an ``aiohttp.ClientSession`` of the application's to send through
        (its trace configs see every attempt), instead of one of persona's own; made
        with ``cookie_jar=aiohttp.DummyCookieJar()``, in the event loop the client runs
        in. ``close()`` leaves it open: closing it is its owner's job.

    A client belongs to the event loop of its first call: using it from another loop
    (or after ``fork()``) raises :class:`~persona.ApiEventLoopError`. A client that is
    never closed warns with a ``ResourceWarning`` when it is garbage-collected.
    """

    _kind: ClassVar[str] = "AsyncApiClient"
    _async_hooks: ClassVar[bool] = True

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        transport: Union[AsyncTransport, MockTransport, None] = None,
        *,
        header_name: Optional[str] = None,
        header_value: Optional[str] = None,
        cookie: Optional[str] = None,
        event_hooks: Optional[AsyncEventHooks] = None,
        session: Optional[aiohttp.ClientSession] = None,
    ) -> None:
        self._owns_transport = False  # until fully made: a failed __init__ must not warn
        self._init_common(configuration, header_name, header_value, cookie, event_hooks)
        given: Any = transport  # checked at run time: any object may arrive here
        if session is not None and given is not None:
            raise ApiTypeError(
                "session and transport: pass one (a session is sent through by persona's "
                "own aiohttp transport)"
            )
        if given is None:
            given = AiohttpTransport(self.configuration, session=session)
        elif not inspect.iscoroutinefunction(getattr(given, "send", None)):
            if not inspect.iscoroutinefunction(getattr(given, "send_async", None)):
                raise ApiTypeError(
                    "transport: must have an async send(request, timeout) method, got "
                    f"{type(given).__name__}"
                )
            given = _AwaitSendAsync(given)  # MockTransport: its coroutine is send_async
        self.transport: AsyncTransport = given
        self._settings_now()  # a bad setting fails here, not at the first call
        self._owns_transport = transport is None

    def _derived(self) -> None:
        self._owns_transport = False  # the pool stays with the client that made it

    # -- lifecycle -------------------------------------------------------------------
    async def __aenter__(self) -> AsyncApiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool. Idempotent; final for this client and every
        ``with_options()`` copy made from it: calls made after it, or while it runs,
        raise :class:`~persona.ApiClosedError`, a wait before a retry ends at once, and
        nothing more is sent. Call it in the client's event loop."""
        if self._owns_transport:
            await self.transport.close()  # raises in another loop: the client stays open
        self._life.close()

    def __del__(self, _warn: Any = warnings.warn) -> None:
        # A client whose __init__ failed (a bad keyword) has none of its attributes.
        built = "_life" in self.__dict__
        if (
            built
            and getattr(self, "_owns_transport", False)
            and not self._closed
            # A transport on the application's session holds nothing of its own to leak.
            and getattr(self.transport, "owns_session", True)
        ):
            _warn(
                f"unclosed {self!r}: await client.close() or use 'async with'",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )

    # -- calls -----------------------------------------------------------------------
    async def call_operation(
        self,
        operation: Operation,
        body: Any = None,
        *,
        with_http_info: bool = False,
        params: Optional[Mapping[str, Any]] = None,
        **options: Any,
    ) -> Any:
        """Call ``operation`` with ``body``, its ``params`` (path, query and header
        parameters by keyword name) and an API method's keyword ``options``
        (``_request_timeout``, ``_idempotency_key``, ``_headers``, ``_preload_content``,
        ``_return_http_data_only``).

        Returns the response model (or :class:`ApiResponse` when ``with_http_info``),
        or the raw :class:`RESTResponse` with ``_preload_content=False``. Everything
        that can fail on the caller's input fails before anything is sent.
        """
        if options.pop("async_req", None):
            raise ApiTypeError(
                f"{operation.name}: async_req is for the sync ApiClient; with "
                "AsyncApiClient, await the call (asyncio.gather runs many at once)"
            )
        call = self._prepare_call(
            operation, body, options, with_http_info, ASYNC_CALL_OPTIONS, params
        )
        response = await send_with_retries_async(
            self.transport, call.plan(), self._life, self._hooks
        )
        return call.result(response)
