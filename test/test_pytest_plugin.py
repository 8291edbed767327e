"""persona's pytest plugin, used the way a user's project uses it.

Each test writes a tiny project of its own (pytester) and runs pytest on it twice:

- ``wheel``: in a virtual environment where persona was installed from its wheel (built
  once per session, see conftest.py's ``dists``), with pytest only, in a subprocess: the
  plugin is found through its ``pytest11`` entry point, as in a user's project;
- ``in-process``: in this process, so that the plugin's code counts for coverage.

The projects run with ``--strict-markers`` and ``filterwarnings = error``, as strict
users' projects do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from _dists import Dists, make_venv, pip_into

from persona.testing.pytest_plugin import SCOPE_OPTION

INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider
filterwarnings = error
"""

Runner = Callable[..., pytest.RunResult]


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, whose in-process runs leave pytest-asyncio out: the users' projects
    here, like the wheel's venv, do not have it (installed for persona's own async tests,
    it would warn, an error under filterwarnings, about its unset loop scope)."""
    run = pytester.runpytest_inprocess

    def without_asyncio(*args: Any, **kwargs: Any) -> pytest.RunResult:
        return run("-p", "no:asyncio", *args, **kwargs)

    monkeypatch.setattr(pytester, "runpytest_inprocess", without_asyncio)
    return pytester


@pytest.fixture(scope="session")
def user_python(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A virtual environment's python with persona (from the wheel) and pytest only."""
    venv = tmp_path_factory.mktemp("user-venv")
    make_venv(venv)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [*pip_into(python), "install", "--quiet", str(dists.wheel), "pytest"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    located = subprocess.run(
        [python, "-c", "import persona; print(persona.__file__)"],
        cwd=venv,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "site-packages" in located  # the wheel's copy, not this checkout
    return python


@pytest.fixture(params=["wheel", "in-process"])
def run_project(request: pytest.FixtureRequest, pytester: pytest.Pytester) -> Iterator[Runner]:
    """Run pytest on the pytester project, in the wheel's venv or in this process."""
    pytester.makeini(INI)
    if request.param == "in-process":
        yield pytester.runpytest_inprocess
        return
    python = request.getfixturevalue("user_python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONA_", "PYTEST_", "COV_"))}

    def run(*args: str) -> pytest.RunResult:
        # Not pytester.run: that would inherit this process's environment, which
        # pytest-cov extends; the user's project has only its own.
        completed = subprocess.run(
            [python, "-m", "pytest", *args],
            cwd=pytester.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return pytest.RunResult(
            completed.returncode,
            completed.stdout.splitlines(),
            completed.stderr.splitlines(),
            0.0,
        )

    yield run


def test_the_default_client_follows_persona_host_test_after_test(
    pytester: pytest.Pytester, run_project: Runner
) -> None:
    # Issue 12's trap: before the fix, the second test reached the first test's port.
    pytester.makepyfile(
        test_trap="""
        import persona

        def forgot(api):
            return api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))

        def test_first(monkeypatch, persona_server):
            monkeypatch.setenv("PERSONA_HOST", persona_server.url)
            assert forgot(persona.AccountApi()).success
            assert persona_server.last_code("ann@example.com")

        def test_second(monkeypatch, persona_server):
            monkeypatch.setenv("PERSONA_HOST", persona_server.url)
            assert forgot(persona.AccountApi()).success
            assert persona_server.last_code("ann@example.com")
            assert persona.ApiClient.get_default().configuration.host == persona_server.url
        """,
        # Only the Configuration: in a fresh process, the client module is never imported.
        test_trap_configuration="""
        import persona

        def test_first(monkeypatch, persona_server):
            monkeypatch.setenv("PERSONA_HOST", persona_server.url)
            assert persona.Configuration.get_default().host == persona_server.url

        def test_second(monkeypatch, persona_server):
            monkeypatch.setenv("PERSONA_HOST", persona_server.url)
            assert persona.Configuration.get_default().host == persona_server.url
        """,
    )
    result = run_project("-v", "test_trap_configuration.py", "test_trap.py")
    result.assert_outcomes(passed=4)


def test_persona_api_runs_the_flow_and_is_closed_after_the_test(
    pytester: pytest.Pytester, run_project: Runner
) -> None:
    pytester.makepyfile(
        test_api="""
        import persona

        seen = []

        def test_the_whole_flow(persona_server, persona_api):
            seen.append(persona_api.api_client)
            persona_api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
            code = persona_server.last_code("ann@example.com")
            token = persona_api.account_code_for_token_post(
                persona.CodeForTokenData(email="ann@example.com", code=code)
            ).token
            persona_api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=token, new_password="new-pass-123")
            )
            assert persona_server.check_password("ann@example.com", "new-pass-123")
            assert persona_api.api_client.configuration.host == persona_server.url

        def test_the_client_of_the_last_test_was_closed():
            assert seen and seen[0].closed
        """
    )
    result = run_project("-v")
    result.assert_outcomes(passed=2)


def test_the_marker_configures_the_server_per_test_and_per_module(
    pytester: pytest.Pytester, run_project: Runner
) -> None:
    pytester.makepyfile(
        test_per_test="""
        import pytest

        import persona

        BOB = {"bob@example.com": "bob-pass-1"}

        class Clock:
            now = 1_700_000_000.0

            def __call__(self):
                return self.now

        CLOCK = Clock()

        def forgot(api, email):
            return api.account_forgot_pass_post(persona.ForgotPasswordData(email=email))

        @pytest.mark.persona_server(BOB, rate_limit=1)
        def test_accounts_and_rate_limit(persona_server, persona_api):
            assert not persona_server.check_password("ann@example.com", "old-pass-1")
            forgot(persona_api, "bob@example.com")
            assert persona_server.last_code("bob@example.com")
            with pytest.raises(persona.TooManyRequestsException) as caught:
                forgot(persona_api, "bob@example.com")
            assert caught.value.retry_after > 10

        @pytest.mark.persona_server(clock=CLOCK)
        def test_clock(persona_server, persona_api):
            forgot(persona_api, "ann@example.com")
            code = persona_server.last_code("ann@example.com")
            CLOCK.now += 15 * 60
            with pytest.raises(persona.UnauthorizedException):
                persona_api.account_code_for_token_post(
                    persona.CodeForTokenData(email="ann@example.com", code=code)
                )

        @pytest.mark.persona_server(faults=["status:500", {"kind": "exception", "times": 1}])
        def test_faults(persona_server, persona_api):
            for _ in range(2):
                with pytest.raises(persona.ServiceException):
                    forgot(persona_api, "ann@example.com")
            assert forgot(persona_api, "ann@example.com").success
            assert persona_server.request_count() == 3
        """,
        test_per_module="""
        import pytest

        import persona

        pytestmark = pytest.mark.persona_server(rate_limit=2, accounts={})

        def forgot(api):
            return api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))

        def test_module_settings(persona_server, persona_api):
            forgot(persona_api)
            forgot(persona_api)
            assert persona_server.last_code("ann@example.com") is None  # no account here
            with pytest.raises(persona.TooManyRequestsException):
                forgot(persona_api)

        @pytest.mark.persona_server(faults=["status:500"])
        def test_a_closer_marker_adds_to_the_module_one(persona_server, persona_api):
            with pytest.raises(persona.ServiceException):
                forgot(persona_api)
            forgot(persona_api)
            forgot(persona_api)
            with pytest.raises(persona.TooManyRequestsException):
                forgot(persona_api)
        """,
    )
    result = run_project("-v")
    result.assert_outcomes(passed=5)


def test_the_factory_makes_more_servers_and_stops_them(
    pytester: pytest.Pytester, run_project: Runner
) -> None:
    pytester.makepyfile(
        test_factory="""
        import urllib3

        import persona

        made = []

        def test_two_servers(persona_server_factory):
            first = persona_server_factory()
            second = persona_server_factory({}, rate_limit=100, faults=["status:503"])
            made.extend([first, second])
            assert first.url != second.url
            assert first.check_password("ann@example.com", "old-pass-1")
            assert not second.check_password("ann@example.com", "old-pass-1")
            config = persona.Configuration(host=second.url, max_retries=0)
            with persona.ApiClient(config) as client:
                api = persona.AccountApi(client)
                body = persona.ForgotPasswordData(email="ann@example.com")
                try:
                    api.account_forgot_pass_post(body)
                except persona.ServiceException as exc:
                    assert exc.status == 503
                else:
                    raise AssertionError("the fault did not fire")
                assert api.account_forgot_pass_post(body).success

        def test_they_were_stopped():
            http = urllib3.PoolManager(retries=False)
            for server in made:
                try:
                    http.request("POST", server.url + "/account/forgotPass", timeout=2)
                except urllib3.exceptions.HTTPError:
                    pass
                else:
                    raise AssertionError(f"{server.url} still answers")
        """
    )
    result = run_project("-v")
    result.assert_outcomes(passed=2)


def test_the_session_scoped_server_is_reset_between_tests(
    pytester: pytest.Pytester, run_project: Runner
) -> None:
    pytester.makeini(INI + f"{SCOPE_OPTION} = session\n")
    pytester.makepyfile(
        test_shared="""
        import pytest

        import persona

        ports = []

        def forgot(api, email="ann@example.com"):
            return api.account_forgot_pass_post(persona.ForgotPasswordData(email=email))

        def test_uses_up_the_rate_limit(persona_server, persona_api):
            ports.append(persona_server.port)
            for _ in range(5):
                forgot(persona_api)
            persona_server.inject_fault("status:500")
            with pytest.raises(persona.ServiceException):
                forgot(persona_api)
            persona_server.inject_fault("status:500")  # armed, never fired

        def test_starts_clean_on_the_same_server(persona_server, persona_api):
            assert persona_server.port == ports[0]
            assert persona_server.request_count() == 0
            assert persona_server.outbox == []
            assert forgot(persona_api).success  # no leftover fault, no 429
            assert persona_server.last_code("ann@example.com")

        @pytest.mark.persona_server(accounts={"bob@example.com": "bob-pass-1"})
        def test_marker_accounts_replace_the_default_one(persona_server):
            assert persona_server.port == ports[0]
            assert persona_server.check_password("bob@example.com", "bob-pass-1")
            assert not persona_server.check_password("ann@example.com", "old-pass-1")

        @pytest.mark.persona_server(rate_limit=1)
        def test_other_options_get_a_server_of_their_own(persona_server, persona_api):
            assert persona_server.port != ports[0]
            forgot(persona_api)
            with pytest.raises(persona.TooManyRequestsException):
                forgot(persona_api)

        def test_the_default_client_follows_persona_host(monkeypatch, persona_server):
            monkeypatch.setenv("PERSONA_HOST", persona_server.url)
            assert forgot(persona.AccountApi()).success
        """
    )
    result = run_project("-v")
    result.assert_outcomes(passed=5)


def test_a_bad_scope_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + f"{SCOPE_OPTION} = module\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{SCOPE_OPTION} must be 'function' or 'session'*"])


