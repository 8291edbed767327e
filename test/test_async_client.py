"""AsyncApiClient and AsyncAccountApi: the whole flow against the reference server,
the call options, the lifecycle (close, ``async with``, ResourceWarning, one event loop
per client), cancellation, concurrency on one client, and the ``async`` extra (the sync
client never imports aiohttp; without aiohttp the async names say which extra to
install).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import random
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from _faultserver import Conn, Request, ScriptedServer

import persona
from persona.core.request import Request as CoreRequest
from persona.rest import RESTResponse
from persona.testing import MockTransport, ReferenceServer

EMAIL = "ann@example.com"
BODY = persona.ForgotPasswordData(email=EMAIL)
OK = {"success": True, "message": "sent"}
FAST: dict[str, Any] = {"timeout": 2, "backoff_base": 0.01, "backoff_max": 0.05, "deadline": 10}


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer({EMAIL: "old-pass-1"}, outbox="") as srv:
        yield srv


@pytest_asyncio.fixture
async def client(server: ReferenceServer) -> AsyncIterator[persona.AsyncApiClient]:
    async with persona.AsyncApiClient(persona.Configuration(host=server.url, **FAST)) as c:
        yield c


@pytest.fixture
def api(client: persona.AsyncApiClient) -> persona.AsyncAccountApi:
    return persona.AsyncAccountApi(client)


def mock_client(handler: Any, **settings: Any) -> persona.AsyncApiClient:
    config = persona.Configuration(host="http://mock.test/v1", **{**FAST, **settings})
    return persona.AsyncApiClient(config, transport=MockTransport(handler))


def run_in_a_new_loop(coroutine: Any) -> Any:
    """``asyncio.run`` without touching the thread's current loop (pytest-asyncio keeps
    one there; on Python 3.9 replacing it leaks it)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# -- the flow -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_whole_flow_forgot_code_token_reset(
    api: persona.AsyncAccountApi, server: ReferenceServer
) -> None:
    sent = await api.account_forgot_pass_post(BODY)
    assert isinstance(sent, persona.ForgotPasswordResponse)
    assert sent.success is True
    code = server.last_code(EMAIL)
    assert code
    token = await api.account_code_for_token_post(persona.CodeForTokenData(email=EMAIL, code=code))
    assert isinstance(token, persona.TokenResponse)
    assert token.expires_at is not None
    assert token.expires_at.tzinfo is not None
    done = await api.account_reset_forgotten_password_post(
        persona.UpdatePasswordData(token=token.token, new_password="new-pass-123")
    )
    assert done.success is True
    assert server.check_password(EMAIL, "new-pass-123")


@pytest.mark.asyncio
async def test_with_http_info_twins_return_api_response_with_request_id(
    api: persona.AsyncAccountApi, server: ReferenceServer
) -> None:
    info = await api.account_forgot_pass_post_with_http_info(BODY)
    assert isinstance(info, persona.ApiResponse)
    assert info.status == 200
    assert info.data.success is True
    assert info.request_id
    code = server.last_code(EMAIL)
    token_info = await api.account_code_for_token_post_with_http_info(
        persona.CodeForTokenData(email=EMAIL, code=code)
    )
    assert isinstance(token_info.data, persona.TokenResponse)
    reset_info = await api.account_reset_forgotten_password_post_with_http_info(
        persona.UpdatePasswordData(token=token_info.data.token, new_password="new-pass-123")
    )
    assert reset_info.data.success is True


@pytest.mark.asyncio
async def test_wrong_code_raises_unauthorized_without_the_code_in_the_message(
    api: persona.AsyncAccountApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="persona")
    with pytest.raises(persona.UnauthorizedException) as info:
        await api.account_code_for_token_post(
            persona.CodeForTokenData(email=EMAIL, code="S3CRET-999")
        )
    exc = info.value
    assert exc.status == 401
    assert exc.error_code == "invalid_code"
    assert exc.request_id
    assert "S3CRET-999" not in str(exc)
    assert "S3CRET-999" not in repr(exc)
    assert "S3CRET-999" not in caplog.text
    assert "request POST" in caplog.text  # the call was logged, masked


