"""Redaction: the password, the code and the token never show in anything persona prints.

The full reset flow runs against the reference server with the ``persona`` logger at
DEBUG (in-process, and with ``PERSONA_LOG=debug`` in a subprocess); every exception of
every failing call (wrong code, reused code and token, validation errors that carry the
secret, servers that echo the request into an error or into a broken 2xx body) is
collected: its ``str``, ``repr``, ``args``, ``body``, ``data`` and formatted traceback.
None of it may contain a secret. The log must still be useful: method, URL, status,
timing, attempt and request id.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Iterator
from typing import Any, Callable

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import persona
from persona.testing import ReferenceServer

EMAIL = "ann@example.com"
OLD_PASSWORD = "old-pass-1"
# Characters that JSON escapes or that are not ASCII, so that echoed forms are tested too.
NEW_PASSWORD = 'N3w-"S\u00e9cr\u00eat"\\p\u00e4ss\u2603'
FAST: dict[str, Any] = {"timeout": 2, "backoff_base": 0.01, "backoff_max": 0.05, "deadline": 10}


class Collector:
    """Everything persona showed: log records (formatted, with args) and exceptions."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def exception(self, exc: BaseException) -> None:
        self.texts += [str(exc), repr(exc), repr(exc.args)]
        self.texts += traceback.format_exception(type(exc), exc, exc.__traceback__)
        for attr in ("body", "reason", "data", "headers", "error_message"):
            self.texts.append(repr(getattr(exc, attr, None)))
        # Every exception chained to it: a JSONDecodeError's .doc or a
        # UnicodeEncodeError's .object would hold the whole body or request.
        seen: set[int] = set()
        chained: list[BaseException] = [exc]
        while chained:
            link = chained.pop()
            if id(link) in seen:
                continue
            seen.add(id(link))
            self.texts += [repr(link.args), repr(vars(link) if hasattr(link, "__dict__") else "")]
            for attr in ("doc", "object", "body", "reason"):
                self.texts.append(repr(getattr(link, attr, None)))
            chained += [c for c in (link.__cause__, link.__context__) if c is not None]

    def call(self, fn: Callable[[], Any]) -> persona.ApiException:
        try:
            fn()
        except persona.ApiException as exc:
            self.exception(exc)
            return exc
        raise AssertionError("the call should have failed")

    def assert_clean(self, secrets: list[str]) -> None:
        from urllib.parse import quote, quote_plus

        forms = set()
        for secret in secrets:
            forms |= {
                secret,
                json.dumps(secret)[1:-1],
                json.dumps(secret, ensure_ascii=False)[1:-1],
                quote(secret, safe=""),
                quote_plus(secret, safe=""),
                secret.encode().decode("latin-1"),  # UTF-8 read as latin-1 (reason, headers)
                "\x00".join(secret),  # UTF-16 read as UTF-8, NULs between the letters
            }
        for text in self.texts:
            for form in forms:
                assert form not in text, f"secret {form!r} leaked in: {text[:300]!r}"


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        self.lines.append(repr(record.args))


@pytest.fixture
def debug_log() -> Iterator[ListHandler]:
    logger = logging.getLogger("persona")
    handler = ListHandler()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def client(host: str, **settings: Any) -> persona.ApiClient:
    return persona.ApiClient(persona.Configuration(host=host, **{**FAST, **settings}))


