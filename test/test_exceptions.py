"""The exception hierarchy: what catches what, the attributes, one-line messages."""

from __future__ import annotations

import pytest
from urllib3 import HTTPHeaderDict

from persona import exceptions as exc
from persona.rest import RESTResponse


def test_every_exception_is_an_api_exception_and_an_openapi_exception() -> None:
    for name in exc.__all__:
        cls = getattr(exc, name)
        if isinstance(cls, type):
            assert issubclass(cls, exc.OpenApiException), name
            if cls is not exc.OpenApiException:
                assert issubclass(cls, exc.ApiException), name


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (exc.ApiTypeError, TypeError),
        (exc.ApiValueError, ValueError),
        (exc.ApiClosedError, RuntimeError),
        (exc.ApiTimeoutError, TimeoutError),
    ],
)
def test_client_side_errors_are_also_the_matching_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, builtin)


def test_except_value_error_catches_api_value_error() -> None:
    with pytest.raises(ValueError, match="bad"):
        raise exc.ApiValueError("bad")


def test_connection_errors_form_their_own_branch() -> None:
    assert issubclass(exc.ApiTimeoutError, exc.ApiConnectionError)
    assert issubclass(exc.ApiTLSError, exc.ApiConnectionError)
    assert not issubclass(exc.ApiTLSError, exc.ApiTimeoutError)
    assert not issubclass(exc.ApiConnectionError, (TypeError, ValueError))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, exc.BadRequestException),
        (401, exc.UnauthorizedException),
        (403, exc.ForbiddenException),
        (404, exc.NotFoundException),
        (409, exc.ConflictException),
        (429, exc.TooManyRequestsException),
        (500, exc.ServiceException),
        (503, exc.ServiceException),
        (599, exc.ServiceException),
        (405, exc.ApiException),
        (418, exc.ApiException),
        (302, exc.ApiException),
    ],
)
def test_exception_for_status(status: int, cls: type) -> None:
    assert exc.exception_for_status(status) is cls


def test_attributes_from_a_json_error_body() -> None:
    headers = HTTPHeaderDict({"X-Request-Id": "req-1", "Content-Type": "application/json"})
    body = '{"code": "invalid_code", "message": "The code is wrong."}'
    error = exc.UnauthorizedException(401, "Unauthorized", body=body, headers=headers)
    assert error.status == 401
    assert error.reason == "Unauthorized"
    assert error.body == body
    assert error.data == {"code": "invalid_code", "message": "The code is wrong."}
    assert error.headers is headers
    assert error.request_id == "req-1"
    assert error.error_code == "invalid_code"
    assert error.error_message == "The code is wrong."
    assert str(error) == "(401) Unauthorized: invalid_code - The code is wrong. [request id req-1]"
    assert repr(error) == f"UnauthorizedException({str(error)!r})"


@pytest.mark.parametrize("body", [None, "", "<html>oops</html>", "[1, 2]", '{"code": 5}', "null"])
def test_non_conforming_error_body_gives_no_code(body: str | None) -> None:
    error = exc.ServiceException(502, "Bad Gateway", body=body)
    assert error.error_code is None
    assert error.error_message is None
    assert str(error) == "(502) Bad Gateway"
    assert error.request_id is None


def test_html_body_is_kept_but_data_is_none() -> None:
    error = exc.ServiceException(502, "Bad Gateway", body="<html>oops</html>")
    assert error.body == "<html>oops</html>"
    assert error.data is None


def test_message_is_one_line_whatever_the_server_sent() -> None:
    body = '{"code": "internal_error", "message": "line one\\nline two\\r\\n\\tthree"}'
    error = exc.ServiceException(500, "Internal\r\nServer Error", body=body)
    text = str(error)
    assert "\n" not in text
    assert "\r" not in text
    assert text == "(500) Internal Server Error: internal_error - line one line two three"


def test_message_without_reason_says_error() -> None:
    assert str(exc.ApiException(418)) == "(418) Error"


