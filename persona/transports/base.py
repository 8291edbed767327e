"""The transport seam: one attempt, ``send(request, timeout) -> response``.

A transport sends exactly one attempt and knows nothing of retries, deadlines across
attempts, models or secrets: the retry loop and the core own those. It must return a
:class:`~persona.core.response.RESTResponse` for any answer the server gave (every
status), and raise only persona's exceptions: :class:`~persona.exceptions.ApiConnectionError`
(or a subclass) when no usable answer came, :class:`~persona.exceptions.ApiResponseError`
for an answer it refused (too large), :class:`~persona.exceptions.ApiClosedError` after
``close()``. It must end by ``timeout.deadline`` whatever the server does.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..core.policy import AttemptTimeout
from ..core.request import Request
from ..core.response import RESTResponse

__all__ = ["AsyncTransport", "Transport"]


@runtime_checkable
class Transport(Protocol):
    """What :class:`~persona.ApiClient` sends through (``ApiClient(transport=...)``)."""

    def send(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """Send one attempt of ``request``; return the server's answer."""
        ...

    def close(self) -> None:
        """Release connections; later sends raise ApiClosedError."""
        ...


@runtime_checkable
class AsyncTransport(Protocol):
    """What :class:`~persona.AsyncApiClient` sends through."""

    async def send(self, request: Request, timeout: AttemptTimeout) -> RESTResponse:
        """Send one attempt of ``request``; return the server's answer."""
        ...

    async def close(self) -> None:
        """Release connections; later sends raise ApiClosedError."""
        ...
