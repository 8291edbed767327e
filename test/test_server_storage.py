"""The reference server's state at rest and under races: what a copied ``--db`` file gives
away (nothing that leads to a reset), its files' modes, the Idempotency-Key replay path as
a code oracle, and two servers sharing one database file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest
from test_reference_server import ANN, CODE, OLD, Client

from persona.testing import ReferenceServer
from persona.testing.dbkey import DB_KEY_ENV, DbKeyError

ROUNDS_SECONDS = 20.0  # every race below stops after this long, whatever its round count


def _dump(db: Path) -> str:
    """Every value of every table except the accounts' own addresses, as text."""
    conn = sqlite3.connect(db)
    try:
        rows: list[str] = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                values = list(row)
                if table == "accounts":
                    values = values[:1] + values[2:]  # email (the mailbox) is kept by design
                rows.append(f"{table}: {values!r}")
        return "\n".join(rows)
    finally:
        conn.close()


def _flow(srv: ReferenceServer) -> tuple[str, str]:
    """forgotPass (with a key) and codeForToken (with a key): the code and the token."""
    client = Client(srv)
    try:
        assert client.forgot(key="forgot-key-0001").status == 200
        code = srv.last_code(ANN)
        assert code is not None
        reply = client.post(CODE, {"email": ANN, "code": code}, key="redeem-key-0001")
        assert reply.status == 200
        return code, str(reply.json["token"])
    finally:
        client.pool.clear()


def test_a_copied_database_holds_no_code_token_or_address_in_clear(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), outbox="") as srv:
        code, token = _flow(srv)
        # A second code, left unredeemed: the one a thief of the file would want.
        client = Client(srv)
        assert client.forgot().status == 200
        client.pool.clear()
        live = srv.last_code(ANN)
        assert live is not None
    text = _dump(db)
    for secret in (live, code, token, ANN, ANN.lower()):
        assert secret not in text
    # Nor an unkeyed hash of them: a 6-digit code's SHA-256 falls to a brute force at once.
    for value in (live, f"{ANN}:{live}", token):
        assert hashlib.sha256(value.encode()).hexdigest() not in text
    # What is stored is a keyed hash, under the key kept beside the file.
    key = (tmp_path / "state.sqlite3.key").read_bytes()
    assert len(key) >= 32


def test_a_copied_database_without_its_key_cannot_redeem_a_live_code(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), outbox="") as srv:
        client = Client(srv)
        assert client.forgot().status == 200
        client.pool.clear()
        live = srv.last_code(ANN)
        assert live is not None
    stolen = tmp_path / "stolen" / "state.sqlite3"
    stolen.parent.mkdir()
    shutil.copy(db, stolen)
    with ReferenceServer(db=str(stolen), outbox="") as thief:
        client = Client(thief)
        assert client.redeem(live).status == 401  # the code is useless without the key
        client.pool.clear()
    # The owner, with the file and its key, still has the account and the live code.
    with ReferenceServer(db=str(db), outbox="") as owner:
        client = Client(owner)
        assert client.redeem(live).status == 200
        client.pool.clear()


def test_the_database_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_KEY_ENV, "a-key-from-a-secret-store")
    db = tmp_path / "state.sqlite3"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), outbox="") as srv:
        _flow(srv)
    assert not (tmp_path / "state.sqlite3.key").exists()
    monkeypatch.setenv(DB_KEY_ENV, "short")
    with pytest.raises(DbKeyError, match=DB_KEY_ENV):
        ReferenceServer(db=str(db), outbox="")


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_the_database_its_journal_its_key_and_the_outbox_are_private_whatever_the_umask(
    tmp_path: Path,
) -> None:
    db, outbox = tmp_path / "state.sqlite3", tmp_path / "outbox.jsonl"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), outbox=str(outbox)) as srv:
        _flow(srv)
        # A write transaction held open makes sqlite create the journal beside the file.
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM rate_events")
            journal = tmp_path / "state.sqlite3-journal"
            assert journal.exists()
            assert _mode(journal) == 0o600
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    assert _mode(db) == 0o600
    assert _mode(tmp_path / "state.sqlite3.key") == 0o600
    assert _mode(outbox) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    db.touch(mode=0o644)
    os.chmod(db, 0o644)
    with ReferenceServer(db=str(db), outbox=""):
        pass
    assert _mode(db) == 0o600


# The replay path is not a code oracle -----------------------------------------------------


