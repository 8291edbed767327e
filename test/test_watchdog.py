"""The watchdog that ends an attempt at its deadline: one thread for the process, a
heap that does not grow with finished attempts, a watch that waits for its socket, and
a new thread in a forked child (the parent's attempts stay the parent's)."""

from __future__ import annotations

import multiprocessing
import os
import socket
import sys
import time
from typing import Any, Callable

import pytest
import urllib3
from _faultserver import Conn, Request, ScriptedServer

import persona
from persona.transports import watchdog


class FakeConnection:
    sock: Any = None


def test_one_thread_serves_every_watch_and_finished_watches_do_not_pile_up() -> None:
    far = time.monotonic() + 3600
    for _ in range(5000):
        watchdog.arm(far).disarm()
    dog = watchdog._current.get()
    assert dog.thread is not None
    assert dog.thread.daemon
    assert len(dog.heap) < 1000  # compacted as it grew: O(1) work per watch
    threads = [t for t in __import__("threading").enumerate() if t.name == "persona-watchdog"]
    assert len(threads) == 1


def test_a_watch_shuts_its_socket_down_at_the_deadline() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(5)
        watch = watchdog.arm(time.monotonic() + 0.2)
        watch.connection = FakeConnection()
        watch.connection.sock = ours
        started = time.monotonic()
        assert ours.recv(1) == b""  # the blocked read ends: the socket was shut down
        assert 0.1 < time.monotonic() - started < 2
        assert watch.disarm() is True  # it fired


def test_a_watch_that_fires_before_its_socket_exists_looks_again() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(5)
        watch = watchdog.arm(time.monotonic() + 0.05)
        watch.connection = FakeConnection()  # connecting: no socket yet
        time.sleep(0.2)
        assert watch.fired
        watch.connection.sock = ours  # then the (slow) handshake begins on this one
        started = time.monotonic()
        assert ours.recv(1) == b""
        assert time.monotonic() - started < 1
        watch.disarm()


def test_a_disarmed_watch_never_touches_its_socket() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        watch = watchdog.arm(time.monotonic() + 0.05)
        watch.connection = FakeConnection()
        watch.connection.sock = ours
        assert watch.disarm() is False
        time.sleep(0.2)
        theirs.sendall(b"x")
        ours.settimeout(2)
        assert ours.recv(1) == b"x"  # still open both ways


def test_an_earlier_deadline_wakes_the_thread() -> None:
    later = watchdog.arm(time.monotonic() + 3600)  # the thread now sleeps for an hour
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(5)
        soon = watchdog.arm(time.monotonic() + 0.1)
        soon.connection = FakeConnection()
        soon.connection.sock = ours
        started = time.monotonic()
        assert ours.recv(1) == b""
        assert time.monotonic() - started < 2
        soon.disarm()
    later.disarm()


def _drip_headers(conn: Conn, req: Request) -> None:
    conn.send(b"HTTP/1.1 200 OK\r\nX-Drip: ")
    until = time.monotonic() + 8
    while time.monotonic() < until and not conn.server.stopping.wait(0.1):
        conn.send(b"a")


@pytest.mark.skipif(
    sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
    reason="needs fork()",
)
def test_a_forked_child_has_its_own_watchdog_and_leaves_the_parents_calls_alone() -> None:
    with ScriptedServer(_drip_headers) as srv:
        config = persona.Configuration(host=srv.url(), timeout=5, deadline=2, max_retries=0)
        client = persona.ApiClient(config)
        api = persona.AccountApi(client)
        body = persona.ForgotPasswordData(email="ann@example.com")
        watchdog.arm(time.monotonic() + 3600).disarm()  # the parent's thread is running
        started = time.monotonic()
        pending = api.account_forgot_pass_post(body, async_req=True)
        while not srv.requests:
            time.sleep(0.01)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: a deadline is kept here too, by a thread of its own
            code = b"?"
            try:
                client.close()  # must not cut the parent's running call
                child = persona.ApiClient(config)
                try:
                    persona.AccountApi(child).account_forgot_pass_post(body)
                except persona.ApiTimeoutError:
                    code = b"timeout"
                except BaseException as exc:
                    code = type(exc).__name__.encode()
                child.close()
            finally:
                os.write(write, code)
                os._exit(0)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        answer = os.read(read, 64)
        os.close(read)
        with pytest.raises(persona.ApiTimeoutError):
            pending.get(timeout=10)
        elapsed = time.monotonic() - started
        client.close()
    assert answer == b"timeout"
    assert os.WEXITSTATUS(status) == 0
    assert 1.5 < elapsed < 4  # ended by its own deadline, not by the child's close()


def test_a_watch_that_fired_while_connecting_cuts_the_new_connection() -> None:
    from persona.transports import urllib3_transport as transport_module

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    with listener:
        watch = watchdog.arm(time.monotonic() + 3600)
        watch.fire()  # the deadline passed before there was a socket to shut down
        conn = transport_module._HTTPConnection("127.0.0.1", listener.getsockname()[1])
        transport_module._current.watch = watch
        try:
            conn.connect()
        finally:
            transport_module._current.watch = None
        server_side, _ = listener.accept()
        with server_side:
            conn.sock.settimeout(2)
            assert conn.sock.recv(1) == b""  # shut down as soon as it existed
        watch.disarm()
        conn.close()


