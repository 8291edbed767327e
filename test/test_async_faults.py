"""Fault injection through the async client: the cases of ``test_faults.py`` (reset,
stall, drip, truncation, oversize bodies, 429/503 storms with Retry-After, HTML from a
gateway, invalid JSON) against the same misbehaving loopback servers, with
:class:`persona.AsyncApiClient`. Same exceptions, same attempt counts, one
Idempotency-Key per call, every call ended inside its deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from _faultserver import Conn, Request, ScriptedServer
from pytest_httpserver import HTTPServer
from test_faults import BODY, FAST, OK, SLACK, error, host_of, keys_of, ok, one_key, scripted
from werkzeug import Response

import persona
from persona.testing import ReferenceServer

pytestmark = pytest.mark.asyncio


@contextlib.asynccontextmanager
async def async_api(host: str, **settings: Any) -> AsyncIterator[persona.AsyncAccountApi]:
    config = persona.Configuration(host=host, **{**FAST, **settings})
    async with persona.AsyncApiClient(config) as client:
        yield persona.AsyncAccountApi(client)


async def timed_failure(
    api: persona.AsyncAccountApi, **kwargs: Any
) -> tuple[persona.ApiException, float]:
    started = time.monotonic()
    with pytest.raises(persona.ApiException) as info:
        await api.account_forgot_pass_post(BODY, **kwargs)
    return info.value, time.monotonic() - started


@pytest.fixture
def httpserver(httpserver: HTTPServer) -> HTTPServer:
    yield httpserver  # type: ignore[misc]
    httpserver.clear()


# -- connection-level faults (raw sockets) ---------------------------------------------
async def test_reset_before_answer_is_retried_then_raises_connection_error() -> None:
    with ScriptedServer(lambda conn, req: conn.reset()) as srv:
        async with async_api(srv.url()) as api:
            exc, elapsed = await timed_failure(api)
    assert type(exc) is persona.ApiConnectionError
    assert exc.status == 0
    assert isinstance(exc.__cause__, aiohttp.ClientError)
    assert exc.attempts == 3
    assert len(srv.requests) == 3
    one_key(srv.keys)
    assert elapsed < FAST["deadline"] + SLACK


async def test_reset_once_then_answer_succeeds_on_the_retry() -> None:
    def script(conn: Conn, req: Request) -> None:
        if req.number == 1:
            conn.reset()
        else:
            conn.respond(200, OK)

    with ScriptedServer(script) as srv:
        async with async_api(srv.url()) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True
    assert len(srv.requests) == 2
    one_key(srv.keys)


async def test_connection_refused_raises_connection_error_with_cause(unused_url: str) -> None:
    async with async_api(unused_url) as api:
        exc, elapsed = await timed_failure(api)
    assert type(exc) is persona.ApiConnectionError
    assert isinstance(exc.__cause__, aiohttp.ClientConnectorError)
    assert "cannot connect" in str(exc)
    assert exc.hint
    assert "server running" in exc.hint
    assert elapsed < FAST["deadline"] + SLACK


async def test_unresolvable_host_raises_connection_error() -> None:
    async with async_api("http://no-such-host.invalid/v1", max_retries=0) as api:
        exc, _ = await timed_failure(api)
    assert type(exc) is persona.ApiConnectionError
    assert "no-such-host.invalid" in str(exc)


async def test_stall_past_read_timeout_raises_timeout_after_every_attempt() -> None:
    with ScriptedServer(lambda conn, req: conn.stall(10)) as srv:
        async with async_api(srv.url()) as api:
            exc, elapsed = await timed_failure(api)
    assert isinstance(exc, persona.ApiTimeoutError)
    assert isinstance(exc, TimeoutError)
    assert "read timeout" in str(exc)
    assert len(srv.requests) == 3
    one_key(srv.keys)
    assert elapsed < 3 * FAST["timeout"] + SLACK


async def test_deadline_bounds_the_whole_call_across_retries() -> None:
    with ScriptedServer(lambda conn, req: conn.stall(10)) as srv:
        async with async_api(srv.url(), deadline=1.2, max_retries=50) as api:
            exc, elapsed = await timed_failure(api)
    assert isinstance(exc, persona.ApiTimeoutError)
    assert 1.0 <= elapsed < 1.2 + SLACK
    assert 2 <= len(srv.requests) <= 4
    one_key(srv.keys)


async def test_a_stall_with_a_deadline_shorter_than_the_read_timeout_is_the_deadline() -> None:
    # No per-read timer is armed then (it could never fire first): the deadline ends it.
    with ScriptedServer(lambda conn, req: conn.stall(10)) as srv:
        async with async_api(srv.url(), timeout=(1, 5), deadline=0.8, max_retries=0) as api:
            exc, elapsed = await timed_failure(api)
    assert isinstance(exc, persona.ApiTimeoutError)
    assert "deadline" in str(exc)
    assert "read timeout" not in str(exc)
    assert 0.7 <= elapsed < 0.8 + SLACK
    assert len(srv.requests) == 1


async def test_body_dripped_slower_than_the_deadline_is_cut_at_the_deadline() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999\r\n\r\n"
        )
        for _ in range(200):
            if conn.server.stopping.wait(0.05):
                return
            conn.send(b" ")

    with ScriptedServer(script) as srv:
        async with async_api(srv.url(), deadline=1.0) as api:
            exc, elapsed = await timed_failure(api)
    assert isinstance(exc, persona.ApiTimeoutError)
    assert "deadline" in str(exc)
    assert elapsed < 1.0 + SLACK
    assert len(srv.requests) == 1


async def test_headers_dripped_slower_than_the_deadline_are_cut_at_the_deadline() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\n")
        for i in range(200):
            if conn.server.stopping.wait(0.05):
                return
            conn.send(f"X-Drip-{i}: x\r\n".encode())

    with ScriptedServer(script) as srv:
        async with async_api(srv.url(), deadline=1.0) as api:
            exc, elapsed = await timed_failure(api)
    assert isinstance(exc, persona.ApiTimeoutError)
    assert elapsed < 1.0 + SLACK


async def test_truncated_body_raises_connection_error_after_retries() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"X-Request-Id: rid-trunc\r\nContent-Length: 100\r\n\r\n" + OK[:10]
        )
        conn.close()

    with ScriptedServer(script) as srv:
        async with async_api(srv.url()) as api:
            exc, elapsed = await timed_failure(api)
    assert type(exc) is persona.ApiConnectionError
    assert isinstance(exc.__cause__, aiohttp.ClientPayloadError)
    assert len(srv.requests) == 3
    one_key(srv.keys)
    assert elapsed < FAST["deadline"] + SLACK


async def test_50_mib_body_with_content_length_is_refused_at_once() -> None:
    size = 50 * 1024 * 1024

    def script(conn: Conn, req: Request) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: rid-big\r\n"
            + f"Content-Length: {size}\r\n\r\n".encode()
        )
        chunk = b" " * 65536
        for _ in range(size // len(chunk)):
            conn.send(chunk)

    with ScriptedServer(script) as srv:
        async with async_api(srv.url()) as api:
            exc, elapsed = await timed_failure(api)
        srv.stop()
    assert type(exc) is persona.ApiResponseError
    assert exc.status == 200
    assert exc.request_id == "rid-big"
    assert "max_response_bytes" in str(exc)
    assert len(srv.requests) == 1
    assert max(srv.bytes_sent) < size // 2, srv.bytes_sent
    assert elapsed < FAST["deadline"] + SLACK


async def test_50_mib_chunked_body_without_length_is_refused_past_the_limit() -> None:
    size = 50 * 1024 * 1024

    def script(conn: Conn, req: Request) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: rid-chunk\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        piece = b" " * 65536
        frame = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        for _ in range(size // len(piece)):
            conn.send(frame)
        conn.send(b"0\r\n\r\n")

    with ScriptedServer(script) as srv:
        async with async_api(srv.url(), max_response_bytes=256 * 1024) as api:
            exc, elapsed = await timed_failure(api)
        srv.stop()
    assert type(exc) is persona.ApiResponseError
    assert exc.request_id == "rid-chunk"
    assert "max_response_bytes" in str(exc)
    assert len(srv.requests) == 1
    assert max(srv.bytes_sent) < size // 2, srv.bytes_sent
    assert elapsed < FAST["deadline"] + SLACK


async def test_chunked_body_within_the_limit_is_read() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            + f"{len(OK):x}\r\n".encode()
            + OK
            + b"\r\n0\r\n\r\n"
        )

    with ScriptedServer(script) as srv:
        async with async_api(srv.url()) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True


async def test_body_of_exactly_the_limit_is_accepted() -> None:
    body = OK[:-1] + b" " * (2000 - len(OK)) + b"}"
    with ScriptedServer(lambda conn, req: conn.respond(200, body)) as srv:
        async with async_api(srv.url(), max_response_bytes=2000) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True


async def test_keep_alive_connection_is_reused_between_calls() -> None:
    with ScriptedServer(lambda conn, req: conn.respond(200, OK)) as srv:
        async with async_api(srv.url()) as api:
            for _ in range(3):
                assert (await api.account_forgot_pass_post(BODY)).success is True
    assert len(srv.requests) == 3
    assert srv.connections == 1


async def test_server_closing_keep_alive_between_calls_does_not_break_the_next_call() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.respond(200, OK)
        conn.close()

    with ScriptedServer(script) as srv:
        async with async_api(srv.url(), max_retries=0) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True
            await asyncio.sleep(0.05)  # let the loop see the FIN: the pooled connection is dead
            assert (await api.account_forgot_pass_post(BODY)).success is True
    assert len(srv.requests) == 2
    assert srv.keys[0] != srv.keys[1]


# -- HTTP-level faults (pytest-httpserver) ----------------------------------------------
async def test_503_twice_then_200_succeeds_on_the_third_attempt(httpserver: HTTPServer) -> None:
    seen = scripted(httpserver, error(503, "internal_error"), error(503, "internal_error"), ok())
    async with async_api(host_of(httpserver)) as api:
        info = await api.account_forgot_pass_post_with_http_info(BODY)
    assert info.status == 200
    assert info.data.success is True
    assert info.request_id == "rid-ok"
    assert len(seen) == 3
    one_key(keys_of(seen))


async def test_503_storm_raises_service_exception_with_request_id(httpserver: HTTPServer) -> None:
    seen = scripted(httpserver, error(503, "internal_error", {"Retry-After": "0"}))
    async with async_api(host_of(httpserver), max_retries=5) as api:
        exc, elapsed = await timed_failure(api)
    assert type(exc) is persona.ServiceException
    assert exc.request_id == "rid-503"
    assert exc.error_code == "internal_error"
    assert len(seen) == 6
    one_key(keys_of(seen))
    assert elapsed < FAST["deadline"] + SLACK


async def test_429_with_retry_after_1_waits_about_a_second_then_succeeds(
    httpserver: HTTPServer,
) -> None:
    seen = scripted(httpserver, error(429, "rate_limited", {"Retry-After": "1"}), ok())
    started = time.monotonic()
    async with async_api(host_of(httpserver)) as api:
        assert (await api.account_forgot_pass_post(BODY)).success is True
    assert len(seen) == 2
    one_key(keys_of(seen))
    assert 0.9 <= time.monotonic() - started < 1 + SLACK


async def test_429_storm_raises_too_many_requests_with_retry_after(httpserver: HTTPServer) -> None:
    seen = scripted(httpserver, error(429, "rate_limited", {"Retry-After": "0.2"}))
    async with async_api(host_of(httpserver), max_retries=3) as api:
        exc, elapsed = await timed_failure(api)
    assert type(exc) is persona.TooManyRequestsException
    assert exc.retry_after == 1  # whole seconds: a fractional Retry-After is rounded up
    assert len(seen) == 4
    one_key(keys_of(seen))
    assert 0.6 <= elapsed < FAST["deadline"] + SLACK


async def test_retry_after_longer_than_max_retry_after_fails_at_once(
    httpserver: HTTPServer,
) -> None:
    seen = scripted(httpserver, error(429, "rate_limited", {"Retry-After": "3600"}), ok())
    async with async_api(host_of(httpserver), max_retry_after=5) as api:
        exc, elapsed = await timed_failure(api)
    assert type(exc) is persona.TooManyRequestsException
    assert len(seen) == 1
    assert elapsed < SLACK


async def test_html_on_502_raises_service_exception_with_the_page_as_body(
    httpserver: HTTPServer,
) -> None:
    page = "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>"
    seen = scripted(
        httpserver,
        Response(page, status=502, headers={"X-Request-Id": "rid-gw"}, content_type="text/html"),
    )
    async with async_api(host_of(httpserver)) as api:
        exc, _ = await timed_failure(api)
    assert type(exc) is persona.ServiceException
    assert exc.body == page
    assert exc.data is None
    assert exc.request_id == "rid-gw"
    assert "\n" not in str(exc)
    assert len(seen) == 3
    one_key(keys_of(seen))


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"{not json", "not JSON"), (b"", "empty"), (b'{"success": "yes"}', "success")],
)
async def test_200_with_a_body_that_is_not_the_model_raises_api_response_error(
    httpserver: HTTPServer, body: bytes, problem: str
) -> None:
    scripted(
        httpserver,
        Response(
            body, status=200, headers={"X-Request-Id": "rid-bad"}, mimetype="application/json"
        ),
    )
    async with async_api(host_of(httpserver)) as api:
        exc, _ = await timed_failure(api)
    assert type(exc) is persona.ApiResponseError
    assert exc.request_id == "rid-bad"
    assert problem in str(exc)


async def test_statuses_other_than_429_502_503_504_are_not_retried(httpserver: HTTPServer) -> None:
    seen = scripted(httpserver, error(500, "internal_error"))
    async with async_api(host_of(httpserver)) as api:
        exc, _ = await timed_failure(api)
    assert type(exc) is persona.ServiceException
    assert len(seen) == 1


async def test_per_call_request_timeout_overrides_the_configuration() -> None:
    with ScriptedServer(lambda conn, req: conn.stall(10)) as srv:
        async with async_api(srv.url(), timeout=5, max_retries=0) as api:
            exc, elapsed = await timed_failure(api, _request_timeout=0.3)
    assert isinstance(exc, persona.ApiTimeoutError)
    assert "0.3" in str(exc)
    assert elapsed < 0.3 + SLACK


# -- against the reference server ----------------------------------------------------------
async def test_retried_forgot_pass_mails_exactly_one_code() -> None:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        srv.inject_fault("drop_after", times=1, path="/account/forgotPass")
        async with async_api(srv.url) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True
        assert srv.request_count("/account/forgotPass") == 2  # dropped, then replayed
        one_key([r.header("Idempotency-Key") for r in srv.requests])
        assert len(srv.outbox) == 1


async def test_reference_server_503_with_retry_after_then_success() -> None:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        srv.inject_fault("status:503", times=1, retry_after=0)
        async with async_api(srv.url) as api:
            info = await api.account_forgot_pass_post_with_http_info(BODY)
        assert info.status == 200
        assert info.request_id
        assert srv.request_count() == 2
        assert len(srv.outbox) == 1


async def test_reference_server_stall_past_read_timeout_then_success() -> None:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        srv.inject_fault("stall:1.5", times=1)
        async with async_api(srv.url, timeout=0.4) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True
        assert srv.request_count() == 2
        one_key([r.header("Idempotency-Key") for r in srv.requests])
    assert len(srv.outbox) == 1


async def test_an_oversize_answer_keeps_its_headers_masked_as_any_error_does() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: rid-big\r\n"
            b"Set-Cookie: session=s3cr3t-cookie\r\nContent-Length: 99999999\r\n\r\n"
        )
        conn.close()

    with ScriptedServer(script) as srv:
        async with async_api(srv.url()) as api:
            exc, _ = await timed_failure(api)
    assert type(exc) is persona.ApiResponseError
    assert exc.headers is not None
    assert exc.headers["Set-Cookie"] == "***"
    assert exc.request_id == "rid-big"
