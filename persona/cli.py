"""The command line: ``python -m persona`` (or ``persona``) runs one API call, or the demo.

    persona forgot-password --email ann@example.com
    persona code-for-token --email ann@example.com --code 123456
    persona reset-password --token TOKEN            # asks for the new password
    printf '%s\n' "$TOKEN" "$NEW" | persona reset-password --token-stdin --password-stdin
    persona demo                                    # the whole flow, offline

Exit status: 0 success, 1 the API call failed (one line on stderr with status and
request id, and for a network problem a hint of what to try), 2 bad usage or input
(nothing was sent), 130 interrupted with Ctrl-C. Never a traceback for an API or network
error, or for Ctrl-C. Passwords are never taken from the command line; codes and tokens
may be, or (``--code-stdin``, ``--token-stdin``) read from stdin, out of the process list.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import Any, Optional, TextIO
from urllib.parse import urlsplit, urlunsplit

from . import __version__
from .api.account_api import AccountApi
from .api_client import ApiClient, ApiResponse
from .configuration import Configuration
from .core.model import Model
from .core.policy import check_seconds
from .exceptions import (
    ApiConnectionError,
    ApiException,
    ApiTimeoutError,
    ApiTLSError,
    ApiTypeError,
    ApiValueError,
    NotFoundException,
    TooManyRequestsException,
    UnauthorizedException,
)
from .log import log_to_stderr
from .models import CodeForTokenData, ForgotPasswordData, UpdatePasswordData

__all__ = ["console", "main"]

EXIT_OK, EXIT_API_ERROR, EXIT_USAGE = 0, 1, 2
#: The shell's status for a process stopped by SIGINT (128 + 2): what Ctrl-C exits with.
EXIT_INTERRUPTED = 130


def _seconds(text: str) -> float:
    """A ``--timeout`` value, by the rule of Configuration's timeouts (argparse names the
    flag in the error, ``argument --timeout: ...``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    try:
        return check_seconds("--timeout", value)
    except ApiValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).partition(": ")[2]) from None


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool, api: bool = True) -> None:
    """Options accepted before or after the subcommand; ``api=False`` leaves out those
    that only an API call uses (``--host``, ``--json``), for ``demo``."""

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    if api:
        parser.add_argument(
            "--host",
            default=default(None),
            help="API base URL (default: $PERSONA_HOST, else http://localhost:8080/v1)",
        )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=default(None),
        help="seconds to wait to connect and for each read (default 10 and 30)",
    )
    if api:
        parser.add_argument(
            "--json",
            action="store_true",
            default=default(False),
            help="print machine-readable JSON",
        )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log requests to stderr (secrets masked)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m persona``."""
    parser = _Parser(
        prog="persona",
        description="Call the Persona Account API's password-reset operations.",
        epilog="Exit status: 0 ok, 1 API or network error, 2 bad usage or input, "
        "130 interrupted (Ctrl-C).",
    )
    parser.add_argument("--version", action="version", version=f"persona {__version__}")
    _global_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str, *, api: bool = True) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name, help=help_text, description=help_text
        )
        _global_options(sub, suppress=True, api=api)
        return sub

    forgot = command("forgot-password", "E-mail a one-time reset code to an account.")
    forgot.add_argument("--email", required=True, help="the account's e-mail address")

    code = command("code-for-token", "Exchange the e-mailed code for a reset token.")
    code.add_argument("--email", required=True, help="the account's e-mail address")
    given = code.add_mutually_exclusive_group(required=True)
    given.add_argument("--code", help="the code from the e-mail")
    given.add_argument(
        "--code-stdin",
        action="store_true",
        help="read the code from the first line of stdin (keeps it out of the process list)",
    )

    reset = command("reset-password", "Set a new password with a reset token.")
    given = reset.add_mutually_exclusive_group(required=True)
    given.add_argument("--token", help="the token from code-for-token")
    given.add_argument(
        "--token-stdin",
        action="store_true",
        help="read the token from the first line of stdin (before the password, "
        "with --password-stdin)",
    )
    reset.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of stdin (default: ask on the terminal)",
    )

    command("demo", "Run the whole flow against a throw-away local reference server.", api=False)
    return parser


def _line(stdin: TextIO, what: str) -> str:
    """One line of stdin, without its line ending; a missing line is a usage error."""
    line = stdin.readline()
    if not line:
        raise ApiValueError(f"stdin ended before the {what}")
    return line.rstrip("\r\n")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that remembers its options and subcommands through argparse's
    public methods, so that the CLI can tell an option from a value beginning with "-"
    without reading argparse's internals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.known_options: set[str] = set()  # before __init__, which adds --help
        self.subcommand_groups: list[Any] = []
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.known_options.update(action.option_strings)
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        group = super().add_subparsers(**kwargs)  # its parsers are _Parsers too
        self.subcommand_groups.append(group)
        return group


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every option string of ``parser`` and its subcommands."""
    if not isinstance(parser, _Parser):
        return set()
    found = set(parser.known_options)
    for group in parser.subcommand_groups:
        for sub in group.choices.values():  # ``choices``: the documented Action attribute
            found |= _option_strings(sub)
    return found


