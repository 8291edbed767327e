"""Event hooks (``event_hooks={"request": [...], "response": [...]}``), end to end over
loopback servers, with both clients: once per attempt under retries, headers a request
hook sets sent on every attempt, a hook's exception reaching the caller unchanged and
ending the call, the deadline over the hooks' time, ``with_options()`` copies with hooks
of their own, what a hook sees masked in its repr, and the refusals (a sync hook given to
the async client and the other way round)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from _faultserver import Conn, Request, ScriptedServer
from test_faults import BODY, FAST, OK, SLACK
from test_typing import run_mypy

import persona
from persona.hooks import EventHooks, HookRequest, HookResponse, Hooks
from persona.testing import ReferenceServer

FORGOT = "account_forgot_pass_post"


def twice_503_then_200(conn: Conn, req: Request) -> None:
    if req.number <= 2:
        conn.respond(503, b'{"code": "internal_error"}', request_id=f"rid-{req.number}")
    else:
        conn.respond(200, OK, request_id="rid-ok")


def always(status: int) -> Any:
    body = OK if status == 200 else b'{"code": "internal_error"}'
    return lambda conn, req: conn.respond(status, body)


@contextlib.contextmanager
def sync_api(host: str, hooks: Any, **settings: Any) -> Iterator[persona.AccountApi]:
    config = persona.Configuration(host=host, **{**FAST, **settings})
    with persona.ApiClient(config, event_hooks=hooks) as client:
        yield persona.AccountApi(client)


@contextlib.contextmanager
def served(
    script: Any, hooks: Any, **settings: Any
) -> Iterator[tuple[ScriptedServer, persona.AccountApi]]:
    """A scripted server and a sync API on it whose client has ``hooks``."""
    with ScriptedServer(script) as srv, sync_api(srv.url(), hooks, **settings) as api:
        yield srv, api


@contextlib.asynccontextmanager
async def async_api(
    host: str, hooks: Any, **settings: Any
) -> AsyncIterator[persona.AsyncAccountApi]:
    config = persona.Configuration(host=host, **{**FAST, **settings})
    async with persona.AsyncApiClient(config, event_hooks=hooks) as client:
        yield persona.AsyncAccountApi(client)


class Recorder:
    """Hooks that record what they see, and set headers on each attempt."""

    def __init__(self) -> None:
        self.requests: list[HookRequest] = []
        self.responses: list[HookResponse] = []
        self.attempts_seen: list[int] = []
        self.reasons: list[str] = []
        self.types: list[str] = []

    def on_request(self, request: HookRequest) -> None:
        self.requests.append(request)
        self.attempts_seen.append(request.attempt)
        request.headers["X-Tenant"] = "acme"
        request.headers["X-Attempt"] = str(request.attempt)

    def on_response(self, response: HookResponse) -> None:
        self.responses.append(response)
        self.reasons.append(response.reason)
        self.types.append(response.headers["content-type"])

    def hooks(self) -> EventHooks:
        return {"request": [self.on_request], "response": [self.on_response]}

    async def on_request_async(self, request: HookRequest) -> None:
        await asyncio.sleep(0)
        self.on_request(request)

    async def on_response_async(self, response: HookResponse) -> None:
        await asyncio.sleep(0)
        self.on_response(response)

    def async_hooks(self) -> Any:
        return {"request": [self.on_request_async], "response": [self.on_response_async]}


def check_three_attempts(rec: Recorder, srv: ScriptedServer) -> None:
    """What the hooks and the server saw of a 503, 503, 200 call."""
    assert rec.attempts_seen == [1, 2, 3]
    assert [r.status for r in rec.responses] == [503, 503, 200]
    assert [r.attempt for r in rec.responses] == [1, 2, 3]
    assert [r.request_id for r in rec.responses] == ["rid-1", "rid-2", "rid-ok"]
    assert rec.reasons == ["Service Unavailable", "Service Unavailable", "OK"]
    assert rec.types == ["application/json;charset=utf-8"] * 3  # headers: case-insensitive
    # A response hook gets its attempt's request: the one the request hook saw.
    assert [r.request for r in rec.responses] == rec.requests
    for request in rec.requests:
        assert request.method == "POST"
        assert request.url.endswith("/v1/account/forgotPass")
        assert request.operation == FORGOT
        assert json.loads(request.body or b"") == {"email": "ann@example.com"}
    assert all(0 < r.elapsed < FAST["deadline"] for r in rec.responses)
    # What the request hook set was sent, on every attempt, with the call's one key.
    assert [r.header("X-Tenant") for r in srv.requests] == ["acme"] * 3
    assert [r.header("X-Attempt") for r in srv.requests] == ["1", "2", "3"]
    assert len(set(srv.keys)) == 1
    assert srv.keys[0] == rec.requests[0].headers["idempotency-key"]


# -- once per attempt, headers on every attempt ----------------------------------------
def test_hooks_run_once_per_attempt_and_their_headers_are_sent_on_each() -> None:
    rec = Recorder()
    with served(twice_503_then_200, rec.hooks()) as (srv, api):
        assert api.account_forgot_pass_post(BODY).success is True
    check_three_attempts(rec, srv)


@pytest.mark.asyncio
async def test_async_hooks_run_once_per_attempt_and_their_headers_are_sent_on_each() -> None:
    rec = Recorder()
    with ScriptedServer(twice_503_then_200) as srv:
        async with async_api(srv.url(), rec.async_hooks()) as api:
            assert (await api.account_forgot_pass_post(BODY)).success is True
    check_three_attempts(rec, srv)


def test_every_attempt_starts_from_the_calls_own_headers() -> None:
    seen: list[str | None] = []

    def add_once(request: HookRequest) -> None:
        seen.append(request.headers.get("X-Once"))
        request.headers["X-Once"] = "set"

    with served(twice_503_then_200, {"request": [add_once]}) as (srv, api):
        api.account_forgot_pass_post(BODY, headers={"X-Call": "c"})
    assert seen == [None, None, None]  # no attempt sees the last one's changes
    assert [r.header("X-Call") for r in srv.requests] == ["c"] * 3


def test_a_request_hook_may_replace_or_remove_a_header_whatever_its_case() -> None:
    def rewrite(request: HookRequest) -> None:
        request.headers["user-agent"] = "my-app/2"
        del request.headers["ACCEPT"]

    with served(always(200), {"request": [rewrite]}) as (srv, api):
        api.account_forgot_pass_post(BODY)
    (received,) = srv.requests
    assert [v for k, v in received.headers.items() if k.lower() == "user-agent"] == ["my-app/2"]
    assert received.header("Accept") is None


def test_no_response_hook_runs_for_an_attempt_that_got_no_answer() -> None:
    def reset_first(conn: Conn, req: Request) -> None:
        if req.number == 1:
            conn.reset()
        else:
            conn.respond(200, OK)

    rec = Recorder()
    with served(reset_first, rec.hooks()) as (_, api):
        api.account_forgot_pass_post(BODY)
    assert rec.attempts_seen == [1, 2]
    assert [r.attempt for r in rec.responses] == [2]


# -- a hook that raises ----------------------------------------------------------------
class Boom(Exception):
    pass


@pytest.mark.parametrize("event", ["request", "response"])
def test_a_hooks_exception_reaches_the_caller_unchanged_and_is_not_retried(event: str) -> None:
    boom = Boom("from the hook")
    calls: list[int] = []

    def explode(seen: Any) -> None:
        calls.append(seen.attempt)
        raise boom

    with served(always(503), {event: [explode]}) as (srv, api), pytest.raises(Boom) as info:
        api.account_forgot_pass_post(BODY)
    assert info.value is boom
    assert info.value.__cause__ is None
    assert calls == [1]
    # A request hook raised before anything was sent; a response hook after the first.
    assert len(srv.requests) == (0 if event == "request" else 1)


@pytest.mark.asyncio
@pytest.mark.parametrize("event", ["request", "response"])
async def test_an_async_hooks_exception_reaches_the_caller_unchanged(event: str) -> None:
    boom = Boom("from the async hook")

    async def explode(seen: Any) -> None:
        await asyncio.sleep(0)
        raise boom

    with ScriptedServer(always(503)) as srv:
        async with async_api(srv.url(), {event: [explode]}) as api:
            with pytest.raises(Boom) as info:
                await api.account_forgot_pass_post(BODY)
    assert info.value is boom
    assert len(srv.requests) == (0 if event == "request" else 1)


def test_later_hooks_do_not_run_after_one_raised() -> None:
    ran: list[str] = []

    def first(request: HookRequest) -> None:
        ran.append("first")
        raise Boom

    def second(request: HookRequest) -> None:
        ran.append("second")

    with served(always(200), {"request": [first, second]}) as (srv, api), pytest.raises(Boom):
        api.account_forgot_pass_post(BODY)
    assert ran == ["first"]
    assert srv.requests == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.__setitem__("X-Bad", "a\r\nInjected: 1"), "must not contain CR, LF"),
        (lambda h: h.__setitem__("Bad Name", "v"), "must be an HTTP token"),
        (lambda h: h.__setitem__("X-Count", 3), "value must be str"),
        (lambda h: h.__setitem__("Idempotency-Key", "mine"), "Idempotency-Key belongs to the call"),
        (lambda h: h.__delitem__("Idempotency-Key"), "Idempotency-Key belongs to the call"),
    ],
)
def test_headers_a_hook_leaves_are_checked_before_anything_is_sent(
    change: Any, message: str
) -> None:
    def bad_hook(request: HookRequest) -> None:
        change(request.headers)

    refused = (persona.ApiValueError, persona.ApiTypeError)
    with served(always(200), {"request": [bad_hook]}) as (srv, api), pytest.raises(refused) as info:
        api.account_forgot_pass_post(BODY)
    assert message in str(info.value)
    assert "bad_hook" in str(info.value)
    assert srv.requests == []


def test_a_sync_hook_that_returns_a_coroutine_is_refused_without_a_warning() -> None:
    async def later(request: HookRequest) -> None:
        pass

    def sneaky(request: HookRequest) -> None:
        return later(request)  # type: ignore[return-value]  # what the test is about

    # The coroutine is closed: no "never awaited" RuntimeWarning (an error here).
    refused = pytest.raises(persona.ApiTypeError, match="sneaky returned an awaitable")
    with served(always(200), {"request": [sneaky]}) as (srv, api), refused:
        api.account_forgot_pass_post(BODY)
    assert srv.requests == []


# -- the deadline ----------------------------------------------------------------------
def test_a_slow_sync_request_hook_counts_against_the_deadline_and_nothing_is_sent() -> None:
    def slow(request: HookRequest) -> None:
        time.sleep(0.6)

    timed_out = pytest.raises(persona.ApiTimeoutError, match="in the request hooks")
    with served(always(200), {"request": [slow]}, deadline=0.5) as (srv, api), timed_out:
        api.account_forgot_pass_post(BODY)
    assert srv.requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize("event", ["request", "response"])
async def test_an_async_hook_is_cancelled_at_the_deadline(event: str) -> None:
    cancelled = asyncio.Event()

    async def stuck(seen: Any) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    with ScriptedServer(always(200)) as srv:
        async with async_api(srv.url(), {event: [stuck]}, deadline=0.5) as api:
            started = time.monotonic()
            with pytest.raises(persona.ApiTimeoutError, match=f"in the {event} hooks"):
                await api.account_forgot_pass_post(BODY)
            elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 0.5 + SLACK
    assert cancelled.is_set()
    assert len(srv.requests) == (0 if event == "request" else 1)


@pytest.mark.asyncio
async def test_an_async_hooks_own_timeout_error_passes_unchanged() -> None:
    own = asyncio.TimeoutError("the hook's own")

    async def times_out(request: HookRequest) -> None:
        raise own

    with ScriptedServer(always(200)) as srv:
        async with async_api(srv.url(), {"request": [times_out]}) as api:
            with pytest.raises(asyncio.TimeoutError) as info:
                await api.account_forgot_pass_post(BODY)
    assert info.value is own


# -- with_options ----------------------------------------------------------------------
def test_with_options_gives_a_copy_its_own_hooks_and_leaves_the_parents() -> None:
    seen: list[str] = []

    def parent_hook(request: HookRequest) -> None:
        seen.append("parent")

    def child_hook(request: HookRequest) -> None:
        seen.append("child")

    with ScriptedServer(always(200)) as srv:
        config = persona.Configuration(host=srv.url(), **FAST)
        with persona.ApiClient(config, event_hooks={"request": [parent_hook]}) as parent:
            child = parent.with_options(event_hooks={"request": [child_hook]})
            same = parent.with_options(timeout=2.0)  # hooks not given: the parent's
            bare = parent.with_options(event_hooks=None)
            for client, expected in [
                (child, ["child"]),
                (parent, ["parent"]),
                (same, ["parent"]),
                (bare, []),
            ]:
                seen.clear()
                persona.AccountApi(client).account_forgot_pass_post(BODY)
                assert seen == expected
            assert child.event_hooks == {"request": [child_hook], "response": []}
            assert parent.event_hooks == {"request": [parent_hook], "response": []}
            assert bare.event_hooks == {"request": [], "response": []}
            # A copy of the hooks: changing it changes nothing.
            parent.event_hooks["request"].append(child_hook)  # type: ignore[typeddict-item]
            assert parent.event_hooks == {"request": [parent_hook], "response": []}
    assert len(srv.requests) == 4


@pytest.mark.asyncio
async def test_async_with_options_hooks_are_checked_and_leave_the_parents() -> None:
    seen: list[str] = []

    async def parent_hook(request: HookRequest) -> None:
        seen.append("parent")

    async def child_hook(request: HookRequest) -> None:
        seen.append("child")

    def sync_hook(request: HookRequest) -> None:
        pass

    with ScriptedServer(always(200)) as srv:
        config = persona.Configuration(host=srv.url(), **FAST)
        async with persona.AsyncApiClient(config, event_hooks={"request": [parent_hook]}) as parent:
            with pytest.raises(persona.ApiTypeError, match="sync_hook"):
                parent.with_options(event_hooks={"request": [sync_hook]})  # type: ignore[list-item]
            child = parent.with_options(event_hooks={"request": [child_hook]})
            await persona.AsyncAccountApi(child).account_forgot_pass_post(BODY)
            await persona.AsyncAccountApi(parent).account_forgot_pass_post(BODY)
    assert seen == ["child", "parent"]


# -- the refusals ----------------------------------------------------------------------
async def an_async_hook(request: HookRequest) -> None:
    pass


def a_sync_hook(request: HookRequest) -> None:
    pass


class AsyncCallable:
    async def __call__(self, request: HookRequest) -> None:
        pass


def test_the_sync_client_refuses_async_hooks_naming_them() -> None:
    with pytest.raises(persona.ApiTypeError) as info:
        persona.ApiClient(event_hooks={"request": [a_sync_hook, an_async_hook]})  # type: ignore[list-item]
    assert "event_hooks['request'][1] (an_async_hook)" in str(info.value)
    assert "AsyncApiClient" in str(info.value)
    with pytest.raises(persona.ApiTypeError, match="AsyncCallable"):
        persona.ApiClient(event_hooks={"response": [AsyncCallable()]})  # type: ignore[list-item]


@pytest.mark.asyncio
async def test_the_async_client_refuses_sync_hooks_naming_them() -> None:
    with pytest.raises(persona.ApiTypeError) as info:
        persona.AsyncApiClient(event_hooks={"response": [a_sync_hook]})  # type: ignore[list-item]
    assert "event_hooks['response'][0] (a_sync_hook)" in str(info.value)
    assert "async def" in str(info.value)
    # An object with an async __call__ is an async hook.
    async with persona.AsyncApiClient(event_hooks={"request": [AsyncCallable()]}):
        pass


@pytest.mark.parametrize(
    ("hooks", "error", "message"),
    [
        ([a_sync_hook], persona.ApiTypeError, "must be a dict"),
        ({"requests": [a_sync_hook]}, persona.ApiValueError, "unknown event 'requests'"),
        ({"request": a_sync_hook}, persona.ApiTypeError, "must be a list of functions"),
        ({"request": "a_sync_hook"}, persona.ApiTypeError, "must be a list of functions"),
        ({"request": [42]}, persona.ApiTypeError, r"\['request'\]\[0\]: must be callable"),
    ],
)
def test_event_hooks_of_the_wrong_shape_are_refused(hooks: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        persona.ApiClient(event_hooks=hooks)


def test_no_hooks_is_the_same_as_none() -> None:
    with persona.ApiClient(event_hooks={"request": [], "response": []}) as client:
        assert client._hooks is None
        assert client.event_hooks == {"request": [], "response": []}
    assert Hooks.of(None, asynchronous=False) is None


class PassesForAsync:
    """Looks like a coroutine function to inspect, but its call returns None."""

    async def _looks(self, request: HookRequest) -> None:
        pass

    def __call__(self, request: HookRequest) -> None:
        return None


@pytest.mark.asyncio
async def test_an_async_hook_that_returns_no_awaitable_is_refused_at_its_call() -> None:
    hook = PassesForAsync()
    hook.__dict__["__call__"] = hook._looks  # what inspect looks at, not what a call runs
    with ScriptedServer(always(200)) as srv:
        async with async_api(srv.url(), {"request": [hook]}) as api:
            with pytest.raises(persona.ApiTypeError, match="returned NoneType, not an awaitable"):
                await api.account_forgot_pass_post(BODY)
    assert srv.requests == []


# -- what a hook sees is masked in its repr --------------------------------------------
def test_what_hooks_see_of_a_whole_reset_is_masked_in_their_reprs() -> None:
    shown: list[str] = []
    bodies: list[bytes] = []

    def on_request(request: HookRequest) -> None:
        request.headers["X-Api-Key"] = "key-abcdef-123456"
        shown.append(repr(request))
        shown.append(repr(request.shown_headers()))
        shown.append(repr(request.headers))
        bodies.append(request.body or b"")

    def on_response(response: HookResponse) -> None:
        shown.append(repr(response))
        shown.append(repr(response.headers))

    email, new_password = "ann@example.com", "new-pass-123456"
    with ReferenceServer(accounts={email: "old-pass-1"}) as srv:
        config = persona.Configuration(host=srv.url)
        hooks: EventHooks = {"request": [on_request], "response": [on_response]}
        with persona.ApiClient(config, event_hooks=hooks, cookie="session=cookie-secret-9") as c:
            c.set_default_header("Authorization", "Bearer bearer-secret-1")
            api = persona.AccountApi(c)
            api.account_forgot_pass_post(persona.ForgotPasswordData(email=email))
            code = srv.last_code(email)
            assert code
            token = api.account_code_for_token_post(
                persona.CodeForTokenData(email=email, code=code)
            ).token
            api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=token, new_password=new_password)
            )
        assert srv.requests[-1].header("X-Api-Key") == "key-abcdef-123456"
    # The body a hook reads is the one sent, secrets and all.
    assert json.loads(bodies[1]) == {"email": email, "code": code}
    assert json.loads(bodies[2]) == {"token": token, "newPassword": new_password}
    text = "\n".join(shown)
    assert len(shown) == 15
    for secret in (code, token, new_password, "bearer-secret-1", "cookie-secret-9", "key-abcdef"):
        assert secret not in text, secret
    assert "secrets ***" in text
    assert "'Authorization': '***'" in text


def test_a_response_hooks_repr_masks_credential_headers_and_echoed_secrets() -> None:
    password = "my-new-password-77"

    def echo(conn: Conn, req: Request) -> None:
        headers = {"Set-Cookie": "sid=server-secret-42", "X-Echo": f"got {password}"}
        conn.respond(200, b'{"success": true}', headers)

    shown: list[str] = []
    with ScriptedServer(echo) as srv:
        hooks: EventHooks = {
            "response": [lambda response: shown.extend([repr(response), repr(response.headers)])]
        }
        with persona.ApiClient(persona.Configuration(host=srv.url()), event_hooks=hooks) as c:
            persona.AccountApi(c).account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token="rst_token", new_password=password)
            )
    text, headers = shown
    for shown_text in (text, headers):
        assert "server-secret-42" not in shown_text
        assert password not in shown_text
        assert "'X-Echo': 'got ***'" in shown_text
        assert "'Set-Cookie': '***'" in shown_text
    assert text.startswith("HookResponse(200 for POST http://127.0.0.1:")


def test_a_hook_request_is_read_only_but_its_headers() -> None:
    captured: list[HookRequest] = []
    with served(always(200), {"request": [captured.append]}) as (_, api):
        api.account_forgot_pass_post(BODY)
    (request,) = captured
    with pytest.raises(AttributeError):
        request.url = "http://elsewhere/"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        request.headers = {}  # type: ignore[misc]


# -- other ways in: call_api, async_req ------------------------------------------------
def test_call_api_runs_the_hooks_with_no_operation_name() -> None:
    rec = Recorder()
    with ScriptedServer(always(200)) as srv:
        config = persona.Configuration(host=srv.url(), **FAST)
        with persona.ApiClient(config, event_hooks=rec.hooks()) as client:
            client.call_api("/account/forgotPass", "POST", body=BODY)
    assert [r.operation for r in rec.requests] == [""]
    assert srv.requests[0].header("X-Tenant") == "acme"


TENANT: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="none")


def test_an_async_req_call_runs_its_hooks_in_the_callers_context() -> None:
    def tenant_header(request: HookRequest) -> None:
        request.headers["X-Tenant"] = TENANT.get()

    with served(always(200), {"request": [tenant_header]}) as (srv, api):
        token = TENANT.set("acme")
        try:
            api.account_forgot_pass_post(BODY, async_req=True).get(timeout=10)
        finally:
            TENANT.reset(token)
        api.account_forgot_pass_post(BODY, async_req=True).get(timeout=10)
    assert [r.header("X-Tenant") for r in srv.requests] == ["acme", "none"]


# -- what a type checker sees ----------------------------------------------------------
TYPED_HOOKS = """
import persona
from persona.hooks import AsyncEventHooks, EventHooks, HookRequest, HookResponse


