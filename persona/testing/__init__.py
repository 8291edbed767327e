"""``persona.testing``: the reference server of the Persona Account API, for tests and demos.

``ReferenceServer`` serves the contract over HTTP from a background thread (see
``docs/Testing.md``); ``python -m persona.testing serve`` runs it from a shell; the pytest
plugin (``pytest_plugin.py``) gives tests ``persona_server``, ``persona_api`` and their
family. ``MockTransport`` answers an SDK client's requests from a function, for unit
tests without sockets; ``Request`` is what that function receives.

Names are imported lazily, so that importing the pytest plugin (done by every pytest run)
costs nothing until a test actually uses a server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from persona.core.request import Request
    from persona.testing.limits import OutboxLimits
    from persona.testing.outbox import OutboxEntry, last_code_in_file
    from persona.testing.recording import RecordedRequest
    from persona.testing.server import ReferenceServer
    from persona.transports.mock import MockTransport

__all__ = [
    "MockTransport",
    "OutboxEntry",
    "OutboxLimits",
    "RecordedRequest",
    "ReferenceServer",
    "Request",
    "last_code_in_file",
]

_LAZY = {
    "ReferenceServer": "persona.testing.server",
    "RecordedRequest": "persona.testing.recording",
    "OutboxEntry": "persona.testing.outbox",
    "OutboxLimits": "persona.testing.limits",
    "last_code_in_file": "persona.testing.outbox",
    # Part of the SDK, not of the server: offered here beside the server for tests.
    "MockTransport": "persona.transports.mock",
    # What a MockTransport handler receives, to annotate handlers with.
    "Request": "persona.core.request",
}


def __getattr__(name: str) -> Any:
    """Import the public names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    """List the public names, lazy ones included."""
    return sorted(set(globals()) | set(__all__))
