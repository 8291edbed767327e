"""The aiohttp transport on its own (its error table, lifecycle, fork guard) and what
both clients share through ``BaseClient`` (``with_options``, transport checks, headers),
checked on the sync and the async client alike.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

import persona
from persona.api.account_api import FORGOT_PASS
from persona.core.policy import AttemptTimeout
from persona.rest import RESTResponse
from persona.testing import MockTransport, ReferenceServer
from persona.transports import aiohttp_transport
from persona.transports.aiohttp_transport import AiohttpTransport, map_error

URL = "http://127.0.0.1:9/v1/account/forgotPass"
BODY = persona.ForgotPasswordData(email="ann@example.com")
OK = {"success": True}


def budget(seconds: float = 5.0) -> AttemptTimeout:
    return AttemptTimeout(1.0, 1.0, time.monotonic() + seconds)


# -- the error table ------------------------------------------------------------------------
def test_read_timeout_past_the_deadline_says_deadline() -> None:
    mapped = map_error(aiohttp.SocketTimeoutError(), URL, budget(-1))
    assert isinstance(mapped, persona.ApiTimeoutError)
    assert "deadline exceeded" in str(mapped)


def test_read_timeout_inside_the_deadline_says_read_timeout() -> None:
    mapped = map_error(aiohttp.SocketTimeoutError(), URL, budget())
    assert isinstance(mapped, persona.ApiTimeoutError)
    assert "read timeout (1s)" in str(mapped)


def test_plain_timeout_is_the_deadline() -> None:
    mapped = map_error(asyncio.TimeoutError(), URL, budget())
    assert isinstance(mapped, persona.ApiTimeoutError)
    assert "deadline exceeded" in str(mapped)


def test_an_error_outside_the_table_is_not_mapped() -> None:
    assert map_error(ValueError("x"), URL, budget()) is None


def test_connect_timeout_names_the_connect_timeout() -> None:
    mapped = map_error(aiohttp.ConnectionTimeoutError(), URL, budget())
    assert isinstance(mapped, persona.ApiTimeoutError)
    assert "connect timeout (1s)" in str(mapped)


def test_ssl_errors_are_tls_errors() -> None:
    import ssl

    assert isinstance(map_error(ssl.SSLError("bad"), URL, budget()), persona.ApiTLSError)


# -- the transport ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_transport_lifecycle_and_context_manager() -> None:
    with ReferenceServer({}, outbox="") as server:
        config = persona.Configuration(host=server.url)
        async with AiohttpTransport(config) as transport:
            assert transport.loop is None
            assert not transport.closed
            client = persona.AsyncApiClient(config, transport=transport)
            await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
            assert transport.loop is asyncio.get_running_loop()
        assert transport.closed
        await client.close()  # not its transport: nothing to close, no warning


@pytest.mark.asyncio
async def test_an_unmapped_error_is_raised_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError("not a network failure")

    config = persona.Configuration(host="http://127.0.0.1:9/v1", max_retries=0)
    async with persona.AsyncApiClient(config) as client:
        monkeypatch.setattr(aiohttp_transport, "_identity_asked", broken)  # inside the attempt
        with pytest.raises(ValueError, match="not a network failure"):
            await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)


@pytest.mark.asyncio
async def test_a_client_used_after_fork_raises_api_event_loop_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = persona.Configuration(host="http://127.0.0.1:9/v1")
    async with persona.AsyncApiClient(config) as client:
        real = aiohttp_transport._fork.generation
        monkeypatch.setattr(aiohttp_transport._fork, "generation", lambda: real() + 1)
        with pytest.raises(persona.ApiEventLoopError, match="fork"):
            await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)


# -- what both clients share ------------------------------------------------------------------
def test_with_options_retry_policy_on_the_sync_client() -> None:
    seen: list[Any] = []

    def handler(request: Any) -> RESTResponse:
        seen.append(request)
        return RESTResponse(503)

    with persona.ApiClient(transport=MockTransport(handler)) as client:
        policy = persona.RetryPolicy(max_retries=3, backoff_base=0, backoff_max=0)
        patient = client.with_options(max_retries=0).with_options(retry_policy=policy)
        assert patient.transport is client.transport
        with pytest.raises(persona.ServiceException):
            persona.AccountApi(patient).account_forgot_pass_post(BODY)
        patient.close()  # a copy: the shared transport stays open
        assert not client.transport.closed  # type: ignore[attr-defined]
    assert len(seen) == 4


@pytest.mark.asyncio
async def test_with_options_retry_policy_on_the_async_client() -> None:
    seen: list[Any] = []

    async def handler(request: Any) -> RESTResponse:
        seen.append(request)
        return RESTResponse(503)

    async with persona.AsyncApiClient(transport=MockTransport(handler)) as client:
        policy = persona.RetryPolicy(max_retries=2, backoff_base=0, backoff_max=0)
        with pytest.raises(persona.ServiceException):
            await persona.AsyncAccountApi(
                client.with_options(retry_policy=policy)
            ).account_forgot_pass_post(BODY)
    assert len(seen) == 3


@pytest.mark.parametrize("make", [persona.ApiClient, persona.AsyncApiClient])
def test_with_options_refuses_a_retry_policy_of_the_wrong_type(make: Any) -> None:
    client = make(
        transport=MockTransport(
            lambda r: RESTResponse(200, json=OK, headers={"X-Request-Id": "req_1"})
        )
    )
    with pytest.raises(persona.ApiTypeError, match="retry_policy: must be RetryPolicy"):
        client.with_options(retry_policy={"max_retries": 1})


def test_sync_client_refuses_a_transport_without_send() -> None:
    with pytest.raises(persona.ApiTypeError, match="send"):
        persona.ApiClient(transport=object())  # type: ignore[arg-type]


def test_sync_client_refuses_a_bad_pool_threads() -> None:
    with pytest.raises(persona.ApiValueError, match="pool_threads"):
        persona.ApiClient(pool_threads=0)


@pytest.mark.asyncio
async def test_headers_option_must_be_a_mapping() -> None:
    async with persona.AsyncApiClient(
        transport=MockTransport(
            lambda r: RESTResponse(200, json=OK, headers={"X-Request-Id": "req_1"})
        )
    ) as client:
        with pytest.raises(persona.ApiTypeError, match="_headers: must be a dict"):
            await persona.AsyncAccountApi(client).account_forgot_pass_post(
                BODY,
                _headers=[("X-A", "b")],  # type: ignore[arg-type]
            )


@pytest.mark.asyncio
async def test_call_operation_with_a_default_header_and_a_cookie() -> None:
    seen: list[Any] = []

    def handler(request: Any) -> RESTResponse:
        seen.append(request)
        return RESTResponse(200, json=OK, headers={"X-Request-Id": "req_1"})

    async with persona.AsyncApiClient(
        transport=MockTransport(handler), header_name="X-Tenant", header_value="t1", cookie="s=1"
    ) as client:
        client.user_agent = "my-app/2"
        await client.call_operation(FORGOT_PASS, BODY)
    assert seen[0].header("X-Tenant") == "t1"
    assert seen[0].header("Cookie") == "s=1"
    assert seen[0].header("User-Agent") == "my-app/2"


def test_mock_transport_refuses_a_handler_that_is_not_callable() -> None:
    with pytest.raises(persona.ApiTypeError, match="handler must be callable"):
        MockTransport("not a function")  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_mock_transport_refuses_a_handler_answer_that_is_not_a_response() -> None:
    async with persona.AsyncApiClient(transport=MockTransport(lambda r: {"success": True})) as c:
        with pytest.raises(persona.ApiTypeError, match="must return a RESTResponse"):
            await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)


def test_closed_mock_transport_refuses_requests() -> None:
    transport = MockTransport(
        lambda r: RESTResponse(200, json=OK, headers={"X-Request-Id": "req_1"})
    )
    with persona.ApiClient(transport=transport) as client:
        assert persona.AccountApi(client).account_forgot_pass_post(BODY).success
        transport.close()
        assert transport.closed
        with pytest.raises(persona.ApiClosedError):
            persona.AccountApi(client).account_forgot_pass_post(BODY)


@pytest.mark.asyncio
async def test_response_headers_are_an_http_header_dict_with_repeats_kept() -> None:
    from urllib3 import HTTPHeaderDict

    with ReferenceServer({}, outbox="") as server:
        config = persona.Configuration(host=server.url)
        async with persona.AsyncApiClient(config) as client:
            raw = await persona.AsyncAccountApi(client).account_forgot_pass_post(
                BODY, _preload_content=False
            )
    assert isinstance(raw, RESTResponse)
    assert isinstance(raw.headers, HTTPHeaderDict)
    assert raw.headers is raw.headers  # copied once
    assert raw.getheader("content-type") == "application/json;charset=utf-8"
    raw.headers = HTTPHeaderDict([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    assert raw.headers.getlist("set-cookie") == ["a=1", "b=2"]
