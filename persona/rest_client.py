"""``RESTClientObject``: the default transport with the retry loop around it, for code
that sends raw requests the way generated clients did (the API methods go through
:class:`~persona.ApiClient` instead). Imported as ``persona.rest.RESTClientObject``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import urllib3

from .configuration import Configuration
from .core.attempts import CallPlan
from .core.policy import Timeout
from .core.request import Request, check_header
from .core.response import RESTResponse
from .retry_loop import send_with_retries
from .transports.urllib3_transport import Urllib3Transport

__all__ = ["RESTClientObject"]


class RESTClientObject:
    """Sends raw requests over a :class:`~persona.transports.Urllib3Transport`, with
    ``configuration``'s retries and deadline. Returns every status as a
    :class:`RESTResponse`; raises :class:`~persona.ApiConnectionError` (or a subclass)
    when no response came."""

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self.transport = Urllib3Transport(configuration)

    @property
    def pool_manager(self) -> urllib3.PoolManager:
        """The urllib3 PoolManager (or ProxyManager) in use."""
        return self.transport.pool_manager

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: Optional[bytes] = None,
        *,
        timeout: Any = None,
        secrets: tuple[str, ...] = (),
    ) -> RESTResponse:
        """Send one call, retrying as the configuration allows; return the final response.

        ``timeout`` (per attempt) is a number, a ``(connect, read)`` pair or a Timeout,
        overriding ``Configuration.timeout``. ``secrets`` are values never to be logged.
        """
        config = self.configuration
        limits = config.timeouts
        if timeout is not None:
            limits = Timeout.of(timeout, "_request_timeout", limits.total)
        # Checked here as every API call's headers are: http.client's own refusal would be
        # a ValueError quoting the value (a credential, perhaps), after a connection.
        checked = {name: check_header(name, value) for name, value in headers.items()}
        request = Request(method, url, checked, body, secrets)
        plan = CallPlan(request, limits, config.retry_policy, config.debug)
        return send_with_retries(self.transport, plan)

    def close(self) -> None:
        """Close every pooled connection; later requests raise ApiClosedError."""
        self.transport.close()
