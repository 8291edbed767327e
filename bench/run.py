"""persona against the floor (raw urllib3 + json), side by side, in one interleaved run.

    python bench/run.py            # the full run (a few minutes)
    python bench/run.py --quick    # a few calls of each, to check the script works

A canned keep-alive HTTP/1.1 server runs in a separate process (``--serve``), so its
CPU is not counted. Per-call figures are client-process CPU (``time.process_time``),
not wall time: on a shared machine wall time measures the neighbours. Each figure is
the median over rounds, and the rounds alternate A B A B (then B A B A), so that drift
on the machine hits both sides alike. See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # measure this checkout, installed or not

#: What the canned server answers to every request: a TokenResponse.
TOKEN_BODY = json.dumps(
    {"token": "rst_3q2Kx8vV0bN4mZ7yL1cT9wH5jR6pD2sF", "expiresAt": "2030-01-01T12:00:00Z"}
).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json;charset=utf-8\r\n"
    b"Content-Length: %d\r\n"
    b"X-Request-Id: req_8f14e45fceea167a\r\n"
    b"Connection: keep-alive\r\n"
    b"\r\n" % len(TOKEN_BODY)
) + TOKEN_BODY

CODE_FOR_TOKEN = {"email": "ann@example.com", "code": "731946"}
UPDATE_PASSWORD = {
    "token": "rst_3q2Kx8vV0bN4mZ7yL1cT9wH5jR6pD2sF",
    "newPassword": "correct horse battery staple",
}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
#: The floor waits as long as persona would by default (connect, read), never forever.
FLOOR_TIMEOUT = {"connect": 10.0, "read": 30.0}


# -- the canned server (a separate process) ---------------------------------------
def _serve_connection(conn: socket.socket) -> None:
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buf) < length:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            buf = buf[length:]
            conn.sendall(RESPONSE)
    except OSError:
        return
    finally:
        conn.close()


def serve() -> None:
    """Answer every request on every connection with RESPONSE; print the port first.

    Exits when its standard input closes (the parent went away).
    """
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)

    def watch_parent() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    while True:
        conn, _ = listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=_serve_connection, args=(conn,), daemon=True).start()


@contextlib.contextmanager
def canned_server() -> Iterator[str]:
    """The canned keep-alive server in its own process, for the block: yields its URL."""
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        port = int(server.stdout.readline())
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.stdin.close()
        server.wait(timeout=10)


# -- measuring --------------------------------------------------------------------
def cpu_per_call(fn: Callable[[], Any], calls: int) -> float:
    """Client-process CPU seconds per call of ``fn``."""
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


def interleaved(
    sides: dict[str, Callable[[], Any]], rounds: int, calls: int, warmup: int
) -> dict[str, float]:
    """The median CPU per call of each side over ``rounds``, in alternating order."""
    for fn in sides.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            samples[name].append(cpu_per_call(sides[name], calls))
    return {name: statistics.median(values) for name, values in samples.items()}


class Row:
    def __init__(
        self,
        metric: str,
        persona: str,
        floor: str,
        ratio: Optional[float],
        target: str,
        limit: Optional[float] = None,
        verdict: Optional[str] = None,
    ) -> None:
        self.metric = metric
        self.persona = persona
        self.floor = floor
        self.ratio = ratio
        self.target = target
        if verdict is None:
            verdict = "—" if limit is None or ratio is None else _pass(ratio <= limit)
        self.verdict = verdict


def _pass(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


# -- 1. one call ------------------------------------------------------------------
def _sides(
    url: str, maxsize: int = 1
) -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], None]]:
    """One codeForToken call by persona and by the floor (raw urllib3 + json), and a
    function that closes both clients. ``maxsize``: the floor's connections per host."""
    import urllib3

    import persona

    api = persona.AccountApi(persona.ApiClient(persona.Configuration(host=url)))
    body = persona.CodeForTokenData(**CODE_FOR_TOKEN)
    pool = urllib3.PoolManager(maxsize=maxsize, timeout=urllib3.Timeout(**FLOOR_TIMEOUT))
    target = url + "/account/codeForToken"

    def floor() -> Any:
        resp = pool.request(
            "POST", target, body=json.dumps(CODE_FOR_TOKEN).encode(), headers=JSON_HEADERS
        )
        return json.loads(resp.data)

    def sdk() -> Any:
        return api.account_code_for_token_post(body)

    def close() -> None:
        api.api_client.close()
        pool.clear()

    return sdk, floor, close


