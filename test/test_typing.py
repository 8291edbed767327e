"""What a type checker tells persona's users: the models' keyword constructors, field
types and the API methods' return types are visible to ``mypy --strict``."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_mypy_sees_constructors_fields_and_return_types(tmp_path: Path) -> None:
    script = tmp_path / "user_code.py"
    script.write_text(USER_CODE, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
            "--cache-dir", str(tmp_path / "cache"), str(script),
        ],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    errors = [line for line in lines if ": error:" in line]
    notes = [line for line in lines if "Revealed type" in line]
    assert len(errors) == 2, result.stdout
    assert 'Unexpected keyword argument "emial"' in errors[0]
    assert ":11: error: Incompatible types in assignment" in errors[1]
    # mypy 1.x spells it "builtins.str | None", mypy 2 "str | None".
    assert re.search(r'"(builtins\.)?str \| None"', notes[0]), notes[0]
    assert "persona.models.token_response.TokenResponse" in notes[1]
    assert "datetime" in notes[2]
