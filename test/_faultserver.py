"""Loopback servers for the transport suites, where HTTP itself must break.

``ScriptedServer`` accepts connections on 127.0.0.1, parses each request (request line,
headers, a Content-Length body) and hands it to a *script*: a function that writes
whatever bytes it likes to the socket (or resets it, stalls, truncates...) and says
whether to keep the connection open. It counts connections, TLS handshakes and requests
server-side, records every request's headers, and stops cleanly (every thread joined).

``ForwardProxy`` is a tiny HTTP proxy: it relays absolute-URI requests (one per
connection) and tunnels ``CONNECT``, counting both.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import ssl
import struct
import threading
from dataclasses import dataclass, field
from typing import Callable, Optional

RECV_TIMEOUT = 10.0  # no server-side wait is unbounded either


@dataclass
class Request:
    """One request as the scripted server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    number: int  # 1 for the first request the server received, across connections

    def header(self, name: str) -> Optional[str]:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Conn:
    """The server side of one connection, with helpers for scripts."""

    sock: socket.socket
    server: ScriptedServer
    sent: int = 0
    keep: bool = True
    extra: dict[str, object] = field(default_factory=dict)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.sent += len(data)

    def respond(
        self,
        status: int = 200,
        body: bytes = b"{}",
        headers: Optional[dict[str, str]] = None,
        *,
        content_type: str = "application/json;charset=utf-8",
        request_id: Optional[str] = "req-1",
    ) -> None:
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        all_headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        if request_id:
            all_headers["X-Request-Id"] = request_id
        all_headers.update(headers or {})
        head += [f"{k}: {v}" for k, v in all_headers.items()]
        self.send(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    def reset(self) -> None:
        """Close with an RST (SO_LINGER 0) instead of a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.keep = False

    def close(self) -> None:
        self.keep = False

    def stall(self, seconds: float) -> None:
        """Wait (without answering) until ``seconds`` pass or the server stops."""
        self.server.stopping.wait(seconds)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

Script = Callable[[Conn, Request], None]


class ScriptedServer:
    """A loopback HTTP/1.1 server whose every answer is written by ``script``.

    ``ssl_context`` makes it a TLS server (the handshake runs in the connection's
    thread; failures are counted in ``tls_failures``).
    """

    def __init__(self, script: Script, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.script = script
        self.ssl_context = ssl_context
        self.requests: list[Request] = []
        self.connections = 0
        self.handshakes = 0
        self.tls_failures: list[BaseException] = []
        self.bytes_sent: list[int] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._socks: set[socket.socket] = set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    # -- lifecycle ----------------------------------------------------------------
    def __enter__(self) -> ScriptedServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self._acceptor.join(5)
        self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(5)
            assert not thread.is_alive(), "scripted server thread did not stop"

    def url(self, host: str = "127.0.0.1", scheme: Optional[str] = None) -> str:
        scheme = scheme or ("https" if self.ssl_context else "http")
        return f"{scheme}://{host}:{self.port}/v1"

    @property
    def keys(self) -> list[Optional[str]]:
        """The Idempotency-Key of every request received, in order."""
        return [r.header("Idempotency-Key") for r in self.requests]

    # -- serving ------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._socks.add(sock)
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket) -> None:
        sock: socket.socket = raw
        conn: Optional[Conn] = None
        try:
            raw.settimeout(RECV_TIMEOUT)
            if self.ssl_context is not None:
                try:
                    sock = self.ssl_context.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    with self._lock:
                        self.tls_failures.append(exc)
                    return
                with self._lock:
                    self.handshakes += 1
                    self._socks.add(sock)
            conn = Conn(sock, self)
            reader = sock.makefile("rb")
            try:
                while conn.keep and not self.stopping.is_set():
                    request = self._read_request(reader)
                    if request is None:
                        break
                    try:
                        self.script(conn, request)
                    except OSError:
                        break  # the client went away mid-answer
            finally:
                reader.close()
        except (OSError, ValueError):
            pass
        finally:
            if conn is not None:
                with self._lock:
                    self.bytes_sent.append(conn.sent)
            with self._lock:
                self._socks.discard(sock)
                self._socks.discard(raw)
            with contextlib.suppress(OSError):
                sock.close()
            with contextlib.suppress(OSError):
                raw.close()

    def _read_request(self, reader: object) -> Optional[Request]:
        readline = reader.readline  # type: ignore[attr-defined]
        line = readline(65537)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            hline = readline(65537)
            if hline in (b"\r\n", b"\n", b""):
                break
            name, _, value = hline.decode("latin-1").partition(":")
            headers[name.strip()] = value.strip()
        length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), 0))
        body = reader.read(length) if length else b""  # type: ignore[attr-defined]
        with self._lock:
            request = Request(method, target, headers, body, len(self.requests) + 1)
            self.requests.append(request)
        return request


class ForwardProxy:
    """A loopback forward proxy: relays one absolute-URI request per connection, and
    tunnels ``CONNECT``. Counts what it relayed in ``relayed`` and ``tunnels``."""

    def __init__(self) -> None:
        self.relayed: list[str] = []  # request lines
        self.tunnels: list[str] = []  # CONNECT targets
        self.proxy_headers: list[dict[str, str]] = []
        self._server = ScriptedServer(self._script)
        self.port = self._server.port
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ForwardProxy:
        self._server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def _script(self, conn: Conn, request: Request) -> None:
        self.proxy_headers.append(dict(request.headers))
        if request.method == "CONNECT":
            self.tunnels.append(request.target)
            host, port = request.target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=RECV_TIMEOUT)
            with upstream:
                conn.send(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self._tunnel(conn.sock, upstream)
            conn.close()
            return
        self.relayed.append(f"{request.method} {request.target}")
        from urllib.parse import urlsplit

        parts = urlsplit(request.target)
        assert parts.scheme == "http", request.target
        upstream = socket.create_connection(
            (parts.hostname or "", parts.port or 80), timeout=RECV_TIMEOUT
        )
        with upstream:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            head = [f"{request.method} {path} HTTP/1.1"]
            for name, value in request.headers.items():
                if name.lower() not in ("connection", "proxy-connection", "proxy-authorization"):
                    head.append(f"{name}: {value}")
            head.append("Connection: close")
            upstream.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                conn.send(chunk)
        conn.close()

    def _tunnel(self, client: socket.socket, upstream: socket.socket) -> None:
        with selectors.DefaultSelector() as sel:
            sel.register(client, selectors.EVENT_READ, upstream)
            sel.register(upstream, selectors.EVENT_READ, client)
            while not self._server.stopping.is_set():
                events = sel.select(timeout=RECV_TIMEOUT)
                if not events:
                    return
                for key, _ in events:
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