def test_a_marker_with_two_positional_arguments_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.persona_server({}, {})
        def test_it(persona_server):
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*one positional argument, accounts*"])


def test_clean_defaults_tolerates_an_invalid_environment(
    pytester: pytest.Pytester,
) -> None:
    # A test may set PERSONA_HOST to something invalid on purpose; dropping the defaults
    # around it must not fail because no valid default can be made from that environment.
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pytest

        import persona

        def test_it(monkeypatch, persona_clean_defaults):
            monkeypatch.setenv("PERSONA_HOST", "ftp://nowhere")
            with pytest.raises(persona.ApiValueError):
                persona.AccountApi()
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1)


def test_the_plugin_imports_neither_server_nor_sdk_client_until_asked() -> None:
    # Every pytest run of a project with persona installed imports the plugin.
    code = textwrap.dedent(
        """
        import sys
        import persona.testing.pytest_plugin
        print(sorted(m for m in sys.modules if m.startswith("persona.")))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "persona.testing.pytest_plugin" in out
    assert "persona.testing.server" not in out
    assert "persona.api_client" not in out


def test_reset_forgets_everything_and_keeps_the_port(tmp_path: Path) -> None:
    import urllib3

    from persona.testing import ReferenceServer

    db = str(tmp_path / "state.sqlite3")
    with ReferenceServer({"ann@example.com": "old-pass-1"}, db=db, rate_limit=1) as srv:
        url = srv.url
        with urllib3.PoolManager(retries=False) as http:

            def forgot() -> int:
                body = {"email": "ann@example.com"}
                return http.request("POST", url + "/account/forgotPass", json=body).status

            assert forgot() == 200
            assert forgot() == 429
            srv.inject_fault("status:503")
            srv.reset()
            assert srv.url == url
            assert srv.outbox == []
            assert srv.request_count() == 0
            assert not srv.check_password("ann@example.com", "old-pass-1")
            assert forgot() == 200  # no fault left, the rate limit's count is gone
            assert srv.last_code("ann@example.com") is None  # and so is the account
    with ReferenceServer(db=db) as again:  # the file was emptied, not only the memory
        assert not again.check_password("ann@example.com", "old-pass-1")