def bench_call(url: str, rounds: int, calls: int) -> Row:
    sdk, floor, close = _sides(url)
    assert sdk().expires_at.year == 2030
    assert floor()["token"]
    got = interleaved({"persona": sdk, "floor": floor}, rounds, calls, warmup=min(calls, 200))
    close()
    return _ratio_row("codeForToken call, client CPU", got, "", "≤ 1.10x", 1.10)


def _ratio_row(
    metric: str, got: dict[str, float], floor_note: str, target: str, limit: float
) -> Row:
    """A row of per-call seconds for persona and the floor, judged by their ratio."""
    return Row(
        metric,
        _us(got["persona"]),
        _us(got["floor"]) + floor_note,
        got["persona"] / got["floor"],
        target,
        limit,
    )


# -- 2. and 3. (de)serialization ----------------------------------------------------
def bench_deserialize(rounds: int, calls: int) -> Row:
    import persona

    from_json = persona.TokenResponse.from_json
    loads = json.loads
    body = TOKEN_BODY
    model = from_json(body)
    assert model.expires_at is not None
    assert model.expires_at.year == 2030
    got = interleaved(
        {"persona": lambda: from_json(body), "floor": lambda: loads(body)},
        rounds,
        calls,
        warmup=calls,
    )
    return _ratio_row(
        "deserialize TokenResponse.from_json (bytes → model)", got, " json.loads", "≤ 1.3x", 1.3
    )


def bench_serialize(rounds: int, calls: int) -> Row:
    import persona

    model = persona.UpdatePasswordData(
        token=UPDATE_PASSWORD["token"], new_password=UPDATE_PASSWORD["newPassword"]
    )

    from persona.core.request import encode_body

    def serialize() -> bytes:  # what a call does: validate, to_dict, compact JSON, bytes
        return encode_body(model, validate=True)[0]

    dumps = json.dumps
    data = dict(UPDATE_PASSWORD)
    assert json.loads(serialize()) == data
    got = interleaved(
        {"persona": serialize, "floor": lambda: dumps(data).encode()},
        rounds,
        calls,
        warmup=calls,
    )
    return _ratio_row(
        "serialize UpdatePasswordData (model → bytes, validated)", got, " json.dumps", "≤ 1.5x", 1.5
    )


# -- 4. cold import -----------------------------------------------------------------
IMPORTS = {
    "floor": "import urllib3, json",
    "persona": "import persona",
    "persona+call": "import persona; persona.AccountApi; persona.ApiClient",
    # The seed page's import paths, each beside the same name from the package itself.
    "exception": "from persona import ApiException",
    "rest.exception": "from persona.rest import ApiException",
    "policy": "from persona import RetryPolicy",
    "retries.policy": "from persona.retries import RetryPolicy",
}


def _import_seconds(statement: str, env: dict[str, str]) -> float:
    code = f"import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)\n"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout)


def bench_import(runs: int) -> list[Row]:
    # Every module is imported from bytecode, as from an installed package: the
    # children write their .pyc files to a private cache (a first, unmeasured run
    # fills it), whatever PYTHONDONTWRITEBYTECODE says in this shell.
    with tempfile.TemporaryDirectory() as pycache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        for statement in IMPORTS.values():
            _import_seconds(statement, env)
        samples: dict[str, list[float]] = {name: [] for name in IMPORTS}
        names = list(IMPORTS)
        for r in range(runs):
            for name in names if r % 2 == 0 else reversed(names):
                samples[name].append(_import_seconds(IMPORTS[name], env))
    got = {name: statistics.median(values) for name, values in samples.items()}
    floor = got["floor"]
    return [
        Row(
            "cold `import persona`",
            _ms(got["persona"]),
            _ms(floor) + " urllib3+json",
            got["persona"] / floor,
            "≤ 1.15x",
            1.15,
        ),
        Row(
            "cold import + AccountApi, ApiClient (what a call needs)",
            _ms(got["persona+call"]),
            _ms(floor) + " urllib3+json",
            got["persona+call"] / floor,
            "≤ 1.15x",
            1.15,
        ),
        Row(
            "cold `from persona.rest import ApiException` (the seed's path)",
            _ms(got["rest.exception"]),
            _ms(got["exception"]) + " from persona",
            got["rest.exception"] / got["exception"],
            "≤ 1.3x",
            1.3,
        ),
        Row(
            "cold `from persona.retries import RetryPolicy` (the seed's path)",
            _ms(got["retries.policy"]),
            _ms(got["policy"]) + " from persona",
            got["retries.policy"] / got["policy"],
            "≤ 1.3x",
            1.3,
        ),
    ]


