"""The HTTP layer of the reference server: framing, routing, headers, idempotency, faults.

Built on ``http.server`` with two changes to its defaults, because clients are tested
against this server and must only ever see what the contract promises:

* every method is dispatched here (the stdlib answers 501 HTML for methods without a
  ``do_*`` handler) and routed by the operation table (:mod:`persona.testing.operations`):
  a method the contract does not declare for a path gets a JSON 405 whose ``Allow``
  lists the methods it does;
* every response, including the stdlib's own for malformed requests, is JSON with
  ``Content-Type: application/json;charset=utf-8``, an ``X-Request-Id`` and a
  ``Content-Length`` (so keep-alive works).

and two limits it lacks: the header section as a whole is bounded (431 past 16 KiB), and
bodies are framed strictly (:mod:`persona.testing.framing`): ambiguous framing answers 400
and closes the connection, as a proxy in front may have read the stream differently.

Request bodies are never logged or stored: they hold codes, tokens and passwords.
"""

from __future__ import annotations

import errno
import hmac
import io
import re
import secrets
import socket
import time
from collections.abc import Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional, cast
from urllib.parse import urlsplit

from persona.testing import sealing
from persona.testing.context import ServerContext
from persona.testing.faults import Fault
from persona.testing.framing import FramingError, HeaderBudget, body_length, read_chunked
from persona.testing.operations import OperationSpec
from persona.testing.recording import RecordedRequest
from persona.testing.rules import MAX_BODY_BYTES, RuleViolation
from persona.testing.service import Answer, error_answer
from persona.testing.store import ReplayRecord

JSON_CONTENT_TYPE = "application/json;charset=utf-8"
#: What an Idempotency-Key may look like: 1-255 visible ASCII characters.
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7E]{1,255}")
#: How long a request waits for another server's request with the same Idempotency-Key.
CLAIM_WAIT = 5.0

#: The contract's error code for each status the server can answer.
ERROR_CODES = {
    400: "invalid_request",
    401: "invalid_code",
    404: "not_found",
    405: "method_not_allowed",
    409: "idempotency_conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    421: "misdirected_request",
    429: "rate_limited",
}


def error_code(status: int) -> str:
    """The contract's machine code for an error ``status`` (used for stdlib and faults)."""
    if status >= 500:
        return "internal_error"
    return ERROR_CODES.get(status, "invalid_request")


def new_request_id() -> str:
    """A fresh request id, ``req_`` and 24 hex digits."""
    return "req_" + secrets.token_hex(12)


class _Reject(Exception):
    """Raised inside the handler to answer an error at once."""

    def __init__(self, answer: Answer, close: bool = False) -> None:
        super().__init__(answer.status)
        self.answer = answer
        self.close = close


#: The longest pause, in seconds, between tries to accept while descriptors run out.
ACCEPT_PAUSE_MAX = 0.25
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server whose handlers serve one :class:`ServerContext`.

    Handler threads are not daemons and are joined by ``server_close()``; the reference
    server shuts their sockets down first, so a client's idle keep-alive connection cannot
    hold up ``stop()``.
    """

    daemon_threads = False
    block_on_close = True
    # The standard library's backlog of 5 resets connections when many clients open
    # theirs at once (16 threads of one test); a real service accepts far more.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], context: ServerContext) -> None:
        """Bind to ``address`` (IPv6 if the host contains a colon)."""
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.context = context
        self._accept_pause = 0.0
        super().__init__(address, Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection; when that fails for want of descriptors or memory, pause
        before the serving loop tries again.

        The listening socket stays readable while the connection waits in the backlog, so
        without a pause the loop would retry ``accept`` at once, forever: one core at
        100 % for as long as slow clients hold every descriptor. The pause doubles up to
        :data:`ACCEPT_PAUSE_MAX` and ends at once when the server stops.
        """
        try:
            accepted = super().get_request()
        except OSError as exc:
            if exc.errno in _OUT_OF_RESOURCES:
                if self._accept_pause == 0.0:
                    name = errno.errorcode.get(exc.errno or 0)
                    self.context.log(f"accept failed ({name}); pausing")
                self._accept_pause = min(max(self._accept_pause * 2, 0.01), ACCEPT_PAUSE_MAX)
                self.context.stopping.wait(self._accept_pause)
            raise
        self._accept_pause = 0.0
        return accepted


