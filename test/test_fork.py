"""A client used before ``fork()`` works in the children and in the parent, and no two
processes ever share a keep-alive socket (which crossed answers between workers)."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import persona
from persona.testing import ReferenceServer

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
    reason="needs fork()",
)

WORKERS = 8
CALLS = 20
ROUNDS = 3

#: The client the parent sets before forking; the workers inherit it.
_shared: dict[str, persona.ApiClient] = {}


class _EchoHandler(BaseHTTPRequestHandler):
    """Answers forgotPass with the request's own Idempotency-Key as the message, over
    keep-alive: an answer read by the wrong process, or twice, shows at once."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        key = self.headers.get("Idempotency-Key", "")
        body = json.dumps({"success": True, "message": key}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", "req_" + key)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        yield srv


def _worker(worker: int) -> list[tuple[str, str]]:
    """CALLS calls on the inherited client: (the key sent, the key echoed back)."""
    api = persona.AccountApi(_shared["client"])
    seen = []
    for i in range(CALLS):
        key = f"fork-{os.getpid()}-{worker}-{i}"
        reply = api.account_forgot_pass_post(
            persona.ForgotPasswordData(email="ann@example.com"), _idempotency_key=key
        )
        seen.append((key, reply.message or ""))
    return seen


def test_a_client_used_before_fork_serves_every_worker_its_own_answers(echo_url: str) -> None:
    client = _shared["client"] = persona.ApiClient(
        persona.Configuration(host=echo_url, max_retries=0)
    )
    api = persona.AccountApi(client)
    context = multiprocessing.get_context("fork")
    try:
        for round_number in range(ROUNDS):
            # The parent holds a live keep-alive connection when the workers fork.
            parent_key = f"parent-{round_number}"
            body = persona.ForgotPasswordData(email="ann@example.com")
            assert api.account_forgot_pass_post(body, _idempotency_key=parent_key).message == (
                parent_key
            )
            with context.Pool(WORKERS) as pool:
                results = pool.map(_worker, range(WORKERS), chunksize=1)
            calls = [call for worker in results for call in worker]
            assert len(calls) == WORKERS * CALLS
            crossed = [(sent, got) for sent, got in calls if sent != got]
            assert crossed == []
            # The parent keeps working, on its own connection.
            again = f"parent-{round_number}-after"
            assert api.account_forgot_pass_post(body, _idempotency_key=again).message == again
    finally:
        client.close()


def test_async_req_pool_is_rebuilt_in_a_forked_child(server: ReferenceServer) -> None:
    client = persona.ApiClient(persona.Configuration(host=server.url))
    api = persona.AccountApi(client)
    body = persona.ForgotPasswordData(email="ann@example.com")
    assert api.account_forgot_pass_post(body, async_req=True).get(timeout=10).success
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its parent's pool threads do not exist here
        try:
            ok = api.account_forgot_pass_post(body, async_req=True).get(timeout=10).success
            os.write(write, b"ok" if ok else b"no")
        except BaseException:
            os.write(write, b"error")
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    answer = os.read(read, 16)
    os.close(read)
    assert answer == b"ok"
    assert os.WEXITSTATUS(status) == 0
    assert api.account_forgot_pass_post(body, async_req=True).get(timeout=10).success
    client.close()


def test_a_child_forked_while_a_parent_thread_holds_the_default_lock_does_not_hang() -> None:
    # A lock held by another thread at fork() time is never released in the child.
    with persona.ApiClient._default_lock, persona.Configuration._default_lock:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                persona.Configuration.get_default()
                persona.ApiClient.get_default().close()
                code = 0
            finally:
                os._exit(code)
    deadline = 10.0
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.WEXITSTATUS(status) == 0
            return
        time.sleep(0.02)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the child hung on a lock its parent held at fork time")
