# Generated from persona/openapi.yaml by `python -m codegen`; do not edit.
"""AccountApi and AsyncAccountApi: Password reset.

Each method is a few lines that hand its :class:`~persona.core.request.Operation`, the
body and the keyword options to the client; the client, the core and the transport do
the rest (validation, headers, retries, the deadline, exceptions, masking).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Optional, Union, overload

from ..api_client import ApiClient
from ..core.operation import Operation, check_options
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
    from multiprocessing.pool import ApplyResult

    from ..async_api_client import AsyncApiClient
    from ..core.call_options import RequestTimeout
    from ..core.response import ApiResponse, RESTResponse

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
    headers)``.

    :param api_client: the client to send with; default :meth:`ApiClient.get_default`.
    """

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient.get_default()

    @overload
    def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> TokenResponse: ...

    @overload
    def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[TokenResponse]: ...

    @overload
    def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[RESTResponse]: ...

    @overload
    def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: bool = ...,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[TokenResponse, RESTResponse, ApplyResult[Any]]: ...

    def account_code_for_token_post(
        self,
        body: Optional[CodeForTokenData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Get a password reset token.

        Exchanges a matching, unexpired code for a reset token valid 15 minutes. A code is
        single-use, and 5 wrong tries burn it. Wrong codes are also capped per
        e-mail address, not only per code: after 10 wrong tries in 15 minutes,
        whatever the number of codes issued, the next answers 429 with `Retry-After`
        (the same answer whether or not the account exists).

        :param body: the request body, a :class:`CodeForTokenData` (required).
        :param async_req: True returns an ``ApplyResult`` at once; ``.get()`` gives the
            result (the generated clients' thread pool).
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers).
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(CODE_FOR_TOKEN, unknown)
        return self.api_client.call_operation(
            CODE_FOR_TOKEN,
            body,
            with_http_info=False,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApiResponse[TokenResponse]: ...

    @overload
    def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[ApiResponse[TokenResponse]]: ...

    @overload
    def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[RESTResponse]: ...

    @overload
    def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: bool = ...,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ApiResponse[TokenResponse], RESTResponse, ApplyResult[Any]]: ...

    def account_code_for_token_post_with_http_info(
        self,
        body: Optional[CodeForTokenData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Get a password reset token; with HTTP info.

        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.

        Exchanges a matching, unexpired code for a reset token valid 15 minutes. A code is
        single-use, and 5 wrong tries burn it. Wrong codes are also capped per
        e-mail address, not only per code: after 10 wrong tries in 15 minutes,
        whatever the number of codes issued, the next answers 429 with `Retry-After`
        (the same answer whether or not the account exists).

        :param body: the request body, a :class:`CodeForTokenData` (required).
        :param async_req: True returns an ``ApplyResult`` at once; ``.get()`` gives the
            result (the generated clients' thread pool).
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers), as this method does.
        :return: ``ApiResponse[TokenResponse]``
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(CODE_FOR_TOKEN, unknown)
        return self.api_client.call_operation(
            CODE_FOR_TOKEN,
            body,
            with_http_info=True,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ForgotPasswordResponse: ...

    @overload
    def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[ForgotPasswordResponse]: ...

    @overload
    def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[RESTResponse]: ...

    @overload
    def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: bool = ...,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ForgotPasswordResponse, RESTResponse, ApplyResult[Any]]: ...

    def account_forgot_pass_post(
        self,
        body: Optional[ForgotPasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Forgot Password.

        E-mails a 6-digit code, valid 15 minutes, to the account, replacing any earlier
        code. Answers 200 whether or not the account exists (no account
        enumeration). At most 5 requests per e-mail address per rolling minute; the
        next answers 429.

        :param body: the request body, a :class:`ForgotPasswordData` (required).
        :param async_req: True returns an ``ApplyResult`` at once; ``.get()`` gives the
            result (the generated clients' thread pool).
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers).
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(FORGOT_PASS, unknown)
        return self.api_client.call_operation(
            FORGOT_PASS,
            body,
            with_http_info=False,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApiResponse[ForgotPasswordResponse]: ...

    @overload
    def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[ApiResponse[ForgotPasswordResponse]]: ...

    @overload
    def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[RESTResponse]: ...

    @overload
    def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: bool = ...,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ApiResponse[ForgotPasswordResponse], RESTResponse, ApplyResult[Any]]: ...

    def account_forgot_pass_post_with_http_info(
        self,
        body: Optional[ForgotPasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Forgot Password; with HTTP info.

        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.

        E-mails a 6-digit code, valid 15 minutes, to the account, replacing any earlier
        code. Answers 200 whether or not the account exists (no account
        enumeration). At most 5 requests per e-mail address per rolling minute; the
        next answers 429.

        :param body: the request body, a :class:`ForgotPasswordData` (required).
        :param async_req: True returns an ``ApplyResult`` at once; ``.get()`` gives the
            result (the generated clients' thread pool).
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers), as this method does.
        :return: ``ApiResponse[ForgotPasswordResponse]``
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(FORGOT_PASS, unknown)
        return self.api_client.call_operation(
            FORGOT_PASS,
            body,
            with_http_info=True,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ForgotPasswordResponse: ...

    @overload
    def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[ForgotPasswordResponse]: ...

    @overload
    def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[RESTResponse]: ...

    @overload
    def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: bool = ...,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ForgotPasswordResponse, RESTResponse, ApplyResult[Any]]: ...

    def account_reset_forgotten_password_post(
        self,
        body: Optional[UpdatePasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Reset a forgotten password with a token.

        Sets a new password (8-128 characters) with a reset token; the token is then spent.

        :param body: the request body, a :class:`UpdatePasswordData` (required).
        :param async_req: True returns an ``ApplyResult`` at once; ``.get()`` gives the
            result (the generated clients' thread pool).
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers).
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(RESET_FORGOTTEN_PASSWORD, unknown)
        return self.api_client.call_operation(
            RESET_FORGOTTEN_PASSWORD,
            body,
            with_http_info=False,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApiResponse[ForgotPasswordResponse]: ...

    @overload
    def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[ApiResponse[ForgotPasswordResponse]]: ...

    @overload
    def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[True],
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApplyResult[RESTResponse]: ...

    @overload
    def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: bool = ...,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ApiResponse[ForgotPasswordResponse], RESTResponse, ApplyResult[Any]]: ...

    def account_reset_forgotten_password_post_with_http_info(
        self,
        body: Optional[UpdatePasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Reset a forgotten password with a token; with HTTP info.

        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.

        Sets a new password (8-128 characters) with a reset token; the token is then spent.

        :param body: the request body, a :class:`UpdatePasswordData` (required).
        :param async_req: True returns an ``ApplyResult`` at once; ``.get()`` gives the
            result (the generated clients' thread pool).
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers), as this method does.
        :return: ``ApiResponse[ForgotPasswordResponse]``
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(RESET_FORGOTTEN_PASSWORD, unknown)
        return self.api_client.call_operation(
            RESET_FORGOTTEN_PASSWORD,
            body,
            with_http_info=True,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )


class AsyncAccountApi:
    """The methods of :class:`AccountApi` from asyncio code, each a coroutine
    (``await api.method(body)``), with the same models, exceptions and keyword options
    (``async_req`` excepted).

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

    @overload
    async def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> TokenResponse: ...

    @overload
    async def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    async def account_code_for_token_post(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[TokenResponse, RESTResponse]: ...

    async def account_code_for_token_post(
        self,
        body: Optional[CodeForTokenData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Get a password reset token.

        Exchanges a matching, unexpired code for a reset token valid 15 minutes. A code is
        single-use, and 5 wrong tries burn it. Wrong codes are also capped per
        e-mail address, not only per code: after 10 wrong tries in 15 minutes,
        whatever the number of codes issued, the next answers 429 with `Retry-After`
        (the same answer whether or not the account exists).

        :param body: the request body, a :class:`CodeForTokenData` (required).
        :param async_req: refused: ``asyncio.gather`` runs calls at once.
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries; pass the same one to retry a cancelled call safely).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers).
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(CODE_FOR_TOKEN, unknown)
        return await self.api_client.call_operation(
            CODE_FOR_TOKEN,
            body,
            with_http_info=False,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    async def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApiResponse[TokenResponse]: ...

    @overload
    async def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    async def account_code_for_token_post_with_http_info(
        self,
        body: CodeForTokenData,
        *,
        async_req: Literal[False] = False,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ApiResponse[TokenResponse], RESTResponse]: ...

    async def account_code_for_token_post_with_http_info(
        self,
        body: Optional[CodeForTokenData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Get a password reset token; with HTTP info.

        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.

        Exchanges a matching, unexpired code for a reset token valid 15 minutes. A code is
        single-use, and 5 wrong tries burn it. Wrong codes are also capped per
        e-mail address, not only per code: after 10 wrong tries in 15 minutes,
        whatever the number of codes issued, the next answers 429 with `Retry-After`
        (the same answer whether or not the account exists).

        :param body: the request body, a :class:`CodeForTokenData` (required).
        :param async_req: refused: ``asyncio.gather`` runs calls at once.
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries; pass the same one to retry a cancelled call safely).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers), as this method does.
        :return: ``ApiResponse[TokenResponse]``
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(CODE_FOR_TOKEN, unknown)
        return await self.api_client.call_operation(
            CODE_FOR_TOKEN,
            body,
            with_http_info=True,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    async def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ForgotPasswordResponse: ...

    @overload
    async def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    async def account_forgot_pass_post(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ForgotPasswordResponse, RESTResponse]: ...

    async def account_forgot_pass_post(
        self,
        body: Optional[ForgotPasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Forgot Password.

        E-mails a 6-digit code, valid 15 minutes, to the account, replacing any earlier
        code. Answers 200 whether or not the account exists (no account
        enumeration). At most 5 requests per e-mail address per rolling minute; the
        next answers 429.

        :param body: the request body, a :class:`ForgotPasswordData` (required).
        :param async_req: refused: ``asyncio.gather`` runs calls at once.
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries; pass the same one to retry a cancelled call safely).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers).
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(FORGOT_PASS, unknown)
        return await self.api_client.call_operation(
            FORGOT_PASS,
            body,
            with_http_info=False,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    async def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApiResponse[ForgotPasswordResponse]: ...

    @overload
    async def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    async def account_forgot_pass_post_with_http_info(
        self,
        body: ForgotPasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ApiResponse[ForgotPasswordResponse], RESTResponse]: ...

    async def account_forgot_pass_post_with_http_info(
        self,
        body: Optional[ForgotPasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Forgot Password; with HTTP info.

        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.

        E-mails a 6-digit code, valid 15 minutes, to the account, replacing any earlier
        code. Answers 200 whether or not the account exists (no account
        enumeration). At most 5 requests per e-mail address per rolling minute; the
        next answers 429.

        :param body: the request body, a :class:`ForgotPasswordData` (required).
        :param async_req: refused: ``asyncio.gather`` runs calls at once.
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries; pass the same one to retry a cancelled call safely).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers), as this method does.
        :return: ``ApiResponse[ForgotPasswordResponse]``
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(FORGOT_PASS, unknown)
        return await self.api_client.call_operation(
            FORGOT_PASS,
            body,
            with_http_info=True,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    async def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ForgotPasswordResponse: ...

    @overload
    async def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    async def account_reset_forgotten_password_post(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ForgotPasswordResponse, RESTResponse]: ...

    async def account_reset_forgotten_password_post(
        self,
        body: Optional[UpdatePasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Reset a forgotten password with a token.

        Sets a new password (8-128 characters) with a reset token; the token is then spent.

        :param body: the request body, a :class:`UpdatePasswordData` (required).
        :param async_req: refused: ``asyncio.gather`` runs calls at once.
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries; pass the same one to retry a cancelled call safely).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers).
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(RESET_FORGOTTEN_PASSWORD, unknown)
        return await self.api_client.call_operation(
            RESET_FORGOTTEN_PASSWORD,
            body,
            with_http_info=False,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )

    @overload
    async def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[True] = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> ApiResponse[ForgotPasswordResponse]: ...

    @overload
    async def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: Literal[False],
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> RESTResponse: ...

    @overload
    async def account_reset_forgotten_password_post_with_http_info(
        self,
        body: UpdatePasswordData,
        *,
        async_req: Literal[False] = False,
        _preload_content: bool = ...,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
    ) -> Union[ApiResponse[ForgotPasswordResponse], RESTResponse]: ...

    async def account_reset_forgotten_password_post_with_http_info(
        self,
        body: Optional[UpdatePasswordData] = None,
        *,
        async_req: bool = False,
        _preload_content: bool = True,
        _request_timeout: RequestTimeout = None,
        _idempotency_key: Optional[str] = None,
        _headers: Optional[Mapping[str, str]] = None,
        _return_http_data_only: Optional[bool] = None,
        **unknown: Any,
    ) -> Any:
        """Reset a forgotten password with a token; with HTTP info.

        Returns ``ApiResponse(data, status, headers)`` instead of the model alone.

        Sets a new password (8-128 characters) with a reset token; the token is then spent.

        :param body: the request body, a :class:`UpdatePasswordData` (required).
        :param async_req: refused: ``asyncio.gather`` runs calls at once.
        :param _preload_content: False returns the undecoded :class:`RESTResponse`.
        :param _request_timeout: per attempt: seconds, a ``(connect, read)`` pair, or a
            :class:`~persona.Timeout`.
        :param _idempotency_key: the call's Idempotency-Key (default: a fresh one, kept
            across retries; pass the same one to retry a cancelled call safely).
        :param _headers: extra request headers.
        :param _return_http_data_only: False returns ``ApiResponse`` (data, status,
            headers), as this method does.
        :return: ``ApiResponse[ForgotPasswordResponse]``
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
        if unknown:  # refused here: forwarding an empty **unknown costs every call
            check_options(RESET_FORGOTTEN_PASSWORD, unknown)
        return await self.api_client.call_operation(
            RESET_FORGOTTEN_PASSWORD,
            body,
            with_http_info=True,
            async_req=async_req,
            _preload_content=_preload_content,
            _request_timeout=_request_timeout,
            _idempotency_key=_idempotency_key,
            _headers=_headers,
            _return_http_data_only=_return_http_data_only,
        )
