"""Transports: how one attempt reaches the server. ``Transport`` is the seam;
``Urllib3Transport`` the default; ``MockTransport`` answers from a function in tests.
(The aiohttp transport of ``AsyncApiClient`` needs the ``persona[async]`` extra.)"""

from .base import AsyncTransport, Transport
from .mock import MockTransport
from .urllib3_transport import Urllib3Transport

__all__ = ["AsyncTransport", "MockTransport", "Transport", "Urllib3Transport"]
