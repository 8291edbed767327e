"""``AsyncApiClient(session=...)``: attempts go through the application's own
``aiohttp.ClientSession`` (its trace configs see each one), with every promise kept --
the deadline and read timeout on a stalled server, the size limit, retries of 503s even
on a session that raises for statuses, persona's TLS settings, cancellation -- and the
session is never closed by persona. Real loopback servers."""

from __future__ import annotations

import asyncio
import gc
import time
import types
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import trustme
from _faultserver import Conn, Request, ScriptedServer
from test_faults import BODY, FAST, OK, SLACK
from test_tls import server_context, tls_server

import persona
from persona.transports.aiohttp_transport import AiohttpTransport

pytestmark = pytest.mark.asyncio


def twice_503_then_200(conn: Conn, req: Request) -> None:
    if req.number <= 2:
        conn.respond(503, b'{"code": "internal_error"}', {"Retry-After": "0"})
    else:
        conn.respond(200, OK)


def answer(conn: Conn, req: Request) -> None:
    conn.respond(200, OK)


class Traced:
    """A TraceConfig that records each request it sees start and end."""

    def __init__(self) -> None:
        self.started: list[tuple[str, str]] = []
        self.ended: list[int] = []
        self.config = aiohttp.TraceConfig()
        self.config.on_request_start.append(self._start)
        self.config.on_request_end.append(self._end)

    async def _start(self, session: Any, ctx: types.SimpleNamespace, params: Any) -> None:
        self.started.append((params.method, str(params.url)))

    async def _end(self, session: Any, ctx: types.SimpleNamespace, params: Any) -> None:
        self.ended.append(params.response.status)


