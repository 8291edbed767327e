"""Where the async client's CPU per call goes, beside raw aiohttp.

    python bench/profile_async.py              # the pieces, in µs per call (timeit)
    python bench/profile_async.py --profile 1  # cProfile of calls at concurrency 1
    python bench/profile_async.py --profile 128

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
import pstats
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the canned server)


def per_call(fn: Callable[[], Any], n: int = 20000, repeat: int = 5) -> float:
    """Best CPU µs per call of ``fn`` over ``repeat`` runs of ``n`` calls."""
    best = float("inf")
    for _ in range(repeat):
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
    import aiohttp

    import persona
    from persona.api.account_api import AsyncAccountApi
    from persona.core import trace
    from persona.transports.aiohttp_transport import _Response

    config = persona.Configuration(host=url, connection_pool_maxsize=run.ASYNC_POOL)
    client = persona.AsyncApiClient(config)
    api = AsyncAccountApi(client)
    body = persona.CodeForTokenData(**run.CODE_FOR_TOKEN)
    op = api.account_code_for_token_post  # noqa: F841 (warms the import)
    from persona.api import account_api
    from persona.async_api_client import ASYNC_CALL_OPTIONS

    operation = account_api.CODE_FOR_TOKEN if hasattr(account_api, "CODE_FOR_TOKEN") else None
    if operation is None:
        operation = next(v for v in vars(account_api).values() if type(v).__name__ == "Operation")
    prepared = client._prepare_call(operation, body, {}, False, ASYNC_CALL_OPTIONS)
    plan = prepared.plan()
    budget = plan.next_attempt()
    headers = {"Content-Type": "application/json;charset=utf-8"}
    response = _Response(200, "OK", headers, run.TOKEN_BODY)

    def plan_cycle() -> None:
        p = prepared.plan()
        b = p.next_attempt()
        p.after_response(response, 0.0)
        b.remaining()

    rows = [
        (
            "_prepare_call (all of it)",
            lambda: client._prepare_call(operation, body, {}, False, ASYNC_CALL_OPTIONS),
        ),
        ("  settings snapshot (_settings_now)", client._settings_now),
        ("  headers (_headers)", lambda: client._headers("POST", None, None)),
        (
            "  build_request (validate, JSON, key, masking)",
            lambda: persona.core.request.build_request(
                operation,
                body,
                host=url,
                headers=client._headers("POST", None, None),
                validate=True,
            ),
        ),
        ("CallPlan + next_attempt + after_response (retry loop)", plan_cycle),
        (
            "logging checks (debug_enabled + info_enabled)",
            lambda: (trace.debug_enabled(0), trace.info_enabled(0)),
        ),
        (
            "ClientTimeout(total, sock_connect, sock_read)",
            lambda: aiohttp.ClientTimeout(
                total=budget.remaining(), sock_connect=budget.connect, sock_read=budget.read
            ),
        ),
        ("_Response (lazy headers)", lambda: _Response(200, "OK", headers, run.TOKEN_BODY)),
        ("result (read_response -> TokenResponse)", lambda: prepared.result(response)),
        (
            "TokenResponse.from_json (floor: json.loads)",
            lambda: persona.TokenResponse.from_json(run.TOKEN_BODY),
        ),
        ("json.loads", lambda: json.loads(run.TOKEN_BODY)),
        (
            "json.dumps(body).encode() (the floor's request)",
            lambda: json.dumps(run.CODE_FOR_TOKEN).encode(),
        ),
    ]
    print("| piece | µs per call |\n| --- | ---: |")
    for name, fn in rows:
        print(f"| {name} | {per_call(fn):.2f} |")

    async def timers() -> None:
        loop = asyncio.get_running_loop()

        def arm() -> None:
            loop.call_at(loop.time() + 30, print).cancel()

        print(f"| one loop.call_at + cancel | {per_call(arm):.2f} |")
        session = aiohttp.ClientSession()
        target = url + "/account/codeForToken"
        data = json.dumps(run.CODE_FOR_TOKEN).encode()

        def variant(**timeout: Any) -> Callable[[], Any]:
            kw = {"timeout": aiohttp.ClientTimeout(**timeout)} if timeout else {}

            async def call() -> Any:
                async with session.post(target, data=data, headers=run.JSON_HEADERS, **kw) as r:
                    return json.loads(await r.read())

            return call

        sides = {
            "aiohttp default (total=300, sock_connect=30)": variant(),
            "aiohttp total only": variant(total=30),
            "aiohttp no timeout": variant(total=None),
            "aiohttp total + sock_read": variant(total=30, sock_read=30),
            "persona": lambda: api.account_code_for_token_post(body),
        }
        for level in (1, 128):
            for fn in sides.values():
                await fn()
            for name, fn in sides.items():
                print(
                    f"| whole call, concurrency {level}: {name} | "
                    f"{await per_async_call(fn, level):.1f} |"
                )
        await session.close()
        await client.close()

    asyncio.run(timers())


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
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    server, url = run.start_server()
    try:
        if args.profile:
            profile(url, args.profile, args.calls)
        else:
            pieces(url)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
