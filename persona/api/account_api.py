"""AccountApi: the three password-reset operations of the Persona Account API.

Each method is one :class:`~persona.core.request.Operation` handed to the client; the
client, the core and the transport do the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, cast

from ..api_client import ApiClient
from ..core.request import Operation
from ..core.response import ApiResponse
from ..models import (
    CodeForTokenData,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
)

if TYPE_CHECKING:
    from .options import OperationMethod

__all__ = ["CODE_FOR_TOKEN", "FORGOT_PASS", "OPERATIONS", "RESET_FORGOTTEN_PASSWORD", "AccountApi"]

FORGOT_PASS = Operation(
    "account_forgot_pass_post", "/account/forgotPass", ForgotPasswordData, ForgotPasswordResponse
)
CODE_FOR_TOKEN = Operation(
    "account_code_for_token_post", "/account/codeForToken", CodeForTokenData, TokenResponse
)
RESET_FORGOTTEN_PASSWORD = Operation(
    "account_reset_forgotten_password_post",
    "/account/resetForgottenPassword",
    UpdatePasswordData,
    ForgotPasswordResponse,
)
#: Every operation of the API, with its summary (the first line of its docs).
OPERATIONS = {
    FORGOT_PASS: """Forgot Password: e-mail a one-time reset code to the account.

        The answer is the same whether or not the account exists.
        Raises :class:`persona.exceptions.ApiException` (or a subclass) on failure;
        429 :class:`TooManyRequestsException` after 5 requests a minute for one e-mail.
        """,
    CODE_FOR_TOKEN: """Get a password reset token in exchange for the e-mailed code.

        Raises :class:`persona.exceptions.UnauthorizedException` (``invalid_code``) when
        the code is wrong, expired or already used, and
        :class:`TooManyRequestsException` after 10 wrong codes for one e-mail in
        15 minutes.
        """,
    RESET_FORGOTTEN_PASSWORD: """Reset a forgotten password with a token.

        Raises :class:`persona.exceptions.UnauthorizedException` (``invalid_token``) when
        the token is wrong, expired or already used.
        """,
}

OPTIONS_DOC = """
        Keyword options: ``async_req`` (return an ``ApplyResult``; ``.get()`` gives
        the result), ``_request_timeout`` (seconds, a ``(connect, read)`` pair or a
        ``Timeout``, per attempt), ``_idempotency_key`` (default: a fresh key, kept
        across retries), ``_headers`` (extra request headers), ``_preload_content``
        (False returns the undecoded :class:`persona.rest.RESTResponse`),
        ``_return_http_data_only``.
"""


def operation_method(operation: Operation, *, with_http_info: bool, doc: str) -> Callable[..., Any]:
    """The method that calls ``operation`` through ``self.api_client``."""

    def method(self: Any, body: Any = None, **options: Any) -> Any:
        return self.api_client.call_operation(
            operation, body, with_http_info=with_http_info, **options
        )

    method.__name__ = method.__qualname__ = operation.name + (
        "_with_http_info" if with_http_info else ""
    )
    method.__doc__ = doc + OPTIONS_DOC
    return method


def _methods(operation: Operation) -> tuple[Callable[..., Any], Callable[..., Any]]:
    doc = OPERATIONS[operation]
    summary = doc.split(":", 1)[0].split("\n", 1)[0].rstrip(".")
    return (
        operation_method(operation, with_http_info=False, doc=doc),
        operation_method(
            operation,
            with_http_info=True,
            doc=f"{summary}, returning ``ApiResponse(data, status, headers)``.\n",
        ),
    )


_forgot, _forgot_info = _methods(FORGOT_PASS)
_code, _code_info = _methods(CODE_FOR_TOKEN)
_reset, _reset_info = _methods(RESET_FORGOTTEN_PASSWORD)


class AccountApi:
    """The password-reset flow: :meth:`account_forgot_pass_post` e-mails a code,
    :meth:`account_code_for_token_post` exchanges it for a token, and
    :meth:`account_reset_forgotten_password_post` sets the new password. Each method
    has a ``*_with_http_info`` twin returning ``ApiResponse(data, status, headers)``.

    :param api_client: the client to send with; default :meth:`ApiClient.get_default`.
    """

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    account_forgot_pass_post = cast(
        "OperationMethod[ForgotPasswordData, ForgotPasswordResponse]", _forgot
    )
    account_forgot_pass_post_with_http_info = cast(
        "OperationMethod[ForgotPasswordData, ApiResponse[ForgotPasswordResponse]]", _forgot_info
    )
    account_code_for_token_post = cast("OperationMethod[CodeForTokenData, TokenResponse]", _code)
    account_code_for_token_post_with_http_info = cast(
        "OperationMethod[CodeForTokenData, ApiResponse[TokenResponse]]", _code_info
    )
    account_reset_forgotten_password_post = cast(
        "OperationMethod[UpdatePasswordData, ForgotPasswordResponse]", _reset
    )
    account_reset_forgotten_password_post_with_http_info = cast(
        "OperationMethod[UpdatePasswordData, ApiResponse[ForgotPasswordResponse]]", _reset_info
    )
