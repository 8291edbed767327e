"""The reference server (``persona.testing``) against the contract, over raw HTTP.

These tests talk to a live server on loopback with urllib3, ``http.client`` and raw
sockets, never through the SDK: the server is the yardstick the SDK is measured against,
so it is checked on its own.
"""

from __future__ import annotations

import http.client
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
import urllib3

from persona.testing import ReferenceServer, sealing
from persona.testing.pytest_plugin import persona_server  # noqa: F401 -- the fixture under test

ANN = "ann@example.com"
OLD = "old-pass-1"
NEW = "new-pass-2"
JSON = "application/json;charset=utf-8"
FORGOT = "/account/forgotPass"
CODE = "/account/codeForToken"
RESET = "/account/resetForgottenPassword"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Reply:
    """A response, read completely, with the checks every response must pass."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        assert headers["Content-Type"] == JSON
        assert headers["X-Request-Id"].startswith("req_")
        assert int(headers["Content-Length"]) == len(body) or not body

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str:
        assert self.status >= 400
        data = self.json
        assert set(data) >= {"code", "message"}
        return str(data["code"])


class Client:
    """A thin raw-HTTP client for one server."""

    def __init__(self, server: ReferenceServer) -> None:
        self.server = server
        self.pool = urllib3.PoolManager(maxsize=16, retries=False, timeout=10)

    def request(
        self,
        method: str,
        path: str,
        body: Optional[bytes] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> Reply:
        response = self.pool.request(
            method, self.server.url + path, body=body, headers=headers or {}, preload_content=True
        )
        return Reply(response.status, response.headers, response.data)

    def post(self, path: str, data: Any, key: Optional[str] = None, **headers: str) -> Reply:
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        all_headers = {"Content-Type": JSON, **headers}
        if key is not None:
            all_headers["Idempotency-Key"] = key
        return self.request("POST", path, body, all_headers)

    def forgot(self, email: str = ANN, key: Optional[str] = None) -> Reply:
        return self.post(FORGOT, {"email": email}, key)

    def redeem(self, code: str, email: str = ANN) -> Reply:
        return self.post(CODE, {"email": email, "code": code})

    def reset(self, token: str, password: str = NEW) -> Reply:
        return self.post(RESET, {"token": token, "newPassword": password})

    def token(self, email: str = ANN) -> str:
        assert self.forgot(email).status == 200
        code = self.server.last_code(email)
        assert code is not None
        reply = self.redeem(code, email)
        assert reply.status == 200, reply.body
        return str(reply.json["token"])


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={ANN: OLD}, clock=clock, outbox="") as srv:
        yield srv


@pytest.fixture
def client(server: ReferenceServer) -> Iterator[Client]:
    api = Client(server)
    yield api
    api.pool.clear()


def raw_exchange(server: ReferenceServer, data: bytes) -> tuple[int, Any, bytes]:
    """Send ``data`` on a fresh socket and parse the single response."""
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock, method="POST")
        try:
            response.begin()
            return response.status, response.headers, response.read()
        finally:
            response.close()


# The flow ---------------------------------------------------------------------------------


def test_full_password_reset_flow(client: Client, server: ReferenceServer) -> None:
    reply = client.forgot()
    assert reply.status == 200
    assert reply.json["success"] is True
    assert isinstance(reply.json["message"], str)
    code = server.last_code(ANN)
    assert code is not None
    assert len(code) == 6
    assert code.isdigit()
    assert [(e.email, e.code) for e in server.outbox] == [(ANN, code)]

    reply = client.redeem(code)
    assert reply.status == 200
    token = reply.json["token"]
    assert len(token) >= 32
    assert reply.json["expiresAt"].endswith("Z")

    reply = client.reset(token)
    assert reply.status == 200
    assert reply.json["success"] is True
    assert server.check_password(ANN, NEW)
    assert not server.check_password(ANN, OLD)

    reply = client.reset(token, "another-pass-3")
    assert (reply.status, reply.code) == (401, "invalid_token")
    reply = client.redeem(code)
    assert (reply.status, reply.code) == (401, "invalid_code")
    assert server.check_password(ANN, NEW)


def test_forgot_pass_does_not_reveal_whether_the_account_exists(
    client: Client, server: ReferenceServer
) -> None:
    known = client.forgot(ANN)
    unknown = client.forgot("nobody@example.com")
    assert known.status == unknown.status == 200
    assert known.body == unknown.body
    assert server.last_code("nobody@example.com") is None
    assert len(server.outbox) == 1


def test_emails_match_case_insensitively(client: Client, server: ReferenceServer) -> None:
    assert client.forgot("Ann@Example.COM").status == 200
    code = server.last_code(ANN)
    assert code is not None
    assert server.outbox[0].email == ANN
    assert client.redeem(code, "ANN@example.com").status == 200


def test_five_wrong_codes_burn_the_code(client: Client, server: ReferenceServer) -> None:
    client.forgot()
    code = server.last_code(ANN)
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.redeem(wrong).code == "invalid_code"
    reply = client.redeem(code)
    assert (reply.status, reply.code) == (401, "invalid_code")


def test_four_wrong_codes_leave_the_code_usable(client: Client, server: ReferenceServer) -> None:
    client.forgot()
    code = server.last_code(ANN)
    assert code is not None
    for _ in range(4):
        assert client.redeem(code + "x").status == 401
    assert client.redeem(code).status == 200


def test_code_expires_after_15_minutes(
    client: Client, server: ReferenceServer, clock: FakeClock
) -> None:
    client.forgot()
    code = server.last_code(ANN)
    assert code is not None
    clock.advance(15 * 60)
    assert client.redeem(code).code == "invalid_code"


def test_code_is_valid_just_before_15_minutes(
    client: Client, server: ReferenceServer, clock: FakeClock
) -> None:
    client.forgot()
    code = server.last_code(ANN)
    assert code is not None
    clock.advance(15 * 60 - 1)
    assert client.redeem(code).status == 200


def test_token_expires_after_15_minutes(client: Client, clock: FakeClock) -> None:
    token = client.token()
    clock.advance(15 * 60)
    reply = client.reset(token)
    assert (reply.status, reply.code) == (401, "invalid_token")


def test_a_new_code_replaces_the_old_one(client: Client, server: ReferenceServer) -> None:
    client.forgot()
    first = server.last_code(ANN)
    client.forgot()
    second = server.last_code(ANN)
    assert first is not None
    assert second is not None
    if first != second:  # one chance in a million that they are equal
        assert client.redeem(first).code == "invalid_code"
    assert client.redeem(second).status == 200


def test_unknown_token_is_refused(client: Client) -> None:
    reply = client.reset("not-a-token")
    assert (reply.status, reply.code) == (401, "invalid_token")


# Rate limit -------------------------------------------------------------------------------


def test_sixth_forgot_pass_in_a_minute_is_rate_limited(client: Client, clock: FakeClock) -> None:
    for _ in range(5):
        assert client.forgot().status == 200
        clock.advance(1)
    reply = client.forgot()
    assert (reply.status, reply.code) == (429, "rate_limited")
    assert 1 <= int(reply.headers["Retry-After"]) <= 60
    assert int(reply.headers["Retry-After"]) == 55  # the first request frees its slot at +60 s
    assert client.forgot("other@example.com").status == 200  # per address
    clock.advance(60)
    assert client.forgot().status == 200


def test_rate_limit_applies_to_unknown_addresses_too(client: Client) -> None:
    for _ in range(5):
        assert client.forgot("ghost@example.com").status == 200
    assert client.forgot("ghost@example.com").status == 429


def test_rate_limit_is_configurable(clock: FakeClock) -> None:
    with ReferenceServer(rate_limit=1, clock=clock, outbox="") as srv:
        api = Client(srv)
        try:
            assert api.forgot().status == 200
            reply = api.forgot()
            assert reply.status == 429
            assert reply.headers["Retry-After"] == "60"
        finally:
            api.pool.clear()


# Wrong codes per address ------------------------------------------------------------------


def _guess(client: Client, email: str, tries: int, clock: FakeClock) -> list[tuple[int, str]]:
    """``tries`` wrong codes for ``email``, a fresh code every 4 (before one is burnt)."""
    answers = []
    for i in range(tries):
        if i % 4 == 0:
            assert client.forgot(email).status == 200
            clock.advance(1)
        reply = client.redeem("not-the-code", email)
        answers.append((reply.status, reply.code))
    return answers


def test_wrong_codes_are_capped_per_address_not_per_code(
    client: Client, server: ReferenceServer, clock: FakeClock
) -> None:
    # Fresh codes do not buy fresh guesses: 10 wrong codes in 15 minutes, whatever the
    # number of codes issued, then 429 with Retry-After.
    assert _guess(client, ANN, 10, clock) == [(401, "invalid_code")] * 10
    assert client.forgot().status == 200
    code = server.last_code(ANN)
    assert code is not None
    reply = client.redeem(code)  # even the right code: the address is locked for now
    assert (reply.status, reply.code) == (429, "rate_limited")
    # The first wrong try (at +1 s) leaves the 15-minute window at +901 s; it is now +3 s.
    assert reply.headers["Retry-After"] == str(15 * 60 + 1 - 3)
    clock.advance(15 * 60 - 2)
    assert client.redeem(code).status == 200


def test_the_wrong_code_cap_says_the_same_for_unknown_addresses(
    client: Client, clock: FakeClock
) -> None:
    known = _guess(client, ANN, 12, clock)
    unknown = _guess(client, "nobody@example.com", 12, clock)
    assert known == unknown == [(401, "invalid_code")] * 10 + [(429, "rate_limited")] * 2
    clock.advance(15 * 60)
    replies = [client.redeem("x", email) for email in (ANN, "nobody@example.com")]
    assert [(r.status, r.body) for r in replies] == [(401, replies[0].body)] * 2


def test_the_wrong_code_cap_is_configurable(clock: FakeClock) -> None:
    with ReferenceServer(accounts={ANN: OLD}, guess_limit=2, clock=clock, outbox="") as srv:
        api = Client(srv)
        try:
            assert [api.redeem("x").status for _ in range(3)] == [401, 401, 429]
        finally:
            api.pool.clear()
    with pytest.raises(ValueError, match="guess_limit"):
        ReferenceServer(guess_limit=0)


# Idempotency ------------------------------------------------------------------------------


def test_idempotent_replay_returns_the_first_answer_and_mails_once(
    client: Client, server: ReferenceServer
) -> None:
    first = client.forgot(key="key-1")
    second = client.forgot(key="key-1")
    assert first.status == second.status == 200
    assert first.body == second.body
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert len(server.outbox) == 1


def test_replayed_token_is_the_same_token(client: Client, server: ReferenceServer) -> None:
    client.forgot()
    body = {"email": ANN, "code": server.last_code(ANN)}
    first = client.post(CODE, body, key="redeem-1")
    second = client.post(CODE, body, key="redeem-1")
    assert first.status == second.status == 200
    assert first.json["token"] == second.json["token"]


def test_idempotency_key_with_a_different_body_conflicts(client: Client) -> None:
    assert client.forgot(key="key-2").status == 200
    reply = client.forgot("bob@example.com", key="key-2")
    assert (reply.status, reply.code) == (409, "idempotency_conflict")


def test_idempotency_key_on_a_different_path_conflicts(client: Client) -> None:
    assert client.forgot(key="key-3").status == 200
    reply = client.post(CODE, {"email": ANN, "code": "123456"}, key="key-3")
    assert (reply.status, reply.code) == (409, "idempotency_conflict")


def test_idempotency_key_is_forgotten_after_24_hours(
    client: Client, server: ReferenceServer, clock: FakeClock
) -> None:
    assert client.forgot(key="key-4").status == 200
    clock.advance(24 * 3600)
    reply = client.forgot(key="key-4")
    assert reply.status == 200
    assert "Idempotent-Replayed" not in reply.headers
    assert len(server.outbox) == 2


def test_expired_rate_events_codes_and_idempotency_records_are_purged(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = tmp_path / "state.sqlite3"
    with ReferenceServer(db=str(db), clock=clock, outbox="") as srv:
        other = Client(srv)
        other.post("/account/forgotPass", {"email": "once@example.com"}, key="old-key")
        other.post("/account/codeForToken", {"email": "once@example.com", "code": "1"})
        clock.advance(24 * 3600 + 1)  # past the rate window and the 24-hour key memory
        other.post("/account/forgotPass", {"email": "ann@example.com"}, key="new-key")
        other.post("/account/codeForToken", {"email": "ann@example.com", "code": "1"})
        other.pool.clear()
    with sqlite3.connect(db) as conn:
        events = conn.execute("SELECT count(*) FROM rate_events").fetchone()[0]
        guesses = conn.execute("SELECT count(*) FROM guess_events").fetchone()[0]
        codes = conn.execute("SELECT count(*) FROM codes").fetchone()[0]
        lookups = [row[0] for row in conn.execute("SELECT lookup FROM replays")]
    conn.close()
    # The address that never came back left nothing behind.
    assert (events, guesses, codes) == (1, 1, 1)
    key = (tmp_path / "state.sqlite3.key").read_bytes()
    assert lookups == [sealing.lookup(key, "new-key")]


@pytest.mark.parametrize("key", ["", " ", "a b", "x" * 256, "tab\tkey", "caf\u00e9"])
def test_invalid_idempotency_key_is_a_bad_request(client: Client, key: str) -> None:
    headers = {"Content-Type": JSON, "Idempotency-Key": key}
    reply = client.request("POST", FORGOT, json.dumps({"email": ANN}).encode(), headers)
    assert (reply.status, reply.code) == (400, "invalid_request")
    assert "Idempotency-Key" in reply.json["message"]


def test_longest_valid_idempotency_key_is_accepted(client: Client) -> None:
    assert client.forgot(key="~" * 255).status == 200


def test_replays_do_not_count_against_the_rate_limit(client: Client) -> None:
    for _ in range(10):
        assert client.forgot(key="same").status == 200
    for _ in range(4):
        assert client.forgot().status == 200
    assert client.forgot().status == 429


def test_rate_limited_answers_are_not_replayed(client: Client, clock: FakeClock) -> None:
    for _ in range(5):
        client.forgot()
    assert client.forgot(key="later").status == 429
    clock.advance(60)
    assert client.forgot(key="later").status == 200


def test_bad_requests_are_not_remembered_under_their_key(
    client: Client, server: ReferenceServer
) -> None:
    assert client.post(FORGOT, {"email": "not-an-address"}, key="fix-me").status == 400
    reply = client.forgot(key="fix-me")
    assert reply.status == 200
    assert "Idempotent-Replayed" not in reply.headers
    assert len(server.outbox) == 1


def test_wrong_codes_are_remembered_and_count_once(client: Client, server: ReferenceServer) -> None:
    client.forgot()
    code = server.last_code(ANN)
    assert code is not None
    for _ in range(10):  # one wrong try, replayed nine times
        reply = client.post(CODE, {"email": ANN, "code": "wrong"}, key="guess")
        assert (reply.status, reply.code) == (401, "invalid_code")
    assert reply.headers["Idempotent-Replayed"] == "true"
    assert client.redeem(code).status == 200


def test_concurrent_requests_with_one_key_do_the_work_once(
    client: Client, server: ReferenceServer
) -> None:
    barrier = threading.Barrier(6)
    replies: list[Reply] = []

    def send() -> None:
        barrier.wait()
        replies.append(client.forgot(key="racing"))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status for r in replies] == [200] * 6
    assert len(server.outbox) == 1
    assert sum("Idempotent-Replayed" in r.headers for r in replies) == 5


def test_concurrent_redemptions_of_one_code_succeed_once(
    client: Client, server: ReferenceServer
) -> None:
    client.forgot()
    code = server.last_code(ANN)
    assert code is not None
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def redeem() -> None:
        barrier.wait()
        statuses.append(client.redeem(code).status)

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [401] * 7


# Request validation -----------------------------------------------------------------------

SECRET = "Sup3rSecretValue"

BAD_BODIES = [
    (FORGOT, b"", "body"),
    (FORGOT, b"   ", "body"),
    (FORGOT, b"{not json", "body"),
    (FORGOT, b"\xff\xfe{}", "body"),
    (FORGOT, b"[1, 2]", "body"),
    (FORGOT, b'"ann@example.com"', "body"),
    (FORGOT, b"[" * 5000 + b"]" * 5000, "body"),
    (FORGOT, {}, "email"),
    (FORGOT, {"email": 5}, "email"),
    (FORGOT, {"email": True}, "email"),
    (FORGOT, {"email": None}, "email"),
    (FORGOT, {"email": ["ann@example.com"]}, "email"),
    (FORGOT, {"email": "a@"}, "email"),
    (FORGOT, {"email": "@example.com"}, "email"),
    (FORGOT, {"email": "ann.example.com"}, "email"),
    (FORGOT, {"email": "ann@@example.com"}, "email"),
    (FORGOT, {"email": "a@b@example.com"}, "email"),
    (FORGOT, {"email": "ann smith@example.com"}, "email"),
    (FORGOT, {"email": "ann@example.com\n"}, "email"),
    (FORGOT, {"email": "ann\u0007@example.com"}, "email"),
    (FORGOT, {"email": "ann\u00a0x@example.com"}, "email"),
    (FORGOT, {"email": "a" * 65 + "@example.com"}, "email"),
    (FORGOT, {"email": "a@" + "b" * 253}, "email"),
    (FORGOT, {"email": "ann\ud800@example.com"}, "email"),
    (CODE, {"email": ANN}, "code"),
    (CODE, {"code": SECRET}, "email"),
    (CODE, {"email": ANN, "code": ""}, "code"),
    (CODE, {"email": ANN, "code": SECRET * 5}, "code"),
    (CODE, {"email": ANN, "code": 123456}, "code"),
    (CODE, {"email": ANN, "code": None}, "code"),
    (CODE, {"email": "nope", "code": SECRET}, "email"),
    (RESET, {"token": SECRET}, "newPassword"),
    (RESET, {"newPassword": SECRET}, "token"),
    (RESET, {"token": "", "newPassword": SECRET}, "token"),
    (RESET, {"token": SECRET * 33, "newPassword": SECRET}, "token"),
    (RESET, {"token": SECRET, "newPassword": "Sup3rSe"}, "newPassword"),
    (RESET, {"token": SECRET, "newPassword": SECRET * 9}, "newPassword"),
    (RESET, {"token": SECRET, "newPassword": 12345678}, "newPassword"),
    (RESET, {"token": SECRET, "newPassword": {"pw": SECRET}}, "newPassword"),
    (RESET, {"token": SECRET, "newPassword": "\U0001f511" * 7}, "newPassword"),
]


@pytest.mark.parametrize(("path", "body", "field"), BAD_BODIES)
def test_bad_bodies_are_rejected_naming_the_field(
    client: Client, path: str, body: Any, field: str
) -> None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = client.post(path, raw)
    assert (reply.status, reply.code) == (400, "invalid_request")
    message = reply.json["message"]
    assert message.startswith(field + ":")
    assert SECRET[:8] not in reply.body.decode()


def test_constraint_messages_state_the_rule(client: Client) -> None:
    reply = client.post(RESET, {"token": "t", "newPassword": "short"})
    assert reply.json["message"] == "newPassword: must be 8-128 characters"


def test_lengths_count_characters_not_bytes(client: Client) -> None:
    token = client.token()
    assert client.reset(token, "\u00e4\u00f6\u00fc\u00df\u00e4\u00f6\u00fc\u00df").status == 200


def test_boundary_lengths_are_accepted(client: Client, server: ReferenceServer) -> None:
    longest = "a" * 64 + "@" + "b" * 189  # 254 characters
    assert client.forgot(longest).status == 200
    assert client.forgot("a@b").status == 200
    token = client.token()
    assert client.reset(token, "x" * 128).status == 200
    assert server.check_password(ANN, "x" * 128)


def test_unknown_properties_are_ignored(client: Client, server: ReferenceServer) -> None:
    assert client.post(FORGOT, {"email": ANN, "locale": "fr", "n": [1, None]}).status == 200
    assert server.last_code(ANN) is not None


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json;charset=latin-1"],
)
def test_non_json_content_type_is_unsupported(client: Client, content_type: Optional[str]) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    reply = client.request("POST", FORGOT, json.dumps({"email": ANN}).encode(), headers)
    assert (reply.status, reply.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; Charset=UTF-8", 'application/json; charset="utf-8"'],
)
def test_json_content_type_variants_are_accepted(client: Client, content_type: str) -> None:
    reply = client.request(
        "POST", FORGOT, json.dumps({"email": ANN}).encode(), {"Content-Type": content_type}
    )
    assert reply.status == 200


def test_body_over_64_kib_is_too_large(client: Client, server: ReferenceServer) -> None:
    body = json.dumps({"email": ANN, "pad": "x" * 70 * 1024}).encode()
    reply = client.post(FORGOT, body)
    assert (reply.status, reply.code) == (413, "payload_too_large")
    assert server.last_code(ANN) is None
    assert client.forgot().status == 200  # the server is fine afterwards


def test_a_big_refused_body_still_gets_its_413(server: ReferenceServer) -> None:
    # The server refuses the body unread, but drains it before closing, so the client's
    # upload is not cut short by a reset and the 413 arrives.
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request("POST", "/v1" + FORGOT, body=b"x" * 600_000, headers={"Content-Type": JSON})
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["code"] == "payload_too_large"
    finally:
        conn.close()


def test_body_of_exactly_64_kib_is_read(client: Client) -> None:
    prefix = json.dumps({"email": ANN, "pad": ""}).encode()
    body = prefix[:-2] + b"x" * (64 * 1024 - len(prefix)) + b'"}'
    assert len(body) == 64 * 1024
    assert client.post(FORGOT, body).status == 200


def test_chunked_bodies_are_accepted_and_limited(server: ReferenceServer) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        body = json.dumps({"email": ANN}).encode()
        conn.request(
            "POST",
            "/v1" + FORGOT,
            body=iter([body[:5], body[5:]]),
            headers={"Content-Type": JSON},
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        huge = iter([b"x" * 40_000, b"x" * 40_000])
        conn.request(
            "POST", "/v1" + FORGOT, body=huge, headers={"Content-Type": JSON}, encode_chunked=True
        )
        response = conn.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["code"] == "payload_too_large"
    finally:
        conn.close()
    assert server.last_code(ANN) is not None


def test_missing_content_length_means_an_empty_body(server: ReferenceServer) -> None:
    request = (
        f"POST /v1{FORGOT} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {JSON}\r\n\r\n"
    ).encode()
    status, _headers, body = raw_exchange(server, request)
    assert status == 400
    assert json.loads(body)["message"].startswith("body:")


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_malformed_content_length_is_a_bad_request(server: ReferenceServer, length: str) -> None:
    request = (
        f"POST /v1{FORGOT} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    status, headers, body = raw_exchange(server, request)
    assert status == 400
    assert headers["Content-Type"] == JSON
    assert json.loads(body)["code"] == "invalid_request"


# Routing and methods ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/account/nope", "/account", "", "/account/forgotPass/extra"])
def test_unknown_path_is_not_found(client: Client, path: str) -> None:
    reply = client.post(path, {"email": ANN})
    assert (reply.status, reply.code) == (404, "not_found")


def test_paths_outside_the_base_path_are_not_found(client: Client, server: ReferenceServer) -> None:
    response = client.pool.request(
        "POST",
        f"http://{server.host}:{server.port}/account/forgotPass",
        body=b"{}",
        headers={"Content-Type": JSON},
    )
    assert response.status == 404
    assert response.headers["Content-Type"] == JSON


@pytest.mark.parametrize(
    "method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY", "BREW"]
)
def test_other_methods_are_not_allowed(client: Client, method: str) -> None:
    reply = client.request(method, FORGOT)
    assert (reply.status, reply.code) == (405, "method_not_allowed")
    assert reply.headers["Allow"] == "POST"


def test_head_is_not_allowed_and_has_no_body(client: Client) -> None:
    response = client.pool.request("HEAD", client.server.url + FORGOT)
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert response.headers["Content-Type"] == JSON
    assert response.headers["X-Request-Id"].startswith("req_")
    assert response.data == b""
    assert client.forgot().status == 200  # the connection is still in step


def test_a_refused_request_with_a_body_keeps_the_connection_usable(server: ReferenceServer) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request("PUT", "/v1" + FORGOT, body=b'{"email": "ann@example.com"}')
        response = conn.getresponse()
        assert response.status == 405
        response.read()
        conn.request(
            "POST",
            "/v1" + FORGOT,
            body=b'{"email": "ann@example.com"}',
            headers={"Content-Type": JSON},
        )
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    finally:
        conn.close()


def test_keep_alive_serves_many_requests_on_one_connection(server: ReferenceServer) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.connect()
        local = conn.sock.getsockname()
        for _ in range(5):
            conn.request(
                "POST",
                "/v1" + FORGOT,
                body=b'{"email": "x@example.com"}',
                headers={"Content-Type": JSON},
            )
            response = conn.getresponse()
            response.read()
            assert response.getheader("Connection") != "close"
            assert conn.sock.getsockname() == local
    finally:
        conn.close()


# Malformed requests -----------------------------------------------------------------------

MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"POST /v1/account/forgotPass HTTP/9.9\r\n\r\n",
    b"POST /v1/account/forgotPass\rSet-Cookie: evil=1 HTTP/1.1\r\n\r\n",
    b"POST /v1/account/forgotPass HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
    b"POST /v1/account/forgotPass HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 120 + b"\r\n",
    b"POST /" + b"v" * 70_000 + b" HTTP/1.1\r\n\r\n",
]


@pytest.mark.parametrize(
    "request_bytes",
    MALFORMED,
    ids=["garbage", "version", "cr", "long-header", "many-headers", "long-uri"],
)
def test_malformed_requests_get_json_errors_and_the_server_survives(
    server: ReferenceServer, client: Client, request_bytes: bytes
) -> None:
    status, headers, body = raw_exchange(server, request_bytes)
    assert 400 <= status < 600
    assert headers["Content-Type"] == JSON
    assert headers["X-Request-Id"].startswith("req_")
    assert "evil" not in str(headers.get("Set-Cookie"))
    assert json.loads(body)["code"]
    assert client.forgot().status == 200


def test_header_injection_in_the_path_is_not_reflected(
    server: ReferenceServer, client: Client
) -> None:
    request = (
        b"POST /v1/x%0d%0aSet-Cookie:%20evil=1 HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    status, headers, body = raw_exchange(server, request)
    assert status == 404
    assert headers.get("Set-Cookie") is None
    assert json.loads(body)["code"] == "not_found"
    request = (
        b"POST /v1/account/forgotPass HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\n"
        b"Idempotency-Key: a\rSet-Cookie: evil=1\r\nContent-Length: 27\r\n\r\n"
        b'{"email":"ann@example.com"}'
    )
    status, headers, _body = raw_exchange(server, request)
    assert headers.get("Set-Cookie") is None
    assert status in (200, 400)
    assert client.forgot().status == 200


def test_a_client_vanishing_mid_body_does_not_hurt_the_server(
    server: ReferenceServer, client: Client
) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b'POST /v1/account/forgotPass HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"em')
    assert client.forgot().status == 200


# Observation, logging and internal errors -------------------------------------------------


def test_every_request_is_counted_and_recorded_without_its_body(
    client: Client, server: ReferenceServer
) -> None:
    client.forgot(key="k-1")
    client.redeem("999999")
    client.request("GET", FORGOT)
    assert server.request_count() == 3
    assert server.request_count(FORGOT) == 2
    assert server.request_count("/v1" + CODE) == 1
    first = server.requests[0]
    assert (first.method, first.path) == ("POST", "/v1" + FORGOT)
    assert first.header("idempotency-key") == "k-1"
    assert not hasattr(first, "body")


def test_the_log_names_requests_but_never_secrets(clock: FakeClock) -> None:
    lines: list[str] = []
    with ReferenceServer(accounts={ANN: OLD}, clock=clock, log=lines.append, outbox="") as srv:
        api = Client(srv)
        try:
            token = api.token()
            api.reset(token, "Sup3rSecretPassword")
            code = srv.last_code(ANN)
            api.post(RESET, {"token": token, "newPassword": "x"})
        finally:
            api.pool.clear()
    text = "\n".join(lines)
    assert len(lines) == 4
    assert lines[0].startswith("POST /v1/account/forgotPass 200 ")
    assert lines[0].split()[-1].startswith("req_")
    for secret in (token, "Sup3rSecretPassword", OLD, str(code)):
        assert secret not in text


def test_an_internal_error_answers_500_and_the_server_keeps_serving(
    client: Client, server: ReferenceServer
) -> None:
    server.inject_fault("exception")
    reply = client.forgot()
    assert (reply.status, reply.code) == (500, "internal_error")
    assert client.forgot().status == 200


def test_persona_server_fixture_has_the_documented_account(
    persona_server: ReferenceServer,  # noqa: F811 -- the fixture imported above
) -> None:
    assert persona_server.url.startswith("http://127.0.0.1:")
    assert persona_server.url.endswith("/v1")
    assert persona_server.check_password("ann@example.com", "old-pass-1")


def test_stop_does_not_wait_for_idle_keep_alive_connections() -> None:
    srv = ReferenceServer().start()
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
    try:
        conn.request("POST", "/v1" + FORGOT, body=b"{}", headers={"Content-Type": JSON})
        conn.getresponse().read()
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 2
    finally:
        conn.close()
    srv.stop()  # a second stop is harmless


def test_a_server_starts_only_once() -> None:
    with ReferenceServer() as srv, pytest.raises(RuntimeError):
        srv.start()


def test_outbox_file_gets_one_json_line_per_code(tmp_path: Path, clock: FakeClock) -> None:
    outbox = tmp_path / "outbox.jsonl"
    with ReferenceServer(accounts={ANN: OLD}, clock=clock, outbox=str(outbox)) as srv:
        api = Client(srv)
        try:
            api.forgot()
            api.forgot("nobody@example.com")
        finally:
            api.pool.clear()
        code = srv.last_code(ANN)
    lines = outbox.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"email": ANN, "code": code, "sent_at": "2023-11-14T22:13:20Z"}
    ]


def test_outbox_file_defaults_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = tmp_path / "env-outbox.jsonl"
    monkeypatch.setenv("PERSONA_OUTBOX", str(outbox))
    with ReferenceServer(accounts={ANN: OLD}) as srv:
        api = Client(srv)
        try:
            api.forgot()
        finally:
            api.pool.clear()
    assert json.loads(outbox.read_text())["email"] == ANN


def test_an_outbox_path_that_cannot_be_written_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a directory"):
        ReferenceServer(accounts={ANN: OLD}, outbox=str(tmp_path))
    with pytest.raises(ValueError, match="cannot write the outbox file"):
        ReferenceServer(outbox=str(tmp_path / "no-such-folder" / "outbox.jsonl"))


def test_the_outbox_environment_variable_is_checked_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONA_OUTBOX", str(tmp_path))
    with pytest.raises(ValueError, match="is a directory"):
        ReferenceServer(accounts={ANN: OLD})


def test_an_outbox_that_breaks_later_is_logged_not_answered(
    tmp_path: Path, clock: FakeClock
) -> None:
    # A mail that cannot be written is the server's problem: answering 500 for accounts
    # only would also tell who has one.
    outbox = tmp_path / "outbox.jsonl"
    lines: list[str] = []
    with ReferenceServer(
        accounts={ANN: OLD}, clock=clock, outbox=str(outbox), log=lines.append
    ) as srv:
        outbox.unlink()
        outbox.mkdir()
        api = Client(srv)
        try:
            replies = [api.forgot(email) for email in (ANN, "nobody@example.com")]
        finally:
            api.pool.clear()
        assert [(r.status, r.body) for r in replies] == [(200, replies[0].body)] * 2
        code = srv.last_code(ANN)
    assert code is not None
    assert sum("outbox: cannot write" in line for line in lines) == 2
    assert not any(code in line for line in lines)


# Fault injection --------------------------------------------------------------------------


def test_status_fault_answers_before_doing_any_work(
    client: Client, server: ReferenceServer
) -> None:
    server.inject_fault("status:503", retry_after=7)
    reply = client.forgot()
    assert (reply.status, reply.code) == (503, "internal_error")
    assert reply.headers["Retry-After"] == "7"
    assert server.outbox == []
    assert client.forgot().status == 200
    assert len(server.outbox) == 1


def test_status_fault_times_and_path(client: Client, server: ReferenceServer) -> None:
    server.inject_fault("status:429", times=2, path=CODE)
    assert client.forgot().status == 200
    code = server.last_code(ANN)
    assert code is not None
    first, second = client.redeem(code), client.redeem(code)
    assert (first.status, first.code, second.status) == (429, "rate_limited", 429)
    assert "Retry-After" not in first.headers
    assert client.redeem(code).status == 200


def test_faults_fire_in_order(client: Client) -> None:
    client.server.inject_fault("status:500")
    client.server.inject_fault("status:502")
    assert [client.forgot().status for _ in range(3)] == [500, 502, 200]


def test_drop_before_closes_without_answering_or_working(server: ReferenceServer) -> None:
    server.inject_fault("drop_before")
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request(
            "POST",
            "/v1" + FORGOT,
            body=b'{"email": "ann@example.com"}',
            headers={"Content-Type": JSON},
        )
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.getresponse()
    finally:
        conn.close()
    assert server.outbox == []


def test_drop_after_does_the_work_and_a_keyed_retry_gets_the_replay(
    server: ReferenceServer, client: Client
) -> None:
    server.inject_fault("drop_after")
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request(
            "POST",
            "/v1" + FORGOT,
            body=b'{"email": "ann@example.com"}',
            headers={"Content-Type": JSON, "Idempotency-Key": "retry-me"},
        )
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.getresponse()
    finally:
        conn.close()
    assert len(server.outbox) == 1
    reply = client.post(FORGOT, b'{"email": "ann@example.com"}', key="retry-me")
    assert reply.status == 200
    assert reply.headers["Idempotent-Replayed"] == "true"
    assert len(server.outbox) == 1


def test_stall_delays_the_answer(client: Client) -> None:
    client.server.inject_fault("stall:0.3")
    started = time.monotonic()
    assert client.forgot().status == 200
    assert time.monotonic() - started >= 0.3


def test_stop_interrupts_a_stalled_request() -> None:
    srv = ReferenceServer().start()
    srv.inject_fault("stall:30")
    outcome: list[object] = []

    def call() -> None:
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        try:
            conn.request("POST", "/v1" + FORGOT, body=b"{}", headers={"Content-Type": JSON})
            outcome.append(conn.getresponse().status)
        except (OSError, http.client.HTTPException) as exc:
            outcome.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=call)
    thread.start()
    while srv.request_count() == 0:
        time.sleep(0.01)
    started = time.monotonic()
    srv.stop()
    thread.join()
    assert time.monotonic() - started < 5
    assert len(outcome) == 1


@pytest.mark.parametrize(
    "kind", ["status:99", "status:abc", "stall:x", "stall:-1", "explode", "drop_before:1"]
)
def test_malformed_faults_are_refused(kind: str) -> None:
    srv = ReferenceServer()
    try:
        with pytest.raises(ValueError):
            srv.inject_fault(kind)
        with pytest.raises(ValueError):
            srv.inject_fault("status:503", times=0)
    finally:
        srv.stop()


def test_clear_faults(client: Client) -> None:
    client.server.inject_fault("status:500", times=5)
    client.server.clear_faults()
    assert client.forgot().status == 200


# Persistence ------------------------------------------------------------------------------


def test_db_file_keeps_state_across_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    db = str(tmp_path / "persona.sqlite3")
    with ReferenceServer(accounts={ANN: OLD}, db=db, clock=clock, outbox="") as first:
        api = Client(first)
        try:
            assert api.forgot(key="persisted").status == 200
            code = first.last_code(ANN)
        finally:
            api.pool.clear()
    with ReferenceServer(db=db, clock=clock, outbox="") as second:
        api = Client(second)
        try:
            assert second.check_password(ANN, OLD)
            replay = api.forgot(key="persisted")
            assert replay.headers["Idempotent-Replayed"] == "true"
            assert second.outbox == []
            assert code is not None
            token = api.redeem(code).json["token"]
        finally:
            api.pool.clear()
    with ReferenceServer(db=db, clock=clock, outbox="") as third:
        api = Client(third)
        try:
            assert api.reset(token).status == 200
            assert third.check_password(ANN, NEW)
        finally:
            api.pool.clear()


def test_passwords_and_tokens_are_stored_hashed(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "persona.sqlite3"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), clock=clock, outbox="") as srv:
        api = Client(srv)
        try:
            token = api.token()
            assert api.reset(token, "Brand-New-Secret").status == 200
            token2 = api.token()
        finally:
            api.pool.clear()
    raw = db.read_bytes()
    for secret in (OLD, "Brand-New-Secret", token, token2):
        assert secret.encode() not in raw
    conn = sqlite3.connect(str(db))
    try:
        (stored,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
    finally:
        conn.close()
    assert stored.startswith("scrypt$")
    salt_a = stored.split("$")[4]
    with ReferenceServer(
        accounts={"bob@example.com": "Brand-New-Secret"}, db=str(db), outbox=""
    ) as srv:
        pass
    conn = sqlite3.connect(str(db))
    try:
        hashes = [
            row[0] for row in conn.execute("SELECT password_hash FROM accounts ORDER BY email")
        ]
    finally:
        conn.close()
    assert len({h.split("$")[4] for h in hashes}) == 2  # a salt per password
    assert salt_a in {h.split("$")[4] for h in hashes}
    assert srv.url


def test_replayed_tokens_are_not_readable_from_the_db_file(
    tmp_path: Path, clock: FakeClock
) -> None:
    # The token of a codeForToken sent with an Idempotency-Key must be replayable (a
    # retry gets it again, even after a restart), but the file must not give it away.
    db = tmp_path / "persona.sqlite3"
    key = "7f3c2a9d4b1e6f80a5c3d2e1f0b9a8c7"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), clock=clock, outbox="") as srv:
        api = Client(srv)
        try:
            assert api.forgot().status == 200
            code = srv.last_code(ANN)
            assert code is not None
            first = api.post(CODE, {"email": ANN, "code": code}, key=key)
            assert first.status == 200
        finally:
            api.pool.clear()
    token = first.json["token"]
    raw = db.read_bytes()
    for secret in (token, key, code):
        assert secret.encode() not in raw
    conn = sqlite3.connect(str(db))
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert token not in dump
    assert key not in dump
    assert "idempotency" not in tables
    with ReferenceServer(db=str(db), clock=clock, outbox="") as srv:
        api = Client(srv)
        try:
            replay = api.post(CODE, {"email": ANN, "code": code}, key=key)
            assert replay.headers["Idempotent-Replayed"] == "true"
            assert replay.json == first.json  # the same token, from the sealed record
            other = api.post(CODE, {"email": ANN, "code": "999999x"}, key=key)
            assert (other.status, other.code) == (409, "idempotency_conflict")
            assert api.reset(token).status == 200
        finally:
            api.pool.clear()


def test_an_old_db_file_loses_its_readable_replays(tmp_path: Path) -> None:
    # Files written before replays were sealed kept whole answers, live tokens included.
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(str(db))
    with conn:
        conn.execute(
            "CREATE TABLE idempotency (key TEXT PRIMARY KEY, path TEXT NOT NULL, "
            "body_hash TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, "
            "created_at REAL NOT NULL)"
        )
        conn.execute(
            "INSERT INTO idempotency VALUES ('k', '/v1/account/codeForToken', 'h', 200, "
            '\'{"token":"live-token-in-clear"}\', 1e12)'
        )
    conn.close()
    with ReferenceServer(db=str(db), outbox=""):
        pass
    conn = sqlite3.connect(str(db))
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert "live-token-in-clear" not in dump


def test_a_tampered_replay_record_is_not_replayed(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "persona.sqlite3"
    with ReferenceServer(accounts={ANN: OLD}, db=str(db), clock=clock, outbox="") as srv:
        api = Client(srv)
        try:
            assert api.forgot(key="k-tamper").status == 200
            conn = sqlite3.connect(str(db))
            with conn:
                conn.execute("UPDATE replays SET sealed = 'v1:' || substr(sealed, 5)")
            conn.close()
            reply = api.forgot(key="k-tamper")
            assert (reply.status, reply.code) == (409, "idempotency_conflict")
        finally:
            api.pool.clear()
