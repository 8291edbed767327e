"""Shared fixtures of persona's test suites.

Autouse (every test gets them, at no cost):

- ``_isolate_persona_env``: removes every ``PERSONA_*`` environment variable, so a
  developer's shell cannot change what a test sees. Set one with ``monkeypatch.setenv``.
- ``_restore_defaults``: after the test, closes an ``ApiClient.get_default()`` created
  during it and puts back the default ``ApiClient`` and ``Configuration`` it started with.
- ``_restore_persona_logger``: puts back the ``persona`` logger's level and handlers
  (``Configuration(debug=True)`` / ``PERSONA_LOG=debug`` change them).

On request:

- ``make_api(**configuration)``: a factory of :class:`persona.AccountApi` bound to the
  pytest-httpserver ``httpserver`` (host ``<httpserver>/v1``), ``max_retries=0`` unless
  given; every ApiClient it made is closed after the test. ``make_api.clients`` lists them.
- ``api``: ``make_api()`` - the common case.
- ``api_client``: the ApiClient behind ``api``.
- ``base_url``: the httpserver URL the ``api`` fixture's host points at (``.../v1``).
- ``unused_url``: an ``http://127.0.0.1:<port>/v1`` on which nothing listens.
- ``dists`` (session): persona's sdist and wheel, built once per run (its xdist workers
  share them) from a clean copy of the repository (see ``_dists.py``); skipped outside a
  git checkout.

Coverage: ``fail_under`` (pyproject.toml) is checked on the whole suite only (``pytest``,
or ``pytest test/``, nothing selected out: what CI runs); a run of one file or a ``-k``
selection measures and reports coverage, but a subset cannot reach the whole suite's
threshold, so it is not held to it (``pytest_configure`` below).

The ``pytester`` plugin is on, for the tests of persona's own pytest plugin, and persona's
plugin is loaded from here (see ``addopts`` in pyproject.toml).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
import trustme
from _dists import Dists, build, can_build, clean_copy
from pytest_httpserver import HTTPServer

from persona import AccountApi, ApiClient, Configuration

# persona's plugin by module, not by its entry point (see addopts in pyproject.toml).
pytest_plugins = ("pytester", "persona.testing.pytest_plugin", "_skip_reasons")


TEST_DIR = Path(__file__).resolve().parent


def whole_suite(config: Any) -> bool:
    """Whether this run is the whole suite: the test folder itself (pytest's ``testpaths``
    or ``test/`` given), and no test selected out by ``-k``, ``-m`` or ``--deselect``."""
    option = config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
        return False
    if getattr(option, "deselect", None):
        return False
    here = Path(config.invocation_params.dir)
    return all((here / arg).resolve() == TEST_DIR for arg in config.args)


def pytest_configure(config: pytest.Config) -> None:
    cov = config.pluginmanager.getplugin("_cov")
    if cov is None or whole_suite(config):
        return
    options = getattr(cov, "options", None)
    if options is not None and getattr(options, "cov_fail_under", None):
        # pytest-cov read fail_under from pyproject.toml when it started; a subset of the
        # suite is not held to it (the whole suite, in CI, is).
        options.cov_fail_under = None
        config.stash[_SUBSET_KEY] = True


_SUBSET_KEY = pytest.StashKey[bool]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(_SUBSET_KEY, False):
        terminalreporter.write_line(
            "coverage: a part of the suite ran, so its fail_under threshold was not "
            "checked (it is on the whole suite: python3 -m pytest)"
        )


@pytest.fixture(autouse=True)
def _isolate_persona_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PERSONA_"):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _restore_defaults() -> Iterator[None]:
    client_before = ApiClient._default
    config_before = Configuration._default
    yield
    client_after = ApiClient._default
    if client_after is not None and client_after is not client_before:
        client_after.close()
    ApiClient.set_default(client_before)
    Configuration.set_default(config_before)


@pytest.fixture(autouse=True)
def _restore_persona_logger() -> Iterator[None]:
    logger = logging.getLogger("persona")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


class ApiFactory:
    """Builds AccountApi objects bound to a pytest-httpserver; closes their clients."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.clients: list[ApiClient] = []

    @property
    def base_url(self) -> str:
        return self.server.url_for("/v1")

    def __call__(self, **configuration: Any) -> AccountApi:
        configuration.setdefault("host", self.base_url)
        configuration.setdefault("max_retries", 0)
        client = ApiClient(Configuration(**configuration))
        self.clients.append(client)
        return AccountApi(client)

    def close(self) -> None:
        for client in self.clients:
            client.close()


@pytest.fixture
def make_api(httpserver: HTTPServer) -> Iterator[Callable[..., AccountApi]]:
    factory = ApiFactory(httpserver)
    yield factory
    factory.close()


@pytest.fixture
def api(make_api: Callable[..., AccountApi]) -> AccountApi:
    return make_api()


@pytest.fixture
def api_client(api: AccountApi) -> ApiClient:
    return api.api_client


@pytest.fixture
def base_url(httpserver: HTTPServer) -> str:
    return httpserver.url_for("/v1")


@pytest.fixture
def unused_url() -> str:
    """A loopback URL nothing listens on (the port was bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    if not can_build():
        pytest.skip("needs a git checkout to make a clean copy")
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # this run's temporary folder, shared by its xdist workers
    # Built once per run: the first worker to ask builds, the other waits and reuses.
    with open(root / "dists.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        out = root / "dists"
        if not out.exists():
            building = root / "dists-building"
            shutil.rmtree(building, ignore_errors=True)  # what a failed build left
            build(clean_copy(root / "dists-src"), building)
            building.rename(out)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dists(sdist=sdist, wheel=wheel)


# -- TLS: one test CA per module (trustme), for the sync and async TLS suites ----------
@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A test certificate authority (trustme) for the module's servers."""
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test CA's certificate as a PEM file, for ``ssl_ca_cert``."""
    path = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)
