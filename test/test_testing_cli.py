"""``python -m persona.testing``: the ``serve`` and ``outbox`` subcommands, as real processes.

Each test starts the server in a subprocess on a free port, talks to it over HTTP and stops
it with a signal, as a user's shell or CI job would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import pytest
import urllib3

REPO = Path(__file__).resolve().parent.parent
ANN = "ann@example.com"
JSON = "application/json;charset=utf-8"
BANNER = "persona reference server listening on "


def _env(extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PERSONA_OUTBOX", None)
    env.update(extra or {})
    return env


class Serving:
    """A running ``serve`` process and the URL it printed."""

    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc = proc
        self.url = url
        self.http = urllib3.PoolManager(retries=False, timeout=10)

    def post(self, path: str, data: object, key: Optional[str] = None) -> urllib3.BaseHTTPResponse:
        headers = {"Content-Type": JSON}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.http.request(
            "POST", self.url + path, body=json.dumps(data).encode(), headers=headers
        )

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``sig``; return the exit status and everything written to stderr."""
        self.http.clear()
        self.proc.send_signal(sig)
        _, stderr = self.proc.communicate(timeout=10)
        return self.proc.returncode, stderr


@contextmanager
def serve(*args: str) -> Iterator[Serving]:
    """Run ``python -m persona.testing serve --port 0 ARGS`` until the block ends."""
    command = [sys.executable, "-m", "persona.testing", "serve", "--port", "0", *args]
    with subprocess.Popen(
        command,
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith(BANNER), line + proc.stderr.read()  # type: ignore[union-attr]
            serving = Serving(proc, line[len(BANNER) :].strip())
            yield serving
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)


