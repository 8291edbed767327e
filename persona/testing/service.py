"""The three operations of the contract, on top of the store and the outbox.

This module knows nothing about HTTP: it takes an operation's path and the raw request body
and returns an :class:`Answer` (status, JSON text, extra headers). The HTTP layer
(``server.py``) does framing, content types, idempotency and faults around it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from persona.testing.operations import OperationSpec
from persona.testing.outbox import EXPIRED, USED, Outbox, compose, rfc3339
from persona.testing.passwords import hash_password
from persona.testing.rules import RuleViolation, parse_body
from persona.testing.store import Store

#: Operation paths, relative to the ``/v1`` base path (paths, not secrets: hence the noqa).
FORGOT_PASS = "/account/forgotPass"  # noqa: S105
CODE_FOR_TOKEN = "/account/codeForToken"  # noqa: S105
RESET_PASSWORD = "/account/resetForgottenPassword"  # noqa: S105

#: The same answer for every well-formed forgotPass, so it cannot tell who has an account.
FORGOT_MESSAGE = "If an account exists for this address, a code has been sent to it."


@dataclass(frozen=True)
class Answer:
    """A response to send: status, JSON body text, extra headers.

    ``replayable`` says whether an Idempotency-Key may replay it later. Only answers of an
    operation that ran are remembered (2xx, and 401, which counted a wrong try): a 400 did
    no work, so the caller may fix the body and send it again with the same key; a 429 or
    5xx only says "not now", so a retry with the same key is really retried.
    """

    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def replayable(self) -> bool:
        """Whether this answer is remembered under the request's Idempotency-Key."""
        return self.status < 400 or self.status == 401


def json_answer(
    status: int, body: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()
) -> Answer:
    """An :class:`Answer` with ``body`` serialized as compact JSON."""
    return Answer(status, json.dumps(body, separators=(",", ":")), headers)


def error_answer(
    status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()
) -> Answer:
    """An error :class:`Answer` with the contract's ``{"code", "message"}`` body."""
    return json_answer(status, {"code": code, "message": message}, headers)


class Service:
    """Runs the operations against one store and one outbox."""

    def __init__(self, store: Store, outbox: Outbox, rate_limit: int, guess_limit: int) -> None:
        """``rate_limit`` is the number of forgotPass per e-mail per rolling minute,
        ``guess_limit`` the number of wrong codes per e-mail per 15 minutes."""
        self.store = store
        self.outbox = outbox
        self.rate_limit = rate_limit
        self.guess_limit = guess_limit
        self._operations: dict[str, Callable[[dict[str, str]], Answer]] = {
            FORGOT_PASS: self._forgot_pass,
            CODE_FOR_TOKEN: self._code_for_token,
            RESET_PASSWORD: self._reset_password,
        }

    def implements(self, operation: OperationSpec) -> bool:
        """Whether this service runs ``operation`` (the contract's three: POST, a body)."""
        return operation.method == "POST" and operation.body and operation.path in self._operations

    def handle(self, operation: str, raw_body: bytes) -> Answer:
        """Validate ``raw_body`` for ``operation`` (a path below ``/v1``) and run it."""
        try:
            fields = parse_body(raw_body, operation)
        except RuleViolation as exc:
            return error_answer(400, "invalid_request", str(exc))
        return self._operations[operation](fields)

    def replay_guard(self, operation: str, raw_body: bytes, *, counted: bool) -> Optional[Answer]:
        """Before a request with a used Idempotency-Key is replayed or refused: for
        codeForToken, a 429 when its address is over the wrong-code limit, and, when
        ``counted`` (the request differs from the one the key answered), one try counted
        against that limit, as a wrong code is. Other operations: None."""
        if operation != CODE_FOR_TOKEN:
            return None
        try:
            email = parse_body(raw_body, operation)["email"]
        except RuleViolation:
            return None  # a malformed body guesses nothing; it gets the 409
        if counted:
            wait = self.store.count_guess(email, self.guess_limit)
        else:
            wait = self.store.guess_wait(email, self.guess_limit)
        if wait is None:
            return None
        return _too_many(wait, "too many wrong codes for this address")

    def _forgot_pass(self, fields: dict[str, str]) -> Answer:
        email = fields["email"]
        # Unknown addresses are rate-limited too: a limit only on real accounts would reveal them.
        wait = self.store.take_rate_slot(email, self.rate_limit)
        if wait is not None:
            return _too_many(wait, "too many requests for this address")
        # The same work for every address, account or not (a code stored, a mail composed
        # and posted), so that the time of the answer does not tell; only whether the mail
        # is delivered depends on the account (see Outbox.post).
        account_email, code = self.store.issue_code(email)
        letter = compose(account_email or email, code, self.store.now())
        self.outbox.post(letter, deliver=account_email is not None)
        return json_answer(200, {"success": True, "message": FORGOT_MESSAGE})

    def _code_for_token(self, fields: dict[str, str]) -> Answer:
        redeemed = self.store.redeem_code(fields["email"], fields["code"], self.guess_limit)
        if redeemed.retry_after is not None:
            return _too_many(redeemed.retry_after, "too many wrong codes for this address")
        if redeemed.token is None:
            if redeemed.burnt:
                # With or without an account alike (a lookup that finds no mail, or
                # marks it): the time of the answer must not tell.
                self.outbox.settle(fields["email"], None, EXPIRED)
            return error_answer(401, "invalid_code", "the code is wrong, expired or already used")
        self.outbox.settle(fields["email"], fields["code"], USED)
        return json_answer(
            200, {"token": redeemed.token, "expiresAt": rfc3339(redeemed.expires_at)}
        )

    def _reset_password(self, fields: dict[str, str]) -> Answer:
        # Hash before taking the store's lock: scrypt is the slow part and needs no state.
        encoded = hash_password(fields["newPassword"])
        email = self.store.reset_password(fields["token"], encoded)
        if email is None:
            return error_answer(401, "invalid_token", "the token is wrong, expired or already used")
        self.outbox.settle(email, None, EXPIRED)  # the reset cancelled the account's codes
        return json_answer(200, {"success": True, "message": "The password has been changed."})


def _too_many(wait: int, what: str) -> Answer:
    return error_answer(
        429, "rate_limited", f"{what}; retry in {wait} s", (("Retry-After", str(wait)),)
    )
