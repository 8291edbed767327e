"""``close()`` is final, for both clients and every ``with_options()`` copy: after it
returns nothing more is sent, every wait (a backoff before a retry, a queued ``async_req``
call) ends at once with ApiClosedError, calls starting while it runs fail, and it does
not wait for calls in flight. Real loopback servers; the races run many rounds, bounded
in time."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from _faultserver import Conn, Request, ScriptedServer

import persona
from persona.core.response import RESTResponse
from persona.testing import MockTransport

BODY = persona.ForgotPasswordData(email="ann@example.com")
OK = b'{"success": true, "message": "sent"}'


def retry_after_8(conn: Conn, req: Request) -> None:
    conn.respond(503, b'{"message": "busy"}', {"Retry-After": "8"})


def config(host: str, **settings: Any) -> persona.Configuration:
    return persona.Configuration(host=host, **{"timeout": 2, "deadline": 30, **settings})


@pytest.mark.parametrize("through", ["client", "child", "grandchild"])
def test_close_ends_a_retry_wait_of_the_client_and_of_every_copy_at_once(through: str) -> None:
    with ScriptedServer(retry_after_8) as srv:
        client = persona.ApiClient(config(srv.url()))
        caller = client
        if through != "client":
            caller = client.with_options(max_retries=3)
        if through == "grandchild":
            caller = caller.with_options(deadline=20)
        pending = persona.AccountApi(caller).account_forgot_pass_post(BODY, async_req=True)
        while not srv.requests:
            time.sleep(0.01)
        time.sleep(0.2)  # now waiting 8 s to retry
        started = time.monotonic()
        client.close()
        with pytest.raises(persona.ApiClosedError):
            pending.get(timeout=10)
        ended = time.monotonic() - started
        sent = len(srv.requests)
        time.sleep(0.3)
    assert ended < 1.0, ended
    assert sent == len(srv.requests) == 1
    caller.close()


def test_closing_a_copy_ends_its_waits_and_leaves_the_original_open() -> None:
    with ScriptedServer(retry_after_8) as srv:
        client = persona.ApiClient(config(srv.url()))
        child = client.with_options(max_retries=3)
        pending = persona.AccountApi(child).account_forgot_pass_post(BODY, async_req=True)
        while not srv.requests:
            time.sleep(0.01)
        started = time.monotonic()
        child.close()
        with pytest.raises(persona.ApiClosedError):
            pending.get(timeout=10)
        assert time.monotonic() - started < 1.0
        assert not client.closed
        with pytest.raises(persona.ServiceException):  # the original still sends
            persona.AccountApi(client.with_options(max_retries=0)).account_forgot_pass_post(BODY)
        client.close()
    assert client.with_options(deadline=5).closed  # a copy of a closed client is closed


def _settled_count(srv: ScriptedServer, quiet: float = 0.2, limit: float = 3.0) -> int:
    """The server's request count once no request has arrived for ``quiet`` seconds.

    Bytes written before close() returned can take a while to be read by the server's
    thread on a loaded machine (six client threads share its GIL, and xdist workers the
    cores): a fixed 50 ms was not always enough. Requests that keep arriving for
    ``limit`` seconds mean close() did not stop the callers: that fails here.
    """
    ends = time.monotonic() + limit
    seen = len(srv.requests)
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < quiet:
        assert time.monotonic() < ends, "requests kept arriving after close() returned"
        time.sleep(0.01)
        now = len(srv.requests)
        if now != seen:
            seen, quiet_since = now, time.monotonic()
    return seen


def _close_while_calling(srv: ScriptedServer) -> None:
    client = persona.ApiClient(config(srv.url(), max_retries=2))
    callers = [client, client.with_options(max_retries=0), client.with_options()]
    closing_started = [float("inf")]
    late_successes: list[float] = []
    wrong: list[BaseException] = []
    go = threading.Event()

    def worker(caller: persona.ApiClient) -> None:
        api = persona.AccountApi(caller)
        go.wait(5)
        while True:
            began = time.monotonic()
            try:
                api.account_forgot_pass_post(BODY)
            except persona.ApiClosedError:
                return
            except persona.ApiException as exc:
                wrong.append(exc)
                return
            if began > closing_started[0]:
                late_successes.append(began - closing_started[0])

    threads = [threading.Thread(target=worker, args=(c,)) for c in callers * 2]
    for thread in threads:
        thread.start()
    go.set()
    time.sleep(0.05)
    closing_started[0] = time.monotonic()
    client.close()
    seen = _settled_count(srv)  # what was written before close() returned has arrived
    for thread in threads:
        thread.join(5)
    time.sleep(0.2)
    assert len(srv.requests) == seen, "a request was sent after close() returned"
    assert late_successes == []
    assert wrong == []


def test_nothing_is_sent_after_close_returns_and_calls_starting_meanwhile_fail() -> None:
    """Threads call through the client and its copies without pause while close() runs;
    a call that started after close() began must not succeed, and once close() returned
    the server sees no new request (after the few milliseconds that bytes written before
    it returned take to arrive)."""

    def script(conn: Conn, req: Request) -> None:
        conn.respond(200, OK)

    stop = time.monotonic() + 6
    rounds = 0
    with ScriptedServer(script) as srv:
        while time.monotonic() < stop and rounds < 30:
            rounds += 1
            _close_while_calling(srv)
    assert rounds >= 5


def test_close_does_not_wait_for_calls_in_flight() -> None:
    release = threading.Event()

    def slow(request: Any) -> RESTResponse:
        release.wait(5)
        return RESTResponse(200, "OK", {"Content-Type": "application/json"}, OK)

    client = persona.ApiClient(transport=MockTransport(slow))
    pending = persona.AccountApi(client).account_forgot_pass_post(BODY, async_req=True)
    queued = persona.AccountApi(client).account_forgot_pass_post(BODY, async_req=True)
    time.sleep(0.1)
    started = time.monotonic()
    client.close()
    took = time.monotonic() - started
    release.set()
    with pytest.raises(persona.ApiClosedError):
        queued.get(timeout=5)  # waited for a pool thread: ended by close()
    pending.wait(5)
    assert took < 0.5, took


# -- the async client ---------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("through", ["client", "child"])
async def test_async_close_ends_a_retry_wait_at_once(through: str) -> None:
    with ScriptedServer(retry_after_8) as srv:
        client = persona.AsyncApiClient(config(srv.url()))
        caller = client if through == "client" else client.with_options(max_retries=3)
        task = asyncio.ensure_future(persona.AsyncAccountApi(caller).account_forgot_pass_post(BODY))
        while not srv.requests:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await client.close()
        with pytest.raises(persona.ApiClosedError):
            await asyncio.wait_for(task, 10)
        ended = time.monotonic() - started
        await asyncio.sleep(0.3)
    assert ended < 1.0, ended
    assert len(srv.requests) == 1


@pytest.mark.asyncio
async def test_async_calls_starting_while_close_runs_fail_and_nothing_is_sent_after() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.respond(200, OK)

    with ScriptedServer(script) as srv:
        client = persona.AsyncApiClient(config(srv.url()))
        children = [client, client.with_options(max_retries=0)]
        await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
        closing = asyncio.ensure_future(client.close())
        starts = [
            asyncio.ensure_future(persona.AsyncAccountApi(c).account_forgot_pass_post(BODY))
            for c in children * 3
        ]
        await closing
        seen = len(srv.requests)
        results = await asyncio.gather(*starts, return_exceptions=True)
        await asyncio.sleep(0.1)
    assert all(isinstance(r, persona.ApiClosedError) for r in results), results
    assert len(srv.requests) == seen == 1


@pytest.mark.asyncio
async def test_async_close_ends_calls_in_flight_and_pool_waits_with_api_closed_error() -> None:
    def slow(conn: Conn, req: Request) -> None:
        conn.stall(3)
        conn.respond(200, OK)

    with ScriptedServer(slow) as srv:
        configuration = config(srv.url(), max_retries=0)
        configuration.connection_pool_maxsize = 1
        client = persona.AsyncApiClient(configuration)
        api = persona.AsyncAccountApi(client.with_options(max_retries=0))
        in_flight = asyncio.ensure_future(api.account_forgot_pass_post(BODY))
        await asyncio.sleep(0.3)
        waiting = asyncio.ensure_future(api.account_forgot_pass_post(BODY))  # no free slot
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await client.close()
        results = await asyncio.wait_for(
            asyncio.gather(in_flight, waiting, return_exceptions=True), 5
        )
        ended = time.monotonic() - started
    assert [type(r) for r in results] == [persona.ApiClosedError, persona.ApiClosedError]
    assert ended < 1.0


@pytest.mark.asyncio
async def test_cancelling_the_callers_task_still_cancels_it() -> None:
    def slow(conn: Conn, req: Request) -> None:
        conn.stall(3)
        conn.respond(200, OK)

    with ScriptedServer(slow) as srv:
        async with persona.AsyncApiClient(config(srv.url())) as client:
            task = asyncio.ensure_future(
                persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
            )
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