@pytest.mark.asyncio
async def test_a_token_in_the_response_is_masked_in_the_logs(
    api: persona.AsyncAccountApi, server: ReferenceServer, caplog: pytest.LogCaptureFixture
) -> None:
    await api.account_forgot_pass_post(BODY)
    caplog.set_level(logging.DEBUG, logger="persona")
    token = await api.account_code_for_token_post(
        persona.CodeForTokenData(email=EMAIL, code=server.last_code(EMAIL))
    )
    assert token.token
    assert token.token not in caplog.text
    assert "response POST" in caplog.text


@pytest.mark.asyncio
async def test_bad_body_raises_before_anything_is_sent(
    api: persona.AsyncAccountApi, server: ReferenceServer
) -> None:
    with pytest.raises(persona.ApiValueError):
        await api.account_forgot_pass_post(persona.ForgotPasswordData(email="x"))
    with pytest.raises(persona.ApiTypeError):
        await api.account_forgot_pass_post(persona.CodeForTokenData())  # type: ignore[arg-type]
    with pytest.raises(persona.ApiValueError, match="Missing the required parameter"):
        await api.account_forgot_pass_post(None)  # type: ignore[arg-type]
    assert server.request_count() == 0


# -- options --------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_async_req_is_refused_with_a_clear_message(api: persona.AsyncAccountApi) -> None:
    with pytest.raises(persona.ApiTypeError, match=r"async_req.*await the call"):
        await api.account_forgot_pass_post(BODY, async_req=True)  # type: ignore[call-overload]


@pytest.mark.asyncio
async def test_unknown_option_is_refused(api: persona.AsyncAccountApi) -> None:
    with pytest.raises(persona.ApiTypeError, match="unexpected keyword argument '_bogus'"):
        await api.account_forgot_pass_post(BODY, _bogus=1)  # type: ignore[call-overload]


@pytest.mark.asyncio
async def test_preload_content_false_returns_the_raw_response(api: persona.AsyncAccountApi) -> None:
    raw = await api.account_forgot_pass_post(BODY, _preload_content=False)
    assert isinstance(raw, RESTResponse)
    assert raw.status == 200
    assert raw.json()["success"] is True


@pytest.mark.asyncio
async def test_headers_user_agent_and_idempotency_key_are_sent(
    api: persona.AsyncAccountApi, server: ReferenceServer
) -> None:
    await api.account_forgot_pass_post(BODY, _headers={"X-Trace": "t-1"}, _idempotency_key="k-1")
    sent = server.requests[-1]
    assert sent.header("X-Trace") == "t-1"
    assert sent.header("Idempotency-Key") == "k-1"
    assert sent.header("User-Agent") == persona.Configuration().user_agent
    assert re.fullmatch(
        r"persona-python/[^ ]+ Python/\d+\.\d+\.\d+\S* \S+/\S+", sent.header("User-Agent")
    )
    assert sent.header("Content-Type") == "application/json;charset=utf-8"
    assert sent.header("Accept") == "application/json;charset=utf-8"


@pytest.mark.asyncio
async def test_return_http_data_only_false_returns_api_response(
    api: persona.AsyncAccountApi,
) -> None:
    info = await api.account_forgot_pass_post(BODY, _return_http_data_only=False)
    assert isinstance(info, persona.ApiResponse)


@pytest.mark.asyncio
async def test_retry_keeps_one_idempotency_key_and_honours_retry_after() -> None:
    answers = [
        RESTResponse(503, headers={"Retry-After": "0.3"}),
        RESTResponse(503, headers={"Retry-After": "0"}),
        RESTResponse(200, json=OK, headers={"X-Request-Id": "req_1"}),
    ]

    def handler(request: CoreRequest) -> RESTResponse:
        return answers.pop(0)

    started = time.monotonic()
    async with mock_client(handler) as client:
        result = await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
        keys = {r.header("Idempotency-Key") for r in client.transport._send.__self__.requests}  # type: ignore[attr-defined]
    assert result.success is True
    assert len(keys) == 1
    assert None not in keys
    assert time.monotonic() - started >= 0.3


