"""The outbox page and its HTTP API (/outbox), over real HTTP on loopback: what they give,
what they refuse, and the promises that keep live codes safe."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any, Optional

import pytest
import urllib3
import yaml

from persona.testing import ReferenceServer

ANN = "ann@example.com"
XSS = '"<script>alert(1)</script>"@example.com'


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={ANN: "old-pass-1", XSS: "old-pass-1"}, outbox="") as srv:
        yield srv


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=5, read=40))
    yield pool
    pool.clear()


def forgot(http: urllib3.PoolManager, srv: ReferenceServer, email: str = ANN) -> None:
    reply = http.request(
        "POST",
        srv.url + "/account/forgotPass",
        body=json.dumps({"email": email}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 200


def get(http: urllib3.PoolManager, url: str, **headers: str) -> tuple[int, Any, Any]:
    reply = http.request("GET", url, headers=headers)
    body = reply.data
    parsed = (
        json.loads(body)
        if reply.headers.get("Content-Type", "").startswith("application/json")
        else body
    )
    return reply.status, reply.headers, parsed


def test_the_server_says_where_its_outbox_is(server: ReferenceServer) -> None:
    assert server.outbox_url == f"http://127.0.0.1:{server.port}/outbox"


def test_messages_are_listed_newest_first_with_stable_fields(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    forgot(http, server)
    forgot(http, server, XSS)
    status, _, data = get(http, f"{server.outbox_url}/api/messages")
    assert status == 200
    first, second = data["messages"]
    assert set(first) == {"id", "to", "subject", "code", "sent_at", "expires_at", "state"}
    assert (first["to"], second["to"]) == (XSS, ANN)
    assert first["id"] == second["id"] + 1
    assert second["code"] == server.last_code(ANN)
    assert first["subject"] == "Your Persona password reset code"
    # The code expires 15 minutes after it was sent, as the contract says.
    assert second["expires_at"] > second["sent_at"]


def test_the_list_filters_by_address_and_limits(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    for _ in range(3):
        forgot(http, server)
    forgot(http, server, XSS)
    _, _, data = get(http, f"{server.outbox_url}/api/messages?email=ANN@example.com&limit=2")
    assert [m["to"] for m in data["messages"]] == [ANN, ANN]


def test_latest_waits_for_a_message_to_arrive(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    timer = threading.Timer(0.3, lambda: server._outbox.send(ANN, "123456", time.time()))
    timer.start()
    started = time.monotonic()
    status, _, data = get(http, f"{server.outbox_url}/api/messages/latest?email={ANN}&wait=10")
    waited = time.monotonic() - started
    timer.join()
    assert status == 200
    assert data["code"] == "123456"
    assert waited < 5  # answered when the mail came, not at the end of the wait


def test_latest_answers_404_with_the_error_body_when_nothing_came(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    status, _, data = get(http, f"{server.outbox_url}/api/messages/latest?email={ANN}&wait=0.2")
    assert status == 404
    assert data["code"] == "not_found"


@pytest.mark.parametrize(
    "query",
    [
        "/api/messages?foo=1",
        "/api/messages?email=no-at-sign",
        "/api/messages?email=a@b@c",
        "/api/messages?limit=0",
        "/api/messages?limit=501",
        "/api/messages?limit=-1",
        "/api/messages?limit=1&limit=2",
        "/api/messages/latest",
        f"/api/messages/latest?email={ANN}&wait=31",
        f"/api/messages/latest?email={ANN}&wait=-1",
        f"/api/messages/latest?email={ANN}&wait=nan",
        f"/api/messages/latest?email={ANN}&wait=1e3",
        f"/api/messages/latest?email={ANN}&extra=1",
        "/api/requests?limit=x",
        "?view=admin",
    ],
)
def test_bad_input_is_a_400_with_the_contract_s_error_body(
    server: ReferenceServer, http: urllib3.PoolManager, query: str
) -> None:
    status, headers, data = get(http, server.outbox_url + query)  # type: ignore[operator]
    assert status == 400
    assert headers["Content-Type"] == "application/json;charset=utf-8"
    assert data["code"] == "invalid_request"
    assert isinstance(data["message"], str)


def test_delete_all_empties_the_outbox(server: ReferenceServer, http: urllib3.PoolManager) -> None:
    forgot(http, server)
    reply = http.request("DELETE", f"{server.outbox_url}/api/messages")
    assert reply.status == 200
    assert json.loads(reply.data) == {"deleted": 1}
    assert server.outbox == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_state_changing_calls_refuse_cross_site_requests(
    server: ReferenceServer, http: urllib3.PoolManager, headers: dict[str, str]
) -> None:
    forgot(http, server)
    for method, path in (("DELETE", "/api/messages"), ("POST", "/clear")):
        reply = http.request(method, server.outbox_url + path, headers=headers)  # type: ignore[operator]
        assert reply.status == 403
        assert json.loads(reply.data)["code"] == "forbidden"
    assert len(server.outbox) == 1


def test_the_page_escapes_every_value_and_locks_itself_down(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    forgot(http, server, XSS)
    status, headers, page = get(http, server.outbox_url)  # type: ignore[arg-type]
    assert status == 200
    assert b"<script>alert(1)</script>" not in page
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in headers
    assert b'<script src="/outbox/app.js"' in page
    assert b"<script>" not in page  # no inline script at all


def test_an_address_in_the_filter_is_escaped_too(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    status, _, page = get(http, server.outbox_url + '?email="><b>x</b>@example.com')  # type: ignore[operator]
    assert status == 200
    assert b"<b>x</b>" not in page


def test_cors_only_for_the_origin_named() -> None:
    origin = "http://localhost:3000"
    with ReferenceServer(outbox="", outbox_cors=origin) as srv:
        pool = urllib3.PoolManager(retries=False, timeout=5)
        try:
            ok = pool.request("GET", f"{srv.outbox_url}/api/messages", headers={"Origin": origin})
            assert ok.headers["Access-Control-Allow-Origin"] == origin
            other = pool.request(
                "GET", f"{srv.outbox_url}/api/messages", headers={"Origin": "http://x.example"}
            )
            assert "Access-Control-Allow-Origin" not in other.headers
            deleted = pool.request(
                "DELETE", f"{srv.outbox_url}/api/messages", headers={"Origin": origin}
            )
            assert deleted.status == 200
        finally:
            pool.clear()
    with pytest.raises(ValueError, match="outbox_cors"):
        ReferenceServer(outbox="", outbox_cors="*")


def test_the_page_is_served_only_on_loopback_unless_asked() -> None:
    with ReferenceServer(host="0.0.0.0", outbox="") as srv:
        assert srv.outbox_url is None
        pool = urllib3.PoolManager(retries=False, timeout=5)
        try:
            reply = pool.request("GET", f"http://127.0.0.1:{srv.port}/outbox")
            assert reply.status in (404, 405)  # the API's answer to a path it does not serve
            assert b"Outbox" not in reply.data
        finally:
            pool.clear()
    with pytest.warns(UserWarning, match="live reset codes"):
        public = ReferenceServer(host="0.0.0.0", outbox="", outbox_page=True)
    public.stop()
    never = ReferenceServer(outbox="", outbox_page=False)
    try:
        assert never.outbox_url is None
    finally:
        never.stop()  # closes its database (Python 3.13 warns of an unclosed one)


def test_the_request_view_masks_queries_and_keeps_no_bodies(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    forgot(http, server)
    http.request("GET", f"{server.outbox_url}/api/messages?email={ANN}")
    _, _, data = get(http, f"{server.outbox_url}/api/requests")
    paths = [r["path"] for r in data["requests"]]
    assert "/v1/account/forgotPass" in paths
    assert all("?" not in p for p in paths)
    text = json.dumps(data)
    assert ANN not in text
    assert server.last_code(ANN) not in text  # type: ignore[operator]
    assert {"method", "path", "status", "milliseconds", "request_id", "at"} <= set(
        data["requests"][0]
    )


def test_the_api_is_described_by_its_own_openapi_file(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    status, _, body = get(http, server.outbox_url.replace("/outbox", "/outbox/openapi.yaml"))  # type: ignore[union-attr]
    assert status == 200
    spec = yaml.safe_load(body)
    from openapi_spec_validator import validate

    validate(spec)
    assert set(spec["paths"]) == {
        "/messages",
        "/messages/latest",
        "/requests",
        "/events",
    }


def test_events_announce_new_mail(server: ReferenceServer, http: urllib3.PoolManager) -> None:
    reply = http.request("GET", f"{server.outbox_url}/api/events", preload_content=False)
    try:
        assert reply.headers["Content-Type"].startswith("text/event-stream")
        threading.Timer(0.2, lambda: forgot(http, server)).start()
        seen = b""
        deadline = time.monotonic() + 10
        while b"event: outbox" not in seen and time.monotonic() < deadline:
            # A byte at a time: a bigger read would wait for heartbeats to fill it.
            seen += reply.read(1, decode_content=False) or b""
        assert b"event: outbox" in seen
    finally:
        reply.release_conn()
        reply.close()


def test_a_hundred_long_polls_neither_block_the_api_nor_leak_threads(
    server: ReferenceServer,
) -> None:
    before = threading.active_count()
    pool = urllib3.PoolManager(maxsize=110, retries=False, timeout=30)
    results: list[Optional[int]] = [None] * 100

    def poll(index: int) -> None:
        reply = pool.request(
            "GET", f"{server.outbox_url}/api/messages/latest?email=poll{index}@example.com&wait=2"
        )
        results[index] = reply.status

    pollers = [threading.Thread(target=poll, args=(i,)) for i in range(100)]
    for thread in pollers:
        thread.start()
    time.sleep(0.5)  # the polls are waiting now
    api = urllib3.PoolManager(retries=False, timeout=5)
    try:
        started = time.monotonic()
        forgot(api, server)
        assert time.monotonic() - started < 1.0  # the API answers while they wait
    finally:
        api.clear()
    for thread in pollers:
        thread.join(timeout=30)
    assert results == [404] * 100
    pool.clear()  # the clients close their connections: the server's threads end
    deadline = time.monotonic() + 10
    while threading.active_count() > before + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before + 2


def test_the_request_list_answers_the_same_every_time(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    url = f"{server.outbox_url}/api/requests"
    listings = []
    for _ in range(3):
        forgot(http, server)  # new requests between the listings, too
        for _ in range(2):
            status, _, data = get(http, url)
            assert status == 200
            listings.append({item["request_id"]: item for item in data["requests"]})
    for earlier, later in zip(listings, listings[1:]):
        # A record listed before is listed again exactly as it was.
        assert {key: later[key] for key in earlier} == earlier
    assert len(listings[-1]) >= 3
    assert all(item["at"].endswith("Z") for item in listings[-1].values())


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def post(http: urllib3.PoolManager, srv: ReferenceServer, path: str, data: Any) -> Any:
    reply = http.request(
        "POST",
        srv.url + path,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"},
    )
    return reply.status, json.loads(reply.data)


def states(http: urllib3.PoolManager, srv: ReferenceServer) -> list[str]:
    """The state of every message, oldest first."""
    _, _, data = get(http, f"{srv.outbox_url}/api/messages")
    return [m["state"] for m in reversed(data["messages"])]


def test_each_message_says_whether_its_code_is_live_replaced_used_or_expired(
    http: urllib3.PoolManager,
) -> None:
    clock = Clock()
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="", clock=clock) as srv:
        forgot(http, srv)
        assert states(http, srv) == ["live"]
        forgot(http, srv)
        assert states(http, srv) == ["replaced", "live"]
        status, _ = post(
            srv=srv,
            http=http,
            path="/account/codeForToken",
            data={"email": ANN, "code": srv.last_code(ANN)},
        )
        assert status == 200
        assert states(http, srv) == ["replaced", "used"]
        forgot(http, srv)
        for _ in range(5):  # the fifth wrong code burns it
            wrong = "000000" if srv.last_code(ANN) != "000000" else "111111"
            post(http, srv, "/account/codeForToken", {"email": ANN, "code": wrong})
        assert states(http, srv) == ["replaced", "used", "expired"]
        forgot(http, srv)
        assert states(http, srv)[-1] == "live"
        clock.now += 15 * 60  # past its expiry
        assert states(http, srv) == ["replaced", "used", "expired", "expired"]
        # The newest message says it too, and the filter keeps the states.
        _, _, latest = get(http, f"{srv.outbox_url}/api/messages/latest?email={ANN}")
        assert latest["state"] == "expired"


def test_a_password_reset_ends_the_codes_still_live(http: urllib3.PoolManager) -> None:
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="") as srv:
        forgot(http, srv)
        _, answer = post(
            http, srv, "/account/codeForToken", {"email": ANN, "code": srv.last_code(ANN)}
        )
        forgot(http, srv)  # a second code, asked for before the reset
        assert states(http, srv) == ["used", "live"]
        status, _ = post(
            http,
            srv,
            "/account/resetForgottenPassword",
            {"token": answer["token"], "newPassword": "new-pass-22"},
        )
        assert status == 200
        assert states(http, srv) == ["used", "expired"]


def test_wrong_codes_short_of_burning_leave_the_code_live(http: urllib3.PoolManager) -> None:
    with ReferenceServer(accounts={ANN: "old-pass-1"}, outbox="") as srv:
        forgot(http, srv)
        wrong = "000000" if srv.last_code(ANN) != "000000" else "111111"
        for _ in range(4):
            post(http, srv, "/account/codeForToken", {"email": ANN, "code": wrong})
        assert states(http, srv) == ["live"]


def _paths(http: urllib3.PoolManager, url: str) -> list[str]:
    status, _, data = get(http, url)
    assert status == 200
    return [item["path"] for item in data["requests"]]


def test_the_request_list_leaves_out_the_outbox_s_own_requests_unless_asked(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    forgot(http, server)
    for _ in range(300):  # more than the list keeps: the page polling all day
        get(http, f"{server.outbox_url}/api/messages")
    api = f"{server.outbox_url}/api/requests"
    assert _paths(http, api) == ["/v1/account/forgotPass"]
    for on in ("1", "true"):
        paths = _paths(http, f"{api}?include_outbox={on}")
        assert "/outbox/api/messages" in paths
        assert "/v1/account/forgotPass" in paths  # not pushed out by them
        assert paths.index("/v1/account/forgotPass") == len(paths) - 1  # oldest last
    for off in ("0", "false"):
        assert _paths(http, f"{api}?include_outbox={off}") == ["/v1/account/forgotPass"]
    status, _, data = get(http, f"{api}?include_outbox=yes")
    assert (status, data["code"]) == (400, "invalid_request")
    assert data["message"].startswith("include_outbox: ")


def test_the_requests_view_of_the_page_has_the_same_filter_and_a_toggle(
    server: ReferenceServer, http: urllib3.PoolManager
) -> None:
    forgot(http, server)
    get(http, f"{server.outbox_url}/api/messages")
    _, _, page = get(http, f"{server.outbox_url}?view=requests")
    assert b"/v1/account/forgotPass" in page
    assert b"<td>/outbox/api/messages</td>" not in page
    assert b'href="/outbox?view=requests&amp;include_outbox=1"' in page
    _, _, page = get(http, f"{server.outbox_url}?view=requests&include_outbox=1")
    assert b"<td>/outbox/api/messages</td>" in page
    assert b'href="/outbox?view=requests"' in page