@pytest_asyncio.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """The application's session: a DummyCookieJar, closed by the test, not by persona."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as app_session:
        yield app_session


def client(host: str, session: aiohttp.ClientSession, **settings: Any) -> persona.AsyncApiClient:
    config = persona.Configuration(host=host, **{**FAST, **settings})
    return persona.AsyncApiClient(config, session=session)


# -- sent through the session ----------------------------------------------------------
async def test_every_attempt_goes_through_the_session_and_its_trace_configs() -> None:
    traced = Traced()
    with ScriptedServer(twice_503_then_200) as srv:
        async with aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(), trace_configs=[traced.config]
        ) as app_session:
            async with client(srv.url(), app_session) as c:
                reply = await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
            assert reply.success is True
            # close() left the session open: the application goes on using it.
            assert not app_session.closed
            async with app_session.get(srv.url() + "/after") as response:
                assert response.status == 200
    url = srv.url() + "/account/forgotPass"
    assert traced.started == [("POST", url)] * 3 + [("GET", srv.url() + "/after")]
    assert traced.ended == [503, 503, 200, 200]
    assert len(set(srv.keys[:3])) == 1  # one Idempotency-Key across the retries


async def test_with_options_copies_send_through_the_same_session(
    session: aiohttp.ClientSession,
) -> None:
    with ScriptedServer(answer) as srv:
        async with client(srv.url(), session) as parent:
            child = parent.with_options(headers={"X-Copy": "1"})
            await persona.AsyncAccountApi(child).account_forgot_pass_post(BODY)
            await child.close()
            await persona.AsyncAccountApi(parent).account_forgot_pass_post(BODY)
        assert not session.closed
    assert [r.header("X-Copy") for r in srv.requests] == ["1", None]


async def test_the_sessions_own_default_headers_are_sent_and_persona_s_win() -> None:
    # What persona does not control, as docs/Async.md says: the session's headers.
    headers = {"X-App": "mine", "User-Agent": "app/1"}
    with ScriptedServer(answer) as srv:
        async with (
            aiohttp.ClientSession(
                cookie_jar=aiohttp.DummyCookieJar(), headers=headers
            ) as app_session,
            client(srv.url(), app_session) as c,
        ):
            await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
    (received,) = srv.requests
    assert received.header("X-App") == "mine"
    assert (received.header("User-Agent") or "").startswith("persona-python/")


# -- every promise kept ----------------------------------------------------------------
async def test_the_deadline_ends_a_call_on_a_stalled_server(session: aiohttp.ClientSession) -> None:
    with ScriptedServer(lambda conn, req: conn.stall(10)) as srv:
        async with client(srv.url(), session, deadline=1.0, timeout=5, max_retries=5) as c:
            started = time.monotonic()
            with pytest.raises(persona.ApiTimeoutError, match="deadline"):
                await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
            elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.0 + SLACK
    assert not session.closed


async def test_the_deadline_holds_whatever_the_sessions_own_timeout() -> None:
    # The session would wait 60 s; persona's per-attempt timeouts replace its own.
    with ScriptedServer(lambda conn, req: conn.stall(10)) as srv:
        async with (
            aiohttp.ClientSession(
                cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=60)
            ) as app_session,
            client(srv.url(), app_session, timeout=0.5, max_retries=1) as c,
        ):
            started = time.monotonic()
            with pytest.raises(persona.ApiTimeoutError, match="read timeout") as info:
                await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
            elapsed = time.monotonic() - started
    assert info.value.attempts == 2
    assert elapsed < 2 * 0.5 + SLACK


async def test_the_size_limit_holds(session: aiohttp.ClientSession) -> None:
    big = b'{"success": true, "message": "' + b"x" * 5000 + b'"}'
    with ScriptedServer(lambda conn, req: conn.respond(200, big)) as srv:
        async with client(srv.url(), session, max_response_bytes=1000) as c:
            with pytest.raises(persona.ApiResponseError, match="1000"):
                await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)


async def test_a_session_that_raises_for_statuses_still_gets_persona_s_retries_and_errors() -> None:
    def bad_request_after_two_503s(conn: Conn, req: Request) -> None:
        if req.number <= 2:
            conn.respond(503, b'{"code": "internal_error"}', {"Retry-After": "0"})
        else:
            conn.respond(400, b'{"code": "invalid_email", "message": "no"}')

    with ScriptedServer(bad_request_after_two_503s) as srv:
        async with (
            aiohttp.ClientSession(
                cookie_jar=aiohttp.DummyCookieJar(), raise_for_status=True
            ) as app_session,
            client(srv.url(), app_session) as c,
        ):
            with pytest.raises(persona.BadRequestException) as info:
                await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
    assert info.value.error_code == "invalid_email"
    assert len(srv.requests) == 3


async def test_a_503_storm_through_the_session_is_a_service_exception(
    session: aiohttp.ClientSession,
) -> None:
    def storm(conn: Conn, req: Request) -> None:
        conn.respond(503, b'{"code": "internal_error"}', {"Retry-After": "0"})

    with ScriptedServer(storm) as srv:
        async with client(srv.url(), session, max_retries=2) as c:
            with pytest.raises(persona.ServiceException):
                await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
    assert len(srv.requests) == 3


async def test_a_cancelled_call_leaves_the_session_usable(session: aiohttp.ClientSession) -> None:
    def stall_first(conn: Conn, req: Request) -> None:
        if req.number == 1:
            conn.stall(10)
        else:
            conn.respond(200, OK)

    with ScriptedServer(stall_first) as srv:
        async with client(srv.url(), session) as c:
            api = persona.AsyncAccountApi(c)
            task = asyncio.ensure_future(api.account_forgot_pass_post(BODY))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert (await api.account_forgot_pass_post(BODY)).success is True
        assert not session.closed


async def test_persona_s_tls_settings_apply_through_the_session(
    ca: trustme.CA, ca_file: str, session: aiohttp.ClientSession
) -> None:
    with tls_server(server_context(ca, "localhost")) as srv:
        # The session's connector knows only the default CAs; persona's ssl_ca_cert is used.
        async with client(srv.url("localhost"), session, ssl_ca_cert=ca_file) as c:
            assert (await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)).success
        # And without it, the trustme CA is not trusted: verified, not skipped.
        async with client(srv.url("localhost"), session) as c:
            with pytest.raises(persona.ApiTLSError):
                await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)


# -- the session's owner closes it -----------------------------------------------------
async def test_close_never_closes_the_session_and_a_closed_session_is_ours_to_report() -> None:
    with ScriptedServer(answer) as srv:
        app_session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        c = client(srv.url(), app_session)
        await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
        await c.close()
        await c.close()
        assert not app_session.closed
        other = client(srv.url(), app_session)
        await app_session.close()  # its owner closes it while a client still uses it
        with pytest.raises(persona.ApiClosedError, match="closed by its owner"):
            await persona.AsyncAccountApi(other).account_forgot_pass_post(BODY)
        await other.close()
    assert len(srv.requests) == 1


async def test_an_unclosed_client_on_the_applications_session_does_not_warn(
    session: aiohttp.ClientSession,
) -> None:
    with ScriptedServer(answer) as srv:
        c = client(srv.url(), session)
        await persona.AsyncAccountApi(c).account_forgot_pass_post(BODY)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            del c
            gc.collect()


# -- sessions refused ------------------------------------------------------------------
async def test_a_session_with_a_real_cookie_jar_is_refused() -> None:
    async with aiohttp.ClientSession() as app_session:
        with pytest.raises(persona.ApiValueError, match=r"DummyCookieJar\(\)"):
            persona.AsyncApiClient(session=app_session)


async def test_a_closed_session_is_refused() -> None:
    app_session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
    await app_session.close()
    with pytest.raises(persona.ApiValueError, match="closed"):
        persona.AsyncApiClient(session=app_session)


async def test_a_session_must_be_a_client_session_and_not_come_with_a_transport(
    session: aiohttp.ClientSession,
) -> None:
    with pytest.raises(persona.ApiTypeError, match=r"must be an aiohttp\.ClientSession"):
        persona.AsyncApiClient(session="not a session")  # type: ignore[arg-type]
    transport = AiohttpTransport(persona.Configuration())
    with pytest.raises(persona.ApiTypeError, match="pass one"):
        persona.AsyncApiClient(transport=transport, session=session)
    await transport.close()
