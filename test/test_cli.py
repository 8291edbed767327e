"""The command line (`python -m persona`) against a live reference server."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from typing import Optional
from urllib.parse import urlsplit

import pytest

from persona import ApiTLSError
from persona.cli import EXIT_API_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, _hint, main

EMAIL = "ann@example.com"


def run(argv: list[str], stdin_text: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin_text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_module(
    args: list[str], env_host: Optional[str] = None, stdin_text: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    if env_host:
        env["PERSONA_HOST"] = env_host
    return subprocess.run(
        [sys.executable, "-m", "persona", *args],
        input=stdin_text,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def token_via_cli(server) -> str:
    """A reset token for EMAIL, taken through forgot-password and code-for-token."""
    run(["--host", server.url, "forgot-password", "--email", EMAIL])
    mailed = server.last_code(EMAIL)
    _, out, _ = run(
        ["--host", server.url, "--json", "code-for-token", "--email", EMAIL, "--code", mailed]
    )
    return str(json.loads(out)["data"]["token"])


def test_forgot_password_prints_result_and_mails_a_code(persona_server):
    code, out, err = run(["--host", persona_server.url, "forgot-password", "--email", EMAIL])
    assert code == EXIT_OK, err
    assert "success: True" in out
    assert "request id req_" in out
    assert persona_server.last_code(EMAIL) is not None


def test_global_options_are_accepted_after_the_subcommand(persona_server):
    code, out, _ = run(
        ["forgot-password", "--email", EMAIL, "--host", persona_server.url, "--json"]
    )
    assert code == EXIT_OK
    assert json.loads(out)["data"]["success"] is True


def test_json_output_of_code_for_token_carries_token_status_and_request_id(persona_server):
    run(["--host", persona_server.url, "forgot-password", "--email", EMAIL])
    mailed = persona_server.last_code(EMAIL)
    code, out, err = run(
        [
            "--host",
            persona_server.url,
            "--json",
            "code-for-token",
            "--email",
            EMAIL,
            "--code",
            mailed,
        ]
    )
    assert code == EXIT_OK, err
    payload = json.loads(out)
    assert payload["status"] == 200
    assert payload["request_id"].startswith("req_")
    assert payload["data"]["token"]
    assert "expiresAt" in payload["data"]


def test_wrong_code_exits_1_with_one_line_naming_status_and_request_id_and_a_hint(
    persona_server,
):
    run(["--host", persona_server.url, "forgot-password", "--email", EMAIL])
    code, out, err = run(
        ["--host", persona_server.url, "code-for-token", "--email", EMAIL, "--code", "000000x"]
    )
    assert code == EXIT_API_ERROR
    assert out == ""
    first, hint = err.splitlines()
    assert "(401)" in first
    assert "invalid_code" in first
    assert "request id req_" in first
    assert "hint" not in first  # one hint, on its own line, in the command's words
    assert hint == (
        "persona: hint: check the code, or ask for a new one with persona forgot-password "
        "if it was used or has expired"
    )
    assert "000000x" not in err


def test_json_error_is_one_json_line_on_stderr(persona_server):
    code, _, err = run(
        ["--host", persona_server.url, "--json", "code-for-token", "--email", EMAIL, "--code", "1"]
    )
    assert code == EXIT_API_ERROR
    error = json.loads(err)["error"]
    assert error["status"] == 401
    assert error["code"] == "invalid_code"
    assert error["type"] == "UnauthorizedException"
    assert error["request_id"].startswith("req_")


def test_reset_password_reads_the_password_from_stdin_never_argv(persona_server):
    token = token_via_cli(persona_server)
    code, out, err = run(
        ["--host", persona_server.url, "reset-password", "--token", token, "--password-stdin"],
        stdin_text="brand-new-secret-9\n",
    )
    assert code == EXIT_OK, err
    assert "success: True" in out
    assert persona_server.check_password(EMAIL, "brand-new-secret-9")
    # The spent token is refused the second time.
    code, _, err = run(
        ["--host", persona_server.url, "reset-password", "--token", token, "--password-stdin"],
        stdin_text="another-secret-9\n",
    )
    assert code == EXIT_API_ERROR
    assert "invalid_token" in err
    assert err.splitlines()[1] == (
        "persona: hint: a reset token works once and expires: start again with "
        "persona forgot-password, then persona code-for-token"
    )
    assert token not in err
    assert "another-secret-9" not in err


def test_reset_password_without_a_terminal_or_stdin_flag_is_a_usage_error(persona_server):
    code, _, err = run(["--host", persona_server.url, "reset-password", "--token", "t"])
    assert code == EXIT_USAGE
    assert "--password-stdin" in err
    assert persona_server.request_count() == 0


def test_password_is_not_an_option():
    with pytest.raises(SystemExit) as exc:
        main(["reset-password", "--token", "t", "--password", "x"], stderr=io.StringIO())
    assert exc.value.code == EXIT_USAGE


def test_invalid_input_exits_2_before_anything_is_sent(persona_server):
    code, _, err = run(["--host", persona_server.url, "forgot-password", "--email", "no-at-sign"])
    assert code == EXIT_USAGE
    assert err == "persona: error: --email: must contain exactly one '@'\n"
    assert persona_server.request_count() == 0
    code, _, err = run(
        ["--host", persona_server.url, "reset-password", "--token", "t", "--password-stdin"],
        stdin_text="short\n",
    )
    assert code == EXIT_USAGE
    assert err == "persona: error: the new password: must be at least 8 characters long\n"


def test_unreachable_host_exits_1_without_traceback():
    result = run_module(
        ["--host", "http://127.0.0.1:9/v1", "--timeout", "1", "forgot-password", "--email", EMAIL],
    )
    assert result.returncode == EXIT_API_ERROR
    assert "Traceback" not in result.stderr
    assert "cannot connect" in result.stderr


def test_module_entry_point_uses_persona_host(persona_server):
    result = run_module(
        ["--json", "forgot-password", "--email", EMAIL], env_host=persona_server.url
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["data"]["success"] is True


def test_usage_errors_exit_2():
    result = run_module(["no-such-command"])
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr


def test_verbose_logs_requests_with_secrets_masked(persona_server):
    run(["--host", persona_server.url, "forgot-password", "--email", EMAIL])
    mailed = persona_server.last_code(EMAIL)
    result = run_module(
        ["-v", "code-for-token", "--email", EMAIL, "--code", mailed], env_host=persona_server.url
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert "POST" in result.stderr
    assert "/account/codeForToken" in result.stderr
    assert mailed not in result.stderr
    token_line = next(line for line in result.stdout.splitlines() if line.startswith("token: "))
    assert token_line.split(": ", 1)[1] not in result.stderr


def test_demo_runs_the_whole_flow_and_exits_0():
    result = run_module(["demo"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for expected in (
        "1. forgotPass: HTTP 200",
        "2. codeForToken: HTTP 200",
        "3. resetForgottenPassword: HTTP 200",
        "ok: the new password works",
        "ok: the old password no longer does",
        "ok: the token cannot be used twice (401 invalid_token)",
        "demo complete",
    ):
        assert expected in result.stdout
    assert "request id req_" in result.stdout


def test_demo_in_process_prints_every_step():
    code, out, err = run(["demo"])
    assert code == 0, out + err
    assert out.count("HTTP 200") == 3
    assert out.rstrip().endswith("demo complete: the password was reset, and the token is spent.")


def test_demo_refuses_options_that_do_not_apply():
    code, out, err = run(["--host", "http://127.0.0.1:9/v1", "demo"])
    assert code == EXIT_USAGE
    assert "--host" in err
    assert out == ""


def test_demo_leaves_the_users_outbox_file_alone(tmp_path, monkeypatch):
    outbox = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("PERSONA_OUTBOX", str(outbox))
    code, _, _ = run(["demo"])
    assert code == 0
    assert not outbox.exists()


def test_demo_piped_into_a_closed_reader_exits_without_traceback():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "persona", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line is written (`| head -0`)
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == EXIT_API_ERROR
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr


def _pty_session(argv: list[str], answers: list[str], timeout: float = 30) -> tuple[int, str]:
    """Run ``python -m persona argv`` on a pseudo-terminal, typing ``answers`` at each
    prompt that ends with ": "; return its exit status and everything it showed."""
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its controlling tty, as in a shell
        env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
        os.execve(sys.executable, [sys.executable, "-m", "persona", *argv], env)
    shown = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal: it has exited
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown.endswith(b": "):  # a prompt waits (not an old one + CRLF)
                os.write(fd, pending.pop(0).encode() + b"\n")
    finally:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_reset_password_asks_twice_on_the_terminal_without_echo(persona_server):
    token = token_via_cli(persona_server)
    status, shown = _pty_session(
        ["--host", persona_server.url, "reset-password", "--token", token],
        ["typed-on-a-tty-1", "typed-on-a-tty-1"],
    )
    assert status == EXIT_OK, shown
    assert "New password:" in shown
    assert "Repeat new password:" in shown
    assert "typed-on-a-tty-1" not in shown  # not echoed
    assert persona_server.check_password(EMAIL, "typed-on-a-tty-1")


def test_reset_password_refuses_two_different_passwords(persona_server):
    status, shown = _pty_session(
        ["--host", persona_server.url, "reset-password", "--token", "some-token"],
        ["first-password-1", "second-password-2"],
    )
    assert status == EXIT_USAGE
    assert "differ" in shown
    assert persona_server.request_count() == 0


def test_code_and_token_can_come_from_stdin_and_stay_out_of_argv(persona_server):
    run(["--host", persona_server.url, "forgot-password", "--email", EMAIL])
    mailed = persona_server.last_code(EMAIL)
    code, out, err = run(
        [
            "--host",
            persona_server.url,
            "--json",
            "code-for-token",
            "--email",
            EMAIL,
            "--code-stdin",
        ],
        stdin_text=mailed + "\n",
    )
    assert code == EXIT_OK, err
    token = json.loads(out)["data"]["token"]
    code, out, err = run(
        ["--host", persona_server.url, "reset-password", "--token-stdin", "--password-stdin"],
        stdin_text=f"{token}\nfrom-stdin-pass-1\n",
    )
    assert code == EXIT_OK, err
    assert persona_server.check_password(EMAIL, "from-stdin-pass-1")


def test_code_is_required_one_way_or_the_other():
    for argv in (
        ["code-for-token", "--email", EMAIL],
        ["code-for-token", "--email", EMAIL, "--code", "1", "--code-stdin"],
        ["reset-password", "--password-stdin"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv, stderr=io.StringIO())
        assert exc.value.code == EXIT_USAGE


def test_stdin_that_ends_early_is_a_usage_error(persona_server):
    code, _, err = run(
        ["--host", persona_server.url, "reset-password", "--token-stdin", "--password-stdin"],
        stdin_text="only-a-token\n",
    )
    assert code == EXIT_USAGE
    assert "stdin ended before the new password" in err
    assert persona_server.request_count() == 0


@pytest.mark.parametrize("secret", ["-leading-dash-token", "--double-dash-token"])
def test_a_token_or_code_that_starts_with_a_dash_is_still_a_value(persona_server, secret):
    # URL-safe tokens start with "-" one time in 32: argparse alone would call it an option.
    code, _, err = run(
        ["--host", persona_server.url, "reset-password", "--token", secret, "--password-stdin"],
        stdin_text="long-enough-pass-1\n",
    )
    assert code == EXIT_API_ERROR, err  # sent, and refused by the server: not a usage error
    assert "invalid_token" in err
    code, _, err = run(
        ["--host", persona_server.url, "code-for-token", "--email", EMAIL, "--code", secret]
    )
    assert code == EXIT_API_ERROR, err
    assert "invalid_code" in err


def test_an_option_after_a_bare_token_option_is_not_taken_as_the_token():
    with pytest.raises(SystemExit) as exc:
        main(["reset-password", "--token", "--password-stdin"], stderr=io.StringIO())
    assert exc.value.code == EXIT_USAGE


def test_validation_errors_name_the_option_typed(persona_server):
    code, _, err = run(
        ["--host", persona_server.url, "code-for-token", "--email", EMAIL, "--code", ""]
    )
    assert (code, err) == (EXIT_USAGE, "persona: error: --code: must not be empty\n")
    code, _, err = run(
        ["--host", persona_server.url, "code-for-token", "--email", EMAIL, "--code-stdin"],
        stdin_text="\n",
    )
    assert (code, err) == (
        EXIT_USAGE,
        "persona: error: the code read from stdin: must not be empty\n",
    )
    code, _, err = run(
        ["--host", persona_server.url, "reset-password", "--token-stdin", "--password-stdin"],
        stdin_text="\nlong-enough-1\n",
    )
    assert err == "persona: error: the token read from stdin: must not be empty\n"
    code, _, err = run(
        ["--host", persona_server.url, "--json", "forgot-password", "--email", "a@b@c"]
    )
    assert code == EXIT_USAGE
    error = json.loads(err)["error"]
    assert error["type"] == "ApiValueError"
    assert error["message"].startswith("--email: ")
    assert persona_server.request_count() == 0


def test_a_bad_host_is_reported_as_it_was_given():
    code, _, err = run(["--host", "ftp://example.com/v1", "forgot-password", "--email", EMAIL])
    assert code == EXIT_USAGE
    assert err.startswith("persona: error: ")
    assert "host" in err.lower()
    assert err.count("\n") == 1


def test_a_refused_connection_says_what_to_try(unused_url):
    code, _, err = run(
        ["--host", unused_url, "--timeout", "2", "forgot-password", "--email", EMAIL]
    )
    assert code == EXIT_API_ERROR
    first, hint = err.splitlines()
    assert first.startswith("persona: error: ")
    port = urlsplit(unused_url).port  # the port the command was given, not the default
    assert hint == (
        f"persona: hint: is the service running at {unused_url}? Pass its base URL with "
        f"--host or PERSONA_HOST (for a local one: python -m persona.testing serve --port {port} "
        "--outbox outbox.jsonl)"
    )
    assert "hint" not in first  # one hint, on its own line: not the SDK's too


def test_a_host_name_that_does_not_resolve_says_to_check_the_host():
    host = "http://no-such-host.invalid/v1"
    code, _, err = run(["--host", host, "--timeout", "2", "forgot-password", "--email", EMAIL])
    assert code == EXIT_API_ERROR
    first, hint = err.splitlines()
    assert "Failed to resolve 'no-such-host.invalid'" in first
    assert "hint" not in first
    assert hint == (
        "persona: hint: the host name no-such-host.invalid does not resolve: check --host or "
        "PERSONA_HOST"
    )


def test_a_host_without_the_base_path_says_to_add_v1(persona_server):
    bare = persona_server.url.removesuffix("/v1")
    code, _, err = run(["--host", bare, "forgot-password", "--email", EMAIL])
    assert code == EXIT_API_ERROR
    assert "(404)" in err
    assert err.splitlines()[1] == (
        f"persona: hint: the host must be the API's base URL, ending in /v1: try --host {bare}/v1"
    )
    code, _, err = run(["--host", persona_server.url + "/v1", "forgot-password", "--email", EMAIL])
    assert code == EXIT_API_ERROR
    assert "check that it is the Persona Account API's base URL" in err.splitlines()[1]


@pytest.mark.parametrize(
    ("suffix", "meant"),
    [
        ("/v2", "/v1"),
        ("", "/v1"),
        ("/", "/v1"),
        ("/api/v0", "/api/v1"),
        ("/gateway", "/gateway/v1"),
    ],
)
def test_every_error_prints_one_hint_and_a_right_one(persona_server, suffix, meant):
    root = persona_server.url.removesuffix("/v1")
    code, _, err = run(["--host", root + suffix, "forgot-password", "--email", EMAIL])
    assert code == EXIT_API_ERROR
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert "hint" not in lines[0]
    assert lines[1] == (
        "persona: hint: the host must be the API's base URL, ending in /v1: "
        f"try --host {root}{meant}"
    )


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "-3"], "--timeout"),
        (["--timeout", "nan"], "--timeout"),
        (["--timeout", "1e99"], "--timeout"),
        (["--host", "ftp://example.com/v1"], "--host"),
        (["--host", "http://"], "--host"),
    ],
)
def test_a_bad_option_value_is_reported_under_the_option_typed(argv, flag, capsys):
    try:
        code, _, err = run([*argv, "forgot-password", "--email", EMAIL])
    except SystemExit as exc:  # argparse's own usage error, on sys.stderr
        code, err = exc.code, capsys.readouterr().err
    assert code == EXIT_USAGE
    assert f"{flag}: " in err, err
    assert "timeout: must" not in err.replace("--timeout: must", "")
    assert "error: host:" not in err


def test_https_to_a_plain_http_server_says_to_use_http(persona_server):
    https = persona_server.url.replace("http://", "https://")
    code, _, err = run(["--host", https, "--timeout", "2", "forgot-password", "--email", EMAIL])
    assert code == EXIT_API_ERROR
    first, hint = err.splitlines()
    assert "TLS" in first
    assert hint == (
        "persona: hint: the TLS handshake failed: the server does not answer in TLS; if it "
        f"serves plain HTTP, try --host {persona_server.url}"
    )


def test_another_tls_failure_says_what_to_check():
    # An untrusted certificate, say: no answer in plain HTTP was seen.
    error = ApiTLSError("TLS failure talking to https://x: certificate verify failed")
    hint = _hint(error, "https://x/v1")
    assert hint is not None
    assert hint.startswith("the TLS handshake failed: check the scheme of the host")
    assert "PERSONA_CA_BUNDLE" in hint


@pytest.mark.persona_server(faults=[{"kind": "stall:5", "times": 1}])
def test_a_timeout_says_what_to_try(persona_server, monkeypatch):
    monkeypatch.setenv("PERSONA_MAX_RETRIES", "0")
    started = time.monotonic()
    code, _, err = run(
        [
            "--host",
            persona_server.url,
            "--json",
            "--timeout",
            "0.5",
            "forgot-password",
            "--email",
            EMAIL,
        ]
    )
    assert time.monotonic() - started < 4
    assert code == EXIT_API_ERROR
    error = json.loads(err)["error"]
    assert error["type"] == "ApiTimeoutError"
    assert error["hint"].startswith(f"no answer from {persona_server.url} in time")
    assert "--timeout SECONDS" in error["hint"]


@pytest.mark.persona_server(rate_limit=1)
def test_json_errors_for_429_carry_retry_after(persona_server):
    run(["--host", persona_server.url, "forgot-password", "--email", EMAIL])
    code, _, err = run(
        ["--host", persona_server.url, "--json", "forgot-password", "--email", EMAIL]
    )
    assert code == EXIT_API_ERROR
    error = json.loads(err)["error"]
    assert error["status"] == 429
    assert 1 <= error["retry_after"] <= 60
    assert error["hint"] is None
    code, _, err = run(
        ["--host", persona_server.url, "--json", "code-for-token", "--email", EMAIL, "--code", "1"]
    )
    assert json.loads(err)["error"]["retry_after"] is None  # the key is always there


def test_a_plain_http_warning_is_one_clean_line(unused_url):
    result = run_module(
        [
            "--host",
            "http://persona.invalid/v1",
            "--timeout",
            "1",
            "forgot-password",
            "--email",
            EMAIL,
        ]
    )
    warning = result.stderr.splitlines()[0]
    assert warning.startswith("persona: warning: host http://persona.invalid/v1 is plain http")
    assert "persona: persona:" not in result.stderr
    assert "WARNING" not in result.stderr
    assert not any(line[:4].isdigit() for line in result.stderr.splitlines())  # no timestamp


def test_verbose_lines_carry_no_timestamp(persona_server):
    result = run_module(["-v", "forgot-password", "--email", EMAIL], env_host=persona_server.url)
    assert result.returncode == EXIT_OK, result.stderr
    lines = result.stderr.splitlines()
    assert lines
    assert all(line.startswith(("persona: debug: ", "persona: info: ")) for line in lines), lines
    assert any(line.startswith("persona: info: ") for line in lines)  # the call's outcome


def test_demo_help_lists_only_the_options_demo_takes():
    result = run_module(["demo", "--help"])
    assert result.returncode == 0
    assert "--timeout" in result.stdout
    assert "--verbose" in result.stdout
    assert "--host" not in result.stdout
    assert "--json" not in result.stdout
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--json"], stderr=io.StringIO())
    assert exc.value.code == EXIT_USAGE  # not an option of demo's any more
    code, _, err = run(["--json", "demo"])  # given before the command: refused, as documented
    assert code == EXIT_USAGE
    assert "--host and --json do not apply" in err


def test_top_level_help_lists_every_exit_status():
    result = run_module(["--help"])
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "0 ok, 1 API or network error, 2 bad usage or input, 130 interrupted (Ctrl-C)" in text


# A demo that waits on the network: its server stalls every answer, so that Ctrl-C
# finds the demo in the middle of its first call, as a user's Ctrl-C would.
_STALLING_DEMO = """
import signal
import sys