def tenant(request: HookRequest) -> None:
    request.headers["X-Tenant"] = "acme"


def timer(response: HookResponse) -> None:
    print(response.status, response.elapsed, response.attempt, response.request.operation)


async def async_tenant(request: HookRequest) -> None:
    request.headers["X-Tenant"] = "acme"


client = persona.ApiClient(event_hooks={"request": [tenant], "response": [timer]})
reveal_type(client.with_options(event_hooks={"response": [timer]}))
reveal_type(client.event_hooks)
persona.ApiClient(event_hooks={"request": [async_tenant]})
aclient = persona.AsyncApiClient(event_hooks={"request": [async_tenant]})
aclient.with_options(event_hooks={"request": [tenant]})
"""


@pytest.mark.slow
def test_mypy_tells_sync_hooks_from_async_ones(tmp_path: Path) -> None:
    result, errors, notes = run_mypy(tmp_path, TYPED_HOOKS)
    assert notes[0] == '"persona.api_client.ApiClient"', result.stdout
    assert "persona.hooks.EventHooks" in notes[1]
    assert len(errors) == 2, result.stdout
    assert ':21: error: Argument "event_hooks" to "ApiClient"' in errors[0]
    assert ':23: error: Argument "event_hooks" to "with_options"' in errors[1]
    assert "AsyncEventHooks" in errors[1]
