"""Each test sees only its own state from persona's fixtures, whatever the scope and however
the suite is split: requests a test leaves in flight, a test that stops the shared server,
and xdist workers given one ``PERSONA_OUTBOX``. Users' projects, run by pytester.
"""

from __future__ import annotations

import importlib.util

import pytest

from persona.testing.pytest_plugin import SCOPE_OPTION

INI = """
[pytest]
addopts = --strict-markers -p no:cacheprovider -p no:asyncio
filterwarnings = error
"""


def test_a_request_left_in_flight_cannot_reach_the_next_test(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + f"{SCOPE_OPTION} = session\n")
    pytester.makepyfile(
        test_leak="""
        import threading, time
        import urllib3

        def forgot(url):
            pool = urllib3.PoolManager(retries=False, timeout=10)
            try:
                pool.request(
                    "POST", url + "/account/forgotPass", body=b'{"email":"ann@example.com"}',
                    headers={"Content-Type": "application/json"},
                )
            except urllib3.exceptions.HTTPError:
                pass  # the reset ends it: that is the point
            finally:
                pool.clear()

        def test_a_leaves_a_request_in_flight(persona_server):
            persona_server.inject_fault("stall:1")
            threading.Thread(target=forgot, args=(persona_server.url,), daemon=True).start()
            deadline = time.monotonic() + 5
            while persona_server.request_count() == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert persona_server.request_count() == 1

        def test_b_sees_nothing_of_it(persona_server):
            time.sleep(1.5)  # past the stall: a leaked request would have mailed by now
            assert persona_server.outbox == []
            assert persona_server.last_code("ann@example.com") is None
            assert persona_server.request_count() == 0
        """
    )
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(passed=2)


def test_a_test_cannot_stop_the_shared_server_for_the_tests_after_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI + f"{SCOPE_OPTION} = session\n")
    pytester.makepyfile(
        test_stop="""
        import pytest
        import persona

        def forgot(api):
            return api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))

        def test_a_uses_with(persona_server, persona_api):
            with persona_server:
                assert forgot(persona_api).success
            with pytest.raises(RuntimeError, match="shared"):
                persona_server.stop()

        def test_b_still_has_a_server(persona_server, persona_api):
            assert forgot(persona_api).success
            assert persona_server.last_code("ann@example.com")
        """
    )
    result = pytester.runpytest_inprocess("-v")
    result.assert_outcomes(passed=2)


def test_a_with_block_leaves_a_server_it_did_not_start_running() -> None:
    from persona.testing import ReferenceServer

    server = ReferenceServer(outbox="").start()
    try:
        with server:
            pass
        assert server.request_count() == 0  # still serving: the socket answers below
        import urllib3

        pool = urllib3.PoolManager(retries=False, timeout=5)
        try:
            assert pool.request("GET", server.url + "/account/forgotPass").status == 405
        finally:
            pool.clear()
    finally:
        server.stop()
    with ReferenceServer(outbox="") as started_here:
        assert started_here.port > 0


TESTS_SHARING_AN_OUTBOX = """
import os
import persona
from persona.testing import last_code_in_file

def run(persona_server, persona_api, email):
    persona_server.add_account(email, "old-pass-1")
    persona_api.account_forgot_pass_post(persona.ForgotPasswordData(email=email))
    code = last_code_in_file(os.environ["PERSONA_OUTBOX"], email)
    assert code == persona_server.last_code(email), "read another server's code"
    token = persona_api.account_code_for_token_post(
        persona.CodeForTokenData(email=email, code=code)
    ).token
    assert token

""" + "".join(
    f"""
def test_{n}(persona_server, persona_api):
    run(persona_server, persona_api, "user@example.com")
"""
    for n in range(20)
)


@pytest.mark.skipif(
    importlib.util.find_spec("xdist") is None, reason="needs pytest-xdist (test-requirements.txt)"
)
def test_xdist_workers_given_one_outbox_each_read_their_own_codes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session scope: one server per worker for the whole run, so the two workers'
    # servers live side by side with one PERSONA_OUTBOX (the function scope shares the
    # same code path, _private_outbox, and costs another xdist start).
    scope = "session"
    shared = pytester.path / "shared-outbox.jsonl"
    monkeypatch.setenv("PERSONA_OUTBOX", str(shared))
    pytester.makeini(INI + f"{SCOPE_OPTION} = {scope}\n")
    pytester.makepyfile(test_outbox=TESTS_SHARING_AN_OUTBOX)
    # A user's project: persona's plugin and xdist, not every plugin installed here
    # (loading hypothesis, schemathesis, ... would cost each of the three processes seconds).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "-p", "persona", timeout=180)
    result.assert_outcomes(passed=20)
