"""The transport seam: MockTransport answers from a function, with everything above the
transport real (validation, headers, Idempotency-Key, retries, deadline, exceptions,
masking); with_options() makes clients that share one transport."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

import persona
from persona.core.request import Request
from persona.rest import RESTResponse
from persona.testing import MockTransport

TOKEN = {"token": "rst_secret_token_value", "expiresAt": "2030-01-01T00:00:00Z"}


def api_with(handler: Any, **settings: Any) -> tuple[persona.AccountApi, MockTransport]:
    transport = MockTransport(handler)
    config = persona.Configuration(backoff_base=0.001, **settings)
    return persona.AccountApi(persona.ApiClient(config, transport=transport)), transport


def code_body(code: str = "123456") -> persona.CodeForTokenData:
    return persona.CodeForTokenData(email="ann@example.com", code=code)


def test_handler_sees_the_request_the_sdk_built() -> None:
    api, transport = api_with(
        lambda request: RESTResponse(200, json=TOKEN, headers={"X-Request-Id": "req_1"})
    )
    token = api.account_code_for_token_post(code_body(), _headers={"X-Trace": "t1"})
    assert token.token == TOKEN["token"]
    (request,) = transport.requests
    assert request.method == "POST"
    assert request.url == "http://localhost:8080/v1/account/codeForToken"
    assert request.json() == {"email": "ann@example.com", "code": "123456"}
    assert request.header("content-type") == "application/json;charset=utf-8"
    assert request.header("X-Trace") == "t1"
    assert request.header("Idempotency-Key")
    assert request.operation == "account_code_for_token_post"
    assert request.secrets == ("123456",)
    assert "123456" not in repr(request)


def test_request_is_frozen() -> None:
    api, transport = api_with(
        lambda request: RESTResponse(200, json=TOKEN, headers={"X-Request-Id": "req_1"})
    )
    api.account_code_for_token_post(code_body())
    with pytest.raises(AttributeError):
        transport.requests[0].url = "http://elsewhere/v1"  # type: ignore[misc]


def test_retries_keep_one_idempotency_key_and_honour_retry_after() -> None:
    answers = iter(
        [
            RESTResponse(503, json={"code": "internal_error", "message": "busy"}),
            RESTResponse(
                429,
                headers={"Retry-After": "0", "X-Request-Id": "req_1"},
                json={"code": "rate_limited", "message": "slow down"},
            ),
            RESTResponse(200, json={"success": True}, headers={"X-Request-Id": "req_1"}),
        ]
    )
    api, transport = api_with(lambda request: next(answers))
    reply = api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert reply.success is True
    keys = {request.header("Idempotency-Key") for request in transport.requests}
    assert len(transport.requests) == 3
    assert len(keys) == 1


def test_a_raised_connection_error_is_retried_then_raised_with_the_attempt_count() -> None:
    def down(request: Request) -> RESTResponse:
        raise persona.ApiConnectionError("cannot connect to http://mock: Connection refused")

    api, transport = api_with(down, max_retries=2)
    with pytest.raises(persona.ApiConnectionError) as failed:
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert len(transport.requests) == 3
    assert failed.value.attempts == 3
    assert "3 attempts over" in str(failed.value)


def test_errors_are_the_usual_exceptions_with_secrets_masked() -> None:
    def echo(request: Request) -> RESTResponse:
        code = request.json()["code"]
        return RESTResponse(
            401,
            reason=f"Unauthorized {code}",
            json={"code": "invalid_code", "message": code},
            headers={"X-Request-Id": "req_1"},
        )

    api, _ = api_with(echo)
    with pytest.raises(persona.UnauthorizedException) as refused:
        api.account_code_for_token_post(code_body("987654"))
    assert refused.value.error_code == "invalid_code"
    assert "987654" not in str(refused.value)
    assert "987654" not in (refused.value.body or "")


def test_timeout_raised_by_the_handler_ends_at_the_deadline() -> None:
    def slow(request: Request) -> RESTResponse:
        time.sleep(0.05)
        raise persona.ApiTimeoutError("read timeout (0.05s) from http://mock")

    api, transport = api_with(slow, deadline=0.3, max_retries=100)
    started = time.monotonic()
    with pytest.raises(persona.ApiTimeoutError) as timed_out:
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert time.monotonic() - started < 2
    assert "attempt" in str(timed_out.value)
    assert len(transport.requests) >= 2


def test_a_handler_that_returns_something_else_is_a_type_error() -> None:
    api, _ = api_with(lambda request: {"success": True})
    with pytest.raises(persona.ApiTypeError, match="must return a RESTResponse"):
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))


def test_handler_must_be_callable() -> None:
    with pytest.raises(persona.ApiTypeError, match="callable"):
        MockTransport("not a function")  # type: ignore[arg-type]


def test_a_closed_client_closes_nothing_it_was_given_but_refuses_calls() -> None:
    transport = MockTransport(
        lambda request: RESTResponse(200, json={"success": True}, headers={"X-Request-Id": "req_1"})
    )
    client = persona.ApiClient(transport=transport)
    client.close()
    assert not transport.closed  # the caller owns a transport it passed in
    with pytest.raises(persona.ApiClosedError):
        persona.AccountApi(client).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )
    transport.close()
    with pytest.raises(persona.ApiClosedError):
        persona.AccountApi(persona.ApiClient(transport=transport)).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )


def test_an_object_without_send_is_refused_as_transport() -> None:
    with pytest.raises(persona.ApiTypeError, match="send"):
        persona.ApiClient(transport=object())  # type: ignore[arg-type]


def test_debug_logs_mask_the_token_in_the_response(caplog: pytest.LogCaptureFixture) -> None:
    api, _ = api_with(
        lambda request: RESTResponse(200, json=TOKEN, headers={"X-Request-Id": "req_1"})
    )
    with caplog.at_level(logging.DEBUG, logger="persona"):
        api.account_code_for_token_post(code_body())
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "response POST" in text
    assert TOKEN["token"] not in text
    assert "123456" not in text


# -- with_options ------------------------------------------------------------------------
def test_with_options_shares_the_transport_and_changes_only_what_it_names() -> None:
    answers: list[int] = []

    def busy(request: Request) -> RESTResponse:
        answers.append(1)
        return RESTResponse(503, json={"code": "internal_error"})

    transport = MockTransport(busy)
    client = persona.ApiClient(persona.Configuration(backoff_base=0.001), transport=transport)
    once = client.with_options(max_retries=0, headers={"X-Tenant": "blue"})
    assert once.transport is client.transport
    with pytest.raises(persona.ServiceException):
        persona.AccountApi(once).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )
    assert len(answers) == 1
    assert transport.requests[0].header("X-Tenant") == "blue"
    with pytest.raises(persona.ServiceException):
        persona.AccountApi(client).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )
    assert len(answers) == 1 + 3  # the original still retries twice
    assert transport.requests[-1].header("X-Tenant") is None


def test_with_options_timeout_and_deadline() -> None:
    client = persona.ApiClient(transport=MockTransport(lambda r: RESTResponse(200)))
    derived = client.with_options(timeout=persona.Timeout(1, 2, total=3))
    assert derived._settings_now().timeout == persona.Timeout(1, 2, 3)
    pair = client.with_options(timeout=(4, 5), deadline=6)
    assert pair._settings_now().timeout == persona.Timeout(4, 5, 6)
    policy = client.with_options(retry_policy=persona.RetryPolicy(max_retries=7))
    assert policy._settings_now().policy.max_retries == 7


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": 1e10}, "timeout"),
        ({"deadline": 0}, "deadline"),
        ({"max_retries": -1}, "max_retries"),
        ({"retry_policy": 3}, "retry_policy"),
        ({"headers": {"Bad Name": "x"}}, "header name"),
    ],
)
def test_with_options_checks_what_it_is_given(options: dict[str, Any], match: str) -> None:
    client = persona.ApiClient(transport=MockTransport(lambda r: RESTResponse(200)))
    with pytest.raises(persona.ApiException, match=match):
        client.with_options(**options)


def test_closing_a_derived_client_leaves_the_original_open() -> None:
    client = persona.ApiClient(persona.Configuration(host="http://127.0.0.1:9/v1"))
    derived = client.with_options(max_retries=0)
    derived.close()
    assert derived.closed
    assert not client.closed
    client.close()


# -- MockTransport behaves like a real transport -----------------------------------------
def my_handler_answering(answer: Any) -> Any:
    def my_handler(request: Request) -> Any:
        return answer

    return my_handler


def _two_int_values() -> RESTResponse:
    response = RESTResponse(200, json={"success": True}, headers={"X-Request-Id": "req_1"})
    response.headers.add("X-Twice", 1)  # type: ignore[arg-type]
    response.headers.add("X-Twice", 2)  # type: ignore[arg-type]
    return response


MALFORMED: dict[str, Any] = {
    "int header value": lambda: RESTResponse(200, headers={"X-Count": 3}, json={}),
    "bytes header value": lambda: RESTResponse(200, headers={"X-A": b"v"}, json={}),
    "two int values of a header": _two_int_values,
    "None status": lambda: RESTResponse(None, json={}),  # type: ignore[arg-type]
    "str status": lambda: RESTResponse("200", json={}),  # type: ignore[arg-type]
    "bool status": lambda: RESTResponse(True, json={}),  # type: ignore[arg-type]
    "status out of range": lambda: RESTResponse(600, json={}),
    "bytes reason": lambda: RESTResponse(200, b"OK", json={}),  # type: ignore[arg-type]
    "str body": lambda: RESTResponse(200, data='{"success": true}'),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_an_api_type_error_naming_the_handler(case: str) -> None:
    api, _ = api_with(my_handler_answering(MALFORMED[case]()))
    with pytest.raises(persona.ApiTypeError, match=r"handler .*my_handler.* no server could send"):
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))


@pytest.mark.asyncio
@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_a_malformed_async_answer_is_an_api_type_error_naming_the_handler(
    case: str,
) -> None:
    answer = MALFORMED[case]()

    async def my_handler(request: Request) -> Any:
        return answer

    async with persona.AsyncApiClient(transport=MockTransport(my_handler)) as client:
        with pytest.raises(persona.ApiTypeError, match="my_handler"):
            await persona.AsyncAccountApi(client).account_forgot_pass_post(
                persona.ForgotPasswordData(email="ann@example.com")
            )


def test_a_sync_handler_slower_than_the_deadline_is_not_answered_after_it() -> None:
    def slow(request: Request) -> RESTResponse:
        time.sleep(0.4)
        return RESTResponse(
            200, json={"success": True, "message": "late"}, headers={"X-Request-Id": "req_1"}
        )

    api, transport = api_with(slow, deadline=0.2, timeout=5)
    with pytest.raises(persona.ApiTimeoutError, match="deadline"):
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert len(transport.requests) == 1


def test_a_sync_handler_slower_than_the_read_timeout_is_a_read_timeout_and_retried() -> None:
    def slow(request: Request) -> RESTResponse:
        time.sleep(0.15)
        return RESTResponse(
            200, json={"success": True, "message": "late"}, headers={"X-Request-Id": "req_1"}
        )

    api, transport = api_with(slow, deadline=10, timeout=0.05, max_retries=2)
    with pytest.raises(persona.ApiTimeoutError, match=r"read timeout \(0.05s\)") as info:
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert len(transport.requests) == 3  # retried as a real read timeout is
    assert info.value.attempts == 3


@pytest.mark.asyncio
async def test_an_async_handler_is_cut_off_at_the_deadline() -> None:
    import asyncio

    async def stuck(request: Request) -> RESTResponse:
        await asyncio.sleep(30)
        return RESTResponse(200, json={"success": True}, headers={"X-Request-Id": "req_1"})

    config = persona.Configuration(deadline=0.3, timeout=5, max_retries=0)
    started = time.monotonic()
    async with persona.AsyncApiClient(config, transport=MockTransport(stuck)) as client:
        with pytest.raises(persona.ApiTimeoutError):
            await persona.AsyncAccountApi(client).account_forgot_pass_post(
                persona.ForgotPasswordData(email="ann@example.com")
            )
    assert time.monotonic() - started < 2


OS_ERRORS: dict[str, tuple[Any, type[persona.ApiException], bool]] = {
    # what the handler raises: (the exception, what the caller gets, retried?)
    "ConnectionResetError": (
        ConnectionResetError(104, "Connection reset by peer"),
        persona.ApiConnectionError,
        True,
    ),
    "ConnectionRefusedError": (
        ConnectionRefusedError(111, "Connection refused"),
        persona.ApiConnectionError,
        True,
    ),
    "BrokenPipeError": (BrokenPipeError(32, "Broken pipe"), persona.ApiConnectionError, True),
    "OSError": (OSError(101, "Network is unreachable"), persona.ApiConnectionError, True),
    "TimeoutError": (TimeoutError("timed out"), persona.ApiTimeoutError, True),
    "socket.timeout": (__import__("socket").timeout("timed out"), persona.ApiTimeoutError, True),
    "socket.gaierror": (
        __import__("socket").gaierror(-2, "Name or service not known"),
        persona.ApiConnectionError,
        True,
    ),
    "ssl.SSLError": (
        __import__("ssl").SSLError(1, "certificate verify failed"),
        persona.ApiTLSError,
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(OS_ERRORS))
def test_an_os_error_of_the_handler_is_mapped_and_retried_as_a_real_transport_does(
    case: str,
) -> None:
    raised, expected, retried = OS_ERRORS[case]

    def failing(request: Request) -> RESTResponse:
        raise raised

    api, transport = api_with(failing, max_retries=2)
    with pytest.raises(expected) as info:
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    assert type(info.value) is expected
    assert info.value.__cause__ is raised
    assert len(transport.requests) == (3 if retried else 1)
    assert "localhost:8080" in str(info.value)


def test_a_refused_connection_reads_as_the_real_transports_does(unused_url: str) -> None:
    """The same failure through a real socket and through MockTransport: same class,
    same message, same hint."""
    config = persona.Configuration(host=unused_url, max_retries=0)
    with persona.ApiClient(config) as real, pytest.raises(persona.ApiConnectionError) as over_tcp:
        persona.AccountApi(real).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )

    def refusing(request: Request) -> RESTResponse:
        raise ConnectionRefusedError(111, "Connection refused")

    mock = persona.ApiClient(config, transport=MockTransport(refusing))
    with pytest.raises(persona.ApiConnectionError) as mocked:
        persona.AccountApi(mock).account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com")
        )
    assert type(mocked.value) is type(over_tcp.value)
    assert str(mocked.value) == str(over_tcp.value)