def test_an_error_missing_from_the_map_is_still_an_api_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = persona.Configuration(host="http://127.0.0.1:9/v1", max_retries=0)
    with persona.ApiClient(config) as client:
        manager = client.transport.pool_manager  # type: ignore[attr-defined]

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("a dependency failed in a way nobody mapped")

        monkeypatch.setattr(urllib3.HTTPConnectionPool, "urlopen", broken)
        del manager
        with pytest.raises(persona.ApiConnectionError) as info:
            persona.AccountApi(client).account_forgot_pass_post(
                persona.ForgotPasswordData(email="ann@example.com")
            )
    assert isinstance(info.value.__cause__, RuntimeError)
    assert "RuntimeError" in str(info.value)


# -- a watch never outlives its connection's stay with the attempt ------------------
# urllib3 returns a connection to the pool from inside the read that ends its response
# (or from the transport's error path), before the attempt disarms its watch. A test
# widens that window: the first put into the pool by call A's thread holds A there until
# A's deadline has passed, while call B takes the connection and waits for its answer.
# A watch still holding the connection would shut B's socket: B fails though its own
# deadline is far away. Each path that returns a connection is one case.


def _a_answers(kind: str) -> Callable[[Conn], None]:
    def whole(conn: Conn) -> None:
        conn.respond(200, b'{"success": true, "message": "sent"}')

    def chunked(conn: Conn) -> None:
        conn.send(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            b'24\r\n{"success": true, "message": "sent"}\r\n0\r\n\r\n'
        )

    def too_large(conn: Conn) -> None:
        conn.respond(200, b'{"message": "' + b"x" * 5000 + b'"}')

    def cut_short(conn: Conn) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.send(b"Content-Length: 50\r\n\r\n{")
        conn.close()

    def error_status(conn: Conn) -> None:
        conn.respond(404, b'{"message": "no such account"}')

    return {
        "whole body": whole,
        "chunked body": chunked,
        "refused as too large": too_large,
        "body cut short": cut_short,
        "error status": error_status,
    }[kind]


@pytest.mark.parametrize(
    "kind", ["whole body", "chunked body", "refused as too large", "body cut short", "error status"]
)
def test_a_watch_never_shuts_a_connection_another_call_took_from_the_pool(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from urllib3.connectionpool import HTTPConnectionPool

    answer_a = _a_answers(kind)

    def script(conn: Conn, req: Request) -> None:
        if req.number == 1:
            answer_a(conn)
        else:
            conn.stall(0.8)  # B's answer comes after A's deadline: B's socket is in use then
            conn.respond(200, b'{"success": true, "message": "sent"}')

    a_thread: list[threading.Thread] = []
    returned = threading.Event()
    put = HTTPConnectionPool._put_conn

    def widened_put(self: Any, conn: Any) -> None:
        put(self, conn)
        if a_thread and threading.current_thread() is a_thread[0] and not returned.is_set():
            returned.set()
            time.sleep(0.7)  # A's deadline (0.3 s) passes here, the connection in the pool

    monkeypatch.setattr(HTTPConnectionPool, "_put_conn", widened_put)
    with ScriptedServer(script) as srv:
        config = persona.Configuration(
            host=srv.url(), deadline=0.3, max_retries=0, max_response_bytes=1000
        )
        config.connection_pool_maxsize = 1
        with persona.ApiClient(config) as client:
            body = persona.ForgotPasswordData(email="ann@example.com")
            outcome: dict[str, Any] = {}

            def call_a() -> None:
                try:
                    outcome["a"] = persona.AccountApi(client).account_forgot_pass_post(body)
                except persona.ApiException as exc:
                    outcome["a"] = exc

            thread = threading.Thread(target=call_a)
            a_thread.append(thread)
            thread.start()
            assert returned.wait(5)
            b = persona.AccountApi(client.with_options(deadline=5))
            result = b.account_forgot_pass_post(body)  # must not be cut by A's watch
            thread.join(5)
    assert result.message == "sent"
    assert srv.connections == 1 or kind in ("refused as too large", "body cut short")
    assert "a" in outcome


def test_many_calls_with_short_deadlines_on_a_small_pool_fail_only_by_their_own_deadline() -> None:
    import random
    import threading

    def script(conn: Conn, req: Request) -> None:
        conn.stall(random.choice((0.0, 0.0, 0.001, 0.003)))
        conn.respond(200, b'{"success": true, "message": "sent"}')

    wrong: list[BaseException] = []
    calls = [0]
    with ScriptedServer(script) as srv:
        config = persona.Configuration(host=srv.url(), deadline=0.004, max_retries=0)
        config.connection_pool_maxsize = 2
        with persona.ApiClient(config) as client:
            stop = time.monotonic() + 3  # many rounds, bounded in time
            body = persona.ForgotPasswordData(email="ann@example.com")

            def worker() -> None:
                api = persona.AccountApi(
                    client.with_options(deadline=random.choice((0.002, 0.004, 0.006, 2)))
                )
                while time.monotonic() < stop:
                    calls[0] += 1
                    try:
                        api.account_forgot_pass_post(body)
                    except persona.ApiTimeoutError:
                        pass  # its own deadline
                    except persona.ApiException as exc:
                        wrong.append(exc)

            threads = [threading.Thread(target=worker) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
    assert calls[0] > 100
    assert wrong == []
