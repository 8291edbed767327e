# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""AccountApi and AsyncAccountApi: Password reset.

Each method is a few lines that hand its :class:`~persona.core.request.Operation`, the
body and the keyword options to the client; the client, the core and the transport do
the rest (validation, headers, retries, the deadline, exceptions, masking).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..api_client import ApiClient
from ..core.methods import (
    api_method,
    async_api_method,
    async_with_http_info,
    with_http_info,
)
from ..core.operation import Operation
from ..exceptions import ApiTypeError
from ..models import (
    CodeForTokenData,
    Error,
    ForgotPasswordData,
    ForgotPasswordResponse,
    TokenResponse,
    UpdatePasswordData,
)

if TYPE_CHECKING:
    from ..async_api_client import AsyncApiClient
    from ..core.call_options import CallOptions, Unpack

__all__ = [
    "CODE_FOR_TOKEN",
    "FORGOT_PASS",
    "RESET_FORGOTTEN_PASSWORD",
    "OPERATIONS",
    "AccountApi",
    "AsyncAccountApi",
]

#: Get a password reset token: POST /account/codeForToken
CODE_FOR_TOKEN = Operation(
    "account_code_for_token_post",
    "/account/codeForToken",
    CodeForTokenData,
    TokenResponse,
    method="POST",
    responses={
        200: TokenResponse,
        400: Error,
        401: Error,
        409: Error,
        413: Error,
        415: Error,
        429: Error,
        500: Error,
    },
    response_headers={
        200: ("X-Request-Id",),
        400: ("X-Request-Id",),
        401: ("X-Request-Id",),
        409: ("X-Request-Id",),
        413: ("X-Request-Id",),
        415: ("X-Request-Id",),
        429: ("X-Request-Id", "Retry-After"),
        500: ("X-Request-Id",),
    },
    media_types={
        200: "application/json;charset=utf-8",
        400: "application/json;charset=utf-8",
        401: "application/json;charset=utf-8",
        409: "application/json;charset=utf-8",
        413: "application/json;charset=utf-8",
        415: "application/json;charset=utf-8",
        429: "application/json;charset=utf-8",
        500: "application/json;charset=utf-8",
    },
)
#: Forgot Password: POST /account/forgotPass
FORGOT_PASS = Operation(
    "account_forgot_pass_post",
    "/account/forgotPass",
    ForgotPasswordData,
    ForgotPasswordResponse,
    method="POST",
    responses={
        200: ForgotPasswordResponse,
        400: Error,
        409: Error,
        413: Error,
        415: Error,
        429: Error,
        500: Error,
    },
    response_headers={
        200: ("X-Request-Id",),
        400: ("X-Request-Id",),
        409: ("X-Request-Id",),
        413: ("X-Request-Id",),
        415: ("X-Request-Id",),
        429: ("X-Request-Id", "Retry-After"),
        500: ("X-Request-Id",),
    },
    media_types={
        200: "application/json;charset=utf-8",
        400: "application/json;charset=utf-8",
        409: "application/json;charset=utf-8",
        413: "application/json;charset=utf-8",
        415: "application/json;charset=utf-8",
        429: "application/json;charset=utf-8",
        500: "application/json;charset=utf-8",
    },
)
#: Reset a forgotten password with a token: POST /account/resetForgottenPassword
RESET_FORGOTTEN_PASSWORD = Operation(
    "account_reset_forgotten_password_post",
    "/account/resetForgottenPassword",
    UpdatePasswordData,
    ForgotPasswordResponse,
    method="POST",
    responses={
        200: ForgotPasswordResponse,
        400: Error,
        401: Error,
        409: Error,
        413: Error,
        415: Error,
        500: Error,
    },
    response_headers={
        200: ("X-Request-Id",),
        400: ("X-Request-Id",),
        401: ("X-Request-Id",),
        409: ("X-Request-Id",),
        413: ("X-Request-Id",),
        415: ("X-Request-Id",),
        500: ("X-Request-Id",),
    },
    media_types={
        200: "application/json;charset=utf-8",
        400: "application/json;charset=utf-8",
        401: "application/json;charset=utf-8",
        409: "application/json;charset=utf-8",
        413: "application/json;charset=utf-8",
        415: "application/json;charset=utf-8",
        500: "application/json;charset=utf-8",
    },
)
#: Every operation of the tag, with its summary.
OPERATIONS = {
    CODE_FOR_TOKEN: "Get a password reset token",
    FORGOT_PASS: "Forgot Password",
    RESET_FORGOTTEN_PASSWORD: "Reset a forgotten password with a token",
}


