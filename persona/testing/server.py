"""``ReferenceServer``: the reference implementation of the Persona Account API, in-process.

It serves the contract over real HTTP on a loopback port, in a background thread, so that
the SDK, the command line and users' own tests can run against it::

    with ReferenceServer(accounts={"ann@example.com": "old-pass-1"}) as srv:
        ...  # point a client at srv.url, read codes with srv.last_code(...)

It is built from the standard library only and imports nothing from the SDK: it is a second,
independent implementation of the contract (see ``docs/Testing.md``).
"""

from __future__ import annotations

import os
import re
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Callable, Optional

from persona.testing.connections import Connections
from persona.testing.context import ServerContext
from persona.testing.faults import FaultQueue, normalize_path, parse_fault
from persona.testing.handler import HTTPServer
from persona.testing.hosts import HostPolicy, is_loopback
from persona.testing.keylocks import KeyedLocks
from persona.testing.limits import OutboxLimits
from persona.testing.operations import BASE_PATH, CONTRACT, OperationSpec, Routes
from persona.testing.outbox import OUTBOX_ENV, Outbox, OutboxEntry
from persona.testing.outbox_web import OutboxWeb
from persona.testing.recording import RecordedRequest, RequestLog
from persona.testing.service import Service
from persona.testing.store import Store

#: How long :meth:`ReferenceServer.reset` waits for requests in flight to finish, in seconds.
RESET_DRAIN = 5.0
#: forgotPass requests allowed per e-mail address per rolling minute (the contract's 5).
DEFAULT_RATE_LIMIT = 5
#: Wrong codeForToken tries allowed per e-mail address per 15 minutes (the contract's 10).
DEFAULT_GUESS_LIMIT = 10


