"""The pytest plugin of ``persona``: reference-server and client fixtures for your tests.

Registered as a ``pytest11`` entry point, so every pytest run of a project that has
``persona`` installed loads it: it imports nothing at module level beyond pytest itself,
and the server and the SDK only when a test asks for a fixture.

Fixtures (see ``docs/Testing.md``):

``persona_server``
    A started :class:`~persona.testing.server.ReferenceServer` with the account
    ``ann@example.com`` / ``old-pass-1``, fresh for each test, configured by the
    ``persona_server`` marker; or one server shared by the session, reset before each test,
    with the ini option ``persona_server_scope = session``.
``persona_api``
    A :class:`persona.AccountApi` bound to ``persona_server``; its client is closed after
    the test.
``persona_async_api``, ``persona_async_client``
    The async twins (``persona-account-sdk[async]`` and pytest-asyncio or anyio): an
    :class:`persona.AsyncAccountApi` and its :class:`persona.AsyncApiClient`, bound to
    ``persona_server``, closed after the test.
``persona_server_factory``
    Makes more servers, configured by keyword; stops them after the test.
``persona_shared_server``
    The session's shared server (what ``persona_server`` resets and hands out in session
    scope); for session-scoped fixtures of your own.
``persona_clean_defaults``
    Drops the SDK's process-wide default ``ApiClient`` and ``Configuration`` before and
    after the test. Every server fixture uses it, so that ``persona.AccountApi()`` reads
    ``PERSONA_HOST`` afresh in each test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from persona import AccountApi, AsyncAccountApi, Configuration
    from persona.async_api_client import AsyncApiClient
    from persona.testing.server import ReferenceServer

#: The account every server of these fixtures starts with, unless told otherwise.
DEFAULT_EMAIL = "ann@example.com"
DEFAULT_PASSWORD = "old-pass-1"  # noqa: S105 -- a documented test account
DEFAULT_ACCOUNTS: Mapping[str, str] = {DEFAULT_EMAIL: DEFAULT_PASSWORD}

#: The ini option that chooses between a server per test and one per session.
SCOPE_OPTION = "persona_server_scope"
SCOPES = ("function", "session")
#: Marker options a shared server can honour after a reset; any other gets its own server.
SHAREABLE_OPTIONS = frozenset({"accounts", "faults"})

#: A fault as the ``faults=`` option takes it: ``"status:503"``, or the keyword
#: arguments of :meth:`ReferenceServer.inject_fault`, ``{"kind": "drop_before", "times": 2}``.
Fault = Union[str, Mapping[str, Any]]
ServerFactory = Callable[..., "ReferenceServer"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the ``persona_server_scope`` ini option."""
    parser.addini(
        SCOPE_OPTION,
        "persona_server fixture: 'function' (a fresh server for each test, the default) or "
        "'session' (one server for the session, reset before each test)",
        default="function",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``persona_server`` marker and check the ini option."""
    config.addinivalue_line(
        "markers",
        "persona_server(accounts=None, *, rate_limit=5, clock=None, faults=(), **options): "
        "configure the persona_server fixture of a test, class or module (options are "
        "ReferenceServer's; faults are armed before the test)",
    )
    scope = config.getini(SCOPE_OPTION)
    if scope not in SCOPES:
        raise pytest.UsageError(f"{SCOPE_OPTION} must be 'function' or 'session', not {scope!r}")


def _forget_sdk_defaults() -> None:
    """Drop the SDK's default ApiClient (closing it) and default Configuration.

    Each only if its module was imported: one never imported has no default to drop, and
    the plugin stays free for runs that do not use the SDK.
    """
    if "persona.api_client" in sys.modules:
        from persona.api_client import ApiClient
        from persona.exceptions import ApiException

        try:
            # The public way to reach the current default; it makes one if there is none,
            # which is then closed at once.
            replaced: Optional[ApiClient] = ApiClient.get_default()
        except ApiException:
            # No default, and the environment a test set on purpose describes no valid one.
            replaced = None
        ApiClient.set_default(None)
        if replaced is not None:
            replaced.close()
    if "persona.configuration" in sys.modules:
        from persona.configuration import Configuration

        Configuration.set_default(None)


@pytest.fixture
def persona_clean_defaults() -> Iterator[None]:
    """The SDK's process-wide defaults, dropped before and after the test.

    ``persona.AccountApi()`` and ``persona.ApiClient()`` without arguments use a default
    ``ApiClient`` and ``Configuration``, made on first use from the environment and then
    kept for the life of the process. This fixture drops both (closing the client) before
    the test and again after it, so that a test that sets ``PERSONA_HOST`` (with
    ``monkeypatch.setenv``) and calls ``persona.AccountApi()`` reaches its own server, not
    the one of an earlier test. Every server fixture of this plugin requests it.
    """
    _forget_sdk_defaults()
    yield
    _forget_sdk_defaults()


def _arm(server: ReferenceServer, faults: Iterable[Fault]) -> None:
    for fault in faults:
        if isinstance(fault, str):
            server.inject_fault(fault)
        else:
            server.inject_fault(**fault)


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The options of every ``persona_server`` marker on the test, its class and module;
    the closest marker wins an option given twice."""
    options: dict[str, Any] = {}
    for marker in request.node.iter_markers("persona_server"):  # closest first
        if len(marker.args) > 1:
            raise pytest.UsageError("persona_server marker: one positional argument, accounts")
        given = dict(marker.kwargs)
        if marker.args:
            given["accounts"] = marker.args[0]
        for name, value in given.items():
            options.setdefault(name, value)
    return options


@pytest.fixture
def persona_server_factory(
    persona_clean_defaults: None,
) -> Iterator[ServerFactory]:
    """A function that starts reference servers; each is stopped after the test.

    ``persona_server_factory(accounts=None, *, faults=(), **options)`` takes
    ``ReferenceServer``'s options (``rate_limit``, ``clock``, ``outbox``, ``db``, ...) and
    ``faults``, a list of faults to arm (``"status:503"``, or ``inject_fault``'s keyword
    arguments as a dict). ``accounts`` defaults to ``ann@example.com`` / ``old-pass-1``;
    ``{}`` starts with none. Use it for a second server, or one built inside the test.
    """
    from persona.testing.server import ReferenceServer

    servers: list[ReferenceServer] = []

    def make(
        accounts: Optional[Mapping[str, str]] = None,
        *,
        faults: Iterable[Fault] = (),
        **options: Any,
    ) -> ReferenceServer:
        server = ReferenceServer(DEFAULT_ACCOUNTS if accounts is None else accounts, **options)
        server.start()
        servers.append(server)  # before arming: a bad fault must not leak a running server
        _arm(server, faults)
        return server

    try:
        yield make
    finally:
        for server in reversed(servers):
            server.stop()


def _outbox_wanted() -> bool:
    from persona.testing.outbox import OUTBOX_ENV

    return bool(os.environ.get(OUTBOX_ENV))


def _private_outbox(factory: pytest.TempPathFactory, name: str) -> str:
    """A fresh outbox file for one fixture server, in this run's (this xdist worker's)
    temporary directory: servers of parallel workers, or of successive tests, never
    share one, as they would share a ``PERSONA_OUTBOX`` given to the whole run."""
    return str(factory.mktemp(f"persona-outbox-{name}", numbered=True) / "outbox.jsonl")


@pytest.fixture(scope="session")
def persona_shared_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ReferenceServer]:
    """One reference server for the whole session, with default settings.

    With ``persona_server_scope = session``, ``persona_server`` resets it before each test
    and hands it out. Request it directly only from session-scoped fixtures of your own
    (a client kept for the session, say): a test that uses it directly sees what earlier
    tests left behind.
    """
    from persona.testing.server import ReferenceServer

    outbox = _private_outbox(tmp_path_factory, "session") if _outbox_wanted() else None
    with ReferenceServer(accounts=DEFAULT_ACCOUNTS, outbox=outbox) as server:
        # Tests get this server through persona_server; a test's `with persona_server:`
        # or stop() must not end it for the tests after it.
        server.pin()
        try:
            yield server
        finally:
            server.unpin()