def test_full_reset_flow_never_shows_a_secret(debug_log: ListHandler) -> None:
    seen = Collector()
    with ReferenceServer({EMAIL: OLD_PASSWORD}, outbox="") as srv, client(srv.url) as api_client:
        # A 503 first, so that a retry is logged too.
        srv.inject_fault("status:503", times=1, path="/account/forgotPass")
        api = persona.AccountApi(api_client)
        api.account_forgot_pass_post(persona.ForgotPasswordData(email=EMAIL))
        code = srv.last_code(EMAIL)
        assert code is not None
        wrong = "999999" if code != "999999" else "000000"
        seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=wrong)
            )
        )
        token_response = api.account_code_for_token_post(
            persona.CodeForTokenData(email=EMAIL, code=code)
        )
        token = token_response.token
        assert token
        reused = seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=code)
            )
        )
        assert isinstance(reused, persona.UnauthorizedException)
        # Validation errors whose offending value is the secret itself.
        seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=code * 20)
            )
        )
        seen.call(
            lambda: api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=token, new_password=NEW_PASSWORD * 20)
            )
        )
        seen.call(
            lambda: api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=token + "\ud800", new_password=NEW_PASSWORD)
            )
        )
        seen.call(lambda: persona.UpdatePasswordData(token=token.encode(), new_password=1))
        done = api.account_reset_forgotten_password_post(
            persona.UpdatePasswordData(token=token, new_password=NEW_PASSWORD)
        )
        assert done.success is True
        seen.call(
            lambda: api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=token, new_password=NEW_PASSWORD)
            )
        )
        assert srv.check_password(EMAIL, NEW_PASSWORD)
        seen.texts += [
            repr(token_response),
            str(token_response),
            repr(persona.CodeForTokenData(email=EMAIL, code=code)),
            repr(persona.UpdatePasswordData(token=token, new_password=NEW_PASSWORD)),
        ]
    seen.texts += debug_log.lines
    seen.assert_clean([NEW_PASSWORD, OLD_PASSWORD, code, token])

    log = "\n".join(debug_log.lines)
    # ... and the log is still useful: method, URL, status, timing, attempt, request id.
    assert re.search(r"request POST http://127\.0\.0\.1:\d+/v1/account/codeForToken", log)
    assert re.search(
        r"response POST http://127\.0\.0\.1:\d+/v1/account/resetForgottenPassword -> 200 "
        r"in \d+\.\d ms \(attempt 1, request id [\w-]+\)",
        log,
    )
    assert re.search(r"-> 401 in \d+\.\d ms", log)
    assert re.search(r"-> 503 in .*\(attempt 1, request id [\w-]+\)", log)
    assert re.search(r"retrying POST \S+/account/forgotPass in [\d.]+s \(retry 1 of 2\)", log)
    assert '"code": "***"' in log  # bodies are shown, secrets masked by name
    assert '"newPassword": "***"' in log
    assert '"token": "***"' in log
    assert EMAIL in log


# -- servers that echo the request back -----------------------------------------------------
def echo_server(httpserver: HTTPServer, status: int, wrap: Callable[[str], str]) -> None:
    def handler(request: Request) -> Response:
        text = wrap(request.get_data(as_text=True))
        return Response(text, status=status, headers={"X-Request-Id": "rid-echo"})

    httpserver.expect_request(re.compile("/v1/account/.*")).respond_with_handler(handler)


ECHOES: dict[str, tuple[int, Callable[[str], str]]] = {
    "400 JSON error echoing the body": (
        400,
        lambda body: json.dumps({"code": "invalid_request", "message": f"bad: {body}"}),
    ),
    "400 JSON error echoing the body, non-ASCII escaped": (
        400,
        lambda body: json.dumps({"code": body, "message": body}, ensure_ascii=True),
    ),
    "400 text error echoing the body": (400, lambda body: f"<pre>{body}</pre>"),
    "503 echoing the body (retried)": (503, lambda body: body),
    "200 invalid JSON echoing the body": (200, lambda body: "<html>" + body),
    "200 wrong JSON type echoing the body": (
        200,
        lambda body: json.dumps({"success": body, "token": 5, "message": body}),
    ),
    "200 JSON array echoing the body": (200, lambda body: json.dumps([body])),
}


@pytest.mark.parametrize("case", sorted(ECHOES))
def test_server_echoing_the_request_never_leaks_it(
    httpserver: HTTPServer, debug_log: ListHandler, case: str
) -> None:
    status, wrap = ECHOES[case]
    echo_server(httpserver, status, wrap)
    code, token = "C0de-\u00e9-123456", 'T0ken-"quoted"-abcdef\u2603'
    seen = Collector()
    with client(httpserver.url_for("/v1")) as api_client:
        api = persona.AccountApi(api_client)
        seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=code)
            )
        )
        seen.call(
            lambda: api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=token, new_password=NEW_PASSWORD)
            )
        )
    assert len(httpserver.log) >= 2  # the requests did go out
    seen.texts += debug_log.lines
    seen.assert_clean([code, token, NEW_PASSWORD])


