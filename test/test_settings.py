"""Settings as one value: each declared once, a with_options() copy that shares nothing
that can change, "not given" told apart from None, and a Configuration in use by a
client not changed in place (deprecated: a warning naming with_options, in 1.x)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import persona
from persona import ApiTimeoutError, ApiTypeError, Configuration

DOCS = Path(__file__).resolve().parent.parent / "docs" / "Configuration.md"
FORGOT = "/v1/account/forgotPass"


def body() -> persona.ForgotPasswordData:
    return persona.ForgotPasswordData(email="ann@example.com")


def slow_answer(seconds: float) -> object:
    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response('{"success": true}', content_type="application/json")

    return handler


# -- declared once ---------------------------------------------------------------------
def test_each_setting_is_declared_once_with_default_env_check_and_docs_line() -> None:
    settings = Configuration._settings
    assert list(settings)[:4] == ["host", "timeout", "deadline", "max_retries"]
    for name, spec in settings.items():
        assert spec.name == name
        assert spec.doc.strip(), name
        assert callable(spec.check), name
    # The docs' table is the declarations' (run Configuration.docs_table() to refresh it).
    assert Configuration.docs_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/Configuration.md's settings table differs from the declarations; it should be:\n"
        + Configuration.docs_table()
    )


def test_the_environment_fills_what_is_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONA_HOST", "http://env.example/v1")
    monkeypatch.setenv("PERSONA_TIMEOUT", "7")
    assert Configuration().host == "http://env.example/v1"
    assert Configuration(host=None).host == "http://env.example/v1"  # None: not given
    assert Configuration("http://given.example/v1").host == "http://given.example/v1"
    assert Configuration().timeout == (7.0, 7.0)


# -- with_options: a copy that shares nothing that can change ---------------------------
def test_a_copy_never_shares_settings_or_headers_with_its_parent(base_url: str) -> None:
    with persona.ApiClient(Configuration(host=base_url)) as parent:
        parent.set_default_header("X-Tenant", "a")
        child = parent.with_options(timeout=5, headers={"X-Child": "1"})
        assert child.configuration is not parent.configuration
        assert child.configuration.host == parent.configuration.host
        assert child.default_headers == {"X-Tenant": "a", "X-Child": "1"}
        assert parent.default_headers == {"X-Tenant": "a"}
        child.set_default_header("X-Tenant", "b")
        assert parent.default_headers["X-Tenant"] == "a"
        # Even a (deprecated) change in place of the parent's settings stays the parent's.
        with pytest.warns(DeprecationWarning, match="with_options"):
            parent.configuration.max_retries = 0
        assert child.configuration.max_retries == 2
        # ... and the other way round.
        with pytest.warns(DeprecationWarning, match="in use by a client"):
            child.configuration.deadline = 9
        assert parent.configuration.deadline == 120


def test_replace_makes_new_settings_no_client_uses(base_url: str) -> None:
    config = Configuration(host=base_url)
    with persona.ApiClient(config):
        assert config.in_use
        other = config.replace(max_retries=0)
        assert other is not config
        assert not other.in_use
        assert (other.max_retries, config.max_retries) == (0, 2)
        other.max_retries = 1  # not in use: no warning (filterwarnings=error would raise)
        with pytest.raises(TypeError, match="no setting 'max_retires'"):
            config.replace(max_retires=1)


# -- "not given" is not None -------------------------------------------------------------
def test_timeout_none_means_no_per_attempt_limit(httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_handler(slow_answer(1.0))
    config = Configuration(host=httpserver.url_for("/v1"), timeout=0.3, max_retries=0)
    with persona.ApiClient(config) as client:
        api = persona.AccountApi(client)
        with pytest.raises(ApiTimeoutError):
            api.account_forgot_pass_post(body())
        unlimited = client.with_options(timeout=None, deadline=5)
        assert unlimited._settings_now().timeout == persona.Timeout(5, 5, 5)
        assert persona.AccountApi(unlimited).account_forgot_pass_post(body()).success is True
        # Per call, the same name means the same thing.
        assert api.account_forgot_pass_post(body(), timeout=None, deadline=5).success is True
        # Left out, the option keeps the client's value (a timeout of 0.3 s).
        kept = client.with_options(deadline=5)
        assert kept._settings_now().timeout.read == 0.3


def test_the_old_per_call_names_are_aliases(httpserver: HTTPServer, base_url: str) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with persona.ApiClient(Configuration(host=base_url)) as client:
        api = persona.AccountApi(client)
        api.account_forgot_pass_post(body(), headers={"X-A": "1"}, idempotency_key="k-1")
        api.account_forgot_pass_post(body(), _headers={"X-A": "2"}, _idempotency_key="k-2")
        sent = [request for request, _ in httpserver.log]
        assert [r.headers["X-A"] for r in sent] == ["1", "2"]
        assert [r.headers["Idempotency-Key"] for r in sent] == ["k-1", "k-2"]
        with pytest.raises(ApiTypeError, match="_headers and headers are one option"):
            api.account_forgot_pass_post(body(), headers={"X-A": "1"}, _headers={"X-A": "2"})
        with pytest.raises(ApiTypeError, match=r"^headers: must be a dict"):
            api.account_forgot_pass_post(body(), headers=["X-A"])  # type: ignore[typeddict-item]
    assert len(httpserver.log) == 2  # the refused calls sent nothing


# -- a Configuration in use is not changed in place --------------------------------------
def test_changing_settings_a_client_uses_warns_naming_with_options(base_url: str) -> None:
    config = Configuration(host=base_url)
    config.max_retries = 1  # no client yet: a plain change
    with persona.ApiClient(config) as client:
        with pytest.warns(DeprecationWarning, match="in use by a client") as caught:
            config.timeout = 5
        message = str(caught[0].message)
        assert "client.with_options(timeout=...)" in message
        assert "Configuration.replace(timeout=...)" in message
        assert "persona 2.0" in message
        assert caught[0].filename == __file__  # points at the user's line
        # 1.x: the change still reaches the client's next call.
        assert client._settings_now().timeout.read == 5
    # A value refused by its check is refused whether or not in use, with no warning.
    with pytest.raises(persona.ApiValueError, match=r"^deadline: "):
        config.deadline = -1


def test_the_default_configuration_is_in_use_once_the_default_client_exists() -> None:
    persona.ApiClient.set_default(None)
    Configuration.set_default(None)
    try:
        copy = Configuration.get_default_copy()
        copy.host = "http://example.test/v1"  # a copy is the user's: no warning
        client = persona.ApiClient.get_default()
        assert client.configuration.in_use
        with pytest.warns(DeprecationWarning, match=re.escape("with_options(host=...)")):
            client.configuration.host = "http://other.test/v1"
    finally:
        persona.ApiClient.get_default().close()
        persona.ApiClient.set_default(None)
        Configuration.set_default(None)
