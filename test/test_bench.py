"""bench/run.py runs end to end in its tiny configuration, so that it never rots.

No timing is asserted: this machine's speed is not the SDK's behaviour.
"""

from __future__ import annotations

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
    "throughput, one shared client, 1 thread",
    "throughput, one shared client, 2 threads",
    "throughput, one shared client, 4 threads",
    "throughput, one shared client, 8 threads",
    "RSS after",
    "openapi-generator `python` client",
    "async codeForToken, concurrency 1: client CPU per call",
    "async calls/s, concurrency 1",
    "async codeForToken, concurrency 16: client CPU per call",
    "async calls/s, concurrency 16",
    "async codeForToken, concurrency 128: client CPU per call",
    "async calls/s, concurrency 128",
    "openapi-generator asyncio",
    "openapi-python-client async",
)


def test_bench_quick_run_prints_every_row() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-generator"],
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
