"""The examples of the page users follow today (``shared/seed/AccountApi.md``) run in a
fresh interpreter against a loopback server and print the response or one clean
``Exception when calling ...`` line - never a traceback.

The seed's examples send empty models (``persona.CodeForTokenData()``). Required fields
are checked before sending, so run verbatim they never reach the server: they print
the ``ApiValueError`` line. To see the response and server-error paths, the same
example is also run with only the body's constructor call filled in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from pytest_httpserver import HTTPServer

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "AccountApi.md"

#: What each seed body needs to be valid, and what a server answers.
FILLED = {
    "ForgotPasswordData": ('email="ann@example.com"', ["email"]),
    "CodeForTokenData": ('email="ann@example.com", code="123456"', ["email", "code"]),
    "UpdatePasswordData": ('token="tok-abc", new_password="new-pass-1"', ["token", "newPassword"]),
}
FIRST_REQUIRED = {
    "ForgotPasswordData": ("email", "email"),
    "CodeForTokenData": ("email", "email"),
    "UpdatePasswordData": ("token", "token"),
}
SECRET_TOKEN = "tok-SECRET-from-server"
ANSWERS = {
    "TokenResponse": {"token": SECRET_TOKEN, "expiresAt": "2030-01-02T03:04:05Z"},
    "ForgotPasswordResponse": {"success": True, "message": "If the account exists, we wrote."},
}


class Example(NamedTuple):
    method: str
    path: str
    model: str
    response: str
    code: str


def _examples() -> list[Example]:
    text = SEED.read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^# \*\*", text, flags=re.M)[1:]:
        method = section.split("**", 1)[0]
        path = re.search(r"\*\*POST\*\* (/\S+)", text[text.index(f"[**{method}**]") :])
        block = re.search(r"```python\n(.*?)```", section, re.S)
        model = re.search(r"body = persona\.(\w+)\(\)", block.group(1) if block else "")
        response = re.search(r"^> (\w+) ", section, re.M)
        if not (path and block and model and response):
            raise AssertionError(f"cannot read the example of {method} in {SEED}")
        found.append(
            Example(method, path.group(1), model.group(1), response.group(1), block.group(1))
        )
    return found


if SEED.is_file():
    EXAMPLES = [pytest.param(e, id=e.method) for e in _examples()]
else:  # pragma: no cover - the seed sits beside the repository in CI and here
    EXAMPLES = [pytest.param(None, marks=pytest.mark.skip(reason=f"seed page absent: {SEED}"))]


def test_the_seed_has_one_example_per_operation() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed page absent: {SEED}")
    assert {e.values[0].method for e in EXAMPLES} == {  # type: ignore[union-attr]
        "account_forgot_pass_post",
        "account_code_for_token_post",
        "account_reset_forgotten_password_post",
    }


def run(code: str, host: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERSONA_")}
    env["PERSONA_HOST"] = host
    env["PYTHONWARNINGS"] = "error"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def filled(example: Example) -> str:
    call = f"persona.{example.model}()"
    assert example.code.count(call) == 1
    return example.code.replace(call, f"persona.{example.model}({FILLED[example.model][0]})")


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("example", EXAMPLES)
def test_seed_example_verbatim_refuses_the_empty_body_before_sending(
    example: Example, status: int, httpserver: HTTPServer, base_url: str
) -> None:
    answer = ANSWERS[example.response] if status == 200 else {"code": "invalid_request"}
    httpserver.expect_request(re.compile(".*")).respond_with_json(answer, status=status)
    result = run(example.code, base_url)
    assert_clean(result)
    attribute, json_name = FIRST_REQUIRED[example.model]
    assert result.stdout.strip() == (
        f"Exception when calling AccountApi->{example.method}: "
        f"{example.model}.{attribute}: is required (JSON property '{json_name}')"
    )
    assert httpserver.log == []  # nothing reached the server


@pytest.mark.parametrize("example", EXAMPLES)
def test_seed_example_prints_the_response(
    example: Example, httpserver: HTTPServer, base_url: str
) -> None:
    httpserver.expect_request("/v1" + example.path, method="POST").respond_with_json(
        ANSWERS[example.response]
    )
    result = run(filled(example), base_url)
    assert_clean(result)
    out = result.stdout
    assert out.startswith(f"{example.response}(")
    assert "Exception" not in out
    assert SECRET_TOKEN not in out
    if example.response == "TokenResponse":
        assert "token='***'" in out
        assert "datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)" in out
    else:
        assert "success=True" in out
        assert "If the account exists, we wrote." in out
    (request, _), *rest = httpserver.log
    assert rest == []
    assert sorted(json.loads(request.get_data())) == sorted(FILLED[example.model][1])


@pytest.mark.parametrize("example", EXAMPLES)
def test_seed_example_prints_one_clean_line_on_400(
    example: Example, httpserver: HTTPServer, base_url: str
) -> None:
    httpserver.expect_request("/v1" + example.path, method="POST").respond_with_json(
        {"code": "invalid_request", "message": "body:\nnot accepted"},
        status=400,
        headers={"X-Request-Id": "req-400"},
    )
    result = run(filled(example), base_url)
    assert_clean(result)
    lines = result.stdout.strip().splitlines()
    assert lines == [
        f"Exception when calling AccountApi->{example.method}: (400) BAD REQUEST: "
        "invalid_request - body: not accepted [request id req-400]"
    ]
    assert len(httpserver.log) == 1


@pytest.mark.parametrize("example", EXAMPLES[:1])
def test_seed_example_prints_one_clean_line_when_nothing_listens(
    example: Example, unused_url: str
) -> None:
    result = run(filled(example), unused_url)
    assert_clean(result)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"Exception when calling AccountApi->{example.method}: cannot connect to http://127.0.0.1:"
    )