@pytest.fixture
def persona_server(
    request: pytest.FixtureRequest,
    persona_server_factory: ServerFactory,
    persona_clean_defaults: None,
) -> Iterator[ReferenceServer]:
    """A started reference server with one account, ``ann@example.com`` with password
    ``old-pass-1``. Point a client at ``persona_server.url`` (or use ``persona_api``) and
    read mailed codes with ``persona_server.last_code(email)``.

    A fresh server for each test, stopped after it; configure it with the
    ``persona_server`` marker, on a test, a class or a module (``pytestmark``)::

        @pytest.mark.persona_server(accounts={"bob@example.com": "pw-123456"}, rate_limit=100)

    With the ini option ``persona_server_scope = session``, one server serves the whole
    session and is reset before each test (accounts, codes, tokens, rate-limit counts,
    outbox, recorded requests and faults are forgotten; its port stays), and again after
    it; requests a test left in flight are ended first, so they cannot reach the next
    test's state. A marker's ``accounts`` and ``faults`` apply to it; a test whose marker
    sets any other option (``rate_limit``, ``clock``, ...) gets a server of its own. The
    shared server cannot be stopped by a test (``with persona_server:`` leaves it running;
    ``stop()`` raises).

    When ``PERSONA_OUTBOX`` is set, each fixture server writes its own outbox file (in the
    run's temporary directory, so xdist workers never share one) and ``PERSONA_OUTBOX``
    points at it for the test: code that reads the variable reads this test's codes.
    """
    options = _marker_options(request)
    shared = request.config.getini(SCOPE_OPTION) == "session"
    shared_server: Optional[ReferenceServer] = None
    if shared and set(options) <= SHAREABLE_OPTIONS:
        server: ReferenceServer = request.getfixturevalue("persona_shared_server")
        shared_server = server
        server.reset()
        accounts = options.get("accounts")
        for email, password in (DEFAULT_ACCOUNTS if accounts is None else accounts).items():
            server.add_account(email, password)
        _arm(server, options.get("faults", ()))
    else:
        if _outbox_wanted() and "outbox" not in options:
            factory = request.getfixturevalue("tmp_path_factory")
            options["outbox"] = _private_outbox(factory, "test")
        server = persona_server_factory(**options)
    outbox = server.outbox_path
    if outbox:
        # Code that reads $PERSONA_OUTBOX (last_code_in_file, the CLI) reads this test's.
        monkeypatch = request.getfixturevalue("monkeypatch")
        from persona.testing.outbox import OUTBOX_ENV

        monkeypatch.setenv(OUTBOX_ENV, outbox)
    yield server
    if server is shared_server:
        # What this test left running must not reach the next test's state either.
        server.reset()