def test_secret_headers_are_masked_in_the_log(
    httpserver: HTTPServer, debug_log: ListHandler
) -> None:
    httpserver.expect_request("/v1/account/forgotPass").respond_with_json({"success": True})
    with client(httpserver.url_for("/v1"), max_retries=0) as api_client:
        api_client.set_default_header("Authorization", "Bearer sk-live-secret-1")
        api_client.cookie = "session=cookie-secret-2"
        persona.AccountApi(api_client).account_forgot_pass_post(
            persona.ForgotPasswordData(email=EMAIL),
            _headers={"X-Api-Key": "key-secret-3", "X-Auth-Token": "tok-secret-4"},
        )
    sent = httpserver.log[0][0].headers
    assert sent["Authorization"] == "Bearer sk-live-secret-1"  # sent, just not shown
    log = "\n".join(debug_log.lines)
    assert "Idempotency-Key" in log
    for secret in ("sk-live-secret-1", "cookie-secret-2", "key-secret-3", "tok-secret-4"):
        assert secret not in log


@pytest.mark.parametrize("key", ["3f0c5c1e8d7a4b8e9a530d5f2f1c9b7e", "order-42:reset", "k1"])
def test_idempotency_keys_are_logged_and_shown_shortened(
    httpserver: HTTPServer, debug_log: ListHandler, key: str
) -> None:
    # A codeForToken call's whole key lets whoever reads the log re-send it with guesses.
    httpserver.expect_request("/v1/account/codeForToken").respond_with_json({"token": "t-1"})
    with client(httpserver.url_for("/v1"), max_retries=0) as api_client:
        api = persona.AccountApi(api_client)
        body = persona.CodeForTokenData(email=EMAIL, code="123456")
        api.account_code_for_token_post(body, _idempotency_key=key)
    assert httpserver.log[0][0].headers["Idempotency-Key"] == key  # sent whole
    log = "\n".join(debug_log.lines)
    assert "Idempotency-Key" in log
    assert key not in log
    assert key[: min(8, len(key) // 2)] + "..." in log
    request = persona.core.request.Request("POST", "http://x/", {"Idempotency-Key": key})
    assert key not in repr(request)


# -- PERSONA_LOG=debug, no code ------------------------------------------------------------------
SCRIPT = textwrap.dedent(
    """
    import json, sys
    import persona
    from persona.testing import ReferenceServer

    with ReferenceServer({"ann@example.com": "old-pass-1"}, outbox="") as srv:
        persona.Configuration.set_default(persona.Configuration(host=srv.url))
        api = persona.AccountApi()
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
        code = srv.last_code("ann@example.com")
        token = api.account_code_for_token_post(
            persona.CodeForTokenData(email="ann@example.com", code=code)
        ).token
        try:
            api.account_code_for_token_post(
                persona.CodeForTokenData(email="ann@example.com", code=code)
            )
        except persona.UnauthorizedException as exc:
            print("error:", exc, repr(exc), file=sys.stderr)
        api.account_reset_forgotten_password_post(
            persona.UpdatePasswordData(token=token, new_password=sys.argv[1])
        )
        api.api_client.close()
        print(json.dumps({"code": code, "token": token}))
    """
)


def test_persona_log_debug_logs_to_stderr_without_secrets(tmp_path: Any) -> None:
    script = tmp_path / "flow.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    env["PERSONA_LOG"] = "debug"
    env["PYTHONIOENCODING"] = "utf-8"
    done = subprocess.run(
        [sys.executable, str(script), NEW_PASSWORD],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 0, stderr
    secrets = json.loads(done.stdout)
    seen = Collector()
    seen.texts.append(stderr)
    seen.assert_clean([NEW_PASSWORD, OLD_PASSWORD, secrets["code"], secrets["token"]])
    assert "DEBUG persona: request POST http://127.0.0.1:" in stderr
    assert re.search(r"-> 200 in \d+\.\d ms \(attempt 1, request id [\w-]+\)", stderr)
    assert "-> 401" in stderr
    assert "error: (401)" in stderr


def test_without_persona_log_nothing_is_printed(tmp_path: Any) -> None:
    script = tmp_path / "flow.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    done = subprocess.run(
        [sys.executable, str(script), NEW_PASSWORD],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"persona" not in done.stderr.replace(b"error:", b"")
    assert b"request POST" not in done.stderr


def test_scrub_body_keeps_json_structure_and_masks_echoed_values() -> None:
    from persona.redaction import scrub_body

    body = '{"code": "invalid_request", "message": "token t and password hunter2-secret"}'
    cleaned = json.loads(scrub_body(body, ("t", "hunter2-secret")))
    assert cleaned == {"code": "invalid_request", "message": "token t and password ***"}
    assert json.loads(scrub_body('{"echo": "t"}', ("t",))) == {"echo": "***"}
    assert scrub_body("<html>hunter2-secret</html>", ("hunter2-secret",)) == "<html>***</html>"
    assert scrub_body('{"a": 1}', ("t",)) == '{"a": 1}'  # untouched: byte for byte


def test_short_secrets_mask_only_whole_strings() -> None:
    from persona.redaction import scrub, scrub_json

    assert scrub("a bit of text", ("t",)) == "a bit of text"
    assert scrub_json({"k": ["t", "tt", "xyz"]}, ("t", "xyz")) == {"k": ["***", "tt", "***"]}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://bob:pw-123@proxy:3128", "http://bob:***@proxy:3128"),
        ("https://bob:p:w@proxy/path?q=1", "https://bob:***@proxy/path?q=1"),
        ("http://bob@proxy:3128", "http://bob@proxy:3128"),  # a user name is no secret
        ("http://proxy:3128", "http://proxy:3128"),
        ("proxy:3128", "proxy:3128"),  # no scheme: nothing to parse
    ],
)
def test_redact_url_masks_only_the_password(url: str, shown: str) -> None:
    from persona.redaction import redact_url

    assert redact_url(url) == shown


# -- a hostile server: bodies of every shape, echoes in the reason and headers (issue 11) ------
SERVER_TOKEN = "srv-TOKEN-4f9c2e7a1b"
CODE = "C0de-\u00e9-123456"
TOKEN = 'T0ken-"quoted"-abcdef\u2603'


def _raw_answer(status_line: bytes, body: bytes, headers: bytes = b"") -> Callable[..., None]:
    def script(conn: Any, req: Any) -> None:
        conn.send(
            status_line
            + b"\r\nContent-Type: application/json\r\nX-Request-Id: rid-hostile\r\n"
            + headers
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body
        )

    return script


TOKEN_BODIES: dict[str, bytes] = {
    "BOM before the JSON": b"\xef\xbb\xbf" + json.dumps({"token": SERVER_TOKEN}).encode(),
    "UTF-16 JSON": json.dumps({"token": SERVER_TOKEN}).encode("utf-16"),
    "escaped property name": b'{"to\\u006ben": "%s"}' % SERVER_TOKEN.encode(),
    "cut short": b'{"expiresAt": "2030-01-01T00:00:00Z", "token": "%s' % SERVER_TOKEN.encode(),
    "bytes after the JSON": json.dumps({"token": SERVER_TOKEN}).encode() + b"\x00 trailing",
    "token in an array, cut short": b'{"token": ["%s", ' % SERVER_TOKEN.encode(),
    "secret-named unknown property": json.dumps(
        {"token": "t-1234", "extra": {"refreshToken": SERVER_TOKEN}}
    ).encode(),
}


@pytest.mark.parametrize("case", sorted(TOKEN_BODIES))
def test_a_token_body_of_any_shape_never_reaches_the_log_or_an_error(
    debug_log: ListHandler, case: str
) -> None:
    from _faultserver import ScriptedServer

    seen = Collector()
    script = _raw_answer(b"HTTP/1.1 200 OK", TOKEN_BODIES[case])
    with ScriptedServer(script) as srv, client(srv.url(), max_retries=0) as api_client:
        api = persona.AccountApi(api_client)
        result: Any = None
        try:
            result = api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=CODE)
            )
        except persona.ApiException as exc:
            seen.exception(exc)
            failure: Any = exc
        else:
            failure = None
            seen.texts += [repr(result), str(result)]
    assert failure is None or isinstance(failure, persona.ApiResponseError)
    log = "\n".join(debug_log.lines)
    assert "-> 200" in log  # the body was logged, masked
    seen.texts += debug_log.lines
    seen.assert_clean([SERVER_TOKEN, CODE])