class AccountApi:
    """Password reset.

    - :meth:`account_code_for_token_post`: Get a password reset token
    - :meth:`account_forgot_pass_post`: Forgot Password
    - :meth:`account_reset_forgotten_password_post`: Reset a forgotten password with a token

    Each method has a ``*_with_http_info`` twin returning ``ApiResponse(data, status,
    headers)``; the options every method takes are
    :class:`~persona.core.call_options.CallOptions`.

    :param api_client: the client to send with; default :meth:`ApiClient.get_default`.
    """

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    @api_method
    def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        **options: Unpack[CallOptions],
    ) -> TokenResponse:
        """Get a password reset token.

        Exchanges a matching, unexpired code for a reset token valid 15 minutes. A code is
        single-use, and 5 wrong tries burn it. Wrong codes are also capped per
        e-mail address, not only per code: after 10 wrong tries in 15 minutes,
        whatever the number of codes issued, the next answers 429 with `Retry-After`
        (the same answer whether or not the account exists).

        :param body: the request body, a :class:`CodeForTokenData`.
        :param options: the call's options (:class:`~persona.core.call_options.CallOptions`:
            ``timeout``, ``deadline``, ``max_retries``, ``headers``, ``idempotency_key``...).
        :return: :class:`TokenResponse`
        :raises BadRequestException: 400 `invalid_request`: body missing, not JSON, wrong type
            or a constraint violated.
        :raises UnauthorizedException: 401 `invalid_code` / `invalid_token`: wrong, expired or
            already used.
        :raises ConflictException: 409 `idempotency_conflict`: Idempotency-Key reused with a
            different request.
        :raises ApiException: 413 `payload_too_large`: body over 64 KiB.
        :raises ApiException: 415 `unsupported_media_type`: Content-Type is not JSON.
        :raises TooManyRequestsException: 429 `rate_limited`: too many requests; retry after
            `Retry-After` seconds.
        :raises ServiceException: 500 `internal_error`: a fault on the server's side.
        :raises ApiConnectionError: nothing usable was received (``ApiTimeoutError``:
            a timeout or the deadline; ``ApiTLSError``: the TLS handshake).
        :raises ApiValueError: the body breaks the contract; nothing was sent.
        """
        answer: TokenResponse = self.api_client.call_operation(
            CODE_FOR_TOKEN,
            body,
            **options,
        )
        return answer

    account_code_for_token_post_with_http_info = with_http_info(account_code_for_token_post)

    @api_method
    def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        **options: Unpack[CallOptions],
    ) -> ForgotPasswordResponse:
        """Forgot Password.

        E-mails a 6-digit code, valid 15 minutes, to the account, replacing any earlier
        code. Answers 200 whether or not the account exists (no account
        enumeration). At most 5 requests per e-mail address per rolling minute; the
        next answers 429.

        :param body: the request body, a :class:`ForgotPasswordData`.
        :param options: the call's options (:class:`~persona.core.call_options.CallOptions`:
            ``timeout``, ``deadline``, ``max_retries``, ``headers``, ``idempotency_key``...).
        :return: :class:`ForgotPasswordResponse`
        :raises BadRequestException: 400 `invalid_request`: body missing, not JSON, wrong type
            or a constraint violated.
        :raises ConflictException: 409 `idempotency_conflict`: Idempotency-Key reused with a
            different request.
        :raises ApiException: 413 `payload_too_large`: body over 64 KiB.
        :raises ApiException: 415 `unsupported_media_type`: Content-Type is not JSON.
        :raises TooManyRequestsException: 429 `rate_limited`: too many requests; retry after
            `Retry-After` seconds.
        :raises ServiceException: 500 `internal_error`: a fault on the server's side.
        :raises ApiConnectionError: nothing usable was received (``ApiTimeoutError``:
            a timeout or the deadline; ``ApiTLSError``: the TLS handshake).
        :raises ApiValueError: the body breaks the contract; nothing was sent.
        """
        answer: ForgotPasswordResponse = self.api_client.call_operation(
            FORGOT_PASS,
            body,
            **options,
        )
        return answer

    account_forgot_pass_post_with_http_info = with_http_info(account_forgot_pass_post)

    @api_method
    def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        **options: Unpack[CallOptions],
    ) -> ForgotPasswordResponse:
        """Reset a forgotten password with a token.

        Sets a new password (8-128 characters) with a reset token; the token is then spent.

        :param body: the request body, a :class:`UpdatePasswordData`.
        :param options: the call's options (:class:`~persona.core.call_options.CallOptions`:
            ``timeout``, ``deadline``, ``max_retries``, ``headers``, ``idempotency_key``...).
        :return: :class:`ForgotPasswordResponse`
        :raises BadRequestException: 400 `invalid_request`: body missing, not JSON, wrong type
            or a constraint violated.
        :raises UnauthorizedException: 401 `invalid_code` / `invalid_token`: wrong, expired or
            already used.
        :raises ConflictException: 409 `idempotency_conflict`: Idempotency-Key reused with a
            different request.
        :raises ApiException: 413 `payload_too_large`: body over 64 KiB.
        :raises ApiException: 415 `unsupported_media_type`: Content-Type is not JSON.
        :raises ServiceException: 500 `internal_error`: a fault on the server's side.
        :raises ApiConnectionError: nothing usable was received (``ApiTimeoutError``:
            a timeout or the deadline; ``ApiTLSError``: the TLS handshake).
        :raises ApiValueError: the body breaks the contract; nothing was sent.
        """
        answer: ForgotPasswordResponse = self.api_client.call_operation(
            RESET_FORGOTTEN_PASSWORD,
            body,
            **options,
        )
        return answer

    account_reset_forgotten_password_post_with_http_info = with_http_info(
        account_reset_forgotten_password_post
    )


