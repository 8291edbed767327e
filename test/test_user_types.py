"""What persona's users see when they type-check their own code: ``mypy --strict`` and
pyright in strict mode, on one user file with the calls the docs show. Each revealed
type is listed; misspelt names and options are errors in both; no ``Any`` reaches the
user's code (pyright strict reports any Unknown)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

USER_FILE = textwrap.dedent(
    """\
    import persona
    from persona.rest import ApiException

    api = persona.AccountApi()
    body = persona.CodeForTokenData(email="ann@example.com", code="123456")
    token = api.account_code_for_token_post(body)
    reveal_type(token)
    reveal_type(token.token)
    print(len(token.token))
    data, status, headers = api.account_forgot_pass_post_with_http_info(
        persona.ForgotPasswordData(email="ann@example.com")
    )
    reveal_type(data)
    reveal_type(status)
    reveal_type(headers)
    reveal_type(api.account_code_for_token_post(body, _return_http_data_only=False))
    reveal_type(api.account_code_for_token_post_with_http_info(body, _return_http_data_only=True))
    reveal_type(api.account_code_for_token_post(body, async_req=True))
    reveal_type(api.account_code_for_token_post(body, _preload_content=False))
    reveal_type(api.account_code_for_token_post(body, timeout=5, headers={"X-Trace": "1"}))
    try:
        api.account_forgot_pass_post(persona.ForgotPasswordData(email="ann@example.com"))
    except ApiException as error:
        reveal_type(error.status)
    persona.ForgotPaswordData(email="ann@example.com")
    api.account_code_for_token_post(body, timout=5)
    from persona.testing import Request


    def operation_of(request: Request) -> str:
        return request.operation
    """
)

#: Line of each reveal_type -> (what mypy says, what pyright says).
EXPECTED = {
    7: ("persona.models.token_response.TokenResponse", "TokenResponse"),
    8: ("builtins.str", "str"),
    13: (
        "persona.models.forgot_password_response.ForgotPasswordResponse",
        "ForgotPasswordResponse",
    ),
    14: ("builtins.int", "int"),
    15: ("typing.Mapping[builtins.str, builtins.str]", "Mapping[str, str]"),
    16: (
        "persona.core.response.ApiResponse[persona.models.token_response.TokenResponse]",
        "ApiResponse[TokenResponse]",
    ),
    17: ("persona.models.token_response.TokenResponse", "TokenResponse"),
    18: (
        "multiprocessing.pool.ApplyResult[persona.models.token_response.TokenResponse]",
        "ApplyResult[TokenResponse]",
    ),
    19: ("persona.core.response.RESTResponse", "RESTResponse"),
    20: ("persona.models.token_response.TokenResponse", "TokenResponse"),
    24: ("builtins.int", "int"),
}
#: The two mistakes: a misspelt model name, a misspelt option.
ERROR_LINES = {25, 26}


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "user_code.py"
    path.write_text(USER_FILE, encoding="utf-8")
    return path


@pytest.mark.slow
def test_mypy_strict_on_a_users_file(tmp_path: Path) -> None:
    path = _write(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-column-numbers",
         "--cache-dir", str(tmp_path / "cache"), str(path)],
        capture_output=True, text=True, timeout=240, check=False, cwd=REPO,
    )  # fmt: skip
    revealed: dict[int, str] = {}
    errors: set[int] = set()
    for line in done.stdout.splitlines():
        match = re.match(r".*user_code\.py:(\d+):\d+: (\w+): (.*)", line)
        if not match:
            continue
        number, kind, text = int(match[1]), match[2], match[3]
        if "Revealed type is" in text:
            shown = text.split("Revealed type is ", 1)[1].strip('"')
            # ApiResponse is a tuple type: mypy shows "tuple[..., fallback=ApiResponse[T]]".
            revealed[number] = re.sub(r"^tuple\[.*, fallback=(.+)\]$", r"\1", shown)
        elif kind == "error":
            errors.add(number)
    want = {line: mypy.replace("builtins.", "") for line, (mypy, _) in EXPECTED.items()}
    got = {line: text.replace("builtins.", "") for line, text in revealed.items()}
    assert got == want, done.stdout
    assert errors == ERROR_LINES, done.stdout
    assert "Any" not in " ".join(revealed.values())


def _pyright() -> list[str]:
    if shutil.which("pyright"):
        return ["pyright"]
    try:
        import pyright  # noqa: F401  (the PyPI wrapper: test-requirements.txt)
    except ImportError:
        pytest.skip("pyright is not installed (pip install pyright)")
    return [sys.executable, "-m", "pyright"]


@pytest.mark.slow
def test_pyright_strict_on_a_users_file(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "extraPaths": [str(REPO)]}), encoding="utf-8"
    )
    try:
        done = subprocess.run(
            [*_pyright(), "--outputjson", str(path)],
            capture_output=True, text=True, timeout=240, check=False, cwd=tmp_path,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"pyright could not run here: {exc}")
    if not done.stdout.lstrip().startswith("{"):
        pytest.skip(f"pyright could not run here (no node?): {done.stderr[-300:]}")
    report = json.loads(done.stdout)
    revealed: dict[int, str] = {}
    errors: set[int] = set()
    for item in report["generalDiagnostics"]:
        line = item["range"]["start"]["line"] + 1
        if item["severity"] == "information" and "Type of" in item["message"]:
            revealed[line] = item["message"].rsplit(' is "', 1)[1].rstrip('"')
        elif item["severity"] == "error":
            errors.add(line)
    assert revealed == {line: shown for line, (_, shown) in EXPECTED.items()}, report
    assert errors == ERROR_LINES, report  # strict: no Unknown anywhere else
