"""The pytest plugin of ``persona``: the ``persona_server`` fixture.

Registered as a ``pytest11`` entry point, so this module is imported by every pytest run
of a project that has ``persona`` installed: it imports nothing at module level beyond
pytest itself, and nothing from the SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from persona.testing.server import ReferenceServer

#: The account every ``persona_server`` starts with.
DEFAULT_EMAIL = "ann@example.com"
DEFAULT_PASSWORD = "old-pass-1"  # noqa: S105 -- a documented test account


@pytest.fixture
def persona_server() -> Iterator[ReferenceServer]:
    """A fresh, started reference server with one account, ``ann@example.com`` with
    password ``old-pass-1``; stopped after the test. Point a client at ``persona_server.url``
    and read mailed codes with ``persona_server.last_code(email)``."""
    from persona.testing.server import ReferenceServer

    with ReferenceServer(accounts={DEFAULT_EMAIL: DEFAULT_PASSWORD}) as server:
        yield server