class ReferenceServer:
    """The Persona Account API, served from a background thread.

    Parameters (all keyword-only except ``accounts``):

    ``accounts``
        ``{email: password}`` to create before starting.
    ``host``, ``port``
        Where to listen; default ``127.0.0.1`` and ``0`` (a free port, see :attr:`url`).
    ``db``
        sqlite3 database path; ``":memory:"`` (default) forgets everything on stop, a file
        keeps accounts, codes, tokens and idempotency records across restarts.
    ``outbox``
        A file that every mailed code is appended to as a JSON line; default: the
        ``PERSONA_OUTBOX`` environment variable, else none (``""`` forces none). It is
        checked at once: a path that cannot be appended to (a directory, say) raises
        ``ValueError``. Codes are always kept in memory too (:attr:`outbox`,
        :meth:`last_code`).
    ``rate_limit``
        forgotPass requests allowed per e-mail address per rolling minute (default 5).
    ``guess_limit``
        Wrong codeForToken tries allowed per e-mail address per rolling 15 minutes
        (default 10), whatever the number of codes issued; then 429 with Retry-After.
    ``clock``
        A callable returning epoch seconds (default ``time.time``); tests pass their own to
        move time past the 15-minute expiries or the rate-limit window.
    ``outbox_page``
        Serve the outbox page and its API at ``/outbox`` (:attr:`outbox_url`). Default:
        only when ``host`` is a loopback address, as the page shows live codes; ``True``
        serves it on any address (with a warning), ``False`` never.
    ``outbox_cors``
        An origin (``http://localhost:3000``) whose pages may call the outbox API from a
        browser; default none (no CORS).
    ``allowed_hosts``
        Names besides this machine's that requests may be sent to (``Host``), e.g.
        ``["app.test"]``. While the server listens on a loopback address it answers only
        ``127.0.0.1``, ``localhost``, ``[::1]`` (any port) and these; any other name gets
        421 ``misdirected_request``, for every path (a defence against DNS rebinding). On
        another address, names are checked only when some are given here.
    ``outbox_limits``
        An :class:`~persona.testing.limits.OutboxLimits`: the messages the outbox keeps in
        memory (default 10,000; the oldest are dropped), the long polls and event streams
        served at once (256 and 32; more get 503 with ``Retry-After``).
    ``operations``
        The operation table to route (:mod:`persona.testing.operations`; default the
        contract's, ``CONTRACT``). For testing routing against a changed contract
        (``from_spec(spec)``): an operation the server does not implement is routed, its
        query checked, and answered 501 ``not_implemented``.
    ``log``
        A callable that receives one line per request (method, path, status, milliseconds,
        request id; never a body); default: no logging.
    """

    def __init__(
        self,
        accounts: Optional[Mapping[str, str]] = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str = ":memory:",
        outbox: Optional[str] = None,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        guess_limit: int = DEFAULT_GUESS_LIMIT,
        clock: Optional[Callable[[], float]] = None,
        log: Optional[Callable[[str], None]] = None,
        outbox_page: Optional[bool] = None,
        outbox_cors: Optional[str] = None,
        allowed_hosts: Iterable[str] = (),
        outbox_limits: Optional[OutboxLimits] = None,
        operations: Optional[Iterable[OperationSpec]] = None,
    ) -> None:
        """Prepare the server (the database is opened now; nothing listens until start)."""
        if rate_limit < 1:
            raise ValueError("rate_limit must be at least 1")
        if guess_limit < 1:
            raise ValueError("guess_limit must be at least 1")
        self._host = host
        self._port = port
        self._logger = log
        if outbox_page is None:
            outbox_page = is_loopback(host)  # it shows live codes: this machine only
        elif outbox_page and not is_loopback(host):
            warnings.warn(
                f"the outbox page shows live reset codes to anyone who can reach {host}",
                UserWarning,
                stacklevel=2,
            )
        if outbox_cors is not None and not re.fullmatch(r"https?://[^/\s]+", outbox_cors):
            raise ValueError("outbox_cors: must be an origin, e.g. http://localhost:3000")
        if isinstance(allowed_hosts, str):
            allowed_hosts = [allowed_hosts]
        hosts = HostPolicy(host, allowed_hosts)  # checks the names before anything opens
        routes = Routes(CONTRACT if operations is None else operations)
        if outbox is None:
            outbox = os.environ.get(OUTBOX_ENV) or None
        # The outbox first: it checks its file, and a bad one should not leave a store open.
        limits = outbox_limits or OutboxLimits()
        self._outbox = Outbox(
            outbox or None,
            on_error=self._log,
            max_messages=limits.messages,
            clock=clock or time.time,  # the store's: a code expires by the same clock
        )
        self._stopping = threading.Event()
        self._wake = threading.Event()  # set while a reset drains: injected stalls end
        store = Store(db, clock)
        self._context = ServerContext(
            store=store,
            service=Service(store, self._outbox, rate_limit, guess_limit),
            outbox=self._outbox,
            outbox_web=(
                OutboxWeb(self._outbox, self._wake, limits=limits, cors_origin=outbox_cors)
                if outbox_page
                else None
            ),
            faults=FaultQueue(),
            locks=KeyedLocks(),
            requests=RequestLog(),
            connections=Connections(self._stopping),
            hosts=hosts,
            routes=routes,
            log=self._log,
            stopping=self._stopping,
            wake=self._wake,
        )
        self._pinned = False
        self._with_started: list[bool] = []
        self._httpd: Optional[HTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        for email, password in (accounts or {}).items():
            self.add_account(email, password)

    # Lifecycle ------------------------------------------------------------------------

    def start(self) -> ReferenceServer:
        """Bind and start serving in a background thread; return ``self``."""
        if self._httpd is not None or self._stopping.is_set():
            raise RuntimeError("a ReferenceServer can be started only once")
        self._httpd = HTTPServer((self._host, self._port), self._context)
        self._port = self._httpd.server_address[1]
        # A short poll interval keeps stop() fast; the loop is idle otherwise.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"persona-reference-server-{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: close the listening socket and every connection, join the
        threads, close the database. Safe to call twice. A pinned server (:meth:`pin`)
        refuses with ``RuntimeError``."""
        if self._pinned:
            raise RuntimeError(
                f"{self!r} is shared (the pytest plugin's session server): only its owner "
                "stops it; use persona_server_factory for a server of your own"
            )
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._wake_waiters()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._context.connections.shut_all()
            self._httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
        self._context.store.close()

    def reset(self) -> None:
        """Forget everything a test did, keep listening on the same port: delete every
        account, code, token, idempotency record and rate-limit count, empty the outbox
        (in memory, and its file) and the recorded requests, disarm faults. ``rate_limit``
        and ``clock`` stay as they were given. (The session-scoped pytest server uses this
        between tests.)

        Requests still in flight belong to what is forgotten: their connections are shut
        down first, and the reset waits (up to :data:`RESET_DRAIN` seconds) for their
        handlers to finish, so that a request left running by one test cannot mail a code
        or spend a token after the reset, into the next test's state.
        """
        faults = self._context.faults
        faults.clear()
        if not self._context.connections.drain(RESET_DRAIN, after_shut=self._wake_waiters):
            self._log("reset: requests still running after the drain timeout")
        self._wake.clear()
        faults.clear()
        self._context.store.clear()
        self._outbox.clear(truncate=True)
        self._context.requests.clear()

    def pin(self) -> None:
        """Refuse :meth:`stop` until :meth:`unpin`: for a server shared by many users
        (the pytest plugin's session server), which only its owner may stop."""
        self._pinned = True

    def unpin(self) -> None:
        """Allow :meth:`stop` again."""
        self._pinned = False

    def __enter__(self) -> ReferenceServer:
        """Start the server (if not started) and return it. The ``with`` block stops it
        at its end only if it started it: a server that was already running (a fixture's,
        say) keeps running."""
        if self._httpd is None:
            self.start()
            self._with_started.append(True)
        else:
            self._with_started.append(False)
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        """Stop the server, if the matching ``with`` started it."""
        started = self._with_started.pop() if self._with_started else True
        if started:
            self.stop()

    @property
    def host(self) -> str:
        """The host the server listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The port the server listens on (the real one once started with port 0)."""
        return self._port

    @property
    def url(self) -> str:
        """The API's base URL, e.g. ``http://127.0.0.1:54321/v1``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{BASE_PATH}"

    # Accounts and the outbox ----------------------------------------------------------

    def add_account(self, email: str, password: str) -> None:
        """Create an account (or set the password of an existing one)."""
        self._context.store.add_account(email, password)

    def check_password(self, email: str, password: str) -> bool:
        """Whether ``email``'s account exists and has the password ``password``."""
        return self._context.store.check_password(email, password)

    @property
    def outbox(self) -> list[OutboxEntry]:
        """Every code mailed so far, oldest first (a copy)."""
        return self._outbox.entries

    @property
    def origin(self) -> str:
        """The server's origin, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def outbox_url(self) -> Optional[str]:
        """The outbox page, e.g. ``http://127.0.0.1:54321/outbox`` (its API is below it,
        ``/outbox/api/...``); ``None`` when it is not served (see ``outbox_page``)."""
        return None if self._context.outbox_web is None else self.origin + "/outbox"

    @property
    def outbox_path(self) -> Optional[str]:
        """The file the outbox is appended to, or ``None`` (kept in memory only)."""
        return self._outbox.path or None

    def last_code(self, email: str) -> Optional[str]:
        """The newest code mailed to ``email`` (case-insensitive), or ``None``."""
        return self._outbox.last_code(email)

    # Observing requests ---------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (a copy; no bodies).

        Bounded: the most recent ones whose headers fit in 8 MiB (thousands of ordinary
        requests); older ones are forgotten (see :mod:`persona.testing.recording`).
        """
        return self._context.requests.recent()

    def request_count(self, path: Optional[str] = None) -> int:
        """How many requests the server received, all or to ``path`` only.

        ``path`` may include the ``/v1`` prefix or not: ``"/account/forgotPass"``. Counts
        include requests :attr:`requests` no longer holds.
        """
        return self._context.requests.count(None if path is None else normalize_path(path))

    # Fault injection ------------------------------------------------------------------

    def inject_fault(
        self,
        kind: str,
        times: int = 1,
        path: Optional[str] = None,
        *,
        retry_after: Optional[int] = None,
    ) -> None:
        """Make the next ``times`` requests (to ``path`` only, if given) misbehave.

        ``kind`` is ``"status:NNN"``, ``"drop_before"``, ``"drop_after"``,
        ``"stall:SECONDS"`` or ``"exception"`` (see :mod:`persona.testing.faults`);
        ``retry_after`` adds a ``Retry-After`` header to a ``status:`` answer. Faults fire
        in the order they were injected.
        """
        self._context.faults.add(parse_fault(kind, times, path, retry_after))

    def clear_faults(self) -> None:
        """Disarm every injected fault that has not fired yet."""
        self._context.faults.clear()

    def _wake_waiters(self) -> None:
        # Injected stalls, long polls and event streams end: the event first, so that a
        # waiter the interrupt misses (not yet waiting) sees it before it waits.
        self._wake.set()
        self._outbox.interrupt()

    def _log(self, line: str) -> None:
        if self._logger is not None:
            self._logger(line)

    def __repr__(self) -> str:
        """``<ReferenceServer http://127.0.0.1:54321/v1>``."""
        return f"<ReferenceServer {self.url}>"