# -- 5. throughput ------------------------------------------------------------------
def _calls_per_second(fn: Callable[[], Any], threads: int, seconds: float) -> float:
    stop = threading.Event()
    counts = [0] * threads
    errors: list[BaseException] = []

    def work(i: int) -> None:
        n = 0
        try:
            while not stop.is_set():
                fn()
                n += 1
        except BaseException as exc:  # reported below, not lost in a thread
            errors.append(exc)
        counts[i] = n

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join(timeout=60)  # every call below has a timeout; this bounds the rest
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


def _alternating(
    sdk: Callable[[], Any],
    floor: Callable[[], Any],
    rounds: int,
    measure: Callable[[Callable[[], Any]], float],
) -> tuple[float, float]:
    """The medians of ``measure(sdk)`` and ``measure(floor)`` over ``rounds`` rounds, the
    order alternating so that neither always runs first (warmer, or on a calmer CPU)."""
    samples: dict[str, list[float]] = {"persona": [], "floor": []}
    for r in range(rounds):
        for name in ("persona", "floor") if r % 2 == 0 else ("floor", "persona"):
            samples[name].append(measure(sdk if name == "persona" else floor))
    return statistics.median(samples["persona"]), statistics.median(samples["floor"])


def bench_throughput(url: str, rounds: int, seconds: float) -> list[Row]:
    sdk, floor, close = _sides(url, maxsize=16)  # as many connections as persona keeps
    rows = []
    for threads in (1, 2, 4, 8):
        mine, theirs = _alternating(
            sdk, floor, rounds, lambda fn, n=threads: _calls_per_second(fn, n, seconds)
        )
        rows.append(
            Row(
                f"throughput, one shared client, {threads} thread{'s' if threads > 1 else ''}",
                f"{mine:,.0f} calls/s",
                f"{theirs:,.0f} calls/s",
                mine / theirs,
                "report (higher is better)",
            )
        )
    close()
    return rows


def _threads_cpu_per_call(fn: Callable[[], Any], threads: int, calls: int) -> float:
    """Process CPU per call, ``calls`` calls shared by ``threads`` threads of one client:
    what the client costs under contention (the GIL, its locks), not only its speed."""
    share, errors = calls // threads, []

    def work() -> None:
        try:
            for _ in range(share):
                fn()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.process_time()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)  # every call has a timeout; this bounds the rest
    spent = time.process_time() - start
    if errors:
        raise errors[0]
    return spent / (share * threads)


def bench_threads_cpu(url: str, rounds: int, calls: int) -> list[Row]:
    """One shared ApiClient against one shared urllib3.PoolManager (+ json.loads) at 16
    and 64 threads: client CPU per call, interleaved rounds, median."""
    sdk, floor, close = _sides(url, maxsize=16)  # as many connections as persona keeps
    rows = []
    for threads in THREAD_LEVELS:
        mine, theirs = _alternating(
            sdk, floor, rounds, lambda fn, n=threads: _threads_cpu_per_call(fn, n, calls)
        )
        rows.append(
            Row(
                f"codeForToken, one shared client, {threads} threads: client CPU per call",
                _us(mine),
                _us(theirs) + " urllib3+json",
                mine / theirs,
                "≤ 1.10x",
                1.10,
            )
        )
    close()
    return rows


#: The thread counts of the contention rows (issue 29).
THREAD_LEVELS = (16, 64)


# -- 6. memory ------------------------------------------------------------------------
def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def bench_memory(url: str, small: int, large: int) -> Row:
    import persona

    api = persona.AccountApi(persona.ApiClient(persona.Configuration(host=url)))
    body = persona.CodeForTokenData(**CODE_FOR_TOKEN)
    for _ in range(small):
        api.account_code_for_token_post(body)
    gc.collect()
    before = _rss_bytes()
    for _ in range(large - small):
        api.account_code_for_token_post(body)
    gc.collect()
    after = _rss_bytes()
    api.api_client.close()
    growth = (after - before) / 2**20
    return Row(
        f"RSS after {large:,} calls - after {small:,}",
        f"{growth:+.2f} MiB",
        "—",
        None,
        "≤ 2 MiB",
        verdict=_pass(growth <= 2.0),
    )


