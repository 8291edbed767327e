"""Where the async client's CPU per call goes, beside raw aiohttp.

    python bench/profile_async.py              # the pieces, in µs per call (timeit)
    python bench/profile_async.py --quick      # the same, briefly: checks the script
    python bench/profile_async.py --profile 1  # cProfile of calls at concurrency 1
    python bench/profile_async.py --profile 128
    python bench/profile_async.py --decompose  # whole calls: the floor + each promise
    python bench/profile_async.py --loop-iterations  # event-loop turns per call

The pieces are timed one by one, outside the event loop where they can be (the request
building, the plan, reading the response into the model), and as whole calls against
the canned server of ``run.py`` (a separate process) for what only happens inside a
call (aiohttp's timers). Figures are ``time.process_time()`` per call, best of a few
repeats: they are for comparing pieces, not for the bench's ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the canned server)

#: Calls per timing and timings per piece (``--quick`` makes them tiny, to check the
#: script works).
HOT = {"n": 20000, "repeat": 5}


def per_call(fn: Callable[[], Any]) -> float:
    """Best CPU µs per call of ``fn`` over HOT["repeat"] runs of HOT["n"] calls."""
    best = float("inf")
    n = HOT["n"]
    for _ in range(HOT["repeat"]):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n)
    return best * 1e6


async def per_async_call(fn: Callable[[], Any], concurrency: int, calls: int = 3000) -> float:
    """Median CPU µs per call of ``fn`` awaited ``calls`` times, ``concurrency`` at once."""
    samples = []
    for _ in range(5):
        cpu, _rate = await run._async_round(fn, concurrency, calls)
        samples.append(cpu)
    samples.sort()
    return samples[len(samples) // 2] * 1e6


def pieces(url: str) -> None:
    """The table of bench/README.md: each piece of persona's call beside what the
    floor does for the same step (µs per call, hot: timeit-style loops)."""
    import aiohttp
    from aiohttp.client_reqrep import ClientRequest

    import persona
    from persona.api import account_api
    from persona.async_api_client import ASYNC_CALL_OPTIONS
    from persona.core import trace
    from persona.core.request import build_request
    from persona.core.response import decode_model
    from persona.transports import aiohttp_transport as at

    config = persona.Configuration(host=url, connection_pool_maxsize=run.ASYNC_POOL)
    client = persona.AsyncApiClient(config)
    body = persona.CodeForTokenData(**run.CODE_FOR_TOKEN)
    operation = account_api.CODE_FOR_TOKEN
    options = {"_preload_content": True}
    prepared = client._prepare_call(operation, body, options, False, ASYNC_CALL_OPTIONS)
    request = prepared.request
    budget = prepared.plan().next_attempt()
    raw_headers = {
        "Content-Type": "application/json;charset=utf-8",
        "Content-Length": str(len(run.TOKEN_BODY)),
        "X-Request-Id": "req_8f14e45fceea167a",
    }
    response = at._Response(200, "OK", raw_headers, run.TOKEN_BODY)
    ok = response

    class Answered:
        """What aiohttp's response gives the transport, already read."""

        status = 200
        reason = "OK"
        headers = raw_headers
        content_length = len(run.TOKEN_BODY)

        async def read(self) -> bytes:
            return run.TOKEN_BODY

        def release(self) -> None:
            pass

        def close(self) -> None:  # pragma: no cover - only on failure
            pass

    class Instant:
        """aiohttp's session with the network taken out: the transport's own code runs
        around a request that answers at once."""

        async def request(self, *args: Any, **kwargs: Any) -> Answered:
            return Answered()

        async def close(self) -> None:
            pass

    fake = persona.AsyncApiClient(config)
    api = persona.AsyncAccountApi(fake)

    def drive(coro: Any) -> Any:
        try:
            coro.send(None)
        except StopIteration as stop:
            return stop.value
        raise RuntimeError("suspended")  # pragma: no cover

    def plan_cycle() -> None:
        p = prepared.plan()
        p.next_attempt()
        p.after_response(ok, 0.0)

    def skip_auto_headers() -> None:  # what the session's skip_auto_headers cost
        ClientRequest.update_auto_headers(_Req(request.headers), ("Accept-Encoding",))

    def no_skip() -> None:
        ClientRequest.update_auto_headers(_Req(at._identity_asked(request.headers)), None)

    async def timers() -> tuple[float, float]:
        loop = asyncio.get_running_loop()

        def one() -> None:  # the floor's: aiohttp's total
            loop.call_at(loop.time() + 300, print).cancel()

        def three() -> None:  # persona's: total, and sock_read armed, re-armed, dropped
            loop.call_at(loop.time() + 120, print).cancel()
            loop.call_later(30, print).cancel()
            loop.call_later(30, print).cancel()

        return per_call(one), per_call(three)

    one_timer, three_timers = asyncio.run(timers())

    async def whole() -> tuple[float, float]:
        transport: Any = fake.transport
        transport._check_loop()
        held = transport._session()
        await held.session.close()  # never used: the stand-in answers instead
        held.session = Instant()
        return (
            per_call(lambda: drive(api.account_code_for_token_post(body))),
            per_call(lambda: drive(fake.transport.send(request, budget))),
        )

    whole_call, send_only = asyncio.run(whole())

    def floor_request() -> Any:
        return json.dumps(run.CODE_FOR_TOKEN).encode()

    rows: list[tuple[str, Callable[[], Any], Optional[Callable[[], Any]]]] = [
        (
            "headers: the client's, merged (cached) + Idempotency-Key",
            lambda: client._headers("POST", None, None),
            None,
        ),
        ("  of which the key, os.urandom(16).hex()", lambda: os.urandom(16).hex(), None),
        (
            "request: build_request (validate, to_dict, JSON, secrets kept for masking)",
            lambda: build_request(operation, body, host=url, headers={}, validate=True),
            floor_request,
        ),
        (
            "response: decode_model (JSON -> TokenResponse, datetime, required fields)",
            lambda: decode_model(response, persona.TokenResponse, request.secrets),
            lambda: json.loads(run.TOKEN_BODY),
        ),
        ("retry loop: CallPlan, next_attempt, after_response", plan_cycle, None),
        (
            "  logging checks (info_enabled, debug_enabled)",
            lambda: (trace.info_enabled(0), trace.debug_enabled(0)),
            None,
        ),
        (
            "ClientTimeout per attempt (total, sock_connect, sock_read)",
            lambda: aiohttp.ClientTimeout(
                total=budget.remaining(),
                sock_connect=budget.connect,
                sock_read=budget.read,
                **at._TIMEOUT_EXTRA,
            ),
            None,
        ),
        (
            "auto headers: request's Accept-Encoding: identity (was skip_auto_headers)",
            no_skip,
            lambda: ClientRequest.update_auto_headers(_Req(run.JSON_HEADERS), None),
        ),
        (
            "  skip_auto_headers=('Accept-Encoding',), as before",
            skip_auto_headers,
            lambda: ClientRequest.update_auto_headers(_Req(run.JSON_HEADERS), None),
        ),
        (
            "response headers copied to HTTPHeaderDict (only if read: errors, with_http_info)",
            lambda: at._header_dict(raw_headers),
            None,
        ),
        (
            "result: read_response -> model",
            lambda: prepared.result(ok),
            lambda: json.loads(run.TOKEN_BODY),
        ),
    ]
    print("| piece | persona µs | floor µs | extra µs |\n| --- | ---: | ---: | ---: |")
    for name, mine, theirs in rows:
        a = per_call(mine)
        b = per_call(theirs) if theirs is not None else 0.0
        print(f"| {name} | {a:.2f} | {b:.2f} | {a - b:+.2f} |")
    print(
        f"| timers: 3 armed + cancelled (persona) vs 1 (floor) | {three_timers:.2f} | "
        f"{one_timer:.2f} | {three_timers - one_timer:+.2f} |"
    )
    print(
        f"| whole call without the network (aiohttp answering at once) | {whole_call:.2f} | "
        f"{per_call(floor_request) + per_call(lambda: json.loads(run.TOKEN_BODY)):.2f} | |"
    )
    print(f"| transport.send without aiohttp's request | {send_only:.2f} | | |")
    print("| extra tasks per call | 0 | 0 | 0 |")
    asyncio.run(fake.close())
    asyncio.run(client.close())


