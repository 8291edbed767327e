"""Fuzzing with hypothesis: whatever a server sends, whatever a caller passes.

- Any bytes, and any JSON, as the body of any status for each operation: the call
  returns the operation's model (fully filled) or raises an ``ApiException`` subclass,
  never anything else (no JSONDecodeError, KeyError, RecursionError, ...), with the
  persona logger at DEBUG so that the logging of odd bodies is fuzzed too.
- Any string (any Unicode, lone surrogates, control characters, huge) for every field of
  every request model: either the model validates, goes out, arrives as sent and
  round-trips through JSON; or ``ApiValueError``/``ApiTypeError`` is raised and nothing
  reaches the server.

Bounded: a fixed number of examples, derandomized, so the suite is fast and repeatable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import persona
from persona.api.account_api import CODE_FOR_TOKEN, FORGOT_PASS, RESET_FORGOTTEN_PASSWORD
from persona.api_client import Operation
from persona.core.model import Model
from persona.exceptions import exception_for_status

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

OPERATIONS: dict[str, tuple[Operation, Model]] = {
    FORGOT_PASS.path: (FORGOT_PASS, persona.ForgotPasswordData(email="ann@example.com")),
    CODE_FOR_TOKEN.path: (
        CODE_FOR_TOKEN,
        persona.CodeForTokenData(email="ann@example.com", code="123456"),
    ),
    RESET_FORGOTTEN_PASSWORD.path: (
        RESET_FORGOTTEN_PASSWORD,
        persona.UpdatePasswordData(token="tok-123", new_password="new-password-1"),
    ),
}
VALID_ANSWER = {
    FORGOT_PASS.path: {"success": True, "message": "sent"},
    CODE_FOR_TOKEN.path: {"token": "tok-123", "expiresAt": "2030-01-01T00:00:00Z"},
    RESET_FORGOTTEN_PASSWORD.path: {"success": True},
}


class Script:
    """What the fuzz server answers next, and what it received."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = b""
        self.content_type = "application/json"
        self.received: list[tuple[str, bytes]] = []

    def handler(self, request: Request) -> Response:
        self.received.append((request.path, request.get_data()))
        if self.body is None:  # echo mode: a valid answer for the operation
            payload = json.dumps(VALID_ANSWER[request.path.removeprefix("/v1")]).encode()
            return Response(payload, status=200, content_type="application/json")
        return Response(self.body, status=self.status, content_type=self.content_type)


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[tuple[Script, persona.ApiClient]]:
    script = Script()
    server = HTTPServer(host="127.0.0.1")
    server.expect_request("/v1/account/forgotPass", method="POST").respond_with_handler(
        script.handler
    )
    server.expect_request("/v1/account/codeForToken", method="POST").respond_with_handler(
        script.handler
    )
    server.expect_request("/v1/account/resetForgottenPassword", method="POST").respond_with_handler(
        script.handler
    )
    server.start()
    config = persona.Configuration(host=server.url_for("/v1"), timeout=5, max_retries=0)
    client = persona.ApiClient(config)
    logger = logging.getLogger("persona")
    level = logger.level
    sink = logging.NullHandler()
    sink.setLevel(logging.DEBUG)
    logger.addHandler(sink)
    logger.setLevel(logging.DEBUG)  # the debug log formats every body: fuzz it too
    try:
        yield script, client
    finally:
        logger.setLevel(level)
        logger.removeHandler(sink)
        client.close()
        server.clear()
        server.stop()


def call(client: persona.ApiClient, path: str, body: Optional[Model] = None) -> Any:
    operation, default = OPERATIONS[path]
    return client.call_operation(operation, body or default, with_http_info=False)


def attempt(fn: Any, *args: Any) -> tuple[Any, Optional[persona.ApiException]]:
    """``(result, None)`` or ``(None, the ApiException)``; anything else propagates."""
    try:
        return fn(*args), None
    except persona.ApiException as exc:
        return None, exc


def check_outcome(script: Script, client: persona.ApiClient, path: str) -> None:
    operation = OPERATIONS[path][0]
    result, exc = attempt(call, client, path)
    if exc is not None:
        if 200 <= script.status <= 299:
            assert type(exc) is persona.ApiResponseError, repr(exc)
            assert operation.response_type.__name__ in str(exc)
        else:
            assert type(exc) is exception_for_status(script.status)
        assert exc.status == script.status
        assert "\n" not in str(exc)
        assert repr(exc)
        return
    # Success: only for a 2xx, and never a half-filled model.
    assert 200 <= script.status <= 299
    assert type(result) is operation.response_type
    for spec in result._required:
        assert isinstance(getattr(result, spec.name), spec.type)
    assert type(result).from_dict(json.loads(json.dumps(result.to_dict()))) == result
    repr(result)


STATUSES = st.sampled_from([200, 201, 299, 400, 401, 404, 409, 418, 500])
PATHS = st.sampled_from(sorted(OPERATIONS))


