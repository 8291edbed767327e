"""The outbox under load, over real HTTP on loopback: a delivery wakes only the long polls
of its address, what the outbox keeps is bounded, long polls and event streams are capped,
and stop() is quick with waiters open. Counts are kept small (lower caps configured), so
each test takes a second or two."""

from __future__ import annotations

import json
import selectors
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3

from persona.testing import OutboxLimits, ReferenceServer

TIMEOUT = 10.0


def _open(srv: ReferenceServer, target: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=TIMEOUT)
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return sock


def _status_of(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one answer with a Content-Length (the timeout bounds the wait)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int(headers.get("Content-Length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def _answered(socks: list[socket.socket], within: float) -> list[socket.socket]:
    """The sockets with something to read within ``within`` seconds."""
    with selectors.DefaultSelector() as sel:
        for sock in socks:
            sel.register(sock, selectors.EVENT_READ)
        return [key.fileobj for key, _ in sel.select(within)]  # type: ignore[misc]


def _fill(srv: ReferenceServer, count: int) -> None:
    """``count`` messages to other addresses, as forgotPass would mail them."""
    now = time.time()
    for index in range(count):
        srv._outbox.send(f"other{index}@example.com", "000000", now)


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=TIMEOUT)
    yield pool
    pool.clear()


def _forgot(http: urllib3.PoolManager, srv: ReferenceServer, email: str) -> Any:
    return http.request(
        "POST",
        srv.url + "/account/forgotPass",
        body=json.dumps({"email": email}).encode(),
        headers={"Content-Type": "application/json"},
    )


def test_a_delivery_wakes_only_the_long_polls_of_its_address(
    http: urllib3.PoolManager,
) -> None:
    limits = OutboxLimits(messages=50_000, long_polls=300)
    srv = ReferenceServer(
        accounts={"ann@example.com": "old-pass-1"}, outbox="", outbox_limits=limits
    ).start()
    waiting: list[socket.socket] = []
    try:
        _fill(srv, 50_000)
        latest = f"{srv.outbox_url}/api/messages/latest".replace(srv.origin, "")
        ann = _open(srv, f"{latest}?email=ann@example.com&wait=20")
        waiting = [_open(srv, f"{latest}?email=poll{i}@example.com&wait=20") for i in range(250)]
        time.sleep(0.5)  # every poll is waiting now
        assert _answered([ann, *waiting], 0) == []
        started = time.monotonic()
        assert _forgot(http, srv, "ann@example.com").status == 200
        assert _answered([ann], 2.0) == [ann]
        assert _status_of(ann)[0] == 200
        # The delivery cost the API nothing it can feel, and woke no other poll.
        assert _forgot(http, srv, "bob@example.com").status == 200
        assert time.monotonic() - started < 1.0
        assert _answered(waiting, 0.2) == []
        ann.close()
        started = time.monotonic()
        srv.stop()  # with 250 polls still waiting
        assert time.monotonic() - started < 1.0
    finally:
        srv.stop()
        for sock in waiting:
            sock.close()


def test_the_outbox_keeps_its_newest_messages_up_to_its_maximum(
    http: urllib3.PoolManager,
) -> None:
    limits = OutboxLimits(messages=5)
    with ReferenceServer(
        accounts={"ann@example.com": "old-pass-1"}, outbox="", rate_limit=100, outbox_limits=limits
    ) as srv:
        for _ in range(8):
            assert _forgot(http, srv, "ann@example.com").status == 200
        kept = http.request("GET", f"{srv.outbox_url}/api/messages")
        ids = [m["id"] for m in json.loads(kept.data)["messages"]]
        assert ids == [8, 7, 6, 5, 4]  # the oldest were dropped, ids stay as they were
        assert len(srv.outbox) == 5
        assert srv.last_code("ann@example.com") == srv.outbox[-1].code


def test_long_polls_past_the_cap_get_503_with_retry_after(http: urllib3.PoolManager) -> None:
    limits = OutboxLimits(long_polls=3)
    with ReferenceServer(outbox="", outbox_limits=limits) as srv:
        latest = f"{srv.outbox_url}/api/messages/latest".replace(srv.origin, "")
        polls = [_open(srv, f"{latest}?email=p{i}@example.com&wait=20") for i in range(3)]
        try:
            time.sleep(0.3)
            over = http.request("GET", f"{srv.origin}{latest}?email=q@example.com&wait=20")
            assert over.status == 503
            assert over.headers["Retry-After"] == "1"
            assert json.loads(over.data)["code"] == "unavailable"
            # Not waiting is not a long poll: still answered.
            now = http.request("GET", f"{srv.origin}{latest}?email=q@example.com")
            assert now.status == 404
            srv._outbox.send("p0@example.com", "123456", time.time())  # one poll ends
            assert _status_of(polls[0])[0] == 200
            deadline = time.monotonic() + TIMEOUT
            while True:  # its slot frees as its handler finishes
                again = http.request("GET", f"{srv.origin}{latest}?email=q@example.com&wait=0.01")
                if again.status != 503 or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            assert again.status == 404
        finally:
            for sock in polls:
                sock.close()


def test_event_streams_past_the_cap_get_503_with_retry_after(
    http: urllib3.PoolManager,
) -> None:
    limits = OutboxLimits(event_streams=2)
    with ReferenceServer(outbox="", outbox_limits=limits) as srv:
        streams = [_open(srv, "/outbox/api/events") for _ in range(2)]
        try:
            assert len(_answered(streams, TIMEOUT)) >= 1  # their heads came
            time.sleep(0.2)
            over = http.request("GET", f"{srv.outbox_url}/api/events")
            assert over.status == 503
            assert over.headers["Retry-After"] == "1"
            assert json.loads(over.data)["code"] == "unavailable"
        finally:
            for sock in streams:
                sock.close()


def test_stop_is_quick_with_long_polls_and_streams_open() -> None:
    limits = OutboxLimits(messages=50_000, long_polls=300)
    srv = ReferenceServer(outbox="", outbox_limits=limits).start()
    _fill(srv, 50_000)
    latest = f"{srv.outbox_url}/api/messages/latest".replace(srv.origin, "")
    socks = [_open(srv, f"{latest}?email=p{i}@example.com&wait=30") for i in range(200)]
    socks += [_open(srv, "/outbox/api/events") for _ in range(3)]
    try:
        time.sleep(0.5)
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 1.0
    finally:
        srv.stop()
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("field", ["messages", "long_polls", "event_streams"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        OutboxLimits(**{field: 0})