class _Req:
    """Just what ClientRequest.update_auto_headers reads and writes."""

    from aiohttp.client_reqrep import ClientRequest

    DEFAULT_HEADERS = ClientRequest.DEFAULT_HEADERS

    def __init__(self, headers: Any) -> None:
        from multidict import CIMultiDict

        self.headers = CIMultiDict(headers)


async def decompose(url: str, levels: list[int], rounds: int, calls: int) -> None:
    """Whole calls against the canned server, interleaved: the floor, then a ladder
    that adds persona's promises to raw aiohttp one at a time, then persona itself.
    What persona costs beyond the last rung is the API method and the client around
    the core (keyword options, the prepared call, the coroutine layers)."""
    import statistics

    import aiohttp

    import persona
    from persona.api import account_api
    from persona.async_retry_loop import send_with_retries_async
    from persona.core.attempts import CallPlan
    from persona.core.request import build_request
    from persona.core.response import read_response
    from persona.transports.aiohttp_transport import _Response

    config = persona.Configuration(host=url, connection_pool_maxsize=run.ASYNC_POOL)
    client = persona.AsyncApiClient(config)
    api = persona.AsyncAccountApi(client)
    body = persona.CodeForTokenData(**run.CODE_FOR_TOKEN)
    operation = account_api.CODE_FOR_TOKEN
    target = url + "/account/codeForToken"
    floor_session = aiohttp.ClientSession()
    # The session as persona makes it (transports/aiohttp_transport._Session).
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=run.ASYNC_POOL),
        trust_env=False,
        timeout=aiohttp.ClientTimeout(total=None),
        cookie_jar=aiohttp.DummyCookieJar(),
    )
    deadline_s = persona.Timeout().total
    floor_headers = {**run.JSON_HEADERS, "Accept-Encoding": "identity"}

    def per_attempt(read: Optional[float]) -> aiohttp.ClientTimeout:
        # As the transport does: total is what is left of the call's deadline.
        started = time.monotonic()
        return aiohttp.ClientTimeout(
            total=started + deadline_s - time.monotonic(), sock_connect=10.0, sock_read=read
        )

    async def send(data: bytes, headers: Any, read: Optional[float]) -> tuple[Any, bytes]:
        response = await session.request(
            "POST",
            target,
            data=data,
            headers=headers,
            timeout=per_attempt(read),
            allow_redirects=False,
        )
        got = await response.read()
        response.release()
        return response, got

    floor = run.aiohttp_floor(floor_session, url)

    async def deadline() -> Any:
        _, got = await send(json.dumps(run.CODE_FOR_TOKEN).encode(), floor_headers, None)
        return json.loads(got)

    async def read_timeout() -> Any:
        _, got = await send(json.dumps(run.CODE_FOR_TOKEN).encode(), floor_headers, 30.0)
        return json.loads(got)

    async def headers() -> Any:
        sent = {**client._headers("POST", None, None), "Accept-Encoding": "identity"}
        _, got = await send(json.dumps(run.CODE_FOR_TOKEN).encode(), sent, 30.0)
        return json.loads(got)

    def built() -> Any:  # the request as persona builds it: checked, encoded, keyed
        sent = client._headers("POST", None, None)
        return build_request(operation, body, host=url, headers=sent, validate=True)

    async def send_built(req: Any) -> tuple[Any, bytes]:
        return await send(req.body or b"", {**req.headers, "Accept-Encoding": "identity"}, 30.0)

    def result(answer: Any, req: Any) -> Any:
        return read_response(
            answer, req, persona.TokenResponse, with_http_info=False, preload_content=True
        )

    async def model_body() -> Any:
        _, got = await send_built(built())
        return json.loads(got)

    async def typed() -> Any:
        req = built()
        r, got = await send_built(req)
        return result(_Response(r.status, "", r.headers, got), req)

    settings = client._settings_now()

    async def looped() -> Any:
        req = built()
        plan = CallPlan(req, settings.timeout, settings.policy)
        return result(await send_with_retries_async(client.transport, plan, client._life), req)

    async def sdk() -> Any:
        return await api.account_code_for_token_post(body)

    sides = {
        "aiohttp floor": floor,
        "+ deadline (per-attempt total)": deadline,
        "+ read timeout (sock_read)": read_timeout,
        "+ headers and Idempotency-Key": headers,
        "+ body through the model (validate, encode)": model_body,
        "+ typed result (status check, model)": typed,
        "+ retry loop, close and loop checks (persona's transport)": looped,
        "persona": sdk,
    }
    assert (await typed()).token == (await looped()).token == (await sdk()).token
    print("| concurrency | " + " | ".join(sides) + " |")
    print("| ---: |" + " ---: |" * len(sides))
    for level in levels:
        for fn in sides.values():
            await run._async_round(fn, level, min(calls, 300))  # warm-up
        samples: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for r in range(rounds):
            for name in names if r % 2 == 0 else names[::-1]:
                samples[name].append((await run._async_round(sides[name], level, calls))[0])
        base = statistics.median(samples["aiohttp floor"])
        cells = [
            f"{statistics.median(v) * 1e6:.1f} µs ({statistics.median(v) / base:.2f}x)"
            for v in samples.values()
        ]
        print(f"| {level} | " + " | ".join(cells) + " |", flush=True)
    await floor_session.close()
    await session.close()
    await client.close()