def _echo_of(secret: str, how: str) -> str:
    from urllib.parse import quote, quote_plus

    return {"plain": secret, "url": quote(secret, safe=""), "form": quote_plus(secret)}[how]


@pytest.mark.parametrize("how", ["plain", "url", "form"])
@pytest.mark.parametrize("where", ["reason", "body", "header", "request id", "retried"])
def test_an_echo_of_a_request_secret_is_masked_wherever_the_server_puts_it(
    debug_log: ListHandler, where: str, how: str
) -> None:
    from _faultserver import ScriptedServer

    def script(conn: Any, req: Any) -> None:
        body = req.body.decode()
        secret = json.loads(body).get("newPassword") or json.loads(body)["code"]
        echo = _echo_of(secret, how).encode()
        reason, payload, header = b"Bad Request", b'{"code": "invalid_request"}', b""
        if where in ("request id", "retried"):
            # A second X-Request-Id: urllib3 joins it to the first ("rid-hostile, rid-...").
            header = b"X-Request-Id: rid-" + echo + b"\r\n"
            if where == "retried" and req.number == 1:
                reason = b"Service Unavailable"
                _raw_answer(b"HTTP/1.1 503 " + reason, payload, header)(conn, req)
                return
        elif where == "reason":
            reason = b"Bad newPassword=" + echo
        elif where == "body":
            payload = b"newPassword=" + echo + b"&email=ann%40example.com"
        else:
            header = (
                b"X-Echo: " + echo + b"\r\nSet-Cookie: session=" + SERVER_TOKEN.encode() + b"\r\n"
            )
        _raw_answer(b"HTTP/1.1 400 " + reason, payload, header)(conn, req)

    seen = Collector()
    retries = 1 if where == "retried" else 0
    with ScriptedServer(script) as srv, client(srv.url(), max_retries=retries) as api_client:
        api = persona.AccountApi(api_client)
        exc = seen.call(
            lambda: api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=TOKEN, new_password=NEW_PASSWORD)
            )
        )
        seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=CODE)
            )
        )
    assert type(exc) is persona.BadRequestException
    if where not in ("request id", "retried"):
        assert exc.request_id == "rid-hostile"  # the useful parts stay
    if where == "header":
        assert exc.headers is not None
        assert exc.headers["X-Echo"] == "***"
        assert exc.headers["Set-Cookie"] == "***"
    seen.texts += debug_log.lines
    seen.assert_clean([NEW_PASSWORD, CODE, SERVER_TOKEN])