# -- 7. openapi-generator's python client (optional) -------------------------------
def bench_openapi_generator(url: str, rounds: int, calls: int) -> Row:
    """Generate openapi-generator's ``python`` client and time its call, when possible."""
    cli = shutil.which("openapi-generator-cli") or shutil.which("openapi-generator")
    jar = os.environ.get("OPENAPI_GENERATOR_JAR")
    if cli:
        command = [cli]
    elif jar and shutil.which("java"):
        command = ["java", "-jar", jar]
    else:
        return _not_available("openapi-generator-cli not found (set OPENAPI_GENERATOR_JAR)")
    with tempfile.TemporaryDirectory() as out:
        try:
            subprocess.run(
                [
                    *command,
                    "generate",
                    "-g",
                    "python",
                    "-i",
                    str(ROOT / "persona" / "openapi.yaml"),
                    "-o",
                    out,
                    "--additional-properties",
                    "packageName=oag_persona",
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return _not_available(f"generation failed ({type(exc).__name__})")
        sys.path.insert(0, out)
        try:
            import oag_persona  # type: ignore[import-not-found]
        except ImportError as exc:
            return _not_available(f"generated client does not import ({exc})")
        config = oag_persona.Configuration(host=url)
        theirs = oag_persona.AccountApi(oag_persona.ApiClient(config))
        their_body = oag_persona.CodeForTokenData(**CODE_FOR_TOKEN)
        sdk, floor, close = _sides(url)

        got = interleaved(
            {
                "generated": lambda: theirs.account_code_for_token_post(their_body),
                "persona": sdk,
                "floor": floor,
            },
            rounds,
            calls,
            warmup=min(calls, 200),
        )
        close()
        return Row(
            "openapi-generator `python` client: codeForToken call CPU",
            _us(got["generated"]) + f" (persona {_us(got['persona'])})",
            _us(got["floor"]),
            got["generated"] / got["floor"],
            "comparison",
        )


def _not_available(why: str) -> Row:
    return Row("openapi-generator `python` client", "not available", "—", None, why, verdict="—")


# -- 8. the async client against raw aiohttp ----------------------------------------
ASYNC_LEVELS = (1, 16, 128)
#: Connections per side: aiohttp's default limit, given to persona too.
ASYNC_POOL = 100


def aiohttp_floor(session: Any, url: str) -> Callable[[], Any]:
    """The async floor: one codeForToken by raw aiohttp on ``session`` (its defaults, a
    user's ``json.dumps`` / ``json.loads``), as every async script measures it."""
    target = url + "/account/codeForToken"

    async def floor() -> Any:
        data = json.dumps(CODE_FOR_TOKEN).encode()
        async with session.post(target, data=data, headers=JSON_HEADERS) as resp:
            return json.loads(await resp.read())

    return floor


async def _async_round(fn: Callable[[], Any], concurrency: int, calls: int) -> tuple[float, float]:
    """Client CPU seconds per call and calls per second of about ``calls`` awaits of
    ``fn``, ``concurrency`` of them in flight at once."""
    import asyncio

    each = max(1, calls // concurrency)

    async def worker() -> None:
        for _ in range(each):
            await fn()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    done = each * concurrency
    return (time.process_time() - cpu) / done, done / (time.perf_counter() - wall)


async def _async_interleaved(
    sides: dict[str, Callable[[], Any]], concurrency: int, rounds: int, calls: int
) -> dict[str, tuple[float, float]]:
    """Median (CPU per call, calls/s) of each side over ``rounds``, in alternating order."""
    for fn in sides.values():
        await _async_round(fn, concurrency, min(calls, 200))  # warm-up: connections, caches
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            samples[name].append(await _async_round(sides[name], concurrency, calls))
    return {
        name: (
            statistics.median(cpu for cpu, _ in values),
            statistics.median(rate for _, rate in values),
        )
        for name, values in samples.items()
    }


def _generate(generator: list[str], out: str) -> Optional[str]:
    """Run a client generator on persona/openapi.yaml into ``out``; None if it worked,
    else why not."""
    try:
        subprocess.run(generator, check=True, capture_output=True, timeout=300, cwd=out)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"generation failed ({type(exc).__name__})"
    return None


async def _peer_openapi_generator_asyncio(url: str, out: str) -> Any:
    """openapi-generator's ``python`` client with ``--library asyncio``: (call, close),
    or a string saying why it is not available."""
    cli = shutil.which("openapi-generator-cli") or shutil.which("openapi-generator")
    if not cli:
        return "openapi-generator-cli not installed"
    why = _generate(
        [
            cli, "generate", "-g", "python", "--library", "asyncio",
            "-i", str(ROOT / "persona" / "openapi.yaml"), "-o", out,
            "--additional-properties", "packageName=oag_async",
        ],
        out,
    )  # fmt: skip
    if why:
        return why
    sys.path.insert(0, out)
    try:
        import oag_async  # type: ignore[import-not-found]
    except ImportError as exc:
        return f"generated client does not import ({exc})"
    return _oag_async_side(oag_async, url, trust_env=True)


def _oag_async_side(oag_async: Any, url: str, *, trust_env: bool) -> Any:
    """(call, close) of an openapi-generator asyncio client; with ``trust_env=False``
    through its documented ``client_session_kwargs`` (no proxy lookup per call: the
    configuration that makes it fastest, so the ratio persona must beat)."""
    config = oag_async.Configuration(host=url)
    if not trust_env:
        config.client_session_kwargs = {"trust_env": False}
    client = oag_async.ApiClient(config)
    api = oag_async.AccountApi(client)
    body = oag_async.CodeForTokenData(**CODE_FOR_TOKEN)

    async def call() -> Any:
        return await api.account_code_for_token_post(body)

    return call, client.close


async def _peer_openapi_generator_asyncio_no_env(url: str, out: str) -> Any:
    """The same generated client, made with ``trust_env=False`` (its own ApiClient and
    session; the package is generated once, by the peer before it)."""
    oag_async = sys.modules.get("oag_async")
    if oag_async is None:
        made = await _peer_openapi_generator_asyncio(url, out)
        if isinstance(made, str):
            return made
        await made[1]()
        oag_async = sys.modules["oag_async"]
    return _oag_async_side(oag_async, url, trust_env=False)


async def _peer_openapi_python_client(url: str, out: str) -> Any:
    """openapi-python-client's async function (httpx): (call, close), or why not."""
    cli = shutil.which("openapi-python-client")
    if not cli:
        return "openapi-python-client not installed"
    why = _generate(
        [cli, "generate", "--path", str(ROOT / "persona" / "openapi.yaml"), "--meta", "none",
         "--output-path", str(Path(out) / "opc_persona")],
        out,
    )  # fmt: skip
    if why:
        return why
    sys.path.insert(0, out)
    try:
        import importlib

        opc = importlib.import_module("opc_persona")
        endpoint = importlib.import_module("opc_persona.api.account.account_code_for_token_post")
        models = importlib.import_module("opc_persona.models")
    except ImportError as exc:
        return f"generated client does not import ({exc})"
    client = opc.Client(base_url=url)
    body = models.CodeForTokenData(**CODE_FOR_TOKEN)

    async def call() -> Any:
        return await endpoint.asyncio(client=client, body=body)

    async def close() -> None:
        await client.get_async_httpx_client().aclose()

    return call, close


#: The generated async clients beside raw aiohttp, when their generators are installed.
PEERS_ASYNC = (
    "openapi-generator asyncio",
    "openapi-generator asyncio trust_env=False",
    "openapi-python-client async",
)


async def _bench_async(url: str, rounds: int, calls: int, peers: bool) -> list[Row]:
    import aiohttp

    import persona

    # As many connections as the floor's default session keeps (aiohttp's limit of 100;
    # persona's default is 16, and calls past it wait for a free connection).
    config = persona.Configuration(host=url, connection_pool_maxsize=ASYNC_POOL)
    client = persona.AsyncApiClient(config)
    api = persona.AsyncAccountApi(client)
    body = persona.CodeForTokenData(**CODE_FOR_TOKEN)
    session = aiohttp.ClientSession()  # the defaults a user gets (trust_env off, 100 connections)
    assert session.connector is not None
    assert session.connector.limit == ASYNC_POOL
    floor = aiohttp_floor(session, url)

    async def sdk() -> Any:
        return await api.account_code_for_token_post(body)

    assert (await sdk()).expires_at.year == 2030
    assert (await floor())["token"]
    sides: dict[str, Callable[[], Any]] = {"persona": sdk, "aiohttp": floor}
    closers: list[Callable[[], Any]] = [client.close, session.close]
    missing: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as out:
        if peers:
            for name, make in (
                ("openapi-generator asyncio", _peer_openapi_generator_asyncio),
                (
                    "openapi-generator asyncio trust_env=False",
                    _peer_openapi_generator_asyncio_no_env,
                ),
                ("openapi-python-client async", _peer_openapi_python_client),
            ):
                folder = Path(out) / re.sub(r"\W+", "-", name)
                folder.mkdir()
                made = await make(url, str(folder))
                if isinstance(made, str):
                    missing[name] = made
                else:
                    sides[name], close = made
                    closers.append(close)
                    await sides[name]()
        else:
            missing = dict.fromkeys(
                PEERS_ASYNC,
                "skipped (--no-generator)",
            )
        rows = []
        try:
            for level in ASYNC_LEVELS:
                got = await _async_interleaved(sides, level, rounds, calls)
                (mine, my_rate), (theirs, their_rate) = got["persona"], got["aiohttp"]
                rows.append(
                    Row(
                        f"async codeForToken, concurrency {level}: client CPU per call",
                        _us(mine),
                        _us(theirs) + " aiohttp",
                        mine / theirs,
                        "≤ 1.15x",
                        1.15,
                    )
                )
                rows.append(
                    Row(
                        f"async calls/s, concurrency {level}",
                        f"{my_rate:,.0f} calls/s",
                        f"{their_rate:,.0f} calls/s aiohttp",
                        my_rate / their_rate,
                        "report (higher is better)",
                    )
                )
                for name in PEERS_ASYNC:
                    if name in got:
                        cpu, rate = got[name]
                        rows.append(
                            Row(
                                f"{name}, concurrency {level}: client CPU per call",
                                f"{_us(cpu)}, {rate:,.0f} calls/s",
                                _us(theirs) + " aiohttp",
                                cpu / theirs,
                                f"persona ahead ({mine / theirs:.2f}x)",
                                verdict=_pass(mine < cpu),
                            )
                        )
        finally:
            for close in closers:
                await close()
    for name, why in missing.items():
        rows.append(Row(name, "not available", "—", None, why, verdict="—"))
    return rows


def bench_async(url: str, rounds: int, calls: int, peers: bool) -> list[Row]:
    """persona's AsyncAccountApi against ``aiohttp.ClientSession.post`` + ``json.loads``
    (and the generated async clients, when their generators are installed) at each
    concurrency of ASYNC_LEVELS, on one event loop."""
    import asyncio

    return asyncio.run(_bench_async(url, rounds, calls, peers))


# -- the table --------------------------------------------------------------------
def table(rows: list[Row]) -> str:
    lines = [
        "| metric | persona | floor | ratio | target | result |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}x"
        lines.append(
            f"| {row.metric} | {row.persona} | {row.floor} | {ratio} | {row.target} | "
            f"{row.verdict} |"
        )
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few calls each (a smoke test)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-generator", action="store_true", help="skip the openapi-generator row"
    )
    parser.add_argument("--no-async", action="store_true", help="skip the async rows")
    parser.add_argument(
        "--only-async", action="store_true", help="only the async rows (and their peers)"
    )
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    if args.quick:
        call_rounds, call_n, codec_n, import_runs = 2, 20, 200, 2
        tp_rounds, tp_seconds, mem = 1, 0.05, (50, 200)
        threads_rounds, threads_n = 1, 128
        async_rounds, async_n = 2, 256
    else:
        call_rounds, call_n, codec_n, import_runs = 15, 2000, 20000, 21
        tp_rounds, tp_seconds, mem = 3, 2.0, (1_000, 100_000)
        threads_rounds, threads_n = 5, 3072
        async_rounds, async_n = 9, 3072
    with canned_server() as url:
        if args.only_async:
            rows = bench_async(url, async_rounds, async_n, not args.no_generator)
        else:
            rows = [bench_call(url, call_rounds, call_n)]
            rows.append(bench_deserialize(call_rounds, codec_n))
            rows.append(bench_serialize(call_rounds, codec_n))
            rows.extend(bench_import(import_runs))
            rows.extend(bench_throughput(url, tp_rounds, tp_seconds))
            rows.extend(bench_threads_cpu(url, threads_rounds, threads_n))
            rows.append(bench_memory(url, *mem))
            if args.no_generator:
                rows.append(_not_available("skipped (--no-generator)"))
            else:
                rows.append(bench_openapi_generator(url, call_rounds, call_n))
            if not args.no_async:
                rows.extend(bench_async(url, async_rounds, async_n, not args.no_generator))
    return _report(args, rows)


def _report(args: argparse.Namespace, rows: list[Row]) -> int:
    print(
        f"persona bench ({'quick' if args.quick else 'full'}): Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs; per-call figures are client CPU, "
        "median of interleaved rounds\n"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