async def loop_iterations(url: str, calls: int) -> None:
    """Event-loop iterations and ready callbacks per call, floor and persona, one at a
    time. (A measuring aid only: it wraps asyncio's private ``_run_once``, which the
    package itself never touches.)"""
    import aiohttp

    import persona

    counts = [0, 0]
    loop = asyncio.get_running_loop()
    original = type(loop)._run_once  # type: ignore[attr-defined]

    def counted(self: Any) -> None:
        counts[0] += 1
        counts[1] += len(self._ready)
        original(self)

    config = persona.Configuration(host=url, connection_pool_maxsize=run.ASYNC_POOL)
    client = persona.AsyncApiClient(config)
    api = persona.AsyncAccountApi(client)
    body = persona.CodeForTokenData(**run.CODE_FOR_TOKEN)
    session = aiohttp.ClientSession()
    floor = run.aiohttp_floor(session, url)

    async def sdk() -> Any:
        return await api.account_code_for_token_post(body)

    print("| side | loop iterations per call | ready callbacks per call |")
    print("| --- | ---: | ---: |")
    type(loop)._run_once = counted  # type: ignore[attr-defined]
    try:
        for name, fn in (("aiohttp floor", floor), ("persona", sdk)):
            for _ in range(50):
                await fn()
            counts[:] = [0, 0]
            for _ in range(calls):
                await fn()
            print(f"| {name} | {counts[0] / calls:.2f} | {counts[1] / calls:.2f} |")
    finally:
        type(loop)._run_once = original  # type: ignore[attr-defined]
    await session.close()
    await client.close()