class AsyncAccountApi:
    """The methods of :class:`AccountApi` from asyncio code, each a coroutine
    (``await api.method(body)``), with the same models, exceptions and options.

    :param api_client: the :class:`~persona.AsyncApiClient` to send with (required: an
        async client belongs to one event loop, so there is no default one).
    """

    def __init__(self, api_client: AsyncApiClient) -> None:
        given: Any = api_client  # checked at run time: any object may arrive here
        import inspect  # here, not at import: AccountApi's users must not pay for it

        if not inspect.iscoroutinefunction(getattr(given, "call_operation", None)):
            hint = " (use AccountApi)" if isinstance(given, ApiClient) else ""
            raise ApiTypeError(
                "AsyncAccountApi(api_client): api_client must be an AsyncApiClient, got "
                f"{type(api_client).__name__}{hint}"
            )
        self.api_client = api_client

    @async_api_method(AccountApi.account_code_for_token_post)
    async def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        **options: Unpack[CallOptions],
    ) -> TokenResponse:
        answer: TokenResponse = await self.api_client.call_operation(
            CODE_FOR_TOKEN,
            body,
            **options,
        )
        return answer

    account_code_for_token_post_with_http_info = async_with_http_info(account_code_for_token_post)

    @async_api_method(AccountApi.account_forgot_pass_post)
    async def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        **options: Unpack[CallOptions],
    ) -> ForgotPasswordResponse:
        answer: ForgotPasswordResponse = await self.api_client.call_operation(
            FORGOT_PASS,
            body,
            **options,
        )
        return answer

    account_forgot_pass_post_with_http_info = async_with_http_info(account_forgot_pass_post)

    @async_api_method(AccountApi.account_reset_forgotten_password_post)
    async def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        **options: Unpack[CallOptions],
    ) -> ForgotPasswordResponse:
        answer: ForgotPasswordResponse = await self.api_client.call_operation(
            RESET_FORGOTTEN_PASSWORD,
            body,
            **options,
        )
        return answer

    account_reset_forgotten_password_post_with_http_info = async_with_http_info(
        account_reset_forgotten_password_post
    )