@pytest.mark.parametrize("as_json", [False, True])
def test_the_cli_never_prints_a_secret_the_server_echoes(as_json: bool) -> None:
    import io

    from _faultserver import ScriptedServer

    from persona.cli import main

    def script(conn: Any, req: Any) -> None:
        secret = json.loads(req.body)["newPassword"]
        body = json.dumps({"code": "invalid_request", "message": f"bad {secret}"}).encode()
        _raw_answer(b"HTTP/1.1 400 Bad " + secret.encode(), body)(conn, req)

    password = "cli-Secret-pass-42"
    with ScriptedServer(script) as srv:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--host", srv.url(), "reset-password", "--token", "tok-12345678"]
        argv += ["--password-stdin"] + (["--json"] if as_json else [])
        status = main(argv, stdin=io.StringIO(password + "\n"), stdout=out, stderr=err)
    assert status == 1
    assert "400" in err.getvalue()
    seen = Collector()
    seen.texts += [out.getvalue(), err.getvalue()]
    seen.assert_clean([password, "tok-12345678"])


@pytest.mark.parametrize("framing", ["chunked", "Content-Length"])
def test_a_token_body_cut_by_the_connection_is_not_kept_in_the_chained_errors(
    debug_log: ListHandler, framing: str
) -> None:
    from _faultserver import ScriptedServer

    body = json.dumps({"token": SERVER_TOKEN, "expiresAt": "2030-01-01T00:00:00Z"}).encode()

    def script(conn: Any, req: Any) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if framing == "chunked":
            conn.send(head + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % (len(body) + 50) + body)
        else:
            conn.send(head + b"Content-Length: %d\r\n\r\n" % (len(body) + 50) + body)
        conn.close()

    seen = Collector()
    with ScriptedServer(script) as srv, client(srv.url(), max_retries=0) as api_client:
        api = persona.AccountApi(api_client)
        exc = seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=CODE)
            )
        )
    assert isinstance(exc, persona.ApiConnectionError)
    seen.texts += debug_log.lines
    seen.assert_clean([SERVER_TOKEN, CODE])


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('{"to\\u006ben": "abc", "x": 1', '{"to\\u006ben": "***", "x": 1'),
        ('{"PassWord": 12345 ,', '{"PassWord": "***" ,'),
        ('{"a\\q": "kept", "token": "abc', '{"a\\q": "kept", "token": "***"'),
        ('{"token": {"inner": "abc"}, "x": 1', '{"token": "***"'),
        ('no JSON "token" here', 'no JSON "token" here'),
    ],
)
def test_mask_response_text_masks_secret_properties_of_text_that_is_not_json(
    text: str, shown: str
) -> None:
    from persona.redaction import mask_response_text

    assert mask_response_text(text, (), {"token"}) == shown


