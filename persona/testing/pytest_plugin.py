"""The pytest plugin of ``persona``: the ``persona_server`` fixture, and
``persona_async_client`` for async tests.

Registered as a ``pytest11`` entry point, so this module is imported by every pytest run
of a project that has ``persona`` installed: it imports nothing at module level beyond
pytest itself (and pytest-asyncio, when that plugin is installed and so loaded anyway),
and nothing from the SDK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from persona.async_api_client import AsyncApiClient
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


def _async_fixture(function: Callable[..., Any]) -> Any:
    """An async fixture: pytest-asyncio's when it is installed (its strict mode needs
    its own decorator), else pytest's own (which anyio's plugin runs for anyio tests)."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - depends on the user's plugins
        return pytest.fixture(function)
    return pytest_asyncio.fixture(function)


@_async_fixture
async def persona_async_client(persona_server: ReferenceServer) -> AsyncIterator[AsyncApiClient]:
    """An :class:`persona.AsyncApiClient` pointed at ``persona_server`` (no retries, so a
    test sees the first answer), closed after the test. Needs ``persona[async]`` and an
    async test plugin (pytest-asyncio or anyio)::

        @pytest.mark.asyncio
        async def test_forgot(persona_async_client):
            api = persona.AsyncAccountApi(persona_async_client)
            await api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    """
    from persona.async_api_client import AsyncApiClient
    from persona.configuration import Configuration

    async with AsyncApiClient(Configuration(host=persona_server.url, max_retries=0)) as client:
        yield client
