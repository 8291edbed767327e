"""Neither client keeps the cookies a server sets: a ``Set-Cookie`` on one answer is not
sent back on the next call (only ``ApiClient(cookie=...)`` sends a Cookie header), so
the sync and the async client send the same requests."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

import persona

OK = {"success": True, "message": "sent"}
BODY = persona.ForgotPasswordData(email="ann@example.com")


def serve(httpserver: HTTPServer) -> str:
    httpserver.expect_request("/v1/account/forgotPass", method="POST").respond_with_json(
        OK, headers={"Set-Cookie": "session=abc123; Path=/"}
    )
    return httpserver.url_for("/v1")


def cookies(httpserver: HTTPServer) -> list[object]:
    return [request.headers.get("Cookie") for request, _ in httpserver.log]


def test_the_sync_client_keeps_no_cookie(httpserver: HTTPServer) -> None:
    config = persona.Configuration(host=serve(httpserver))
    with persona.ApiClient(config) as client:
        api = persona.AccountApi(client)
        api.account_forgot_pass_post(BODY)
        api.account_forgot_pass_post(BODY)
    assert cookies(httpserver) == [None, None]


@pytest.mark.asyncio
async def test_the_async_client_keeps_no_cookie(httpserver: HTTPServer) -> None:
    config = persona.Configuration(host=serve(httpserver))
    async with persona.AsyncApiClient(config) as client:
        api = persona.AsyncAccountApi(client)
        await api.account_forgot_pass_post(BODY)
        await api.account_forgot_pass_post(BODY)
    assert cookies(httpserver) == [None, None]


@pytest.mark.asyncio
async def test_the_cookie_given_is_the_one_sent(httpserver: HTTPServer) -> None:
    config = persona.Configuration(host=serve(httpserver))
    async with persona.AsyncApiClient(config, cookie="mine=1") as client:
        await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
        await persona.AsyncAccountApi(client).account_forgot_pass_post(BODY)
    with persona.ApiClient(config, cookie="mine=1") as sync_client:
        persona.AccountApi(sync_client).account_forgot_pass_post(BODY)
    assert cookies(httpserver) == ["mine=1", "mine=1", "mine=1"]