def client_configuration(server: ReferenceServer) -> Configuration:
    """The ``Configuration`` of the client fixtures: the server's URL; every other setting
    from the environment and the SDK's defaults, as in your application."""
    from persona import Configuration

    return Configuration(host=server.url)


@pytest.fixture
def persona_api(persona_server: ReferenceServer) -> Iterator[AccountApi]:
    """A ``persona.AccountApi`` on its own ``ApiClient``, bound to ``persona_server``
    (so the marker and the session scope apply to it too); the client is closed after
    the test. Its settings are the SDK's defaults (retries included) and the environment;
    for others, build ``persona.ApiClient(persona.Configuration(host=persona_server.url,
    ...))`` yourself."""
    from persona import AccountApi, ApiClient

    with ApiClient(client_configuration(persona_server)) as client:
        yield AccountApi(client)


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
    """An :class:`persona.AsyncApiClient` bound to ``persona_server`` (the marker and the
    session scope apply), with the same settings as ``persona_api``'s client; closed after
    the test. Needs ``persona-account-sdk[async]`` and an async test plugin (pytest-asyncio
    or anyio)::

        @pytest.mark.asyncio
        async def test_forgot(persona_async_client):
            api = persona.AsyncAccountApi(persona_async_client)
            await api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    """
    from persona.async_api_client import AsyncApiClient

    async with AsyncApiClient(client_configuration(persona_server)) as client:
        yield client


@pytest.fixture
def persona_async_api(persona_async_client: AsyncApiClient) -> AsyncAccountApi:
    """The async twin of ``persona_api``: an :class:`persona.AsyncAccountApi` on
    ``persona_async_client``."""
    from persona import AsyncAccountApi

    return AsyncAccountApi(persona_async_client)
