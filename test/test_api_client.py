"""ApiClient: lifecycle (context manager, close, closed), headers, the shared default,
call_api used directly, and what it makes of 2xx bodies that break the contract."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from urllib3 import HTTPHeaderDict

import persona
from persona import (
    AccountApi,
    ApiClient,
    ApiClosedError,
    ApiException,
    ApiResponseError,
    ApiTypeError,
    ApiValueError,
    Configuration,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
)
from persona.rest import RESTResponse

FORGOT = "/v1/account/forgotPass"


def forgot() -> ForgotPasswordData:
    return ForgotPasswordData(email="ann@example.com")


@pytest.fixture
def config(base_url: str) -> Configuration:
    return Configuration(base_url, max_retries=0)


# -- lifecycle ---------------------------------------------------------------------
def test_context_manager_closes_the_client(config: Configuration) -> None:
    with ApiClient(config) as client:
        assert client.closed is False
        assert repr(client) == f"ApiClient(host={config.host!r}, open)"
    assert client.closed is True
    assert repr(client).endswith("closed)")


def test_closed_client_refuses_calls(config: Configuration, httpserver: HTTPServer) -> None:
    client = ApiClient(config)
    client.close()
    with pytest.raises(ApiClosedError, match="closed"):
        AccountApi(client).account_forgot_pass_post(forgot())
    with pytest.raises(ApiException):
        AccountApi(client).account_forgot_pass_post(forgot(), async_req=True)
    assert httpserver.log == []


def test_closed_client_refuses_the_async_pool(config: Configuration) -> None:
    client = ApiClient(config)
    client.close()
    with pytest.raises(ApiClosedError):
        _ = client.pool


def test_close_is_idempotent(config: Configuration) -> None:
    client = ApiClient(config)
    client.close()
    client.close()
    assert client.closed


def test_close_shuts_down_the_async_pool(config: Configuration, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with ApiClient(config, pool_threads=2) as client:
        assert client._pool is None  # created lazily
        AccountApi(client).account_forgot_pass_post(forgot(), async_req=True).get(timeout=10)
        pool = client.pool
        assert client.pool is pool
    assert client._pool is None
    with pytest.raises(ValueError, match="Pool not running"):
        pool.apply_async(print)


def test_client_is_reusable_for_many_calls(config: Configuration, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with ApiClient(config) as client:
        api = AccountApi(client)
        assert all(api.account_forgot_pass_post(forgot()).success for _ in range(5))
    assert len(httpserver.log) == 5


# -- headers -----------------------------------------------------------------------
def test_default_header_and_cookie_are_sent(config: Configuration, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with ApiClient(config, header_name="X-Tenant", header_value="acme", cookie="sid=1") as client:
        client.set_default_header("X-Other", "2")
        AccountApi(client).account_forgot_pass_post(forgot())
    request = httpserver.log[0][0]
    assert request.headers["X-Tenant"] == "acme"
    assert request.headers["X-Other"] == "2"
    assert request.headers["Cookie"] == "sid=1"


def test_headers_differing_only_in_case_are_sent_once_with_the_latest_value(
    config: Configuration, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with ApiClient(config) as client:
        client.set_default_header("user-agent", "mine/1")
        AccountApi(client).account_forgot_pass_post(
            forgot(), _headers={"x-trace": "b", "idempotency-key": "key-from-headers"}
        )
    headers = httpserver.log[0][0].headers
    assert headers.getlist("User-Agent") == ["mine/1"]
    assert headers.getlist("Idempotency-Key") == ["key-from-headers"]
    assert headers.getlist("X-Trace") == ["b"]


def test_idempotency_key_given_twice_must_agree(
    config: Configuration, httpserver: HTTPServer
) -> None:
    with ApiClient(config) as client, pytest.raises(ApiValueError, match="disagree"):
        AccountApi(client).account_forgot_pass_post(
            forgot(), _idempotency_key="one", _headers={"Idempotency-Key": "two"}
        )
    assert httpserver.log == []


def test_idempotency_key_is_no_default_header(
    config: Configuration, httpserver: HTTPServer
) -> None:
    with ApiClient(config) as client:
        with pytest.raises(ApiValueError, match="belongs to one call"):
            client.set_default_header("Idempotency-Key", "shared")
        client.default_headers["idempotency-key"] = "shared"  # the dict is public
        with pytest.raises(ApiValueError, match="belongs to one call"):
            AccountApi(client).account_forgot_pass_post(forgot())
    assert httpserver.log == []


def test_user_agent_from_configuration_and_setter(base_url: str, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with ApiClient(Configuration(base_url, user_agent="app/1")) as client:
        assert client.user_agent == "app/1"
        client.user_agent = "app/2 persona"
        AccountApi(client).account_forgot_pass_post(forgot())
    assert httpserver.log[0][0].headers["User-Agent"] == "app/2 persona"


@pytest.mark.parametrize(
    "value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b", "snowman \u2603", "\ud800"]
)
def test_header_value_that_could_split_or_be_mangled_is_refused(
    config: Configuration, value: str
) -> None:
    with ApiClient(config) as client, pytest.raises(ApiValueError, match="header X-Bad"):
        client.set_default_header("X-Bad", value)


@pytest.mark.parametrize("name", ["Bad Name", "X:Y", "", "X\r\n", "X-A\n", "caf\u00e9"])
def test_header_name_that_is_not_a_token_is_refused(config: Configuration, name: str) -> None:
    with ApiClient(config) as client, pytest.raises(ApiValueError, match="header name"):
        client.set_default_header(name, "v")


def test_header_value_must_be_a_string(config: Configuration) -> None:
    with ApiClient(config) as client, pytest.raises(ApiTypeError, match="must be str"):
        client.set_default_header("X-Count", 3)  # type: ignore[arg-type]


def test_latin1_header_value_is_allowed(config: Configuration, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": True})
    with ApiClient(config) as client:
        client.set_default_header("X-Name", "Jos\u00e9")
        AccountApi(client).account_forgot_pass_post(forgot())
    assert len(httpserver.log) == 1


@pytest.mark.parametrize(
    ("where", "value"),
    [("cookie", "a=1\r\nX-Evil: 1"), ("headers", "x\ny"), ("default", "caf\u00e9 \u2603")],
)
def test_bad_header_anywhere_fails_before_sending(
    config: Configuration, httpserver: HTTPServer, where: str, value: str
) -> None:
    with ApiClient(config, cookie=value if where == "cookie" else None) as client:
        if where == "default":
            client.default_headers["X-Direct"] = value  # bypassing set_default_header
        options: dict[str, Any] = {"_headers": {"X-Extra": value}} if where == "headers" else {}
        with pytest.raises(ApiValueError):
            AccountApi(client).account_forgot_pass_post(forgot(), **options)
    assert httpserver.log == []


def test_bad_user_agent_is_refused_at_construction(base_url: str) -> None:
    with pytest.raises(ApiValueError, match="User-Agent"):
        ApiClient(Configuration(base_url, user_agent="x\r\ny"))


def test_invalid_idempotency_key_in_headers_is_refused(
    config: Configuration, httpserver: HTTPServer
) -> None:
    with ApiClient(config) as client, pytest.raises(ApiValueError, match="_idempotency_key"):
        AccountApi(client).account_forgot_pass_post(
            forgot(), _headers={"Idempotency-Key": "two words"}
        )
    assert httpserver.log == []


@pytest.mark.parametrize("key", ["abc\n", "abc\r\n", "", "x" * 256, "tab\there"])
def test_idempotency_key_with_a_trailing_newline_or_bad_length_is_refused(
    config: Configuration, httpserver: HTTPServer, key: str
) -> None:
    with ApiClient(config) as client, pytest.raises(ApiValueError, match="_idempotency_key"):
        AccountApi(client).account_forgot_pass_post(forgot(), _idempotency_key=key)
    assert httpserver.log == []


# -- the shared default ----------------------------------------------------------------
def test_get_default_is_shared_and_used_by_account_api() -> None:
    ApiClient.set_default(None)
    client = ApiClient.get_default()
    assert ApiClient.get_default() is client
    assert AccountApi().api_client is client
    assert client.configuration is Configuration.get_default()


def test_get_default_replaces_a_closed_default() -> None:
    ApiClient.set_default(None)
    first = ApiClient.get_default()
    first.close()
    second = ApiClient.get_default()
    assert second is not first
    assert not second.closed


def test_set_default_makes_account_api_use_it(config: Configuration) -> None:
    with ApiClient(config) as mine:
        ApiClient.set_default(mine)
        assert AccountApi().api_client is mine


def test_client_without_configuration_uses_the_default_configuration(
    config: Configuration,
) -> None:
    Configuration.set_default(config)
    with ApiClient() as client:
        assert client.configuration is config


# -- call_api and responses ------------------------------------------------------------
def test_call_api_directly_returns_the_model(config: Configuration, httpserver: HTTPServer) -> None:
    httpserver.expect_request(FORGOT, method="POST").respond_with_json({"success": False})
    with ApiClient(config) as client:
        result = client.call_api(
            "/account/forgotPass", "POST", body=forgot(), response_type=ForgotPasswordResponse
        )
    assert result == ForgotPasswordResponse(success=False)


def test_call_api_without_body_or_response_type(
    config: Configuration, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/health", method="GET").respond_with_data("ok")
    with ApiClient(config) as client:
        data, status, _ = client.call_api("/health", "GET", _return_http_data_only=False)
    assert (data, status) == (None, 200)
    request = httpserver.log[0][0]
    assert "Idempotency-Key" not in request.headers  # only POSTs carry one
    assert request.get_data() == b""


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b"", "application/json", "body is empty"),
        (b"<html>hello</html>", "text/html", "not JSON (text/html)"),
        (b"[1, 2]", "application/json", "expected a JSON object"),
        (b'{"message": "no success"}', "application/json", "'success' is missing"),
        (b'{"success": "yes"}', "application/json", "must be a JSON boolean"),
        (b"\xff\xfe\x00", "application/json", "not JSON"),
    ],
)
def test_2xx_body_that_is_not_the_model_is_an_api_response_error(
    config: Configuration,
    httpserver: HTTPServer,
    body: bytes,
    content_type: str,
    problem: str,
) -> None:
    httpserver.expect_request(FORGOT).respond_with_data(
        body, content_type=content_type, headers={"X-Request-Id": "r-5"}
    )
    with ApiClient(config) as client, pytest.raises(ApiResponseError) as info:
        AccountApi(client).account_forgot_pass_post(forgot())
    error = info.value
    assert isinstance(error, ApiException)
    assert error.status == 200
    assert problem in str(error)
    assert "invalid ForgotPasswordResponse in response" in str(error)
    assert error.request_id == "r-5"


def test_broken_body_of_a_secret_model_is_withheld(
    config: Configuration, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(
        {"token": 12345, "note": "tok-secret-1"}
    )
    with ApiClient(config) as client, pytest.raises(ApiResponseError) as info:
        AccountApi(client).account_code_for_token_post(
            persona.CodeForTokenData(email="a@b.c", code="1")
        )
    assert info.value.body is None
    assert "tok-secret-1" not in str(info.value)
    assert "'token' must be a JSON string" in str(info.value)


def test_broken_body_of_a_plain_model_is_kept(
    config: Configuration, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(FORGOT).respond_with_json({"success": 1})
    with ApiClient(config) as client, pytest.raises(ApiResponseError) as info:
        AccountApi(client).account_forgot_pass_post(forgot())
    assert json.loads(info.value.body or "") == {"success": 1}
    assert info.value.__cause__ is not None


def test_deserialize_a_response_object(config: Configuration) -> None:
    response = RESTResponse(200, "OK", HTTPHeaderDict(), b'{"token": "t", "expiresAt": null}')
    with ApiClient(config) as client:
        assert client.deserialize(response, TokenResponse) == TokenResponse(token="t")


def test_additional_properties_that_are_not_json_are_an_api_value_error(
    make_api: Any, httpserver: HTTPServer
) -> None:
    api = make_api()
    body = ForgotPasswordData(email="a@b.c", additional_properties={"when": object()})
    with pytest.raises(ApiValueError, match="cannot be encoded as JSON"):
        api.account_forgot_pass_post(body)
    assert httpserver.log == []


def test_lone_surrogate_without_validation_is_an_api_value_error(
    make_api: Any, httpserver: HTTPServer
) -> None:
    api = make_api(client_side_validation=False)
    with pytest.raises(ApiValueError, match="cannot be encoded as JSON"):
        api.account_forgot_pass_post(ForgotPasswordData(email="a\ud800@b.c"))
    assert httpserver.log == []


def test_sanitize_for_serialization_turns_models_into_json_data(config: Configuration) -> None:
    with ApiClient(config) as client:
        data = client.sanitize_for_serialization(
            {"items": [forgot(), (1, "x")], "n": None, "tok": TokenResponse(token="t")}
        )
    assert data == {
        "items": [{"email": "ann@example.com"}, [1, "x"]],
        "n": None,
        "tok": {"token": "t"},
    }
    json.dumps(data)


def test_bad_request_timeout_fails_in_the_callers_thread_even_with_async_req(
    config: Configuration, httpserver: HTTPServer
) -> None:
    with ApiClient(config) as client, pytest.raises(ApiValueError, match="_request_timeout"):
        AccountApi(client).account_forgot_pass_post(forgot(), async_req=True, _request_timeout=-1)
    assert httpserver.log == []


def test_default_client_is_closed_at_exit_by_one_hook() -> None:
    # In a fresh interpreter: replacing closed defaults adds no hooks, and the hook
    # closes the default that is current when the exit hooks run.
    # Exit hooks run last-registered first: the report, registered before persona's
    # hook, runs after it.
    code = (
        "import atexit, persona\n"
        "atexit.register(lambda: print('closed at exit:', client.closed))\n"
        "registered = []\n"
        "real_register = atexit.register\n"
        "atexit.register = lambda f, *a: (registered.append(f), real_register(f, *a))[1]\n"
        "persona.ApiClient.get_default().close()\n"
        "for _ in range(3):\n"
        "    persona.ApiClient.get_default().close()\n"
        "client = persona.ApiClient.get_default()\n"
        "ours = [f for f in registered if getattr(f, '__module__', '') == 'persona.api_client']\n"
        "print('hooks added:', len(ours))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "hooks added: 1" in result.stdout
    assert "closed at exit: True" in result.stdout