def test_replays_with_a_known_key_cost_guesses_and_never_hand_over_the_token() -> None:
    with ReferenceServer(accounts={ANN: OLD}, outbox="", guess_limit=10) as srv:
        client = Client(srv)
        try:
            assert client.forgot().status == 200
            code = srv.last_code(ANN)
            assert code is not None
            key = "victim-key-0001"  # leaked, say, from a debug log
            first = client.post(CODE, {"email": ANN, "code": code}, key=key)
            assert first.status == 200
            # The attacker re-sends the key with guessed codes.
            guesses = [f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" != code][:12]
            statuses = [
                client.post(CODE, {"email": ANN, "code": guess}, key=key).status
                for guess in guesses
            ]
            assert statuses[:10] == [409] * 10  # each one counted against the address...
            assert statuses[10:] == [429, 429]  # ...and the budget runs out as for wrong codes
            # The right guess now gets no replay of the victim's token.
            hit = client.post(CODE, {"email": ANN, "code": code}, key=key)
            assert hit.status == 429
            assert b"token" not in hit.body
        finally:
            client.pool.clear()


def test_a_replay_of_the_same_request_still_gets_the_same_answer() -> None:
    with ReferenceServer(accounts={ANN: OLD}, outbox="") as srv:
        client = Client(srv)
        try:
            assert client.forgot().status == 200
            code = srv.last_code(ANN)
            assert code is not None
            body = {"email": ANN, "code": code}
            first = client.post(CODE, body, key="retry-key-0001")
            again = client.post(CODE, body, key="retry-key-0001")
            assert (first.status, again.status) == (200, 200)
            assert again.json["token"] == first.json["token"]
            assert again.headers["Idempotent-Replayed"] == "true"
        finally:
            client.pool.clear()


# Two servers on one database file ---------------------------------------------------------


@pytest.fixture
def twin_servers(tmp_path: Path) -> Iterator[tuple[ReferenceServer, ReferenceServer]]:
    db = str(tmp_path / "shared.sqlite3")
    limits = {"rate_limit": 1000, "guess_limit": 1000, "outbox": ""}
    with (
        ReferenceServer(accounts={ANN: OLD}, db=db, **limits) as one,  # type: ignore[arg-type]
        ReferenceServer(db=db, **limits) as two,  # type: ignore[arg-type]
    ):
        yield one, two


def _at_once(*calls: Callable[[], int]) -> list[int]:
    """Run ``calls`` in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [0] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=10)
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _rounds(count: int) -> Iterator[int]:
    """``range(count)``, cut short after :data:`ROUNDS_SECONDS`."""
    stop = time.monotonic() + ROUNDS_SECONDS
    for index in range(count):
        if time.monotonic() > stop:
            return
        yield index


@pytest.fixture
def twin_clients(
    twin_servers: tuple[ReferenceServer, ReferenceServer],
) -> Iterator[tuple[Client, Client]]:
    one, two = twin_servers
    clients = (Client(one), Client(two))
    yield clients
    for client in clients:
        client.pool.clear()


def test_two_servers_on_one_file_run_an_idempotency_key_once(
    twin_servers: tuple[ReferenceServer, ReferenceServer], twin_clients: tuple[Client, Client]
) -> None:
    one, two = twin_servers
    first, second = twin_clients
    for index in _rounds(20):
        key = f"same-key-{index:04d}"
        results = _at_once(
            lambda k=key: first.forgot(key=k).status, lambda k=key: second.forgot(key=k).status
        )
        assert results == [200, 200], results
        mailed = len(one.outbox) + len(two.outbox)
        assert mailed == index + 1, f"round {index}: one key mailed {mailed - index} codes"


def test_two_servers_on_one_file_reset_with_one_token_once(
    twin_clients: tuple[Client, Client],
) -> None:
    first, second = twin_clients
    for index in _rounds(20):
        token = first.token()
        password = f"new-pass-{index:04d}"
        results = _at_once(
            lambda t=token, p=password: first.reset(t, p).status,
            lambda t=token, p=password: second.reset(t, p).status,
        )
        assert sorted(results) == [200, 401], results


def test_two_servers_on_one_file_redeem_one_code_once(
    twin_servers: tuple[ReferenceServer, ReferenceServer], twin_clients: tuple[Client, Client]
) -> None:
    one, _ = twin_servers
    first, second = twin_clients
    for _ in _rounds(20):
        assert first.forgot().status == 200
        code = one.last_code(ANN)
        assert code is not None
        results = _at_once(
            lambda c=code: first.redeem(c).status, lambda c=code: second.redeem(c).status
        )
        assert sorted(results) == [200, 401], results


def test_what_the_store_files_under_an_address_is_a_keyed_hash(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), outbox="") as srv:
        client = Client(srv)
        assert client.forgot().status == 200
        client.pool.clear()
    key = (tmp_path / "state.sqlite3.key").read_bytes()
    expected = hmac.new(key, b"email\x00" + ANN.encode(), hashlib.sha256).hexdigest()
    conn = sqlite3.connect(db)
    try:
        filed = {row[0] for row in conn.execute("SELECT email_key FROM codes")}
    finally:
        conn.close()
    assert filed == {expected}


# Descriptor exhaustion ------------------------------------------------------------------

FLOODED_SERVER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48))
from persona.testing import ReferenceServer
srv = ReferenceServer(accounts={"ann@example.com": "old-pass-1"}, outbox="").start()
print(srv.port, flush=True)
sys.stdin.readline()
srv.stop()
"""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to read CPU time")
def test_with_every_descriptor_held_the_server_idles_and_answers_again_when_they_free() -> None:
    import socket
    import subprocess
    import sys

    import urllib3

    child = subprocess.Popen(
        [sys.executable, "-c", FLOODED_SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    flood: list[socket.socket] = []
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        # Slow clients: connect, send nothing. More of them than the server has descriptors.
        for _ in range(80):
            flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.3)  # the server accepts what it can, then accept fails (EMFILE)
        before = _cpu_seconds(child.pid)
        time.sleep(1.0)
        busy = _cpu_seconds(child.pid) - before
        assert busy < 0.3, f"the server spent {busy:.2f} s of CPU in 1 s while out of descriptors"
        for sock in flood:
            sock.close()
        flood.clear()
        pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=10))
        try:
            reply = pool.request(
                "POST",
                f"http://127.0.0.1:{port}/v1/account/forgotPass",
                body=b'{"email":"ann@example.com"}',
                headers={"Content-Type": "application/json"},
            )
            assert reply.status == 200
        finally:
            pool.clear()
    finally:
        for sock in flood:
            sock.close()
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(timeout=30)
        if child.stdout is not None:
            child.stdout.close()
