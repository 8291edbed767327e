"""``python -m persona demo``: the whole password-reset flow, offline, step by step.

It starts a reference server on a free loopback port, creates an account, and drives
the SDK through forgotPass → the e-mailed code (read from the server's outbox) →
codeForToken → resetForgottenPassword, then proves that the new password took and
that the token cannot be used twice. Secrets are shown masked.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional, TextIO

from .api.account_api import AccountApi
from .api_client import ApiClient, ApiResponse
from .configuration import Configuration
from .exceptions import ApiException, UnauthorizedException
from .models import CodeForTokenData, ForgotPasswordData, UpdatePasswordData

__all__ = ["run_demo"]

EMAIL = "ann@example.com"
OLD_PASSWORD = "old-pass-1"  # noqa: S105 -- a throw-away demo account
NEW_PASSWORD = "correct horse battery staple"  # noqa: S105


class _DemoFailed(Exception):
    """A step did not give what the contract promises."""


def _mask(secret: str) -> str:
    return f"{secret[:2]}****** ({len(secret)} characters)" if len(secret) > 8 else "******"


def run_demo(out: TextIO, *, timeout: Optional[float] = None) -> int:
    """Run the demo, printing each step to ``out``; return the exit status (0 = all good)."""
    from .testing import ReferenceServer  # only the demo needs the server

    # outbox="": the demo's codes stay in memory, out of any $PERSONA_OUTBOX file.
    step_number = 0

    def step(title: str, call: Callable[[], ApiResponse[Any]]) -> Any:
        nonlocal step_number
        step_number += 1
        started = time.perf_counter()
        result = call()
        ms = (time.perf_counter() - started) * 1000
        out.write(
            f"{step_number}. {title}: HTTP {result.status} in {ms:.1f} ms "
            f"(request id {result.request_id})\n"
        )
        return result.data

    def check(ok: bool, what: str) -> None:
        if not ok:
            raise _DemoFailed(what)
        out.write(f"   ok: {what}\n")

    out.write("persona demo: the password-reset flow against a local reference server\n")
    try:
        with (
            ReferenceServer(accounts={EMAIL: OLD_PASSWORD}, outbox="") as server,
            ApiClient(Configuration(host=server.url, timeout=timeout)) as client,
        ):
            out.write(f"   server {server.url}, account {EMAIL}\n")
            if server.outbox_url:
                out.write(f"   its outbox page: {server.outbox_url} (while it runs)\n")
            api = AccountApi(client)

            sent = step(
                "forgotPass",
                lambda: api.account_forgot_pass_post_with_http_info(
                    ForgotPasswordData(email=EMAIL)
                ),
            )
            check(sent.success is True, f"a code was e-mailed ({sent.message})")
            code = server.last_code(EMAIL)
            if code is None:
                raise _DemoFailed("no code reached the outbox")
            out.write(f"   the e-mail in the outbox holds the code {_mask(code)}\n")

            token_reply = step(
                "codeForToken",
                lambda: api.account_code_for_token_post_with_http_info(
                    CodeForTokenData(email=EMAIL, code=code)
                ),
            )
            token = token_reply.token
            out.write(f"   token {_mask(token)}, expires at {token_reply.expires_at}\n")

            reset = UpdatePasswordData(token=token, new_password=NEW_PASSWORD)
            done = step(
                "resetForgottenPassword",
                lambda: api.account_reset_forgotten_password_post_with_http_info(reset),
            )
            check(done.success is True, "the service accepted the new password")
            check(server.check_password(EMAIL, NEW_PASSWORD), "the new password works")
            check(not server.check_password(EMAIL, OLD_PASSWORD), "the old password no longer does")

            try:
                api.account_reset_forgotten_password_post(reset)
            except UnauthorizedException as exc:
                check(
                    exc.error_code == "invalid_token",
                    f"the token cannot be used twice ({exc.status} {exc.error_code})",
                )
            else:
                raise _DemoFailed("the token was accepted a second time")
    except (ApiException, _DemoFailed) as exc:
        out.write(f"demo failed: {exc}\n")
        return 1
    out.write("demo complete: the password was reset, and the token is spent.\n")
    return 0