def test_client_side_error_has_status_zero_and_the_message_as_reason() -> None:
    error = exc.ApiValueError("CodeForTokenData.code: is required", path_to_item=["code"])
    assert error.status == 0
    assert error.reason == "CodeForTokenData.code: is required"
    assert str(error) == "CodeForTokenData.code: is required"
    assert error.path_to_item == ["code"]
    assert error.body is None
    assert error.headers is None


def test_api_type_error_keeps_generated_client_attributes() -> None:
    error = exc.ApiTypeError("bad", path_to_item=["x", 0], valid_classes=(str,), key_type=False)
    assert error.path_to_item == ["x", 0]
    assert error.valid_classes == (str,)
    assert error.key_type is False


def test_connection_error_has_status_zero() -> None:
    error = exc.ApiTimeoutError("read timeout (30s) from http://x")
    assert error.status == 0
    assert str(error) == "read timeout (30s) from http://x"


def test_built_from_an_http_response_as_generated_clients_do() -> None:
    response = RESTResponse(
        404,
        "Not Found",
        HTTPHeaderDict({"X-Request-Id": "r-9"}),
        b'{"code": "not_found", "message": "No such path."}',
    )
    error = exc.ApiException(http_resp=response)
    assert error.status == 404
    assert error.reason == "Not Found"
    assert error.body == '{"code": "not_found", "message": "No such path."}'
    assert error.request_id == "r-9"
    assert error.error_code == "not_found"


def test_explicit_status_wins_over_the_http_response() -> None:
    response = RESTResponse(500, "Oops", HTTPHeaderDict(), b"\xff")
    error = exc.ApiException(503, "Busy", http_resp=response)
    assert (error.status, error.reason, error.body) == (503, "Busy", "\ufffd")


@pytest.mark.parametrize(("value", "seconds"), [("7", 7.0), ("0", 0.0), ("soon", None)])
def test_too_many_requests_exposes_retry_after(value: str, seconds: float | None) -> None:
    error = exc.TooManyRequestsException(429, "Too Many Requests", headers={"Retry-After": value})
    assert error.retry_after == seconds


def test_too_many_requests_without_headers_has_no_retry_after() -> None:
    assert exc.TooManyRequestsException(429).retry_after is None


@pytest.mark.parametrize(
    "error",
    [
        exc.BadRequestException(
            400, "Bad Request", body='{"code": "invalid_request"}', headers={"X-Request-Id": "r"}
        ),
        exc.TooManyRequestsException(429, "Too Many Requests", headers={"Retry-After": "2"}),
        exc.ApiValueError("X.y: is required", path_to_item=["y"]),
        exc.ApiTypeError("X.y: must be str", valid_classes=(str,)),
        exc.ApiTimeoutError("read timeout (1s) from http://x"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_exceptions_survive_pickling_with_their_attributes(error: exc.ApiException) -> None:
    import pickle

    again = pickle.loads(pickle.dumps(error))  # e.g. across a process pool
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert (again.status, again.reason, again.body, again.request_id) == (
        error.status,
        error.reason,
        error.body,
        error.request_id,
    )


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("60", 60), ("0", 0), ("1", 1), (" 42 ", 42), ("31536001", 365 * 24 * 3600)],
)
def test_retry_after_is_whole_seconds_that_go_back_into_a_header(value: str, seconds: int) -> None:
    error = exc.TooManyRequestsException(
        status=429, reason="Too Many Requests", headers={"Retry-After": value}
    )
    assert error.retry_after == seconds
    assert type(error.retry_after) is int
    assert str(error.retry_after) == str(seconds)  # "60", not "60.0"


def test_retry_after_of_an_http_date_is_rounded_up() -> None:
    import time
    from email.utils import formatdate

    when = formatdate(time.time() + 90.2, usegmt=True)  # an HTTP date has whole seconds
    error = exc.TooManyRequestsException(status=429, headers={"Retry-After": when})
    assert isinstance(error.retry_after, int)
    assert 88 <= error.retry_after <= 91
