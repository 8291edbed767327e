"""End to end: the SDK against the reference server over loopback, rule by rule.

The server is an independent implementation of the contract (it shares no code with
the SDK), so each test here checks both sides at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import persona
from persona import (
    AccountApi,
    ApiClient,
    CodeForTokenData,
    Configuration,
    ForgotPasswordData,
    UpdatePasswordData,
)
from persona.testing import ReferenceServer

EMAIL = "ann@example.com"
OLD = "old-pass-1"
NEW = "new-password-42"


class Clock:
    """A clock the test moves by hand, for the 15-minute expiries and the rate limit."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[ReferenceServer]:
    with ReferenceServer(accounts={EMAIL: OLD}, clock=clock) as srv:
        yield srv


def client_for(url: str, **config: object) -> ApiClient:
    config.setdefault("backoff_base", 0.01)
    return ApiClient(Configuration(host=url, timeout=5, **config))  # type: ignore[arg-type]


@pytest.fixture
def api(server: ReferenceServer) -> Iterator[AccountApi]:
    with client_for(server.url) as client:
        yield AccountApi(client)


def mail_code(api: AccountApi, server: ReferenceServer, email: str = EMAIL) -> str:
    api.account_forgot_pass_post(ForgotPasswordData(email=email))
    code = server.last_code(email)
    assert code is not None
    return code


def test_the_whole_flow_resets_the_password_once(api: AccountApi, server: ReferenceServer):
    sent = api.account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    assert sent.success is True
    code = server.last_code(EMAIL)
    assert code is not None
    assert len(code) == 6
    assert code.isdigit()

    info = api.account_code_for_token_post_with_http_info(CodeForTokenData(email=EMAIL, code=code))
    token_reply, status, headers = info
    assert status == 200
    assert info.request_id == headers["X-Request-Id"]
    assert token_reply.token
    assert token_reply.expires_at is not None
    remaining = token_reply.expires_at - datetime.now(timezone.utc)
    assert timedelta(minutes=14) < remaining <= timedelta(minutes=15, seconds=5)

    done = api.account_reset_forgotten_password_post(
        UpdatePasswordData(token=token_reply.token, new_password=NEW)
    )
    assert done.success is True
    assert server.check_password(EMAIL, NEW)
    assert not server.check_password(EMAIL, OLD)

    with pytest.raises(persona.UnauthorizedException) as spent:
        api.account_reset_forgotten_password_post(
            UpdatePasswordData(token=token_reply.token, new_password="yet-another-1")
        )
    assert spent.value.error_code == "invalid_token"
    assert server.check_password(EMAIL, NEW)


def test_unknown_account_gets_the_same_answer(api: AccountApi, server: ReferenceServer):
    known = api.account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    unknown = api.account_forgot_pass_post(ForgotPasswordData(email="nobody@example.com"))
    assert known == unknown
    assert server.last_code("nobody@example.com") is None


def test_a_code_is_single_use(api: AccountApi, server: ReferenceServer):
    code = mail_code(api, server)
    api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=code))
    with pytest.raises(persona.UnauthorizedException) as again:
        api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=code))
    assert again.value.error_code == "invalid_code"


def test_five_wrong_tries_burn_the_code(api: AccountApi, server: ReferenceServer):
    code = mail_code(api, server)
    wrong = "999999" if code != "999999" else "000000"
    for _ in range(5):
        with pytest.raises(persona.UnauthorizedException):
            api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=wrong))
    with pytest.raises(persona.UnauthorizedException) as burnt:
        api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=code))
    assert burnt.value.error_code == "invalid_code"


def test_a_new_code_replaces_the_old(api: AccountApi, server: ReferenceServer):
    first = mail_code(api, server)
    second = mail_code(api, server)
    if first != second:  # one in a million they are equal
        with pytest.raises(persona.UnauthorizedException):
            api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=first))
    assert api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=second)).token


def test_codes_and_tokens_expire_after_15_minutes(
    api: AccountApi, server: ReferenceServer, clock: Clock
):
    code = mail_code(api, server)
    clock.advance(15 * 60 + 1)
    with pytest.raises(persona.UnauthorizedException):
        api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=code))

    code = mail_code(api, server)
    token = api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=code)).token
    clock.advance(15 * 60 + 1)
    with pytest.raises(persona.UnauthorizedException) as expired:
        api.account_reset_forgotten_password_post(UpdatePasswordData(token=token, new_password=NEW))
    assert expired.value.error_code == "invalid_token"
    assert server.check_password(EMAIL, OLD)


def test_rate_limit_raises_at_once_with_retry_after(
    api: AccountApi, server: ReferenceServer, clock: Clock
):
    for _ in range(5):
        api.account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    started = time.monotonic()
    with pytest.raises(persona.TooManyRequestsException) as limited:
        api.account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    # The server asks for up to a minute, over max_retry_after (10 s): no waiting, no retry.
    assert time.monotonic() - started < 5
    assert limited.value.error_code == "rate_limited"
    assert limited.value.retry_after is not None
    assert limited.value.retry_after > 10
    assert server.request_count("/account/forgotPass") == 6
    clock.advance(61)
    assert api.account_forgot_pass_post(ForgotPasswordData(email=EMAIL)).success


