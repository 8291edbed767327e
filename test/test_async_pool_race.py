"""Issue 19 item 1, async side: a call's deadline never reaches a connection that is
already back in the pool. The async transport has no watchdog of its own: aiohttp's
timers bound an attempt by cancelling the task that reads it, and a connection returns
to aiohttp's pool only when its body was read whole, after which nothing of that call
touches it. This pins the property: many rounds, bounded in time, of calls whose
deadlines run out around the moment their last byte arrives, on a pool of one or two
connections shared with calls whose deadlines are far away."""

from __future__ import annotations

import asyncio
import random
import time

import pytest
from _faultserver import Conn, Request, ScriptedServer

import persona

pytest.importorskip("aiohttp", reason="needs the async extra: pip install '.[async]'")


@pytest.mark.asyncio
async def test_short_deadlines_on_a_small_pool_fail_only_the_calls_they_belong_to() -> None:
    def script(conn: Conn, req: Request) -> None:
        conn.stall(random.choice((0.0, 0.0, 0.001, 0.003)))
        conn.respond(200, b'{"success": true, "message": "sent"}')

    wrong: list[BaseException] = []
    calls = 0
    with ScriptedServer(script) as srv:
        config = persona.Configuration(host=srv.url(), deadline=0.004, max_retries=0)
        config.connection_pool_maxsize = 2
        async with persona.AsyncApiClient(config) as client:
            stop = time.monotonic() + 3  # many rounds, bounded in time
            body = persona.ForgotPasswordData(email="ann@example.com")

            async def worker() -> None:
                nonlocal calls
                deadline = random.choice((0.002, 0.004, 0.006, 2))
                api = persona.AsyncAccountApi(client.with_options(deadline=deadline))
                while time.monotonic() < stop:
                    calls += 1
                    try:
                        await api.account_forgot_pass_post(body)
                    except persona.ApiTimeoutError:
                        pass  # its own deadline
                    except persona.ApiException as exc:
                        wrong.append(exc)

            await asyncio.gather(*(worker() for _ in range(6)))
    assert calls > 100
    assert wrong == []
