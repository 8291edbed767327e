"""Error messages say what to do next: the ``hint`` of an exception (part of ``str(e)``),
for the sync and the async client, over real loopback connections.

- a 401 ``invalid_code``: check the code, or ask for a new one (``forgotPass``);
  ``invalid_token``: start again;
- a host name that does not resolve: check the host (``PERSONA_HOST``);
- ``https://`` to a plain-HTTP server: use ``http://`` (and its one attempt is counted);
- a refused loopback connection: start the reference server on the port the client was
  configured with.

No hint, and no message, holds the code, token or password the call carried.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator
from typing import Any, Callable

import pytest
import trustme
from _faultserver import Conn, Request, ScriptedServer

import persona
from persona.testing import ReferenceServer

EMAIL = "ann@example.com"
PASSWORD = "old-pass-1"
NEW_PASSWORD = "brand-new-secret-9"
WRONG_CODE = "917364"
FAST: dict[str, Any] = {"timeout": 2, "backoff_base": 0.01, "backoff_max": 0.05, "deadline": 10}


def sync_call(host: str, operation: str, body: Any, **settings: Any) -> Any:
    """``operation(body)`` through a fresh sync client; its exception, or its result."""
    config = persona.Configuration(host=host, **{**FAST, **settings})
    with persona.ApiClient(config) as client:
        try:
            return getattr(persona.AccountApi(client), operation)(body)
        except persona.ApiException as exc:
            return exc


def async_call(host: str, operation: str, body: Any, **settings: Any) -> Any:
    """The same through a fresh AsyncApiClient, in its own event loop."""

    async def run() -> Any:
        config = persona.Configuration(host=host, **{**FAST, **settings})
        async with persona.AsyncApiClient(config) as client:
            try:
                return await getattr(persona.AsyncAccountApi(client), operation)(body)
            except persona.ApiException as exc:
                return exc

    # Not asyncio.run: on Python 3.9 it drops the thread's current loop (pytest-asyncio
    # keeps one there) unclosed, and its socketpair surfaces later as a ResourceWarning.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


CLIENTS = pytest.mark.parametrize("call", [sync_call, async_call], ids=["sync", "async"])
Call = Callable[..., Any]


def assert_no_secret(exc: persona.ApiException, *secrets: str) -> None:
    for text in (str(exc), repr(exc), exc.hint or "", exc.reason or ""):
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {text!r}"


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={EMAIL: PASSWORD}) as srv:
        yield srv


def mailed_code(server: ReferenceServer, call: Call) -> str:
    call(server.url, "account_forgot_pass_post", persona.ForgotPasswordData(email=EMAIL))
    code = server.last_code(EMAIL)
    assert code is not None
    return code


# -- 401: what to do about a code or a token --------------------------------------------


@CLIENTS
def test_a_wrong_or_used_code_says_to_check_it_or_ask_for_a_new_one(
    server: ReferenceServer, call: Call
) -> None:
    code = mailed_code(server, call)
    bad = persona.CodeForTokenData(email=EMAIL, code=WRONG_CODE)
    wrong = call(server.url, "account_code_for_token_post", bad)
    good = persona.CodeForTokenData(email=EMAIL, code=code)
    assert isinstance(call(server.url, "account_code_for_token_post", good), persona.TokenResponse)
    used = call(server.url, "account_code_for_token_post", good)
    for exc in (wrong, used):
        assert isinstance(exc, persona.UnauthorizedException), exc
        assert exc.error_code == "invalid_code"
        assert exc.hint is not None
        assert exc.hint == (
            "check the code, or ask for a new one with forgotPass (account_forgot_pass_post) "
            "if it was used or has expired"
        )
        assert f"(hint: {exc.hint})" in str(exc)
        assert_no_secret(exc, code, WRONG_CODE)


@CLIENTS
def test_a_used_token_says_to_start_again(server: ReferenceServer, call: Call) -> None:
    code = mailed_code(server, call)
    reply = call(
        server.url, "account_code_for_token_post", persona.CodeForTokenData(email=EMAIL, code=code)
    )
    body = persona.UpdatePasswordData(token=reply.token, new_password=NEW_PASSWORD)
    done = call(server.url, "account_reset_forgotten_password_post", body)
    assert done.success is True
    again = call(server.url, "account_reset_forgotten_password_post", body)
    assert isinstance(again, persona.UnauthorizedException), again
    assert again.error_code == "invalid_token"
    assert again.hint is not None
    assert again.hint == (
        "a reset token works once and expires: start again with forgotPass "
        "(account_forgot_pass_post), then codeForToken"
    )
    assert f"(hint: {again.hint})" in str(again)
    assert_no_secret(again, reply.token, NEW_PASSWORD, code)


@CLIENTS
def test_other_statuses_get_no_401_hint(server: ReferenceServer, call: Call) -> None:
    server.inject_fault("status:409", path="/account/forgotPass")
    exc = call(server.url, "account_forgot_pass_post", persona.ForgotPasswordData(email=EMAIL))
    assert isinstance(exc, persona.ConflictException), exc
    assert exc.hint is None


# -- the host: a name that does not resolve, https to plain http, nobody listening -----


@CLIENTS
def test_a_host_name_that_does_not_resolve_says_to_check_the_host(call: Call) -> None:
    exc = call(
        "http://no-such-host.invalid/v1",
        "account_forgot_pass_post",
        persona.ForgotPasswordData(email=EMAIL),
        max_retries=0,
    )
    assert type(exc) is persona.ApiConnectionError, exc
    assert "Failed to resolve 'no-such-host.invalid'" in str(exc)
    assert exc.hint == ("the host name does not resolve: check Configuration.host or PERSONA_HOST")
    assert str(exc).endswith(f"(hint: {exc.hint})")


@CLIENTS
def test_https_to_a_plain_http_server_says_to_use_http_and_counts_its_attempt(
    server: ReferenceServer, call: Call
) -> None:
    before = server.request_count()
    https = server.url.replace("http://", "https://")
    exc = call(https, "account_forgot_pass_post", persona.ForgotPasswordData(email=EMAIL))
    assert type(exc) is persona.ApiTLSError, exc
    netloc = server.url.split("://", 1)[1].split("/", 1)[0]
    assert exc.hint == (
        f"the server does not answer in TLS; if it serves plain HTTP, use http://{netloc} "
        "in the host, not https://"
    )
    assert exc.attempts == 1  # max_retries=2, but a TLS failure is final
    assert server.request_count() == before  # no request was understood


def _answer(conn: Conn, req: Request) -> None:
    conn.respond(200, b'{"success": true}')


@CLIENTS
def test_an_untrusted_certificate_gets_no_plain_http_hint(ca: trustme.CA, call: Call) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    with ScriptedServer(_answer, ssl_context=context) as srv:
        body = persona.ForgotPasswordData(email=EMAIL)
        exc = call(srv.url("localhost"), "account_forgot_pass_post", body)
    assert type(exc) is persona.ApiTLSError, exc
    assert "certificate verify failed" in str(exc)
    assert exc.hint is None
    assert exc.attempts == 1


@CLIENTS
def test_a_refused_connection_names_the_configured_port(call: Call) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # released: nothing listens there
    exc = call(
        f"http://127.0.0.1:{port}/v1",
        "account_forgot_pass_post",
        persona.ForgotPasswordData(email=EMAIL),
        max_retries=0,
    )
    assert type(exc) is persona.ApiConnectionError, exc
    assert exc.hint == (
        f"is the server running? For a local one: python -m persona.testing serve --port {port}"
    )