@pytest.mark.asyncio
async def test_mock_transport_with_an_async_handler() -> None:
    async def handler(request: CoreRequest) -> RESTResponse:
        await asyncio.sleep(0)
        assert request.json() == {"email": EMAIL}
        return RESTResponse(200, json=OK, headers={"X-Request-Id": "rid-m"})

    async with mock_client(handler) as client:
        info = await persona.AsyncAccountApi(client).account_forgot_pass_post_with_http_info(BODY)
    assert info.request_id == "rid-m"


@pytest.mark.asyncio
async def test_deadline_bounds_a_call_whose_handler_never_answers() -> None:
    async def handler(request: CoreRequest) -> RESTResponse:
        await asyncio.sleep(60)
        raise AssertionError("unreachable")

    class Slow:
        """An AsyncTransport that honours the attempt's deadline, as real ones must."""

        async def send(self, request: CoreRequest, timeout: Any) -> RESTResponse:
            try:
                return await asyncio.wait_for(handler(request), timeout.remaining())
            except asyncio.TimeoutError:
                raise persona.ApiTimeoutError("deadline exceeded") from None

        async def close(self) -> None:
            pass

    config = persona.Configuration(host="http://mock.test/v1", **{**FAST, "deadline": 0.5})
    started = time.monotonic()
    async with persona.AsyncApiClient(config, transport=Slow()) as client:
        with pytest.raises(persona.ApiTimeoutError):
            await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
    assert time.monotonic() - started < 2


@pytest.mark.asyncio
async def test_with_options_shares_the_pool_and_changes_retries(
    server: ReferenceServer,
) -> None:
    server.inject_fault("status:503", times=5, retry_after=0)
    async with persona.AsyncApiClient(persona.Configuration(host=server.url, **FAST)) as client:
        strict = client.with_options(max_retries=0, headers={"X-Via": "opts"})
        assert isinstance(strict, persona.AsyncApiClient)
        assert strict.transport is client.transport
        with pytest.raises(persona.ServiceException):
            await persona.AsyncAccountApi(strict).account_forgot_pass_post(BODY)
        assert server.request_count() == 1
        assert server.requests[-1].header("X-Via") == "opts"
        await strict.close()  # does not close the pool it shares
        patient = client.with_options(max_retries=5, timeout=1.0, deadline=5)
        assert (await persona.AsyncAccountApi(patient).account_forgot_pass_post(BODY)).success
    assert server.request_count() == 6


@pytest.mark.filterwarnings("ignore:.*in use by a client:DeprecationWarning")  # 1.x: still applied
@pytest.mark.asyncio
async def test_a_configuration_change_makes_a_new_session(server: ReferenceServer) -> None:
    config = persona.Configuration(host=server.url, **FAST)
    async with persona.AsyncApiClient(config) as client:
        api = persona.AsyncAccountApi(client)
        await api.account_forgot_pass_post(BODY)
        first = client.transport._current  # type: ignore[attr-defined]
        config.max_retries = 1  # not a pool setting: same session
        await api.account_forgot_pass_post(BODY)
        assert client.transport._current is first  # type: ignore[attr-defined]
        config.connection_pool_maxsize = 4  # a pool setting: a new one
        await api.account_forgot_pass_post(BODY)
        assert client.transport._current is not first  # type: ignore[attr-defined]


# -- lifecycle -------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_closed_client_refuses_calls(server: ReferenceServer) -> None:
    client = persona.AsyncApiClient(persona.Configuration(host=server.url))
    api = persona.AsyncAccountApi(client)
    assert (await api.account_forgot_pass_post(BODY)).success is True
    await client.close()
    await client.close()  # idempotent
    assert client.closed
    assert "closed" in repr(client)
    with pytest.raises(persona.ApiClosedError, match="AsyncApiClient is closed"):
        await api.account_forgot_pass_post(BODY)