@FUZZ
@given(path=PATHS, status=STATUSES, body=st.binary(max_size=1024))
def test_any_bytes_give_a_model_or_an_api_exception(
    fuzz_server: tuple[Script, persona.ApiClient], path: str, status: int, body: bytes
) -> None:
    script, client = fuzz_server
    script.status, script.body = status, body
    check_outcome(script, client, path)


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
DATE_TEXT = (
    st.datetimes(timezones=st.just(timezone.utc) | st.none()).map(datetime.isoformat)
    | st.from_regex(
        r"\d{1,5}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?",
        fullmatch=True,
    )
    | st.text(max_size=30)
)
MODEL_SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "success": st.booleans() | JSON_VALUES,
        "message": st.text(max_size=20) | JSON_VALUES,
        "token": st.text(max_size=20) | JSON_VALUES,
        "expiresAt": DATE_TEXT | JSON_VALUES,
        "code": st.text(max_size=10),
        "extra": JSON_VALUES,
    },
)


@FUZZ
@given(path=PATHS, status=STATUSES, doc=MODEL_SHAPED | JSON_VALUES)
def test_any_json_gives_a_model_or_an_api_exception(
    fuzz_server: tuple[Script, persona.ApiClient], path: str, status: int, doc: Any
) -> None:
    script, client = fuzz_server
    script.status, script.body = status, json.dumps(doc).encode()
    check_outcome(script, client, path)


@pytest.mark.parametrize("status", [200, 400, 503])
@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b"[" * 5_000 + b"]" * 5_000,
        b'{"success": true, "x": ' + b"[" * 990 + b"]" * 990 + b"}",
        b'{"code": ' + b'{"a": ' * 2_000 + b"1" + b"}" * 2_001,
        b'{"success": true, "n": ' + b"9" * 5_000 + b"}",
        b"\xff\xfe\x00{",
        b'{"success": true}' * 2,
    ],
    ids=["open", "deep-array", "deep-extra", "deep-object", "huge-int", "bad-utf8", "twice"],
)
def test_pathological_json_never_escapes_as_a_bare_error(
    fuzz_server: tuple[Script, persona.ApiClient], status: int, body: bytes
) -> None:
    script, client = fuzz_server
    script.status, script.body = status, body
    for path in OPERATIONS:
        check_outcome(script, client, path)


# -- request fields -------------------------------------------------------------------------
ANY_CHAR = st.one_of(
    st.characters(exclude_categories=()),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.sampled_from('\x00\r\n\t\x7f\x85\u2028\ufeff@. "\\'),
)
ANY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=80),
    st.builds(
        lambda s, n: s * n, st.text(ANY_CHAR, min_size=1, max_size=4), st.integers(1, 40_000)
    ),
    st.from_regex(r"[^@\s]{1,70}@[^@\s]{1,200}", fullmatch=True),  # e-mail-shaped
)
FIELDS = [
    (path, spec.name)
    for path, (_, model) in sorted(OPERATIONS.items())
    for spec in type(model)._fields
]


@FUZZ
@given(target=st.sampled_from(FIELDS), value=ANY_TEXT)
def test_any_string_in_any_field_is_sent_as_is_or_refused_before_sending(
    fuzz_server: tuple[Script, persona.ApiClient], target: tuple[str, str], value: str
) -> None:
    script, client = fuzz_server
    path, name = target
    model_type = type(OPERATIONS[path][1])
    body = model_type.from_dict(OPERATIONS[path][1].to_dict())
    script.body = None  # type: ignore[assignment]  # echo mode
    before = len(script.received)

    def set_and_send() -> Any:
        setattr(body, name, value)
        return call(client, path, body)

    result, exc = attempt(set_and_send)
    if exc is not None:
        assert isinstance(exc, (persona.ApiValueError, persona.ApiTypeError)), repr(exc)
        assert len(script.received) == before  # refused before sending
        assert exc.status == 0
        if model_type._by_name[name].secret and len(value) > 1:
            assert value not in str(exc)
        if getattr(body, name) == value:  # set, then refused when sent: validate says so
            with pytest.raises((persona.ApiValueError, persona.ApiTypeError)):
                body.validate()
        else:  # refused on assignment (a secret with a lone surrogate): nothing was set
            body.validate()
        return
    # Accepted: it validated, arrived exactly as sent, and round-trips.
    assert type(result) is OPERATIONS[path][0].response_type
    body.validate()
    sent_path, sent = script.received[-1]
    assert sent_path == "/v1" + path
    assert json.loads(sent.decode("utf-8")) == body.to_dict()
    assert json.loads(sent.decode("utf-8"))[model_type._by_name[name].json_name] == value
    assert model_type.from_json(body.to_json()) == body
    assert model_type.from_dict(body.to_dict()) == body


@FUZZ
@given(
    target=st.sampled_from(FIELDS),
    value=st.one_of(
        st.integers(), st.floats(), st.binary(max_size=8), st.booleans(), st.lists(st.text())
    ),
)
def test_non_strings_in_any_field_raise_api_type_error(target: tuple[str, str], value: Any) -> None:
    path, name = target
    body = type(OPERATIONS[path][1])()
    with pytest.raises(persona.ApiTypeError) as info:
        setattr(body, name, value)
    assert isinstance(info.value, TypeError)
    assert getattr(body, name) is None