# -- every escaped form a common server's encoder writes --------------------------------
# A password with the characters encoders escape differently: "/", "<", "&", quotes,
# non-ASCII (one of them outside the BMP, a surrogate pair in JSON).
HARD_PASSWORD = 'N3w/p<a&s>s"\u00e9\U0001f600\u2603'
HARD_CODE = "C0/de<&\u00c9-1"


def _upper_hex(text: str) -> str:
    return re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)


def _entities(text: str, form: str) -> str:
    return "".join(
        c
        if c.isalnum() and c.isascii()
        else (f"&#{ord(c)};" if form == "dec" else f"&#X{ord(c):x};")
        for c in text
    )


ENCODERS: dict[str, Callable[[str], str]] = {
    # PHP's json_encode: "\/" and \uXXXX for every non-ASCII character.
    "PHP JSON, cut short": lambda body: json.dumps({"message": body}).replace("/", "\\/")[:-3],
    "JSON with uppercase \\u escapes in HTML": lambda body: (
        "<p>" + _upper_hex(json.dumps({"echo": body})) + "</p>"
    ),
    # Go's encoding/json: <, > and & as \u003c, \u003e, \u0026, the rest as is.
    "Go JSON, cut short": lambda body: (
        json.dumps({"message": body}, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")[:-2]
    ),
    "HTML page, named entities": lambda body: "<pre>" + html.escape(body) + "</pre>",
    "HTML page, decimal entities": lambda body: "<p>" + _entities(body, "dec") + "</p>",
    "HTML page, hex entities": lambda body: "<p>" + _entities(body, "hex") + "</p>",
    "HTML page quoting escaped JSON": lambda body: "<pre>" + html.escape(json.dumps(body)),
    "HTML entities escaped twice": lambda body: "<p>" + html.escape(html.escape(body)),
}


def _unescaped(text: str) -> str:
    """``text`` with JSON and HTML escapes undone, three rounds (the test's own decoder)."""

    def one(match: re.Match[str]) -> str:
        return json.loads('"' + match.group(0) + '"')

    for _ in range(3):
        text = re.sub(r"(?:\\u[0-9a-fA-F]{4})+", one, text, flags=re.I)
        text = re.sub(r'\\[/"\\bfnrt]', one, text)
        text = html.unescape(text)
    return text


@pytest.mark.parametrize("encoder", sorted(ENCODERS))
def test_an_escaped_echo_of_a_secret_is_masked_in_every_form_an_encoder_writes(
    httpserver: HTTPServer, debug_log: ListHandler, encoder: str
) -> None:
    echo_server(httpserver, 400, ENCODERS[encoder])
    seen = Collector()
    with client(httpserver.url_for("/v1")) as api_client:
        api = persona.AccountApi(api_client)
        exc = seen.call(
            lambda: api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token=TOKEN, new_password=HARD_PASSWORD)
            )
        )
        seen.call(
            lambda: api.account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=HARD_CODE)
            )
        )
    assert exc.body is not None
    assert "***" in exc.body  # the body is kept, masked
    seen.texts += debug_log.lines
    seen.assert_clean([HARD_PASSWORD, HARD_CODE, TOKEN])
    for text in seen.texts:
        plain = _unescaped(text)
        for secret in (HARD_PASSWORD, HARD_CODE, TOKEN):
            assert secret not in plain, f"{secret!r} readable in {text[:300]!r}"