@pytest.mark.asyncio
async def test_transport_closed_under_a_with_options_client_refuses_calls(
    server: ReferenceServer,
) -> None:
    client = persona.AsyncApiClient(persona.Configuration(host=server.url))
    child = client.with_options(max_retries=0)
    await client.close()
    with pytest.raises(persona.ApiClosedError):
        await persona.AsyncAccountApi(child).account_forgot_pass_post(BODY)


def test_unclosed_client_gives_a_resource_warning() -> None:
    client = persona.AsyncApiClient(persona.Configuration(host="http://127.0.0.1:9/v1"))
    with pytest.warns(ResourceWarning, match="unclosed AsyncApiClient"):  # noqa: PT031
        del client  # no reference cycle: collected here
        gc.collect()


def test_with_options_copy_does_not_warn() -> None:
    client = persona.AsyncApiClient(persona.Configuration(host="http://127.0.0.1:9/v1"))
    child = client.with_options(max_retries=1)
    del child
    gc.collect()  # no warning: the copy owns nothing
    run_in_a_new_loop(client.close())


def test_a_second_event_loop_raises_api_event_loop_error(server: ReferenceServer) -> None:
    client = persona.AsyncApiClient(persona.Configuration(host=server.url))
    api = persona.AsyncAccountApi(client)
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert first.run_until_complete(api.account_forgot_pass_post(BODY)).success is True
        with pytest.raises(persona.ApiEventLoopError, match="another event loop") as info:
            second.run_until_complete(api.account_forgot_pass_post(BODY))
        assert isinstance(info.value, persona.ApiException)
        assert info.value.status == 0
        with pytest.raises(persona.ApiEventLoopError, match="close this AsyncApiClient"):
            second.run_until_complete(client.close())
        first.run_until_complete(client.close())
    finally:
        first.close()
        second.close()
    assert server.request_count() == 1


def test_async_account_api_refuses_a_sync_client() -> None:
    with (
        persona.ApiClient() as sync_client,
        pytest.raises(persona.ApiTypeError, match="use AccountApi"),
    ):
        persona.AsyncAccountApi(sync_client)  # type: ignore[arg-type]


def test_a_transport_without_an_async_send_is_refused() -> None:
    class SyncOnly:
        def send(self, request: Any, timeout: Any) -> None: ...

    with pytest.raises(persona.ApiTypeError, match="async send"):
        persona.AsyncApiClient(transport=SyncOnly())  # type: ignore[arg-type]


# -- cancellation ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_cancelled_call_raises_cancelled_error_and_a_retry_with_the_same_key_replays(
    server: ReferenceServer,
) -> None:
    server.inject_fault("stall:1.0", times=1, path="/account/forgotPass")
    async with persona.AsyncApiClient(persona.Configuration(host=server.url, **FAST)) as client:
        api = persona.AsyncAccountApi(client)
        task = asyncio.ensure_future(api.account_forgot_pass_post(BODY, _idempotency_key="call-1"))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(1.0)  # the stalled attempt finishes its work server-side
        again = await api.account_forgot_pass_post(BODY, _idempotency_key="call-1")
        assert again.success is True
    assert server.request_count("/account/forgotPass") == 2
    assert len(server.outbox) == 1  # the retry was a replay: one code mailed


def _echo_in_parts(conn: Conn, req: Request) -> None:
    """An answer in three writes with short pauses, echoing the call's key as its
    request id: a reused half-read connection would hand a call someone else's answer."""
    key = req.header("Idempotency-Key") or "-"
    body = b'{"success": true, "message": "' + key.encode() + b'"}'
    conn.send(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"X-Request-Id: {key}\r\nContent-Length: {len(body)}\r\n".encode()
    )
    conn.server.stopping.wait(random.uniform(0, 0.004))
    conn.send(b"\r\n" + body[:10])
    conn.server.stopping.wait(random.uniform(0, 0.004))
    conn.send(body[10:])


