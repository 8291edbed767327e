"""AccountApi over real HTTP (pytest-httpserver on loopback): what each operation sends,
what it makes of every answer, and the generated-client keyword options."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from multiprocessing.pool import ApplyResult
from pathlib import Path
from typing import Any, Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

import persona
from persona import (
    AccountApi,
    ApiException,
    ApiResponse,
    ApiTypeError,
    ApiValueError,
    CodeForTokenData,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
)
from persona.rest import RESTResponse

JSON = "application/json;charset=utf-8"


def forgot() -> ForgotPasswordData:
    return ForgotPasswordData(email="ann@example.com")


def code() -> CodeForTokenData:
    return CodeForTokenData(email="ann@example.com", code="123456")


def update() -> UpdatePasswordData:
    return UpdatePasswordData(token="tok-abc", new_password="new-pass-1")


OPERATIONS = [
    pytest.param(
        "account_forgot_pass_post",
        "/v1/account/forgotPass",
        forgot,
        {"email": "ann@example.com"},
        {"success": True, "message": "If the account exists, a code was sent."},
        ForgotPasswordResponse(success=True, message="If the account exists, a code was sent."),
        id="forgotPass",
    ),
    pytest.param(
        "account_code_for_token_post",
        "/v1/account/codeForToken",
        code,
        {"email": "ann@example.com", "code": "123456"},
        {"token": "tok-abc", "expiresAt": "2030-01-02T03:04:05Z"},
        TokenResponse(
            token="tok-abc", expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
        ),
        id="codeForToken",
    ),
    pytest.param(
        "account_reset_forgotten_password_post",
        "/v1/account/resetForgottenPassword",
        update,
        {"token": "tok-abc", "newPassword": "new-pass-1"},
        {"success": True},
        ForgotPasswordResponse(success=True),
        id="resetForgottenPassword",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "wire", "answer", "model"), OPERATIONS)
def test_operation_sends_post_with_headers_and_camelcase_json(
    api: AccountApi,
    httpserver: HTTPServer,
    method: str,
    path: str,
    body: Callable[[], Any],
    wire: dict[str, Any],
    answer: dict[str, Any],
    model: Any,
) -> None:
    httpserver.expect_oneshot_request(path, method="POST").respond_with_json(answer)
    result = getattr(api, method)(body())
    assert result == model
    assert type(result) is type(model)
    (request, _), *rest = httpserver.log
    assert rest == []
    assert request.method == "POST"
    assert request.path == path
    assert request.headers["Content-Type"] == JSON
    assert request.headers["Accept"] == JSON
    assert request.headers["User-Agent"] == persona.Configuration().user_agent
    assert re.fullmatch(
        r"persona-python/[^ ]+ Python/\d+\.\d+\.\d+\S* \S+/\S+", request.headers["User-Agent"]
    )
    assert re.fullmatch(r"[0-9a-f]{32}", request.headers["Idempotency-Key"])
    assert json.loads(request.get_data()) == wire


def test_each_call_gets_a_fresh_idempotency_key(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    api.account_forgot_pass_post(forgot())
    api.account_forgot_pass_post(forgot())
    keys = {request.headers["Idempotency-Key"] for request, _ in httpserver.log}
    assert len(keys) == 2


def test_idempotency_key_can_be_chosen(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    api.account_forgot_pass_post(forgot(), _idempotency_key="order-42:reset")
    assert httpserver.log[0][0].headers["Idempotency-Key"] == "order-42:reset"


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "caf\u00e9", "a\nb", 42])
def test_invalid_idempotency_key_is_refused_before_sending(
    api: AccountApi, httpserver: HTTPServer, key: Any
) -> None:
    with pytest.raises(ApiValueError, match="_idempotency_key"):
        api.account_forgot_pass_post(forgot(), _idempotency_key=key)
    assert httpserver.log == []


def test_response_body_in_utf8_is_decoded(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_data(
        '{"success": true, "message": "Code envoy\u00e9 \u2709"}'.encode(), content_type=JSON
    )
    assert api.account_forgot_pass_post(forgot()).message == "Code envoy\u00e9 \u2709"


def test_expires_at_becomes_an_aware_datetime(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(
        {"token": "t", "expiresAt": "2030-01-02T03:04:05.5+02:00"}
    )
    token = api.account_code_for_token_post(code())
    assert token.expires_at == datetime(2030, 1, 2, 1, 4, 5, 500000, tzinfo=timezone.utc)
    assert token.expires_at.utcoffset() == timedelta(hours=2)


def test_unknown_response_properties_land_in_additional_properties(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(
        {"token": "t", "scope": "reset", "limits": {"uses": 1}}
    )
    token = api.account_code_for_token_post(code())
    assert token.additional_properties == {"scope": "reset", "limits": {"uses": 1}}
    assert token.expires_at is None


# -- errors -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "cls", "code_"),
    [
        (400, persona.BadRequestException, "invalid_request"),
        (401, persona.UnauthorizedException, "invalid_code"),
        (403, persona.ForbiddenException, "forbidden"),
        (404, persona.NotFoundException, "not_found"),
        (409, persona.ConflictException, "idempotency_conflict"),
        (429, persona.TooManyRequestsException, "rate_limited"),
        (500, persona.ServiceException, "internal_error"),
        (503, persona.ServiceException, "internal_error"),
        (418, ApiException, "teapot"),
    ],
)
def test_status_maps_to_its_exception_with_every_attribute(
    api: AccountApi, httpserver: HTTPServer, status: int, cls: type, code_: str
) -> None:
    error_body = {"code": code_, "message": "Something\nwent wrong."}
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(
        error_body, status=status, headers={"X-Request-Id": "req-77", "Retry-After": "3"}
    )
    with pytest.raises(cls) as info:
        api.account_code_for_token_post(code())
    error = info.value
    assert type(error) is cls
    assert error.status == status
    assert error.reason == Response(status=status).status.split(" ", 1)[1]
    assert json.loads(error.body) == error_body
    assert error.data == error_body
    assert error.headers["X-Request-Id"] == "req-77"
    assert error.request_id == "req-77"
    assert error.error_code == code_
    assert error.error_message == "Something\nwent wrong."
    text = str(error)
    assert "\n" not in text
    assert text.startswith(f"({status}) ")
    assert code_ in text
    assert "[request id req-77]" in text
    if status == 429:
        assert error.retry_after == 3.0


def test_error_without_json_body_still_maps(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_data(
        "<html><body>Bad gateway</body></html>", status=502, content_type="text/html"
    )
    with pytest.raises(persona.ServiceException) as info:
        api.account_forgot_pass_post(forgot())
    assert info.value.data is None
    assert info.value.body == "<html><body>Bad gateway</body></html>"
    assert str(info.value) == "(502) BAD GATEWAY"


def test_error_with_empty_body(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_data("", status=401)
    with pytest.raises(persona.UnauthorizedException) as info:
        api.account_forgot_pass_post(forgot())
    assert info.value.body is None
    assert info.value.error_code is None


def test_error_body_echoing_a_secret_is_scrubbed(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/resetForgottenPassword").respond_with_json(
        {"code": "invalid_token", "message": "token tok-abc is unknown"}, status=401
    )
    with pytest.raises(persona.UnauthorizedException) as info:
        api.account_reset_forgotten_password_post(update())
    assert "tok-abc" not in str(info.value)
    assert "tok-abc" not in (info.value.body or "")


def test_except_api_exception_catches_client_side_errors(api: AccountApi) -> None:
    for call in (
        lambda: api.account_forgot_pass_post(ForgotPasswordData()),  # ApiValueError
        lambda: api.account_forgot_pass_post(code()),  # ApiTypeError
        lambda: api.account_forgot_pass_post(forgot(), bogus=1),  # ApiTypeError
    ):
        with pytest.raises(ApiException):
            call()


def test_except_api_exception_catches_connection_errors(
    make_api: Callable[..., AccountApi], unused_url: str
) -> None:
    api = make_api(host=unused_url)
    with pytest.raises(ApiException) as info:
        api.account_forgot_pass_post(forgot())
    assert isinstance(info.value, persona.ApiConnectionError)


# -- *_with_http_info and options --------------------------------------------------
@pytest.mark.parametrize(("method", "path", "body", "wire", "answer", "model"), OPERATIONS)
def test_with_http_info_returns_data_status_headers(
    api: AccountApi,
    httpserver: HTTPServer,
    method: str,
    path: str,
    body: Callable[[], Any],
    wire: dict[str, Any],
    answer: dict[str, Any],
    model: Any,
) -> None:
    del wire
    httpserver.expect_request(path).respond_with_json(answer, headers={"X-Request-Id": "r-1"})
    result = getattr(api, method + "_with_http_info")(body())
    data, status, headers = result
    assert isinstance(result, ApiResponse)
    assert data == model
    assert status == 200
    assert headers["X-Request-Id"] == "r-1"
    assert result.request_id == "r-1"


def test_with_http_info_without_request_id(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    assert api.account_forgot_pass_post_with_http_info(forgot()).request_id is None


def test_return_http_data_only_false_gives_the_triple(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    result = api.account_forgot_pass_post(forgot(), _return_http_data_only=False)
    assert isinstance(result, ApiResponse)
    assert result.status == 200
    only = api.account_forgot_pass_post_with_http_info(forgot(), _return_http_data_only=True)
    assert only == ForgotPasswordResponse(success=True)


def test_preload_content_false_returns_the_raw_response(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(
        {"token": "t"}, headers={"X-Request-Id": "r-2"}
    )
    raw = api.account_code_for_token_post(code(), _preload_content=False)
    assert isinstance(raw, RESTResponse)
    assert raw.status == 200
    assert json.loads(raw.data) == {"token": "t"}
    assert raw.read() == raw.data
    assert raw.request_id == "r-2"


def test_preload_content_false_still_raises_on_error(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json({}, status=401)
    with pytest.raises(persona.UnauthorizedException):
        api.account_code_for_token_post(code(), _preload_content=False)


@pytest.mark.parametrize("timeout", [5, 2.5, (1, 4), [1, 4]])
def test_request_timeout_accepts_number_and_pair(
    api: AccountApi, httpserver: HTTPServer, timeout: Any
) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    assert api.account_forgot_pass_post(forgot(), _request_timeout=timeout).success is True


@pytest.mark.parametrize("timeout", [0, -1, "5", (1,), (1, 2, 3)])
def test_invalid_request_timeout_is_an_api_value_error(
    api: AccountApi, httpserver: HTTPServer, timeout: Any
) -> None:
    with pytest.raises(ApiValueError, match="_request_timeout"):
        api.account_forgot_pass_post(forgot(), _request_timeout=timeout)
    assert httpserver.log == []


def test_async_req_returns_apply_result_whose_get_gives_the_model(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json({"token": "t"})
    pending = api.account_code_for_token_post(code(), async_req=True)
    assert isinstance(pending, ApplyResult)
    assert pending.get(timeout=10) == TokenResponse(token="t")


def test_async_req_with_http_info(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    pending = api.account_forgot_pass_post_with_http_info(forgot(), async_req=True)
    data, status, _ = pending.get(timeout=10)
    assert (data.success, status) == (True, 200)


def test_async_req_error_is_raised_by_get(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(
        {"code": "invalid_code", "message": "wrong"}, status=401
    )
    pending = api.account_code_for_token_post(code(), async_req=True)
    with pytest.raises(persona.UnauthorizedException, match="invalid_code"):
        pending.get(timeout=10)


def test_async_req_client_side_error_is_raised_at_the_call(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    with pytest.raises(ApiValueError):
        api.account_code_for_token_post(CodeForTokenData(), async_req=True)
    assert httpserver.log == []


def test_unknown_keyword_is_an_api_type_error(api: AccountApi, httpserver: HTTPServer) -> None:
    with pytest.raises(ApiTypeError, match=r"unexpected keyword argument 'timout'.*forgot"):
        api.account_forgot_pass_post(forgot(), timout=3)  # type: ignore[call-overload]
    assert httpserver.log == []


def test_missing_body_is_an_api_value_error(api: AccountApi, httpserver: HTTPServer) -> None:
    with pytest.raises(ApiValueError, match="Missing the required parameter `body`"):
        api.account_forgot_pass_post(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`body`"):
        api.account_code_for_token_post_with_http_info(None)  # type: ignore[arg-type]
    assert httpserver.log == []


@pytest.mark.parametrize("body", [{"email": "ann@example.com"}, "ann@example.com", code()])
def test_wrong_body_type_is_an_api_type_error(
    api: AccountApi, httpserver: HTTPServer, body: Any
) -> None:
    with pytest.raises(ApiTypeError, match="body must be ForgotPasswordData"):
        api.account_forgot_pass_post(body)
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("method", "body", "label"),
    [
        ("account_forgot_pass_post", ForgotPasswordData(), "ForgotPasswordData.email"),
        (
            "account_code_for_token_post",
            CodeForTokenData(email="ann@example.com"),
            "CodeForTokenData.code",
        ),
        (
            "account_reset_forgotten_password_post",
            UpdatePasswordData(token="t"),
            "UpdatePasswordData.new_password",
        ),
        (
            "account_reset_forgotten_password_post_with_http_info",
            UpdatePasswordData(new_password="new-pass-1"),
            "UpdatePasswordData.token",
        ),
    ],
)
def test_missing_required_field_is_refused_and_nothing_is_sent(
    api: AccountApi, httpserver: HTTPServer, method: str, body: Any, label: str
) -> None:
    httpserver.expect_request(re.compile(".*")).respond_with_json({"success": True})
    with pytest.raises(ApiValueError, match=re.escape(label) + ": is required"):
        getattr(api, method)(body)
    assert httpserver.log == []


def test_contract_violation_is_refused_and_nothing_is_sent(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    with pytest.raises(ApiValueError, match=r"UpdatePasswordData\.new_password: must be at least"):
        api.account_reset_forgotten_password_post(UpdatePasswordData(token="t", new_password="x"))
    assert httpserver.log == []


def test_client_side_validation_can_be_turned_off(
    make_api: Callable[..., AccountApi], httpserver: HTTPServer
) -> None:
    api = make_api(client_side_validation=False)
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json(
        {"code": "invalid_request", "message": "email: required"}, status=400
    )
    with pytest.raises(persona.BadRequestException):
        api.account_forgot_pass_post(ForgotPasswordData())
    assert json.loads(httpserver.log[0][0].get_data()) == {}


def test_extra_headers_are_sent(api: AccountApi, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    api.account_forgot_pass_post(forgot(), _headers={"X-Trace": "abc"})
    assert httpserver.log[0][0].headers["X-Trace"] == "abc"


def test_idempotency_key_given_in_headers_is_the_key(
    api: AccountApi, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    api.account_forgot_pass_post(forgot(), _headers={"Idempotency-Key": "mine-1"})
    assert httpserver.log[0][0].headers.getlist("Idempotency-Key") == ["mine-1"]


def test_account_api_without_client_uses_the_shared_default(
    monkeypatch: pytest.MonkeyPatch, base_url: str, httpserver: HTTPServer
) -> None:
    monkeypatch.setenv("PERSONA_HOST", base_url)
    persona.Configuration.set_default(None)
    persona.ApiClient.set_default(None)
    first, second = AccountApi(), AccountApi()
    assert first.api_client is second.api_client
    assert first.api_client is persona.ApiClient.get_default()
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    assert first.account_forgot_pass_post(forgot()).success is True


def test_docstrings_document_the_keyword_options() -> None:
    # The options are documented once, on CallOptions, and every method points there.
    from persona.core.call_options import CallOptions

    source = Path(CallOptions.__module__.replace(".", "/") + ".py")
    text = (Path(__file__).resolve().parent.parent / source).read_text(encoding="utf-8")
    for option in CallOptions.__annotations__:
        assert f"    {option}:" in text
        # each option has its own comment line right above it
        above = text.split(f"    {option}:")[0].rstrip().splitlines()[-1]
        assert above.strip().startswith("#:"), option
    for api in (AccountApi, persona.AsyncAccountApi):
        for name in dir(api):
            if name.startswith("account_"):
                doc = getattr(api, name).__doc__ or ""
                assert "CallOptions" in doc, (api, name)
                assert ":raises ApiConnectionError:" in doc, (api, name)
