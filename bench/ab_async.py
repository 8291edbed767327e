"""Before/after of the async client in one interleaved run: raw aiohttp (the floor), the
persona of an earlier git revision, and this checkout's, side by side.

    python bench/ab_async.py 584114d          # the revision to compare with
    python bench/ab_async.py 584114d --rounds 9 --calls 3072

The revision's ``persona/`` is extracted (``git archive``) into a temporary folder and
imported as ``persona_base`` (the package imports itself relatively), so both clients
run in one process, against one canned server (``run.py --serve``, another process),
in alternating order round after round, as ``run.py`` measures. Figures are medians of
client CPU per call (``time.process_time()``); ratios are to the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the canned server and the rounds)


def extract(revision: str, into: Path) -> None:
    """``persona/`` of ``revision`` as the package ``persona_base`` under ``into``."""
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "persona"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.9.17+, 3.11.4+
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - our own repository's archive
            archive.extractall(into)
    (into / "persona").rename(into / "persona_base")


async def compare(url: str, rounds: int, calls: int, revision: str) -> None:
    import aiohttp

    import persona

    base = importlib.import_module("persona_base")
    clients = []
    sides: dict[str, Callable[[], Any]] = {}
    for name, package in ((f"persona {revision}", base), ("persona (this checkout)", persona)):
        config = package.Configuration(host=url, connection_pool_maxsize=run.ASYNC_POOL)
        client = package.AsyncApiClient(config)
        clients.append(client)
        api = package.AsyncAccountApi(client)
        body = package.CodeForTokenData(**run.CODE_FOR_TOKEN)

        def call(api: Any = api, body: Any = body) -> Any:
            return api.account_code_for_token_post(body)

        assert (await call()).expires_at.year == 2030
        sides[name] = call
    session = aiohttp.ClientSession()
    sides = {"aiohttp": run.aiohttp_floor(session, url), **sides}
    print("| concurrency | " + " | ".join(sides) + " |")
    print("| ---: |" + " ---: |" * len(sides))
    for level in run.ASYNC_LEVELS:
        got = await run._async_interleaved(sides, level, rounds, calls)
        floor_cpu = got["aiohttp"][0]
        cells = [f"{cpu * 1e6:.1f} µs ({cpu / floor_cpu:.2f}x)" for cpu, _ in got.values()]
        print(f"| {level} | " + " | ".join(cells) + " |", flush=True)
    await session.close()
    for client in clients:
        await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revision", help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=3072)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        extract(args.revision, Path(folder))
        sys.path.insert(0, folder)
        with run.canned_server() as url:
            asyncio.run(compare(url, args.rounds, args.calls, args.revision))
    return 0


if __name__ == "__main__":
    sys.exit(main())