class Handler(BaseHTTPRequestHandler):
    """Handles one connection: any number of keep-alive requests."""

    protocol_version = "HTTP/1.1"
    server_version = "PersonaReferenceServer/1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm
    # and delayed ACKs add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True
    #: An idle keep-alive connection is closed after this many seconds.
    timeout = 60
    server: HTTPServer
    #: The ``X-Request-Id`` of the request being answered.
    request_id: str
    #: When its request line arrived (``time.perf_counter()``), for the logged duration.
    started: float

    # Connection bookkeeping -----------------------------------------------------------

    def setup(self) -> None:
        """Register the connection so that ``stop()`` can shut it down."""
        super().setup()
        self.server.context.connections.opened(self.connection)

    def finish(self) -> None:
        """Flush and forget the connection."""
        try:
            super().finish()
        finally:
            self.server.context.connections.closed(self.connection)

    # Request loop ---------------------------------------------------------------------

    def handle_one_request(self) -> None:
        """Read one request and answer it; like the stdlib's, but for every method."""
        self.request_id = new_request_id()
        self.started = time.perf_counter()
        self._responded = False
        self._unread_body = False
        self.command = ""
        self.request_version = ""
        self.requestline = ""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            # The header section is read through a budget: the stdlib bounds each line and
            # the number of lines, not their total.
            stream = self.rfile
            self.rfile = cast(io.BufferedIOBase, HeaderBudget(stream))
            try:
                parsed = self.parse_request()  # answers malformed requests via send_error
            except FramingError as exc:
                # A malformed header line: nothing of this request runs, and the stream
                # behind it cannot be trusted (a proxy may have framed it differently).
                self.close_connection = True
                self._send(error_answer(exc.status, "invalid_request", exc.message))
                return
            finally:
                self.rfile = stream
            if not parsed:
                return
            try:
                self._handle()
            except _Dropped:
                pass
            except _Reject as reject:
                self.close_connection = self.close_connection or reject.close
                self._send(reject.answer)
            except (ConnectionError, socket.timeout):
                raise
            except Exception as exc:  # a bug: answer 500 and keep serving
                self.server.context.log(f"internal error in handler: {exc!r}")
                self.close_connection = True
                if not self._responded:
                    self._send(error_answer(500, "internal_error", "internal server error"))
            self.wfile.flush()
            if self._unread_body:
                self._linger()
        except (ConnectionError, socket.timeout, OSError):
            self.close_connection = True

    def send_error(
        self, code: int, message: Optional[str] = None, explain: Optional[str] = None
    ) -> None:
        """Answer the stdlib's own errors (malformed request line or headers) as JSON.

        ``message`` is not used: the stdlib fills it with pieces of the request, which
        may be anything. The connection is closed, as the stream cannot be trusted.
        """
        status = HTTPStatus(code)
        self.close_connection = True
        self._send(error_answer(code, error_code(code), f"{status.phrase}: {status.description}"))

    def version_string(self) -> str:
        """The ``Server`` header: the server's name without the Python version."""
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Silence the stdlib's logging; requests are logged by :meth:`_send`."""

    # Routing --------------------------------------------------------------------------

    def _handle(self) -> None:
        ctx = self.server.context
        refusal = ctx.hosts.refusal(
            self.headers.get_all("Host") or [], self.path, self.request_version
        )
        if refusal is not None:
            # Before routing: a rebound name must reach neither the API nor the outbox.
            self._discard_body()
            status, message = refusal
            raise _Reject(error_answer(status, error_code(status), message), close=True)
        path = urlsplit(self.path).path
        if ctx.outbox_web is not None and (path == "/outbox" or path.startswith("/outbox/")):
            # The outbox page and its API (outbox_web.py): not API calls, not recorded.
            self._discard_body()
            ctx.outbox_web.handle(self)
            return
        ctx.requests.add(RecordedRequest(self.command, path, dict(self.headers.items())))
        operation = self._route(path)
        body = b""
        if operation.body:
            body = self._read_body()
        else:
            self._discard_body()
        fault = ctx.faults.take(path)
        self._fire_fault(fault)
        try:
            operation.parse_query(urlsplit(self.path).query)
        except RuleViolation as exc:
            raise _Reject(error_answer(400, "invalid_request", str(exc))) from None
        if not ctx.service.implements(operation):
            # A changed contract (ReferenceServer(operations=...)) may route more than
            # the service runs: routed and checked, then said so.
            raise _Reject(
                error_answer(
                    501,
                    "not_implemented",
                    f"{operation.method} {path} is routed but not served by this server",
                )
            )
        if not body.strip():
            raise _Reject(error_answer(400, "invalid_request", "body: required (a JSON object)"))
        self._check_content_type()
        key = self.headers.get("Idempotency-Key")
        if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
            raise _Reject(
                error_answer(
                    400,
                    "invalid_request",
                    "Idempotency-Key: must be 1-255 visible ASCII characters",
                )
            )
        answer, replayed = self._answer(path, operation.path, body, key)
        if fault is not None and fault.kind == "drop_after":
            self.close_connection = True
            ctx.log(self._log_line("dropped"))
            return
        if replayed:
            answer = Answer(
                answer.status, answer.body, (*answer.headers, ("Idempotent-Replayed", "true"))
            )
        self._send(answer)

    def _route(self, path: str) -> OperationSpec:
        """The operation of this request's method on ``path``; else 405 (with ``Allow``:
        exactly the methods declared for the path) or 404, after its body is dropped and
        any fault for the path fired."""
        routes = self.server.context.routes
        operation = routes.find(self.command, path)
        if operation is not None:
            return operation
        self._discard_body()
        self._fire_fault(self.server.context.faults.take(path))
        methods = ", ".join(routes.methods(path))
        if methods:
            message = f"{self.command} not allowed; use {methods}"
            raise _Reject(error_answer(405, "method_not_allowed", message, (("Allow", methods),)))
        raise _Reject(error_answer(404, "not_found", f"no operation at {path}"))

    def _answer(
        self, path: str, operation: str, body: bytes, key: Optional[str]
    ) -> tuple[Answer, bool]:
        """Run the operation, or replay the answer remembered under ``key``.

        Records are sealed (:mod:`persona.testing.sealing`): the store holds neither the
        key, nor the body, nor the answer in a form that is of use without the request.
        A key is claimed in the store before the operation runs, so that of two requests
        with one key (in this server or another on the same database) one runs.
        """
        ctx = self.server.context
        if key is None:
            return ctx.service.handle(operation, body), False
        secret = ctx.store.key
        lookup, body_mac = sealing.lookup(secret, key), sealing.body_mac(secret, key, body)
        with ctx.locks.hold(key):
            record = self._claim(lookup, path, body_mac)
            if record is not None:
                return self._replay(record, path, operation, body, body_mac, key)
            try:
                answer = ctx.service.handle(operation, body)
            except BaseException:
                ctx.store.release_replay(lookup)
                raise
            if answer.replayable:
                sealed = sealing.seal(secret, key, body, answer.body)
                ctx.store.finish_replay(lookup, answer.status, sealed)
            else:
                ctx.store.release_replay(lookup)
            return answer, False

    def _claim(self, lookup: str, path: str, body_mac: str) -> Optional[ReplayRecord]:
        """Claim ``lookup`` (None), or the finished record already under it. A request
        with the same key still running in another server is waited for, a while."""
        ctx = self.server.context
        deadline = time.monotonic() + CLAIM_WAIT
        while True:
            record = ctx.store.claim_replay(lookup, path, body_mac)
            if record is None or record.status != 0:
                return record
            if time.monotonic() >= deadline or ctx.stopping.wait(0.02):
                raise _Reject(
                    error_answer(
                        409,
                        "idempotency_conflict",
                        "a request with this Idempotency-Key is still being processed",
                    )
                )

    def _replay(
        self,
        record: ReplayRecord,
        path: str,
        operation: str,
        body: bytes,
        body_mac: str,
        key: str,
    ) -> tuple[Answer, bool]:
        """The remembered answer, if this request is the one it answered; else 409.

        Whoever learns a codeForToken call's key could otherwise guess codes through it:
        a mismatched replay costs the address one try of its wrong-code budget, and past
        that budget not even the matching request is replayed (429), so the key buys no
        more guesses than a caller without it has.
        """
        ctx = self.server.context
        same = record.path == path and hmac.compare_digest(record.body_mac, body_mac)
        wait = ctx.service.replay_guard(operation, body, counted=not same)
        if wait is not None:
            return wait, False
        if same:
            replayed = sealing.unseal(ctx.store.key, key, body, record.sealed)
            if replayed is not None:
                return Answer(record.status, replayed), True
        conflict = error_answer(
            409, "idempotency_conflict", "Idempotency-Key was already used with a different request"
        )
        return conflict, False

    def _fire_fault(self, fault: Optional[Fault]) -> None:
        if fault is None:
            return
        if fault.kind == "status":
            status = int(fault.arg)
            headers: tuple[tuple[str, str], ...] = ()
            if fault.retry_after is not None:
                headers = (("Retry-After", str(fault.retry_after)),)
            raise _Reject(error_answer(status, error_code(status), "injected fault", headers))
        if fault.kind == "drop_before":
            self.close_connection = True
            self.server.context.log(self._log_line("dropped"))
            raise _Dropped
        if fault.kind == "stall":
            self.server.context.wake.wait(fault.arg)  # cut short by stop() and reset()
        elif fault.kind == "exception":
            raise RuntimeError("injected fault: exception")

    # Bodies ---------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """Read the whole body under strict framing (see :mod:`persona.testing.framing`).

        Anything ambiguous or too large is refused and the connection closed: after a
        framing error the server cannot know where the next request would start.
        """
        try:
            length = body_length(self.headers, self.request_version, MAX_BODY_BYTES)
            if length is None:
                return read_chunked(self.rfile, MAX_BODY_BYTES)
        except FramingError as exc:
            self._unread_body = True
            raise _Reject(
                error_answer(exc.status, error_code(exc.status), exc.message), close=True
            ) from None
        data = self.rfile.read(length)
        if len(data) < length:
            raise ConnectionError("client closed the connection mid-body")
        return data

    def _linger(self) -> None:
        """Drain what the client is still sending before closing, for a while.

        Closing a socket with unread data makes the kernel send a reset, which can destroy
        the answer before the client reads it; so after refusing a body unread, the server
        stops writing and swallows (without keeping) up to 1 MiB or 1 second of it.
        """
        deadline = time.monotonic() + 1.0
        drained = 0
        try:
            self.connection.shutdown(socket.SHUT_WR)
            while drained < 1024 * 1024 and time.monotonic() < deadline:
                self.connection.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass

    def _discard_body(self) -> None:
        """Read and drop the body of a request that is refused anyway, to keep the
        connection usable; a body too big to bother with closes the connection instead."""
        try:
            self._read_body()
        except _Reject:
            self.close_connection = True

    def _check_content_type(self) -> None:
        media_type, _, params = (self.headers.get("Content-Type") or "").partition(";")
        charset = "utf-8"
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
        if media_type.strip().lower() != "application/json" or charset not in ("utf-8", "utf8"):
            raise _Reject(
                error_answer(
                    415,
                    "unsupported_media_type",
                    "Content-Type: must be application/json (UTF-8)",
                )
            )

    # Responses ------------------------------------------------------------------------

    def _send(self, answer: Answer) -> None:
        """Send ``answer`` as JSON with the headers every response carries."""
        payload = answer.body.encode("utf-8")
        if self.request_version in ("", "HTTP/0.9"):
            # The stdlib would answer an HTTP/0.9-looking request with a bare body; every
            # answer here has a status line and headers.
            self.request_version = "HTTP/1.0"
            self.close_connection = True
        extra: tuple[tuple[str, str], ...] = ()
        if answer.status == 405 and not any(name == "Allow" for name, _ in answer.headers):
            # An injected 405: Allow still says what the path serves.
            path = urlsplit(self.path).path if self.command else ""
            extra = (("Allow", ", ".join(self.server.context.routes.methods(path))),)
        data = self.head(answer.status, JSON_CONTENT_TYPE, len(payload), (*extra, *answer.headers))
        if self.command != "HEAD":
            data += payload
        self.wfile.write(data)

    def head(
        self,
        status: int,
        content_type: str,
        length: Optional[int],
        extra: Iterable[tuple[str, str]] = (),
    ) -> bytes:
        """The status line and the headers every answer carries (server, date, type,
        length when known, request id, ``Connection: close`` when the connection ends),
        then ``extra``: the bytes to write before the body. The answer is logged and noted
        here, before the write: a client that has its answer finds it in the log."""
        self._responded = True
        headers = [
            ("Server", self.version_string()),
            ("Date", self.date_time_string()),
            ("Content-Type", content_type),
        ]
        if length is not None:
            headers.append(("Content-Length", str(length)))
        headers.append(("X-Request-Id", self.request_id))
        headers.extend(extra)
        if self.close_connection:
            headers.append(("Connection", "close"))
        # The caller writes status line, headers and body at once: one system call instead
        # of two, and no gap between them in which another thread (the outbox's writer)
        # could run and delay the rest of the answer.
        phrase = self.responses.get(status, ("",))[0]
        head = f"{self.protocol_version} {status} {phrase}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
        ctx = self.server.context
        ctx.log(self._log_line(str(status)))
        if ctx.outbox_web is not None:
            ctx.outbox_web.note(self, status)
        return head.encode("latin-1")

    def log_request(self, code: object = "-", size: object = "-") -> None:
        """Silence the stdlib's per-response log line; :meth:`_send` writes ours."""

    def _log_line(self, outcome: str) -> str:
        # Method and path only (no query string, no body, no headers): nothing secret.
        path = urlsplit(self.path).path if self.command else "-"
        elapsed = (time.perf_counter() - self.started) * 1000
        return f"{self.command or '-'} {path} {outcome} {elapsed:.1f}ms {self.request_id}"


class _Dropped(Exception):
    """Raised to close the connection without answering."""
