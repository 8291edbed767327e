"""The transport's simple paths: RESTResponse, connection refused, retries on 503/429
with the same Idempotency-Key, pool settings (TLS, proxy), the plain-http warning and
secret-free debug logs. Timeouts, resets and TLS handshakes are in test_faults/test_tls."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Callable

import pytest
import urllib3
from pytest_httpserver import HTTPServer
from urllib3 import HTTPHeaderDict

import persona
from persona import (
    AccountApi,
    ApiClient,
    ApiConnectionError,
    ApiException,
    Configuration,
    ForgotPasswordData,
    UpdatePasswordData,
)
from persona.rest import RESTClientObject, RESTResponse

FORGOT = "/v1/account/forgotPass"


def forgot() -> ForgotPasswordData:
    return ForgotPasswordData(email="ann@example.com")


def test_api_exception_is_importable_from_rest() -> None:
    from persona.rest import ApiException as FromRest

    assert FromRest is ApiException is persona.ApiException


# -- RESTResponse ------------------------------------------------------------------
def test_rest_response_accessors() -> None:
    headers = HTTPHeaderDict({"X-Request-Id": "r-1", "Content-Type": "application/json"})
    response = RESTResponse(201, "Created", headers, b"{}")
    assert (response.status, response.reason, response.data) == (201, "Created", b"{}")
    assert response.read() == b"{}"
    assert response.getheaders() is headers
    assert response.getheader("content-type") == "application/json"
    assert response.getheader("X-Missing") is None
    assert response.getheader("X-Missing", "d") == "d"
    assert response.request_id == "r-1"
    assert repr(response) == "RESTResponse(status=201, request_id='r-1')"


def test_rest_response_without_request_id() -> None:
    assert RESTResponse(200, "OK", HTTPHeaderDict(), b"").request_id is None


# -- connection failures and retries ---------------------------------------------------
def test_connection_refused_is_an_api_connection_error_with_cause(
    make_api: Callable[..., AccountApi], unused_url: str
) -> None:
    api = make_api(host=unused_url)
    with pytest.raises(ApiConnectionError) as info:
        api.account_forgot_pass_post(forgot())
    error = info.value
    assert error.status == 0
    assert "cannot connect to http://127.0.0.1:" in str(error)
    assert isinstance(error.__cause__, urllib3.exceptions.HTTPError)
    assert not isinstance(error, persona.ApiTimeoutError)


def test_connection_refused_is_retried_then_raised(
    make_api: Callable[..., AccountApi], unused_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api(host=unused_url, max_retries=2, backoff_base=0.001)
    with caplog.at_level(logging.INFO, logger="persona"), pytest.raises(ApiConnectionError):
        api.account_forgot_pass_post(forgot())
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    assert len(retries) == 2
    assert "(retry 2 of 2)" in retries[-1].getMessage()


def test_503_is_retried_with_the_same_idempotency_key_then_200(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer
) -> None:
    api = make_api(max_retries=2, backoff_base=0.001)
    httpserver.expect_ordered_request(FORGOT).respond_with_json({}, status=503)
    httpserver.expect_ordered_request(FORGOT).respond_with_json({}, status=503)
    httpserver.expect_ordered_request(FORGOT).respond_with_json({"success": True})
    assert api.account_forgot_pass_post(forgot()).success is True
    assert len(httpserver.log) == 3
    keys = {request.headers["Idempotency-Key"] for request, _ in httpserver.log}
    assert len(keys) == 1
    bodies = {request.get_data() for request, _ in httpserver.log}
    assert len(bodies) == 1


def test_retries_are_bounded_by_max_retries(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer
) -> None:
    api = make_api(max_retries=1, backoff_base=0.001)
    httpserver.expect_request(FORGOT).respond_with_json(
        {"code": "internal_error", "message": "down"}, status=503
    )
    with pytest.raises(persona.ServiceException, match="down"):
        api.account_forgot_pass_post(forgot())
    assert len(httpserver.log) == 2


def test_max_retries_zero_sends_once(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({}, status=503)
    with pytest.raises(persona.ServiceException):
        api.account_forgot_pass_post(forgot())
    assert len(httpserver.log) == 1


def test_500_is_not_retried(make_api: Callable[..., AccountApi], httpserver: HTTPServer) -> None:
    api = make_api(max_retries=2, backoff_base=0.001)
    httpserver.expect_request(FORGOT).respond_with_json({}, status=500)
    with pytest.raises(persona.ServiceException):
        api.account_forgot_pass_post(forgot())
    assert len(httpserver.log) == 1


def test_429_honours_retry_after(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    api = make_api(max_retries=1)
    httpserver.expect_ordered_request(FORGOT).respond_with_json(
        {"code": "rate_limited"}, status=429, headers={"Retry-After": "0", "X-Request-Id": "r-9"}
    )
    httpserver.expect_ordered_request(FORGOT).respond_with_json({"success": True})
    with caplog.at_level(logging.INFO, logger="persona"):
        assert api.account_forgot_pass_post(forgot()).success is True
    assert len(httpserver.log) == 2
    message = next(r.getMessage() for r in caplog.records if "retrying" in r.getMessage())
    assert "in 0.00s" in message
    assert "after 429" in message
    assert "request id r-9" in message


def test_retry_after_longer_than_allowed_fails_at_once(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer
) -> None:
    api = make_api(max_retries=2, max_retry_after=5)
    httpserver.expect_request(FORGOT).respond_with_json(
        {"code": "rate_limited"}, status=429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(persona.TooManyRequestsException) as info:
        api.account_forgot_pass_post(forgot())
    assert info.value.retry_after == 3600.0
    assert len(httpserver.log) == 1


def test_retry_that_would_pass_the_deadline_is_not_made(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer
) -> None:
    api = make_api(max_retries=2, deadline=1)
    httpserver.expect_request(FORGOT).respond_with_json(
        {}, status=503, headers={"Retry-After": "2"}
    )
    with pytest.raises(persona.ServiceException):
        api.account_forgot_pass_post(forgot())
    assert len(httpserver.log) == 1


# -- pool settings (no connection made) -------------------------------------------------
def pool_kw(config: Configuration) -> tuple[RESTClientObject, dict[str, Any]]:
    rest = RESTClientObject(config)
    return rest, rest.pool_manager.connection_pool_kw


def test_https_verifies_with_certifi_by_default() -> None:
    import certifi

    rest, kw = pool_kw(Configuration("https://api.example.com/v1"))
    try:
        assert kw["cert_reqs"] == "CERT_REQUIRED"
        assert kw["ca_certs"] == certifi.where()
        assert kw["maxsize"] == 16
    finally:
        rest.close()


def test_https_tls_settings_reach_the_pool() -> None:
    config = Configuration(
        "https://api.example.com/v1",
        verify_ssl=False,
        ssl_ca_cert="/tmp/ca.pem",
        cert_file="/tmp/c.pem",
        key_file="/tmp/k.pem",
        assert_hostname="other.example.com",
        tls_server_name="sni.example.com",
        connection_pool_maxsize=3,
    )
    rest, kw = pool_kw(config)
    try:
        assert kw["cert_reqs"] == "CERT_NONE"
        assert kw["ca_certs"] == "/tmp/ca.pem"
        assert (kw["cert_file"], kw["key_file"]) == ("/tmp/c.pem", "/tmp/k.pem")
        assert kw["assert_hostname"] == "other.example.com"
        assert kw["server_hostname"] == "sni.example.com"
        assert kw["maxsize"] == 3
    finally:
        rest.close()


def test_ca_bundle_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONA_CA_BUNDLE", "/etc/corp-ca.pem")
    rest, kw = pool_kw(Configuration("https://api.example.com/v1"))
    rest.close()
    assert kw["ca_certs"] == "/etc/corp-ca.pem"


def test_explicit_proxy_gives_a_proxy_manager() -> None:
    rest = RESTClientObject(
        Configuration(
            "https://api.example.com/v1",
            proxy="http://127.0.0.1:3128",
            proxy_headers={"Proxy-Authorization": "Basic eA=="},
        )
    )
    try:
        assert isinstance(rest.pool_manager, urllib3.ProxyManager)
        assert rest.pool_manager.proxy_headers["Proxy-Authorization"] == "Basic eA=="
    finally:
        rest.close()


@pytest.mark.parametrize(
    ("env", "host", "proxied"),
    [
        ({"HTTPS_PROXY": "http://127.0.0.1:3128"}, "https://api.example.com/v1", True),
        ({"HTTP_PROXY": "http://127.0.0.1:3128"}, "https://api.example.com/v1", False),
        (
            {"HTTPS_PROXY": "http://127.0.0.1:3128", "NO_PROXY": "api.example.com"},
            "https://api.example.com/v1",
            False,
        ),
        ({"ALL_PROXY": "http://127.0.0.1:3128"}, "http://api.example.com/v1", True),
    ],
)
def test_proxy_from_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], host: str, proxied: bool
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    rest = RESTClientObject(Configuration(host))
    rest.close()
    assert isinstance(rest.pool_manager, urllib3.ProxyManager) is proxied
    rest = RESTClientObject(Configuration(host, trust_env=False))
    rest.close()
    assert not isinstance(rest.pool_manager, urllib3.ProxyManager)


def test_plain_http_to_a_remote_host_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("persona.transports.urllib3_transport._warned_plain_http", set())
    with caplog.at_level(logging.WARNING, logger="persona"):
        RESTClientObject(Configuration("http://plain-warning-test.example/v1")).close()
        RESTClientObject(Configuration("http://plain-warning-test.example/v1")).close()
    warnings = [r for r in caplog.records if "plain http" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING


@pytest.mark.parametrize(
    "host",
    [
        "http://localhost:1/v1",
        "http://127.0.0.1:1/v1",
        "http://[::1]:1/v1",
        "http://a.localhost/v1",
    ],
)
def test_plain_http_to_loopback_does_not_warn(caplog: pytest.LogCaptureFixture, host: str) -> None:
    with caplog.at_level(logging.WARNING, logger="persona"):
        RESTClientObject(Configuration(host)).close()
    assert not [r for r in caplog.records if "plain http" in r.getMessage()]


# -- debug logs ------------------------------------------------------------------------
def test_debug_log_has_request_and_response_lines_without_secrets(
    make_api: Callable[..., AccountApi],
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = make_api()
    httpserver.expect_request("/v1/account/resetForgottenPassword").respond_with_json(
        {"success": True, "message": "password for token tok-SECRET-1 changed"},
        headers={"X-Request-Id": "r-log"},
    )
    body = UpdatePasswordData(token="tok-SECRET-1", new_password="pw-SECRET-2")
    with caplog.at_level(logging.DEBUG, logger="persona"):
        api.account_reset_forgotten_password_post(body, _headers={"Authorization": "Bearer zz9"})
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("persona"))
    assert "request POST http://" in text
    assert "-> 200" in text
    assert "request id r-log" in text
    for secret in ("tok-SECRET-1", "pw-SECRET-2", "zz9"):
        assert secret not in text
    assert "***" in text


def test_debug_log_truncates_long_bodies(
    make_api: Callable[..., AccountApi],
    httpserver: HTTPServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = make_api()
    httpserver.expect_request(FORGOT).respond_with_data(
        "x" * 5000, status=500, content_type="text/plain"
    )
    with caplog.at_level(logging.DEBUG, logger="persona"), pytest.raises(ApiException):
        api.account_forgot_pass_post(forgot())
    line = next(r.getMessage() for r in caplog.records if "-> 500" in r.getMessage())
    assert line.endswith("...(truncated)")
    assert len(line) < 3000


@pytest.mark.filterwarnings("ignore:.*in use by a client:DeprecationWarning")  # 1.x: still applied
def test_tls_settings_apply_when_the_host_turns_https_after_the_client_exists(
    base_url: str, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not read until a TLS connection is made")
    config = Configuration(base_url, ssl_ca_cert=str(ca))
    with ApiClient(config) as client:
        config.host = "https://api.example.com/v1"
        pool = client.transport.pool_manager.connection_from_url(config.host)
        assert pool.ca_certs == str(ca)
        assert pool.cert_reqs == "CERT_REQUIRED"


def test_close_during_a_retry_wait_ends_the_call_without_reopening(
    base_url: str, httpserver: HTTPServer
) -> None:
    import threading

    httpserver.expect_request(FORGOT).respond_with_json(
        {"code": "internal_error", "message": "busy"}, status=503, headers={"Retry-After": "1"}
    )
    client = ApiClient(Configuration(base_url, max_retries=2))
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            AccountApi(client).account_forgot_pass_post(forgot())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    deadline = time.monotonic() + 10
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.01)
    client.close()  # the call now sleeps out Retry-After before its second attempt
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], persona.ApiClosedError)
    assert len(httpserver.log) == 1
    assert len(client.transport.pool_manager.pools) == 0


# -- messages a user can act on --------------------------------------------------------
def test_dns_failure_names_the_host_without_stray_punctuation() -> None:
    api = AccountApi(ApiClient(Configuration("http://no-such-host.invalid/v1", max_retries=0)))
    with pytest.raises(ApiConnectionError) as failed:
        api.account_forgot_pass_post(forgot())
    message = str(failed.value)
    assert "Failed to resolve 'no-such-host.invalid'" in message
    assert "))" not in message
    assert message.count("(") == message.count(")")
    api.api_client.close()


def test_refused_loopback_connection_suggests_starting_the_reference_server(
    unused_url: str,
) -> None:
    api = AccountApi(ApiClient(Configuration(unused_url, max_retries=0)))
    with pytest.raises(ApiConnectionError) as failed:
        api.account_forgot_pass_post(forgot())
    assert "Connection refused" in str(failed.value)
    assert "python -m persona.testing serve" in str(failed.value)
    api.api_client.close()


def test_404_on_a_host_without_the_base_path_says_so(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/account/forgotPass").respond_with_data("Not Found", status=404)
    api = AccountApi(ApiClient(Configuration(httpserver.url_for("/"), max_retries=0)))
    with pytest.raises(persona.NotFoundException) as missing:
        api.account_forgot_pass_post(forgot())
    assert "no /v1 base path" in str(missing.value)
    assert httpserver.url_for("/v1").rstrip("/") in str(missing.value)
    api.api_client.close()


def test_404_under_the_base_path_gives_no_base_path_hint(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer
) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"code": "not_found"}, status=404)
    with pytest.raises(persona.NotFoundException) as missing:
        make_api().account_forgot_pass_post(forgot())
    assert "base path" not in str(missing.value)


def test_a_timeout_says_how_many_attempts_over_how_long() -> None:
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    host = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    config = Configuration(host, timeout=0.2, max_retries=1, backoff_base=0.01)
    api = AccountApi(ApiClient(config))
    try:
        with pytest.raises(persona.ApiTimeoutError) as timed_out:
            api.account_forgot_pass_post(forgot())
    finally:
        api.api_client.close()
        listener.close()
    assert "read timeout (0.2s)" in str(timed_out.value)
    assert "(2 attempts over " in str(timed_out.value)
    assert timed_out.value.attempts == 2


def test_rest_client_refuses_a_bad_header_before_connecting() -> None:
    from persona.rest import RESTClientObject

    rest = RESTClientObject(persona.Configuration(host="http://127.0.0.1:9/v1", max_retries=0))
    with pytest.raises(persona.ApiValueError) as info:
        rest.request(
            "POST", "http://127.0.0.1:9/v1/x", {"Authorization": "Bearer sk-1\r\nX-Injected: 1"}
        )
    assert "sk-1" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    rest.close()