@pytest.mark.asyncio
async def test_cancellation_storm_leaves_the_client_healthy_and_no_connection_half_read() -> None:
    with ScriptedServer(_echo_in_parts) as srv:
        config = persona.Configuration(host=srv.url(), **FAST)
        async with persona.AsyncApiClient(config) as client:
            api = persona.AsyncAccountApi(client)
            tasks = [
                asyncio.ensure_future(api.account_forgot_pass_post(BODY, _idempotency_key=f"c{i}"))
                for i in range(500)
            ]
            rng = random.Random(10)
            for task in tasks:
                if rng.random() < 0.5:
                    await asyncio.sleep(rng.uniform(0, 0.002))
                task.cancel()
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(
                isinstance(o, (asyncio.CancelledError, persona.ForgotPasswordResponse))
                for o in outcomes
            ), {type(o) for o in outcomes}
            assert any(isinstance(o, asyncio.CancelledError) for o in outcomes)

            async def call(i: int) -> None:
                key = f"after-{i}"
                info = await api.account_forgot_pass_post_with_http_info(BODY, _idempotency_key=key)
                assert info.request_id == key
                assert info.data.message == key

            await asyncio.gather(*(call(i) for i in range(100)))


# -- concurrency ----------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_1000_concurrent_calls_on_one_client_then_file_descriptors_are_back() -> None:
    with ReferenceServer({}, outbox="") as server:
        before = open_fds()
        config = persona.Configuration(host=server.url, **FAST)
        async with persona.AsyncApiClient(config) as client:
            api = persona.AsyncAccountApi(client)
            results = await asyncio.gather(
                *(
                    api.account_forgot_pass_post(
                        persona.ForgotPasswordData(email=f"user{i}@example.com")
                    )
                    for i in range(1000)
                )
            )
        assert all(r.success for r in results)
        assert server.request_count("/account/forgotPass") == 1000
        for _ in range(100):  # the server closes its ends once it sees ours closed
            if open_fds() <= before:
                break
            await asyncio.sleep(0.05)
        assert open_fds() <= before


# -- the async extra --------------------------------------------------------------------------
def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
    )


def test_sync_client_never_imports_aiohttp(server: ReferenceServer) -> None:
    result = _run(
        f"""
        import sys
        import persona
        from persona.api import AccountApi, AsyncAccountApi
        with persona.ApiClient(persona.Configuration(host={server.url!r})) as client:
            AccountApi(client).account_forgot_pass_post(
                persona.ForgotPasswordData(email="ann@example.com"))
        assert "aiohttp" not in sys.modules, "aiohttp was imported"
        # asyncio too costs a sync user ~15 ms of import for nothing
        assert "asyncio" not in sys.modules, "asyncio was imported"
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_without_aiohttp_the_async_names_raise_import_error_naming_the_extra() -> None:
    result = _run(
        """
        import sys

        class NoAiohttp:
            def find_spec(self, name, path=None, target=None):
                if name == "aiohttp" or name.startswith("aiohttp."):
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None

        sys.meta_path.insert(0, NoAiohttp())
        import persona
        persona.ApiClient().close()  # the sync client works without it
        for name in ("AsyncApiClient", "AsyncAccountApi"):
            try:
                getattr(persona, name)
            except ImportError as exc:
                print(name, exc)
            else:
                raise SystemExit(name + " imported without aiohttp")
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    for line in lines:
        assert "pip install 'persona-account-sdk[async]'" in line
        assert "pip install '.[async]'" in line


def test_setup_declares_the_async_extra() -> None:
    setup_py = (Path(__file__).resolve().parents[1] / "setup.py").read_text()
    assert 'extras_require={"async": ["aiohttp>=3.9"]}' in setup_py
