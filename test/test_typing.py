"""What a type checker tells persona's users: the models' keyword constructors, field
types and the API methods' return types are visible to ``mypy --strict``.

The user modules below are checked by one ``mypy --strict`` run (``mypy_runs``): its
start-up and its analysis of persona are the cost, whatever the number of modules."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

# Its module-scoped fixture is costly: run the module on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("typing")

USER_CODE = textwrap.dedent(
    """
    import persona

    empty = persona.CodeForTokenData()  # legal: fields are checked when sent
    body = persona.CodeForTokenData(email="ann@example.com", code="123456")
    reveal_type(body.code)
    reply = persona.AccountApi().account_code_for_token_post(body)
    reveal_type(reply)
    reveal_type(reply.expires_at)
    persona.CodeForTokenData(emial="ann@example.com")  # a typo
    body.code = 123456  # the wrong type
    """
)


@dataclass(frozen=True)
class MypyRun:
    """What mypy said about one user module: its lines, error lines, and the types its
    ``reveal_type`` calls revealed (in order)."""

    stdout: str
    errors: list[str]
    notes: list[str]


def mypy_on(tmp: Path, sources: dict[str, str]) -> dict[str, MypyRun]:
    """mypy --strict, once, on the user modules ``sources`` (name: code) written to
    ``tmp``: what it said, by module."""
    for name, code in sources.items():
        (tmp / name).write_text(code, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
            "--cache-dir", str(tmp / "cache"), *(str(tmp / name) for name in sources),
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stdout + result.stderr  # 2: mypy itself failed
    runs = {}
    for name in sources:
        lines = [
            line.removeprefix(f"{tmp}{os.sep}")
            for line in result.stdout.splitlines()
            if line.startswith(f"{tmp / name}:")
        ]
        runs[name] = MypyRun(
            stdout="\n".join(lines),
            errors=[line for line in lines if ": error:" in line],
            # ApiResponse is a tuple type: mypy reveals it as "tuple[T, int, Mapping[str,
            # str], fallback=persona.core.response.ApiResponse[T]]"; tests compare the class.
            notes=[
                re.sub(r'^"tuple\[.*, fallback=(.+)\]"$', r'"\1"', note)
                for note in (
                    line.split("Revealed type is ", 1)[1] for line in lines if "Revealed" in line
                )
            ],
        )
    return runs


def run_mypy(tmp_path: Path, code: str) -> tuple[MypyRun, list[str], list[str]]:
    """mypy --strict on one user module ``code`` (for other test modules): what it said,
    its error lines and the types its ``reveal_type`` calls revealed."""
    run = mypy_on(tmp_path, {"user_code.py": code})["user_code.py"]
    return run, run.errors, run.notes


@pytest.fixture(scope="module")
def mypy_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MypyRun]:
    """mypy --strict, once, on each user module of this file."""
    sources = {
        "user_code.py": USER_CODE,
        "call_options.py": CALL_OPTIONS_CODE,
        "async_user_code.py": ASYNC_USER_CODE,
    }
    return mypy_on(tmp_path_factory.mktemp("typing"), sources)


@pytest.mark.slow
def test_mypy_sees_constructors_fields_and_return_types(mypy_runs: dict[str, MypyRun]) -> None:
    result = mypy_runs["user_code.py"]
    errors, notes = result.errors, result.notes
    assert len(errors) == 2, result.stdout
    assert 'Unexpected keyword argument "emial"' in errors[0]
    assert ":11: error: Incompatible types in assignment" in errors[1]
    # mypy 1.x spells it "builtins.str | None", mypy 2 "str | None".
    assert re.search(r'"(builtins\.)?str \| None"', notes[0]), notes[0]
    assert "persona.models.token_response.TokenResponse" in notes[1]
    assert "datetime" in notes[2]


CALL_OPTIONS_CODE = textwrap.dedent(
    """
    import persona

    api = persona.AccountApi()
    body = persona.CodeForTokenData(email="ann@example.com", code="123456")
    reveal_type(api.account_code_for_token_post(body, _request_timeout=(1, 2)))
    reveal_type(api.account_code_for_token_post(body, async_req=True))
    reveal_type(api.account_code_for_token_post(body, _preload_content=False))
    reveal_type(api.account_code_for_token_post(body, async_req=True, _preload_content=False))
    reveal_type(api.account_code_for_token_post_with_http_info(body))
    reveal_type(api.account_code_for_token_post_with_http_info(body).data)
    reveal_type(api.account_forgot_pass_post(persona.ForgotPasswordData()))
    api.account_code_for_token_post(body, _request_timout=3)
    api.account_code_for_token_post(persona.ForgotPasswordData())
    api.account_code_for_token_post(body, _idempotency_key=5)
    client = persona.ApiClient().with_options(timeout=persona.Timeout(read=5), max_retries=0)
    reveal_type(client)
    """
)


@pytest.mark.slow
def test_mypy_sees_call_options_and_what_each_overload_returns(
    mypy_runs: dict[str, MypyRun],
) -> None:
    result = mypy_runs["call_options.py"]
    errors, notes = result.errors, result.notes
    token = '"persona.models.token_response.TokenResponse"'
    assert notes[0] == token, result.stdout
    assert (
        notes[1]
        == '"multiprocessing.pool.ApplyResult[persona.models.token_response.TokenResponse]"'
    )
    assert notes[2] == '"persona.core.response.RESTResponse"'
    assert notes[3] == '"multiprocessing.pool.ApplyResult[persona.core.response.RESTResponse]"'
    assert (
        notes[4]
        == '"persona.core.response.ApiResponse[persona.models.token_response.TokenResponse]"'
    )
    assert notes[5] == token
    assert notes[6] == '"persona.models.forgot_password_response.ForgotPasswordResponse"'
    assert notes[7] == '"persona.api_client.ApiClient"'
    error_lines = {int(line.split(":")[1]) for line in errors}
    assert error_lines == {13, 14, 15}, result.stdout
    # Newer mypy names the misspelt option and the right one; older ones (on Python 3.9)
    # say no overload matches, listing the options: either way the typo is an error.
    typo = next(line for line in errors if ":13:" in line)
    assert '"_request_timout"' in typo or "No overload variant" in typo, typo
    assert '_request_timeout"' in result.stdout or "_request_timeout:" in result.stdout


def test_the_api_module_needs_no_type_ignore() -> None:
    root = Path(__file__).resolve().parents[1] / "persona" / "api"
    for module in root.glob("*.py"):
        assert "type: ignore" not in module.read_text(encoding="utf-8"), module


ASYNC_USER_CODE = textwrap.dedent(
    """
    import asyncio
    import persona
    from persona.rest import RESTResponse
    from persona.testing import MockTransport

    async def main() -> None:
        async with persona.AsyncApiClient() as client:
            api = persona.AsyncAccountApi(client)
            sent = await api.account_forgot_pass_post(persona.ForgotPasswordData(email="a@b.c"))
            reveal_type(sent)
            info = await api.account_forgot_pass_post_with_http_info(
                persona.ForgotPasswordData(email="a@b.c")
            )
            reveal_type(info)
            token = await api.account_code_for_token_post(
                persona.CodeForTokenData(email="a@b.c", code="1")
            )
            reveal_type(token)
            reveal_type(await api.account_code_for_token_post_with_http_info(
                persona.CodeForTokenData(email="a@b.c", code="1")
            ))
            reveal_type(await api.account_reset_forgotten_password_post(
                persona.UpdatePasswordData(token="t", new_password="p" * 8)
            ))
            reveal_type(await api.account_reset_forgotten_password_post_with_http_info(
                persona.UpdatePasswordData(token="t", new_password="p" * 8)
            ))
            raw = await api.account_forgot_pass_post(
                persona.ForgotPasswordData(email="a@b.c"), _preload_content=False
            )
            reveal_type(raw)
            reveal_type(client.with_options(max_retries=0))
            api.account_forgot_pass_post(persona.CodeForTokenData())  # the wrong model
        mock = MockTransport(lambda request: RESTResponse(200, json={"success": True}))
        async with persona.AsyncApiClient(transport=mock) as unit:  # accepted as a transport
            await persona.AsyncAccountApi(unit).account_forgot_pass_post(
                persona.ForgotPasswordData(email="a@b.c")
            )

    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_mypy_sees_the_async_methods_return_types(mypy_runs: dict[str, MypyRun]) -> None:
    result = mypy_runs["async_user_code.py"]
    errors, notes = result.errors, result.notes
    assert len(errors) == 1, result.stdout
    assert "No overload variant" in errors[0] or "incompatible type" in errors[0], errors
    models = "persona.models."
    assert notes == [
        f'"{models}forgot_password_response.ForgotPasswordResponse"',
        f'"persona.core.response.ApiResponse[{models}forgot_password_response.ForgotPasswordResponse]"',
        f'"{models}token_response.TokenResponse"',
        f'"persona.core.response.ApiResponse[{models}token_response.TokenResponse]"',
        f'"{models}forgot_password_response.ForgotPasswordResponse"',
        f'"persona.core.response.ApiResponse[{models}forgot_password_response.ForgotPasswordResponse]"',
        '"persona.core.response.RESTResponse"',
        '"persona.async_api_client.AsyncApiClient"',
    ], result.stdout