# Python turns SIGINT into KeyboardInterrupt, as at a terminal, unless SIGINT was ignored
# when it started: what a runner started in the background (a CI job, `cmd &`) hands down.
signal.signal(signal.SIGINT, signal.default_int_handler)

from persona.testing.server import ReferenceServer

start = ReferenceServer.start

def stalling_start(self):
    start(self)
    self.inject_fault("stall:60", times=100)
    return self

ReferenceServer.start = stalling_start
sys.argv = ["persona", "demo"]
from persona.cli import console
console()
"""


def _read_line(proc: subprocess.Popen, deadline: float) -> str:
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(max(0.0, deadline - time.monotonic())):
            raise AssertionError("no line from the demo in time")
    return proc.stdout.readline()


def test_ctrl_c_stops_the_demo_with_status_130_and_no_traceback():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _STALLING_DEMO],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        lines = [_read_line(proc, deadline), _read_line(proc, deadline)]
        assert lines[1].startswith("   server http://127.0.0.1:"), lines
        time.sleep(0.3)  # into the first call, which the server stalls
        proc.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        stdout, stderr = proc.communicate(timeout=30)
        stopped_in = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    assert stderr == "persona: interrupted\n"
    assert "demo complete" not in stdout
    assert stopped_in < 5  # at once, not after the stalled read timed out (30 s)


@pytest.mark.parametrize(
    "command", [["-m", "persona", "demo"], ["-c", "import persona.__main__ as m; m.run()"]]
)
def test_ctrl_c_while_the_command_line_is_still_importing_exits_quietly_with_130(tmp_path, command):
    # A Ctrl-C in the first fraction of a second lands in an import. Made deterministic
    # with a module the command line imports early that raises it, as SIGINT would there.
    (tmp_path / "getpass.py").write_text("raise KeyboardInterrupt\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, *command], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == "persona: interrupted\n"
