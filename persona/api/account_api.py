"""AccountApi: the three password-reset operations of the Persona Account API."""

from __future__ import annotations

from typing import Any, Optional

from ..api_client import ApiClient, ApiResponse, Operation
from ..models import (
    CodeForTokenData,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
)

__all__ = ["AccountApi"]

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

_OPTIONS_DOC = """
        Keyword options: ``async_req`` (return an ``ApplyResult``; ``.get()`` gives
        the result), ``_request_timeout`` (seconds, or a ``(connect, read)`` pair, per
        attempt), ``_idempotency_key`` (default: a fresh key, kept across retries),
        ``_headers`` (extra request headers), ``_preload_content`` (False returns the
        undecoded :class:`persona.rest.RESTResponse`), ``_return_http_data_only``.
"""


class AccountApi:
    """The password-reset flow: :meth:`account_forgot_pass_post` e-mails a code,
    :meth:`account_code_for_token_post` exchanges it for a token, and
    :meth:`account_reset_forgotten_password_post` sets the new password.

    :param api_client: the client to send with; default :meth:`ApiClient.get_default`.
    """

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    def account_forgot_pass_post(
        self, body: ForgotPasswordData, **kwargs: Any
    ) -> ForgotPasswordResponse:
        """Forgot Password: e-mail a one-time reset code to the account.

        The answer is the same whether or not the account exists.
        Raises :class:`persona.exceptions.ApiException` (or a subclass) on failure;
        429 :class:`TooManyRequestsException` after 5 requests a minute for one e-mail.
        """
        return self.api_client.call_operation(  # type: ignore[no-any-return]
            FORGOT_PASS, body, kwargs, with_http_info=False
        )

    def account_forgot_pass_post_with_http_info(
        self, body: ForgotPasswordData, **kwargs: Any
    ) -> ApiResponse:
        """Forgot Password, returning ``(data, status, headers)``."""
        return self.api_client.call_operation(  # type: ignore[no-any-return]
            FORGOT_PASS, body, kwargs, with_http_info=True
        )

    def account_code_for_token_post(self, body: CodeForTokenData, **kwargs: Any) -> TokenResponse:
        """Get a password reset token in exchange for the e-mailed code.

        Raises :class:`persona.exceptions.UnauthorizedException` (``invalid_code``) when
        the code is wrong, expired or already used.
        """
        return self.api_client.call_operation(  # type: ignore[no-any-return]
            CODE_FOR_TOKEN, body, kwargs, with_http_info=False
        )

    def account_code_for_token_post_with_http_info(
        self, body: CodeForTokenData, **kwargs: Any
    ) -> ApiResponse:
        """Get a password reset token, returning ``(data, status, headers)``."""
        return self.api_client.call_operation(  # type: ignore[no-any-return]
            CODE_FOR_TOKEN, body, kwargs, with_http_info=True
        )

    def account_reset_forgotten_password_post(
        self, body: UpdatePasswordData, **kwargs: Any
    ) -> ForgotPasswordResponse:
        """Reset a forgotten password with a token.

        Raises :class:`persona.exceptions.UnauthorizedException` (``invalid_token``) when
        the token is wrong, expired or already used.
        """
        return self.api_client.call_operation(  # type: ignore[no-any-return]
            RESET_FORGOTTEN_PASSWORD, body, kwargs, with_http_info=False
        )

    def account_reset_forgotten_password_post_with_http_info(
        self, body: UpdatePasswordData, **kwargs: Any
    ) -> ApiResponse:
        """Reset a forgotten password, returning ``(data, status, headers)``."""
        return self.api_client.call_operation(  # type: ignore[no-any-return]
            RESET_FORGOTTEN_PASSWORD, body, kwargs, with_http_info=True
        )


for _method in vars(AccountApi).values():
    if callable(_method) and _method.__name__.startswith("account_") and _method.__doc__:
        _method.__doc__ += _OPTIONS_DOC
