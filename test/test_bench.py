"""bench/run.py runs end to end in its tiny configuration, so that it never rots.

No timing is asserted: this machine's speed is not the SDK's behaviour.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"

ROWS = (
    "codeForToken call, client CPU",
    "deserialize TokenResponse",
    "serialize UpdatePasswordData",
    "cold `import persona`",
    "cold import + AccountApi, ApiClient",
    "cold `from persona.rest import ApiException`",
    "cold `from persona.retries import RetryPolicy`",
    "throughput, one shared client, 1 thread",
    "throughput, one shared client, 2 threads",
    "throughput, one shared client, 4 threads",
    "throughput, one shared client, 8 threads",
    "codeForToken, one shared client, 16 threads: client CPU per call",
    "codeForToken, one shared client, 64 threads: client CPU per call",
    "RSS after",
    "openapi-generator `python` client",
    "async codeForToken, concurrency 1: client CPU per call",
    "async calls/s, concurrency 1",
    "async codeForToken, concurrency 16: client CPU per call",
    "async calls/s, concurrency 16",
    "async codeForToken, concurrency 128: client CPU per call",
    "async calls/s, concurrency 128",
    "openapi-generator asyncio",
    "openapi-generator asyncio trust_env=False",
    "openapi-python-client async",
)


def test_bench_quick_run_prints_every_row() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-generator"],
        env=unmeasured(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "| metric | persona | floor | ratio | target | result |" in lines
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| ---")]
    for row in ROWS:
        assert any(line.startswith(f"| {row}") for line in table), row
    assert len(table) == len(ROWS) + 1  # and the header


PROFILE = BENCH.parent / "profile_async.py"


def unmeasured() -> dict[str, str]:
    """The environment, but outside coverage: the scripts repeat persona's call path
    thousands of times, which coverage's tracer slows threefold, and the rest of the
    suite covers that path."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}


def _profile(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(PROFILE), *args],
        env=unmeasured(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Unclosed" not in done.stderr, done.stderr  # every session it opens is closed
    return done.stdout.splitlines()


def test_profile_async_decompose_prints_the_ladder_at_every_level() -> None:
    lines = _profile("--decompose", "--rounds", "1", "--calls", "32")
    header = lines[0]
    for column in ("aiohttp floor", "+ read timeout (sock_read)", "+ retry loop", "persona"):
        assert column in header, column
    rows = [line for line in lines if line[:4] in ("| 1 ", "| 16", "| 12")]
    assert [row.split("|")[1].strip() for row in rows] == ["1", "16", "128"]
    assert all(row.count("µs") == header.count("|") - 2 for row in rows)


def test_profile_async_pieces_and_loop_iterations_run() -> None:
    pieces = _profile("--quick")
    assert any(line.startswith("| whole call without the network") for line in pieces)
    assert any(line.startswith("| transport.send without aiohttp's request") for line in pieces)
    turns = _profile("--loop-iterations", "--calls", "20")
    sides = [line.split("|")[1].strip() for line in turns[2:]]
    assert sides == ["aiohttp floor", "persona"]