def outbox_command(
    *args: str, env: Optional[dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "persona.testing", "outbox", *args],
        cwd=REPO,
        env=_env(env),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_serve_runs_the_flow_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    with serve("--account", f"{ANN}:old-pass-1", "--outbox", str(outbox)) as srv:
        assert srv.url.startswith("http://127.0.0.1:")
        assert srv.url.endswith("/v1")
        assert srv.post("/account/forgotPass", {"email": ANN}).status == 200

        result = outbox_command("--file", str(outbox), "--email", ANN)
        assert result.returncode == 0, result.stderr
        code = result.stdout.strip()
        assert len(code) == 6
        assert code.isdigit()

        reply = srv.post("/account/codeForToken", {"email": ANN, "code": code})
        assert reply.status == 200
        token = json.loads(reply.data)["token"]
        reply = srv.post(
            "/account/resetForgottenPassword", {"token": token, "newPassword": "Secret-99"}
        )
        assert reply.status == 200

        status, stderr = srv.stop(signal.SIGTERM)
    assert status == 0
    lines = [line for line in stderr.splitlines() if line.startswith("POST ")]
    assert [line.split()[1:3] for line in lines] == [
        ["/v1/account/forgotPass", "200"],
        ["/v1/account/codeForToken", "200"],
        ["/v1/account/resetForgottenPassword", "200"],
    ]
    assert all(line.split()[-1].startswith("req_") for line in lines)
    for secret in (code, token, "Secret-99", "old-pass-1"):
        assert secret not in stderr


def test_serve_stops_cleanly_on_ctrl_c() -> None:
    with serve() as srv:
        status, stderr = srv.stop(signal.SIGINT)
    assert status == 0
    assert "Traceback" not in stderr


def test_serve_rate_limit_option() -> None:
    with serve("--rate-limit", "1") as srv:
        assert srv.post("/account/forgotPass", {"email": ANN}).status == 200
        reply = srv.post("/account/forgotPass", {"email": ANN})
        assert reply.status == 429
        assert reply.headers["Retry-After"] == "60"
        assert srv.stop()[0] == 0


def test_serve_allow_host_adds_names_and_refuses_others_with_421() -> None:
    with serve("--allow-host", "app.test", "--allow-host", "dev.test") as srv:
        port = int(srv.url.rsplit(":", 1)[1].split("/")[0])
        for host, expected in (("app.test", 404), ("dev.test", 404), ("evil.test", 421)):
            reply = srv.http.request(
                "POST", f"http://127.0.0.1:{port}/v1/nowhere", headers={"Host": host}
            )
            assert reply.status == expected, host
        assert json.loads(reply.data)["code"] == "misdirected_request"
        assert srv.stop()[0] == 0
    result = subprocess.run(
        [sys.executable, "-m", "persona.testing", "serve", "--allow-host", "http://app.test"],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "allowed_hosts" in result.stderr


def test_db_keeps_state_across_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    outbox = tmp_path / "outbox.jsonl"
    with serve("--db", str(db), "--outbox", str(outbox), "--account", f"{ANN}:old-pass-1") as srv:
        assert srv.post("/account/forgotPass", {"email": ANN}, key="k1").status == 200
        assert srv.stop()[0] == 0
    code = outbox_command("--file", str(outbox), "--email", ANN).stdout.strip()
    with serve("--db", str(db), "--outbox", str(outbox)) as srv:
        replay = srv.post("/account/forgotPass", {"email": ANN}, key="k1")
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert srv.post("/account/codeForToken", {"email": ANN, "code": code}).status == 200
        assert srv.stop()[0] == 0


def test_outbox_reads_the_file_named_by_the_environment(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    outbox.write_text(
        '{"email": "ann@example.com", "code": "111111", "sent_at": "2024-01-01T00:00:00Z"}\n'
        '{"email": "bob@example.com", "code": "222222", "sent_at": "2024-01-01T00:00:01Z"}\n'
        '{"email": "Ann@Example.com", "code": "333333", "sent_at": "2024-01-01T00:00:02Z"}\n'
        '{"email": "ann@exa'
    )
    result = outbox_command("--email", ANN, env={"PERSONA_OUTBOX": str(outbox)})
    assert (result.returncode, result.stdout) == (0, "333333\n")


def test_outbox_without_a_code_for_the_address_fails_clearly(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox.jsonl"
    outbox.write_text("")
    result = outbox_command("--file", str(outbox), "--email", ANN)
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"no code mailed to {ANN}" in result.stderr


def test_outbox_with_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    result = outbox_command("--file", str(tmp_path / "absent.jsonl"), "--email", ANN)
    assert result.returncode == 1
    assert "does not exist" in result.stderr


def test_outbox_without_a_file_is_a_usage_error() -> None:
    result = outbox_command("--email", ANN)
    assert result.returncode == 2
    assert "PERSONA_OUTBOX" in result.stderr


def test_serve_reports_a_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = subprocess.run(
            [sys.executable, "-m", "persona.testing", "serve", "--port", port],
            cwd=REPO,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port 0 for a free one" in result.stderr  # what to do about it
    assert "Traceback" not in result.stderr


def test_port_0_picks_a_free_port_and_prints_its_url() -> None:
    with serve() as serving:
        port = int(serving.url.rsplit(":", 1)[1].split("/")[0])
        assert port > 0
        assert serving.url == f"http://127.0.0.1:{port}/v1"
        assert serving.post("/account/forgotPass", {"email": ANN}).status == 200
        status, _ = serving.stop(signal.SIGINT)
    assert status == 0


@pytest.mark.parametrize("account", ["no-colon", ":pw", "ann@example.com:"])
def test_serve_rejects_a_malformed_account(account: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "persona.testing", "serve", "--account", account],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "EMAIL:PASSWORD" in result.stderr


@pytest.mark.parametrize("via", ["option", "environment"])
def test_serve_refuses_an_outbox_that_is_a_directory_at_start(tmp_path: Path, via: str) -> None:
    # Before, the server started and then answered 500 to every forgotPass of an account.
    args = ["--outbox", str(tmp_path)] if via == "option" else []
    env = _env({"PERSONA_OUTBOX": str(tmp_path)} if via == "environment" else None)
    result = subprocess.run(
        [sys.executable, "-m", "persona.testing", "serve", "--port", "0", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""  # never said it was listening
    assert f"error: outbox '{tmp_path}' is a directory" in result.stderr
    assert "Traceback" not in result.stderr
