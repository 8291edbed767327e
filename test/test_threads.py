"""Thread safety and lifecycle: one ApiClient shared by many threads; close() releases
everything it holds; a closed client refuses to work.

The load test runs 16 threads x 60 calls on one shared client against the reference
server. Each thread walks its own account through the reset flow (forgotPass, the code
from the outbox, codeForToken, resetForgottenPassword), so a response delivered to the
wrong thread would show: a code or token of another account fails, or sets another
account's password. Server-side, the request log must hold each call exactly once.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any

import pytest

import persona
from persona.testing import ReferenceServer

THREADS = 16
CALLS = 60  # per thread: 20 rounds of the flow; enough to interleave every step


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def settle_fds(limit: int, timeout: float = 5.0) -> int:
    """Open descriptors, once the server's handler threads have closed their sockets."""
    deadline = time.monotonic() + timeout
    count = open_fds()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = open_fds()
    return count


def test_16_threads_x_60_calls_on_one_shared_client() -> None:
    accounts = {f"user{t}@example.com": f"initial-pass-{t}" for t in range(THREADS)}
    log: list[str] = []
    log_lock = threading.Lock()

    def record(line: str) -> None:
        with log_lock:
            log.append(line)

    srv = ReferenceServer(accounts, outbox="", rate_limit=1_000_000, log=record)
    srv.start()
    fds_before = open_fds()
    # Default retries (with a short backoff): the reference server's accept queue may
    # reset a few of 16 simultaneous first connections, which is what retries are for.
    config = persona.Configuration(host=srv.url, timeout=10, deadline=60, backoff_base=0.01)
    client = persona.ApiClient(config)
    api = persona.AccountApi(client)
    results: dict[int, dict[str, Any]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        email = f"user{t}@example.com"
        seen: list[tuple[str, int, str]] = []  # (path, status, request id)
        tokens: list[str] = []
        password = accounts[email]
        try:
            start.wait(timeout=30)
            calls = 0
            while calls < CALLS:
                tag = {"X-Call": f"{t}-{calls}"}
                info = api.account_forgot_pass_post_with_http_info(
                    persona.ForgotPasswordData(email=email), _headers=tag
                )
                seen.append(("/v1/account/forgotPass", info.status, info.request_id))
                assert info.data.success is True
                calls += 1
                code = srv.last_code(email)
                assert code is not None
                tag = {"X-Call": f"{t}-{calls}"}
                info = api.account_code_for_token_post_with_http_info(
                    persona.CodeForTokenData(email=email, code=code), _headers=tag
                )
                seen.append(("/v1/account/codeForToken", info.status, info.request_id))
                tokens.append(info.data.token)
                calls += 1
                if calls == CALLS:
                    break
                password = f"pass-{t}-{calls}"
                tag = {"X-Call": f"{t}-{calls}"}
                info = api.account_reset_forgotten_password_post_with_http_info(
                    persona.UpdatePasswordData(token=tokens[-1], new_password=password),
                    _headers=tag,
                )
                seen.append(("/v1/account/resetForgottenPassword", info.status, info.request_id))
                assert info.data.success is True
                calls += 1
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        results[t] = {"seen": seen, "tokens": tokens, "password": password}

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    alive = [t for t in threads if t.is_alive()]
    client.close()
    try:
        assert not alive, "worker threads hung"
        assert errors == [], [(e, e.__cause__) for e in errors[:3]]
        # Every thread made its CALLS calls, all answered 200.
        calls = [c for r in results.values() for c in r["seen"]]
        assert len(calls) == THREADS * CALLS
        assert {status for _, status, _ in calls} == {200}
        # Each response is the answer to its own request: its request id is unique and
        # the server logged it for that very path and status.
        ids = [rid for _, _, rid in calls]
        assert len(set(ids)) == len(ids)
        logged = {line.split()[-1]: line.split()[:3] for line in log}
        for path, status, rid in calls:
            assert logged[rid] == ["POST", path, str(status)]
        # Each thread's codes and tokens were its own: every reset worked on the
        # thread's own account (another account's token would have set its password).
        all_tokens = [tok for r in results.values() for tok in r["tokens"]]
        assert len(set(all_tokens)) == len(all_tokens)
        for t in (0, THREADS // 2, THREADS - 1):  # scrypt is slow: a sample suffices
            assert srv.check_password(f"user{t}@example.com", results[t]["password"])
        # Server-side: every call arrived; one that arrived twice was a retry of the
        # same call (same Idempotency-Key), never a second call.
        tags = Counter(r.header("X-Call") for r in srv.requests)
        assert len(tags) == THREADS * CALLS
        keys_by_tag: dict[str, set[str]] = {}
        for r in srv.requests:
            keys_by_tag.setdefault(r.header("X-Call") or "", set()).add(
                r.header("Idempotency-Key") or ""
            )
        assert all(len(keys) == 1 for keys in keys_by_tag.values())
        assert len({k for keys in keys_by_tag.values() for k in keys}) == THREADS * CALLS
        retried = sum(n - 1 for n in tags.values())
        assert retried <= THREADS  # only first connections can meet a full accept queue
    finally:
        srv.stop()
    # No leaked sockets: with the client closed and the server stopped, the process
    # holds no more descriptors than before (small slack for the interpreter).
    fds_after = settle_fds(fds_before)
    print(
        f"\n{THREADS}x{CALLS} calls in {elapsed:.1f}s; {retried} retried; "
        f"fds before {fds_before}, after {fds_after}"
    )
    assert fds_after <= fds_before + 2
    assert elapsed < 60


def test_close_releases_the_pool_and_the_async_thread_pool() -> None:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        threads_before = threading.active_count()
        fds_before = open_fds()
        client = persona.ApiClient(persona.Configuration(host=srv.url), pool_threads=4)
        api = persona.AccountApi(client)
        pending = [
            api.account_forgot_pass_post(
                persona.ForgotPasswordData(email=f"x{i}@example.com"), async_req=True
            )
            for i in range(8)
        ]
        assert all(p.get(timeout=10).success is True for p in pending)
        pool = client.pool
        # 4 workers and the pool's 3 handler threads (at least), besides the server's.
        assert threading.active_count() >= threads_before + 4 + 3
        assert open_fds() > fds_before  # pooled keep-alive connections
        client.close()
        assert client.closed
        # The server's handler threads end as they see the pooled connections close.
        deadline = time.monotonic() + 5
        while threading.active_count() > threads_before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert threading.active_count() == threads_before
        # The thread pool's notifier pipe goes with the pool object (close() drops it).
        del pool, pending
        assert settle_fds(fds_before) <= fds_before
        client.close()  # idempotent


def test_a_closed_client_raises_api_closed_error_and_sends_nothing() -> None:
    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        with persona.ApiClient(persona.Configuration(host=srv.url)) as client:
            api = persona.AccountApi(client)
            api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
        assert client.closed
        body = persona.ForgotPasswordData(email="ann@example.com")
        for kwargs in ({}, {"async_req": True}):
            with pytest.raises(persona.ApiClosedError) as info:
                api.account_forgot_pass_post(body, **kwargs)
            assert isinstance(info.value, persona.ApiException)
            assert isinstance(info.value, RuntimeError)
            assert "closed" in str(info.value)
        assert srv.request_count() == 1


def test_close_while_other_threads_are_calling_ends_cleanly() -> None:
    # Calls racing close() either complete or raise ApiClosedError/ApiConnectionError;
    # nothing hangs and nothing else escapes.
    with ReferenceServer({}, outbox="", rate_limit=1_000_000) as srv:
        client = persona.ApiClient(persona.Configuration(host=srv.url, max_retries=0, timeout=5))
        api = persona.AccountApi(client)
        outcomes: list[str] = []
        lock = threading.Lock()

        def worker(i: int) -> None:
            for _ in range(50):
                try:
                    api.account_forgot_pass_post(
                        persona.ForgotPasswordData(email=f"race{i}@example.com")
                    )
                    result = "ok"
                except persona.ApiClosedError:
                    result = "closed"
                except persona.ApiConnectionError:
                    result = "connection"
                except BaseException as exc:
                    result = f"unexpected {exc!r}"
                with lock:
                    outcomes.append(result)
                if result == "closed":
                    return

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.05)
        client.close()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
    assert not [o for o in outcomes if o.startswith("unexpected")], outcomes
    assert "closed" in outcomes
