"""Transports: how one attempt reaches the server. ``Transport`` is the seam;
``Urllib3Transport`` the default; ``MockTransport`` answers from a function in tests.
(The aiohttp transport of ``AsyncApiClient`` needs the ``persona-account-sdk[async]`` extra.)

Names are imported on first use: a client pays only for the transport it uses."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import AsyncTransport as AsyncTransport
    from .base import Transport as Transport
    from .mock import MockTransport as MockTransport
    from .urllib3_transport import Urllib3Transport as Urllib3Transport

_LOCATIONS = {
    "AsyncTransport": ".base",
    "Transport": ".base",
    "MockTransport": ".mock",
    "Urllib3Transport": ".urllib3_transport",
}
__all__ = ["AsyncTransport", "MockTransport", "Transport", "Urllib3Transport"]


def __getattr__(name: str) -> Any:
    location = _LOCATIONS.get(name)
    if location is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(location, __name__), name)
