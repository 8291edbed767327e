"""The reference server takes the same time whether or not an address has an account.

A client that can tell the two apart by timing enumerates accounts, whatever the answers
say. Each test times 500 requests for an account and for an unknown address,
interleaved in random order on one keep-alive connection (so that drift in the machine's
load hits both alike), and compares the two samples with a Mann-Whitney U test, computed
here (scipy is not a dependency). The U test needs no assumption about the shape of the
latencies, which on a shared machine are anything but normal.

The threshold is |z| < 4.5 (a false alarm about once in 150,000 runs if there is no
difference), and a failing sample is measured again before the test fails, so noise does
not make it flaky; the server before the fix gave z of 6 to 12 on these measurements.
"""

from __future__ import annotations

import json
import math
import random
import socket
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

from persona.testing import ReferenceServer

ANN = "ann@example.com"
NOBODY = "nobody@example.com"
PAIRS = 500
WARM_UP = 40
Z_LIMIT = 4.5
ROUNDS = 2
TIMEOUT = 5.0


def mann_whitney_z(a: list[float], b: list[float]) -> float:
    """The z score of the Mann-Whitney U statistic of ``a`` against ``b`` (normal
    approximation with the tie correction); positive when ``a`` tends to be larger."""
    n1, n2 = len(a), len(b)
    pooled = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    rank_sum_a = 0.0
    tie_term = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        rank = (i + j) / 2 + 1  # the mean rank of a run of ties
        rank_sum_a += rank * sum(1 for k in range(i, j + 1) if pooled[k][1] == 0)
        size = j - i + 1
        tie_term += size**3 - size
        i = j + 1
    u = rank_sum_a - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)))
    return (u - n1 * n2 / 2) / math.sqrt(variance)


def test_mann_whitney_z_on_known_samples() -> None:
    assert mann_whitney_z([1, 2, 3], [1, 2, 3]) == 0
    assert mann_whitney_z([10, 11, 12, 13], [1, 2, 3, 4]) > 2
    assert mann_whitney_z([1, 2, 3, 4], [10, 11, 12, 13]) < -2
    # By hand: a's ranks are 1, 4, 6, so U = 11 - 6 = 5; the mean is 3 * 5 / 2 = 7.5 and the
    # variance 3 * 5 * 9 / 12 = 11.25.
    assert mann_whitney_z([1, 4, 6], [2, 3, 5, 7, 8]) == pytest.approx(-2.5 / math.sqrt(11.25))


class Connection:
    """One keep-alive connection that times request-to-last-byte of each exchange."""

    def __init__(self, server: ReferenceServer) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        self.sock.close()

    def post(self, path: str, body: dict[str, str]) -> tuple[int, float]:
        """Send a POST and read the whole answer; return its status and the seconds taken."""
        data = json.dumps(body).encode()
        request = (
            f"POST /v1{path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode() + data
        started = time.perf_counter()
        self.sock.sendall(request)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        length = next(
            int(v)
            for k, _, v in (x.partition(b":") for x in lines)
            if k.lower() == b"content-length"
        )
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed"
            rest += chunk
        return int(lines[0].split()[1]), time.perf_counter() - started


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ReferenceServer]:
    # An outbox file, as in a demo: writing it was the biggest difference. Limits are
    # lifted so that hundreds of requests for one address are answered normally.
    with ReferenceServer(
        accounts={ANN: "old-pass-1"},
        outbox=str(tmp_path / "outbox.jsonl"),
        rate_limit=10**9,
        guess_limit=10**9,
    ) as srv:
        yield srv


@pytest.fixture
def conn(server: ReferenceServer) -> Iterator[Connection]:
    connection = Connection(server)
    yield connection
    connection.close()


Probe = Callable[[str, int], tuple[int, float]]


def assert_same_timing(probe: Probe, expected_status: int) -> None:
    """Time ``probe(email, i)`` for the account and the unknown address; fail if the two
    samples differ in every one of :data:`ROUNDS` measurements."""
    for i in range(WARM_UP):
        probe(ANN, i)
        probe(NOBODY, i)
    report = []
    for _ in range(ROUNDS):
        samples: dict[str, list[float]] = {ANN: [], NOBODY: []}
        for i in range(PAIRS):
            order = [ANN, NOBODY]
            random.shuffle(order)
            for email in order:
                status, seconds = probe(email, i)
                assert status == expected_status
                samples[email].append(seconds)
        z = mann_whitney_z(samples[ANN], samples[NOBODY])
        medians = [statistics.median(samples[e]) * 1e6 for e in (ANN, NOBODY)]
        report.append(f"z={z:.2f}, medians {medians[0]:.1f} us vs {medians[1]:.1f} us")
        if abs(z) < Z_LIMIT:
            return
    pytest.fail("account and unknown address are told apart by timing: " + "; ".join(report))


def test_forgot_pass_takes_as_long_for_an_account_as_for_an_unknown_address(
    conn: Connection,
) -> None:
    def probe(email: str, _: int) -> tuple[int, float]:
        return conn.post("/account/forgotPass", {"email": email})

    assert_same_timing(probe, 200)


def test_a_wrong_code_takes_as_long_for_an_account_as_for_an_unknown_address(
    conn: Connection,
) -> None:
    # A live code for both (a new one every 4 tries, before the fifth burns it): the
    # account's code is read, compared and counted, and so is the unknown address's.
    def probe(email: str, i: int) -> tuple[int, float]:
        if i % 4 == 0:
            assert conn.post("/account/forgotPass", {"email": email})[0] == 200
        return conn.post("/account/codeForToken", {"email": email, "code": "000000x"})

    assert_same_timing(probe, 401)


def test_the_wrong_code_cap_takes_as_long_for_an_account_as_for_an_unknown_address(
    tmp_path: Path,
) -> None:
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="", guess_limit=1) as srv:
        connection = Connection(srv)
        try:
            for email in (ANN, NOBODY):
                connection.post("/account/forgotPass", {"email": email})
                assert (
                    connection.post("/account/codeForToken", {"email": email, "code": "x"})[0]
                    == 401
                )

            def probe(email: str, _: int) -> tuple[int, float]:
                return connection.post("/account/codeForToken", {"email": email, "code": "x"})

            assert_same_timing(probe, 429)
        finally:
            connection.close()
