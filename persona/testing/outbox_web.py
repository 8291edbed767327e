"""The outbox in a browser and over HTTP: ``/outbox`` on the reference server.

A person clicking through a reset flow, or a browser test in any language, needs the code
the server "mailed". This module serves it beside the API (outside ``/v1``):

* ``GET /outbox``: a page listing every mailed code, newest first, as the e-mail would
  read; ``?email=`` filters by address; ``?view=requests`` lists recent requests. It
  updates itself (server-sent events) and works, by reloading, with JavaScript off.
* an HTTP API for tests, described by ``outbox-api.yaml`` (``GET /outbox/openapi.yaml``):
  ``GET /outbox/api/messages``, ``GET /outbox/api/messages/latest?email=&wait=``,
  ``DELETE /outbox/api/messages``, ``GET /outbox/api/requests``, ``GET /outbox/api/events``.

The page shows live codes, so it is careful: it is served only when the server listens
on a loopback address (unless told otherwise), every value is escaped, a strict
Content-Security-Policy allows only this origin's own script and style, framing is
refused, there is no CORS unless an origin is named, and state-changing requests from
another site are refused. Bodies are never kept; the request view shows paths without
their query strings.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import urlsplit

from persona.testing import query as q
from persona.testing.hosts import is_loopback
from persona.testing.limits import RETRY_AFTER, OutboxLimits
from persona.testing.outbox import EXPIRED, LIVE, REPLACED, USED, Message, Outbox
from persona.testing.recent import RecentRequest, RecentRequests
from persona.testing.store import CODE_TTL

if TYPE_CHECKING:
    from persona.testing.handler import Handler

__all__ = ["MAX_LIMIT", "MAX_WAIT", "SUBJECT", "OutboxWeb", "RecentRequests", "is_loopback"]

PREFIX = "/outbox"
SUBJECT = "Your Persona password reset code"
#: The longest ``wait`` of ``/outbox/api/messages/latest``, in seconds.
MAX_WAIT = 30.0
#: The most messages or requests one listing returns.
MAX_LIMIT = 500
#: How long one server-sent-events stream stays open; the browser reconnects by itself.
EVENTS_LIFETIME = 20.0
EVENTS_HEARTBEAT = 5.0

_SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)
_STATIC = {
    # Files beside this module (not in a folder: setuptools would take a folder of
    # package data for a package).
    "/outbox/app.js": ("outbox_page.js", "text/javascript; charset=utf-8"),
    "/outbox/style.css": ("outbox_page.css", "text/css; charset=utf-8"),
    "/outbox/favicon.svg": ("outbox_icon.svg", "image/svg+xml"),
}


#: What the page says of a code in each state (the API gives the state's name).
STATE_TEXT = {
    LIVE: "Live",
    REPLACED: "Replaced by a newer code",
    USED: "Used",
    EXPIRED: "Expired",
}


def _message(message: Message) -> dict[str, Any]:
    entry = message.entry
    expires = entry.sent_at + timedelta(seconds=CODE_TTL)
    return {
        "id": message.number,
        "to": entry.email,
        "subject": SUBJECT,
        "code": entry.code,
        "sent_at": _rfc3339(entry.sent_at),
        "expires_at": _rfc3339(expires),
        "state": message.state,
    }


def _rfc3339(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class OutboxWeb:
    """Serves ``/outbox`` for one reference server: its ``outbox``; waits end when
    ``wake`` is set (the server stops or drains)."""

    def __init__(
        self,
        outbox: Outbox,
        wake: threading.Event,
        *,
        limits: Optional[OutboxLimits] = None,
        cors_origin: Optional[str] = None,
    ) -> None:
        """``limits``: how many long polls and event streams may wait at once;
        ``cors_origin``: an origin (``http://localhost:3000``) whose pages may call the
        API from a browser; none by default."""
        self.outbox = outbox
        self.wake = wake
        self.limits = limits = limits or OutboxLimits()
        self.cors_origin = cors_origin
        self.requests = RecentRequests()
        # Each waiting request holds a thread and a connection: past these, 503.
        self._long_polls = threading.BoundedSemaphore(limits.long_polls)
        self._event_streams = threading.BoundedSemaphore(limits.event_streams)

    # -- data -----------------------------------------------------------------------

    def messages(self, email: Optional[str] = None, limit: int = MAX_LIMIT) -> list[dict[str, Any]]:
        """The mailed codes, newest first, as the API gives them."""
        return [_message(message) for message in self.outbox.newest(email, limit)]

    # -- dispatch -------------------------------------------------------------------

    def handle(self, handler: Handler) -> None:
        """Answer one request whose path is ``/outbox`` or below it."""
        parts = urlsplit(handler.path)
        path, method = parts.path.rstrip("/") or "/", handler.command
        try:
            query = q.parse(parts.query)
            if path == PREFIX and method in ("GET", "HEAD"):
                self._page(handler, query)
            elif path in _STATIC and method in ("GET", "HEAD"):
                q.only(query)
                self._static(handler, path)
            elif path == PREFIX + "/openapi.yaml" and method in ("GET", "HEAD"):
                q.only(query)
                text = resources.files("persona.testing").joinpath("outbox-api.yaml")
                self._send(handler, 200, "application/yaml; charset=utf-8", text.read_bytes())
            elif path == PREFIX + "/clear" and method == "POST":
                q.only(query)
                self._refuse_cross_site(handler)
                self.outbox.clear()
                self._send(handler, 303, "text/plain; charset=utf-8", b"", (("Location", PREFIX),))
            elif path == PREFIX + "/api/messages" and method in ("GET", "HEAD"):
                email, limit = q.email(query, "email"), _limit(query)
                q.only(query, "email", "limit")
                self._json(handler, 200, {"messages": self.messages(email, limit)})
            elif path == PREFIX + "/api/messages" and method == "DELETE":
                q.only(query)
                self._refuse_cross_site(handler)
                count = len(self.outbox.entries)
                self.outbox.clear()
                self._json(handler, 200, {"deleted": count})
            elif path == PREFIX + "/api/messages/latest" and method in ("GET", "HEAD"):
                self._latest(handler, query)
            elif path == PREFIX + "/api/requests" and method in ("GET", "HEAD"):
                limit, include = _limit(query), q.flag(query, "include_outbox")
                q.only(query, "limit", "include_outbox")
                chosen = self.requests.newest_first(limit, include_outbox=include)
                items = [item.as_json() for item in chosen]
                self._json(handler, 200, {"requests": items})
            elif path == PREFIX + "/api/events" and method == "GET":
                q.only(query)
                self._events(handler)
            elif method == "OPTIONS" and self.cors_origin and path.startswith(PREFIX + "/api"):
                self._send(handler, 204, "text/plain; charset=utf-8", b"")
            elif path in _KNOWN:
                self._error(handler, 405, "method_not_allowed", f"{method} not allowed here")
            else:
                self._error(handler, 404, "not_found", f"nothing at {path}")
        except q.BadInput as exc:
            self._error(handler, 400, "invalid_request", str(exc))
        except _CrossSite:
            self._error(handler, 403, "forbidden", "cross-site requests may not change the outbox")
        except _Busy as busy:
            message = f"too many {busy.what} open (at most {busy.cap}); retry in {RETRY_AFTER} s"
            retry = (("Retry-After", str(RETRY_AFTER)),)
            self._error(handler, 503, "unavailable", message, retry)

    # -- answers ----------------------------------------------------------------------

    def _latest(self, handler: Handler, query: dict[str, str]) -> None:
        email = q.required_email(query, "email")
        wait = q.seconds(query, "wait", 0.0, MAX_WAIT)
        q.only(query, "email", "wait")
        if wait <= 0:
            found = self.outbox.latest(email)
        else:
            if not self._long_polls.acquire(blocking=False):
                raise _Busy("long polls", self.limits.long_polls)
            try:
                found = self.outbox.wait_for_mail(email, wait, self.wake)
            finally:
                self._long_polls.release()
        if found:
            self._json(handler, 200, _message(found))
        else:
            self._error(handler, 404, "not_found", "no message for this address yet")

    def _events(self, handler: Handler) -> None:
        """A server-sent-events stream: one ``outbox`` event each time the outbox changes,
        heartbeats between, closed after :data:`EVENTS_LIFETIME` (the browser reconnects)."""
        if not self._event_streams.acquire(blocking=False):
            raise _Busy("event streams", self.limits.event_streams)
        try:
            self._stream(handler)
        finally:
            self._event_streams.release()

    def _stream(self, handler: Handler) -> None:
        self._head(handler, 200, "text/event-stream; charset=utf-8", None)
        outbox, stopping = self.outbox, self.wake
        end = time.monotonic() + EVENTS_LIFETIME
        version = outbox.version
        handler.wfile.write(b"retry: 1000\n\n")
        while not stopping.is_set():
            left = end - time.monotonic()
            if left <= 0:
                break
            now = outbox.wait_for_change(version, min(left, EVENTS_HEARTBEAT), stopping)
            if now != version:
                version = now
                handler.wfile.write(
                    f"event: outbox\ndata: {json.dumps({'version': now})}\n\n".encode()
                )
            else:
                handler.wfile.write(b": heartbeat\n\n")

    def _page(self, handler: Handler, query: dict[str, str]) -> None:
        view = query.get("view", "mail")
        if view not in ("mail", "requests"):
            raise q.BadInput("view: must be mail or requests")
        email, include = q.email(query, "email"), q.flag(query, "include_outbox")
        q.only(query, "email", "view", "include_outbox")
        body = self._render(view, email, include)
        self._send(handler, 200, "text/html; charset=utf-8", body.encode("utf-8"))

    def _render(self, view: str, email: Optional[str], include_outbox: bool = False) -> str:
        esc = html.escape
        nav = (
            '<nav aria-label="Views"><a href="/outbox"'
            + (' aria-current="page"' if view == "mail" else "")
            + '>Mail</a><a href="/outbox?view=requests"'
            + (' aria-current="page"' if view == "requests" else "")
            + ">Requests</a></nav>"
        )
        if view == "requests":
            main = self._render_requests(include_outbox)
        else:
            messages = self.messages(email)
            items = "".join(_render_message(m) for m in messages)
            count = f"{len(messages)} message{'s' if len(messages) != 1 else ''}"
            main = (
                '<div class="tools"><form class="filter" method="get" action="/outbox">'
                '<label for="email">Filter by address</label>'
                f'<input id="email" name="email" type="search" value="{esc(email or "")}" '
                'autocomplete="off"><button type="submit">Filter</button></form>'
                '<form method="post" action="/outbox/clear"><button type="submit" '
                'class="danger">Clear all</button></form></div>'
                f'<p id="status" role="status" aria-live="polite">{count}</p>'
                f'<ol id="messages" reversed>{items}</ol>'
                '<p class="empty" id="empty"'
                + (" hidden" if messages else "")
                + ">No mail yet. Ask for a code (forgotPass) and it appears here.</p>"
            )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Outbox · Persona reference server</title>"
            '<link rel="stylesheet" href="/outbox/style.css">'
            '<link rel="icon" href="/outbox/favicon.svg" type="image/svg+xml">'
            '<script src="/outbox/app.js" defer></script></head>'
            f'<body data-view="{view}"><header><h1>Outbox</h1>'
            "<p>Codes the Persona reference server “mailed”. Nothing leaves this machine.</p>"
            f"{nav}</header><main>{main}</main></body></html>"
        )

    def _render_requests(self, include_outbox: bool) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(r.method)}</td><td>{esc(r.path)}</td><td>{r.status}</td>"
            f"<td>{r.milliseconds:.1f}</td><td><code>{esc(r.request_id)}</code></td></tr>"
            for r in self.requests.newest_first(MAX_LIMIT, include_outbox=include_outbox)
        )
        if include_outbox:
            toggle = '<a href="/outbox?view=requests">Hide the outbox page\'s own requests</a>'
        else:
            toggle = (
                '<a href="/outbox?view=requests&amp;include_outbox=1">'
                "Show the outbox page's own requests too</a>"
            )
        return (
            f'<p class="tools" id="include-outbox">{toggle}</p>'
            '<table id="requests"><caption>Recent requests, newest first (bodies are '
            "never kept)</caption><thead><tr><th scope=col>Method</th><th scope=col>Path"
            "</th><th scope=col>Status</th><th scope=col>ms</th><th scope=col>Request id"
            f"</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _static(self, handler: Handler, path: str) -> None:
        name, content_type = _STATIC[path]
        data = resources.files("persona.testing").joinpath(name).read_bytes()
        self._send(handler, 200, content_type, data)

    # -- writing --------------------------------------------------------------------

    def _refuse_cross_site(self, handler: Handler) -> None:
        """State-changing requests only from this origin (or the CORS origin named).

        This origin is the one the request was sent to: the page opened as
        ``http://localhost:PORT`` posts there, with that Origin, as the page opened as
        ``http://127.0.0.1:PORT`` does with its own. The Host has passed the server's
        check of names (:mod:`persona.testing.hosts`) before this runs.
        """
        site = handler.headers.get("Sec-Fetch-Site")
        origin = handler.headers.get("Origin")
        own = "http://" + (handler.headers.get("Host") or "").lower()
        allowed = {own, *([self.cors_origin.lower()] if self.cors_origin else [])}
        if origin is not None:
            origin = origin.lower()
        if origin is not None and origin not in allowed:
            raise _CrossSite
        if site is not None and site not in ("same-origin", "none") and origin not in allowed:
            raise _CrossSite

    def _json(
        self,
        handler: Handler,
        status: int,
        payload: Any,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(handler, status, "application/json;charset=utf-8", data, extra)

    def _error(
        self,
        handler: Handler,
        status: int,
        code: str,
        message: str,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._json(handler, status, {"code": code, "message": message}, extra)

    def _head(
        self,
        handler: Handler,
        status: int,
        content_type: str,
        length: Optional[int],
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        headers = [*_SECURITY_HEADERS, *extra]
        if self.cors_origin and handler.headers.get("Origin") == self.cors_origin:
            headers += [
                ("Access-Control-Allow-Origin", self.cors_origin),
                ("Access-Control-Allow-Methods", "GET, DELETE"),
                ("Vary", "Origin"),
            ]
        if length is None:
            handler.close_connection = True  # a stream: it ends with the connection
        handler.wfile.write(handler.head(status, content_type, length, headers))

    def _send(
        self,
        handler: Handler,
        status: int,
        content_type: str,
        body: bytes,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._head(handler, status, content_type, len(body), extra)
        if handler.command != "HEAD":
            handler.wfile.write(body)

    def note(self, handler: Handler, status: int) -> None:
        """Remember an answered request for the request view."""
        path = urlsplit(handler.path).path if handler.command else "-"
        elapsed = (time.perf_counter() - handler.started) * 1000
        self.requests.add(
            RecentRequest(
                handler.command or "-", path, status, elapsed, handler.request_id, time.time()
            )
        )


class _CrossSite(Exception):
    pass


class _Busy(Exception):
    """Every slot of a kind of waiting request (``what``, ``cap`` of them) is taken."""

    def __init__(self, what: str, cap: int) -> None:
        super().__init__(what)
        self.what = what
        self.cap = cap


_KNOWN = frozenset(
    {
        PREFIX,
        PREFIX + "/clear",
        PREFIX + "/openapi.yaml",
        PREFIX + "/api/messages",
        PREFIX + "/api/messages/latest",
        PREFIX + "/api/requests",
        PREFIX + "/api/events",
        *_STATIC,
    }
)


def _render_message(message: Mapping[str, Any]) -> str:
    esc = html.escape
    number, code, state = message["id"], esc(message["code"]), esc(message["state"])
    return (
        f'<li class="message state-{state}" data-id="{number}" data-state="{state}" '
        f'data-email="{esc(message["to"].lower())}">'
        f'<article aria-labelledby="subject-{number}"><dl>'
        f'<dt>To</dt><dd class="to">{esc(message["to"])}</dd>'
        f'<dt>Subject</dt><dd id="subject-{number}">{esc(message["subject"])}</dd>'
        f'<dt>Sent</dt><dd><time datetime="{message["sent_at"]}">{message["sent_at"]}</time></dd>'
        f'<dt>State</dt><dd class="state">{esc(STATE_TEXT[message["state"]])}</dd>'
        f'</dl><p class="code"><span class="code-value">{code}</span>'
        f'<button type="button" class="copy" data-code="{code}" '
        f'aria-label="Copy code {code}">Copy</button></p>'
        f'<p class="expires">Expires <time datetime="{message["expires_at"]}">'
        f"{message['expires_at']}</time></p></article></li>"
    )


def _limit(query: Mapping[str, str]) -> int:
    return q.integer(query, "limit", 1, MAX_LIMIT, MAX_LIMIT)