def test_a_secret_named_property_behind_html_escapes_is_masked(debug_log: ListHandler) -> None:
    from _faultserver import ScriptedServer

    page = "<pre>" + html.escape(json.dumps({"token": SERVER_TOKEN, "x": 1})) + "</pre>"
    seen = Collector()
    script = _raw_answer(b"HTTP/1.1 500 Internal Server Error", page.encode())
    with ScriptedServer(script) as srv, client(srv.url(), max_retries=0) as api_client:
        seen.call(
            lambda: persona.AccountApi(api_client).account_code_for_token_post(
                persona.CodeForTokenData(email=EMAIL, code=CODE)
            )
        )
    seen.texts += debug_log.lines
    seen.assert_clean([SERVER_TOKEN])
    assert all(SERVER_TOKEN not in _unescaped(text) for text in seen.texts)


# -- every exception prints on any terminal ----------------------------------------------
UNPRINTABLE_BODIES: dict[str, bytes] = {
    "JSON lone surrogate": b'{"code": "x", "message": "bad \\ud800 and \\udfff here"}',
    "JSON control characters": b'{"message": "\\u001b[2J\\u001b]0;pwned\\u0007 \\u202e"}',
    "raw control characters": b"<p>\x1b[31mred\x00\x07\x9b</p>",
    "cut-short JSON, lone surrogate": b'{"message": "\\ud800',
}


@pytest.mark.parametrize("case", sorted(UNPRINTABLE_BODIES))
@pytest.mark.parametrize("status", [400, 200])
def test_every_exception_prints_on_any_terminal(
    debug_log: ListHandler, case: str, status: int
) -> None:
    import io

    from _faultserver import ScriptedServer

    body = UNPRINTABLE_BODIES[case]
    script = _raw_answer(b"HTTP/1.1 %d Bad \x1b[2J\x7f" % status, body)
    with (
        ScriptedServer(script) as srv,
        client(srv.url(), max_retries=0) as api_client,
        pytest.raises(persona.ApiException) as info,
    ):
        persona.AccountApi(api_client).account_forgot_pass_post(
            persona.ForgotPasswordData(email=EMAIL)
        )
    exc = info.value
    for text in (str(exc), repr(exc)):
        assert text.isprintable(), text
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict, as a terminal is
        print(text, file=out)
        out.flush()
    for attr in (exc.body, exc.reason):
        if attr is not None:
            attr.encode("utf-8")  # writable, printable by the caller
    assert debug_log.lines  # the response was logged
    for line in debug_log.lines:
        line.encode("utf-8")
        assert "\x1b" not in line


# -- a secret no request could carry is refused where it enters ------------------------
def test_a_secret_with_a_lone_surrogate_is_refused_when_set() -> None:
    with pytest.raises(persona.ApiValueError, match=r"UpdatePasswordData.token.*lone surrogate"):
        persona.UpdatePasswordData(token="tok\ud800en-1234", new_password="long-enough-1")
    data = persona.UpdatePasswordData(token="token-1234", new_password="long-enough-1")
    with pytest.raises(persona.ApiValueError, match=r"new_password.*lone surrogate") as info:
        data.new_password = "pass\udfffword"
    assert "\udfff" not in str(info.value)
    assert data.new_password == "long-enough-1"  # unchanged
    with pytest.raises(persona.ApiValueError, match=r"code.*lone surrogate"):
        persona.CodeForTokenData(email=EMAIL, code="12\ud8003456")


def test_a_token_with_a_lone_surrogate_is_refused_when_received() -> None:
    from _faultserver import ScriptedServer

    body = b'{"token": "tok\\ud800en-abcdef", "expiresAt": "2030-01-01T00:00:00Z"}'
    script = _raw_answer(b"HTTP/1.1 200 OK", body)
    with (
        ScriptedServer(script) as srv,
        client(srv.url(), max_retries=0) as api_client,
        pytest.raises(persona.ApiResponseError, match=r"'token'.*lone surrogate") as info,
    ):
        persona.AccountApi(api_client).account_code_for_token_post(
            persona.CodeForTokenData(email=EMAIL, code=CODE)
        )
    assert "abcdef" not in str(info.value)
    assert info.value.body is None  # a body of a secret-bearing model is withheld