def profile(url: str, concurrency: int, calls: int) -> None:
    import persona

    async def main() -> None:
        config = persona.Configuration(host=url, connection_pool_maxsize=run.ASYNC_POOL)
        async with persona.AsyncApiClient(config) as client:
            api = persona.AsyncAccountApi(client)
            body = persona.CodeForTokenData(**run.CODE_FOR_TOKEN)

            async def call() -> Any:
                return await api.account_code_for_token_post(body)

            await run._async_round(call, concurrency, 500)
            prof = cProfile.Profile()
            prof.enable()
            await run._async_round(call, concurrency, calls)
            prof.disable()
            stats = pstats.Stats(prof)
            stats.sort_stats("tottime").print_stats(35)
            stats.sort_stats("cumulative").print_stats(45)

    asyncio.run(main())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", type=int, metavar="CONCURRENCY")
    parser.add_argument(
        "--decompose", action="store_true", help="whole calls, the floor plus each promise"
    )
    parser.add_argument(
        "--loop-iterations",
        action="store_true",
        help="event-loop iterations per call, floor and persona (concurrency 1)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="the pieces timed briefly (checks the script)"
    )
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    if args.quick:
        HOT.update(n=200, repeat=1)
    with run.canned_server() as url:
        if args.profile:
            profile(url, args.profile, args.calls)
        elif args.loop_iterations:
            asyncio.run(loop_iterations(url, args.calls))
        elif args.decompose:
            asyncio.run(decompose(url, list(run.ASYNC_LEVELS), args.rounds, args.calls))
        else:
            pieces(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