def _secret_values_attached(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``--token -x...`` as ``--token=-x...``: codes and tokens may begin with "-" (a
    URL-safe token does one time in 32), which argparse would take for an option."""
    known = _option_strings(parser)
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--token", "--code") and i + 1 < len(argv) and argv[i + 1] not in known:
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def _read_password(args: argparse.Namespace, stdin: TextIO) -> str:
    if args.password_stdin:
        return _line(stdin, "new password")
    if not stdin.isatty():
        raise ApiValueError("no terminal to ask for the new password on; use --password-stdin")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat new password: ") != first:
        raise ApiValueError("the two passwords differ")
    return first


def _request(args: argparse.Namespace, stdin: TextIO) -> tuple[str, Model]:
    """The AccountApi method to call and its body, from the parsed arguments."""
    if args.command == "forgot-password":
        return "account_forgot_pass_post_with_http_info", ForgotPasswordData(email=args.email)
    if args.command == "code-for-token":
        code = _line(stdin, "code") if args.code_stdin else args.code
        return "account_code_for_token_post_with_http_info", CodeForTokenData(
            email=args.email, code=code
        )
    token = _line(stdin, "token") if args.token_stdin else args.token
    password = _read_password(args, stdin)
    return "account_reset_forgotten_password_post_with_http_info", UpdatePasswordData(
        token=token, new_password=password
    )


def _print_result(result: ApiResponse[Any], as_json: bool, out: TextIO) -> None:
    data = result.data.to_dict()
    if as_json:
        payload = {"status": result.status, "request_id": result.request_id, "data": data}
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    for key, value in data.items():
        out.write(f"{key}: {value}\n")
    out.write(f"(HTTP {result.status}, request id {result.request_id or '-'})\n")


#: What the user typed for each model field: messages name the option, not
#: the model (``--email: ...``, not ``ForgotPasswordData.email: ...``).
_FIELD_NAMES = {
    "email": "--email",
    "code": "--code",
    "token": "--token",
    "new_password": "the new password",
}


def _usage_message(exc: ApiException, args: argparse.Namespace) -> str:
    """A client-side error's message, naming the option the user typed."""
    message = exc.reason or str(exc)
    path = getattr(exc, "path_to_item", None)
    field = str(path[0]) if path else ""
    label, sep, problem = message.partition(": ")
    if not sep or not label.endswith(f".{field}") or field not in _FIELD_NAMES:
        return message
    name = _FIELD_NAMES[field]
    if field == "code" and getattr(args, "code_stdin", False):
        name = "the code read from stdin"
    elif field == "token" and getattr(args, "token_stdin", False):
        name = "the token read from stdin"
    return f"{name}: {problem}"


def _hint(exc: ApiException, host: str) -> Optional[str]:
    """The one hint printed with an error: what to try next, naming this command's
    options, when the command line can tell; else the exception's own hint, if any."""
    if isinstance(exc, ApiTimeoutError):
        return (
            f"no answer from {host} in time: check that it is the right host, or allow "
            "more time with --timeout SECONDS"
        )
    parts = urlsplit(host)
    if isinstance(exc, ApiTLSError):
        if exc.hint and parts.scheme == "https":  # the SDK saw an answer that is not TLS
            plain = urlunsplit(("http", *parts[1:]))
            return (
                "the TLS handshake failed: the server does not answer in TLS; if it serves "
                f"plain HTTP, try --host {plain}"
            )
        return (
            "the TLS handshake failed: check the scheme of the host (https to a plain-http "
            "server fails so); if its certificate is signed by your own CA, point "
            "PERSONA_CA_BUNDLE at that CA's PEM file"
        )
    if isinstance(exc, ApiConnectionError):
        if "Failed to resolve '" in (exc.reason or ""):
            return f"the host name {parts.hostname} does not resolve: check --host or PERSONA_HOST"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return (
            f"is the service running at {host}? Pass its base URL with --host or "
            f"PERSONA_HOST (for a local one: python -m persona.testing serve --port {port} "
            "--outbox outbox.jsonl)"
        )
    if isinstance(exc, UnauthorizedException) and exc.error_code in _UNAUTHORIZED_HINTS:
        return _UNAUTHORIZED_HINTS[exc.error_code]
    if isinstance(exc, NotFoundException):
        base = suggested_base_url(host)
        if base is not None:
            return f"the host must be the API's base URL, ending in /v1: try --host {base}"
        return f"nothing answers at {host}: check that it is the Persona Account API's base URL"
    return exc.hint


#: What to do next after a 401, by the API's error code, in this command's words.
_UNAUTHORIZED_HINTS = {
    "invalid_code": (
        "check the code, or ask for a new one with persona forgot-password if it was used "
        "or has expired"
    ),
    "invalid_token": (
        "a reset token works once and expires: start again with persona forgot-password, "
        "then persona code-for-token"
    ),
}


def suggested_base_url(host: str) -> Optional[str]:
    """The base URL a user probably meant, for a ``host`` that does not end in ``/v1``:
    its last path segment replaced when it names another version (``/v2``, ``/api/v0``),
    else ``/v1`` added (``http://h:8080``, a gateway's ``http://h/persona``). None when
    ``host`` already ends in ``/v1``."""
    parts = urlsplit(host)
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        return None
    head, _, last = path.rpartition("/")
    if re.fullmatch(r"v\d+", last):
        path = head
    return urlunsplit((parts.scheme, parts.netloc, path + "/v1", "", ""))


def _print_error(
    exc: ApiException,
    args: argparse.Namespace,
    err: TextIO,
    *,
    host: str = "",
    usage: bool = False,
) -> None:
    message = _usage_message(exc, args) if usage else None
    hint = None if usage else _hint(exc, host)
    if args.json:
        retry_after = exc.retry_after if isinstance(exc, TooManyRequestsException) else None
        payload = {
            "error": {
                "type": type(exc).__name__,
                "status": exc.status,
                "code": exc.error_code,
                "message": message or exc.error_message or exc.reason,
                "request_id": exc.request_id,
                "retry_after": retry_after,
                "hint": hint,
            }
        }
        err.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    err.write(f"persona: error: {message or _without_hint(exc)}\n")
    if hint:
        err.write(f"persona: hint: {hint}\n")


def _without_hint(exc: ApiException) -> str:
    """``str(exc)`` without the exception's own hint: the command prints one hint, on
    its own line (see :func:`_hint`)."""
    text = str(exc)
    if exc.hint:
        suffix = f" (hint: {' '.join(exc.hint.split())})"
        if text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


class _CliFormatter(logging.Formatter):
    """Log records as the command line's own lines: ``persona: warning: ...``.

    No timestamp or logger name: a command's output is read by a person, now. The SDK's
    messages may begin with ``persona: `` already; it is not repeated."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record).removeprefix("persona: ")
        return f"persona: {record.levelname.lower()}: {message}"


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdin: Optional[TextIO] = None,
    stdout: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run the command line; return the exit status (130 after Ctrl-C, with no traceback)."""
    err = stderr or sys.stderr
    try:
        return _main(argv, stdin or sys.stdin, stdout or sys.stdout, err)
    except KeyboardInterrupt:
        # Whatever was running (a call, the demo, a password prompt) was stopped with it.
        err.write("persona: interrupted\n")
        return EXIT_INTERRUPTED


def _main(argv: Optional[Sequence[str]], stdin: TextIO, out: TextIO, err: TextIO) -> int:
    parser = build_parser()
    args = parser.parse_args(
        _secret_values_attached(parser, sys.argv[1:] if argv is None else argv)
    )
    log_to_stderr(logging.DEBUG if args.verbose else logging.WARNING, formatter=_CliFormatter())
    if args.command == "demo":
        if args.host is not None or args.json:
            err.write(
                "persona: error: demo runs its own local server; --host and --json do not apply\n"
            )
            return EXIT_USAGE
        from .demo import run_demo  # the reference server is imported only here

        return run_demo(out, timeout=args.timeout)
    host = args.host or ""
    try:
        config = _configuration(args)
        host = config.host
        method, body = _request(args, stdin)
        with ApiClient(config) as client:
            result = getattr(AccountApi(client), method)(body)
    except (ApiTypeError, ApiValueError) as exc:
        _print_error(exc, args, err, usage=True)
        return EXIT_USAGE
    except ApiException as exc:
        _print_error(exc, args, err, host=host)
        return EXIT_API_ERROR
    _print_result(result, args.json, out)
    return EXIT_OK


#: The settings the command line sets from its options: errors name the option typed.
_SETTING_FLAGS = {"host": "--host", "timeout": "--timeout"}


def _configuration(args: argparse.Namespace) -> Configuration:
    """The client's Configuration from the options; an option's bad value is an error
    that names the option (``--host: must be ...``), not the setting behind it."""
    try:
        return Configuration(host=args.host, timeout=args.timeout)
    except (ApiTypeError, ApiValueError) as exc:
        label, sep, problem = (exc.reason or str(exc)).partition(": ")
        flag = _SETTING_FLAGS.get(label)
        given = {"host": args.host, "timeout": args.timeout}.get(label)
        if sep and flag is not None and given is not None:
            raise ApiValueError(f"{flag}: {problem}") from None
        raise


def console() -> None:
    """Entry point of the ``persona`` script and ``python -m persona``: run, then exit."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`persona demo | head`): exit quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = EXIT_API_ERROR
    except KeyboardInterrupt:  # a second Ctrl-C, while the first one was being reported
        status = EXIT_INTERRUPTED
    sys.exit(status)
