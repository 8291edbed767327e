"""Errors name what fired: each phase of an attempt that stalls (connecting -- TCP, a
proxy's CONNECT, the TLS handshake --, reading, the whole call's deadline) or fails (DNS,
a refused connection) is named by the exception, with the right seconds, the same in
the sync and the async client. Real loopback servers that accept and then say nothing;
trustme for TLS."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import persona

BODY = persona.ForgotPasswordData(email="ann@example.com")


class Silent:
    """A TCP listener that accepts connections, reads what comes, and never answers
    (until stopped): a stalled TLS handshake, proxy CONNECT, or response."""

    def __init__(self, drip: bool = False) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)  # accept() looks at stopping between waits
        self.drip = drip
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._hold, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _hold(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.1)
            sent = b"HTTP/1.1 200 OK\r\n"
            while not self.stopping.is_set():
                try:
                    if not conn.recv(65536):
                        return
                except socket.timeout:
                    if self.drip and sent:  # one byte of a status line every 0.1 s
                        conn.sendall(sent[:1])
                        sent = sent[1:]
                except OSError:
                    return

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()
        for thread in self.threads:
            thread.join(5)


@pytest.fixture
def silent() -> Iterator[Silent]:
    server = Silent()
    yield server
    server.stop()


def _sync(host: str, **settings: Any) -> persona.ApiException:
    config = persona.Configuration(host=host, max_retries=0, **settings)
    with persona.ApiClient(config) as client, pytest.raises(persona.ApiException) as info:
        persona.AccountApi(client).account_forgot_pass_post(BODY)
    return info.value


async def _async_call(host: str, **settings: Any) -> persona.ApiException:
    config = persona.Configuration(host=host, max_retries=0, **settings)
    async with persona.AsyncApiClient(config) as client:
        with pytest.raises(persona.ApiException) as info:
            await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
    return info.value


def call(client: str, host: str, **settings: Any) -> tuple[persona.ApiException, float]:
    started = time.monotonic()
    if client == "sync":
        exc = _sync(host, **settings)
    else:
        # Not asyncio.run: on Python 3.9 it drops the thread's current loop (pytest-asyncio
        # keeps one there) unclosed, and its socketpair surfaces later as a ResourceWarning.
        loop = asyncio.new_event_loop()
        try:
            exc = loop.run_until_complete(_async_call(host, **settings))
        finally:
            loop.close()
    return exc, time.monotonic() - started


CLIENTS = ["sync", "async"]


@pytest.mark.parametrize("client", CLIENTS)
def test_a_stalled_tls_handshake_is_a_connect_timeout(
    client: str, silent: Silent, ca_file: str
) -> None:
    exc, took = call(
        client,
        f"https://127.0.0.1:{silent.port}/v1",
        timeout=(0.4, 5),
        deadline=10,
        ssl_ca_cert=ca_file,
    )
    assert type(exc) is persona.ApiTimeoutError
    assert str(exc).startswith(f"connect timeout (0.4s) to https://127.0.0.1:{silent.port}")
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_a_stalled_proxy_connect_is_a_connect_timeout_naming_the_proxy(
    client: str, silent: Silent, ca_file: str
) -> None:
    exc, took = call(
        client,
        "https://api.example.com/v1",
        timeout=(0.4, 5),
        deadline=10,
        ssl_ca_cert=ca_file,
        proxy=f"http://127.0.0.1:{silent.port}",
    )
    assert type(exc) is persona.ApiTimeoutError
    assert str(exc).startswith(
        "connect timeout (0.4s) to https://api.example.com through proxy "
        f"http://127.0.0.1:{silent.port}"
    )
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_a_stalled_response_is_a_read_timeout(client: str, silent: Silent) -> None:
    exc, took = call(client, f"http://127.0.0.1:{silent.port}/v1", timeout=(5, 0.4), deadline=10)
    assert type(exc) is persona.ApiTimeoutError
    assert str(exc).startswith(f"read timeout (0.4s) from http://127.0.0.1:{silent.port}")
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_a_dripped_status_line_is_the_deadline(client: str) -> None:
    server = Silent(drip=True)
    try:
        exc, took = call(client, f"http://127.0.0.1:{server.port}/v1", timeout=5, deadline=0.6)
    finally:
        server.stop()
    assert type(exc) is persona.ApiTimeoutError
    assert "deadline" in str(exc)
    assert "read timeout" not in str(exc)
    assert "connect timeout" not in str(exc)
    assert took < 3


@pytest.mark.parametrize("client", CLIENTS)
def test_a_refused_connection_and_a_failed_lookup_name_themselves(
    client: str, unused_url: str
) -> None:
    refused, _ = call(client, unused_url, timeout=2, deadline=5)
    assert type(refused) is persona.ApiConnectionError
    assert f"cannot connect to {unused_url[:-3]}: Connection refused" in str(refused)
    lookup, _ = call(client, "http://host.invalid/v1", timeout=2, deadline=5)
    assert type(lookup) is persona.ApiConnectionError
    assert "Failed to resolve 'host.invalid'" in str(lookup)


def test_both_clients_word_a_refused_connection_and_a_failed_lookup_alike(
    unused_url: str,
) -> None:
    for host in (unused_url, "http://host.invalid/v1"):
        sync, _ = call("sync", host, timeout=2, deadline=5)
        in_async, _ = call("async", host, timeout=2, deadline=5)
        assert str(sync) == str(in_async)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_stalled_tcp_connect_is_a_connect_timeout(client: str, scheme: str, ca_file: str) -> None:
    # A listener whose accept queue is full: the kernel drops further SYNs, so a
    # connect waits (Linux; elsewhere the connect may be refused instead).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port), timeout=2)
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
    except OSError:
        pass
    else:
        probe.close()
        filler.close()
        listener.close()
        pytest.skip("this system does not stall a connect to a full accept queue")
    try:
        exc, took = call(
            client,
            f"{scheme}://127.0.0.1:{port}/v1",
            timeout=(0.4, 5),
            deadline=10,
            ssl_ca_cert=ca_file,
        )
    finally:
        probe.close()
        filler.close()
        listener.close()
    assert type(exc) is persona.ApiTimeoutError
    assert str(exc).startswith(f"connect timeout (0.4s) to {scheme}://127.0.0.1:{port}")
    assert took < 3