def test_a_short_retry_after_is_waited_out_and_retried(server: ReferenceServer):
    server.inject_fault("status:429", retry_after=1)
    with client_for(server.url) as client:
        started = time.monotonic()
        reply = AccountApi(client).account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    assert reply.success
    assert 0.9 <= time.monotonic() - started < 10
    keys = {r.header("Idempotency-Key") for r in server.requests}
    assert len(keys) == 1
    assert server.request_count() == 2


def test_same_idempotency_key_replays_without_mailing_twice(
    api: AccountApi, server: ReferenceServer
):
    body = ForgotPasswordData(email=EMAIL)
    first = api.account_forgot_pass_post_with_http_info(body, _idempotency_key="reset-ann-1")
    second = api.account_forgot_pass_post_with_http_info(body, _idempotency_key="reset-ann-1")
    assert first.data == second.data
    assert len(server.outbox) == 1
    with pytest.raises(persona.ConflictException) as conflict:
        api.account_forgot_pass_post(
            ForgotPasswordData(email="bob@example.com"), _idempotency_key="reset-ann-1"
        )
    assert conflict.value.error_code == "idempotency_conflict"


def test_a_dropped_answer_is_retried_and_mails_one_code(server: ReferenceServer):
    server.inject_fault("drop_after")
    with client_for(server.url) as client:
        assert AccountApi(client).account_forgot_pass_post(ForgotPasswordData(email=EMAIL)).success
    assert len(server.outbox) == 1
    assert server.request_count() == 2


def test_two_threads_redeeming_one_code_exactly_one_wins(server: ReferenceServer):
    with client_for(server.url, max_retries=0) as client:
        api = AccountApi(client)
        code = mail_code(api, server)
        barrier = threading.Barrier(2)
        outcomes: list[object] = []

        def redeem() -> None:
            barrier.wait(timeout=10)
            try:
                outcomes.append(
                    api.account_code_for_token_post(CodeForTokenData(email=EMAIL, code=code))
                )
            except persona.ApiException as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=redeem) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    winners = [o for o in outcomes if isinstance(o, persona.TokenResponse)]
    losers = [o for o in outcomes if isinstance(o, persona.UnauthorizedException)]
    assert (len(winners), len(losers)) == (1, 1)


def test_state_survives_a_restart_with_a_database_file(tmp_path: Path):
    db = str(tmp_path / "persona.sqlite3")
    with ReferenceServer(accounts={EMAIL: OLD}, db=db) as first, client_for(first.url) as client:
        code = mail_code(AccountApi(client), first)
    with ReferenceServer(db=db) as second, client_for(second.url) as client:
        token = AccountApi(client).account_code_for_token_post(
            CodeForTokenData(email=EMAIL, code=code)
        )
        AccountApi(client).account_reset_forgotten_password_post(
            UpdatePasswordData(token=token.token, new_password=NEW)
        )
        assert second.check_password(EMAIL, NEW)


def test_policy_violations_are_refused_before_the_server_sees_them(
    api: AccountApi, server: ReferenceServer
):
    with pytest.raises(persona.ApiValueError, match=r"UpdatePasswordData\.new_password"):
        api.account_reset_forgotten_password_post(
            UpdatePasswordData(token="t", new_password="7chars!")
        )
    assert server.request_count() == 0


def test_server_side_validation_answers_400_when_client_checks_are_off(server: ReferenceServer):
    # A one-letter token must not mask every "t" of the answer (only whole-string echoes).
    with (
        client_for(server.url, client_side_validation=False) as client,
        pytest.raises(persona.BadRequestException) as bad,
    ):
        AccountApi(client).account_reset_forgotten_password_post(
            UpdatePasswordData(token="t", new_password="short")
        )
    assert bad.value.error_code == "invalid_request"
    assert "newPassword" in (bad.value.error_message or "")
    assert "short" not in str(bad.value)


def test_unknown_path_is_not_found(server: ReferenceServer):
    with (
        client_for(server.url.replace("/v1", "/v2")) as client,
        pytest.raises(persona.NotFoundException) as missing,
    ):
        AccountApi(client).account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    assert missing.value.error_code == "not_found"
    assert missing.value.request_id


def test_oversized_body_is_refused_with_413(api: AccountApi):
    body = ForgotPasswordData(email=EMAIL, additional_properties={"padding": "x" * 70_000})
    with pytest.raises(persona.ApiException) as too_big:
        api.account_forgot_pass_post(body)
    assert too_big.value.status == 413
    assert too_big.value.error_code == "payload_too_large"


def test_wrong_content_type_is_refused_with_415(api: AccountApi):
    with pytest.raises(persona.ApiException) as wrong:
        api.account_forgot_pass_post(
            ForgotPasswordData(email=EMAIL), _headers={"Content-Type": "text/plain"}
        )
    assert wrong.value.status == 415
    assert wrong.value.error_code == "unsupported_media_type"


def test_server_fault_is_a_service_exception_after_retries(server: ReferenceServer):
    server.inject_fault("status:500", times=5)
    with (
        client_for(server.url, max_retries=2) as client,
        pytest.raises(persona.ServiceException) as failed,
    ):
        AccountApi(client).account_forgot_pass_post(ForgotPasswordData(email=EMAIL))
    assert failed.value.status == 500
    assert server.request_count() == 1  # 500 is not one of the retried statuses
