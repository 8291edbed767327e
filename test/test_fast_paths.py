"""The call path's shortcuts (see bench/README.md) answer exactly as the long way would.

Each shortcut has a fallback; these tests take the fallbacks on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import urllib3
from pytest_httpserver import HTTPServer

import persona
from persona.core import rfc3339 as base
from persona.core.request import encode_body
from persona.exceptions import ApiConnectionError, ApiResponseError, ApiValueError
from persona.rest import RESTClientObject, RESTResponse
from persona.testing import MockTransport

TOKEN = {"token": "rst_abc", "expiresAt": "2030-01-01T12:00:00Z"}


# -- request bodies: the encoder built once ------------------------------------------
@pytest.mark.parametrize(
    "obj",
    [
        {"note": "t", "hint": 'pässwörd "quoted" \\ \n\t\u2028'},
        {"a": [1, 2.5, True, None], "b": {"c": {}}, "d": ""},
    ],
)
def test_body_encoder_writes_what_json_dumps_writes(obj: dict[str, Any]) -> None:
    body = persona.UpdatePasswordData(token="t", new_password="long enough pass")
    body.additional_properties = obj
    expected = json.dumps(body.to_dict(), ensure_ascii=False, separators=(",", ":"))
    payload, _ = encode_body(body, validate=False)
    assert payload == expected.encode()


def test_cyclic_additional_properties_fail_as_api_value_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    body = persona.UpdatePasswordData(token="t", new_password="long enough pass")
    body.additional_properties = {"loop": loop}
    with pytest.raises(ApiValueError, match="cannot be encoded as JSON") as refused:
        encode_body(body, validate=True)
    assert refused.value.__context__ is None  # the encoder's error (and the body) stay out


# -- response bodies: UTF-8 the short way, anything else as json.loads reads it -------
@pytest.mark.parametrize(
    "data",
    [
        json.dumps(TOKEN).encode(),
        b"\xef\xbb\xbf" + json.dumps(TOKEN).encode(),  # UTF-8 with a BOM
        json.dumps(TOKEN).encode("utf-16"),
        json.dumps(TOKEN).encode("utf-32-le"),
        b'  {"token": "rst_abc", "expiresAt": "2030-01-01T12:00:00Z"}\n',
    ],
)
def test_response_json_is_read_as_json_loads_reads_it(data: bytes) -> None:
    client = persona.ApiClient(persona.Configuration(host="http://127.0.0.1:9/v1"))
    got = client.deserialize(RESTResponse(200, "OK", {}, data), persona.TokenResponse)
    assert got == persona.TokenResponse.from_dict(json.loads(data))
    client.close()


@pytest.mark.parametrize("data", [b"", b"\xff\xfe{", b'{"token": "a"} trailing', b"\x00{}"])
def test_response_that_json_loads_refuses_is_refused(data: bytes) -> None:
    client = persona.ApiClient(persona.Configuration(host="http://127.0.0.1:9/v1"))
    with pytest.raises(ApiResponseError):
        client.deserialize(RESTResponse(200, "OK", {}, data), persona.TokenResponse)
    client.close()


# -- date-times ------------------------------------------------------------------------
@pytest.mark.parametrize("iso_z", [True, False])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-01-01T12:00:00Z", datetime(2030, 1, 1, 12, tzinfo=timezone.utc)),
        ("2030-01-01T12:00:00z", datetime(2030, 1, 1, 12, tzinfo=timezone.utc)),
        (
            "2030-01-01T12:00:00.250+01:30",
            datetime(2030, 1, 1, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=1.5))),
        ),
    ],
)
def test_datetime_parses_the_same_on_every_python(
    monkeypatch: pytest.MonkeyPatch, iso_z: bool, text: str, expected: datetime
) -> None:
    monkeypatch.setattr(base, "_ISO_Z", iso_z)
    assert base.parse_datetime(text) == expected


@pytest.mark.parametrize("iso_z", [True, False])
@pytest.mark.parametrize("text", ["2030-01-01T12:00:00", "not a date", "2030-13-01T00:00:00Z"])
def test_datetime_refuses_the_same_on_every_python(
    monkeypatch: pytest.MonkeyPatch, iso_z: bool, text: str
) -> None:
    monkeypatch.setattr(base, "_ISO_Z", iso_z)
    with pytest.raises(ValueError, match=r"offset|RFC 3339"):
        base.parse_datetime(text)


def test_bad_datetime_in_a_response_is_named() -> None:
    with pytest.raises(ApiValueError, match="expiresAt"):
        persona.TokenResponse.from_dict({"token": "t", "expiresAt": "2030-01-01T12:00:00"})


# -- validation shortcuts ------------------------------------------------------------
@pytest.mark.parametrize(
    "email", ["a b@example.com", "a\x85b@example.com", "a\u00a0b@example.com", "a\x7f@example.com"]
)
def test_email_with_a_space_or_control_character_is_refused(email: str) -> None:
    with pytest.raises(ApiValueError, match="spaces or control"):
        persona.ForgotPasswordData(email=email).validate()


def test_non_ascii_email_and_password_are_accepted() -> None:
    persona.ForgotPasswordData(email="zoë@exämple.com").validate()
    persona.UpdatePasswordData(token="t", new_password="pässwörd!").validate()


def test_lone_surrogate_is_refused_in_any_text_field() -> None:
    with pytest.raises(ApiValueError, match="lone surrogate"):
        persona.UpdatePasswordData(token="t", new_password="password\udc80").validate()


# -- transport: one PoolManager, public calls only ------------------------------------
def test_url_without_a_host_fails_as_a_connection_error() -> None:
    rest = RESTClientObject(persona.Configuration(host="http://127.0.0.1:9/v1", max_retries=0))
    with pytest.raises(ApiConnectionError):
        rest.request("POST", "http:///v1/account/forgotPass", {}, b"{}")
    rest.close()


@pytest.fixture
def routed(httpserver: HTTPServer) -> Iterator[tuple[RESTClientObject, str]]:
    """A RESTClientObject that has made one call (so its route is cached), and the URL."""
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(TOKEN)
    rest = RESTClientObject(persona.Configuration(host=httpserver.url_for("/v1")))
    url = httpserver.url_for("/v1/account/codeForToken")
    assert rest.request("POST", url, {}, b"{}").status == 200
    yield rest, url
    rest.close()


def test_requests_still_go_out_after_the_pool_manager_dropped_its_pools(
    routed: tuple[RESTClientObject, str],
) -> None:
    rest, url = routed
    rest.pool_manager.clear()  # forgets every pool (urllib3 2.8 leaves them open)
    assert rest.request("POST", url, {}, b"{}").status == 200


def test_rest_client_refuses_requests_after_close(httpserver: HTTPServer) -> None:
    rest = RESTClientObject(persona.Configuration(host=httpserver.url_for("/v1")))
    rest.close()
    with pytest.raises(persona.ApiClosedError):
        rest.request("POST", httpserver.url_for("/v1/account/codeForToken"), {}, b"{}")
    assert httpserver.log == []


@pytest.mark.filterwarnings("ignore:.*in use by a client:DeprecationWarning")  # 1.x: still applied
def test_call_timeout_and_configuration_timeout_changes_are_used(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(TOKEN)
    config = persona.Configuration(host=httpserver.url_for("/v1"))
    with persona.ApiClient(config) as client:
        api = persona.AccountApi(client)
        body = persona.CodeForTokenData(email="ann@example.com", code="1")
        assert api.account_code_for_token_post(body, _request_timeout=(2, 3)).token == "rst_abc"
        config.timeout = 5
        assert api.account_code_for_token_post(body).token == "rst_abc"


def test_a_routed_pool_that_was_closed_is_replaced_without_failing_the_call(
    routed: tuple[RESTClientObject, str], httpserver: HTTPServer
) -> None:
    rest, url = routed
    pool = rest.pool_manager.connection_from_url(url)
    rest.pool_manager.clear()  # forgotten and closed, as an older urllib3's clear() does
    pool.close()
    assert rest.request("POST", url, {}, b"{}").status == 200
    assert len(httpserver.log) == 2


def test_close_closes_the_routed_pools(routed: tuple[RESTClientObject, str]) -> None:
    rest, url = routed
    pool = rest.pool_manager.connection_from_url(url)
    rest.close()
    with pytest.raises(urllib3.exceptions.ClosedPoolError):
        pool.urlopen("GET", "/")


# -- the client's headers: merged once, re-merged when anything they come from changes --
def _sent_headers(client: persona.ApiClient, **options: Any) -> dict[str, str]:
    seen: list[dict[str, str]] = []

    def handler(request: Any) -> RESTResponse:
        seen.append(dict(request.headers))
        return RESTResponse(200, json=TOKEN, headers={"X-Request-Id": "req_1"})

    client.transport = MockTransport(handler)
    persona.AccountApi(client).account_code_for_token_post(
        persona.CodeForTokenData(email="a@example.com", code="123456"), **options
    )
    return seen[-1]


@pytest.mark.filterwarnings("ignore:.*in use by a client:DeprecationWarning")  # 1.x: still applied
def test_cached_headers_follow_every_change_of_what_they_are_made_from() -> None:
    config = persona.Configuration(host="http://127.0.0.1:9/v1")
    client = persona.ApiClient(config, transport=MockTransport(lambda r: None))
    first = _sent_headers(client)
    second = _sent_headers(client)
    assert first.pop("Idempotency-Key") != second.pop("Idempotency-Key")  # a fresh key each
    assert first == second
    client.default_headers["X-Tenant"] = "t1"  # the public dict, changed in place
    assert _sent_headers(client)["X-Tenant"] == "t1"
    client.default_headers["X-Tenant"] = "t2"
    assert _sent_headers(client)["X-Tenant"] == "t2"
    del client.default_headers["X-Tenant"]
    assert "X-Tenant" not in _sent_headers(client)
    client.cookie = "a=b"
    assert _sent_headers(client)["Cookie"] == "a=b"
    client.user_agent = "mine/1"
    assert _sent_headers(client)["User-Agent"] == "mine/1"
    client.user_agent = ""  # back to the Configuration's
    config.user_agent = "configured/2"
    assert _sent_headers(client)["User-Agent"] == "configured/2"
    client.default_headers["X-Bad"] = "a\r\nb"  # checked when the headers are merged again
    with pytest.raises(ApiValueError, match="CR, LF"):
        _sent_headers(client)
    del client.default_headers["X-Bad"]
    client.default_headers["idempotency-key"] = "k"
    with pytest.raises(ApiValueError, match="Idempotency-Key"):
        _sent_headers(client)


def test_cached_headers_answer_as_the_long_way() -> None:
    config = persona.Configuration(host="http://127.0.0.1:9/v1")
    client = persona.ApiClient(config, transport=MockTransport(lambda r: None))
    client.set_default_header("X-A", "1")
    short = _sent_headers(client)
    long = _sent_headers(client, _headers={}, _idempotency_key="key-1")
    assert short.pop("Idempotency-Key")
    assert long.pop("Idempotency-Key") == "key-1"
    assert list(short.items()) == list(long.items())
    with_options = client.with_options(headers={"X-B": "2"})
    assert _sent_headers(with_options)["X-B"] == "2"
    assert "X-B" not in _sent_headers(client)


# -- the async transport: no compression asked for, as the sync client asks -----------
@pytest.mark.parametrize(
    ("extra", "expected"),
    [(None, ["identity"]), ({"accept-encoding": "gzip"}, ["gzip"])],
)
def test_async_client_asks_for_identity_unless_told_otherwise(
    httpserver: HTTPServer, extra: Any, expected: list[str]
) -> None:
    import asyncio

    httpserver.expect_request("/v1/account/codeForToken").respond_with_json(TOKEN)

    async def call() -> None:
        config = persona.Configuration(host=httpserver.url_for("/v1"))
        async with persona.AsyncApiClient(config) as client:
            await persona.AsyncAccountApi(client).account_code_for_token_post(
                persona.CodeForTokenData(email="a@example.com", code="123456"), _headers=extra
            )

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(call())
    finally:
        loop.close()
    request, _ = httpserver.log[-1]
    assert request.headers.getlist("Accept-Encoding") == expected
